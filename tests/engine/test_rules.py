"""Every rule of the spec (shared/spec/marathon-ports.md), table by table: §2 validation, §3
normalization, §4 service ports, §5 host ports, §6 env vars, the schema stage, every lint code,
fleet collisions, and the reader.

Errors are asserted as exact (JSON pointer, Marathon message) pairs. Marathon writes paths like
``/container/portMappings(0)``; the engine writes the same place as an RFC 6901 pointer.
"""

from __future__ import annotations

import pytest

from portplanner.marathon import (
    DEFAULT_POLICY,
    ClusterPolicy,
    Holding,
    PortRangeExhausted,
    ReadError,
    ServicePortAllocator,
    check_fleet,
    find_apps,
    find_collisions,
    parse_json,
    read_apps,
    resolve_app,
)

AGENT_LOW, AGENT_HIGH = DEFAULT_POLICY.agent_port_ranges[0]
DCOS = ClusterPolicy(default_network_name="dcos")

# Marathon's messages (spec §2).
PORT_NAMES_UNIQUE = "Port names must be unique."
PORTS_UNIQUE = "Ports must be unique."
IP_AND_PORT = "cannot specify both an IP address and port"
PORTS_AND_DEFINITIONS = "cannot specify both ports and port definitions"
DOCKER_NETWORK_AND_NETWORKS = "must not specify both container.docker.network and networks"
NETWORKS_AND_IP = "must not specify both networks and ipAddress"
DISCOVERY_DOCKER = "ipAddress/discovery is not allowed for Docker containers"
NETWORK_MIX = (
    "May specify a single host network, single bridge network, or else 1-to-n container networks"
)
HOST_NAMED = "Host networks may not have names or labels"
BRIDGE_NAMED = "Bridge networks may not have names"
DUPLICATE_NETWORKS = "Duplicate networks are not allowed"
NAME_REQUIRED = "Network name must be specified when container network is selected."
SINGLE_ITEM = (
    "networkNames must be a single item list when hostPort is specified and more than 1 "
    "container network is defined"
)
DOCKER_ONE_NETWORK = (
    "may only specify a single container network when using the Docker container engine"
)
HEALTH_PORT_INDEX = (
    "Health check port indices must address an element of the ports array or container port "
    "mappings."
)
CMD_ARGS_CONTAINER = (
    "AppDefinition must either contain one of 'cmd' or 'args', and/or a 'container'."
)


# --- app builders --------------------------------------------------------------------------


def host(**fields):
    return {"id": "/app", "cmd": "./run", **fields}


def bridge(mappings=None, **fields):
    container = {"type": "MESOS"}
    if mappings is not None:
        container["portMappings"] = mappings
    return {
        "id": "/app",
        "cmd": "./run",
        "networks": [{"mode": "container/bridge"}],
        "container": container,
        **fields,
    }


def user(mappings=None, networks=None, container_type="MESOS", **fields):
    container = {"type": container_type}
    if container_type == "DOCKER":
        container["docker"] = {"image": "nginx"}
    if mappings is not None:
        container["portMappings"] = mappings
    return {
        "id": "/app",
        "cmd": "./run",
        "networks": networks or [{"mode": "container", "name": "dcos"}],
        "container": container,
        **fields,
    }


def docker(network, mappings=None, **fields):
    spec = {"image": "nginx", "network": network}
    if mappings is not None:
        spec["portMappings"] = mappings
    return {"id": "/app", "container": {"type": "DOCKER", "docker": spec}, **fields}


def errors_of(result):
    return sorted((e.path, e.message) for e in result.errors)


def warned(result, code):
    return [w.path for w in result.warnings if w.code == code]


def service_ports(result):
    return [p.service_port for p in result.ports]


# --- §2.1 legacy-field rules -----------------------------------------------------------------

DISCOVERY = {"networkName": "dcos", "discovery": {"ports": [{"name": "a", "number": 80}]}}


@pytest.mark.parametrize(
    ("raw", "errors"),
    [
        pytest.param(host(ports=[80, 80]), [("/", "ports must be unique")], id="ports-duplicate"),
        pytest.param(host(ports=[0, 0]), [], id="ports-zero-may-repeat"),
        pytest.param(
            host(ipAddress={"networkName": "dcos"}, ports=[0]),
            [("/", IP_AND_PORT)],
            id="ip-address-and-ports",
        ),
        pytest.param(
            host(ipAddress={"networkName": "dcos"}, portDefinitions=[{"port": 0}]),
            [("/", IP_AND_PORT)],
            id="ip-address-and-port-definitions",
        ),
        pytest.param(
            host(ipAddress={"networkName": "dcos"}, ports=[]), [], id="ip-address-and-empty-ports"
        ),
        pytest.param(
            host(ipAddress={"networkName": "dcos"}, portDefinitions=[]),
            [],
            id="ip-address-and-empty-port-definitions",
        ),
        pytest.param(
            host(ports=[8080], portDefinitions=[{"port": 8081}]),
            [("/", PORTS_AND_DEFINITIONS)],
            id="ports-and-different-port-definitions",
        ),
        pytest.param(
            host(ports=[80, 81], portDefinitions=[{"port": 81}, {"port": 80}]),
            [("/", PORTS_AND_DEFINITIONS)],
            id="ports-and-port-definitions-other-order",
        ),
        pytest.param(
            host(ports=[80, 81], portDefinitions=[{"port": 80}, {"port": 81, "name": "b"}]),
            [],
            id="ports-equal-to-port-definitions",
        ),
        pytest.param(
            docker("BRIDGE", networks=[{"mode": "container/bridge"}]),
            [("/", DOCKER_NETWORK_AND_NETWORKS)],
            id="docker-network-and-networks",
        ),
        pytest.param(docker("BRIDGE", networks=[]), [], id="docker-network-and-empty-networks"),
        pytest.param(
            host(ipAddress={}, networks=[{"mode": "host"}]),
            [("/", NETWORKS_AND_IP)],
            id="networks-and-ip-address",
        ),
        pytest.param(
            {
                "id": "/app",
                "ipAddress": DISCOVERY,
                "container": {"type": "DOCKER", "docker": {"image": "nginx"}},
            },
            [("/ipAddress", DISCOVERY_DOCKER)],
            id="ip-discovery-with-docker",
        ),
        pytest.param(
            docker(
                "BRIDGE", [{"containerPort": 80, "name": "w"}, {"containerPort": 81, "name": "w"}]
            ),
            [("/container/docker/portMappings", PORT_NAMES_UNIQUE)],
            id="docker-port-mapping-names-duplicate",
        ),
        pytest.param(
            host(ipAddress={}, ports=[80, 80]),
            [("/", IP_AND_PORT), ("/", "ports must be unique")],
            id="all-legacy-errors-reported-together",
        ),
    ],
)
def test_legacy_rule(raw, errors):
    assert errors_of(resolve_app(raw)) == sorted(errors)


@pytest.mark.parametrize(
    ("docker_fields", "field"),
    [
        pytest.param({"network": "BRIDGE"}, "network", id="network"),
        pytest.param({"portMappings": [{"containerPort": 80}]}, "portMappings", id="portMappings"),
        pytest.param({"parameters": [{"key": "a", "value": "b"}]}, "parameters", id="parameters"),
        pytest.param({"credential": {"principal": "p"}}, "credential", id="credential"),
    ],
)
def test_legacy_rule_mesos_container_with_docker_field_must_be_empty(docker_fields, field):
    raw = {"id": "/app", "container": {"type": "MESOS", "docker": {"image": "n", **docker_fields}}}

    assert errors_of(resolve_app(raw)) == [(f"/container/docker/{field}", "must be empty")]


# --- §2.2 normalization-time errors ----------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        pytest.param(
            {
                "id": "/app",
                "container": {
                    "type": "DOCKER",
                    "docker": {"image": "n", "portMappings": [{"containerPort": 80}]},
                    "portMappings": [],
                },
            },
            "cannot specify both portMappings and docker.portMappings",
            id="both-mapping-lists",
        ),
        pytest.param(
            host(ipAddress=DISCOVERY, container={"type": "MESOS", "portMappings": [{}]}),
            "container.portMappings and ipAddress.discovery.ports must not both be set",
            id="mesos-mappings-and-discovery",
        ),
        pytest.param(
            host(ipAddress=DISCOVERY, container={"type": "MESOS", "portMappings": []}),
            "container.portMappings and ipAddress.discovery.ports must not both be set",
            id="mesos-empty-mappings-and-discovery",
        ),
        pytest.param(docker("NONE"), "unsupported docker network type NONE", id="none"),
        pytest.param(docker("none"), "unsupported docker network type NONE", id="none-lowercase"),
        pytest.param(
            docker("NONE", ipAddress={"networkName": "dcos"}),
            "unsupported docker network type NONE",
            id="none-with-ip-address",
        ),
    ],
)
def test_normalization_error(raw, message):
    result = resolve_app(raw)

    assert [e.message for e in result.errors] == [message]
    assert not result.valid


@pytest.mark.parametrize(
    ("raw", "errors"),
    [
        # "With the API, 2.1's 'ipAddress/discovery…' fires first."
        pytest.param(
            {
                "id": "/app",
                "ipAddress": DISCOVERY,
                "container": {"type": "DOCKER", "docker": {"image": "n", "network": "USER"}},
            },
            [("/ipAddress", DISCOVERY_DOCKER)],
            id="discovery-with-docker",
        ),
        # "cannot mix deprecated and canonical network APIs": on create, 2.1 catches it first.
        pytest.param(
            host(ipAddress={"networkName": "dcos"}, networks=[{"mode": "container", "name": "x"}]),
            [("/", NETWORKS_AND_IP)],
            id="mix-of-network-apis",
        ),
        # "container network name is not defined": on create, the canonical validator reports it.
        pytest.param(host(ipAddress={}), [("/networks", NAME_REQUIRED)], id="unnamed-ip-address"),
    ],
)
def test_normalization_error_preempted_on_create(raw, errors):
    assert errors_of(resolve_app(raw)) == errors


# --- §2.3 canonical rules ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "errors"),
    [
        pytest.param(
            host(portDefinitions=[{"port": 0, "name": "a"}, {"port": 0, "name": "a"}]),
            [("/portDefinitions", PORT_NAMES_UNIQUE)],
            id="definition-names-duplicate",
        ),
        pytest.param(
            host(portDefinitions=[{"port": 9000}, {"port": 9000}]),
            [("/portDefinitions", PORTS_UNIQUE)],
            id="definition-ports-duplicate",
        ),
        pytest.param(
            host(
                portDefinitions=[{"port": 53, "protocol": "tcp"}, {"port": 53, "protocol": "udp"}]
            ),
            [("/portDefinitions", PORTS_UNIQUE)],
            id="definition-key-is-port-alone",
        ),
        pytest.param(
            host(portDefinitions=[{"port": 53, "protocol": "udp,tcp"}]),
            [],
            id="definition-udp-tcp-instead",
        ),
        pytest.param(
            host(portDefinitions=[{"port": 0}, {"port": 0}, {"port": 0, "name": "a"}]),
            [],
            id="definition-zero-and-unnamed-may-repeat",
        ),
        pytest.param(
            bridge([{"containerPort": 80, "name": "w"}, {"containerPort": 81, "name": "w"}]),
            [("/container/portMappings", PORT_NAMES_UNIQUE)],
            id="mapping-names-duplicate",
        ),
        pytest.param(
            bridge(
                [
                    {"containerPort": 80, "hostPort": 31500, "servicePort": 10500},
                    {"containerPort": 80, "hostPort": 31500, "servicePort": 10500},
                ]
            ),
            [],
            id="mapping-ports-not-checked-for-uniqueness",
        ),
    ],
)
def test_canonical_rule_port_uniqueness(raw, errors):
    assert errors_of(resolve_app(raw)) == errors


TWO_NETWORKS = [{"mode": "container", "name": "net-a"}, {"mode": "container", "name": "net-b"}]


@pytest.mark.parametrize(
    ("raw", "policy", "errors"),
    [
        pytest.param(
            user([{"containerPort": 80, "networkNames": ["net-c"]}], TWO_NETWORKS),
            DEFAULT_POLICY,
            [("/container/portMappings/0/networkNames/0", "is not one of (net-a,net-b)")],
            id="unknown-name",
        ),
        pytest.param(
            user([{"containerPort": 80, "networkNames": ["net-a", "nope"]}], TWO_NETWORKS),
            DEFAULT_POLICY,
            [("/container/portMappings/0/networkNames/1", "is not one of (net-a,net-b)")],
            id="second-entry-unknown",
        ),
        pytest.param(
            bridge([{"containerPort": 80, "networkNames": ["x"]}]),
            DEFAULT_POLICY,
            [("/container/portMappings/0/networkNames/0", "is not one of ()")],
            id="bridge-has-no-names",
        ),
        pytest.param(
            user([{"containerPort": 80, "networkNames": ["dcos"]}], [{"mode": "container"}]),
            DCOS,
            [("/container/portMappings/0/networkNames/0", "is not one of ()")],
            id="checked-before-default-name-injected",
        ),
        pytest.param(
            user([{"containerPort": 80, "networkNames": ["net-b"]}], TWO_NETWORKS),
            DEFAULT_POLICY,
            [],
            id="known-name",
        ),
        pytest.param(
            user(
                [{"containerPort": 80, "networkNames": ["my_net"]}],
                [{"mode": "container", "name": "my_net"}],
            ),
            DEFAULT_POLICY,
            [],
            id="underscore-network-name",
        ),
        # spec §2.6: networkNames items are not pattern-checked while reading, only compared.
        pytest.param(
            user([{"containerPort": 80, "networkNames": ["Bad.Name"]}]),
            DEFAULT_POLICY,
            [("/container/portMappings/0/networkNames/0", "is not one of (dcos)")],
            id="items-not-pattern-checked",
        ),
    ],
)
def test_canonical_rule_network_names(raw, policy, errors):
    assert errors_of(resolve_app(raw, policy)) == errors


@pytest.mark.parametrize(
    ("mapping", "errors"),
    [
        pytest.param(
            {"containerPort": 80, "hostPort": 0},
            [("/container/portMappings/0", SINGLE_ITEM)],
            id="host-port-0-no-names",
        ),
        pytest.param(
            {"containerPort": 80, "hostPort": 31500},
            [("/container/portMappings/0", SINGLE_ITEM)],
            id="host-port-fixed-no-names",
        ),
        pytest.param(
            {"containerPort": 80, "hostPort": 0, "networkNames": ["net-a", "net-b"]},
            [("/container/portMappings/0", SINGLE_ITEM)],
            id="host-port-two-names",
        ),
        pytest.param(
            {"containerPort": 80, "hostPort": 0, "networkNames": ["net-a"]},
            [],
            id="host-port-one-name",
        ),
        pytest.param({"containerPort": 80}, [], id="no-host-port"),
    ],
)
def test_canonical_rule_single_item_network_names(mapping, errors):
    assert errors_of(resolve_app(user([mapping], TWO_NETWORKS))) == errors


def test_canonical_rule_single_item_network_names_only_with_several_container_networks():
    result = resolve_app(user([{"containerPort": 80, "hostPort": 0}]))

    assert result.errors == []


@pytest.mark.parametrize(
    ("networks", "policy", "errors"),
    [
        pytest.param(
            [{"mode": "host"}, {"mode": "container/bridge"}],
            DEFAULT_POLICY,
            [("/networks", NETWORK_MIX)],
            id="host-and-bridge",
        ),
        pytest.param(
            [{"mode": "host"}, {"mode": "host"}],
            DEFAULT_POLICY,
            [("/networks", NETWORK_MIX)],
            id="two-host",
        ),
        pytest.param(
            [{"mode": "container/bridge"}, {"mode": "container/bridge"}],
            DEFAULT_POLICY,
            [("/networks", NETWORK_MIX)],
            id="two-bridge",
        ),
        pytest.param(
            [{"mode": "container/bridge"}, {"mode": "container", "name": "a"}],
            DEFAULT_POLICY,
            [("/networks", NETWORK_MIX)],
            id="bridge-and-container",
        ),
        pytest.param(
            [{"mode": "host", "name": "x"}],
            DEFAULT_POLICY,
            [("/networks", HOST_NAMED)],
            id="host-name",
        ),
        pytest.param(
            [{"mode": "host", "labels": {"a": "b"}}],
            DEFAULT_POLICY,
            [("/networks", HOST_NAMED)],
            id="host-labels",
        ),
        pytest.param(
            [{"mode": "container/bridge", "name": "x"}],
            DEFAULT_POLICY,
            [("/networks", BRIDGE_NAMED)],
            id="bridge-name",
        ),
        pytest.param(
            [{"mode": "container/bridge", "labels": {"a": "b"}}],
            DEFAULT_POLICY,
            [],
            id="bridge-labels-allowed",
        ),
        pytest.param(
            [{"name": "a"}, {"name": "a"}],
            DEFAULT_POLICY,
            [("/networks", DUPLICATE_NETWORKS)],
            id="duplicate-name-mode-defaults-to-container",
        ),
        pytest.param(
            [{"mode": "container"}, {"mode": "container"}],
            DCOS,
            [("/networks", DUPLICATE_NETWORKS)],
            id="two-unnamed-container",
        ),
        pytest.param(
            [{"mode": "container"}],
            DEFAULT_POLICY,
            [("/networks", NAME_REQUIRED)],
            id="unnamed-container-no-default",
        ),
        pytest.param([{"mode": "container"}], DCOS, [], id="unnamed-container-with-default"),
        pytest.param(TWO_NETWORKS, DEFAULT_POLICY, [], id="two-container-networks-mesos"),
        pytest.param([], DEFAULT_POLICY, [], id="empty-means-host"),
    ],
)
def test_canonical_rule_networks(networks, policy, errors):
    assert errors_of(resolve_app(host(networks=networks), policy)) == errors


def test_model_rule_duplicate_networks_after_default_name_injected():
    # spec §2.4: "Duplicate networks are not allowed" runs again on the model, after the unnamed
    # network picked up --default_network_name (NetworkValidation.modelNetworksValidator).
    raw = host(networks=[{"mode": "container", "name": "dcos"}, {"mode": "container"}])

    result = resolve_app(raw, DCOS)

    assert errors_of(result) == [("/networks", DUPLICATE_NETWORKS)]


@pytest.mark.parametrize(
    ("networks", "errors"),
    [
        pytest.param(TWO_NETWORKS, [("/", DOCKER_ONE_NETWORK)], id="two-networks"),
        pytest.param([{"mode": "container", "name": "net-a"}], [], id="one-network"),
    ],
)
def test_canonical_rule_docker_single_container_network(networks, errors):
    raw = user([{"containerPort": 80}], networks, container_type="DOCKER")

    assert errors_of(resolve_app(raw)) == errors


@pytest.mark.parametrize(
    "raw",
    [
        pytest.param(
            host(container={"type": "MESOS", "portMappings": [{"containerPort": 80}]}),
            id="port-mappings-with-host",
        ),
        pytest.param(
            bridge(portDefinitions=[{"port": 0}]),
            id="port-definitions-with-bridge",
        ),
    ],
)
def test_canonical_rule_host_networking_rules_never_fire(raw):
    # "In practice these never fire on POST/PUT": forDeprecated dropped the field first (§2.3).
    result = resolve_app(raw)

    assert result.errors == []


@pytest.mark.parametrize(
    ("raw", "errors"),
    [
        pytest.param(
            host(
                portDefinitions=[{"port": 0}], healthChecks=[{"protocol": "HTTP", "portIndex": 1}]
            ),
            [("/healthChecks/0", HEALTH_PORT_INDEX)],
            id="port-index-out-of-range",
        ),
        pytest.param(
            host(portDefinitions=[{"port": 0}], healthChecks=[{"protocol": "TCP", "portIndex": 0}]),
            [],
            id="port-index-in-range",
        ),
        pytest.param(
            bridge(
                [{"containerPort": 80}, {"containerPort": 81}],
                healthChecks=[{"protocol": "HTTP", "portIndex": 1}],
            ),
            [],
            id="port-index-addresses-mappings",
        ),
        pytest.param(
            host(portDefinitions=[], healthChecks=[{"protocol": "HTTP"}]),
            [("/healthChecks/0", HEALTH_PORT_INDEX)],
            id="no-ports-no-port",
        ),
        pytest.param(
            host(portDefinitions=[], healthChecks=[{"protocol": "HTTP", "port": 8080}]),
            [],
            id="explicit-port",
        ),
        pytest.param(
            host(
                portDefinitions=[],
                healthChecks=[{"protocol": "COMMAND", "command": {"value": "x"}}],
            ),
            [],
            id="command-check",
        ),
        # The model's portIndexIsValid (M/state/AppDefinition.scala:616, 643-652) checks every
        # health check with a port, Mesos ones included; the raml one only HTTP, HTTPS and TCP.
        pytest.param(
            host(portDefinitions=[], healthChecks=[{"protocol": "MESOS_HTTP", "portIndex": 3}]),
            [("/healthChecks/0", HEALTH_PORT_INDEX)],
            id="mesos-http-port-index-out-of-range",
        ),
        pytest.param(
            host(portDefinitions=[], healthChecks=[{"protocol": "MESOS_HTTP", "portIndex": 0}]),
            [("/healthChecks/0", HEALTH_PORT_INDEX)],
            id="mesos-http-port-index-0-no-ports",
        ),
        pytest.param(
            host(portDefinitions=[], healthChecks=[{"protocol": "MESOS_TCP"}]),
            [("/healthChecks/0", HEALTH_PORT_INDEX)],
            id="mesos-tcp-no-ports-no-port",
        ),
        pytest.param(
            host(
                portDefinitions=[{"port": 0}],
                healthChecks=[{"protocol": "MESOS_HTTPS", "portIndex": 1}],
            ),
            [("/healthChecks/0", HEALTH_PORT_INDEX)],
            id="mesos-https-port-index-out-of-range",
        ),
        pytest.param(
            host(portDefinitions=[], healthChecks=[{"protocol": "MESOS_TCP", "port": 8080}]),
            [],
            id="mesos-tcp-explicit-port",
        ),
        pytest.param(
            host(healthChecks=[{"protocol": "MESOS_HTTP"}]),
            [],
            id="mesos-http-on-the-default-port",
        ),
        pytest.param(
            host(
                portDefinitions=[{"port": 0}, {"port": 0}], healthChecks=[{"protocol": "MESOS_TCP"}]
            ),
            [],
            id="mesos-tcp-gets-port-index-0",
        ),
        pytest.param(
            # Checked on the model, after forPostValidation gave the bridge app its default
            # container with one port mapping.
            host(
                networks=[{"mode": "container/bridge"}], healthChecks=[{"protocol": "MESOS_HTTP"}]
            ),
            [],
            id="mesos-http-default-container-mapping",
        ),
        pytest.param(
            # The raml rule runs before that default container exists: no port yet.
            host(networks=[{"mode": "container/bridge"}], healthChecks=[{"protocol": "HTTP"}]),
            [("/healthChecks/0", HEALTH_PORT_INDEX)],
            id="http-before-default-container-mapping",
        ),
    ],
)
def test_canonical_rule_health_check_port_index(raw, errors):
    assert errors_of(resolve_app(raw)) == errors


@pytest.mark.parametrize(
    ("check", "expected"),
    [
        pytest.param({"protocol": "HTTP", "path": "/"}, 0, id="http-gets-port-index-0"),
        pytest.param({"protocol": "TCP"}, 0, id="tcp-gets-port-index-0"),
        pytest.param({"protocol": "MESOS_HTTP"}, 0, id="mesos-http-gets-port-index-0"),
        pytest.param({"protocol": "HTTP", "port": 8080}, None, id="with-port-unchanged"),
        pytest.param({"protocol": "COMMAND", "command": {"value": "true"}}, None, id="command"),
    ],
)
def test_normalize_health_check_default_port_index(check, expected):
    raw = host(portDefinitions=[{"port": 0}, {"port": 0}], healthChecks=[check])

    result = resolve_app(raw)

    assert result.errors == []
    assert result.app["healthChecks"][0].get("portIndex") == expected


@pytest.mark.parametrize(
    ("raw", "errors"),
    [
        pytest.param(
            host(
                portDefinitions=[{"port": 0, "name": "api"}], readinessChecks=[{"portName": "nope"}]
            ),
            [("/readinessChecks/0/portName", "No port definition reference for portName nope")],
            id="unknown-name",
        ),
        pytest.param(
            host(
                portDefinitions=[{"port": 0, "name": "api"}], readinessChecks=[{"portName": "api"}]
            ),
            [],
            id="definition-name",
        ),
        pytest.param(
            bridge([{"containerPort": 80, "name": "web"}], readinessChecks=[{"portName": "web"}]),
            [],
            id="mapping-name",
        ),
        pytest.param(host(readinessChecks=[{"portName": "default"}]), [], id="default-port-name"),
        # Without portName a readiness check asks for Marathon's default name http-api
        # (RAML/readinessCheck.raml, ReadinessCheck.DefaultPortName).
        pytest.param(
            host(readinessChecks=[{"path": "/ready"}]),
            [("/readinessChecks/0/portName", "No port definition reference for portName http-api")],
            id="no-port-name-means-http-api",
        ),
        pytest.param(
            host(portDefinitions=[], readinessChecks=[{}]),
            [("/readinessChecks/0/portName", "No port definition reference for portName http-api")],
            id="no-port-name-no-ports",
        ),
        pytest.param(
            host(portDefinitions=[{"port": 0, "name": "http-api"}], readinessChecks=[{}]),
            [],
            id="no-port-name-finds-http-api",
        ),
        pytest.param(
            bridge([{"containerPort": 80, "name": "http-api"}], readinessChecks=[{}]),
            [],
            id="no-port-name-finds-http-api-mapping",
        ),
    ],
)
def test_canonical_rule_readiness_port_name(raw, errors):
    assert errors_of(resolve_app(raw)) == errors


IMAGE = {"type": "DOCKER", "docker": {"image": "nginx"}}


@pytest.mark.parametrize(
    ("fields", "errors"),
    [
        pytest.param({}, [("/", CMD_ARGS_CONTAINER)], id="nothing"),
        pytest.param({"cmd": "./run"}, [], id="cmd"),
        pytest.param({"args": ["./run"]}, [], id="args"),
        pytest.param({"args": []}, [("/", CMD_ARGS_CONTAINER)], id="empty-args"),
        pytest.param({"container": IMAGE}, [], id="container-with-image"),
        pytest.param(
            {"container": {"type": "MESOS", "docker": {"image": "nginx"}}},
            [],
            id="mesos-container-with-docker-image",
        ),
        pytest.param(
            {"container": {"type": "MESOS"}}, [("/", CMD_ARGS_CONTAINER)], id="mesos-without-image"
        ),
        pytest.param(
            {"cmd": "./run", "args": ["x"]}, [("/", CMD_ARGS_CONTAINER)], id="cmd-and-args"
        ),
        pytest.param(
            {"cmd": "./run", "args": ["x"], "container": IMAGE},
            [("/", CMD_ARGS_CONTAINER)],
            id="cmd-args-and-container",
        ),
        pytest.param({"cmd": "./run", "container": IMAGE}, [], id="cmd-and-container"),
        pytest.param({"args": ["x"], "container": IMAGE}, [], id="args-and-container"),
        # AppValidation.validateCanonicalAppAPI: isTrue("must not be an empty string")(
        # _.cmd.forall(_.length > 1)) -- not in the spec, but Marathon's own rule.
        pytest.param({"cmd": "x"}, [("/", "must not be an empty string")], id="one-character-cmd"),
    ],
)
def test_canonical_rule_cmd_args_or_container(fields, errors):
    result = resolve_app({"id": "/app", "portDefinitions": [], **fields})

    assert errors_of(result) == errors


@pytest.mark.parametrize(
    ("container", "errors"),
    [
        # dockerDockerContainerValidator: `container.docker is definedAnd(...)`, whose message is
        # Marathon's "not defined" (M/api/v2/Validation.scala:35-44).
        pytest.param(
            {"type": "DOCKER"}, [("/container/docker", "not defined")], id="docker-absent"
        ),
        pytest.param({}, [("/container/docker", "not defined")], id="type-defaults-to-docker"),
        pytest.param(
            {"type": "DOCKER", "docker": {"image": ""}},
            [("/container/docker/image", "must not be empty")],
            id="docker-image-empty",
        ),
        pytest.param(
            {"type": "MESOS", "docker": {"image": ""}},
            [("/container/docker/image", "must not be empty")],
            id="mesos-docker-image-empty",
        ),
        pytest.param({"type": "MESOS"}, [], id="mesos-without-docker"),
    ],
)
def test_canonical_rule_docker_container(container, errors):
    result = resolve_app(host(container=container))

    assert errors_of(result) == errors


# --- §3.1 network translation ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "policy", "networks"),
    [
        pytest.param(
            docker("HOST", ipAddress={"networkName": "dcos"}),
            DEFAULT_POLICY,
            [{"mode": "host"}],
            id="ip-address-docker-host",
        ),
        pytest.param(
            docker("USER", ipAddress={"networkName": "dcos", "labels": {"k": "v"}}),
            DEFAULT_POLICY,
            [{"mode": "container", "name": "dcos", "labels": {"k": "v"}}],
            id="ip-address-docker-user",
        ),
        pytest.param(
            docker("BRIDGE", ipAddress={"networkName": "dcos", "labels": {"k": "v"}}),
            DEFAULT_POLICY,
            [{"mode": "container/bridge", "labels": {"k": "v"}}],
            id="ip-address-docker-bridge-name-ignored",
        ),
        pytest.param(
            host(ipAddress={"networkName": "mesos-bridge", "labels": {"k": "v"}}),
            DEFAULT_POLICY,
            [{"mode": "container/bridge", "labels": {"k": "v"}}],
            id="ip-address-mesos-bridge-name",
        ),
        pytest.param(
            host(ipAddress={"networkName": "br0"}),
            ClusterPolicy(mesos_bridge_name="br0"),
            [{"mode": "container/bridge"}],
            id="ip-address-custom-mesos-bridge-name",
        ),
        pytest.param(
            host(ipAddress={"networkName": "mesos-bridge"}),
            ClusterPolicy(mesos_bridge_name="br0"),
            [{"mode": "container", "name": "mesos-bridge"}],
            id="ip-address-default-bridge-name-under-custom-policy",
        ),
        pytest.param(
            host(ipAddress={"networkName": "dcos", "labels": {"k": "v"}}),
            DEFAULT_POLICY,
            [{"mode": "container", "name": "dcos", "labels": {"k": "v"}}],
            id="ip-address-named",
        ),
        pytest.param(
            host(ipAddress={}),
            DCOS,
            [{"mode": "container", "name": "dcos"}],
            id="ip-address-unnamed-gets-default-network-name",
        ),
        pytest.param(docker("HOST"), DEFAULT_POLICY, [{"mode": "host"}], id="docker-host"),
        pytest.param(
            docker("USER"), DCOS, [{"mode": "container", "name": "dcos"}], id="docker-user"
        ),
        pytest.param(
            docker("BRIDGE"), DEFAULT_POLICY, [{"mode": "container/bridge"}], id="docker-bridge"
        ),
        pytest.param(
            host(networks=[{"mode": "container", "name": "a", "labels": {"k": "v"}}]),
            DEFAULT_POLICY,
            [{"mode": "container", "name": "a", "labels": {"k": "v"}}],
            id="canonical-unchanged",
        ),
        pytest.param(
            host(networks=[{"mode": "container"}]),
            DCOS,
            [{"mode": "container", "name": "dcos"}],
            id="default-network-name-injected",
        ),
        pytest.param(
            host(networks=[{}]),
            DCOS,
            [{"mode": "container", "name": "dcos"}],
            id="mode-defaults-to-container",
        ),
        pytest.param(host(networks=[]), DEFAULT_POLICY, [{"mode": "host"}], id="empty-is-host"),
        pytest.param(host(), DEFAULT_POLICY, [{"mode": "host"}], id="absent-is-host"),
    ],
)
def test_normalize_networks(raw, policy, networks):
    result = resolve_app(raw, policy)

    assert result.errors == []
    assert result.app["networks"] == networks
    assert "ipAddress" not in result.app
    assert "network" not in result.app.get("container", {}).get("docker", {})


# --- §3.2 ports → portDefinitions ------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "definitions"),
    [
        pytest.param(
            host(ports=[0, 8080]),
            [{"port": 10000, "protocol": "tcp"}, {"port": 8080, "protocol": "tcp"}],
            id="ports-without-names",
        ),
        pytest.param(
            host(ports=[80], portDefinitions=[{"port": 80, "name": "web"}]),
            [{"port": 80, "name": "web", "protocol": "tcp"}],
            id="port-definitions-win",
        ),
        pytest.param(host(), [{"port": 10000, "protocol": "tcp", "name": "default"}], id="default"),
        pytest.param(
            docker("HOST"),
            [{"port": 10000, "protocol": "tcp", "name": "default"}],
            id="default-for-docker-host",
        ),
        pytest.param(host(portDefinitions=[]), [], id="empty-definitions-kept"),
        pytest.param(host(ports=[]), [], id="empty-ports-kept"),
        pytest.param(
            host(portDefinitions=[{}]), [{"port": 10000, "protocol": "tcp"}], id="field-defaults"
        ),
        pytest.param(
            host(portDefinitions=[{"port": 0, "labels": {}}]),
            [{"port": 10000, "protocol": "tcp"}],
            id="empty-labels-omitted",
        ),
    ],
)
def test_normalize_port_definitions(raw, definitions):
    result = resolve_app(raw)

    assert result.errors == []
    assert result.app["portDefinitions"] == definitions
    assert "ports" not in result.app


@pytest.mark.parametrize(
    "raw",
    [
        pytest.param(bridge(portDefinitions=[{"port": 0}]), id="bridge-definitions"),
        pytest.param(bridge(ports=[0]), id="bridge-ports"),
        pytest.param(user(portDefinitions=[{"port": 0}]), id="container-definitions"),
    ],
)
def test_normalize_port_definitions_dropped_without_host_networking(raw):
    result = resolve_app(raw)

    assert result.errors == []
    assert "portDefinitions" not in result.app
    assert "ports" not in result.app


# --- §3.3 port mappings ----------------------------------------------------------------------


def _mapping(**fields):
    return {"labels": {}, "protocol": "tcp", **fields}


@pytest.mark.parametrize(
    ("raw", "policy", "mappings"),
    [
        pytest.param(
            docker("BRIDGE", [{"containerPort": 80, "hostPort": 0}]),
            DEFAULT_POLICY,
            [_mapping(containerPort=80, hostPort=0, servicePort=10000)],
            id="docker-mappings-moved",
        ),
        pytest.param(
            {
                "id": "/app",
                "container": {
                    "type": "DOCKER",
                    "docker": {"image": "n", "network": "BRIDGE", "portMappings": []},
                    "portMappings": [{"containerPort": 81}],
                },
            },
            DEFAULT_POLICY,
            [_mapping(containerPort=81, hostPort=0, servicePort=10000)],
            id="container-mappings-kept-when-docker-empty",
        ),
        pytest.param(
            {
                "id": "/app",
                "networks": [{"mode": "container", "name": "a"}],
                "container": {
                    "type": "DOCKER",
                    "docker": {
                        "image": "n",
                        "portMappings": [{"containerPort": 80, "networkNames": ["a"]}],
                    },
                },
            },
            DEFAULT_POLICY,
            [_mapping(containerPort=80, networkNames=["a"], servicePort=10000)],
            id="docker-mappings-moved-with-network-names",
        ),
        pytest.param(
            host(
                ipAddress={
                    "networkName": "dcos",
                    "discovery": {
                        "ports": [
                            {
                                "name": "dns",
                                "number": 53,
                                "protocol": "UDP",
                                "labels": {"VIP_0": "/dns:53"},
                            }
                        ]
                    },
                }
            ),
            DEFAULT_POLICY,
            [
                {
                    "containerPort": 53,
                    "name": "dns",
                    "protocol": "udp",
                    "labels": {"VIP_0": "/dns:53"},
                    "servicePort": 10000,
                }
            ],
            id="ip-discovery-without-host-port",
        ),
        pytest.param(
            bridge(),
            DEFAULT_POLICY,
            [_mapping(containerPort=0, hostPort=0, name="default", servicePort=10000)],
            id="bridge-default-mapping",
        ),
        pytest.param(
            user(),
            DEFAULT_POLICY,
            [_mapping(containerPort=0, name="default", servicePort=10000)],
            id="container-default-mapping-no-host-port",
        ),
        pytest.param(
            user([{"containerPort": 80, "networkNames": []}]),
            DEFAULT_POLICY,
            [_mapping(containerPort=80, servicePort=10000)],
            id="empty-network-names-omitted",
        ),
        pytest.param(bridge([]), DEFAULT_POLICY, [], id="bridge-empty-kept"),
        pytest.param(user([]), DEFAULT_POLICY, [], id="container-empty-kept"),
        pytest.param(
            bridge([{}]),
            DEFAULT_POLICY,
            [_mapping(containerPort=0, hostPort=0, servicePort=10000)],
            id="field-defaults-bridge",
        ),
        pytest.param(
            user([{"containerPort": 80}]),
            DEFAULT_POLICY,
            [_mapping(containerPort=80, servicePort=10000)],
            id="container-host-port-stays-absent",
        ),
        pytest.param(
            user([{"containerPort": 80, "hostPort": 0}]),
            DEFAULT_POLICY,
            [_mapping(containerPort=80, hostPort=0, servicePort=10000)],
            id="container-host-port-kept",
        ),
        pytest.param(
            bridge([{"containerPort": 80, "hostPort": 8085}]),
            DEFAULT_POLICY,
            [_mapping(containerPort=80, hostPort=8085, servicePort=10000)],
            id="bridge-fixed-host-port-kept",
        ),
        pytest.param(
            bridge([], portDefinitions=[{"port": 0, "name": "a"}, {"port": 5000}]),
            DEFAULT_POLICY,
            [
                _mapping(containerPort=0, hostPort=0, servicePort=10000),
                _mapping(containerPort=0, hostPort=0, servicePort=10001),
            ],
            id="padded-from-empty",
        ),
        pytest.param(
            bridge([{"containerPort": 80, "name": "w"}], ports=[0, 0, 0]),
            DEFAULT_POLICY,
            [
                _mapping(containerPort=80, hostPort=0, name="w", servicePort=10000),
                _mapping(containerPort=0, hostPort=0, servicePort=10001),
                _mapping(containerPort=0, hostPort=0, servicePort=10002),
            ],
            id="padded-from-legacy-ports",
        ),
        pytest.param(
            bridge(
                [{"containerPort": 80}, {"containerPort": 81}],
                portDefinitions=[{"port": 0}],
            ),
            DEFAULT_POLICY,
            [
                _mapping(containerPort=80, hostPort=0, servicePort=10000),
                _mapping(containerPort=81, hostPort=0, servicePort=10001),
            ],
            id="not-padded-when-more-mappings",
        ),
    ],
)
def test_normalize_port_mappings(raw, policy, mappings):
    result = resolve_app(raw, policy)

    assert result.errors == []
    assert result.app["container"]["portMappings"] == mappings
    assert "portMappings" not in result.app["container"].get("docker", {})


def test_normalize_default_container_without_padding_when_no_container_given():
    # W14a: without a container object only the default mapping is made, whatever the count.
    result = resolve_app(
        {"id": "/app", "cmd": "./run", "networks": [{"mode": "container/bridge"}], "ports": [0, 0]}
    )

    assert result.app["container"] == {
        "type": "MESOS",
        "portMappings": [_mapping(containerPort=0, hostPort=0, name="default", servicePort=10000)],
    }


def test_normalize_ip_address_without_container_creates_mesos_container():
    result = resolve_app(host(ipAddress={"networkName": "dcos"}))

    assert result.app["container"]["type"] == "MESOS"


@pytest.mark.parametrize(
    "raw",
    [
        pytest.param(
            host(container={"type": "MESOS", "portMappings": [{"containerPort": 80}]}),
            id="mesos-canonical-host",
        ),
        pytest.param(
            docker("HOST", [{"containerPort": 80, "hostPort": 0}], cmd="./run"),
            id="docker-host-legacy",
        ),
        pytest.param(
            host(
                networks=[{"mode": "host"}],
                container={"type": "MESOS", "portMappings": [{"containerPort": 80}]},
            ),
            id="explicit-host-network",
        ),
    ],
)
def test_normalize_port_mappings_dropped_under_host(raw):
    result = resolve_app(raw)

    assert result.errors == []
    assert "portMappings" not in result.app["container"]
    assert result.app["portDefinitions"] == [{"port": 10000, "protocol": "tcp", "name": "default"}]


@pytest.mark.parametrize(
    ("raw", "require_ports"),
    [
        pytest.param(host(requirePorts=True), True, id="host-kept"),
        pytest.param(host(), False, id="host-default-false"),
        pytest.param(bridge(requirePorts=True), False, id="bridge-forced-false"),
        pytest.param(user(requirePorts=True), False, id="container-forced-false"),
        pytest.param(docker("BRIDGE", requirePorts=True), False, id="legacy-bridge-forced-false"),
    ],
)
def test_normalize_require_ports(raw, require_ports):
    result = resolve_app(raw)

    assert result.app["requirePorts"] is require_ports


@pytest.mark.parametrize(
    ("raw", "path", "canonical"),
    [
        pytest.param(
            host(portDefinitions=[{"port": 0, "protocol": "TCP"}]),
            ("portDefinitions", 0, "protocol"),
            "tcp",
            id="protocol-TCP",
        ),
        pytest.param(
            host(portDefinitions=[{"port": 0, "protocol": "UDP,TCP"}]),
            ("portDefinitions", 0, "protocol"),
            "udp,tcp",
            id="protocol-UDP,TCP",
        ),
        pytest.param(
            bridge([{"containerPort": 80, "protocol": "Udp"}]),
            ("container", "portMappings", 0, "protocol"),
            "udp",
            id="mapping-protocol-Udp",
        ),
        pytest.param(
            docker("bridge"),
            ("networks", 0, "mode"),
            "container/bridge",
            id="docker-network-bridge",
        ),
        pytest.param(
            docker("Host", cmd="./run"), ("networks", 0, "mode"), "host", id="docker-network-Host"
        ),
        pytest.param(
            host(networks=[{"mode": "Container/Bridge"}]),
            ("networks", 0, "mode"),
            "container/bridge",
            id="network-mode-Container/Bridge",
        ),
        pytest.param(
            host(networks=[{"mode": "HOST"}]),
            ("networks", 0, "mode"),
            "host",
            id="network-mode-HOST",
        ),
        pytest.param(
            {"id": "/app", "container": {"type": "docker", "docker": {"image": "n"}}},
            ("container", "type"),
            "DOCKER",
            id="container-type-docker",
        ),
    ],
)
def test_normalize_enums_case_insensitive_written_canonical(raw, path, canonical):
    result = resolve_app(raw)
    value = result.app
    for part in path:
        value = value[part]

    assert result.errors == []
    assert value == canonical


def test_normalize_relative_app_id_made_absolute():
    result = resolve_app({"id": "shop/web", "cmd": "./run"})

    assert result.app["id"] == "/shop/web"
    assert result.id == "/shop/web"


# --- §4 service-port assignment --------------------------------------------------------------


def _zeros(n, app_id="/app"):
    return {"id": app_id, "cmd": "./run", "portDefinitions": [{"port": 0}] * n}


@pytest.mark.parametrize(
    ("ports", "taken", "previous", "assigned"),
    [
        pytest.param([0, 0, 0], [], [], [10000, 10001, 10002], id="ascending-from-min"),
        pytest.param([0, 0], [10000, 10002], [], [10001, 10003], id="skips-taken"),
        pytest.param([0], list(range(10000, 20000)), [], [20000], id="range-inclusive-at-max"),
        pytest.param([0, 10000], [], [], [10001, 10000], id="own-fixed-port-not-given-twice"),
        pytest.param([9000, 25000], [], [], [9000, 25000], id="fixed-left-alone-outside-range"),
        pytest.param([0, 0], [], [10005, 10003], [10005, 10003], id="previous-reused-in-order"),
        pytest.param(
            [10000, 0, 10001],
            [],
            [10000, 10001],
            [10000, 10002, 10001],
            id="previous-used-by-new-fixed-not-reused",
        ),
        pytest.param([0], [], [9000], [10000], id="previous-outside-range-not-reused"),
        pytest.param([0, 0], [], [10007], [10007, 10000], id="previous-then-next-free"),
        pytest.param([0], [10000], [10000], [10000], id="previous-reused-although-taken-by-itself"),
    ],
)
def test_service_port_assignment(ports, taken, previous, assigned):
    raw = {"id": "/app", "cmd": "./run", "portDefinitions": [{"port": p} for p in ports]}

    result = resolve_app(raw, taken=taken, previous=previous)

    assert service_ports(result) == assigned
    assert [d["port"] for d in result.app["portDefinitions"]] == assigned


def test_service_port_assigned_to_every_mapping_including_container_only():
    result = resolve_app(user([{"containerPort": 80}, {"containerPort": 0, "hostPort": 0}]))

    assert [m["servicePort"] for m in result.app["container"]["portMappings"]] == [10000, 10001]


def test_service_port_shared_across_apps_in_a_fleet():
    fleet = check_fleet([_zeros(2, "/a"), _zeros(1, "/b"), _zeros(2, "/c")])

    assert [service_ports(r) for r in fleet.apps] == [[10000, 10001], [10002], [10003, 10004]]


def test_service_port_fleet_reserves_every_fixed_port_first():
    fleet = check_fleet(
        [_zeros(1, "/a"), host(id="/b", portDefinitions=[{"port": 10000}, {"port": 10001}])]
    )

    assert [service_ports(r) for r in fleet.apps] == [[10002], [10000, 10001]]


@pytest.mark.parametrize(
    ("apps", "errors"),
    [
        pytest.param(
            [_zeros(3)],
            [["All ports in the range [10000-10001) are already in use"]],
            id="one-app",
        ),
        pytest.param(
            [_zeros(2, "/a"), _zeros(1, "/b")],
            [[], ["All ports in the range [10000-10001) are already in use"]],
            id="second-app",
        ),
    ],
)
def test_service_port_range_exhausted(apps, errors):
    tiny = ClusterPolicy(local_port_min=10000, local_port_max=10001)

    fleet = check_fleet(apps, tiny)

    assert [[e.message for e in r.errors] for r in fleet.apps] == errors


def test_service_port_allocator_raises_when_exhausted():
    allocator = ServicePortAllocator(10000, 10002, taken=[10001])

    assert allocator.assign([0, 0]) == [10000, 10002]
    with pytest.raises(PortRangeExhausted, match=r"^All ports in the range \[10000-10002\) are"):
        allocator.assign([0])


def test_service_port_fixed_outside_range_accepted():
    result = resolve_app(host(portDefinitions=[{"port": 9000}]))

    assert result.valid
    assert service_ports(result) == [9000]


def test_service_port_never_0_when_range_starts_at_0():
    # 0 asks for a port, so it is never one (AssignDynamicServiceLogicTest "Assign dynamic service
    # ports w/ both BRIDGE and USER containers" runs with the range 0 until 12).
    policy = ClusterPolicy(local_port_min=0, local_port_max=5)

    result = resolve_app(_zeros(2), policy)

    assert service_ports(result) == [1, 2]


def test_service_port_allocator_never_hands_out_0():
    allocator = ServicePortAllocator(0, 1, candidates=iter([0, 1]))

    assert allocator.assign([0]) == [1]
    with pytest.raises(PortRangeExhausted):
        allocator.assign([0])


# --- §5 host ports --------------------------------------------------------------------------


def _hosts(result):
    return [(p.host_port, p.host_port_dynamic) for p in result.ports]


def test_host_port_absent_in_container_mode_takes_no_port():
    result = resolve_app(user([{"containerPort": 80}]))

    assert _hosts(result) == [(None, False)]


def test_host_port_fixed_is_required_as_given():
    result = resolve_app(bridge([{"containerPort": 80, "hostPort": 31777}]))

    assert _hosts(result) == [(31777, False)]


def test_host_port_zero_is_random_and_avoids_own_fixed_host_ports():
    result = resolve_app(
        bridge([{"containerPort": 80, "hostPort": 0}, {"containerPort": 81, "hostPort": AGENT_LOW}])
    )
    (random_port, dynamic), fixed = _hosts(result)

    assert dynamic
    assert AGENT_LOW <= random_port <= AGENT_HIGH
    assert random_port != AGENT_LOW
    assert fixed == (AGENT_LOW, False)


def test_host_port_preview_drawn_ascending_from_agent_range_start():
    policy = ClusterPolicy(agent_port_ranges=((40000, 40100),))

    result = resolve_app(host(ports=[0, 0]), policy)

    assert _hosts(result) == [(40000, True), (40001, True)]


def test_host_port_host_networking_ignores_port_numbers_without_require_ports():
    result = resolve_app(host(portDefinitions=[{"port": 12000}]))

    ((port, dynamic),) = _hosts(result)
    assert dynamic
    assert port != 12000


def test_host_port_require_ports_uses_assigned_service_ports():
    result = resolve_app(host(portDefinitions=[{"port": 31500}, {"port": 0}], requirePorts=True))

    assert _hosts(result) == [(31500, False), (10000, False)]


def test_host_port_require_ports_ignored_for_mappings():
    result = resolve_app(user([{"containerPort": 80, "hostPort": 0}], requirePorts=True))

    assert _hosts(result) == [(AGENT_LOW, True)]


# --- §6 task environment variables ---------------------------------------------------------


@pytest.mark.parametrize(
    "raw",
    [
        pytest.param(host(ports=[0, 0]), id="host"),
        pytest.param(host(portDefinitions=[{"port": 0}], requirePorts=True), id="host-require"),
        pytest.param(bridge([{"containerPort": 0}, {"containerPort": 0}]), id="bridge"),
        pytest.param(user([{"containerPort": 0}, {"containerPort": 0}]), id="container"),
        pytest.param(user([{"containerPort": 0, "hostPort": 0}]), id="container-host-port"),
    ],
)
def test_env_port_0_never_appears(raw):
    env = resolve_app(raw).env_dict()

    assert "PORT_0" not in env
    assert env  # the app has ports, so it has port variables


def test_env_container_mode_port_is_first_assigned_not_port0():
    # Mapping 0 has no host port and containerPort 0 (random g); mapping 1 has a host port.
    result = resolve_app(user([{"containerPort": 0}, {"containerPort": 80, "hostPort": 0}]))
    env = result.env_dict()
    g, h = env["PORT0"], str(result.ports[1].host_port)

    assert env["PORT1"] == h
    assert env["PORT"] == h  # host ports come first in allAssigned (spec §6.2 step 4)
    assert env["PORTS"] == f"{h},{g}"
    assert env[f"PORT_{g}"] == g
    assert env["PORT_80"] == h


def test_env_fixed_container_only_ports_leave_port_unset_and_ports_empty():
    env = resolve_app(user([{"containerPort": 80}, {"containerPort": 8080}])).env_dict()

    assert {k: v for k, v in env.items() if k.startswith("PORT")} == {
        "PORT0": "80",
        "PORT1": "8080",
        "PORT_80": "80",
        "PORT_8080": "8080",
        "PORTS": "",
    }


def test_env_generated_port_differs_from_requested_ports():
    env = resolve_app(user([{"containerPort": 1025}, {"containerPort": 0}])).env_dict()

    assert env["PORT0"] == "1025"
    assert env["PORT1"] != "1025"
    assert 1025 <= int(env["PORT1"]) <= 65535


def test_env_generated_ports_differ_from_each_other():
    env = resolve_app(user([{"containerPort": 0}, {"containerPort": 0}])).env_dict()

    assert env["PORT0"] != env["PORT1"]
    assert env["PORTS"] == f"{env['PORT0']},{env['PORT1']}"


@pytest.mark.parametrize(
    "raw",
    [
        pytest.param(host(portDefinitions=[]), id="host-empty"),
        pytest.param(host(ports=[]), id="host-empty-ports"),
        pytest.param(bridge([]), id="bridge-empty"),
        pytest.param(user([]), id="container-empty"),
    ],
)
def test_env_no_ports_no_port_variables(raw):
    result = resolve_app(raw)

    assert result.valid
    assert not [name for name in result.env_dict() if name.startswith("PORT")]


def test_env_prefix_prepended_to_port_variables():
    policy = ClusterPolicy(env_vars_prefix="CUSTOM_PREFIX_")

    env = resolve_app(host(portDefinitions=[{"port": 0, "name": "web"}]), policy).env_dict()
    h = env["CUSTOM_PREFIX_PORT0"]

    assert {k: v for k, v in env.items() if k.startswith("CUSTOM_PREFIX_PORT")} == {
        "CUSTOM_PREFIX_PORT0": h,
        "CUSTOM_PREFIX_PORT_10000": h,
        "CUSTOM_PREFIX_PORT_WEB": h,
        "CUSTOM_PREFIX_PORT": h,
        "CUSTOM_PREFIX_PORTS": h,
    }
    assert not [k for k in env if k.startswith(("PORT", "HOST"))]


def test_env_prefix_not_applied_to_user_env():
    policy = ClusterPolicy(env_vars_prefix="CUSTOM_PREFIX_")

    result = resolve_app(host(portDefinitions=[{"port": 0}], env={"PORT0": "8080"}), policy)
    env = result.env_dict()

    assert env["CUSTOM_PREFIX_PORT0"] == str(result.ports[0].host_port)
    assert not warned(result, "env-name-clash")


def test_env_user_env_overrides_generated_variable():
    result = resolve_app(host(env={"PORT0": "8080", "OTHER": "x"}))

    assert result.env_dict()["PORT0"] == "8080"
    assert warned(result, "env-name-clash") == ["/env/PORT0"]


def test_env_user_secret_does_not_override_generated_variable():
    # Only the env's string values are added (spec §6.3); a secret reference is not a value.
    result = resolve_app(host(env={"PORT0": {"secret": "s"}}))

    assert result.env_dict()["PORT0"] == str(result.ports[0].host_port)
    assert not warned(result, "env-name-clash")


@pytest.mark.parametrize(
    ("name", "variable"),
    [
        pytest.param("web", "PORT_WEB", id="lower"),
        pytest.param("my-port", "PORT_MY-PORT", id="dash-kept"),
        pytest.param("web-api2", "PORT_WEB-API2", id="digits-and-dash"),
    ],
)
def test_env_port_name_only_upper_cased(name, variable):
    result = resolve_app(host(portDefinitions=[{"port": 0, "name": name}]))

    assert result.env_dict()[variable] == str(result.ports[0].host_port)


@pytest.mark.parametrize(
    ("mappings", "named_index"),
    [
        pytest.param(
            [{"containerPort": 80}, {"containerPort": 0, "name": "80"}], 1, id="named-port-later"
        ),
        pytest.param(
            [{"containerPort": 0, "name": "80"}, {"containerPort": 80}], 0, id="named-port-first"
        ),
    ],
)
def test_env_port_named_like_a_number_overwrites_numeric_variable(mappings, named_index):
    # Step 3 (names) runs after step 2 (numbers): the named port's value wins (spec §6.2 step 5).
    result = resolve_app(bridge(mappings))

    assert result.env_dict()["PORT_80"] == str(result.ports[named_index].host_port)


@pytest.mark.parametrize(
    ("mappings", "named_index"),
    [
        pytest.param(
            [{"containerPort": 80}, {"containerPort": 0, "name": "80"}], 1, id="named-port-later"
        ),
        pytest.param(
            [{"containerPort": 0, "name": "80"}, {"containerPort": 80}], 0, id="named-port-first"
        ),
    ],
)
def test_lint_env_name_clash_points_at_the_clashing_port_name(mappings, named_index):
    # The fix says "Rename the port so its name is not a port number", so the pointer must name
    # that port's `name` (style.md 5: messages name the JSON path and say what to do).
    result = resolve_app(bridge(mappings))

    assert warned(result, "env-name-clash") == [f"/container/portMappings/{named_index}/name"]


# --- schema stage (Marathon's JSON reader, spec §1, §2.6) ----------------------------------


SCHEMA_CASES = [
    # (id, app, pointer, a phrase the message must contain)
    ("port-above-max", host(portDefinitions=[{"port": 70000}]), "/portDefinitions/0/port", "65535"),
    ("port-negative", host(portDefinitions=[{"port": -1}]), "/portDefinitions/0/port", "0 to"),
    ("port-string", host(portDefinitions=[{"port": "80"}]), "/portDefinitions/0/port", "port"),
    (
        "protocol-tcp,udp",
        host(portDefinitions=[{"port": 0, "protocol": "tcp,udp"}]),
        "/portDefinitions/0/protocol",
        '"udp,tcp"',
    ),
    (
        "protocol-TCP,UDP",
        host(portDefinitions=[{"port": 0, "protocol": "TCP,UDP"}]),
        "/portDefinitions/0/protocol",
        '"udp,tcp"',
    ),
    (
        "protocol-sctp",
        host(portDefinitions=[{"port": 0, "protocol": "sctp"}]),
        "/portDefinitions/0/protocol",
        "udp,tcp",
    ),
    (
        "name-pattern",
        host(portDefinitions=[{"port": 0, "name": "Web_1"}]),
        "/portDefinitions/0/name",
        "lowercase",
    ),
    (
        "name-leading-dash",
        host(portDefinitions=[{"port": 0, "name": "-web"}]),
        "/portDefinitions/0/name",
        "dashes",
    ),
    (
        "label-not-string",
        host(portDefinitions=[{"port": 0, "labels": {"VIP_0": 80}}]),
        "/portDefinitions/0/labels/VIP_0",
        "string",
    ),
    (
        "host-port-above-max",
        bridge([{"containerPort": 80, "hostPort": 70000}]),
        "/container/portMappings/0/hostPort",
        "65535",
    ),
    (
        "service-port-negative",
        bridge([{"containerPort": 80, "servicePort": -1}]),
        "/container/portMappings/0/servicePort",
        "0 to",
    ),
    (
        "docker-container-port-above-max",
        docker("BRIDGE", [{"containerPort": 70000}]),
        "/container/docker/portMappings/0/containerPort",
        "65535",
    ),
    (
        "network-name-pattern",
        host(networks=[{"mode": "container", "name": "My.Net"}]),
        "/networks/0/name",
        "network name",
    ),
    (
        "network-name-too-long",
        host(networks=[{"mode": "container", "name": "a" * 64}]),
        "/networks/0/name",
        "63",
    ),
    ("network-mode", host(networks=[{"mode": "overlay"}]), "/networks/0/mode", "container/bridge"),
    ("docker-network", docker("OVERLAY"), "/container/docker/network", "BRIDGE"),
    ("legacy-port-negative", host(ports=[-1]), "/ports/0", "0 or more"),
    (
        "discovery-port-name-missing",
        host(ipAddress={"discovery": {"ports": [{"number": 80}]}}),
        "/ipAddress/discovery/ports/0/name",
        "required",
    ),
    ("id-missing", {"cmd": "./run"}, "/id", "required"),
]


@pytest.mark.parametrize(
    ("raw", "pointer", "hint"), [pytest.param(*case[1:], id=case[0]) for case in SCHEMA_CASES]
)
def test_schema_error_pointer_and_message(raw, pointer, hint):
    result = resolve_app(raw)

    assert [e.path for e in result.errors] == [pointer]
    assert hint in result.errors[0].message


@pytest.mark.parametrize(
    "raw",
    [
        # strings.LegacyName has no maxLength (spec §1.1), and names may start with a digit.
        pytest.param(host(portDefinitions=[{"port": 0, "name": "a" * 100}]), id="long-port-name"),
        pytest.param(host(portDefinitions=[{"port": 0, "name": "8080-alt"}]), id="digit-first"),
        pytest.param(host(networks=[{"mode": "container", "name": "a" * 63}]), id="name-63"),
        pytest.param(bridge([{"containerPort": 65535, "hostPort": 0}]), id="port-65535"),
    ],
)
def test_schema_accepts_edge_values(raw):
    assert resolve_app(raw).errors == []


def test_schema_legacy_ports_items_not_range_checked():
    # spec §2.6 (UNVERIFIED there): `ports: [70000]` passes the reader; only `>= 0` is checked.
    result = resolve_app(host(ports=[70000]))

    assert result.valid
    assert service_ports(result) == [70000]


# --- lint: warnings Marathon never gives ---------------------------------------------------


LINT_CASES = [
    # legacy-api
    pytest.param(host(ports=[0]), DEFAULT_POLICY, "legacy-api", ["/ports"], id="legacy-api-ports"),
    pytest.param(
        docker("BRIDGE"),
        DEFAULT_POLICY,
        "legacy-api",
        ["/container/docker/network"],
        id="legacy-api-docker-network",
    ),
    pytest.param(
        host(ipAddress={"networkName": "dcos"}),
        DEFAULT_POLICY,
        "legacy-api",
        ["/ipAddress"],
        id="legacy-api-ip-address",
    ),
    pytest.param(
        host(portDefinitions=[{"port": 0}]), DEFAULT_POLICY, "legacy-api", [], id="legacy-api-no"
    ),
    # dropped-port-mappings
    pytest.param(
        host(container={"type": "MESOS", "portMappings": [{"containerPort": 80}]}),
        DEFAULT_POLICY,
        "dropped-port-mappings",
        ["/container/portMappings"],
        id="dropped-port-mappings-yes",
    ),
    pytest.param(
        host(container={"type": "MESOS", "portMappings": []}),
        DEFAULT_POLICY,
        "dropped-port-mappings",
        [],
        id="dropped-port-mappings-empty-no",
    ),
    pytest.param(
        bridge([{"containerPort": 80}]),
        DEFAULT_POLICY,
        "dropped-port-mappings",
        [],
        id="dropped-port-mappings-bridge-no",
    ),
    # dropped-port-definitions
    pytest.param(
        bridge(portDefinitions=[{"port": 0}]),
        DEFAULT_POLICY,
        "dropped-port-definitions",
        ["/portDefinitions"],
        id="dropped-port-definitions-yes",
    ),
    pytest.param(
        bridge(ports=[0]),
        DEFAULT_POLICY,
        "dropped-port-definitions",
        ["/ports"],
        id="dropped-port-definitions-legacy-ports",
    ),
    pytest.param(
        bridge(portDefinitions=[]),
        DEFAULT_POLICY,
        "dropped-port-definitions",
        [],
        id="dropped-port-definitions-empty-no",
    ),
    pytest.param(
        host(portDefinitions=[{"port": 0}]),
        DEFAULT_POLICY,
        "dropped-port-definitions",
        [],
        id="dropped-port-definitions-host-no",
    ),
    # require-ports-ignored
    pytest.param(
        bridge(requirePorts=True),
        DEFAULT_POLICY,
        "require-ports-ignored",
        ["/requirePorts"],
        id="require-ports-ignored-yes",
    ),
    pytest.param(
        host(portDefinitions=[{"port": 31500}], requirePorts=True),
        DEFAULT_POLICY,
        "require-ports-ignored",
        [],
        id="require-ports-ignored-host-no",
    ),
    # require-ports-dynamic
    pytest.param(
        host(portDefinitions=[{"port": 31500}, {"port": 0}], requirePorts=True),
        DEFAULT_POLICY,
        "require-ports-dynamic",
        ["/portDefinitions/1/port"],
        id="require-ports-dynamic-yes",
    ),
    pytest.param(
        host(portDefinitions=[{"port": 31500}], requirePorts=True),
        DEFAULT_POLICY,
        "require-ports-dynamic",
        [],
        id="require-ports-dynamic-fixed-no",
    ),
    pytest.param(
        host(portDefinitions=[{"port": 0}]),
        DEFAULT_POLICY,
        "require-ports-dynamic",
        [],
        id="require-ports-dynamic-without-require-no",
    ),
    # service-port-outside-range
    pytest.param(
        host(portDefinitions=[{"port": 9000}]),
        DEFAULT_POLICY,
        "service-port-outside-range",
        ["/portDefinitions/0/port"],
        id="service-port-outside-range-definition",
    ),
    pytest.param(
        bridge([{"containerPort": 80, "servicePort": 20001}]),
        DEFAULT_POLICY,
        "service-port-outside-range",
        ["/container/portMappings/0/servicePort"],
        id="service-port-outside-range-mapping",
    ),
    pytest.param(
        host(portDefinitions=[{"port": 20000}, {"port": 10000}]),
        DEFAULT_POLICY,
        "service-port-outside-range",
        [],
        id="service-port-outside-range-edges-no",
    ),
    pytest.param(
        host(portDefinitions=[{"port": 9000}]),
        ClusterPolicy(local_port_min=9000, local_port_max=9999),
        "service-port-outside-range",
        [],
        id="service-port-outside-range-policy-no",
    ),
    # host-port-outside-agent-range
    pytest.param(
        bridge([{"containerPort": 80, "hostPort": 8085}]),
        DEFAULT_POLICY,
        "host-port-outside-agent-range",
        ["/container/portMappings/0/hostPort"],
        id="host-port-outside-agent-range-mapping",
    ),
    pytest.param(
        host(portDefinitions=[{"port": 7777}], requirePorts=True),
        DEFAULT_POLICY,
        "host-port-outside-agent-range",
        ["/portDefinitions/0/port"],
        id="host-port-outside-agent-range-require-ports",
    ),
    pytest.param(
        bridge([{"containerPort": 80, "hostPort": 31500}]),
        DEFAULT_POLICY,
        "host-port-outside-agent-range",
        [],
        id="host-port-outside-agent-range-inside-no",
    ),
    pytest.param(
        host(portDefinitions=[{"port": 7777}]),
        DEFAULT_POLICY,
        "host-port-outside-agent-range",
        [],
        id="host-port-outside-agent-range-not-required-no",
    ),
    pytest.param(
        bridge([{"containerPort": 80, "hostPort": 8085}]),
        ClusterPolicy(agent_port_ranges=((8000, 9000),)),
        "host-port-outside-agent-range",
        [],
        id="host-port-outside-agent-range-policy-no",
    ),
    # too-few-agent-ports
    pytest.param(
        bridge([{"containerPort": 80, "hostPort": 0}, {"containerPort": 81, "hostPort": 0}]),
        ClusterPolicy(agent_port_ranges=((31000, 31000),)),
        "too-few-agent-ports",
        ["/container/portMappings/1"],
        id="too-few-agent-ports",
    ),
    pytest.param(
        bridge([{"containerPort": 80, "hostPort": 31001}, {"containerPort": 81, "hostPort": 0}]),
        ClusterPolicy(agent_port_ranges=((31000, 31001),)),
        "too-few-agent-ports",
        [],
        id="too-few-agent-ports-exact-fit-no",
    ),
    pytest.param(
        user([{"containerPort": 80}, {"containerPort": 81, "hostPort": 0}]),
        ClusterPolicy(agent_port_ranges=((31000, 31000),)),
        "too-few-agent-ports",
        [],
        id="too-few-agent-ports-container-only-takes-none-no",
    ),
    # env-name-not-shell-safe
    pytest.param(
        host(portDefinitions=[{"port": 0, "name": "my-port"}]),
        DEFAULT_POLICY,
        "env-name-not-shell-safe",
        ["/portDefinitions/0/name"],
        id="env-name-not-shell-safe-definition",
    ),
    pytest.param(
        user([{"containerPort": 80}, {"containerPort": 81, "name": "web-api"}]),
        DEFAULT_POLICY,
        "env-name-not-shell-safe",
        ["/container/portMappings/1/name"],
        id="env-name-not-shell-safe-mapping",
    ),
    pytest.param(
        host(portDefinitions=[{"port": 0, "name": "webapi2"}]),
        DEFAULT_POLICY,
        "env-name-not-shell-safe",
        [],
        id="env-name-not-shell-safe-no",
    ),
    # env-name-clash
    pytest.param(
        host(env={"PORT": "8080"}),
        DEFAULT_POLICY,
        "env-name-clash",
        ["/env/PORT"],
        id="env-name-clash-user-env",
    ),
    pytest.param(
        host(env={"PORTAL": "x", "PORT9": "y"}),
        DEFAULT_POLICY,
        "env-name-clash",
        [],
        id="env-name-clash-no",
    ),
    # undefined-port-reference
    pytest.param(
        host(cmd="./run --a $PORT0 --b $PORT2", ports=[0, 0]),
        DEFAULT_POLICY,
        "undefined-port-reference",
        ["/cmd"],
        id="undefined-port-reference-index",
    ),
    pytest.param(
        host(cmd="./run --port ${PORT_X}", portDefinitions=[{"port": 0, "name": "http"}]),
        DEFAULT_POLICY,
        "undefined-port-reference",
        ["/cmd"],
        id="undefined-port-reference-braced-name",
    ),
    pytest.param(
        {"id": "/app", "args": ["serve", "--port=$PORT_API"], "portDefinitions": []},
        DEFAULT_POLICY,
        "undefined-port-reference",
        ["/args/1"],
        id="undefined-port-reference-args",
    ),
    pytest.param(
        host(env={"LISTEN": "$PORT1"}),
        DEFAULT_POLICY,
        "undefined-port-reference",
        ["/env/LISTEN"],
        id="undefined-port-reference-env",
    ),
    pytest.param(
        user([{"containerPort": 80}], cmd="./run $PORT"),
        DEFAULT_POLICY,
        "undefined-port-reference",
        ["/cmd"],
        id="undefined-port-reference-port-unset",
    ),
    pytest.param(
        host(
            cmd="./run $PORT0 $PORT1 ${PORT_HTTP} $PORT $PORTS $PORT_10001 $HOME",
            portDefinitions=[{"port": 0, "name": "http"}, {"port": 0}],
        ),
        DEFAULT_POLICY,
        "undefined-port-reference",
        [],
        id="undefined-port-reference-no",
    ),
    pytest.param(
        host(cmd="./run $CUSTOM_PREFIX_PORT0", ports=[0]),
        ClusterPolicy(env_vars_prefix="CUSTOM_PREFIX_"),
        "undefined-port-reference",
        [],
        id="undefined-port-reference-prefixed-no",
    ),
    pytest.param(
        host(cmd="./run $PORT0", ports=[0]),
        ClusterPolicy(env_vars_prefix="CUSTOM_PREFIX_"),
        "undefined-port-reference",
        ["/cmd"],
        # With a prefix the task has CUSTOM_PREFIX_PORT0 and no PORT0 (spec §6.3).
        id="undefined-port-reference-unprefixed-under-prefix",
    ),
    pytest.param(
        host(cmd="./run $PORT0", ports=[0], env={"PORT0": "1"}),
        DEFAULT_POLICY,
        "undefined-port-reference",
        [],
        id="undefined-port-reference-user-env-no",
    ),
    # duplicate-service-port
    pytest.param(
        bridge(
            [
                {"containerPort": 80, "servicePort": 10500},
                {"containerPort": 81, "servicePort": 10500},
            ]
        ),
        DEFAULT_POLICY,
        "duplicate-service-port",
        ["/container/portMappings/1/servicePort"],
        id="duplicate-service-port-yes",
    ),
    pytest.param(
        bridge([{"containerPort": 80}, {"containerPort": 81}]),
        DEFAULT_POLICY,
        "duplicate-service-port",
        [],
        id="duplicate-service-port-dynamic-no",
    ),
    # duplicate-host-port
    pytest.param(
        bridge(
            [
                {"containerPort": 80, "hostPort": 31500},
                {"containerPort": 81, "hostPort": 31500},
            ]
        ),
        DEFAULT_POLICY,
        "duplicate-host-port",
        ["/container/portMappings/1/hostPort"],
        id="duplicate-host-port-yes",
    ),
    pytest.param(
        bridge([{"containerPort": 80, "hostPort": 0}, {"containerPort": 81, "hostPort": 0}]),
        DEFAULT_POLICY,
        "duplicate-host-port",
        [],
        id="duplicate-host-port-random-no",
    ),
    # vip-malformed
    pytest.param(
        host(portDefinitions=[{"port": 0, "labels": {"VIP_0": "nonsense"}}]),
        DEFAULT_POLICY,
        "vip-malformed",
        ["/portDefinitions/0/labels/VIP_0"],
        id="vip-malformed-no-port",
    ),
    pytest.param(
        bridge([{"containerPort": 80, "labels": {"VIP_1": "/web:99999"}}]),
        DEFAULT_POLICY,
        "vip-malformed",
        ["/container/portMappings/0/labels/VIP_1"],
        id="vip-malformed-port-too-big",
    ),
    pytest.param(
        host(
            portDefinitions=[
                {"port": 0, "labels": {"VIP_0": "/w3:8080"}},
                {"port": 0, "labels": {"VIP_0": "10.0.0.1:80", "vip": "whatever"}},
                {"port": 0, "labels": {"VIP_0": "named:234"}},
            ]
        ),
        DEFAULT_POLICY,
        "vip-malformed",
        [],
        id="vip-malformed-no",
    ),
]


@pytest.mark.parametrize(("raw", "policy", "code", "paths"), LINT_CASES)
def test_lint_warning(raw, policy, code, paths):
    result = resolve_app(raw, policy)

    assert warned(result, code) == paths


def test_lint_warnings_carry_message_and_fix():
    result = resolve_app(host(portDefinitions=[{"port": 0}], requirePorts=True))
    (warning,) = [w for w in result.warnings if w.code == "require-ports-dynamic"]

    assert "10000" in warning.message
    assert warning.fix


# --- fleet collisions ---------------------------------------------------------------------


def _fixed_host(app_id, host_port, **mapping):
    return {**bridge([{"containerPort": 80, "hostPort": host_port, **mapping}]), "id": app_id}


def _vip(app_id, vip):
    return host(id=app_id, portDefinitions=[{"port": 0, "labels": {"VIP_0": vip}}])


def _collisions(fleet):
    return [(c.kind, c.port, c.value, c.holders) for c in fleet.collisions]


@pytest.mark.parametrize(
    ("apps", "collisions"),
    [
        pytest.param(
            [
                host(id="/a", portDefinitions=[{"port": 10500}]),
                bridge([{"containerPort": 80, "servicePort": 10500}], id="/b"),
                user([{"containerPort": 80}, {"containerPort": 81, "servicePort": 10500}], id="/c"),
            ],
            [
                (
                    "service-port",
                    10500,
                    None,
                    (
                        ("/a", "/portDefinitions/0/port"),
                        ("/b", "/container/portMappings/0/servicePort"),
                        ("/c", "/container/portMappings/1/servicePort"),
                    ),
                )
            ],
            id="service-port-three-apps",
        ),
        pytest.param(
            [_fixed_host("/a", 31500), _fixed_host("/b", 31500)],
            [
                (
                    "host-port",
                    31500,
                    None,
                    (
                        ("/a", "/container/portMappings/0/hostPort"),
                        ("/b", "/container/portMappings/0/hostPort"),
                    ),
                )
            ],
            id="host-port",
        ),
        pytest.param(
            [
                _fixed_host("/a", 31500),
                host(id="/b", portDefinitions=[{"port": 31500}], requirePorts=True),
            ],
            [
                (
                    "host-port",
                    31500,
                    None,
                    (
                        ("/a", "/container/portMappings/0/hostPort"),
                        ("/b", "/portDefinitions/0/port"),
                    ),
                )
            ],
            id="host-port-required-by-host-app",
        ),
        pytest.param(
            [_fixed_host("/a", 0), _fixed_host("/b", 0)], [], id="random-host-ports-no-collision"
        ),
        pytest.param(
            [_vip("/a", "/shop:80"), _vip("/b", "/shop:80")],
            [
                (
                    "vip",
                    None,
                    "/shop:80",
                    (
                        ("/a", "/portDefinitions/0/labels/VIP_0"),
                        ("/b", "/portDefinitions/0/labels/VIP_0"),
                    ),
                )
            ],
            id="vip",
        ),
        pytest.param([_vip("/a", "/shop:80"), _vip("/b", "/shop:81")], [], id="vip-other-port"),
        pytest.param(
            [host(id="/lb-clash", portDefinitions=[{"port": 80}])],
            [("reserved-port", 80, None, (("/lb-clash", "/portDefinitions/0/port"),))],
            id="reserved-port",
        ),
        pytest.param(
            [
                bridge(
                    [
                        {"containerPort": 80, "servicePort": 10500},
                        {"containerPort": 81, "servicePort": 10500},
                    ],
                    id="/one",
                )
            ],
            [],
            id="same-app-is-not-a-fleet-collision",
        ),
    ],
)
def test_fleet_collision(apps, collisions):
    assert _collisions(check_fleet(apps)) == collisions


def test_fleet_reserved_ports_come_from_policy():
    policy = ClusterPolicy(reserved_ports=frozenset({10500}))

    fleet = check_fleet([host(id="/a", portDefinitions=[{"port": 10500}, {"port": 80}])], policy)

    assert _collisions(fleet) == [
        ("reserved-port", 10500, None, (("/a", "/portDefinitions/0/port"),))
    ]


def test_fleet_collision_describe_names_every_app_and_pointer():
    fleet = check_fleet([_fixed_host("/a", 31500), _fixed_host("/b", 31500)])
    (collision,) = fleet.collisions

    text = collision.describe()
    assert "/a (/container/portMappings/0/hostPort)" in text
    assert "/b (/container/portMappings/0/hostPort)" in text
    assert collision.to_json()["apps"] == [
        {"id": "/a", "path": "/container/portMappings/0/hostPort"},
        {"id": "/b", "path": "/container/portMappings/0/hostPort"},
    ]


def test_fleet_duplicate_app_id_is_an_error():
    fleet = check_fleet([host(id="/a"), host(id="/b"), host(id="/a")])

    assert [[e.path for e in r.errors] for r in fleet.apps] == [[], [], ["/id"]]
    assert not fleet.ok


def test_fleet_duplicate_app_id_after_canonical_path():
    fleet = check_fleet([host(id="/shop/web"), host(id="shop/web")])

    assert [[e.path for e in r.errors] for r in fleet.apps] == [[], ["/id"]]


def test_find_collisions_on_stored_holdings():
    holdings = [
        Holding("/a", "service-port", 10500, None, "/portDefinitions/0/port"),
        Holding("/b", "service-port", 10500, None, "/container/portMappings/0/servicePort"),
        Holding("/c", "service-port", 10501, None, "/portDefinitions/0/port"),
    ]

    (collision,) = find_collisions(holdings)

    assert collision.holders == (
        ("/a", "/portDefinitions/0/port"),
        ("/b", "/container/portMappings/0/servicePort"),
    )


# --- reader ---------------------------------------------------------------------------------


def test_reader_syntax_error_gives_line_and_column():
    with pytest.raises(ReadError) as caught:
        read_apps('{"id": "/a",\n  "cmd": }', source="apps.json")

    assert (caught.value.line, caught.value.column) == (2, 10)
    assert str(caught.value).startswith("apps.json:2:10: ")


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("", id="empty"),
        pytest.param("  \n", id="blank"),
        pytest.param(b"\xff", id="bytes"),
    ],
)
def test_reader_unreadable_text(text):
    with pytest.raises(ReadError):
        parse_json(text)


@pytest.mark.parametrize(
    ("document", "ids", "paths"),
    [
        pytest.param({"id": "/a"}, ["/a"], [""], id="one-app"),
        pytest.param([{"id": "/a"}, {"id": "/b"}], ["/a", "/b"], ["/0", "/1"], id="list"),
        pytest.param(
            {"apps": [{"id": "/a"}, {"id": "/b"}]}, ["/a", "/b"], ["/apps/0", "/apps/1"], id="apps"
        ),
        pytest.param(
            {
                "id": "/shop",
                "apps": [{"id": "web"}, {"id": "/abs"}],
                "groups": [
                    {
                        "id": "back",
                        "apps": [{"id": "db"}, {"id": "../cache"}, {"id": "./q"}],
                        "groups": [{"id": "/shop/back/deep", "apps": [{"id": "x"}]}],
                    }
                ],
            },
            [
                "/shop/web",
                "/abs",
                "/shop/back/db",
                "/shop/cache",
                "/shop/back/q",
                "/shop/back/deep/x",
            ],
            [
                "/apps/0",
                "/apps/1",
                "/groups/0/apps/0",
                "/groups/0/apps/1",
                "/groups/0/apps/2",
                "/groups/0/groups/0/apps/0",
            ],
            id="nested-groups-relative-ids",
        ),
    ],
)
def test_reader_finds_apps(document, ids, paths):
    apps, notes = find_apps(document)

    assert [a.app["id"] for a in apps] == ids
    assert [a.path for a in apps] == paths
    assert notes == []


@pytest.mark.parametrize(
    ("document", "path"),
    [
        pytest.param([{"id": "/a"}, 3], "/1", id="list-item"),
        pytest.param({"apps": [{"id": "/a"}, "x"]}, "/apps/1", id="apps-item"),
        pytest.param({"id": "/g", "groups": [{"apps": [None]}]}, "/groups/0/apps/0", id="nested"),
        pytest.param({"id": "/g", "groups": ["sub"]}, "/groups/0", id="group-item"),
    ],
)
def test_reader_rejects_non_object_item_with_pointer(document, path):
    with pytest.raises(ReadError) as caught:
        find_apps(document)

    assert caught.value.path == path


@pytest.mark.parametrize("document", [3, "app", None, True])
def test_reader_rejects_non_app_document(document):
    with pytest.raises(ReadError):
        find_apps(document)


def test_reader_notes_pods():
    apps, notes = find_apps(
        {"id": "/g", "apps": [{"id": "a"}], "pods": [{"id": "p1"}, {"id": "p2"}]}
    )

    assert [a.app["id"] for a in apps] == ["/g/a"]
    assert [(n.path, "2 pods not planned" in n.message) for n in notes] == [("/pods", True)]


def test_reader_apps_feed_check_fleet():
    apps, _ = read_apps(
        '{"id": "/g", "apps": [{"id": "a", "cmd": "./run"}, {"id": "b", "cmd": "./run"}]}'
    )

    fleet = check_fleet([a.app for a in apps])

    assert [(r.id, service_ports(r)) for r in fleet.apps] == [("/g/a", [10000]), ("/g/b", [10001])]


def test_reader_accepts_utf8_bom():
    apps, _ = read_apps(b'\xef\xbb\xbf{"id": "/a"}')

    assert [a.app["id"] for a in apps] == ["/a"]


@pytest.mark.parametrize(
    ("document", "path"),
    [
        pytest.param({"apps": {"id": "/a"}}, "/apps", id="apps"),
        pytest.param({"id": "/g", "groups": {}}, "/groups", id="groups"),
        pytest.param({"id": 3, "apps": []}, "/id", id="group-id"),
    ],
)
def test_reader_rejects_malformed_group(document, path):
    with pytest.raises(ReadError) as caught:
        find_apps(document)

    assert caught.value.path == path
