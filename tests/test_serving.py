"""Serving for a team: what refuses to start and why, the probes, the security headers, the
logs; and `make serve` started for real (gunicorn, DEBUG off, collected static files), saving an
app through the form."""

import http.cookiejar
import logging
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request

import pytest
from django.conf import settings
from django.test import RequestFactory
from django.urls import reverse

from portplanner.logs import RequestContextFilter
from portplanner.serving import is_loopback

REPO = settings.BASE_DIR
SECRET = "test-" + "x" * 50
# What a server's environment would not have, and the browser tests' async switch.
SETTINGS_ENV = {
    "DJANGO_DEBUG",
    "DJANGO_SECRET_KEY",
    "DJANGO_ALLOWED_HOSTS",
    "DJANGO_STATIC_ROOT",
    "DJANGO_ALLOW_ASYNC_UNSAFE",
}


def run_python(code: str, **env: str) -> subprocess.CompletedProcess[str]:
    """Run ``code`` in a fresh interpreter with the settings from ``env``, as a server would."""
    clean = {k: v for k, v in os.environ.items() if k not in SETTINGS_ENV}
    return subprocess.run(
        [sys.executable, "-c", code],
        env={**clean, "DJANGO_SETTINGS_MODULE": "portplanner.settings", **env},
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


LOAD_WSGI = "import portplanner.wsgi"


def test_serving_without_a_secret_key_refuses_to_start(tmp_path):
    result = run_python(LOAD_WSGI, DJANGO_STATIC_ROOT=str(tmp_path))
    assert result.returncode != 0
    assert "Port Planner will not serve" in result.stderr
    assert "DJANGO_SECRET_KEY is not set" in result.stderr


def test_serving_without_collected_static_files_refuses_to_start(tmp_path):
    result = run_python(LOAD_WSGI, DJANGO_SECRET_KEY=SECRET, DJANGO_STATIC_ROOT=str(tmp_path))
    assert result.returncode != 0
    assert "No static files in" in result.stderr and "collectstatic" in result.stderr


def test_runserver_with_debug_beyond_loopback_refuses_to_start():
    result = subprocess.run(
        [sys.executable, "manage.py", "runserver", "0.0.0.0:0", "--noreload"],
        env={**os.environ, "DJANGO_DEBUG": "1"},
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode != 0
    assert "DJANGO_DEBUG is on and the server would listen on 0.0.0.0:0" in result.stderr


def test_settings_with_unknown_debug_value_fail_fast():
    result = run_python("import django; django.setup()", DJANGO_DEBUG="fasle")
    assert result.returncode != 0
    assert "ImproperlyConfigured: DJANGO_DEBUG must be one of" in result.stderr


def test_the_command_line_needs_no_secret_key():
    # A CI pipeline runs `portplan check`; it serves nothing and signs nothing.
    result = subprocess.run(
        [sys.executable, "manage.py", "portplan", "check", "-"],
        input='{"id": "/web", "cmd": "run", "portDefinitions": [{"port": 0}]}',
        env={k: v for k, v in os.environ.items() if k not in SETTINGS_ENV},
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize(
    ("address", "loopback"),
    [
        ("127.0.0.1:8000", True),
        ("127.1.2.3:80", True),
        ("[::1]:8000", True),
        ("localhost:8000", True),
        ("unix:/run/portplanner.sock", True),
        ("0.0.0.0:8000", False),
        ("[::]:8000", False),
        ("10.0.0.5:8000", False),
        ("ports.example.com:8000", False),
    ],
)
def test_is_loopback(address, loopback):
    assert is_loopback(address) is loopback


def test_readyz_says_ready_when_the_database_is_migrated(client, db):
    response = client.get(reverse("readyz"))
    assert (response.status_code, response.content) == (200, b"ready")


def test_healthz_touches_nothing(client):
    # No database access is allowed here: a query would fail the test.
    assert client.get(reverse("healthz")).content == b"ok"


def test_every_page_carries_the_security_headers(client, db):
    response = client.get(reverse("home"))
    policy = response["Content-Security-Policy"]
    assert "script-src 'self';" in policy and "style-src 'self';" in policy
    assert "frame-ancestors 'none'" in policy and "'unsafe-inline'" not in policy
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    # Nothing inline for the policy to block: no <script> body, no style attribute.
    html = response.content.decode()
    assert not re.search(r"<script(?![^>]*\bsrc=)(?![^>]*application/json)[^>]*>", html)
    assert " style=" not in html and "<style" not in html


def test_log_lines_about_a_request_say_which_and_its_answer():
    request = RequestFactory().get("/clusters/nope/?q=1")
    record = logging.LogRecord("django.request", logging.WARNING, "", 0, "Not Found", (), None)
    record.request, record.status_code = request, 404
    RequestContextFilter().filter(record)
    assert record.request_context == " [GET /clusters/nope/?q=1 -> 404 by anonymous]"


# --- make serve, for real --------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Browser:
    """Just enough of a browser for a form: cookies, the CSRF token, no redirects followed."""

    def __init__(self, base: str):
        self.base = base
        self.cookies = http.cookiejar.CookieJar()
        no_redirects = type("NoRedirects", (urllib.request.HTTPRedirectHandler,), {})
        no_redirects.redirect_request = lambda *args, **kwargs: None
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.cookies), no_redirects
        )

    def get(self, path: str) -> tuple[int, str]:
        return self._open(urllib.request.Request(self.base + path))

    def post(self, path: str, data: dict) -> tuple[int, str]:
        token = next(c.value for c in self.cookies if c.name == "csrftoken")
        body = urllib.parse.urlencode({**data, "csrfmiddlewaretoken": token}).encode()
        return self._open(urllib.request.Request(self.base + path, body, {"Referer": self.base}))

    def _open(self, request) -> tuple[int, str]:
        try:
            with self.opener.open(request, timeout=30) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode()


def wait_ready(browser: Browser, server: subprocess.Popen, seconds: float = 90) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        assert server.poll() is None, "make serve stopped"
        try:
            if browser.get("/readyz") == (200, "ready"):
                return
        except OSError:
            pass
        time.sleep(0.3)
    raise AssertionError(f"/readyz did not answer 'ready' within {seconds} s")


def test_make_serve_serves_the_production_path_and_saves_an_app(tmp_path):
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k not in SETTINGS_ENV | {"DATABASE_URL"}}
    env.update(
        DJANGO_SECRET_KEY=SECRET,
        DATABASE_URL=f"sqlite:///{tmp_path / 'serve.sqlite3'}",
        DJANGO_STATIC_ROOT=str(tmp_path / "static"),
        PORT=str(port),
        WEB_CONCURRENCY="2",
    )
    # The README's first-run steps for a team: the database, then the first admin.
    for command in (["migrate", "--noinput"], ["createsuperuser", "--noinput"]):
        subprocess.run(
            [sys.executable, "manage.py", *command],
            cwd=REPO,
            env={
                **env,
                "DJANGO_SUPERUSER_USERNAME": "admin",
                "DJANGO_SUPERUSER_PASSWORD": "first-admin-password",
                "DJANGO_SUPERUSER_EMAIL": "admin@example.com",
            },
            check=True,
            capture_output=True,
            timeout=120,
        )
    server = subprocess.Popen(
        ["make", "--no-print-directory", "serve"],
        cwd=REPO,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    browser = Browser(f"http://127.0.0.1:{port}")
    try:
        wait_ready(browser, server)
        assert browser.get("/")[0] == 302  # to the sign-in page
        browser.get("/accounts/login/")
        signed_in = {"username": "admin", "password": "first-admin-password"}
        assert browser.post("/accounts/login/", signed_in)[0] == 302
        status, home = browser.get("/")
        assert status == 200 and "<h1>Port Planner</h1>" in home
        assert "Signed in as <strong>admin</strong>" in home
        assert "/static/css/app." in home  # hashed by the manifest storage
        browser.get("/clusters/new/")
        cluster = {
            "name": "prod",
            "local_port_min": "10000",
            "local_port_max": "20000",
            "agent_port_ranges": "31000-32000",
            "reserved_ports": "80,443",
            "mesos_bridge_name": "mesos-bridge",
        }
        assert browser.post("/clusters/new/", cluster)[0] == 302
        app = {
            "app_id": "/shop/web",
            "cmd": "./web --port $PORT0",
            "network_mode": "host",
            "ports-TOTAL_FORMS": "1",
            "ports-0-protocol": "tcp",
            "ports-0-service_port": "",
            "env-TOTAL_FORMS": "0",
            "action": "save",
        }
        status, _ = browser.post("/clusters/prod/apps/new/", app)
        assert status == 302
        status, apps = browser.get("/clusters/prod/")
        assert status == 200 and "/shop/web" in apps and "<code>10000</code>" in apps
        assert browser.get("/clusters/nope/")[0] == 404
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        output = server.communicate(timeout=30)[0]
    assert "Booting worker" in output
    # Requests to stdout (gunicorn's access log), refused ones with their context (Django's).
    assert '"POST /clusters/prod/apps/new/ HTTP/1.1" 302' in output
    assert "Not Found: /clusters/nope/ [GET /clusters/nope/ -> 404 by admin]" in output


def test_check_deploy_is_clean_in_the_production_settings():
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        env={
            **{k: v for k, v in os.environ.items() if k not in SETTINGS_ENV},
            "DJANGO_SECRET_KEY": SECRET,
            "DJANGO_HTTPS": "1",
            "DJANGO_ALLOWED_HOSTS": "ports.example.com",
        },
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout
