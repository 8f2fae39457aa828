"""Properties that hold for any port layout and any input (hypothesis)."""

from __future__ import annotations

import copy

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from portplanner.marathon import DEFAULT_POLICY, ClusterPolicy, check_fleet, resolve_app

SETTINGS = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# Port names as Marathon allows them; "0" is left out because a port *named* "0" does write
# PORT_0 (names are only upper-cased, spec §6.2 step 3), which is not what "PORT_0 never
# appears" is about.
NAMES = st.sampled_from(["http", "web", "admin", "my-port", "80", "a1", "metrics", "dns"])
PROTOCOLS = st.sampled_from(["tcp", "udp", "udp,tcp", "TCP", "Udp", "UDP,TCP"])
# Fixed service ports are drawn both near the range start (to collide with dynamic ones and with
# each other) and anywhere at all.
SERVICE_PORTS = st.one_of(st.just(0), st.just(0), st.integers(10000, 10040), st.integers(1, 65535))
HOST_PORTS = st.one_of(st.just(0), st.integers(31000, 31010), st.integers(1, 65535))
CONTAINER_PORTS = st.one_of(st.just(0), st.integers(1, 65535))


@st.composite
def _optional(draw, fields):
    return {k: draw(v) for k, v in fields.items() if draw(st.booleans())}


def _definition():
    return _optional({"port": SERVICE_PORTS, "name": NAMES, "protocol": PROTOCOLS})


def _mapping():
    return _optional(
        {
            "containerPort": CONTAINER_PORTS,
            "hostPort": HOST_PORTS,
            "servicePort": SERVICE_PORTS,
            "name": NAMES,
            "protocol": PROTOCOLS,
        }
    )


@st.composite
def port_layouts(draw, app_id="/app"):
    """An app in host, bridge or container mode with 0..8 ports of every kind."""
    mode = draw(st.sampled_from(["host", "host-legacy", "bridge", "container", "docker-bridge"]))
    app = {"id": app_id, "cmd": "./run", "requirePorts": draw(st.booleans())}
    if mode == "host":
        if draw(st.booleans()):
            app["portDefinitions"] = draw(st.lists(_definition(), max_size=8))
    elif mode == "host-legacy":
        app["ports"] = draw(st.lists(SERVICE_PORTS, max_size=8))
    elif mode == "docker-bridge":
        app["container"] = {
            "type": "DOCKER",
            "docker": {
                "image": "nginx",
                "network": "BRIDGE",
                "portMappings": draw(st.lists(_mapping(), max_size=8)),
            },
        }
    else:
        network = (
            {"mode": "container/bridge"}
            if mode == "bridge"
            else {"mode": "container", "name": "dcos"}
        )
        app["networks"] = [network]
        container = {"type": "MESOS"}
        if draw(st.booleans()):
            container["portMappings"] = draw(st.lists(_mapping(), max_size=8))
        app["container"] = container
        if draw(st.booleans()):
            app["portDefinitions"] = draw(st.lists(_definition(), max_size=8))
    return app


@st.composite
def fleets(draw, max_apps=30):
    size = draw(st.integers(1, max_apps))
    return [draw(port_layouts(f"/app-{i}")) for i in range(size)]


@SETTINGS
@given(port_layouts())
def test_property_any_port_layout_resolves(raw):
    original = copy.deepcopy(raw)

    result = resolve_app(raw)

    assert raw == original  # plain data in and out: the input is never changed

    assert result.app is not None
    if result.valid:
        assert all(p.service_port for p in result.ports)
    assert "PORT_0" not in result.env_dict()


@SETTINGS
@given(fleets())
def test_property_fleet_dynamic_service_ports_unique_in_range_and_never_fixed(raws):
    policy = DEFAULT_POLICY
    fleet = check_fleet(raws, policy)
    assigned = [p for r in fleet.apps for p in r.ports]
    dynamic = [p.service_port for p in assigned if p.service_port_dynamic]
    fixed = {p.service_port for p in assigned if not p.service_port_dynamic}

    assert len(fleet.apps) == len(raws)
    assert len(dynamic) == len(set(dynamic))
    assert all(policy.local_port_min <= port <= policy.local_port_max for port in dynamic)
    assert not set(dynamic) & fixed
    for result in fleet.apps:
        assert "PORT_0" not in result.env_dict()


@SETTINGS
@given(fleets(max_apps=8))  # five ports run out within a few apps
def test_property_fleet_in_tiny_range_reports_exhaustion_as_errors(raws):
    policy = ClusterPolicy(local_port_min=10000, local_port_max=10004)

    fleet = check_fleet(raws, policy)
    dynamic = [p.service_port for r in fleet.apps for p in r.ports if p.service_port_dynamic]
    assigned = [port for port in dynamic if port]

    assert len(assigned) == len(set(assigned))
    assert all(10000 <= port <= 10004 for port in assigned)
    for result in fleet.apps:
        if any(p.service_port_dynamic and not p.service_port for p in result.ports):
            assert any(e.message.startswith("All ports in the range") for e in result.errors)


@SETTINGS
@given(port_layouts(), st.lists(st.integers(9990, 10020), max_size=8, unique=True))
def test_property_previous_ports_reused_first_in_their_order(raw, previous):
    # AssignDynamicServiceLogic.assignPorts: the old app's ports that are in range and not among
    # the new app's fixed ports come first, in their old order, then the next free ones (§4.2).
    result = resolve_app(raw, previous=previous)
    dynamic = [p.service_port for p in result.ports if p.service_port_dynamic]
    fixed = {p.service_port for p in result.ports if not p.service_port_dynamic}
    reusable = [p for p in previous if 10000 <= p <= 20000 and p not in fixed]

    assert len(dynamic) == len(set(dynamic))
    assert dynamic[: len(reusable)] == reusable[: len(dynamic)]
    assert not set(dynamic[len(reusable) :]) & set(previous)


# --- arbitrary JSON ---------------------------------------------------------------------------

KEYS = st.sampled_from(
    [
        "id",
        "cmd",
        "args",
        "env",
        "ports",
        "portDefinitions",
        "networks",
        "container",
        "ipAddress",
        "requirePorts",
        "healthChecks",
        "readinessChecks",
        "labels",
        "docker",
        "type",
        "network",
        "portMappings",
        "mode",
        "name",
        "port",
        "hostPort",
        "containerPort",
        "servicePort",
        "protocol",
        "discovery",
        "networkName",
        "networkNames",
        "portIndex",
        "portName",
        "number",
    ]
)
SCALARS = (
    st.none()
    | st.booleans()
    | st.integers(-(2**40), 2**40)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=12)
    | st.sampled_from(["/app", "./run", "tcp", "UDP,TCP", "host", "container/bridge", "BRIDGE"])
)
JSON = st.recursive(
    SCALARS,
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(KEYS | st.text(max_size=6), children, max_size=5)
    ),
    max_leaves=30,
)


@SETTINGS
@given(JSON)
def test_property_arbitrary_json_never_raises(value):
    result = resolve_app(value)

    if not isinstance(value, dict):
        assert not result.valid


@SETTINGS
@given(st.dictionaries(KEYS, JSON, max_size=6))
def test_property_arbitrary_app_fields_never_raise(fields):
    raw = {"id": "/app", "cmd": "./run", **fields}

    result = resolve_app(raw)

    assert isinstance(result.errors, list)
    result.to_json()


@SETTINGS
@given(
    st.fixed_dictionaries(
        {"id": st.just("/app")},
        optional={
            "container": st.fixed_dictionaries(
                {},
                optional={
                    "type": st.sampled_from(["MESOS", "DOCKER", "docker"]) | JSON,
                    "docker": st.dictionaries(KEYS, JSON, max_size=4),
                    "portMappings": st.lists(st.dictionaries(KEYS, JSON, max_size=5), max_size=4),
                },
            ),
            "networks": st.lists(st.dictionaries(KEYS, JSON, max_size=3), max_size=3),
            "ipAddress": st.dictionaries(KEYS, JSON, max_size=4),
            "portDefinitions": st.lists(st.dictionaries(KEYS, JSON, max_size=4), max_size=4),
            "healthChecks": st.lists(st.dictionaries(KEYS, JSON, max_size=4), max_size=2),
            "readinessChecks": st.lists(st.dictionaries(KEYS, JSON, max_size=3), max_size=2),
        },
    )
)
def test_property_arbitrary_nested_values_never_raise(raw):
    original = copy.deepcopy(raw)

    result = resolve_app(raw)

    assert raw == original

    result.to_json()
