"""Load benchmark of the production path: gunicorn with N workers (portplanner/gunicorn.conf.py,
DEBUG off, as `make serve` runs it) on PostgreSQL, a cluster of 10,000 apps, and many clients
at once.

Run from the repo root:  .venv/bin/python bench/load.py [--strict] [--quick] [--workers N]

In one run:
1. one client posts live previews of a 10-port bridge app (what the composer sends on a
   keystroke), back to back: the previews per second one worker gives;
2. 50 clients post the same previews for 30 s: throughput, latency, errors;
3. the same 50 clients on /healthz for 10 s: what routing and middleware alone allow;
4. 20 clients save 20 new apps at once, 3 dynamic service ports each: every save must answer
   and no service port may end up with two apps.

Scaling efficiency = previews/s under load / (min(workers, cores) x one client's previews/s):
1.0 when every core previews as fast as one client alone sees it, so no lock or per-request
set-up serializes previews. Targets: 0 errors, efficiency >= 0.7, 0 shared service ports.

The clients are threads of this process with keep-alive connections (http.client); they take a
little CPU from the server's cores, so efficiency reads slightly low on a small machine.

PostgreSQL: a fresh database `portplanner_bench` on the server of --admin-url (default
postgres://postgres@127.0.0.1:5432/postgres), dropped at the end. --quick uses a SQLite file,
200 apps, 2 workers, 5 clients and seconds-long phases instead: it shows the script runs.
"""

from __future__ import annotations

import http.client
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.parse
from dataclasses import dataclass, field

import common

ADMIN_URL = "postgres://postgres@127.0.0.1:5432/postgres"
BENCH_DB = "portplanner_bench"


@dataclass(frozen=True)
class Scale:
    fleet: int
    clients: int
    preview_seconds: float
    healthz_seconds: float
    single_seconds: float
    savers: int


FULL = Scale(fleet=10_000, clients=50, preview_seconds=30, healthz_seconds=10, single_seconds=8,
             savers=20)  # fmt: skip
QUICK = Scale(fleet=200, clients=5, preview_seconds=2, healthz_seconds=1, single_seconds=1,
              savers=5)  # fmt: skip
EFFICIENCY_TARGET = 0.7


def postgres_database(admin_url: str) -> str:
    """A fresh benchmark database on the server of ``admin_url``; its URL. Dropped at exit."""
    import atexit

    import psycopg

    def run(sql: str) -> None:
        with psycopg.connect(admin_url, autocommit=True) as conn:
            conn.execute(sql)

    run(f"DROP DATABASE IF EXISTS {BENCH_DB} WITH (FORCE)")
    run(f"CREATE DATABASE {BENCH_DB}")
    atexit.register(run, f"DROP DATABASE IF EXISTS {BENCH_DB} WITH (FORCE)")
    parts = urllib.parse.urlsplit(admin_url)
    return urllib.parse.urlunsplit(parts._replace(path=f"/{BENCH_DB}"))


# --- the server --------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_server(workers: int, port: int) -> subprocess.Popen:
    """gunicorn as `make serve` starts it, against the database this process set up."""
    env = {**os.environ, "BIND": f"127.0.0.1:{port}", "WEB_CONCURRENCY": str(workers)}
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    gunicorn = os.path.join(os.path.dirname(sys.executable), "gunicorn")
    return subprocess.Popen(
        [gunicorn, "-c", "portplanner/gunicorn.conf.py", "--access-logfile", "/dev/null"],
        cwd=common.ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )


def wait_ready(port: int, server: subprocess.Popen, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"gunicorn stopped:\n{server.stderr.read()}")
        try:
            status, body = Client(port).request("GET", "/readyz")
            if status == 200:
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise SystemExit("gunicorn did not become ready")


def stop_server(server: subprocess.Popen) -> None:
    os.killpg(server.pid, signal.SIGTERM)
    server.wait(30)


# --- the clients -------------------------------------------------------------------------------


USER, PASSWORD = "bench-user", "bench-password"


class Client:
    """One browser: a keep-alive connection and its cookies (CSRF token, session)."""

    def __init__(self, port: int):
        self.port = port
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        self.cookies: dict[str, str] = {}

    @property
    def csrf(self) -> str:
        return self.cookies.get("csrftoken", "")

    def sign_in(self) -> None:
        self.request("GET", "/accounts/login/")
        body = urllib.parse.urlencode({"username": USER, "password": PASSWORD}).encode()
        status, _ = self.request("POST", "/accounts/login/", body, FORM)
        assert status == 302, f"sign-in answered {status}"

    def request(self, method: str, path: str, body: bytes | None = None, headers=None):
        headers = dict(headers or {})
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if self.csrf:
            headers["X-CSRFToken"] = self.csrf
        try:
            self.connection.request(method, path, body, headers)
            response = self.connection.getresponse()
            data = response.read()
        except (OSError, http.client.HTTPException):
            self.connection.close()  # reconnect on the next request
            raise
        for value in response.headers.get_all("Set-Cookie") or ():
            if match := re.match(r"(csrftoken|sessionid)=([^;]*)", value):
                self.cookies[match.group(1)] = match.group(2)
        return response.status, data

    def open_page(self, path: str) -> None:
        if "sessionid" not in self.cookies:
            self.sign_in()
        status, _ = self.request("GET", path)
        assert status == 200, (path, status)


FORM = {"Content-Type": "application/x-www-form-urlencoded"}


def composer_body(app: dict, **extra: str) -> bytes:
    """What the composer posts for ``app`` (its forms' fields), urlencoded: the tests' own post
    (tests/conftest.py). Django must be set up."""
    from tests.conftest import composer_post

    return urllib.parse.urlencode(composer_post(app, **extra)).encode()


@dataclass
class Phase:
    """What a phase's clients saw: per-request latencies (s), errors, wall time."""

    latencies: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def rate(self) -> float:
        return len(self.latencies) / self.seconds if self.seconds else 0.0

    def quantile(self, pct: float) -> float:
        return common.percentile(self.latencies, pct) * 1000 if self.latencies else 0.0


def hammer(clients: list[Client], method: str, path: str, body, headers, seconds: float) -> Phase:
    """Every client sends the request back to back for ``seconds``, all starting together."""
    phase = Phase()
    lock = threading.Lock()
    start_line = threading.Barrier(len(clients) + 1)
    deadline = [0.0]

    def run(client: Client) -> None:
        start_line.wait()
        latencies, errors = [], []
        while time.perf_counter() < deadline[0]:
            started = time.perf_counter()
            try:
                status, _ = client.request(method, path, body, headers)
            except (OSError, http.client.HTTPException) as exc:
                errors.append(type(exc).__name__)
                continue
            latencies.append(time.perf_counter() - started)
            if status != 200:
                errors.append(f"HTTP {status}")
        with lock:
            phase.latencies += latencies
            phase.errors += errors

    threads = [threading.Thread(target=run, args=(client,)) for client in clients]
    for thread in threads:
        thread.start()
    deadline[0] = time.perf_counter() + seconds
    began = time.perf_counter()
    start_line.wait()
    for thread in threads:
        thread.join()
    phase.seconds = time.perf_counter() - began
    return phase


def save_together(port: int, cluster: str, count: int) -> list[int]:
    """``count`` clients save a new app each at the same moment; their answers' statuses."""
    clients = [Client(port) for _ in range(count)]
    for client in clients:
        client.open_page(f"/clusters/{cluster}/apps/new/")
    bodies = [
        composer_body(
            {"id": f"/load/saver-{i:02d}", "cmd": "./run", "portDefinitions": [{"port": 0}] * 3},
            action="save",
        )
        for i in range(count)
    ]
    statuses = [0] * count
    start_line = threading.Barrier(count)

    def save(i: int) -> None:
        start_line.wait()
        try:
            statuses[i], _ = clients[i].request(
                "POST", f"/clusters/{cluster}/apps/new/", bodies[i], FORM
            )
        except (OSError, http.client.HTTPException):
            statuses[i] = -1

    threads = [threading.Thread(target=save, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return statuses


def shared_service_ports(cluster_name: str) -> int:
    from django.db.models import Count

    from portplanner.models import PortAllocation

    return (
        PortAllocation.objects.filter(cluster__name=cluster_name, service_port__isnull=False)
        .values("service_port")
        .annotate(apps=Count("app", distinct=True))
        .filter(apps__gt=1)
        .count()
    )


def main() -> int:
    parser = common.arguments(__doc__)
    parser.add_argument("--workers", type=int, help="gunicorn workers (default: the config's)")
    parser.add_argument("--admin-url", default=ADMIN_URL, help="a PostgreSQL server to use")
    args = parser.parse_args()
    scale = QUICK if args.quick else FULL
    cores = os.cpu_count() or 1
    workers = args.workers or (2 if args.quick else 2 * cores + 1)

    database_url = None if args.quick else postgres_database(args.admin_url)
    common.setup_django(database_url)
    common.migrate(static=True)
    from django.contrib.auth import get_user_model
    from django.db import connections

    from portplanner.models import Cluster

    cluster = Cluster.objects.create(name="bench")
    get_user_model().objects.create_superuser(USER, password=PASSWORD)
    common.load_fleet(cluster, common.generate_fleet(scale.fleet, common.GAP_CHANCE))
    fleet = common.describe_fleet(cluster)
    connections.close_all()  # the server's workers take the database from here

    port = free_port()
    server = start_server(workers, port)
    try:
        wait_ready(port, server)
        preview = f"/clusters/{cluster.name}/apps/new/preview/"
        body = composer_body(common.preview_app())
        headers = {**FORM, "HX-Request": "true"}

        def clients(n: int) -> list[Client]:
            made = [Client(port) for _ in range(n)]
            for client in made:
                client.open_page(f"/clusters/{cluster.name}/apps/new/")
            return made

        hammer(clients(workers), "POST", preview, body, headers, 1.0)  # warm every worker
        single = hammer(clients(1), "POST", preview, body, headers, scale.single_seconds)
        many = clients(scale.clients)
        loaded = hammer(many, "POST", preview, body, headers, scale.preview_seconds)
        healthz = hammer(many, "GET", "/healthz", None, {}, scale.healthz_seconds)
        statuses = save_together(port, cluster.name, scale.savers)
    finally:
        stop_server(server)
    shared = shared_service_ports(cluster.name)

    verdicts = common.Verdicts(args.quick)
    engine = "SQLite (a fresh file)" if args.quick else "PostgreSQL (a fresh database)"
    print(f"Port Planner load benchmark: gunicorn, {workers} workers, {cores} cores, {engine}")
    print(f"Fleet: {fleet}")
    if args.quick:
        print(common.QUICK_BANNER)
    print()
    print(f"{'phase':<34} {'clients':>7} {'req/s':>8} {'p50':>8} {'p95':>8} {'p99':>8} errors")
    print("-" * 86)
    for name, phase, count in (
        ("one client, live previews", single, 1),
        ("live previews under load", loaded, scale.clients),
        ("/healthz under load", healthz, scale.clients),
    ):
        print(
            f"{name:<34} {count:>7} {phase.rate:>8.1f} {phase.quantile(50):>6.1f}ms "
            f"{phase.quantile(95):>6.1f}ms {phase.quantile(99):>6.1f}ms {len(phase.errors)}"
        )
    print()
    errors = single.errors + loaded.errors + healthz.errors
    efficiency = loaded.rate / (min(workers, cores) * single.rate) if single.rate else 0.0
    saved = sum(status == 302 for status in statuses)
    print(f"errors: {len(errors)} {sorted(set(errors))[:5]}: {verdicts.judge(not errors)}")
    print(
        f"scaling efficiency: {loaded.rate:.1f} / ({min(workers, cores)} x {single.rate:.1f}) = "
        f"{efficiency:.2f} (target >= {EFFICIENCY_TARGET}): "
        f"{verdicts.judge(efficiency >= EFFICIENCY_TARGET)}"
    )
    print(
        f"{scale.savers} saves at once: {saved} saved, statuses {sorted(set(statuses))}, "
        f"{shared} service ports held by two apps: "
        f"{verdicts.judge(shared == 0 and saved == scale.savers)}"
    )
    print(f"overall: {verdicts.overall()}")
    return verdicts.exit_code(args.strict)


if __name__ == "__main__":
    sys.exit(main())
