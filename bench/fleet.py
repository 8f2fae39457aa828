"""Benchmark of the fleet pages through Django: server time of the collision report and the port
map of a cluster of 10,000 apps, the app list beside them for context, and (context too) how long
saving the cluster's settings takes, which re-checks every app.

Run from the repo root:  .venv/bin/python bench/fleet.py [--strict]

Like bench/web.py (whose fleet generator it reuses): DEBUG off, a throwaway secret key, a fresh
SQLite file in the system temp directory, static files collected there. The fleet is bench/web.py's
mixed 10,000 apps plus 100 apps that collide with them (fixed service ports already held, a few
fixed host ports and VIPs twice). Targets are reported as PASS/FAIL; the exit code is 0 unless
``--strict`` is given and a target fails.
"""

from __future__ import annotations

import argparse
import random
import shutil
import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))  # bench/web.py, next to this file

import web  # noqa: E402  (sets up Django on a fresh SQLite file in its own temp directory)
from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.test import Client  # noqa: E402
from django.urls import reverse  # noqa: E402

from portplanner.marathon import resolve_app  # noqa: E402
from portplanner.models import Cluster, PortAllocation, VipLabel  # noqa: E402

FLEET = 10_000
COLLIDING = 100
WARMUP, SAMPLES = 5, 60
POLICY_SAVES = 3
TARGET_MS = 200.0  # median and p95 of each page, server time


def colliding_apps(cluster: Cluster, count: int) -> list[str]:
    """Apps that take a service port (and now and then a fixed host port or a VIP) another app
    already holds, in bench/web.py's serialized form."""
    rng = random.Random(web.SEED + 1)
    held = list(
        PortAllocation.objects.filter(cluster=cluster, service_port__isnull=False)
        .order_by("?")
        .values_list("service_port", "host_port")[:count]
    )
    vips = list(
        VipLabel.objects.filter(cluster=cluster).order_by("?").values_list("vip", flat=True)[:count]
    )
    apps = []
    for n in range(count):
        service_port, host_port = held[n]
        mapping = {"containerPort": 8080, "hostPort": 0, "servicePort": service_port}
        if rng.random() < 0.2:
            mapping["hostPort"] = host_port or 31000 + n
        if rng.random() < 0.3:  # the share of the generated fleet's first ports with a VIP
            mapping["labels"] = {"VIP_0": vips[n]}
        raw = {
            "id": f"/clash/app-{n}",
            "networks": [{"mode": "container/bridge"}],
            "container": {"type": "DOCKER", "docker": {"image": "x"}, "portMappings": [mapping]},
        }
        apps.append(web.serialized(raw, resolve_app(raw, cluster.policy)))
    return apps


def main() -> int:
    try:
        return run()
    finally:
        shutil.rmtree(web.WORK_DIR, ignore_errors=True)


def run() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--strict", action="store_true", help="exit 1 if a target fails")
    args = parser.parse_args()

    settings.STATIC_ROOT = web.WORK_DIR / "static"
    call_command("migrate", interactive=False, verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)
    cluster = Cluster.objects.create(name="large")
    web.load_fleet(cluster, web.generate_fleet(cluster.policy, FLEET, web.GAP_CHANCE))
    web.load_fleet(cluster, colliding_apps(cluster, COLLIDING))

    client = Client()
    pages = {
        "collision report": reverse("cluster_collisions", args=[cluster.name]),
        "port map": reverse("cluster_port_map", args=[cluster.name]),
        "app list (context)": reverse("cluster_apps", args=[cluster.name]),
        "app list, port search (context)": reverse("cluster_apps", args=[cluster.name])
        + "?q=10004",
        "app list, with collisions (context)": reverse("cluster_apps", args=[cluster.name])
        + "?status=collisions&sort=warnings",
    }
    requests = {name: (lambda url=url: client.get(url)) for name, url in pages.items()}
    web.WARMUP, web.SAMPLES = WARMUP, SAMPLES  # web.measure reads these
    times = web.measure(requests)
    queries = {name: len(web.queries_of(request)) for name, request in requests.items()}
    sizes = {name: len(request().content) for name, request in requests.items()}

    print(
        f"Port Planner fleet benchmark: DEBUG={settings.DEBUG}, SQLite (a fresh file); "
        f"{web.describe_fleet(cluster)}"
    )
    print(
        f"Server time: django.test.Client in process, {SAMPLES} samples after {WARMUP} warm-ups, "
        "requests interleaved; p95 nearest-rank.\n"
    )
    print(f"{'page':<38} {'median':>9} {'p95':>9} {'SQL':>4} {'bytes':>9}  target")
    print("-" * 96)
    failures = 0
    for name in pages:
        median = statistics.median(times[name]) / 1e6
        p95 = web.p95(times[name]) / 1e6
        note = ""
        if "context" not in name:
            ok = median <= TARGET_MS and p95 <= TARGET_MS
            failures += not ok
            note = f"median and p95 <= {TARGET_MS:.0f} ms: {web.verdict(ok)}"
        figures = f"{median:>7.1f}ms {p95:>7.1f}ms {queries[name]:>4} {sizes[name]:>9,}"
        print(f"{name:<38} {figures}  {note}")

    # Context, no target: saving the cluster's settings re-checks every app in one request (one
    # group deployment). The policy saved is the same each time, so the fleet stays as measured.
    settings_url = reverse("cluster_settings", args=[cluster.name])
    form = {
        "description": "",
        "local_port_min": cluster.local_port_min,
        "local_port_max": cluster.local_port_max,
        "agent_port_ranges": cluster.agent_port_ranges,
        "reserved_ports": cluster.reserved_ports,
        "default_network_name": cluster.default_network_name,
        "mesos_bridge_name": cluster.mesos_bridge_name,
        "env_vars_prefix": cluster.env_vars_prefix,
    }
    saves = []
    for _ in range(POLICY_SAVES):
        start = web.clock()
        response = client.post(settings_url, form)
        saves.append(web.clock() - start)
        assert response.status_code == 302, response.status_code
    print(
        f"{'settings saved: re-check (context)':<38} {statistics.median(saves) / 1e6:>7.0f}ms "
        f"{'':>9} {'':>4} {'':>9}  median of {POLICY_SAVES}, every app re-resolved and rewritten"
    )
    return 1 if args.strict and failures else 0


if __name__ == "__main__":
    sys.exit(main())
