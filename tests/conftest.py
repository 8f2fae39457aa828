"""Fixtures shared by every test package: a cluster, the composer's posted form, posts sent at
once from real threads, and the browser set-up (Debian's Chromium through Playwright)."""

import os
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from django.conf import settings

from portplanner.composer.draft import draft_from_app
from portplanner.marathon import prepare
from portplanner.models import Cluster

CHROMIUM = Path("/usr/bin/chromium")
# Debian's Chromium, since Playwright cannot download its own build here. The network flags stop
# Chromium calling home: this machine refuses those connections, many at a time.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
BROWSER_DIR = Path(__file__).parent / "browser"


def pytest_configure(config: pytest.Config) -> None:
    # Tests run with DEBUG off and no `collectstatic`, where the manifest storage would fail on
    # every `{% static %}`; plain storage serves the same files unhashed.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    # Tests make a user or two each; PBKDF2's deliberate slowness would double the suite's time.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    browser_items = []
    for item in items:
        if BROWSER_DIR in item.path.parents:
            item.add_marker(pytest.mark.browser)
        if item.get_closest_marker("browser"):
            browser_items.append(item)
    if browser_items:
        # Playwright's sync API keeps an asyncio loop in the main thread, so Django would take
        # the database work of live_server's set-up and teardown for async code and refuse it.
        os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    # Runs before fixtures, so a missing Chromium is reported before Playwright tries to start it.
    if item.get_closest_marker("browser") and not CHROMIUM.exists():
        reason = f"Chromium not found at {CHROMIUM}"
        if os.environ.get("REQUIRE_BROWSER") == "1":
            pytest.fail(f"{reason}, and REQUIRE_BROWSER=1 (apt-get install chromium)")
        pytest.skip(reason)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict) -> dict:
    return {
        **browser_type_launch_args,
        "executable_path": str(CHROMIUM),
        "args": CHROMIUM_ARGS,
    }


@pytest.fixture(scope="session")
def base_url(live_server) -> str:
    # Playwright resolves relative URLs against this, so browser tests write
    # `page.goto(reverse("home"))`. It also replaces pytest-playwright's own `base_url`, whose
    # plugin-method form pytest 9 deprecates (an error under `filterwarnings = error`).
    return live_server.url


@pytest.fixture(autouse=True)
def _empty_cache():
    """Each test starts with an empty cache: the pages' cached fragments are keyed by database
    ids, which the next test may be handed again once this one's transaction is rolled back."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture
def client(db, admin_user):
    """Django's test client, signed in as a site admin (an owner of every cluster). Tests of
    roles sign in as others (``member_client``)."""
    from django.test import Client

    signed_in = Client()
    signed_in.force_login(admin_user)
    return signed_in


@pytest.fixture
def member_client(db, cluster):
    """``member_client(role)``: a client signed in as a new user with ``role`` in ``cluster``
    (None: signed in, not a member)."""
    from django.contrib.auth import get_user_model
    from django.test import Client

    from portplanner.models import Membership

    def make(role, name: str | None = None):
        user = get_user_model().objects.create_user(name or f"user-{role or 'none'}", password="x")
        if role is not None:
            Membership.objects.create(cluster=cluster, user=user, role=role)
        signed_in = Client()
        signed_in.force_login(user)
        signed_in.user = user
        return signed_in

    return make


@pytest.fixture
def signed_in() -> Callable:
    """``signed_in(user)``: a browser of ``user``'s, on its own database connection when used from
    a thread, whose requests answer server errors rather than raise them."""
    from django.test import Client

    def browser(user):
        client = Client(raise_request_exception=False)
        client.force_login(user)
        return client

    return browser


@pytest.fixture
def run_together(signed_in) -> Callable:
    """``run_together(posts, user)``: POST each (url, data) from its own thread and client (signed
    in as ``user``), all released at once; the answers (server errors included) in order. For
    tests marked ``django_db(transaction=True)``, so that the threads see each other's writes."""
    from django.db import connections

    def run(posts: list[tuple[str, dict]], user) -> list:
        barrier = threading.Barrier(len(posts))
        clients = [signed_in(user) for _ in posts]

        def post(item):
            client, (url, data) = item
            try:
                barrier.wait()
                return client.post(url, data)
            finally:
                connections.close_all()  # this thread's connection, before the test flushes tables

        with ThreadPoolExecutor(len(posts)) as pool:
            return list(pool.map(post, zip(clients, posts, strict=True)))

    return run


@pytest.fixture
def cluster(db) -> Cluster:
    """An empty cluster named prod with Marathon's default policy."""
    return Cluster.objects.create(name="prod")


def composer_post(app: dict, **extra) -> dict:
    """What the browser posts for ``app`` (every field of the composer's forms), plus any
    ``extra`` fields. bench/load.py posts the same."""
    draft = draft_from_app(prepare(app).app)
    data = {k: v for k, v in draft.app.items() if k != "require_ports"}
    if draft.app["require_ports"]:
        data["require_ports"] = "on"
    rows_of = {
        "ports": draft.ports,
        "env": draft.env,
        "health": draft.health,
        "readiness": draft.readiness,
    }
    for prefix, rows in rows_of.items():
        data[f"{prefix}-TOTAL_FORMS"] = str(len(rows))
        data[f"{prefix}-INITIAL_FORMS"] = "0"
        for i, row in enumerate(rows):
            for key, value in row.items():
                data[f"{prefix}-{i}-{key}"] = value
    data.update(extra)
    return data


@pytest.fixture
def composer_form() -> Callable[..., dict]:
    """``composer_form(app, action="save")``: ``composer_post``."""
    return composer_post
