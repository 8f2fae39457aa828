"""Benchmark of a change request's page: server time of the page of a 50-app request (the request
resolved as one deployment and rolled back, its diff per app, the map, the discussion) in clusters
of 1,000 and 10,000 apps, beside the collision report of the same clusters, in the same run.
The page reads the resolution kept with the request and fragments cached under its fingerprint;
its first view after a change (the request or the fleet moved: resolved again, rendered again)
is timed too, for information.

Run from the repo root:  .venv/bin/python bench/review.py [--strict] [--quick]

Targets: the page at 10,000 apps / at 1,000 apps <= 1.2 (it reads indexed rows only, not the
fleet), and the page <= 3x the collision report's time at each size. On a fresh SQLite file, as
the other benchmarks (bench/common.py).
"""

from __future__ import annotations

import statistics
import sys
from dataclasses import dataclass

import common

common.setup_django()

from django.core.cache import cache  # noqa: E402
from django.urls import reverse  # noqa: E402

from portplanner.fleet.deploy import deploy  # noqa: E402
from portplanner.history.record import Actor  # noqa: E402
from portplanner.models import ChangeRequest, Cluster  # noqa: E402
from portplanner.review.requests import open_request, propose  # noqa: E402


@dataclass(frozen=True)
class Scale:
    small: int
    large: int
    changes: int
    warmup: int
    samples: int


FULL = Scale(small=1_000, large=10_000, changes=50, warmup=3, samples=30)
QUICK = Scale(small=100, large=300, changes=10, warmup=1, samples=3)
COLD_SAMPLES = {FULL: 10, QUICK: 2}
FLAT_TARGET = 1.2
REPORT_TARGET = 3.0


def request_of(cluster: Cluster, user, changes: int):
    """A request changing ``changes`` apps: half updates of stored apps (a port added, which
    moves service ports), half new apps (dynamic ports, and a few fixed ones already held)."""
    request = open_request(cluster, user, f"{changes} app changes")
    stored = list(cluster.apps.exclude(normalized=None).order_by("pk")[: changes // 2])
    for app in stored:
        raw = dict(app.source)
        raw["labels"] = {**(raw.get("labels") or {}), "bench": "changed"}
        propose(request, user, None, raw)
    held = list(
        cluster.apps.filter(allocations__service_port__isnull=False).values_list(
            "allocations__service_port", flat=True
        )[:5]
    )
    for n in range(changes - len(stored)):
        port = held[n] if n < len(held) else 0  # the first few collide with the fleet
        raw = {"id": f"/bench/request/app-{n}", "cmd": "./run", "ports": [port, 0]}
        propose(request, user, None, raw)
    return request


def main() -> int:
    parser = common.arguments(__doc__)
    args = parser.parse_args()
    scale = QUICK if args.quick else FULL
    common.migrate(static=True)
    client = common.signed_in_client()
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.get(username="bench-admin")
    fleet = common.generate_fleet(scale.large, common.GAP_CHANCE)
    pages, cold = {}, {}
    for size in (scale.small, scale.large):
        cluster = Cluster.objects.create(name=f"fleet-{size}")
        subset = common.Fleet(fleet.apps[:size])
        deploy(cluster, [(None, app) for app in subset.apps], by=Actor(None, "bench"))
        request = request_of(cluster, user, scale.changes)
        common.settle()
        label = common.short(size)
        pages[f"request page, {label} apps"] = reverse(
            "request_detail", args=[cluster.name, request.number]
        )
        pages[f"collision report, {label} apps"] = reverse(
            "cluster_collisions", args=[cluster.name]
        )
        cold[f"first view after a change, {label}"] = (
            request.pk,
            pages[f"request page, {label} apps"],
        )
    requests = {name: (lambda url=url: client.get(url)) for name, url in pages.items()}
    checked = {name: common.ok_response(request) for name, request in requests.items()}
    times = common.turns(checked, scale.warmup, scale.samples)
    medians = {name: statistics.median(times[name]) / 1e6 for name in pages}

    def first_view(pk: int, url: str):
        def view():
            # As after an edit or a change to the fleet: the kept resolution and every cached
            # fragment are out of date.
            ChangeRequest.objects.filter(pk=pk).update(resolved_for="")
            cache.clear()
            return client.get(url)

        return common.ok_response(view)

    firsts = {name: first_view(*where) for name, where in cold.items()}
    times |= common.turns(firsts, 1, COLD_SAMPLES[scale])

    print(f"Change request benchmark: a {scale.changes}-app request, SQLite (a fresh file)")
    if args.quick:
        print(common.QUICK_BANNER)
    print(
        f"Server time: django.test.Client in process, {scale.samples} samples after "
        f"{scale.warmup} warm-ups, requests interleaved; p95 nearest-rank.\n"
    )
    print(f"{'page':<34} {'median':>9} {'p95':>9} {'SQL':>4}")
    print("-" * 60)
    for name in pages:
        queries = len(common.queries_of(requests[name]))
        p95 = common.p95(times[name]) / 1e6
        print(f"{name:<34} {medians[name]:>7.1f}ms {p95:>7.1f}ms {queries:>4}")
    print(f"\nFor information ({COLD_SAMPLES[scale]} samples each), the request page's")
    for name in firsts:
        median, p95 = statistics.median(times[name]) / 1e6, common.p95(times[name]) / 1e6
        print(f"{name:<34} {median:>7.1f}ms {p95:>7.1f}ms")
    print()
    verdicts = common.Verdicts(args.quick)
    small, large = common.short(scale.small), common.short(scale.large)
    flat = medians[f"request page, {large} apps"] / medians[f"request page, {small} apps"]
    print(
        f"request page {large}/{small}: {flat:.2f} (target <= {FLAT_TARGET}): "
        f"{verdicts.judge(flat <= FLAT_TARGET)}"
    )
    for label in (small, large):
        ratio = medians[f"request page, {label} apps"] / medians[f"collision report, {label} apps"]
        print(
            f"request page / collision report at {label} apps: {ratio:.2f} (target <= "
            f"{REPORT_TARGET}): {verdicts.judge(ratio <= REPORT_TARGET)}"
        )
    print(f"overall: {verdicts.overall()}")
    return verdicts.exit_code(args.strict)


if __name__ == "__main__":
    sys.exit(main())
