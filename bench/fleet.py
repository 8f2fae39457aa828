"""Benchmark of the fleet pages through Django: server time of the collision report and the port
map of a cluster of 10,000 apps, the app list beside them for context, and (context too) how long
a change of the cluster's settings takes to review (a dry run) and to apply: each re-checks every
app.

Run from the repo root:  .venv/bin/python bench/fleet.py [--strict] [--quick]

Like bench/web.py (set up by bench/common.py): DEBUG off, a throwaway secret key, a fresh SQLite
file in the system temp directory, static files collected there. The fleet is bench/web.py's mixed
10,000 apps plus 100 apps that collide with them (fixed service ports already held, a few fixed
host ports and VIPs twice, a fifth of them marathon-lb bind ports through HAPROXY_0_PORT).
Targets are reported as PASS/FAIL; the exit code is 0 unless ``--strict`` is given and a target
fails.
"""

from __future__ import annotations

import random
import statistics
import sys
from dataclasses import dataclass

import common

common.setup_django()

from django.conf import settings  # noqa: E402
from django.urls import reverse  # noqa: E402

from portplanner.fleet.deploy import deploy, save_app  # noqa: E402
from portplanner.history.record import Actor  # noqa: E402
from portplanner.models import Cluster, PortAllocation, Revision, VipLabel  # noqa: E402


@dataclass(frozen=True)
class Scale:
    fleet: int
    colliding: int  # apps deployed after the fleet, each taking a port or VIP already held
    warmup: int  # turns before the timed ones (each page once per turn)
    samples: int  # timed turns
    policy_saves: int
    revisions: int  # of the one app whose history is timed


FULL = Scale(fleet=10_000, colliding=100, warmup=5, samples=60, policy_saves=3, revisions=200)
QUICK = Scale(fleet=1_000, colliding=10, warmup=1, samples=5, policy_saves=1, revisions=10)
TARGET_MS = 200.0  # median and p95 of each page, server time


def colliding_apps(cluster: Cluster, count: int) -> list[dict]:
    """Apps that take a service port (and now and then a fixed host port or a VIP) another app
    already holds; one in five binds it in marathon-lb through HAPROXY_0_PORT instead."""
    rng = random.Random(common.SEED + 1)
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
        if n % 5 == 0:  # the fleet's apps have no group: neither has this one
            raw["labels"] = {"HAPROXY_0_PORT": str(service_port)}
            mapping["servicePort"] = 0
        apps.append(raw)
    return apps


def main() -> int:
    parser = common.arguments(__doc__)
    args = parser.parse_args()
    scale = QUICK if args.quick else FULL

    common.migrate(static=True)
    cluster = Cluster.objects.create(name="large")
    common.load_fleet(cluster, common.generate_fleet(scale.fleet, common.GAP_CHANCE))
    # A second deployment, as the colliding apps would arrive; collisions are not errors.
    colliding = colliding_apps(cluster, scale.colliding)
    deploy(cluster, [(None, raw) for raw in colliding], by=Actor(None, "bench"))
    common.settle()

    client = common.signed_in_client()
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
    checked = {name: common.ok_response(request) for name, request in requests.items()}
    times = common.turns(checked, scale.warmup, scale.samples)
    queries = {name: len(common.queries_of(request)) for name, request in requests.items()}
    sizes = {name: len(request().content) for name, request in requests.items()}

    print(
        f"Port Planner fleet benchmark: DEBUG={settings.DEBUG}, SQLite (a fresh file); "
        f"{common.describe_fleet(cluster)}"
    )
    if args.quick:
        print(common.QUICK_BANNER)
    print(
        f"Server time: django.test.Client in process, {scale.samples} samples after "
        f"{scale.warmup} warm-ups, requests interleaved; p95 nearest-rank.\n"
    )
    print(f"{'page':<38} {'median':>9} {'p95':>9} {'SQL':>4} {'bytes':>9}  target")
    print("-" * 96)
    verdicts = common.Verdicts(args.quick)
    for name in pages:
        median = statistics.median(times[name]) / 1e6
        p95 = common.p95(times[name]) / 1e6
        note = ""
        if "context" not in name:
            ok = median <= TARGET_MS and p95 <= TARGET_MS
            note = f"median and p95 <= {TARGET_MS:.0f} ms: {verdicts.judge(ok)}"
        figures = f"{median:>7.1f}ms {p95:>7.1f}ms {queries[name]:>4} {sizes[name]:>9,}"
        print(f"{name:<38} {figures}  {note}")

    # Context, no target: a policy change re-checks every app in one request (one group
    # deployment), first as a dry run rolled back (the review), then for real (Apply). The policy
    # posted is the same each time, so the fleet stays as measured.
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
    for label, action, status in (
        ("settings reviewed: dry run (context)", "review", 200),
        ("settings applied: re-check (context)", "apply", 302),
    ):
        saves = []
        for _ in range(scale.policy_saves):
            start = common.clock()
            response = client.post(settings_url, {**form, "action": action})
            saves.append(common.clock() - start)
            assert response.status_code == status, response.status_code
        print(
            f"{label:<38} {statistics.median(saves) / 1e6:>7.0f}ms "
            f"{'':>9} {'':>4} {'':>9}  median of {scale.policy_saves}, every app re-resolved and "
            + ("rolled back" if action == "review" else "rewritten")
        )
    history_pages(cluster, client, scale, verdicts)
    return verdicts.exit_code(args.strict)


def history_pages(cluster: Cluster, client, scale: Scale, verdicts) -> None:
    """The history, after the full re-checks above gave every app its revisions: an app saved
    ``scale.revisions`` times (its history page, with the newest against the one before, and
    the first against the last), and the cluster's activity feed (all apps, one user)."""
    raw = {"id": "/bench/history", "cmd": "./run", "portDefinitions": [{"port": 0}]}
    app, _ = save_app(cluster, raw, by=Actor(None, "bench"))
    for n in range(scale.revisions - 1):
        port = {"port": 0} if n % 2 else {"port": 5000 + n, "name": f"p{n}"}
        raw = {**raw, "portDefinitions": [port, {"port": 0}]}
        app, _ = save_app(cluster, raw, app=app, by=Actor(None, "bench", f"change {n}"))
    revisions = Revision.objects.filter(cluster=cluster, app_id=app.app_id).order_by("pk")
    first, last = revisions.first().pk, revisions.last().pk
    history = reverse("app_history", args=[cluster.name, app.app_id.lstrip("/")])
    feed = reverse("cluster_activity", args=[cluster.name])
    pages = {
        f"app history, {scale.revisions} versions": history,
        "app history, first vs last version": f"{history}?a={first}&b={last}",
        "activity feed, page 1": feed,
        "activity feed, one user's changes": f"{feed}?user=bench-admin",
    }
    requests = {name: (lambda url=url: client.get(url)) for name, url in pages.items()}
    checked = {name: common.ok_response(request) for name, request in requests.items()}
    times = common.turns(checked, scale.warmup, scale.samples)
    total = Revision.objects.filter(cluster=cluster).count()
    print(
        f"\nHistory: {total:,} revisions in the cluster (each app re-checked by the policy saves "
        "above)"
    )
    for name in pages:
        median = statistics.median(times[name]) / 1e6
        p95 = common.p95(times[name]) / 1e6
        queries = len(common.queries_of(requests[name]))
        ok = median <= TARGET_MS and p95 <= TARGET_MS
        note = f"median and p95 <= {TARGET_MS:.0f} ms: {verdicts.judge(ok)}"
        print(f"{name:<38} {median:>7.1f}ms {p95:>7.1f}ms {queries:>4} {'':>9}  {note}")


if __name__ == "__main__":
    sys.exit(main())
