"""Whatever a request carries, the answer is a page or a 4xx, never a server error: seeded random
posts and queries of odd values (huge numbers, control characters, JSON fragments, other fields'
words) to every composer and fleet URL. Each server error found here was a real bug once: a
newline in a download's file name, an unreadable saved draft behind a failed JSON load, a search
for a number no database integer holds, a port name longer than a varchar."""

import random

import pytest
from django.urls import reverse

from portplanner.fleet.deploy import save_app
from portplanner.history.record import Actor
from portplanner.models import Cluster

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


@pytest.fixture
def app():
    cluster = Cluster.objects.create(name="prod")
    saved, _ = save_app(
        cluster, {"id": "/x", "cmd": "run", "portDefinitions": [{"port": 0}]}, by=BY
    )
    return saved


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


def test_composer_answers_odd_posts_without_a_server_error(client, app):
    urls = [
        reverse("app_new", args=["prod"]),
        reverse("app_preview_new", args=["prod"]),
        reverse("app_edit", args=["prod", app.pk]),
        reverse("app_preview", args=["prod", app.pk]),
    ]
    # Odd "save" posts on the edit URL turn /x into drafts of all kinds, some unreadable.
    assert send_odd_requests(client, urls, COMPOSER_FIELDS, COMPOSER_WORDS, count=150, seed=1) == []


def test_fleet_pages_answer_odd_queries_without_a_server_error(client, app):
    names = ["cluster_apps", "cluster_collisions", "cluster_port_map", "cluster_settings"]
    urls = [reverse(name, args=["prod"]) for name in names]
    urls += [
        reverse("cluster_import", args=["prod"]),
        reverse("cluster_export", args=["prod"]),
        reverse("cluster_new"),
        reverse("app_export", args=["prod", app.pk]),
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
