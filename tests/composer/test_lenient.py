"""Apps the schema refuses for values typed into the form's fields: read into the form as typed,
and back to the same JSON; anything else the schema refuses still is not."""

import pytest

from portplanner.composer.draft import app_from_draft, draft_from_app
from portplanner.composer.preview import draft_for
from portplanner.marathon import prepare

pytestmark = pytest.mark.django_db

BRIDGE = {
    "id": "/shop/web",
    "cmd": "./run",
    "networks": [{"mode": "container/bridge"}],
    "container": {
        "type": "DOCKER",
        "docker": {"image": "nginx"},
        "portMappings": [
            {"containerPort": 80, "hostPort": 0, "servicePort": 0, "name": "http", "labels": {}},
        ],
    },
    "requirePorts": False,
}
CONTAINER = {
    "id": "/shop/cart",
    "cmd": "./run",
    "networks": [{"mode": "container", "name": "dcos"}],
    "container": {"type": "MESOS", "portMappings": [{"containerPort": 80, "labels": {}}]},
    "requirePorts": False,
}
HOST = {
    "id": "/shop/api",
    "cmd": "./run",
    "networks": [{"mode": "host"}],
    "portDefinitions": [{"port": 0, "protocol": "tcp", "name": "http"}],
    "requirePorts": True,
}
HEALTHY = {**HOST, "healthChecks": [{"protocol": "HTTP", "portIndex": 0, "path": "/"}]}


def with_(app: dict, path: tuple, value) -> dict:
    """``app`` as the form writes it, with ``value`` typed at ``path``."""
    app = app_from_draft(draft_from_app(prepare(app).app))[0]
    node = app
    for part in path[:-1]:
        node = node[part]
    node[path[-1]] = value
    return app


@pytest.mark.parametrize(
    ("raw", "field", "typed"),
    [
        (with_(BRIDGE, ("id",), "/Shop/Web"), ("app", "app_id"), "/Shop/Web"),
        (
            with_(BRIDGE, ("container", "portMappings", 0, "hostPort"), "abc "),
            ("port", "host_port"),
            "abc ",
        ),
        (
            with_(BRIDGE, ("container", "portMappings", 0, "hostPort"), ""),
            ("port", "host_port"),
            "",
        ),
        (
            with_(BRIDGE, ("container", "portMappings", 0, "containerPort"), 70000),
            ("port", "container_port"),
            "70000",
        ),
        (
            with_(BRIDGE, ("container", "portMappings", 0, "servicePort"), "1e3"),
            ("port", "service_port"),
            "1e3",
        ),
        (
            with_(BRIDGE, ("container", "portMappings", 0, "name"), "Web_1"),
            ("port", "name"),
            "Web_1",
        ),
        (
            with_(BRIDGE, ("container", "portMappings", 0, "protocol"), "sctp"),
            ("port", "protocol"),
            "sctp",
        ),
        (with_(HOST, ("portDefinitions", 0, "port"), "8o"), ("port", "service_port"), "8o"),
        (with_(CONTAINER, ("networks", 0, "name"), "My.Net"), ("app", "network_names"), "My.Net"),
        (with_(HOST, ("instances",), "three"), ("app", "instances"), "three"),
        (with_(HOST, ("cpus",), "½"), ("app", "cpus"), "½"),
        (with_(HOST, ("constraints",), [["hostname"]]), ("app", "constraints"), "hostname"),
        (
            with_(HOST, ("constraints",), [["hostname", " UNIQUE"], ["rack", "IS", "a:b"]]),
            ("app", "constraints"),
            "hostname: UNIQUE\nrack:IS:a:b",
        ),
        (with_(HEALTHY, ("healthChecks", 0, "portIndex"), "one"), ("health", "port_index"), "one"),
        (with_(HEALTHY, ("healthChecks", 0, "protocol"), "GRPC"), ("health", "protocol"), "GRPC"),
    ],
)
def test_a_typed_value_the_schema_refuses_is_read_as_typed(cluster, raw, field, typed):
    draft, _ = draft_for(cluster, raw, None)
    assert draft is not None
    kind, name = field
    values = {"app": draft.app, "port": draft.ports[:1], "health": draft.health[:1]}[kind]
    assert (values if kind == "app" else values[0])[name] == typed
    assert app_from_draft(draft)[0] == raw


@pytest.mark.parametrize(
    "raw",
    [
        {"id": "/a", "portDefinitions": "eighty"},  # a wrong shape: nothing the form typed
        {"id": "/a", "cmd": "x", "ports": ["abc"]},  # a legacy field
        {  # a legacy field Marathon moves: the typo would land elsewhere
            "id": "/a",
            "container": {
                "type": "DOCKER",
                "docker": {"image": "n", "network": "BRIDGE", "portMappings": [{"hostPort": "x"}]},
            },
        },
        {"cmd": "./run"},  # no id: "is required", nothing typed
        with_(BRIDGE, ("container", "portMappings", 0, "labels"), {"a": 1}),
    ],
)
def test_anything_else_the_schema_refuses_still_cannot_be_read(cluster, raw):
    draft, problems = draft_for(cluster, raw, None)
    assert draft is None and problems
