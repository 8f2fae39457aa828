"""What the four benchmarks share: the command line, Django on a throwaway SQLite file, the mixed
fleet that bench/web.py and bench/fleet.py store in a cluster, timing and reporting.

Django is imported only inside the functions that need it: bench/engine.py times the engine alone,
and a heap holding Django would change what its garbage-collector figures measure.

Every name used from the app is public; a rename there breaks ``make test``, which runs each
benchmark once with ``--quick``.
"""

from __future__ import annotations

import argparse
import atexit
import gc
import math
import os
import random
import shutil
import statistics
import sys
import tempfile
import time
import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))  # so that `python bench/<name>.py` finds the package

SEED = 20240611
clock = time.perf_counter_ns


# --- command line and verdicts -----------------------------------------------------------------


def arguments(doc: str | None) -> argparse.ArgumentParser:
    """A parser with the options every benchmark takes; scripts add their own."""
    parser = argparse.ArgumentParser(description=(doc or "").split("\n\n")[0])
    parser.add_argument("--strict", action="store_true", help="exit 1 if a target fails")
    parser.add_argument(
        "--quick",
        action="store_true",
        help="small fleets and few samples, the same code paths, a few seconds (make test runs "
        "this): the figures mean nothing and no target is judged",
    )
    return parser


QUICK_BANNER = (
    "QUICK RUN (--quick): small fleets and few samples, to show that the benchmark runs. The "
    "figures mean nothing; no target is judged."
)


class Verdicts:
    """PASS/FAIL per target, and the exit code. A quick run judges nothing."""

    def __init__(self, quick: bool = False):
        self.quick = quick
        self.failed = 0

    def judge(self, ok: bool) -> str:
        if self.quick:
            return "not judged (--quick)"
        self.failed += not ok
        return "PASS" if ok else "FAIL"

    def overall(self) -> str:
        if self.quick:
            return "not judged (--quick)"
        return "FAIL" if self.failed else "PASS"

    def exit_code(self, strict: bool) -> int:
        return 1 if strict and self.failed else 0


# --- timing ------------------------------------------------------------------------------------


def percentile(values: list[float], pct: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(pct / 100 * len(ordered)) - 1)]


def p95(values: list[float]) -> float:
    return percentile(values, 95)


def median_ns(call: Callable[[], object], rounds: int = 30) -> float:
    """Median time of ``rounds`` calls, after one call to warm up."""
    call()
    samples = []
    for _ in range(rounds):
        start = clock()
        call()
        samples.append(clock() - start)
    return statistics.median(samples)


def turns(calls: dict[str, Callable[[], object]], warmup: int, rounds: int) -> dict[str, list[int]]:
    """Every call once per turn, the starting call rotating from turn to turn, ``warmup`` turns
    untimed first: this machine's speed drifts by up to 2x over seconds, so only calls timed side
    by side compare. Times in ns, per call."""
    names = list(calls)
    for _ in range(warmup):
        for name in names:
            calls[name]()
    times: dict[str, list[int]] = {name: [] for name in names}
    for i in range(rounds):
        shift = i % len(names)
        for name in names[shift:] + names[:shift]:
            start = clock()
            calls[name]()
            times[name].append(clock() - start)
    return times


@dataclass(frozen=True)
class Budget:
    """How long ``alternate`` samples a pair of calls."""

    min_batch_ns: int = 200_000  # calls per sample are batched until a sample lasts this long
    case_ns: int = 3_000_000_000  # time spent on the timed rounds of one pair
    min_rounds: int = 200
    max_rounds: int = 2_000
    warmup_ns: int = 300_000_000  # and at least 20 calls of each


@dataclass
class Timing:
    median: float
    p95: float
    samples: int
    batch: int


def _call_n(fn: Callable[[], object], n: int) -> float:
    """Per-call nanoseconds of ``n`` back-to-back calls."""
    start = clock()
    for _ in range(n):
        fn()
    return (clock() - start) / n


def _warm_up(fn: Callable[[], object], min_ns: int, min_calls: int = 20) -> float:
    """Call ``fn`` until it is warm; return the last per-call time, to size batches."""
    start = clock()
    calls = 0
    per_call = 0.0
    while calls < min_calls or clock() - start < min_ns:
        per_call = _call_n(fn, 1)
        calls += 1
    return per_call


def alternate(
    a: Callable[[], object], b: Callable[[], object], budget: Budget = Budget()
) -> tuple[Timing, Timing]:
    """Per-call times of ``a`` and ``b``, measured in alternating samples so drift hits both."""
    one_a, one_b = _warm_up(a, budget.warmup_ns), _warm_up(b, budget.warmup_ns)
    batch_a = max(1, math.ceil(budget.min_batch_ns / one_a))
    batch_b = max(1, math.ceil(budget.min_batch_ns / one_b))
    round_ns = one_a * batch_a + one_b * batch_b
    rounds = min(budget.max_rounds, max(budget.min_rounds, int(budget.case_ns / round_ns)))
    samples_a: list[float] = []
    samples_b: list[float] = []
    gc.collect()
    for _ in range(rounds):
        samples_a.append(_call_n(a, batch_a))
        samples_b.append(_call_n(b, batch_b))
    return (
        Timing(statistics.median(samples_a), p95(samples_a), rounds, batch_a),
        Timing(statistics.median(samples_b), p95(samples_b), rounds, batch_b),
    )


class GcMeter:
    """Time spent in the cyclic garbage collector, and full (generation 2) collections, while on."""

    def __init__(self) -> None:
        self.ns = 0
        self.full = 0
        self._start = 0

    def __enter__(self) -> GcMeter:
        gc.callbacks.append(self._callback)
        return self

    def __exit__(self, *exc) -> None:
        gc.callbacks.remove(self._callback)

    def _callback(self, phase: str, info: dict) -> None:
        if phase == "start":
            self._start = clock()
        else:
            self.ns += clock() - self._start
            self.full += info["generation"] == 2


# --- printing ----------------------------------------------------------------------------------


def fmt_ns(ns: float) -> str:
    if ns >= 1e9:
        return f"{ns / 1e9:.2f} s"
    if ns >= 1e6:
        return f"{ns / 1e6:.2f} ms"
    if ns >= 1e3:
        return f"{ns / 1e3:.1f} us"
    return f"{ns:.0f} ns"


def ms(ns: float) -> str:
    return f"{ns / 1e6:7.2f} ms"


def short(n: int) -> str:
    """A fleet size as a row label: 1,000 -> 1k, 100 -> 100."""
    return f"{n // 1000}k" if n % 1000 == 0 else str(n)


# --- Django on a throwaway database ------------------------------------------------------------


def setup_django(database_url: str | None = None) -> Path:
    """Configure and set up Django for a benchmark: DEBUG off and a throwaway secret key unless
    set already, and ``database_url`` or else a fresh SQLite file in a temp directory
    (``DATABASE_URL`` is overridden, so no real database is ever written; the directory goes at
    exit). Returns the directory."""
    work_dir = Path(tempfile.mkdtemp(prefix="portplanner-bench-"))
    atexit.register(shutil.rmtree, work_dir, ignore_errors=True)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portplanner.settings")
    os.environ.setdefault("DJANGO_DEBUG", "0")
    os.environ.setdefault("DJANGO_SECRET_KEY", "bench-only-not-a-secret")
    os.environ["DATABASE_URL"] = database_url or f"sqlite:///{work_dir / 'bench.sqlite3'}"
    os.environ["DJANGO_STATIC_ROOT"] = str(work_dir / "static")
    import django

    django.setup()
    return work_dir


def migrate(*, static: bool) -> None:
    """Create the tables. ``static``: also ``collectstatic`` (compressed manifest storage, as in
    production); without it, pages use plain static storage and WhiteNoise's warning that the
    folder is missing is silenced."""
    from django.conf import settings
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)
    if static:
        call_command("collectstatic", interactive=False, verbosity=0)
    else:
        settings.STORAGES = {
            **settings.STORAGES,
            "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
        }
        warnings.filterwarnings("ignore", "No directory at")


def signed_in_client():
    """A test client signed in as a site admin (an owner of every cluster): every page needs a
    signed-in user. Made once; the sign-in is not timed."""
    from django.contrib.auth import get_user_model
    from django.test import Client

    users = get_user_model().objects
    admin = users.filter(username="bench-admin").first() or users.create_superuser("bench-admin")
    client = Client()
    client.force_login(admin)
    return client


def queries_of(call: Callable[[], object]) -> list[dict]:
    """The SQL queries one call makes."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        call()
    return ctx.captured_queries


def ok_response(request: Callable[[], Any], status: int = 200) -> Callable[[], Any]:
    """``request``, failing the benchmark when its response is not ``status``."""

    def checked():
        response = request()
        assert response.status_code == status, response.status_code
        return response

    return checked


# --- the stored fleet (bench/web.py, bench/fleet.py) --------------------------------------------

# Chance that the run of held service ports breaks, for a gap of 1-4 free ports (--gap-chance).
GAP_CHANCE = 0.01


def service_port_feed(rng: random.Random, low: int, high: int, gap_chance: float) -> Iterator[int]:
    """Service ports as a long-lived cluster hands them out: ascending from ``low``, with the odd
    hole where an app was deleted."""
    port = low
    while port <= high:
        if rng.random() < gap_chance:
            port += rng.randint(1, 4)
            continue
        yield port
        port += 1


def fleet_app(rng: random.Random, n: int, fixed_host: Iterator[int], fixed_svc: Iterator[int]):
    """One app of the mixed fleet (see bench/README.md for the shares)."""
    app_id = f"/team{n % 40}/svc-{n}"
    kind = rng.random()

    def names(count: int) -> list[str]:
        return ["http", "admin", "metrics"][:count]

    def vip(i: int) -> dict:
        return {"VIP_0": f"{app_id}:{80 + i}"} if i == 0 and rng.random() < 0.3 else {}

    count = rng.choice([1, 1, 2])
    if kind < 0.45:  # workers: no ports
        return {"id": app_id, "cmd": "./work", "portDefinitions": []}
    if kind < 0.70:  # host network, service ports assigned by Marathon
        ports = [{"port": 0, "name": name, "labels": vip(i)} for i, name in enumerate(names(count))]
        return {"id": app_id, "cmd": "./serve --port $PORT0", "portDefinitions": ports}
    mappings = [
        {"containerPort": 8080 + i, "hostPort": 0, "servicePort": 0, "name": name, "labels": vip(i)}
        for i, name in enumerate(names(count))
    ]
    if kind < 0.95:
        if kind >= 0.90:  # a fixed host port from the agent range
            mappings = [{**mappings[0], "hostPort": next(fixed_host)}]
        elif kind >= 0.85:  # a fixed service port outside the range, held by convention
            mappings = [{**mappings[0], "servicePort": next(fixed_svc)}]
        return {
            "id": app_id,
            "networks": [{"mode": "container/bridge"}],
            "container": {
                "type": "DOCKER",
                "docker": {"image": f"registry.local/team{n % 40}/svc:{n % 7}"},
                "portMappings": mappings,
            },
        }
    for m in mappings:  # container network `dcos`: no host port
        del m["hostPort"]
    return {
        "id": app_id,
        "networks": [{"mode": "container", "name": "dcos"}],
        "container": {
            "type": "MESOS",
            "docker": {"image": "registry.local/svc:1"},
            "portMappings": mappings,
        },
    }


def _dynamic_service_ports(app: dict) -> int:
    """How many service ports of ``app`` are 0 (Marathon assigns them)."""
    definitions = app.get("portDefinitions") or []
    mappings = (app.get("container") or {}).get("portMappings") or []
    return sum(d.get("port", 0) == 0 for d in definitions) + sum(
        m.get("servicePort", 0) == 0 for m in mappings
    )


@dataclass
class Fleet:
    """Generated apps, the service ports each should be given (ascending, with gaps) and the
    free ports the gaps leave below the last one."""

    apps: list[dict]
    service_ports: list[list[int]] = field(default_factory=list)
    gaps: list[int] = field(default_factory=list)


def generate_fleet(size: int, gap_chance: float, low: int = 10000, high: int = 20000) -> Fleet:
    """``size`` apps of the mixed fleet; the first N of a larger fleet are the fleet of N."""
    rng = random.Random(SEED)
    feed = service_port_feed(rng, low, high, gap_chance)
    fixed_host = iter(rng.sample(range(31000, 32001), 1001))
    fixed_svc = iter(rng.sample(range(5000, 9000), 4000))
    fleet = Fleet(apps=[])
    for n in range(size):
        app = fleet_app(rng, n, fixed_host, fixed_svc)
        fleet.apps.append(app)
        fleet.service_ports.append([next(feed) for _ in range(_dynamic_service_ports(app))])
    held = {p for ports in fleet.service_ports for p in ports}
    fleet.gaps = [p for p in range(low, max(held, default=low)) if p not in held]
    return fleet


def preview_app() -> dict:
    """The app being composed: a Docker bridge app with 10 named ports, service ports 0."""
    mappings = []
    for i in range(10):
        mapping = {"containerPort": 8000 + i, "hostPort": 0, "servicePort": 0, "name": f"p{i}"}
        if i < 2:
            mapping["labels"] = {f"VIP_{i}": f"/bench/shop:{8000 + i}"}
        mappings.append(mapping)
    return {
        "id": "/bench/shop",
        "cmd": "./shop " + " ".join(f"--p{i} $PORT{i}" for i in range(10)),
        "networks": [{"mode": "container/bridge"}],
        "container": {
            "type": "DOCKER",
            "docker": {"image": "registry.local/shop:1"},
            "portMappings": mappings,
        },
        "env": {"LOG_LEVEL": "info"},
    }


GAP_HOLDER = "/bench/deleted/"


def load_fleet(cluster, fleet: Fleet) -> None:
    """Store ``fleet`` in ``cluster`` as one group deployment (``fleet.deploy.deploy``), holes and
    all: apps holding the gap ports are deployed with it, then deleted, as apps are in a
    long-lived cluster. Stops if any app got other service ports than generated."""
    from portplanner.fleet.deploy import deploy
    from portplanner.history.record import Actor
    from portplanner.models import App

    holders = [
        {"id": f"{GAP_HOLDER}{port}", "cmd": "./gone", "portDefinitions": [{"port": port}]}
        for port in fleet.gaps
    ]
    saved = deploy(cluster, [(None, app) for app in fleet.apps + holders], by=Actor(None, "bench"))
    for (app, result), expected in zip(saved, fleet.service_ports, strict=False):
        got = [p.service_port for p in result.ports if p.service_port_dynamic]
        if not result.valid or got != expected:
            raise SystemExit(
                f"fleet loader: {app.app_id} was given service ports {got}, not {expected}"
                f"{'' if result.valid else f' ({result.errors})'}"
            )
    del saved
    App.objects.filter(cluster=cluster, app_id__startswith=GAP_HOLDER).delete()
    settle()


def settle() -> None:
    """After writing a fleet: statistics for the query planner, as a long-lived database has
    them, and a settled heap, so that timing does not pay for the load's garbage."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    gc.collect()


def describe_fleet(cluster) -> str:
    from portplanner.models import PortAllocation, VipLabel

    policy = cluster.policy
    held = PortAllocation.objects.filter(cluster=cluster)
    in_range = held.filter(
        service_port__gte=policy.local_port_min, service_port__lte=policy.local_port_max
    )
    top = in_range.order_by("-service_port").values_list("service_port", flat=True).first()
    return (
        f"{cluster.apps.count():,} apps, {held.count():,} ports: {in_range.count():,} service "
        f"ports in {policy.local_port_min}-{top}, {held.filter(host_port__isnull=False).count()} "
        f"fixed host ports, {VipLabel.objects.filter(cluster=cluster).count()} VIPs, "
        f"{cluster.apps.filter(is_valid=False).count()} invalid apps"
    )
