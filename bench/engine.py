"""Benchmark of the Marathon port engine (``portplanner.marathon``); see bench/README.md.

Run from the repo root:  .venv/bin/python bench/engine.py [--strict] [--quick] [--profile]

It prints one table: per-call ``resolve_app`` time next to the bare jsonschema validation of the
same document, and ``check_fleet`` time over generated fleets of 1,000 and 10,000 apps. Targets are
reported as PASS/FAIL; the exit code is 0 unless ``--strict`` is given and a target fails.
"""

from __future__ import annotations

import copy
import cProfile
import gc
import platform
import pstats
import random
import statistics
import sys
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from importlib import metadata

import common
from common import GcMeter, fmt_ns

from portplanner.marathon import DEFAULT_POLICY, check_fleet, resolve_app
from portplanner.marathon.schema import VALIDATOR

RATIO_TARGET = 3.0  # resolve_app median / bare VALIDATOR.validate median, same document
FLAT_TARGET = 1.25  # check_fleet per-app time at 10,000 apps / per-app time at 1,000 apps


@dataclass(frozen=True)
class Scale:
    small_fleet: int
    large_fleet: int
    # Each round times one block per fleet size: the large fleet once, the small one large / small
    # times, so both blocks check as many apps and last about as long (other load hits them
    # alike). The order alternates between rounds; the flatness ratio is the median of the
    # per-round ratios.
    fleet_rounds: int
    single_app: common.Budget
    profile_calls: int  # resolve_app calls per cProfile (--profile)


# Single-app samples: batches of at least 0.2 ms, 3 s of timed rounds per app (200-2,000).
FULL = Scale(1_000, 10_000, 4, common.Budget(), 200)
QUICK = Scale(
    100,
    1_000,
    2,
    common.Budget(case_ns=100_000_000, min_rounds=20, max_rounds=200, warmup_ns=10_000_000),
    20,
)

clock = common.clock


# --- the two single apps ------------------------------------------------------------------------


def app_3_ports() -> dict:
    """A typical web service: Docker on the bridge network, three named mappings, one VIP."""
    return {
        "id": "/shop/web",
        "cmd": "./web --http $PORT_HTTP --admin $PORT_ADMIN --statsd $PORT_METRICS",
        "instances": 3,
        "cpus": 0.5,
        "mem": 512,
        "networks": [{"mode": "container/bridge"}],
        "container": {
            "type": "DOCKER",
            "docker": {"image": "registry.example.com/shop/web:2.14.1"},
            "portMappings": [
                {
                    "containerPort": 8080,
                    "hostPort": 0,
                    "servicePort": 0,
                    "protocol": "tcp",
                    "name": "http",
                    "labels": {"VIP_0": "/shop/web:80"},
                },
                {
                    "containerPort": 8081,
                    "hostPort": 0,
                    "servicePort": 0,
                    "protocol": "tcp",
                    "name": "admin",
                },
                {
                    "containerPort": 8125,
                    "hostPort": 0,
                    "servicePort": 0,
                    "protocol": "udp",
                    "name": "metrics",
                },
            ],
        },
        "env": {
            "LOG_LEVEL": "info",
            "JAVA_OPTS": "-Xmx384m",
            "DB_URL": "postgres://db.marathon.l4lb.thisdcos.directory:5432/shop",
        },
    }


def app_50_ports() -> dict:
    """A wide host-network app: 50 named portDefinitions, every other one fixed, some labelled."""
    definitions = []
    for i in range(50):
        definition: dict = {
            "port": 12000 + i if i % 2 == 0 else 0,
            "protocol": "udp" if i % 10 == 9 else "tcp",
            "name": f"edge-{i:02d}",
        }
        if i % 10 == 0:
            definition["labels"] = {"VIP_0": f"/gateway/edge:{8000 + i}"}
        elif i % 5 == 0:
            definition["labels"] = {"owner": "gateway", "tier": "edge"}
        definitions.append(definition)
    return {
        "id": "/gateway/edge",
        "cmd": "./edge --listen $PORTS --admin $PORT_EDGE_00",
        "instances": 2,
        "cpus": 2,
        "mem": 2048,
        "networks": [{"mode": "host"}],
        "requirePorts": False,
        "portDefinitions": definitions,
        "labels": {"HAPROXY_GROUP": "edge", "team": "gateway", "cost-center": "1234"},
        "env": {"EDGE_MODE": "proxy", "LOG_LEVEL": "warn"},
    }


# --- the fleet ----------------------------------------------------------------------------------

# Kinds of app in a generated fleet and their weights (percent). Service ports per app stay low
# (about 0.7 in-range service ports per app, fixed or dynamic), so 10,000 apps use about 70% of
# Marathon's default 10000-20000 range and DEFAULT_POLICY is used unchanged. The script stops if any
# app ran out of service ports, and prints how many were used.
FLEET_MIX = {
    "host_none": 35,  # host network, no ports at all (workers)
    "host_ports": 14,  # host network, named portDefinitions: 0, sometimes a fixed in-range port
    "bridge": 18,  # Docker bridge, named mappings, fixed and 0 service ports
    "container": 12,  # container network "dcos", mappings without hostPort
    "legacy": 10,  # `ports`, container.docker.network + docker.portMappings, ipAddress
    "outside_range": 6,  # fixed service ports outside 10000-20000
    "fixed_host": 3,  # bridge with a fixed hostPort from the agent range
    "collision": 1,  # reuses another app's fixed service port, fixed host port or VIP
    "invalid": 1,  # fails the schema or Marathon's rules (what CI exists to catch)
}


class FleetGenerator:
    """Deterministic fleet of raw app dicts; every choice comes from ``random.Random(seed)``."""

    def __init__(self, seed: int):
        self.rng = rng = random.Random(seed)
        self.kinds = list(FLEET_MIX)
        self.weights = list(FLEET_MIX.values())
        # Fixed ports are drawn without replacement so that only the "collision" apps collide.
        self.in_range = _shuffled(rng, range(15000, 20001))
        self.outside = _shuffled(rng, [*range(8000, 9000), *range(21000, 30000)])
        self.agent = _shuffled(rng, range(31000, 32001))
        self.used_service: list[int] = []
        self.used_host: list[int] = []
        self.used_vips: list[str] = []

    def fleet(self, n: int) -> list[dict]:
        return [self.app(i) for i in range(n)]

    def app(self, i: int) -> dict:
        kind = self.rng.choices(self.kinds, self.weights)[0]
        return getattr(self, f"_{kind}")(f"/team-{self.rng.randrange(40):02d}/svc-{i:05d}")

    # kinds

    def _host_none(self, app_id: str) -> dict:
        app = {
            "id": app_id,
            "cmd": f"./worker --queue jobs-{self.rng.randrange(50)}",
            "cpus": 0.25,
            "mem": 256,
            "portDefinitions": [],
            "env": {"QUEUE_URL": "amqp://rabbit.marathon.l4lb.thisdcos.directory:5672"},
        }
        if self.rng.random() < 0.5:
            app["networks"] = [{"mode": "host"}]
        return app

    def _host_ports(self, app_id: str, vip: str | None = None) -> dict:
        definitions = [
            {
                "port": 0,
                "protocol": "tcp",
                "name": "http",
                "labels": {"VIP_0": vip or self._vip(app_id)},
            }
        ]
        cmd = "./serve --port $PORT0"
        if self.rng.random() < 0.2:
            port = self._fixed_service() if self.rng.random() < 0.5 else 0
            definitions.append({"port": port, "protocol": "tcp", "name": "metrics"})
            cmd += " --metrics $PORT_METRICS"
        return {
            "id": app_id,
            "cmd": cmd,
            "cpus": 0.5,
            "mem": 512,
            "networks": [{"mode": "host"}],
            "portDefinitions": definitions,
            "labels": {"HAPROXY_GROUP": "internal"},
        }

    def _bridge(
        self, app_id: str, service_port: int | None = None, host_port: int | None = None
    ) -> dict:
        if service_port is None:
            service_port = self._fixed_service() if self.rng.random() < 0.3 else 0
        http = {
            "containerPort": 8080,
            "hostPort": host_port or 0,
            "servicePort": service_port,
            "protocol": "tcp",
            "name": "http",
            "labels": {"VIP_0": self._vip(app_id)},
        }
        mappings = [http]
        if self.rng.random() < 0.25:
            mappings.append(
                {"containerPort": 9102, "hostPort": 0, "servicePort": 0, "name": "metrics"}
            )
        app = {
            "id": app_id,
            "instances": self.rng.randint(1, 6),
            "cpus": 1,
            "mem": 1024,
            "networks": [{"mode": "container/bridge"}],
            "container": {
                "type": "DOCKER",
                "docker": {"image": self._image(app_id)},
                "portMappings": mappings,
            },
            "env": {"LOG_LEVEL": "info"},
            "labels": {"HAPROXY_GROUP": "external"},
        }
        if self.rng.random() < 0.5:
            app["cmd"] = "./run --http $PORT_HTTP"
        return app

    def _container(self, app_id: str) -> dict:
        mappings = [
            {
                "containerPort": 8080,
                "servicePort": 0,
                "name": "http",
                "labels": {"VIP_0": self._vip(app_id)},
            }
        ]
        if self.rng.random() < 0.1:
            mappings.append({"containerPort": 8443, "servicePort": 0, "name": "https"})
        container_type = "MESOS" if self.rng.random() < 0.5 else "DOCKER"
        return {
            "id": app_id,
            "cpus": 1,
            "mem": 768,
            "networks": [{"mode": "container", "name": "dcos"}],
            "container": {
                "type": container_type,
                "docker": {"image": self._image(app_id)},
                "portMappings": mappings,
            },
        }

    def _legacy(self, app_id: str) -> dict:
        form = self.rng.randrange(3)
        if form == 0:  # `ports`, rewritten as unnamed portDefinitions
            return {
                "id": app_id,
                "cmd": "python3 -m http.server $PORT0",
                "ports": [0] if self.rng.random() < 0.7 else [0, 0],
            }
        if form == 1:  # container.docker.network and docker.portMappings
            return {
                "id": app_id,
                "container": {
                    "type": "DOCKER",
                    "docker": {
                        "image": self._image(app_id),
                        "network": "BRIDGE",
                        "portMappings": [
                            {
                                "containerPort": 80,
                                "hostPort": 0,
                                "servicePort": 0,
                                "protocol": "tcp",
                            }
                        ],
                    },
                },
            }
        # ipAddress with discovery ports: a container network and an implied Mesos container.
        return {
            "id": app_id,
            "cmd": "./api --port 8080",
            "ipAddress": {
                "networkName": "dcos",
                "discovery": {"ports": [{"number": 8080, "name": "http", "protocol": "tcp"}]},
            },
        }

    def _outside_range(self, app_id: str) -> dict:
        if self.rng.random() < 0.35 and self.agent:
            # The classic requirePorts app: a fixed port from the agent range, outside 10000-20000.
            port = self._take(self.agent, self.used_host)
            return {
                "id": app_id,
                "cmd": f"./legacy-daemon --port {port}",
                "networks": [{"mode": "host"}],
                "requirePorts": True,
                "portDefinitions": [{"port": port, "protocol": "tcp", "name": "main"}],
            }
        return self._bridge(app_id, service_port=self._take(self.outside) or 0)

    def _fixed_host(self, app_id: str) -> dict:
        return self._bridge(app_id, host_port=self._take(self.agent, self.used_host))

    def _collision(self, app_id: str) -> dict:
        choices = [
            kind
            for kind, used in (
                ("service", self.used_service),
                ("host", self.used_host),
                ("vip", self.used_vips),
            )
            if used
        ]
        if not choices:
            return self._bridge(app_id)
        kind = self.rng.choice(choices)
        if kind == "service":
            return self._bridge(app_id, service_port=self.rng.choice(self.used_service))
        if kind == "host":
            return self._bridge(app_id, host_port=self.rng.choice(self.used_host))
        return self._host_ports(app_id, vip=self.rng.choice(self.used_vips))

    def _invalid(self, app_id: str) -> dict:
        if self.rng.random() < 0.5:
            app = self._host_ports(app_id)
            app["portDefinitions"][0]["name"] = "Http_Port"  # schema: port names are lowercase
            return app
        app = self._bridge(app_id)
        mappings = app["container"]["portMappings"]
        mappings.append({**mappings[0], "containerPort": 8443, "servicePort": 0, "labels": {}})
        return app  # Marathon's rule: "Port names must be unique."

    # helpers

    def _fixed_service(self) -> int:
        return self._take(self.in_range, self.used_service) or 0

    def _take(self, pool: list[int], used: list[int] | None = None) -> int | None:
        if not pool:
            return None
        port = pool.pop()
        if used is not None:
            used.append(port)
        return port

    def _vip(self, app_id: str) -> str:
        vip = f"{app_id}:80"
        self.used_vips.append(vip)
        return vip

    def _image(self, app_id: str) -> str:
        return f"registry.example.com{app_id}:{self.rng.randint(1, 40)}"


def _shuffled(rng: random.Random, values) -> list[int]:
    out = list(values)
    rng.shuffle(out)
    return out


# --- measuring ----------------------------------------------------------------------------------


@dataclass
class FleetTiming:
    size: int
    apps_with_errors: int
    ports: int
    warnings: int
    collisions: Counter
    service_ports_in_range: int
    totals: list[float] = field(default_factory=list)  # ns per timed run
    blocks: list[float] = field(default_factory=list)  # ns per app, one per round
    gc_ns: list[float] = field(default_factory=list)  # ns in the collector per run
    gc_full: list[int] = field(default_factory=list)  # full collections per run

    @property
    def total(self) -> float:
        return statistics.median(self.totals)

    @property
    def per_app(self) -> float:
        return statistics.median(self.blocks)


def summarize_fleet(size: int, result) -> FleetTiming:
    exhausted = [a.id for a in result.apps if any("already in use" in e.message for e in a.errors)]
    if exhausted:
        raise SystemExit(f"fleet generator bug: {len(exhausted)} apps ran out of service ports")
    policy = DEFAULT_POLICY
    in_range = {
        p.service_port
        for a in result.apps
        for p in a.ports
        if policy.local_port_min <= p.service_port <= policy.local_port_max
    }
    return FleetTiming(
        size=size,
        apps_with_errors=sum(not a.valid for a in result.apps),
        ports=sum(len(a.ports) for a in result.apps),
        warnings=sum(len(a.warnings) for a in result.apps),
        collisions=Counter(c.kind for c in result.collisions),
        service_ports_in_range=len(in_range),
    )


def time_block(fleet: list[dict], runs: int, timing: FleetTiming | None) -> FleetTiming:
    """``runs`` timed ``check_fleet`` calls; returns ``timing`` with this block added."""
    elapsed_block = 0
    for _ in range(runs):
        # No gc.collect() between runs: the collector keeps its own schedule, as in a long-lived
        # process. Collecting first would spare the small fleet every full collection (its
        # survivors never reach a quarter of the heap, which holds the large fleet), while the
        # large fleet pays two per run.
        with GcMeter() as meter:
            start = clock()
            result = check_fleet(fleet)
            elapsed = clock() - start
        if timing is None:
            timing = summarize_fleet(len(fleet), result)
        del result
        elapsed_block += elapsed
        timing.totals.append(elapsed)
        timing.gc_ns.append(meter.ns)
        timing.gc_full.append(meter.full)
    assert timing is not None
    timing.blocks.append(elapsed_block / (runs * len(fleet)))
    return timing


def time_fleets(
    small: list[dict], large: list[dict], rounds: int
) -> tuple[FleetTiming, FleetTiming, float]:
    """Time both fleets in ``rounds`` alternating blocks; return both and the median per-round
    ratio."""
    check_fleet(small)  # warm-up, not timed
    repeat = max(1, len(large) // len(small))
    s: FleetTiming | None = None
    g: FleetTiming | None = None
    for round_no in range(rounds):
        if round_no % 2 == 0:
            s = time_block(small, repeat, s)
            g = time_block(large, 1, g)
        else:
            g = time_block(large, 1, g)
            s = time_block(small, repeat, s)
    assert s is not None and g is not None
    ratio = statistics.median(b / a for a, b in zip(s.blocks, g.blocks, strict=True))
    return s, g, ratio


# --- profiles (--profile) -----------------------------------------------------------------------


def _where(key: tuple) -> str:
    filename, line, function = key
    for marker in ("site-packages/", f"{common.ROOT}/"):
        filename = filename.split(marker)[-1]
    return f"{filename}:{line}({function})"


def _own_times(fn: Callable[[], object], calls: int, per: int) -> dict[tuple, tuple[float, float]]:
    """Own and cumulative time per function, in ns per ``per`` (an app or a call)."""
    profiler = cProfile.Profile()
    for _ in range(calls):
        gc.collect()
        profiler.enable()
        fn()
        profiler.disable()
    stats = pstats.Stats(profiler).stats  # type: ignore[attr-defined]
    n = calls * per
    return {key: (v[2] * 1e9 / n, v[3] * 1e9 / n) for key, v in stats.items()}


def profile_call(label: str, fn: Callable[[], object], calls: int) -> str:
    times = _own_times(fn, calls, 1)
    lines = [f"\n--- cProfile: {label}, {calls} calls; times per call (profiler overhead included)"]
    lines.append("top 15 by own time:")
    for key, (own, cum) in sorted(times.items(), key=lambda kv: -kv[1][0])[:15]:
        lines.append(f"  own {fmt_ns(own):>10}  cum {fmt_ns(cum):>10}  {_where(key)}")
    lines.append("engine functions, top 10 by cumulative time:")
    engine = [kv for kv in times.items() if "portplanner/marathon" in kv[0][0]]
    for key, (own, cum) in sorted(engine, key=lambda kv: -kv[1][1])[:10]:
        lines.append(f"  own {fmt_ns(own):>10}  cum {fmt_ns(cum):>10}  {_where(key)}")
    return "\n".join(lines)


def profile_growth(small: list[dict], large: list[dict]) -> str:
    """Which functions cost more per app in the large fleet than in the small one."""
    check_fleet(small)
    a = _own_times(lambda: check_fleet(small), max(1, len(large) // len(small)), len(small))
    b = _own_times(lambda: check_fleet(large), 1, len(large))
    total_a = sum(v[0] for v in a.values())
    total_b = sum(v[0] for v in b.values())
    rows = sorted(
        ((b.get(k, (0, 0))[0] - a.get(k, (0, 0))[0], k) for k in a.keys() | b.keys()),
        reverse=True,
    )
    lines = [
        f"\n--- cProfile: check_fleet, own time per app at {len(small):,} and {len(large):,} apps "
        "(profiler overhead included)",
        f"all functions: {fmt_ns(total_a)} -> {fmt_ns(total_b)} per app",
        "top 15 by growth per app:",
    ]
    for growth, key in rows[:15]:
        own_a, own_b = a.get(key, (0, 0))[0], b.get(key, (0, 0))[0]
        lines.append(
            f"  {fmt_ns(own_a):>10} -> {fmt_ns(own_b):>10}  (+{fmt_ns(growth)})  {_where(key)}"
        )
    return "\n".join(lines)


# --- reporting ----------------------------------------------------------------------------------


def app_1000_ports_lb() -> dict:
    """The largest app the composer holds: 1,000 dynamic ports, each served by marathon-lb on a
    virtual host (two HAPROXY_<n>_* labels per port, 2,000 labels)."""
    labels = {}
    for i in range(1000):
        labels[f"HAPROXY_{i}_VHOST"] = f"edge-{i}.example.com"
        labels[f"HAPROXY_{i}_MODE"] = "http"
    return {
        "id": "/gateway/wide",
        "cmd": "./edge --listen $PORTS",
        "portDefinitions": [{"port": 0, "name": f"p{i}"} for i in range(1000)],
        "labels": labels,
    }


def check_single_app(name: str, doc: dict) -> None:
    """The single-app cases must be valid and left untouched, or the numbers mean nothing."""
    before = copy.deepcopy(doc)
    result = resolve_app(doc)
    if result.errors:
        raise SystemExit(f"{name}: the benchmark app is invalid: {result.errors}")
    if doc != before:
        raise SystemExit(f"{name}: resolve_app changed its input")
    VALIDATOR.validate(doc)


def main(argv: list[str] | None = None) -> int:
    parser = common.arguments(__doc__)
    parser.add_argument(
        "--profile",
        action="store_true",
        help="after the table, profile every case that failed (with --quick: every case)",
    )
    args = parser.parse_args(argv)
    scale = QUICK if args.quick else FULL
    gc.enable()  # as in production (it is on by default; this guards against PYTHON* tweaks)

    policy = DEFAULT_POLICY
    print(
        f"Port Planner engine benchmark: Python {platform.python_version()}, "
        f"jsonschema {metadata.version('jsonschema')}, seed {common.SEED}, gc on, DEFAULT_POLICY "
        f"(service ports {policy.local_port_min}-{policy.local_port_max})"
    )
    if args.quick:
        print(common.QUICK_BANNER)

    rows = []
    cases = [
        ("3-port bridge app", app_3_ports()),
        ("50-port host app", app_50_ports()),
        ("1,000-port lb app", app_1000_ports_lb()),
    ]
    for name, doc in cases:
        check_single_app(name, doc)
        resolve, validate = common.alternate(
            lambda doc=doc: resolve_app(doc),
            lambda doc=doc: VALIDATOR.validate(doc),
            scale.single_app,
        )
        ratio = resolve.median / validate.median
        rows.append((name, doc, resolve, validate, ratio, ratio <= RATIO_TARGET))

    # The small fleet is the first apps of the large one (same generator, same seed).
    large_fleet = FleetGenerator(common.SEED).fleet(scale.large_fleet)
    small, large, flat = time_fleets(
        large_fleet[: scale.small_fleet], large_fleet, scale.fleet_rounds
    )
    fleets = (small, large)
    flat_ok = flat <= FLAT_TARGET

    verdicts = common.Verdicts(args.quick)
    w = 36  # width of the first column
    head = f"{'case':<{w}}{'median':>11}{'p95':>11}{'ratio':>8}  {'target':<9}result"
    rule = "-" * len(head)
    print(f"\n{head}\n{rule}")
    for name, _, resolve, validate, ratio, ok in rows:
        print(f"{'resolve_app, ' + name:<{w}}{fmt_ns(resolve.median):>11}{fmt_ns(resolve.p95):>11}")
        print(f"{'bare VALIDATOR.validate, same doc':<{w}}", end="")
        print(f"{fmt_ns(validate.median):>11}{fmt_ns(validate.p95):>11}")
        print(f"{'  resolve / validate (medians)':<{w}}{'':>22}{ratio:>8.2f}  ", end="")
        print(f"{'<= ' + str(RATIO_TARGET):<9}{verdicts.judge(ok)}")
    print(rule)
    print(f"{'check_fleet':<{w}}{'total':>11}{'per app':>11}")
    for f in fleets:
        print(f"{f'  {f.size:,} apps':<{w}}{fmt_ns(f.total):>11}{fmt_ns(f.per_app):>11}")
    print(
        f"{f'  per app, {large.size:,} / {small.size:,} apps':<{w}}{'':>22}{flat:>8.2f}  ", end=""
    )
    print(f"{'<= ' + str(FLAT_TARGET):<9}{verdicts.judge(flat_ok)}")
    print(rule)

    print(
        "\nresolve rows: per-call times from interleaved samples (resolve, validate, resolve, ...)"
    )
    for name, _, resolve, validate, _, _ in rows:
        print(
            f"  {name}: {resolve.samples} samples of {resolve.batch} resolve and "
            f"{validate.batch} validate call(s)"
        )
    range_size = policy.local_port_max - policy.local_port_min + 1
    print(
        f"check_fleet rows: {scale.fleet_rounds} rounds, each timing {large.size:,} apps per size "
        "in alternating order; total = median run, per app = median round; per-round ratios "
        + ", ".join(f"{b / a:.2f}" for a, b in zip(small.blocks, large.blocks, strict=True))
        + " (median taken)"
    )
    for f in fleets:
        collisions = ", ".join(f"{n} {kind}" for kind, n in sorted(f.collisions.items())) or "none"
        in_gc = sum(f.gc_ns) / (len(f.gc_ns) * f.size)
        full = sum(f.gc_full) / len(f.gc_full)
        print(
            f"  {f.size:,} apps: {len(f.totals)} runs, per app {fmt_ns(min(f.totals) / f.size)} to "
            f"{fmt_ns(max(f.totals) / f.size)}; in gc {fmt_ns(in_gc)} per app and {full:.1f} "
            "full collections per run (means)"
        )
        print(
            f"    {f.ports:,} ports, {f.service_ports_in_range:,} of {range_size:,} in-range "
            f"service ports used, {f.apps_with_errors} invalid apps, {f.warnings:,} warnings; "
            f"collisions: {collisions}"
        )
    print(f"\noverall: {verdicts.overall()}")

    if args.profile:
        # A quick run judges nothing, so it profiles every case (make test runs this code too).
        for name, doc, _, _, _, ok in rows:
            if args.quick or not ok:
                call = lambda doc=doc: resolve_app(doc)  # noqa: E731
                print(profile_call(f"resolve_app, {name}", call, scale.profile_calls))
        if args.quick or not flat_ok:
            print(profile_growth(large_fleet[: small.size], large_fleet))
    return verdicts.exit_code(args.strict)


if __name__ == "__main__":
    sys.exit(main())
