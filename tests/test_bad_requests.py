"""Whatever a request carries, the answer is a page or a 4xx, never a server error: seeded random
posts and queries of odd values (huge numbers, control characters, JSON fragments, other fields'
words) to every URL; the last test fails when a URL is added without being sent them. Each server
error found here was a real bug once: a newline in a download's file name, an unreadable saved
draft behind a failed JSON load, a search for a number no database integer holds, a port name
longer than a varchar."""

import html
import random

import pytest
from django.urls import URLPattern, get_resolver, reverse

from portplanner.fleet.deploy import save_app
from portplanner.history.record import Actor
from portplanner.models import ChangeRequest, Cluster, Revision
from portplanner.review.requests import open_request, propose

BY = Actor(None, "test")

pytestmark = pytest.mark.django_db

ODD_VALUES = [
    "",
    "0",
    "-1",
    "3",
    "99999999999999999999",
    "1e400",
    "NaN",
    "abc",
    "\x00",
    "a=b\nc",
    '"quoted"',
    "🙂",
    "a" * 3000,
    "{",
    "[]",
    "{}",
    '{"x": 1}',
    '{"id": "/x", "portDefinitions": 5}',
    "null",
    "10000-",
    "1-2-3",
    "65536",
    "9" * 30 + "-" + "9" * 30,
    # Digits int() refuses though str.isdigit() takes them; digits it takes though they are not
    # ASCII; more digits than int() converts (4,300).
    "²",
    "10²",
    "１２３",
    "1" * 5000,
    # JSON nested deeper than Python's recursion limit, and JSON of the wrong shape in places.
    "[" * 100_000 + "]" * 100_000,
    '{"a":' * 50_000 + "1" + "}" * 50_000,
    '{"container": "x"}',
    '{"container": {"docker": "x", "portMappings": "y"}, "env": [1]}',
    '{"labels": {"VIP_0": "' + "v" * 4000 + ':80"}}',
    '{"id": "/x\u0000y", "portDefinitions": [{"port": 0, "name": "a\u0000"}]}',
    "/x\x00y",
    "v" * 4000 + ":80",
]
COMPOSER_FIELDS = [
    "app_id", "cmd", "args", "container_type", "image", "network_mode", "network_names",
    "require_ports", "base", "version", "json", "json_shown", "action", "ports-TOTAL_FORMS",
    "env-TOTAL_FORMS", "env-0-name", "env-0-value",
    *(f"ports-0-{name}" for name in (
        "container_port", "host_port_mode", "host_port", "service_port", "protocol", "name",
        "labels", "vip", "vip_label", "extra", "network_names",
    )),
]  # fmt: skip
COMPOSER_WORDS = [
    "host", "container/bridge", "container", "DOCKER", "MESOS", "random", "fixed", "none",
    "tcp,udp", "save", "overwrite", "load_json", "show_json", "download", "add_port",
    "remove_port:0", "remove_port:99", "set_service_port:0:10000", "set_service_port:x:y",
    "add_env", "remove_env:0", "VIP_0", "/a:80",
]  # fmt: skip
FLEET_FIELDS = [
    "q", "status", "network", "sort", "page", "format", "dynamic", "acknowledge", "action",
    "pending", "json", "name", "description", "local_port_min", "local_port_max",
    "agent_port_ranges", "reserved_ports", "default_network_name", "mesos_bridge_name",
    "env_vars_prefix",
]  # fmt: skip
FLEET_WORDS = ["valid", "draft", "collisions", "host", "port", "warnings", "id", "zip", "group"]
# The pages of the team: accounts and members, history, change requests, deleting.
TEAM_FIELDS = [
    "a", "b", "action", "app", "app_id", "approvals_needed", "confirm", "description",
    "emergency", "message", "name", "new_password1", "new_password2", "next", "old_password",
    "page", "password", "port_label", "reason", "request", "requires_review", "role", "since",
    "text", "title", "until", "user", "username", "webhook_url",
]  # fmt: skip
TEAM_WORDS = [
    "approve", "changes", "apply", "close", "comment", "edit", "withdraw:1", "withdraw:x",
    "propose", "restore", "add", "role:1", "remove:1", "remove:x", "10", "20", "40", "port 0",
    "/x", "2026-11-28", "1", "on", "admin", "http://127.0.0.1:1/hook",
]  # fmt: skip
# The URLs each test below sends odd requests, by name; the last test checks that together
# they are every URL but these, which take no input (tests/test_serving.py sends them requests).
COMPOSER_URLS = ["app_new", "app_preview_new", "app_edit", "app_preview"]
FLEET_URLS = [
    "home", "cluster_new", "cluster_apps", "cluster_collisions", "cluster_port_map",
    "cluster_settings", "cluster_import", "cluster_export", "app_export",
]  # fmt: skip
TEAM_URLS = [
    "login", "password_change", "password_change_done", "cluster_members",
    "cluster_review_settings", "cluster_delete", "cluster_activity", "app_history",
    "revision_detail", "app_delete", "request_list", "request_detail", "request_group",
]  # fmt: skip
NOT_FUZZED = {"healthz", "readyz", "logout"}  # logout: sent odd posts last, on its own


@pytest.fixture
def app():
    cluster = Cluster.objects.create(name="prod")
    saved, _ = save_app(
        cluster, {"id": "/x", "cmd": "run", "portDefinitions": [{"port": 0}]}, by=BY
    )
    return saved


@pytest.fixture
def urls(app, admin_user):
    """``urls(names)``: each URL of ``names`` in the cluster prod, for its app /x, /x's first
    revision and the open request #1 (proposing /y)."""
    request = open_request(app.cluster, admin_user, "a request")
    propose(request, admin_user, None, {"id": "/y", "cmd": "run", "ports": [0]})
    revision = Revision.objects.get(app_id="/x")
    patterns = {p.name: p.pattern for p in get_resolver().url_patterns if isinstance(p, URLPattern)}
    given = {"cluster": "prod", "app_id": "x", "number": request.number}

    def made(names: list[str]) -> list[str]:
        found = []
        for name in names:
            pk = revision.pk if name == "revision_detail" else app.pk
            args = {**given, "pk": pk}
            found.append(reverse(name, kwargs={k: args[k] for k in patterns[name].converters}))
        return found

    return made


def send_odd_requests(client, urls, fields, words, *, count, seed):
    """``count`` requests of random odd values; the server errors among them, each as (method,
    URL, the exception's last line)."""
    client.raise_request_exception = False
    rng = random.Random(seed)
    values = ODD_VALUES + words
    errors = []
    for _ in range(count):
        data = {k: rng.choice(values) for k in rng.sample(fields, rng.randint(1, len(fields)))}
        url, method = rng.choice(urls), rng.choice([client.get, client.post])
        response = method(url, data, headers={"HX-Request": rng.choice(["true", "false"])})
        if response.status_code >= 500:
            errors.append((method.__name__, url, repr(getattr(response, "exc_info", None))))
    return errors


def test_composer_answers_odd_posts_without_a_server_error(client, urls):
    urls = urls(COMPOSER_URLS)
    # Odd "save" posts on the edit URL turn /x into drafts of all kinds, some unreadable.
    assert send_odd_requests(client, urls, COMPOSER_FIELDS, COMPOSER_WORDS, count=150, seed=1) == []


def test_fleet_pages_answer_odd_queries_without_a_server_error(client, urls):
    urls = urls(FLEET_URLS)
    urls += [
        "/clusters/prod/apps/99999999999999999999999/",
        "/clusters/prod/apps/99999999999999999999999/export/",
    ]
    assert send_odd_requests(client, urls, FLEET_FIELDS, FLEET_WORDS, count=400, seed=2) == []


def test_each_odd_value_in_each_field_of_a_live_preview_is_answered(client, app, composer_form):
    """One odd value at a time in an otherwise good form, so each lands where it matters (the
    random posts above mostly break a form in several places at once)."""
    client.raise_request_exception = False
    url = reverse("app_preview", args=["prod", app.pk])
    good = composer_form(
        {"id": "/x", "cmd": "run", "portDefinitions": [{"port": 0, "labels": {"VIP_0": "/x:80"}}]}
    )
    good["env-TOTAL_FORMS"] = "1"
    fields = ["app_id", "base", "version", "json", "action", "ports-TOTAL_FORMS", "env-0-name"]
    fields += [f"ports-0-{name}" for name in ("service_port", "vip", "labels", "extra", "name")]
    errors = []
    for field in fields:
        for value in ODD_VALUES:
            response = client.post(url, {**good, field: value})
            if response.status_code >= 500:
                errors.append((field, value[:40]))
    assert errors == []


def test_each_odd_value_in_the_app_list_query_is_answered(client, app):
    client.raise_request_exception = False
    url = reverse("cluster_apps", args=["prod"])
    errors = [
        (field, value[:40])
        for field in ("q", "status", "network", "sort", "page")
        for value in ODD_VALUES
        if client.get(url, {field: value}).status_code >= 500
    ]
    assert errors == []


def test_team_pages_answer_odd_requests_without_a_server_error(client, urls):
    urls = urls(TEAM_URLS)
    urls += ["/clusters/prod/revisions/99999999999999999999999/", "/clusters/prod/history/"]
    assert send_odd_requests(client, urls, TEAM_FIELDS, TEAM_WORDS, count=400, seed=3) == []
    # Last: signing out ends the session the others need.
    logout = [reverse("logout")]
    assert send_odd_requests(client, logout, TEAM_FIELDS, TEAM_WORDS, count=20, seed=4) == []


def test_text_that_cannot_be_stored_is_refused_whole_naming_its_field(
    client, app, admin_user, composer_form
):
    """A NUL character (PostgreSQL refuses it) or more than the field holds, in each text field
    people type into: a 400 page that names the field and what to do, and nothing saved."""
    client.raise_request_exception = False
    request = open_request(app.cluster, admin_user, "a request")
    revision = Revision.objects.get(app_id="/x")
    payload = '[{"id": "/y", "cmd": "run"}]'
    policy = {"local_port_min": "10000", "local_port_max": "20000", "action": "apply"}
    form = composer_form({"id": "/x", "cmd": "run", "portDefinitions": [{"port": 0}]})
    at = {name: reverse(name, args=["prod"]) for name in ("request_list", "cluster_import")}
    detail = reverse("request_detail", args=["prod", request.number])
    posts = [
        (at["request_list"], "title", {}),
        (at["request_list"], "description", {"title": "t"}),
        (detail, "text", {"action": "comment"}),
        (detail, "title", {"action": "edit"}),
        (reverse("revision_detail", args=["prod", revision.pk]), "message", {}),
        (reverse("app_delete", args=["prod", app.pk]), "message", {}),
        (at["cluster_import"], "message", {"payload": payload, "action": "commit"}),
        (reverse("cluster_settings", args=["prod"]), "message", policy),
        (reverse("app_edit", args=["prod", app.pk]), "message", {**form, "action": "save"}),
        (reverse("app_new", args=["prod"]), "reason", {**form, "emergency": "1"}),
    ]
    revisions = Revision.objects.count()
    for value in ("bad\x00text", "x" * 20_000):
        for url, field, data in posts:
            response = client.post(url, {**data, field: value})
            assert response.status_code == 400, (url, field)
            page = html.unescape(response.content.decode())
            assert f'The field "{field}" holds' in page, (url, field)
    assert Revision.objects.count() == revisions
    assert list(app.cluster.apps.values_list("app_id", "version")) == [("/x", 1)]
    assert request.comments.count() == 0 and ChangeRequest.objects.count() == 1
    assert ChangeRequest.objects.get().title == "a request"


def test_every_url_is_sent_odd_requests():
    names = {p.name for p in get_resolver().url_patterns if isinstance(p, URLPattern)}
    fuzzed = {*COMPOSER_URLS, *FLEET_URLS, *TEAM_URLS}
    assert names - NOT_FUZZED == fuzzed, "send the new URL odd requests above"
