"""The worked examples W1-W21 of the spec (shared/spec/marathon-ports.md §10), as data.

W1-W15 are submitted in order to one cluster (spec §10, "Assumptions"): each app is resolved
with the service ports of every app Marathon accepted before it as ``taken``, so the dynamic
service ports climb 10000, 10001, ... An app Marathon rejects (W11) is never deployed and takes
no port, which is why W12 gets 10011. W16 and W17 describe their own cluster (W16: "a third app
... gets 10001"; W17: "while /other holds fixed 10000"), so they start from an empty one.

Host ports and random container ports are "e.g." values in the spec (chosen at launch, §5,
§6.2). The preview draws them from the agent range, so for those we assert the shape: the
variable equals the host port shown in ``.ports``, which is dynamic and inside the agents'
range. Where the spec is exact (fixed host ports, container ports, service ports) we assert the
exact value.
"""

from __future__ import annotations

import functools

import pytest

from portplanner.marathon import DEFAULT_POLICY, check_fleet, resolve_app

AGENT_LOW, AGENT_HIGH = DEFAULT_POLICY.agent_port_ranges[0]

# Env expectations are templates: "{h0}" is the host port of port 0 as shown in result.ports, and
# "{g1}" is the random port generated for port 1 (no host port, containerPort 0; spec §6.2 step 1).
# HOST is left out here: it is asserted on its own in test_rules.py (spec §6.3).
SEQUENCE = [
    pytest.param(
        {"id": "/w1", "cmd": "./run", "ports": [0, 0]},
        {
            "networks": [{"mode": "host"}],
            "portDefinitions": [
                {"port": 10000, "protocol": "tcp"},
                {"port": 10001, "protocol": "tcp"},
            ],
            "requirePorts": False,
        },
        [10000, 10001],
        [None, None],
        {
            "PORT0": "{h0}",
            "PORT1": "{h1}",
            "PORT_10000": "{h0}",
            "PORT_10001": "{h1}",
            "PORT": "{h0}",
            "PORTS": "{h0},{h1}",
        },
        id="W1-host-legacy-ports",
    ),
    pytest.param(
        {"id": "/w2", "cmd": "./run"},
        {
            "networks": [{"mode": "host"}],
            "portDefinitions": [{"port": 10002, "protocol": "tcp", "name": "default"}],
            "requirePorts": False,
        },
        [10002],
        [None],
        {
            "PORT0": "{h0}",
            "PORT_10002": "{h0}",
            "PORT_DEFAULT": "{h0}",
            "PORT": "{h0}",
            "PORTS": "{h0}",
        },
        id="W2-host-default-port",
    ),
    pytest.param(
        {
            "id": "/w3",
            "cmd": "./run",
            "portDefinitions": [
                {"port": 2001, "name": "http"},
                {
                    "port": 0,
                    "name": "admin",
                    "protocol": "udp,tcp",
                    "labels": {"VIP_0": "/w3:8080"},
                },
            ],
        },
        {
            "networks": [{"mode": "host"}],
            "portDefinitions": [
                {"port": 2001, "name": "http", "protocol": "tcp"},
                {
                    "port": 10003,
                    "name": "admin",
                    "protocol": "udp,tcp",
                    "labels": {"VIP_0": "/w3:8080"},
                },
            ],
            "requirePorts": False,
        },
        [2001, 10003],
        [None, None],
        {
            "PORT0": "{h0}",
            "PORT1": "{h1}",
            "PORT_2001": "{h0}",
            "PORT_10003": "{h1}",
            "PORT_HTTP": "{h0}",
            "PORT_ADMIN": "{h1}",
            "PORT": "{h0}",
            "PORTS": "{h0},{h1}",
        },
        id="W3-host-named-fixed-and-dynamic",
    ),
    pytest.param(
        {
            "id": "/w4",
            "cmd": "./run",
            "portDefinitions": [{"port": 7777, "name": "api"}],
            "requirePorts": True,
        },
        {
            "networks": [{"mode": "host"}],
            "portDefinitions": [{"port": 7777, "name": "api", "protocol": "tcp"}],
            "requirePorts": True,
        },
        [7777],
        [7777],
        {"PORT0": "7777", "PORT_7777": "7777", "PORT_API": "7777", "PORT": "7777", "PORTS": "7777"},
        id="W4-require-ports-fixed",
    ),
    pytest.param(
        {"id": "/w5", "cmd": "./run", "portDefinitions": [{"port": 0}], "requirePorts": True},
        {
            "networks": [{"mode": "host"}],
            "portDefinitions": [{"port": 10004, "protocol": "tcp"}],
            "requirePorts": True,
        },
        [10004],
        # The host port required at launch is the assigned service port (spec §5 "Surprise").
        [10004],
        {
            "PORT0": "10004",
            "PORT_10004": "10004",
            "PORT": "10004",
            "PORTS": "10004",
        },
        id="W5-require-ports-dynamic-trap",
    ),
    pytest.param(
        {
            "id": "/w6",
            "networks": [{"mode": "container/bridge"}],
            "container": {
                "type": "MESOS",
                "docker": {"image": "nginx"},
                "portMappings": [{"containerPort": 0, "name": "http"}],
            },
        },
        {
            "networks": [{"mode": "container/bridge"}],
            "container": {
                "type": "MESOS",
                "docker": {"image": "nginx"},
                "portMappings": [
                    {
                        "containerPort": 0,
                        "hostPort": 0,
                        "labels": {},
                        "name": "http",
                        "protocol": "tcp",
                        "servicePort": 10005,
                    }
                ],
            },
            "requirePorts": False,
        },
        [10005],
        [None],
        # containerPort 0 takes the host port at launch, so PORT_<hostPort> (spec §5, §6.4).
        {
            "PORT0": "{h0}",
            "PORT_{h0}": "{h0}",
            "PORT_HTTP": "{h0}",
            "PORT": "{h0}",
            "PORTS": "{h0}",
        },
        id="W6-canonical-bridge",
    ),
    pytest.param(
        {
            "id": "/w7",
            "cmd": "python3 -m http.server 8080",
            "container": {
                "type": "DOCKER",
                "docker": {
                    "image": "python:3",
                    "network": "BRIDGE",
                    "portMappings": [
                        {
                            "containerPort": 8080,
                            "hostPort": 0,
                            "servicePort": 9000,
                            "protocol": "tcp",
                        },
                        {"containerPort": 161, "hostPort": 0, "protocol": "udp"},
                    ],
                },
            },
        },
        {
            "networks": [{"mode": "container/bridge"}],
            "container": {
                "type": "DOCKER",
                "docker": {"image": "python:3"},
                "portMappings": [
                    {
                        "containerPort": 8080,
                        "hostPort": 0,
                        "servicePort": 9000,
                        "protocol": "tcp",
                        "labels": {},
                    },
                    {
                        "containerPort": 161,
                        "hostPort": 0,
                        "servicePort": 10006,
                        "protocol": "udp",
                        "labels": {},
                    },
                ],
            },
            "requirePorts": False,
        },
        [9000, 10006],
        [None, None],
        {
            "PORT0": "{h0}",
            "PORT1": "{h1}",
            "PORT_8080": "{h0}",
            "PORT_161": "{h1}",
            "PORT": "{h0}",
            "PORTS": "{h0},{h1}",
        },
        id="W7-legacy-docker-bridge",
    ),
    pytest.param(
        {
            "id": "/w8",
            "requirePorts": True,
            "container": {
                "type": "DOCKER",
                "docker": {
                    "image": "nginx",
                    "network": "BRIDGE",
                    "portMappings": [{"containerPort": 80, "hostPort": 8085}],
                },
            },
        },
        {
            "networks": [{"mode": "container/bridge"}],
            "container": {
                "type": "DOCKER",
                "docker": {"image": "nginx"},
                "portMappings": [
                    {
                        "containerPort": 80,
                        "hostPort": 8085,
                        "servicePort": 10007,
                        "protocol": "tcp",
                        "labels": {},
                    }
                ],
            },
            "requirePorts": False,
        },
        [10007],
        [8085],
        {"PORT0": "8085", "PORT_80": "8085", "PORT": "8085", "PORTS": "8085"},
        id="W8-bridge-fixed-host-port-require-ports-forced-off",
    ),
    pytest.param(
        {
            "id": "/w9",
            "networks": [{"mode": "container", "name": "dcos"}],
            "container": {
                "type": "MESOS",
                "docker": {"image": "nginx"},
                "portMappings": [
                    {"containerPort": 8080, "name": "http"},
                    {"containerPort": 0, "name": "metrics"},
                ],
            },
        },
        {
            "networks": [{"mode": "container", "name": "dcos"}],
            "container": {
                "type": "MESOS",
                "docker": {"image": "nginx"},
                "portMappings": [
                    {
                        "containerPort": 8080,
                        "name": "http",
                        "protocol": "tcp",
                        "servicePort": 10008,
                        "labels": {},
                    },
                    {
                        "containerPort": 0,
                        "name": "metrics",
                        "protocol": "tcp",
                        "servicePort": 10009,
                        "labels": {},
                    },
                ],
            },
            "requirePorts": False,
        },
        [10008, 10009],
        ["absent", "absent"],
        # PORT != PORT0, and 8080 is missing from PORTS (spec §6.2 step 4).
        {
            "PORT0": "8080",
            "PORT_8080": "8080",
            "PORT_HTTP": "8080",
            "PORT1": "{g1}",
            "PORT_{g1}": "{g1}",
            "PORT_METRICS": "{g1}",
            "PORT": "{g1}",
            "PORTS": "{g1}",
        },
        id="W9-container-mode-no-host-ports",
    ),
    pytest.param(
        {
            "id": "/w10",
            "networks": [{"mode": "container", "name": "dcos"}],
            "container": {
                "type": "DOCKER",
                "docker": {"image": "nginx"},
                "portMappings": [{"containerPort": 80, "hostPort": 0, "name": "web"}],
            },
        },
        {
            "networks": [{"mode": "container", "name": "dcos"}],
            "container": {
                "type": "DOCKER",
                "docker": {"image": "nginx"},
                "portMappings": [
                    {
                        "containerPort": 80,
                        "hostPort": 0,
                        "name": "web",
                        "protocol": "tcp",
                        "servicePort": 10010,
                        "labels": {},
                    }
                ],
            },
            "requirePorts": False,
        },
        [10010],
        [None],
        {"PORT0": "{h0}", "PORT_80": "{h0}", "PORT_WEB": "{h0}", "PORT": "{h0}", "PORTS": "{h0}"},
        id="W10-container-mode-host-port-0",
    ),
    # W11 is rejected (see test_w11_*), so it takes no service port and W12 gets 10011.
    pytest.param(
        {
            "id": "/w12",
            "ipAddress": {"networkName": "dcos"},
            "container": {"type": "DOCKER", "docker": {"image": "nginx", "network": "USER"}},
        },
        {
            "networks": [{"mode": "container", "name": "dcos"}],
            "container": {
                "type": "DOCKER",
                "docker": {"image": "nginx"},
                "portMappings": [
                    {
                        "containerPort": 0,
                        "name": "default",
                        "protocol": "tcp",
                        "servicePort": 10011,
                        "labels": {},
                    }
                ],
            },
            "requirePorts": False,
        },
        [10011],
        ["absent"],
        {
            "PORT0": "{g0}",
            "PORT_{g0}": "{g0}",
            "PORT_DEFAULT": "{g0}",
            "PORT": "{g0}",
            "PORTS": "{g0}",
        },
        id="W12-legacy-docker-user-ip-address",
    ),
    pytest.param(
        {
            "id": "/w13",
            "cmd": "python pinger.py 7777",
            "ipAddress": {
                "networkName": "dcos",
                "discovery": {"ports": [{"name": "my-port", "number": 7777, "protocol": "tcp"}]},
            },
        },
        {
            "networks": [{"mode": "container", "name": "dcos"}],
            "container": {
                "type": "MESOS",
                "portMappings": [
                    {
                        "containerPort": 7777,
                        "name": "my-port",
                        "protocol": "tcp",
                        "servicePort": 10012,
                        "labels": {},
                    }
                ],
            },
            "requirePorts": False,
        },
        [10012],
        ["absent"],
        # PORTS is empty and PORT is absent; the dash stays in PORT_MY-PORT (spec §6.2).
        {"PORT0": "7777", "PORT_7777": "7777", "PORT_MY-PORT": "7777", "PORTS": ""},
        id="W13-legacy-ip-per-container-discovery",
    ),
    pytest.param(
        {
            "id": "/w14a",
            "cmd": "./run",
            "networks": [{"mode": "container/bridge"}],
            "portDefinitions": [{"port": 0}, {"port": 0}],
        },
        {
            "networks": [{"mode": "container/bridge"}],
            "container": {
                "type": "MESOS",
                "portMappings": [
                    {
                        "containerPort": 0,
                        "hostPort": 0,
                        "name": "default",
                        "protocol": "tcp",
                        "servicePort": 10013,
                        "labels": {},
                    }
                ],
            },
            "requirePorts": False,
        },
        [10013],
        [None],
        {
            "PORT0": "{h0}",
            "PORT_{h0}": "{h0}",
            "PORT_DEFAULT": "{h0}",
            "PORT": "{h0}",
            "PORTS": "{h0}",
        },
        id="W14a-bridge-port-definitions-dropped-default-container",
    ),
    pytest.param(
        {
            "id": "/w14b",
            "cmd": "./run",
            "networks": [{"mode": "container/bridge"}],
            "container": {"type": "MESOS"},
            "portDefinitions": [{"port": 0, "name": "a"}, {"port": 5000, "name": "b"}],
        },
        {
            "networks": [{"mode": "container/bridge"}],
            "container": {
                "type": "MESOS",
                "portMappings": [
                    {
                        "containerPort": 0,
                        "hostPort": 0,
                        "name": "default",
                        "protocol": "tcp",
                        "servicePort": 10014,
                        "labels": {},
                    },
                    {
                        "containerPort": 0,
                        "hostPort": 0,
                        "protocol": "tcp",
                        "servicePort": 10015,
                        "labels": {},
                    },
                ],
            },
            "requirePorts": False,
        },
        [10014, 10015],
        [None, None],
        {
            "PORT0": "{h0}",
            "PORT1": "{h1}",
            "PORT_{h0}": "{h0}",
            "PORT_{h1}": "{h1}",
            "PORT_DEFAULT": "{h0}",
            "PORT": "{h0}",
            "PORTS": "{h0},{h1}",
        },
        id="W14b-bridge-port-definitions-dropped-mappings-padded",
    ),
    pytest.param(
        {
            "id": "/w15",
            "cmd": "./run",
            "container": {
                "type": "DOCKER",
                "docker": {
                    "image": "x",
                    "network": "HOST",
                    "portMappings": [{"containerPort": 80, "hostPort": 0}],
                },
            },
            "portDefinitions": [{"port": 10100}, {"port": 10101}],
        },
        {
            "networks": [{"mode": "host"}],
            "container": {"type": "DOCKER", "docker": {"image": "x"}},
            "portDefinitions": [
                {"port": 10100, "protocol": "tcp"},
                {"port": 10101, "protocol": "tcp"},
            ],
            "requirePorts": False,
        },
        [10100, 10101],
        [None, None],
        {
            "PORT0": "{h0}",
            "PORT1": "{h1}",
            "PORT_10100": "{h0}",
            "PORT_10101": "{h1}",
            "PORT": "{h0}",
            "PORTS": "{h0},{h1}",
        },
        id="W15-legacy-docker-host-mappings-dropped",
    ),
]

# Fields Marathon never writes on output (spec §1.8), per app.
NEVER_WRITTEN = ("ports", "ipAddress")


@functools.cache
def _cluster() -> dict:
    """Submit W1-W15 in order, as the spec's worked examples are; W11 is rejected on the way."""
    taken: list[int] = []
    results = {}
    raws = [p.values[0] for p in SEQUENCE]
    raws.insert([r["id"] for r in raws].index("/w12"), W11)  # in its place, between W10 and W12
    for raw in raws:
        result = resolve_app(raw, taken=taken)
        results[raw["id"]] = result
        if result.valid:
            taken += [p.service_port for p in result.ports]
    return results


def _render(template: dict, result) -> dict:
    """Fill "{h<i>}" with port i's host port from ``.ports`` and "{g<i>}" with its random port."""
    env = result.env_dict()
    values = {}
    for i, port in enumerate(result.ports):
        if port.host_port is not None:
            values[f"h{i}"] = str(port.host_port)
        else:
            values[f"g{i}"] = env.get(f"PORT{i}", "<missing>")
    return {k.format(**values): v.format(**values) for k, v in template.items()}


@pytest.mark.parametrize(("raw", "normalized", "service_ports", "host_ports", "env"), SEQUENCE)
def test_worked_example_in_sequence_is_valid(raw, normalized, service_ports, host_ports, env):
    result = _cluster()[raw["id"]]

    assert result.errors == []
    assert result.valid


@pytest.mark.parametrize(("raw", "normalized", "service_ports", "host_ports", "env"), SEQUENCE)
def test_worked_example_in_sequence_normalizes(raw, normalized, service_ports, host_ports, env):
    app = _cluster()[raw["id"]].app

    assert {key: app.get(key) for key in normalized} == normalized
    for field in NEVER_WRITTEN:
        assert field not in app
    if app["networks"] != [{"mode": "host"}]:
        # portDefinitions are written only for host networking (spec §1.8).
        assert "portDefinitions" not in app
    else:
        assert "portMappings" not in app.get("container", {})


@pytest.mark.parametrize(("raw", "normalized", "service_ports", "host_ports", "env"), SEQUENCE)
def test_worked_example_in_sequence_service_ports(raw, normalized, service_ports, host_ports, env):
    result = _cluster()[raw["id"]]

    assert [p.service_port for p in result.ports] == service_ports


@pytest.mark.parametrize(("raw", "normalized", "service_ports", "host_ports", "env"), SEQUENCE)
def test_worked_example_in_sequence_host_ports(raw, normalized, service_ports, host_ports, env):
    result = _cluster()[raw["id"]]

    assert len(result.ports) == len(host_ports)
    for port, expected in zip(result.ports, host_ports, strict=True):
        if expected == "absent":
            # Container mode without hostPort: no host port resource at all (spec §5).
            assert port.host_port is None
            assert not port.host_port_dynamic
        elif expected is None:
            # Random at launch ("e.g." in the spec): shown as an example from the agent range.
            assert port.host_port_dynamic
            assert AGENT_LOW <= port.host_port <= AGENT_HIGH
        else:
            assert port.host_port == expected
            assert not port.host_port_dynamic


@pytest.mark.parametrize(("raw", "normalized", "service_ports", "host_ports", "env"), SEQUENCE)
def test_worked_example_in_sequence_env(raw, normalized, service_ports, host_ports, env):
    result = _cluster()[raw["id"]]
    port_env = {k: v for k, v in result.env_dict().items() if k.startswith("PORT")}

    assert port_env == _render(env, result)


@pytest.mark.parametrize(
    ("app_id", "index", "not_equal_to"),
    [
        pytest.param("/w9", 1, {8080}, id="W9"),
        pytest.param("/w12", 0, set(), id="W12"),
    ],
)
def test_worked_example_generated_port_in_random_range(app_id, index, not_equal_to):
    # g is random in 1025-65535 and differs from every requested and host port (spec §6.2 step 1).
    g = int(_cluster()[app_id].env_dict()[f"PORT{index}"])

    assert 1025 <= g <= 65535
    assert g not in not_equal_to


def test_worked_example_w3_vip_label_kept_on_admin_port():
    result = _cluster()["/w3"]

    assert [p.vip for p in result.ports] == [None, "/w3:8080"]
    assert not [w for w in result.warnings if w.code == "vip-malformed"]


def test_worked_example_w5_warns_require_ports_with_port_0():
    result = _cluster()["/w5"]

    assert [(w.code, w.path) for w in result.warnings if w.code == "require-ports-dynamic"] == [
        ("require-ports-dynamic", "/portDefinitions/0/port")
    ]


def test_worked_example_w8_warns_require_ports_ignored():
    result = _cluster()["/w8"]

    assert "require-ports-ignored" in {w.code for w in result.warnings}


@pytest.mark.parametrize(
    ("app_id", "code", "path"),
    [
        pytest.param("/w14a", "dropped-port-definitions", "/portDefinitions", id="W14a"),
        pytest.param("/w14b", "dropped-port-definitions", "/portDefinitions", id="W14b"),
        pytest.param("/w15", "dropped-port-mappings", "/container/portMappings", id="W15"),
    ],
)
def test_worked_example_silent_drop_is_warned(app_id, code, path):
    # "No error in either case" (W14), but the workbench surfaces the drop (spec §3.4).
    result = _cluster()[app_id]

    assert result.valid
    assert (code, path) in {(w.code, w.path) for w in result.warnings}


# --- W11: two container networks ------------------------------------------------------------

W11 = {
    "id": "/w11",
    "cmd": "./run",
    "networks": [
        {"mode": "container", "name": "net-a"},
        {"mode": "container", "name": "net-b"},
    ],
    "container": {
        "type": "MESOS",
        "portMappings": [{"containerPort": 80, "hostPort": 0, "name": "web"}],
    },
}
SINGLE_ITEM = (
    "networkNames must be a single item list when hostPort is specified and more than 1 "
    "container network is defined"
)
DOCKER_ONE_NETWORK = (
    "may only specify a single container network when using the Docker container engine"
)


def _w11(container_type="MESOS", network_names=None):
    mapping = {"containerPort": 80, "hostPort": 0, "name": "web"}
    if network_names is not None:
        mapping["networkNames"] = network_names
    container = {"type": container_type, "portMappings": [mapping]}
    if container_type == "DOCKER":
        container["docker"] = {"image": "nginx"}
    return {**W11, "container": container}


@pytest.mark.parametrize(
    ("raw", "errors"),
    [
        pytest.param(
            W11, [("/container/portMappings/0", SINGLE_ITEM)], id="mesos-no-network-names"
        ),
        pytest.param(_w11(network_names=["net-a"]), [], id="mesos-fixed-with-net-a"),
        pytest.param(
            _w11("DOCKER"),
            [("/", DOCKER_ONE_NETWORK), ("/container/portMappings/0", SINGLE_ITEM)],
            id="docker-no-network-names",
        ),
        pytest.param(
            _w11("DOCKER", ["net-a"]), [("/", DOCKER_ONE_NETWORK)], id="docker-even-when-fixed"
        ),
        pytest.param(
            _w11(network_names=["net-c"]),
            [("/container/portMappings/0/networkNames/0", "is not one of (net-a,net-b)")],
            id="unknown-network-name",
        ),
    ],
)
def test_w11_two_container_networks(raw, errors):
    result = resolve_app(raw)

    assert sorted((e.path, e.message) for e in result.errors) == sorted(errors)


def test_w11_in_sequence_is_rejected_and_takes_no_service_port():
    results = _cluster()

    assert not results["/w11"].valid
    assert [p.service_port for p in results["/w12"].ports] == [10011]


def test_w11_fixed_forwards_host_port_only_on_net_a():
    result = resolve_app(_w11(network_names=["net-a"]))

    assert result.app["container"]["portMappings"][0]["networkNames"] == ["net-a"]


# --- W16: fixed service-port collision across apps ------------------------------------------

# The spec writes "cmd":"x" for /a. Marathon refuses a one-character cmd ("must not be an empty
# string", AppValidation.validateCanonicalAppAPI: `_.cmd.forall(_.length > 1)`), which the spec's
# own W18 preface sets aside ("assume the rest of each app is otherwise valid"); "./run" keeps /a
# valid so the example shows what it is about. See test_rules.py for the cmd rule itself.
W16 = [
    {"id": "/a", "cmd": "./run", "portDefinitions": [{"port": 10000}]},
    {
        "id": "/b",
        "container": {
            "type": "DOCKER",
            "docker": {
                "image": "n",
                "network": "BRIDGE",
                "portMappings": [{"containerPort": 80, "servicePort": 10000}],
            },
        },
    },
    {"id": "/c", "cmd": "./run", "portDefinitions": [{"port": 0}]},
]


def test_w16_fixed_collision_is_accepted_and_warned():
    fleet = check_fleet(W16)

    assert [r.errors for r in fleet.apps] == [[], [], []]
    assert [[p.service_port for p in r.ports] for r in fleet.apps] == [[10000], [10000], [10001]]
    assert [(c.kind, c.port, c.holders) for c in fleet.collisions] == [
        (
            "service-port",
            10000,
            (("/a", "/portDefinitions/0/port"), ("/b", "/container/portMappings/0/servicePort")),
        )
    ]


def test_w16_third_app_submitted_later_gets_10001():
    first = resolve_app(W16[0])
    second = resolve_app(W16[1], taken=[10000])
    third = resolve_app(W16[2], taken=[10000, 10000])

    assert [p.service_port for p in first.ports] == [10000]
    assert [p.service_port for p in second.ports] == [10000]
    assert [p.service_port for p in third.ports] == [10001]


# --- W17: updates reuse service ports -------------------------------------------------------


def _svc(cmd, ports):
    return {"id": "/svc", "cmd": cmd, "portDefinitions": [{"port": p} for p in ports]}


def test_w17_update_reuses_service_ports():
    other = [10000]  # /other holds fixed 10000

    created = resolve_app(_svc("./run", [0, 0]), taken=other)
    created_ports = [p.service_port for p in created.ports]
    grown = resolve_app(_svc("./run --v2", [0, 0, 0]), taken=other, previous=created_ports)
    grown_ports = [p.service_port for p in grown.ports]
    pinned = resolve_app(_svc("./run --v3", [10002, 0]), taken=other, previous=grown_ports)

    assert created_ports == [10001, 10002]
    assert grown_ports == [10001, 10002, 10003]
    assert [p.service_port for p in pinned.ports] == [10002, 10001]
    assert [d["port"] for d in pinned.app["portDefinitions"]] == [10002, 10001]


# --- W18-W21: invalid apps ------------------------------------------------------------------
# The spec gives the errors it is about; "other violations in the same request would be reported
# alongside these", so each expected error must be among the app's errors. Inputs are verbatim.

PORT_NAMES_UNIQUE = "Port names must be unique."
PORTS_UNIQUE = "Ports must be unique."


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        pytest.param(
            {
                "id": "/w18",
                "cmd": "x",
                "portDefinitions": [{"port": 9000, "name": "web"}, {"port": 9000, "name": "web"}],
            },
            [("/portDefinitions", PORT_NAMES_UNIQUE), ("/portDefinitions", PORTS_UNIQUE)],
            id="W18-duplicate-ports-and-names",
        ),
        pytest.param(
            {
                "id": "/w18",
                "cmd": "x",
                "portDefinitions": [
                    {"port": 53, "protocol": "tcp"},
                    {"port": 53, "protocol": "udp"},
                ],
            },
            [("/portDefinitions", PORTS_UNIQUE)],
            id="W18-same-port-two-protocols",
        ),
        pytest.param(
            {"id": "/w18", "cmd": "x", "ports": [80, 80]},
            [("/", "ports must be unique")],
            id="W18-legacy-ports-duplicate",
        ),
        pytest.param(
            {"id": "/x", "cmd": "x", "ports": [8080], "portDefinitions": [{"port": 8081}]},
            [("/", "cannot specify both ports and port definitions")],
            id="W19-ports-and-port-definitions",
        ),
        pytest.param(
            {"id": "/x", "cmd": "x", "ipAddress": {"networkName": "dcos"}, "ports": [0]},
            [("/", "cannot specify both an IP address and port")],
            id="W19-ip-address-and-port",
        ),
        pytest.param(
            {
                "id": "/x",
                "networks": [{"mode": "container/bridge"}],
                "container": {"type": "DOCKER", "docker": {"image": "n", "network": "BRIDGE"}},
            },
            [("/", "must not specify both container.docker.network and networks")],
            id="W19-docker-network-and-networks",
        ),
        pytest.param(
            {"id": "/x", "cmd": "x", "ipAddress": {}, "networks": [{"mode": "host"}]},
            [("/", "must not specify both networks and ipAddress")],
            id="W19-networks-and-ip-address",
        ),
        pytest.param(
            {
                "id": "/x",
                "container": {"type": "MESOS", "docker": {"image": "n", "network": "BRIDGE"}},
            },
            [("/container/docker/network", "must be empty")],
            id="W19-mesos-with-docker-network",
        ),
    ],
)
def test_worked_example_invalid_reports_marathon_error(raw, expected):
    result = resolve_app(raw)

    assert not result.valid
    got = {(e.path, e.message) for e in result.errors}
    for error in expected:
        assert error in got


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        pytest.param(
            {
                "id": "/x",
                "container": {"type": "DOCKER", "docker": {"image": "n", "network": "NONE"}},
            },
            "unsupported docker network type NONE",
            id="W19-docker-network-none",
        ),
        pytest.param(
            {
                "id": "/x",
                "container": {
                    "type": "DOCKER",
                    "docker": {
                        "image": "n",
                        "network": "BRIDGE",
                        "portMappings": [{"containerPort": 80}],
                    },
                    "portMappings": [],
                },
            },
            "cannot specify both portMappings and docker.portMappings",
            id="W19-both-port-mapping-lists",
        ),
    ],
)
def test_worked_example_normalization_exception(raw, message):
    # NormalizationException: a 500 with only a message in Marathon (spec §0.1); any path will do.
    result = resolve_app(raw)

    assert [e.message for e in result.errors] == [message]


def _networks(networks):
    return {"id": "/x", "cmd": "./run", "networks": networks}


@pytest.mark.parametrize(
    ("networks", "message"),
    [
        pytest.param(
            [{"mode": "host"}, {"mode": "container/bridge"}],
            "May specify a single host network, single bridge network, or else 1-to-n container "
            "networks",
            id="W20-mixed-modes",
        ),
        pytest.param(
            [{"mode": "host", "name": "x"}],
            "Host networks may not have names or labels",
            id="W20-host-with-name",
        ),
        pytest.param(
            [{"mode": "container/bridge", "name": "x"}],
            "Bridge networks may not have names",
            id="W20-bridge-with-name",
        ),
        pytest.param(
            [{"name": "a"}, {"name": "a"}],
            "Duplicate networks are not allowed",
            id="W20-duplicate-default-mode-container",
        ),
        pytest.param(
            [{"mode": "container"}],
            "Network name must be specified when container network is selected.",
            id="W20-unnamed-container-no-default",
        ),
    ],
)
def test_worked_example_invalid_networks(networks, message):
    result = resolve_app(_networks(networks))

    assert [(e.path, e.message) for e in result.errors] == [("/networks", message)]


@pytest.mark.parametrize(
    ("raw", "pointer", "hint"),
    [
        pytest.param(
            _networks([{"mode": "container", "name": "My.Net"}]),
            "/networks/0/name",
            "network name",
            id="W20-network-name-pattern",
        ),
        pytest.param(
            {"id": "/x", "cmd": "./run", "portDefinitions": [{"port": 0, "protocol": "tcp,udp"}]},
            "/portDefinitions/0/protocol",
            '"udp,tcp"',
            id="W21-tcp-comma-udp",
        ),
        pytest.param(
            {"id": "/x", "cmd": "./run", "portDefinitions": [{"port": 70000}]},
            "/portDefinitions/0/port",
            "65535",
            id="W21-port-above-max",
        ),
        pytest.param(
            {"id": "/x", "cmd": "./run", "portDefinitions": [{"port": 0, "name": "Web_1"}]},
            "/portDefinitions/0/name",
            "lowercase",
            id="W21-port-name-pattern",
        ),
        pytest.param(
            {"id": "/x", "cmd": "./run", "ipAddress": {"discovery": {"ports": [{"number": 80}]}}},
            "/ipAddress/discovery/ports/0/name",
            "required",
            id="W21-discovery-port-name-missing",
        ),
    ],
)
def test_worked_example_invalid_json_value(raw, pointer, hint):
    # Marathon answers these with keys such as error.max; the engine says what to do instead
    # (schema.py), at the same place written as an RFC 6901 pointer.
    result = resolve_app(raw)

    assert [e.path for e in result.errors] == [pointer]
    assert hint in result.errors[0].message


@pytest.mark.parametrize(
    ("protocol", "canonical"),
    [pytest.param("TCP", "tcp", id="TCP"), pytest.param("UDP,TCP", "udp,tcp", id="UDP,TCP")],
)
def test_worked_example_w21_protocol_case_insensitive(protocol, canonical):
    result = resolve_app(
        {"id": "/x", "cmd": "./run", "portDefinitions": [{"port": 0, "protocol": protocol}]}
    )

    assert result.valid
    assert result.app["portDefinitions"][0]["protocol"] == canonical


def test_worked_example_w2_with_empty_port_definitions_has_no_ports():
    result = resolve_app({"id": "/w2", "cmd": "./run", "portDefinitions": []})

    assert result.valid
    assert result.app["portDefinitions"] == []
    assert result.ports == []
    assert not [name for name in result.env_dict() if name.startswith("PORT")]
