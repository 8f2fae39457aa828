"""Benchmark of import: a generated 5,000-app ``/v2/apps`` file through the import view, preview
(a dry run), commit, and the same file committed again (every app an update), server time each,
on a fresh SQLite file. Target: each import under 10 s.

Then the cost of the history: the same commit into fresh clusters with and without recording a
revision per app (without: the recording steps of fleet.deploy replaced by nothing, here only),
alternating, twice each. Target: with / without <= 1.2.

Run from the repo root:  .venv/bin/python bench/exchange.py [--strict] [--quick] [--apps N]
"""

from __future__ import annotations

import json
import random
import statistics
import sys

import common

common.setup_django()

from django.core.files.uploadedfile import SimpleUploadedFile  # noqa: E402
from django.urls import reverse  # noqa: E402

from portplanner.models import App, Cluster, PortAllocation, Revision  # noqa: E402

SEED = 20261125
IMPORT_TARGET_S = 10.0
APPS, QUICK_APPS = 5_000, 300


def v2_apps(count: int) -> dict:
    """A ``/v2/apps`` response like a real fleet's: mostly host apps with dynamic ports, bridge
    apps with fixed service ports, container-network apps, some legacy forms."""
    rng = random.Random(SEED)
    apps = []
    fixed = iter(rng.sample(range(10000, 20001), count))
    for i in range(count):
        kind = rng.random()
        app_id = f"/team{i % 50}/svc{i}"
        if kind < 0.5:
            app = {"id": app_id, "cmd": "./run", "portDefinitions": [{"port": 0, "name": "http"}]}
        elif kind < 0.75:
            app = {
                "id": app_id,
                "container": {"type": "DOCKER", "docker": {"image": "nginx"}},
                "networks": [{"mode": "container/bridge"}],
                "requirePorts": False,
            }
            app["container"]["portMappings"] = [
                {"containerPort": 80, "hostPort": 0, "servicePort": next(fixed), "name": "web"}
            ]
        elif kind < 0.9:
            app = {
                "id": app_id,
                "networks": [{"mode": "container", "name": "dcos"}],
                "container": {
                    "type": "MESOS",
                    "docker": {"image": "x"},
                    "portMappings": [{"containerPort": 8080, "name": "api"}],
                },
            }
        else:
            app = {"id": app_id, "cmd": "./legacy", "ports": [0, 0]}
        app.update({"instances": 2, "cpus": 0.1, "mem": 128, "labels": {"team": f"t{i % 50}"}})
        apps.append(app)
    return {"apps": apps}


def seconds_since(start: int) -> float:
    return (common.clock() - start) / 1e9


def main() -> int:
    parser = common.arguments(__doc__)
    parser.add_argument(
        "--apps", type=int, help=f"apps in the file (default {APPS:,}; {QUICK_APPS} with --quick)"
    )
    args = parser.parse_args()
    apps = args.apps or (QUICK_APPS if args.quick else APPS)
    # Pages need no hashed static files here: import time is what is measured.
    common.migrate(static=False)
    Cluster.objects.create(name="bench")
    data = json.dumps(v2_apps(apps)).encode()
    client = common.signed_in_client()
    url = reverse("cluster_import", args=["bench"])
    print(f"Import benchmark: {apps:,} apps, {len(data) / 1048576:.1f} MiB /v2/apps file")
    if args.quick:
        print(common.QUICK_BANNER)
    started = common.clock()
    upload = SimpleUploadedFile("apps.json", data, "application/json")
    preview = client.post(url, {"file": upload, "action": "preview"})
    preview_s = seconds_since(started)
    assert preview.status_code == 200, preview.content[:500]
    assert not App.objects.exists()
    started = common.clock()
    commit = client.post(url, {"payload": data.decode(), "action": "commit"})
    commit_s = seconds_since(started)
    assert commit.status_code == 302, commit.content[:500]
    assert App.objects.count() == apps
    # The same file again: every app is now an update (its service ports reused).
    started = common.clock()
    again = client.post(url, {"payload": data.decode(), "action": "commit"})
    again_s = seconds_since(started)
    assert again.status_code == 302, again.content[:500]
    assert App.objects.filter(version=2).count() == apps
    verdicts = common.Verdicts(args.quick)
    print(f"  preview (dry run, rolled back)  {preview_s:6.2f} s")
    for label, seconds in (
        ("commit (all or nothing)", commit_s),
        ("again: all updates", again_s),
    ):
        print(
            f"  {label:<31} {seconds:6.2f} s   target <= {IMPORT_TARGET_S} s"
            f"  {verdicts.judge(seconds <= IMPORT_TARGET_S)}"
        )
    print(
        f"  {App.objects.count():,} apps and {PortAllocation.objects.count():,} port rows "
        f"saved; {App.objects.filter(is_valid=False).count()} invalid"
    )
    with_, without = recording_cost(client, data, apps)
    ratio = statistics.median(with_) / statistics.median(without)
    print(
        f"  commit, recording revisions      {statistics.median(with_):6.2f} s   "
        f"without {statistics.median(without):.2f} s: ratio {ratio:.2f} (target <= "
        f"{RECORDING_TARGET})  {verdicts.judge(ratio <= RECORDING_TARGET)}"
    )
    return verdicts.exit_code(args.strict)


RECORDING_TARGET = 1.2


def recording_cost(client, data: bytes, apps: int) -> tuple[list[float], list[float]]:
    """Commit times into fresh clusters with and without the history's recording, alternating
    (with, without, without, with) so that drift hits both alike."""
    from portplanner.fleet import deploy as writer

    recorded, collisions = writer.revision_rows, writer.collisions_by_app
    times: dict[bool, list[float]] = {True: [], False: []}
    for n, record in enumerate((True, False, False, True)):
        Cluster.objects.create(name=f"history-{n}")
        if not record:
            writer.revision_rows = lambda *args, **kwargs: []
            writer.collisions_by_app = lambda *args: {}
        try:
            started = common.clock()
            commit = client.post(
                reverse("cluster_import", args=[f"history-{n}"]),
                {"payload": data.decode(), "action": "commit"},
            )
            times[record].append(seconds_since(started))
        finally:
            writer.revision_rows, writer.collisions_by_app = recorded, collisions
        assert commit.status_code == 302, commit.content[:500]
        expected = apps if record else 0
        assert Revision.objects.filter(cluster__name=f"history-{n}").count() == expected
    return times[True], times[False]


if __name__ == "__main__":
    sys.exit(main())
