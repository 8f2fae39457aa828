"""Cases from Marathon 1.10's own test suite (mesosphere/marathon, branch releases/1.10), carried
over as data: the app JSON a Marathon test feeds in, and what Marathon answers.

Each case is named "<Scala file> / <test name>". The files, under src/test/scala/mesosphere/:

* AppValidationTest: marathon/api/v2/validation/AppValidationTest.scala
* AppNormalizationTest: marathon/api/v2/normalization/AppNormalizationTest.scala
* AppDefinitionTest: marathon/api/v2/json/AppDefinitionTest.scala
* AppDefinitionFormatsTest: marathon/api/v2/json/AppDefinitionFormatsTest.scala
* NetworkTest: marathon/api/v2/json/NetworkTest.scala
* AppsResourceTest: marathon/api/v2/AppsResourceTest.scala
* RunSpecValidatorTest: marathon/api/validation/RunSpecValidatorTest.scala
* AppDefinitionMesosHealthCheckValidationTest, AppDefinitionReadinessCheckValidationTest:
  marathon/api/validation/
* MesosHealthCheckTest: marathon/core/health/MesosHealthCheckTest.scala
* PortDefinitionTest: marathon/state/PortDefinitionTest.scala
* NetworkConfTest: marathon/NetworkConfTest.scala
* AssignDynamicServiceLogicTest: marathon/core/group/impl/AssignDynamicServiceLogicTest.scala
* PortsMatcherTest: marathon/tasks/PortsMatcherTest.scala
* EnvironmentHelperTest: mesos/EnvironmentHelperTest.scala
* TaskBuilderTest: mesos/TaskBuilderTest.scala

Many Marathon tests call one stage directly (the canonical validator, the normalizer, the model
validator). The engine always runs the whole pipeline of a POST /v2/apps, so a case states what
that request answers; where an earlier stage refuses the request before the stage the Scala test
calls, a comment says so. Marathon writes paths like ``/portMappings(0)``; the engine writes JSON
pointers.
"""

from __future__ import annotations

import re

import pytest

from portplanner.marathon import (
    DEFAULT_POLICY,
    ClusterPolicy,
    PolicyError,
    check_fleet,
    prepare,
    resolve_app,
)

ABSENT = object()  # the field is not in the normalized app

# Marathon's messages.
PORT_NAMES_UNIQUE = "Port names must be unique."
PORTS_UNIQUE = "Ports must be unique."
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
DISCOVERY_DOCKER = "ipAddress/discovery is not allowed for Docker containers"
DOCKER_NETWORK_AND_NETWORKS = "must not specify both container.docker.network and networks"
IP_AND_PORT = "cannot specify both an IP address and port"
PORTS_AND_DEFINITIONS = "cannot specify both ports and port definitions"


def case(source: str, test: str, *values):
    return pytest.param(*values, id=f"{source} / {test}")


def errors_of(result) -> list[tuple[str, str]]:
    return sorted((e.path, e.message) for e in result.errors)


# --- apps as the Scala tests build them ------------------------------------------------------


def networked(mappings, networks, docker=False, **fields):
    """AppValidationTest's networkedApp: cmd "bar", a MESOS container (or DOCKER with an image)."""
    container = {"type": "DOCKER" if docker else "MESOS", "portMappings": mappings}
    if docker:
        container["docker"] = {"image": "foo"}
    return {"id": "/foo", "cmd": "bar", "networks": networks, "container": container, **fields}


def container_networked(mappings, count=1, docker=False):
    """AppValidationTest's containerNetworkedApp: container networks named "1", "2", ..."""
    networks = [{"mode": "container", "name": str(i)} for i in range(1, count + 1)]
    return networked(mappings, networks, docker)


def legacy_docker_app(**fields):
    """AppNormalizationTest's Fixture.legacyDockerApp: Docker USER network via ipAddress."""
    return {
        "id": "/foo",
        "container": {
            "type": "DOCKER",
            "docker": {
                "network": "USER",
                "image": "image0",
                "portMappings": [
                    {
                        "containerPort": 1,
                        "hostPort": 2,
                        "servicePort": 3,
                        "name": "port0",
                        "protocol": "udp",
                    }
                ],
            },
        },
        "ipAddress": {"networkName": "someUserNetwork"},
        **fields,
    }


# Fixture.normalizedDockerApp's one mapping, as Marathon writes it (labels {} included).
NORMALIZED_DOCKER_MAPPING = {
    "containerPort": 1,
    "hostPort": 2,
    "servicePort": 3,
    "name": "port0",
    "protocol": "udp",
    "labels": {},
}


def legacy_mesos_app(network_name="someUserNetwork", **fields):
    """AppNormalizationTest's Fixture.legacyMesosApp: IP/CT with one discovery port."""
    ip_address = {
        "discovery": {
            "ports": [
                {
                    "number": 34,
                    "name": "port1",
                    "protocol": "udp",
                    "labels": {"VIP_0": "/namedvip:34"},
                }
            ]
        }
    }
    if network_name is not None:
        ip_address["networkName"] = network_name
    return {
        "id": "/foo",
        "container": {"type": "MESOS", "docker": {"image": "image0"}},
        "ipAddress": ip_address,
        **fields,
    }


# Fixture.normalizedMesosApp's container: the discovery port became a mapping without hostPort.
NORMALIZED_MESOS_CONTAINER = {
    "type": "MESOS",
    "docker": {"image": "image0"},
    "portMappings": [
        {
            "containerPort": 34,
            "name": "port1",
            "protocol": "udp",
            "labels": {"VIP_0": "/namedvip:34"},
            "servicePort": 0,
        }
    ],
}
DEFAULT_MAPPING = {
    "containerPort": 0,
    "name": "default",
    "labels": {},
    "protocol": "tcp",
    "servicePort": 0,
}
DEFAULT_PORT_DEFINITIONS = [{"port": 0, "protocol": "tcp", "name": "default"}]


# --- validation: (app, policy, errors) through the whole pipeline ----------------------------

VALIDATION = [
    # AppValidationTest, "network validation"
    case(
        "AppValidationTest",
        "require networkNames for hostPort to containerPort mapping",
        container_networked([{"hostPort": 0}], count=2),
        DEFAULT_POLICY,
        [("/container/portMappings/0", SINGLE_ITEM)],
    ),
    case(
        "AppValidationTest",
        "limit docker containers to a single network",
        container_networked([{}], count=2, docker=True),
        DEFAULT_POLICY,
        [("/", DOCKER_ONE_NETWORK)],
    ),
    case(
        "AppValidationTest",
        "allow portMappings that don't declare hostPort nor networkNames",
        container_networked([{}], count=2),
        DEFAULT_POLICY,
        [],
    ),
    case(
        "AppValidationTest",
        "allow portMappings that both declare a hostPort and a networkNames",
        container_networked([{"hostPort": 0, "networkNames": ["1"]}], count=2),
        DEFAULT_POLICY,
        [],
    ),
    case(
        "AppValidationTest",
        "consider a valid portMapping with a name as valid",
        container_networked([{"hostPort": 80, "containerPort": 80, "networkNames": ["1"]}]),
        DEFAULT_POLICY,
        [],
    ),
    case(
        "AppValidationTest",
        "consider a container network without name to be invalid",
        networked([], [{"mode": "container"}]),
        DEFAULT_POLICY,
        [("/networks", NAME_REQUIRED)],
    ),
    case(
        "AppValidationTest",
        "consider a container network without name but with a default name from config valid",
        # Marathon's test names the default network "defaultNetworkName"; Port Planner's policy
        # insists on a valid network name for it (Marathon does not check the flag, but would
        # write the name into the app), hence a lowercase one.
        networked([], [{"mode": "container"}]),
        ClusterPolicy(default_network_name="default-network-name"),
        [],
    ),
    case(
        "AppValidationTest",
        "consider a portMapping with a hostPort and two valid networkNames as invalid",
        container_networked(
            [{"hostPort": 80, "containerPort": 80, "networkNames": ["1", "2"]}], count=3
        ),
        DEFAULT_POLICY,
        [("/container/portMappings/0", SINGLE_ITEM)],
    ),
    case(
        "AppValidationTest",
        "consider a portMapping with no name as valid",
        container_networked([{"hostPort": 80, "containerPort": 80, "networkNames": []}]),
        DEFAULT_POLICY,
        [],
    ),
    case(
        "AppValidationTest",
        "consider a portMapping without a hostport as valid",
        container_networked([{"hostPort": None}]),
        DEFAULT_POLICY,
        [],
    ),
    case(
        "AppValidationTest",
        "consider portMapping with zero hostport as valid",
        container_networked([{"containerPort": 80, "hostPort": 0}]),
        DEFAULT_POLICY,
        [],
    ),
    case(
        "AppValidationTest",
        "consider portMapping with a non-matching network name as invalid",
        container_networked(
            [{"containerPort": 80, "hostPort": 80, "networkNames": ["undefined-network-name"]}]
        ),
        DEFAULT_POLICY,
        [("/container/portMappings/0/networkNames/0", "is not one of (1)")],
    ),
    case(
        "AppValidationTest",
        "consider portMapping without networkNames nor hostPort as valid",
        container_networked([{"containerPort": 80, "hostPort": None, "networkNames": []}]),
        DEFAULT_POLICY,
        [],
    ),
    case(
        "AppValidationTest",
        "general port validation",
        container_networked([{"name": "name", "hostPort": 123}, {"name": "name", "hostPort": 123}]),
        DEFAULT_POLICY,
        [("/container/portMappings", PORT_NAMES_UNIQUE)],
    ),
    case(
        "AppValidationTest",
        "port definitions must have unique ports",
        {
            "id": "/app",
            "cmd": "cmd",
            "container": {"type": "MESOS"},
            "portDefinitions": [{"port": 9000}, {"port": 8080}, {"port": 9000}],
        },
        DEFAULT_POLICY,
        [("/portDefinitions", PORTS_UNIQUE)],
    ),
    case(
        "AppValidationTest",
        "port definitions must have unique names",
        {
            "id": "/app",
            "cmd": "cmd",
            "container": {"type": "MESOS"},
            "portDefinitions": [{"port": 9000, "name": "foo"}, {"port": 9001, "name": "foo"}],
        },
        DEFAULT_POLICY,
        [("/portDefinitions", PORT_NAMES_UNIQUE)],
    ),
    case(
        "AppValidationTest",
        "missing hostPort is allowed for bridge networking (so we can normalize it)",
        networked(
            [{"containerPort": 8080, "servicePort": 0, "name": "foo"}],
            [{"mode": "container/bridge"}],
        ),
        DEFAULT_POLICY,
        [],
    ),
    # AppNormalizationTest: cases whose normalizer call would throw, but whose request is refused
    # by an earlier stage first.
    case(
        "AppNormalizationTest",
        "mismatched port defintions and port mappings are specified for a docker app "
        "(container-mode networking)",
        # The normalizer alone pads the mappings (see the bridge-mode case); the API refuses the
        # request earlier, in validateOldAppAPI.
        legacy_docker_app(portDefinitions=[{"port": 0}, {"port": 0}]),
        DEFAULT_POLICY,
        [("/", IP_AND_PORT)],
    ),
    case(
        "AppNormalizationTest",
        "legacy docker app specifies both legacy and canonical networking modes (HOST)",
        # NormalizationException in the normalizer; validateOldAppAPI answers first.
        {
            "id": "/foo",
            "container": {
                "type": "DOCKER",
                "docker": {"network": "HOST", "image": "image0", "portMappings": []},
            },
            "networks": [{"mode": "host"}],
        },
        DEFAULT_POLICY,
        [("/", DOCKER_NETWORK_AND_NETWORKS)],
    ),
    case(
        "AppNormalizationTest",
        "legacy docker app specifies both legacy and canonical networking modes (BRIDGE)",
        {
            "id": "/foo",
            "container": {
                "type": "DOCKER",
                "docker": {"network": "BRIDGE", "image": "image0", "portMappings": []},
            },
            "networks": [{"mode": "container/bridge"}],
        },
        DEFAULT_POLICY,
        [("/", DOCKER_NETWORK_AND_NETWORKS)],
    ),
    case(
        "AppNormalizationTest",
        "legacy docker app specifies both legacy and canonical networking modes (USER)",
        {
            "id": "/foo",
            "container": {
                "type": "DOCKER",
                "docker": {"network": "USER", "image": "image0", "portMappings": []},
            },
            "networks": [{"mode": "container"}],
        },
        DEFAULT_POLICY,
        [("/", DOCKER_NETWORK_AND_NETWORKS)],
    ),
    case(
        "AppNormalizationTest",
        "using legacy docker networking API, without a named network",
        # Without --default_network_name the normalizer throws "container network name is not
        # defined"; on create the canonical validator answers first.
        legacy_docker_app(ipAddress={}),
        DEFAULT_POLICY,
        [("/networks", NAME_REQUIRED)],
    ),
    case(
        "AppNormalizationTest",
        "using legacy docker networking API w/ extraneous ipAddress discovery ports",
        # The normalizer throws about discovery.ports; validateOldAppAPI answers first.
        legacy_docker_app(
            ipAddress={
                "networkName": "someUserNetwork",
                "discovery": {"ports": [{"number": 34, "name": "port1"}]},
            }
        ),
        DEFAULT_POLICY,
        [("/ipAddress", DISCOVERY_DOCKER)],
    ),
    case(
        "AppNormalizationTest",
        "using legacy IP/CT networking API without a named network",
        legacy_mesos_app(network_name=None),
        DEFAULT_POLICY,
        [("/networks", NAME_REQUIRED)],
    ),
    # AppDefinitionTest (api/v2/json)
    case(
        "AppDefinitionTest",
        "Validation (health check portIndex 1 on two bridge port mappings)",
        {
            "id": "/test",
            "networks": [{"mode": "container/bridge"}],
            "container": {
                "type": "DOCKER",
                "docker": {"image": "mesosphere/marathon"},
                "portMappings": [
                    {"containerPort": 8080, "hostPort": 0},
                    {"containerPort": 8081, "hostPort": 0},
                ],
            },
            "healthChecks": [{"protocol": "HTTP", "portIndex": 1}],
        },
        DEFAULT_POLICY,
        [],
    ),
    case(
        "AppDefinitionTest",
        "Validation (health check with a port, bridge app without port mappings)",
        {
            "id": "/test",
            "networks": [{"mode": "container/bridge"}],
            "container": {
                "type": "DOCKER",
                "docker": {"image": "mesosphere/marathon"},
                "portMappings": [],
            },
            "portDefinitions": [],
            "healthChecks": [{"protocol": "HTTP", "port": 80}],
        },
        DEFAULT_POLICY,
        [],
    ),
    case(
        "AppDefinitionTest",
        "Validation (health check portIndex 1 on an app with one port)",
        {"id": "/test", "cmd": "sleep", "healthChecks": [{"protocol": "HTTP", "portIndex": 1}]},
        DEFAULT_POLICY,
        [("/healthChecks/0", HEALTH_PORT_INDEX)],
    ),
    case(
        "AppDefinitionTest",
        "Reading AppDefinition does not add portIndex to a Marathon HTTP health check if the app "
        "doesn't have ports",
        {
            "id": "/prod/product/frontend/my-app",
            "cmd": "sleep 30",
            "portDefinitions": [],
            "healthChecks": [{"protocol": "HTTP"}],
        },
        DEFAULT_POLICY,
        [("/healthChecks/0", HEALTH_PORT_INDEX)],
    ),
    case(
        "AppDefinitionTest",
        "Reading AppDefinition does not add portIndex to a Marathon HTTP health check if it has no "
        "ports nor portMappings",
        {
            "id": "/prod/product/frontend/my-app",
            "cmd": "sleep 30",
            "portDefinitions": [],
            "container": {"type": "DOCKER", "docker": {"image": "foo"}},
            "healthChecks": [{"protocol": "HTTP"}],
        },
        DEFAULT_POLICY,
        [("/healthChecks/0", HEALTH_PORT_INDEX)],
    ),
    case(
        "AppDefinitionTest",
        "App may not have non-empty ports and ipAddress",
        {
            "id": "/app-with-network-isolation",
            "cmd": "python3 -m http.server 8080",
            "ports": [0],
            "ipAddress": {
                "networkName": "whatever",
                "groups": ["a", "b", "c"],
                "labels": {"foo": "bar", "baz": "buzz"},
            },
        },
        DEFAULT_POLICY,
        [("/", IP_AND_PORT)],
    ),
    # AppDefinitionFormatsTest
    case(
        "AppDefinitionFormatsTest",
        "FromJSON should throw a validation exception while parsing a Docker container with "
        "unsupported parameter",
        {
            "id": "test",
            "container": {
                "type": "DOCKER",
                "docker": {
                    "image": "busybox",
                    "credential": {"principal": "aPrincipal", "secret": "aSecret"},
                },
            },
        },
        DEFAULT_POLICY,
        [("/container/docker/credential", "must be empty")],
    ),
    case(
        "AppDefinitionFormatsTest",
        "FromJSON should throw a validation exception while parsing a Mesos Docker container with "
        "unsupported parameter (portMappings)",
        {
            "id": "/test",
            "container": {
                "type": "MESOS",
                "docker": {
                    "image": "busybox",
                    "portMappings": [{"containerPort": 123, "servicePort": 80, "name": "foobar"}],
                },
            },
        },
        DEFAULT_POLICY,
        [("/container/docker/portMappings", "must be empty")],
    ),
    case(
        "AppDefinitionFormatsTest",
        "FromJSON should throw a validation exception while parsing a Mesos Docker container with "
        "unsupported parameter (network)",
        {
            "id": "test",
            "container": {"type": "MESOS", "docker": {"image": "busybox", "network": "USER"}},
        },
        DEFAULT_POLICY,
        [("/container/docker/network", "must be empty")],
    ),
    case(
        "AppDefinitionFormatsTest",
        "FromJSON should throw a validation exception while parsing a Mesos Docker container with "
        "unsupported parameter (parameters)",
        {
            "id": "test",
            "container": {
                "type": "MESOS",
                "docker": {"image": "busybox", "parameters": [{"key": "a", "value": "b"}]},
            },
        },
        DEFAULT_POLICY,
        [("/container/docker/parameters", "must be empty")],
    ),
    case(
        "AppDefinitionFormatsTest",
        "FromJSON should fail for empty container (#4978)",
        {"id": "/docker-compose-demo", "cmd": "echo hello world", "container": {}},
        DEFAULT_POLICY,
        [("/container/docker", "not defined")],
    ),
    case(
        "AppDefinitionFormatsTest",
        "FromJSON should throw a validation exception if ports and portDefinitions are both "
        "specified and not equal",
        {
            "id": "/test",
            "container": {"type": "MESOS", "docker": {"image": "busybox"}},
            "portDefinitions": [{"port": 8080}],
            "ports": [8081],
        },
        DEFAULT_POLICY,
        [("/", PORTS_AND_DEFINITIONS)],
    ),
    case(
        "AppDefinitionFormatsTest",
        "app with readinessCheck passes validation",
        {
            "id": "/test",
            "cmd": "sleep 1234",
            "readinessChecks": [
                {
                    "name": "dcosMigrationApi",
                    "protocol": "HTTPS",
                    "path": "/v1/plan",
                    "portName": "dcos-migration-api",
                    "intervalSeconds": 10,
                    "timeoutSeconds": 2,
                    "httpStatusCodesForReady": [201],
                    "preserveLastResponse": True,
                }
            ],
            "portDefinitions": [{"port": 0, "name": "dcos-migration-api"}],
        },
        DEFAULT_POLICY,
        [],
    ),
    # RunSpecValidatorTest
    case(
        "RunSpecValidatorTest",
        "only cmd + command health check",
        {
            "id": "/test",
            "cmd": "true",
            "healthChecks": [
                {"protocol": "COMMAND", "command": {"value": "curl http://localhost:$PORT"}}
            ],
        },
        DEFAULT_POLICY,
        [],
    ),
    case(
        "RunSpecValidatorTest",
        "empty container is invalid",
        {"id": "/test", "container": {"type": "MESOS"}},
        DEFAULT_POLICY,
        [("/", CMD_ARGS_CONTAINER)],
    ),
    case(
        "RunSpecValidatorTest",
        "container with type MESOS and empty docker field is valid",
        {"id": "/test", "cmd": "true", "container": {"type": "MESOS"}},
        DEFAULT_POLICY,
        [],
    ),
    case(
        "RunSpecValidatorTest",
        "readinessChecks are invalid for normal apps",
        # A readiness check without portName asks for http-api, which the default port lacks.
        {"id": "/test", "cmd": "true", "readinessChecks": [{}]},
        DEFAULT_POLICY,
        [("/readinessChecks/0/portName", "No port definition reference for portName http-api")],
    ),
    case(
        "RunSpecValidatorTest",
        "health check validation should allow port specifications without port indices",
        {
            "id": "/test",
            "networks": [{"mode": "host"}],
            "container": {"type": "DOCKER", "docker": {"image": "group/image"}},
            "portDefinitions": [],
            "healthChecks": [{"path": "/", "protocol": "HTTP", "port": 8000}],
        },
        DEFAULT_POLICY,
        [],
    ),
    # AppDefinitionMesosHealthCheckValidationTest
    case(
        "AppDefinitionMesosHealthCheckValidationTest",
        "health check with port validates port references (portIndex 0, one port)",
        {
            "id": "/test",
            "cmd": "sleep 1000",
            "portDefinitions": [{"port": 0}],
            "healthChecks": [{"protocol": "MESOS_HTTP", "portIndex": 0}],
        },
        DEFAULT_POLICY,
        [],
    ),
    case(
        "AppDefinitionMesosHealthCheckValidationTest",
        "health check with port validates port references (portIndex 0, no ports)",
        {
            "id": "/test",
            "cmd": "sleep 1000",
            "portDefinitions": [],
            "healthChecks": [{"protocol": "MESOS_HTTP", "portIndex": 0}],
        },
        DEFAULT_POLICY,
        [("/healthChecks/0", HEALTH_PORT_INDEX)],
    ),
    case(
        "AppDefinitionMesosHealthCheckValidationTest",
        "health check with port validates port references (Marathon HTTP, no ports)",
        {
            "id": "/test",
            "cmd": "sleep 1000",
            "portDefinitions": [],
            "healthChecks": [{"protocol": "HTTP", "portIndex": 0}],
        },
        DEFAULT_POLICY,
        [("/healthChecks/0", HEALTH_PORT_INDEX)],
    ),
    # AppDefinitionReadinessCheckValidationTest (its fixture names the one port http-api)
    case(
        "AppDefinitionReadinessCheckValidationTest",
        "app with 1 readinessCheck is valid",
        {
            "id": "/test",
            "cmd": "sleep 1000",
            "readinessChecks": [{}],
            "portDefinitions": [{"port": 123, "name": "http-api"}],
        },
        DEFAULT_POLICY,
        [],
    ),
    case(
        "AppDefinitionReadinessCheckValidationTest",
        "readinessCheck NOT corresponding to port definitions are invalid",
        {
            "id": "/test",
            "cmd": "sleep 1000",
            "readinessChecks": [{"portName": "invalid"}],
            "portDefinitions": [{"port": 123, "name": "foo"}],
        },
        DEFAULT_POLICY,
        [("/readinessChecks/0/portName", "No port definition reference for portName invalid")],
    ),
    case(
        "AppDefinitionReadinessCheckValidationTest",
        "readinessCheck corresponding to port definitions are valid",
        {
            "id": "/test",
            "cmd": "sleep 1000",
            "readinessChecks": [{"portName": "foo"}],
            "portDefinitions": [{"port": 123, "name": "foo"}],
        },
        DEFAULT_POLICY,
        [],
    ),
    # MesosHealthCheckTest
    case(
        "MesosHealthCheckTest",
        "Read COMMAND health check (portIndex may be provided for backwards-compatibility)",
        {
            "id": "/test",
            "cmd": "sleep 1000",
            "portDefinitions": [],
            "healthChecks": [
                {"protocol": "COMMAND", "command": {"value": "echo healthy"}, "portIndex": 0}
            ],
        },
        DEFAULT_POLICY,
        [],
    ),
    case(
        "MesosHealthCheckTest",
        "port is accepted for a Mesos TCP HealthCheck",
        {
            "id": "/test",
            "cmd": "sleep 1000",
            "portDefinitions": [],
            "healthChecks": [{"protocol": "MESOS_TCP", "port": 80}],
        },
        DEFAULT_POLICY,
        [],
    ),
    # AppsResourceTest
    case(
        "AppsResourceTest",
        "Fail creating application when network name is missing",
        {"id": "/app", "cmd": "cmd", "networks": [{"mode": "container"}]},
        DEFAULT_POLICY,
        [("/networks", NAME_REQUIRED)],
    ),
    case(
        "AppsResourceTest",
        "Create a new app with IP/CT, no default network name, Alice does not specify a network",
        # The test calls the normalizer ("container network name is not defined"); the request
        # itself is refused by the canonical validator, as the case above shows.
        {"id": "/app", "cmd": "cmd", "networks": [{"mode": "container"}]},
        DEFAULT_POLICY,
        [("/networks", NAME_REQUIRED)],
    ),
    case(
        "AppsResourceTest",
        "Create a new app in USER mode w/ ipAddress.discoveryInfo w/ Docker",
        {
            "id": "/app",
            "cmd": "cmd",
            "ipAddress": {
                "networkName": "foo",
                "discovery": {"ports": [{"number": 1, "name": "bob", "protocol": "tcp"}]},
            },
            "container": {
                "type": "DOCKER",
                "docker": {
                    "image": "jdef/helpme",
                    "portMappings": [{"containerPort": 0, "protocol": "tcp"}],
                },
            },
            "portDefinitions": [],
        },
        DEFAULT_POLICY,
        [("/ipAddress", DISCOVERY_DOCKER)],
    ),
    case(
        "AppsResourceTest",
        "Create a new app in HOST mode w/ ipAddress.discoveryInfo w/ Docker",
        # The test calls the normalizer (NormalizationException); the request is refused first
        # by validateOldAppAPI, as the test's own comment says.
        {
            "id": "/app",
            "cmd": "cmd",
            "ipAddress": {
                "networkName": "foo",
                "discovery": {"ports": [{"number": 1, "name": "bob"}]},
            },
            "container": {"type": "DOCKER", "docker": {"network": "HOST", "image": "jdef/helpme"}},
        },
        DEFAULT_POLICY,
        [("/ipAddress", DISCOVERY_DOCKER)],
    ),
    case(
        "AppsResourceTest",
        "Replace an existing application fails due to docker container validation",
        {"id": "/app", "cmd": "sleep 1", "container": {"type": "DOCKER"}},
        DEFAULT_POLICY,
        [("/container/docker", "not defined")],
    ),
    case(
        "AppsResourceTest",
        "Replacing an existing application with a Mesos docker container passes validation",
        {
            "id": "/app",
            "cmd": "sleep 1",
            "container": {"type": "MESOS", "docker": {"image": "/test:latest"}},
        },
        DEFAULT_POLICY,
        [],
    ),
    case(
        "AppsResourceTest",
        "Allow creating app with network name with underscore",
        {
            "id": "/app",
            "cmd": "cmd",
            "container": {"type": "MESOS", "docker": {"image": "image"}},
            "networks": [{"name": "name_with_underscore", "mode": "container"}],
        },
        DEFAULT_POLICY,
        [],
    ),
    case(
        "RunSpecValidatorTest",
        "cassandraWithoutResidency",
        {
            "id": "/cassandra",
            "role": "foo",
            "cpus": 2,
            "mem": 2048,
            "instances": 1,
            "constraints": [["hostname", "UNIQUE"]],
            "container": {
                "type": "DOCKER",
                "docker": {
                    "image": "tobert/cassandra",
                    "network": "BRIDGE",
                    "forcePullImage": True,
                    "portMappings": [
                        {"containerPort": 7000, "hostPort": 7000, "protocol": "tcp"},
                        {"containerPort": 7199, "hostPort": 7199, "protocol": "tcp"},
                        {"containerPort": 9042, "hostPort": 9042, "protocol": "tcp"},
                        {"containerPort": 9160, "hostPort": 9160, "protocol": "tcp"},
                    ],
                },
                "volumes": [
                    {"containerPath": "/data", "hostPath": "cassandradata", "mode": "RW"},
                    {"containerPath": "cassandradata", "mode": "RW", "persistent": {"size": 1000}},
                ],
            },
            "healthChecks": [
                {
                    "protocol": "TCP",
                    "portIndex": 3,
                    "gracePeriodSeconds": 5,
                    "intervalSeconds": 20,
                    "maxConsecutiveFailures": 3,
                }
            ],
        },
        DEFAULT_POLICY,
        [],
    ),
]


@pytest.mark.parametrize(("raw", "policy", "errors"), VALIDATION)
def test_marathon_validation(raw, policy, errors):
    assert errors_of(resolve_app(raw, policy)) == sorted(errors)


# --- JSON-level checks: Marathon answers with keys such as error.pattern, the engine with a
# --- sentence of its own; the place is what carries over.

SCHEMA = [
    case(
        "NetworkTest",
        "it should not allow network names with special chars",
        {"id": "/app", "cmd": "run", "networks": [{"mode": "container", "name": "invalid^name"}]},
        ["/networks/0/name"],
    ),
    case(
        "NetworkTest",
        "it should allow network names with underscores, numbers",
        {"id": "/app", "cmd": "run", "networks": [{"mode": "container", "name": "network_1-ops"}]},
        [],
    ),
    case(
        "PortDefinitionTest",
        "valid portDefinition should be valid",
        {
            "id": "/app",
            "cmd": "run",
            "portDefinitions": [
                {"port": 80, "protocol": "tcp", "name": "http-port", "labels": {"foo": "bar"}}
            ],
        },
        [],
    ),
    case(
        "PortDefinitionTest",
        "portDefinition with tcp and udp should be valid",
        {
            "id": "/app",
            "cmd": "run",
            "portDefinitions": [
                {"port": 80, "protocol": "udp,tcp", "name": "http-port", "labels": {"foo": "bar"}}
            ],
        },
        [],
    ),
    case(
        "PortDefinitionTest",
        "valid portDefinition with no name should be valid",
        {"id": "/app", "cmd": "run", "portDefinitions": [{"port": 80, "protocol": "tcp"}]},
        [],
    ),
    case(
        "PortDefinitionTest",
        "portDefinition with invalid protocol is invalid",
        {"id": "/app", "cmd": "run", "portDefinitions": [{"port": 80, "protocol": "icmp"}]},
        ["/portDefinitions/0/protocol"],
    ),
    case(
        "PortDefinitionTest",
        "portDefinition with invalid port is invalid",
        {"id": "/app", "cmd": "run", "portDefinitions": [{"port": -1}]},
        ["/portDefinitions/0/port"],
    ),
]


@pytest.mark.parametrize(("raw", "paths"), SCHEMA)
def test_marathon_json_check(raw, paths):
    assert sorted(e.path for e in resolve_app(raw).errors) == paths


def test_marathon_mesos_bridge_name_refused():
    # NetworkConfTest / reject invalid mesos_bridge_name
    with pytest.raises(PolicyError):
        ClusterPolicy(mesos_bridge_name="invalid network name")


def test_marathon_mesos_bridge_name_accepted():
    # NetworkConfTest / allow valid mesos_bridge_name
    assert ClusterPolicy(mesos_bridge_name="valid-n3tw0rk-name").mesos_bridge_name == (
        "valid-n3tw0rk-name"
    )


# --- normalization: (app, policy, fields of the normalized app, errors) ----------------------
# Fields are compared before service ports are assigned (``prepare``), as Marathon's normalizer
# leaves them; ABSENT means Marathon leaves the field out.


def health_checked(check, ports=6):
    return {
        "id": "/app",
        "cmd": "run",
        "portDefinitions": [{"port": 0}] * ports,
        "healthChecks": [check],
    }


def _health_check_cases():
    # AppNormalizationTest "normalize health checks": networkBasedHealthCheck for each protocol.
    out = []
    for protocol in ("HTTP", "HTTPS", "TCP", "MESOS_HTTP", "MESOS_HTTPS", "MESOS_TCP"):
        out += [
            case(
                "AppNormalizationTest",
                f"{protocol} health check does not contain port or port index",
                health_checked({"protocol": protocol}),
                DEFAULT_POLICY,
                {"healthChecks": [{"protocol": protocol, "portIndex": 0}]},
                [],
            ),
            case(
                "AppNormalizationTest",
                f"{protocol} health check w/ port spec isn't normalized",
                health_checked({"protocol": protocol, "port": 88}),
                DEFAULT_POLICY,
                {"healthChecks": [{"protocol": protocol, "port": 88}]},
                [],
            ),
            case(
                "AppNormalizationTest",
                f"{protocol} health check w/ port index spec isn't normalized",
                health_checked({"protocol": protocol, "portIndex": 5}),
                DEFAULT_POLICY,
                {"healthChecks": [{"protocol": protocol, "portIndex": 5}]},
                [],
            ),
        ]
    return out


COMMAND_CHECK = {"protocol": "COMMAND", "command": {"value": "true"}}

NORMALIZATION = [
    *_health_check_cases(),
    case(
        "AppNormalizationTest",
        "COMMAND health check isn't changed",
        health_checked(COMMAND_CHECK),
        DEFAULT_POLICY,
        {"healthChecks": [COMMAND_CHECK]},
        [],
    ),
    case(
        "AppNormalizationTest",
        "mismatched port defintions and port mappings are specified for a docker app "
        "(bridge-mode networking)",
        {
            "id": "/foo",
            "container": {
                "type": "DOCKER",
                "docker": {
                    "network": "BRIDGE",
                    "image": "image0",
                    "portMappings": [
                        {
                            "containerPort": 1,
                            "hostPort": 2,
                            "servicePort": 3,
                            "name": "port0",
                            "protocol": "udp",
                        }
                    ],
                },
            },
            "portDefinitions": [{"port": 0}, {"port": 0}],
        },
        DEFAULT_POLICY,
        {
            "networks": [{"mode": "container/bridge"}],
            "container": {
                "type": "DOCKER",
                "docker": {"image": "image0"},
                "portMappings": [
                    NORMALIZED_DOCKER_MAPPING,
                    # one mapping per dropped port definition, all defaults
                    {
                        "containerPort": 0,
                        "hostPort": 0,
                        "labels": {},
                        "protocol": "tcp",
                        "servicePort": 0,
                    },
                ],
            },
            "portDefinitions": ABSENT,
        },
        [],
    ),
    case(
        "AppNormalizationTest",
        "normalization doesn't overwrite an existing network name",
        # The test builds the app in code with the name someUserNetwork; read from JSON, a
        # networks[].name must match strings.NetworkName (lowercase), so a valid name stands in.
        {
            "id": "/foo",
            "container": NORMALIZED_MESOS_CONTAINER,
            "networks": [{"name": "some-user-network"}],
        },
        ClusterPolicy(default_network_name="default-network0"),
        {
            "networks": [{"mode": "container", "name": "some-user-network"}],
            "container": NORMALIZED_MESOS_CONTAINER,
        },
        [],
    ),
    case(
        "AppNormalizationTest",
        "using legacy docker networking API, without a named network (default network given)",
        legacy_docker_app(ipAddress={}),
        ClusterPolicy(default_network_name="default-network0"),
        {
            "networks": [{"mode": "container", "name": "default-network0"}],
            "container": {
                "type": "DOCKER",
                "docker": {"image": "image0"},
                "portMappings": [NORMALIZED_DOCKER_MAPPING],
            },
        },
        [],
    ),
    case(
        "AppNormalizationTest",
        "using legacy IP/CT networking API without a named network (default network given)",
        legacy_mesos_app(network_name=None),
        ClusterPolicy(default_network_name="default-network0"),
        {
            "networks": [{"mode": "container", "name": "default-network0"}],
            "container": NORMALIZED_MESOS_CONTAINER,
        },
        [],
    ),
    case(
        "AppNormalizationTest",
        "legacy docker bridge app specifies the configured mesos CNI bridge",
        {
            "id": "/foo",
            "container": {"type": "DOCKER", "docker": {"image": "image0", "portMappings": []}},
            "ipAddress": {"networkName": "mesos-bridge"},
        },
        DEFAULT_POLICY,
        {
            "networks": [{"mode": "container/bridge"}],
            "container": {"type": "DOCKER", "docker": {"image": "image0"}, "portMappings": []},
            "portDefinitions": ABSENT,
        },
        [],
    ),
    case(
        "AppNormalizationTest",
        "preserves networkNames field",
        {
            "id": "/foo",
            "container": {
                "type": "DOCKER",
                "docker": {
                    "image": "image0",
                    "portMappings": [{"containerPort": 80, "networkNames": ["1"]}],
                },
            },
            "networks": [{"mode": "container", "name": "1"}],
        },
        DEFAULT_POLICY,
        {
            "container": {
                "type": "DOCKER",
                "docker": {"image": "image0"},
                "portMappings": [
                    {
                        "containerPort": 80,
                        "networkNames": ["1"],
                        "labels": {},
                        "protocol": "tcp",
                        "servicePort": 0,
                    }
                ],
            }
        },
        [],
    ),
    case(
        "AppNormalizationTest",
        "legacy docker app specifies ipAddress and HOST networking",
        {
            "id": "/foo",
            "container": {
                "type": "DOCKER",
                "docker": {"network": "HOST", "image": "image0", "portMappings": []},
            },
            "ipAddress": {"networkName": "mesos-bridge"},
        },
        DEFAULT_POLICY,
        {
            "networks": [{"mode": "host"}],
            "container": {"type": "DOCKER", "docker": {"image": "image0"}},
            "portDefinitions": DEFAULT_PORT_DEFINITIONS,
        },
        [],
    ),
    case(
        "AppNormalizationTest",
        "legacy docker app specifies ipAddress and BRIDGE networking",
        {
            "id": "/foo",
            "container": {
                "type": "DOCKER",
                "docker": {"network": "BRIDGE", "image": "image0", "portMappings": []},
            },
            "ipAddress": {"networkName": "my-bridge"},
        },
        DEFAULT_POLICY,
        {
            "networks": [{"mode": "container/bridge"}],
            "container": {"type": "DOCKER", "docker": {"image": "image0"}, "portMappings": []},
        },
        [],
    ),
    case(
        "AppNormalizationTest",
        "using legacy docker networking API",
        legacy_docker_app(),
        DEFAULT_POLICY,
        {
            "networks": [{"mode": "container", "name": "someUserNetwork"}],
            "container": {
                "type": "DOCKER",
                "docker": {"image": "image0"},
                "portMappings": [NORMALIZED_DOCKER_MAPPING],
            },
            "portDefinitions": ABSENT,
        },
        [],
    ),
    case(
        "AppNormalizationTest",
        "using legacy IP/CT networking API",
        legacy_mesos_app(),
        DEFAULT_POLICY,
        {
            "networks": [{"mode": "container", "name": "someUserNetwork"}],
            "container": NORMALIZED_MESOS_CONTAINER,
            "portDefinitions": ABSENT,
        },
        [],
    ),
    case(
        "AppNormalizationTest",
        "app w/ non-host networking discards requirePorts",
        legacy_mesos_app(requirePorts=True),
        DEFAULT_POLICY,
        {"requirePorts": False, "container": NORMALIZED_MESOS_CONTAINER},
        [],
    ),
    case(
        "AppNormalizationTest",
        "app w/ host networking preserves requirePorts",
        {
            "id": "/foo",
            "cmd": "sleep",
            "networks": [{"mode": "host"}],
            "portDefinitions": [{"port": 0}],
            "requirePorts": True,
        },
        DEFAULT_POLICY,
        {
            "requirePorts": True,
            "networks": [{"mode": "host"}],
            "portDefinitions": [{"port": 0, "protocol": "tcp"}],
        },
        [],
    ),
    case(
        "AppNormalizationTest",
        "inject default ports for an app w/ container networking but w/o a container",
        {"id": "/foo", "cmd": "sleep", "networks": [{"mode": "container/bridge"}]},
        DEFAULT_POLICY,
        {
            "container": {"type": "MESOS", "portMappings": [{**DEFAULT_MAPPING, "hostPort": 0}]},
            "portDefinitions": ABSENT,
        },
        [],
    ),
    case(
        "AppNormalizationTest",
        "allow a legacy docker bridge mode app to declare empty port mappings",
        {
            "id": "/foo",
            "cmd": "sleep",
            "container": {
                "type": "DOCKER",
                "docker": {"image": "image0", "network": "BRIDGE", "portMappings": []},
            },
        },
        DEFAULT_POLICY,
        {
            "container": {"type": "DOCKER", "docker": {"image": "image0"}, "portMappings": []},
            "networks": [{"mode": "container/bridge"}],
        },
        [],
    ),
    case(
        "AppNormalizationTest",
        "allow a legacy docker bridge mode app to declare empty port mappings at both levels",
        {
            "id": "/foo",
            "cmd": "sleep",
            "container": {
                "type": "DOCKER",
                "portMappings": [],
                "docker": {"image": "image0", "network": "BRIDGE", "portMappings": []},
            },
        },
        DEFAULT_POLICY,
        {
            "container": {"type": "DOCKER", "docker": {"image": "image0"}, "portMappings": []},
            "networks": [{"mode": "container/bridge"}],
        },
        [],
    ),
    case(
        "AppNormalizationTest",
        "allow a legacy docker bridge mode app to declare port mappings at container level if "
        "legacy mappings are empty",
        {
            "id": "/foo",
            "cmd": "sleep",
            "container": {
                "type": "DOCKER",
                "portMappings": [{}],
                "docker": {"image": "image0", "network": "BRIDGE", "portMappings": []},
            },
        },
        DEFAULT_POLICY,
        {
            "container": {
                "type": "DOCKER",
                "docker": {"image": "image0"},
                "portMappings": [
                    {
                        "containerPort": 0,
                        "hostPort": 0,
                        "labels": {},
                        "protocol": "tcp",
                        "servicePort": 0,
                    }
                ],
            },
            "networks": [{"mode": "container/bridge"}],
        },
        [],
    ),
    case(
        "AppNormalizationTest",
        "allow a mesos app to declare empty port mappings",
        {
            "id": "/foo",
            "cmd": "sleep",
            "container": {"type": "MESOS", "portMappings": []},
            "networks": [{"mode": "container/bridge"}],
        },
        DEFAULT_POLICY,
        {
            "container": {"type": "MESOS", "portMappings": []},
            "networks": [{"mode": "container/bridge"}],
        },
        [],
    ),
    case(
        "AppNormalizationTest",
        "provide default port mappings when left unspecified for an app container w/ bridge "
        "networking",
        {
            "id": "/foo",
            "cmd": "sleep",
            "container": {"type": "MESOS"},
            "networks": [{"mode": "container/bridge"}],
        },
        DEFAULT_POLICY,
        {"container": {"type": "MESOS", "portMappings": [{**DEFAULT_MAPPING, "hostPort": 0}]}},
        [],
    ),
    case(
        "AppNormalizationTest",
        "provide default port mappings when left unspecified for an app container w/ container "
        "networking",
        {
            "id": "/foo",
            "cmd": "sleep",
            "container": {"type": "MESOS"},
            "networks": [{"name": "network1", "mode": "container"}],
        },
        DEFAULT_POLICY,
        {"container": {"type": "MESOS", "portMappings": [DEFAULT_MAPPING]}},
        [],
    ),
    case(
        "AppNormalizationTest",
        "allow an app to declare empty port definitions",
        {"id": "/foo", "cmd": "sleep", "portDefinitions": [], "networks": [{"mode": "host"}]},
        DEFAULT_POLICY,
        {"portDefinitions": [], "networks": [{"mode": "host"}], "container": ABSENT},
        [],
    ),
    case(
        "AppNormalizationTest",
        "provide a default port definition when no port definitions are specified",
        {"id": "/foo", "cmd": "sleep", "networks": [{"mode": "host"}]},
        DEFAULT_POLICY,
        {"portDefinitions": DEFAULT_PORT_DEFINITIONS, "networks": [{"mode": "host"}]},
        [],
    ),
    # AppDefinitionFormatsTest
    case(
        "AppDefinitionFormatsTest",
        "FromJson",
        {"id": "app1", "cmd": "sleep 10"},
        DEFAULT_POLICY,
        {
            "id": "/app1",
            "portDefinitions": DEFAULT_PORT_DEFINITIONS,
            "requirePorts": False,
            "networks": [{"mode": "host"}],
            "container": ABSENT,
        },
        [],
    ),
    case(
        "AppDefinitionFormatsTest",
        "FromJSON should parse ipAddress.networkName",
        {"id": "test", "cmd": "foo", "ipAddress": {"networkName": "foo"}},
        DEFAULT_POLICY,
        {
            "networks": [{"mode": "container", "name": "foo"}],
            "container": {"type": "MESOS", "portMappings": [DEFAULT_MAPPING]},
        },
        [],
    ),
    case(
        "AppDefinitionFormatsTest",
        "FromJSON should parse ipAddress.networkName with MESOS container",
        {
            "id": "test",
            "cmd": "foo",
            "ipAddress": {"networkName": "foo"},
            "container": {"type": "MESOS"},
        },
        DEFAULT_POLICY,
        {
            "networks": [{"mode": "container", "name": "foo"}],
            "container": {"type": "MESOS", "portMappings": [DEFAULT_MAPPING]},
        },
        [],
    ),
    case(
        "AppDefinitionFormatsTest",
        "FromJSON should parse ipAddress.networkName with DOCKER container w/o port mappings",
        {
            "id": "test",
            "ipAddress": {"networkName": "foo"},
            "container": {"type": "DOCKER", "docker": {"image": "busybox", "network": "USER"}},
        },
        DEFAULT_POLICY,
        {
            "networks": [{"mode": "container", "name": "foo"}],
            "container": {
                "type": "DOCKER",
                "docker": {"image": "busybox"},
                "portMappings": [DEFAULT_MAPPING],
            },
        },
        [],
    ),
    case(
        "AppDefinitionFormatsTest",
        "FromJSON should parse ipAddress.networkName with DOCKER container w/ port mappings",
        {
            "id": "test",
            "ipAddress": {"networkName": "foo"},
            "container": {
                "type": "DOCKER",
                "docker": {
                    "image": "busybox",
                    "network": "USER",
                    "portMappings": [{"containerPort": 123, "servicePort": 80, "name": "foobar"}],
                },
            },
        },
        DEFAULT_POLICY,
        {
            "networks": [{"mode": "container", "name": "foo"}],
            "container": {
                "type": "DOCKER",
                "docker": {"image": "busybox"},
                "portMappings": [
                    {
                        "containerPort": 123,
                        "servicePort": 80,
                        "name": "foobar",
                        "labels": {},
                        "protocol": "tcp",
                    }
                ],
            },
        },
        [],
    ),
    case(
        "AppDefinitionFormatsTest",
        "FromJSON should parse Mesos Docker container",
        {
            "id": "test",
            "ipAddress": {"networkName": "foo"},
            "container": {"type": "MESOS", "docker": {"image": "busybox"}},
        },
        DEFAULT_POLICY,
        {
            "networks": [{"mode": "container", "name": "foo"}],
            "container": {
                "type": "MESOS",
                "docker": {"image": "busybox"},
                "portMappings": [DEFAULT_MAPPING],
            },
        },
        [],
    ),
    # AppDefinitionTest (api/v2/json)
    case(
        "AppDefinitionTest",
        "Reading AppDefinition adds portIndex to a Marathon HTTP health check if the app has ports",
        {
            "id": "/prod/product/frontend/my-app",
            "cmd": "sleep 30",
            "portDefinitions": [{"port": 9001}, {"port": 9002}],
            "healthChecks": [{"protocol": "HTTP"}],
        },
        DEFAULT_POLICY,
        {"healthChecks": [{"protocol": "HTTP", "portIndex": 0}]},
        [],
    ),
    case(
        "AppDefinitionTest",
        "Reading AppDefinition adds portIndex to a Marathon HTTP health check if it has at least "
        "one portMapping",
        {
            "id": "/prod/product/frontend/my-app",
            "cmd": "sleep 30",
            "networks": [{"mode": "container", "name": "whatever"}],
            "container": {
                "type": "DOCKER",
                "docker": {"image": "foo"},
                "portMappings": [{"containerPort": 1}],
            },
            "healthChecks": [{"protocol": "HTTP"}],
        },
        DEFAULT_POLICY,
        {"healthChecks": [{"protocol": "HTTP", "portIndex": 0}]},
        [],
    ),
    case(
        "AppDefinitionTest",
        "Reading AppDefinition does not add portIndex to a Mesos HTTP health check if the app "
        "doesn't have ports",
        # The test reads the app without the model's validator; the request runs it, and that
        # refuses a Mesos check that addresses no port (M/state/AppDefinition.scala:643-652).
        {
            "id": "/prod/product/frontend/my-app",
            "cmd": "sleep 30",
            "portDefinitions": [],
            "healthChecks": [{"protocol": "MESOS_HTTP"}],
        },
        DEFAULT_POLICY,
        {"healthChecks": [{"protocol": "MESOS_HTTP"}]},
        [("/healthChecks/0", HEALTH_PORT_INDEX)],
    ),
    case(
        "AppDefinitionTest",
        "Reading AppDefinition adds portIndex to a Mesos HTTP health check if it has at least one "
        "portMapping",
        {
            "id": "/prod/product/frontend/my-app",
            "cmd": "sleep 30",
            "networks": [{"mode": "container", "name": "whatever"}],
            "container": {
                "type": "DOCKER",
                "docker": {"image": "abc"},
                "portMappings": [{"containerPort": 1}],
            },
            "healthChecks": [{"protocol": "MESOS_HTTP"}],
        },
        DEFAULT_POLICY,
        {"healthChecks": [{"protocol": "MESOS_HTTP", "portIndex": 0}]},
        [],
    ),
    case(
        "AppDefinitionTest",
        "Reading AppDefinition does not add portIndex to a Mesos HTTP health check if it has no "
        "ports nor portMappings",
        # As above: read without the model's validator in the test, refused by the request.
        {
            "id": "/prod/product/frontend/my-app",
            "cmd": "sleep 30",
            "portDefinitions": [],
            "container": {"type": "DOCKER", "docker": {"image": "foo"}},
            "healthChecks": [{"protocol": "MESOS_HTTP"}],
        },
        DEFAULT_POLICY,
        {"healthChecks": [{"protocol": "MESOS_HTTP"}]},
        [("/healthChecks/0", HEALTH_PORT_INDEX)],
    ),
    case(
        "AppDefinitionTest",
        "Read app with container definition and port mappings",
        {
            "id": "bridged-webapp",
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
                        }
                    ],
                },
            },
        },
        DEFAULT_POLICY,
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
                    }
                ],
            },
            "portDefinitions": ABSENT,
        },
        [],
    ),
    case(
        "AppDefinitionTest",
        "Read app with labeled virtual network and discovery info",
        {
            "id": "app-with-ip-address",
            "cmd": "python3 -m http.server 8080",
            "ipAddress": {
                "networkName": "whatever",
                "groups": ["a", "b", "c"],
                "labels": {"foo": "bar", "baz": "buzz"},
                "discovery": {"ports": [{"name": "http", "number": 80, "protocol": "tcp"}]},
            },
            "maxLaunchDelaySeconds": 300,
        },
        DEFAULT_POLICY,
        {
            "networks": [
                {"mode": "container", "name": "whatever", "labels": {"foo": "bar", "baz": "buzz"}}
            ],
            "container": {
                "type": "MESOS",
                "portMappings": [
                    {
                        "name": "http",
                        "containerPort": 80,
                        "protocol": "tcp",
                        "labels": {},
                        "servicePort": 0,
                    }
                ],
            },
            "portDefinitions": ABSENT,
        },
        [],
    ),
    case(
        "AppDefinitionTest",
        "Read app with ip address without discovery info",
        {
            "id": "app-with-ip-address",
            "cmd": "python3 -m http.server 8080",
            "ipAddress": {
                "networkName": "whatever",
                "groups": ["a", "b", "c"],
                "labels": {"foo": "bar", "baz": "buzz"},
            },
        },
        DEFAULT_POLICY,
        {
            "networks": [
                {"mode": "container", "name": "whatever", "labels": {"foo": "bar", "baz": "buzz"}}
            ],
            "container": {"type": "MESOS", "portMappings": [DEFAULT_MAPPING]},
            "portDefinitions": ABSENT,
        },
        [],
    ),
    case(
        "AppDefinitionTest",
        "Read app with ip address and an empty ports list",
        {
            "id": "app-with-network-isolation",
            "cmd": "python3 -m http.server 8080",
            "ports": [],
            "ipAddress": {"networkName": "whatever"},
        },
        DEFAULT_POLICY,
        {
            "networks": [{"mode": "container", "name": "whatever"}],
            "container": {"type": "MESOS", "portMappings": [DEFAULT_MAPPING]},
            "portDefinitions": ABSENT,
        },
        [],
    ),
    # AppsResourceTest
    case(
        "AppsResourceTest",
        "Create a new app with IP/CT on virtual network foo",
        {"id": "/app", "cmd": "cmd", "networks": [{"mode": "container", "name": "foo"}]},
        DEFAULT_POLICY,
        {
            "networks": [{"mode": "container", "name": "foo"}],
            "container": {"type": "MESOS", "portMappings": [DEFAULT_MAPPING]},
            "portDefinitions": ABSENT,
        },
        [],
    ),
    case(
        "AppsResourceTest",
        "Create a new app with IP/CT on virtual network foo w/ MESOS container spec",
        {
            "id": "/app",
            "cmd": "cmd",
            "networks": [{"mode": "container", "name": "foo"}],
            "container": {"type": "MESOS"},
        },
        DEFAULT_POLICY,
        {"container": {"type": "MESOS", "portMappings": [DEFAULT_MAPPING]}},
        [],
    ),
    case(
        "AppsResourceTest",
        "Create a new app without IP/CT when default virtual network is bar",
        {"id": "/app", "cmd": "cmd"},
        ClusterPolicy(default_network_name="bar"),
        {"networks": [{"mode": "host"}], "portDefinitions": DEFAULT_PORT_DEFINITIONS},
        [],
    ),
    case(
        "AppsResourceTest",
        "Create a new app with IP/CT when default virtual network is bar, Alice did not specify "
        "network name",
        {"id": "/app", "cmd": "cmd", "networks": [{"mode": "container"}]},
        ClusterPolicy(default_network_name="bar"),
        {"networks": [{"mode": "container", "name": "bar"}]},
        [],
    ),
    case(
        "AppsResourceTest",
        "Create a new app with IP/CT when default virtual network is bar, but Alice specified foo",
        {"id": "/app", "cmd": "cmd", "networks": [{"mode": "container", "name": "foo"}]},
        ClusterPolicy(default_network_name="bar"),
        {"networks": [{"mode": "container", "name": "foo"}]},
        [],
    ),
    case(
        "AppsResourceTest",
        "Create a new app with IP/CT with virtual network foo w/ Docker",
        {
            "id": "/app",
            "cmd": "cmd",
            "ipAddress": {"networkName": "foo"},
            "container": {
                "type": "DOCKER",
                "docker": {
                    "portMappings": [{"containerPort": 0}],
                    "image": "jdef/helpme",
                    "network": "USER",
                },
            },
        },
        DEFAULT_POLICY,
        {
            "networks": [{"mode": "container", "name": "foo"}],
            "container": {
                "type": "DOCKER",
                "docker": {"image": "jdef/helpme"},
                "portMappings": [
                    {"containerPort": 0, "labels": {}, "protocol": "tcp", "servicePort": 0}
                ],
            },
        },
        [],
    ),
    case(
        "AppsResourceTest",
        "Create a new app in BRIDGE mode w/ Docker",
        {
            "id": "/app",
            "cmd": "cmd",
            "container": {
                "type": "DOCKER",
                "docker": {
                    "network": "BRIDGE",
                    "image": "jdef/helpme",
                    "portMappings": [{"containerPort": 0}],
                },
            },
        },
        DEFAULT_POLICY,
        {
            "networks": [{"mode": "container/bridge"}],
            "container": {
                "type": "DOCKER",
                "docker": {"image": "jdef/helpme"},
                "portMappings": [
                    {
                        "containerPort": 0,
                        "hostPort": 0,
                        "labels": {},
                        "protocol": "tcp",
                        "servicePort": 0,
                    }
                ],
            },
        },
        [],
    ),
    case(
        "AppsResourceTest",
        "Create a new app successfully using ports instead of portDefinitions",
        {"id": "/app", "cmd": "cmd", "portDefinitions": [{"port": 1000}, {"port": 1001}]},
        DEFAULT_POLICY,
        {"portDefinitions": [{"port": 1000, "protocol": "tcp"}, {"port": 1001, "protocol": "tcp"}]},
        [],
    ),
    case(
        "AppsResourceTest",
        "Replace an existing application using ports instead of portDefinitions",
        {"id": "/app", "cmd": "foo", "ports": [1000, 1001]},
        DEFAULT_POLICY,
        {
            "ports": ABSENT,
            "portDefinitions": [
                {"port": 1000, "protocol": "tcp"},
                {"port": 1001, "protocol": "tcp"},
            ],
        },
        [],
    ),
    case(
        "AppsResourceTest",
        "Replacing an existing docker application, upgrading from host to user networking",
        {
            "id": "/app",
            "cmd": "sleep 1",
            "container": {"type": "DOCKER", "docker": {"image": "/test:latest", "network": "USER"}},
            "ipAddress": {"networkName": "dcos"},
        },
        DEFAULT_POLICY,
        {
            "networks": [{"mode": "container", "name": "dcos"}],
            "container": {
                "type": "DOCKER",
                "docker": {"image": "/test:latest"},
                "portMappings": [DEFAULT_MAPPING],
            },
            "portDefinitions": ABSENT,
        },
        [],
    ),
]


@pytest.mark.parametrize(("raw", "policy", "fields", "errors"), NORMALIZATION)
def test_marathon_normalization(raw, policy, fields, errors):
    prepared = prepare(raw, policy)

    assert sorted((e.path, e.message) for e in prepared.errors) == sorted(errors)
    assert {k: prepared.app.get(k, ABSENT) for k in fields} == fields


NORMALIZATION_ERRORS = [
    case(
        "AppNormalizationTest",
        "fails when ipAddress discovery ports and container port mappings are both specified",
        legacy_mesos_app(
            container={"type": "MESOS", "docker": {"image": "image0"}, "portMappings": []}
        ),
        "container.portMappings and ipAddress.discovery.ports must not both be set",
    ),
    case(
        "AppNormalizationTest",
        "legacy docker app specifies NONE networking, with or without ipAddress (with)",
        {
            "id": "/foo",
            "container": {
                "type": "DOCKER",
                "docker": {"network": "NONE", "image": "image0", "portMappings": []},
            },
            "ipAddress": {},
        },
        "unsupported docker network type NONE",
    ),
    case(
        "AppNormalizationTest",
        "legacy docker app specifies NONE networking, with or without ipAddress (without)",
        {
            "id": "/foo",
            "container": {
                "type": "DOCKER",
                "docker": {"network": "NONE", "image": "image0", "portMappings": []},
            },
        },
        "unsupported docker network type NONE",
    ),
    case(
        "AppNormalizationTest",
        "prevent a legacy docker bridge mode app from mixing empty and non-empty port mappings",
        {
            "id": "/foo",
            "cmd": "sleep",
            "container": {
                "type": "DOCKER",
                "portMappings": [],
                "docker": {"image": "image0", "network": "BRIDGE", "portMappings": [{}]},
            },
        },
        "cannot specify both portMappings and docker.portMappings",
    ),
]


@pytest.mark.parametrize(("raw", "message"), NORMALIZATION_ERRORS)
def test_marathon_normalization_exception(raw, message):
    # NormalizationException: the request is refused with Marathon's message alone.
    assert [e.message for e in resolve_app(raw).errors] == [message]


# --- service-port assignment (AssignDynamicServiceLogicTest) ---------------------------------
# Marathon's tests pass the range by hand (e.g. 10 to 20); here it is the cluster policy's.


def service_range(low, high):
    return ClusterPolicy(local_port_min=low, local_port_max=high)


def defined(app_id, *ports):
    return {"id": app_id, "cmd": "sleep", "portDefinitions": [{"port": p} for p in ports]}


def assigned(result) -> list[int]:
    return [p.service_port for p in result.ports]


SERVICE_PORTS_UPDATE = [
    case(
        "AssignDynamicServiceLogicTest",
        "should reassign dynamic service ports specified in the container",
        defined("/app1", 10, 0, 11),
        [10, 11],
        [10, 12, 11],
    ),
    case(
        "AssignDynamicServiceLogicTest",
        "Assign unique service ports also when adding a dynamic service port to an app",
        defined("/app1", 0, 0, 0),
        [10, 11],
        [10, 11, 12],
    ),
]


@pytest.mark.parametrize(("raw", "previous", "expected"), SERVICE_PORTS_UPDATE)
def test_marathon_service_ports_on_update(raw, previous, expected):
    # The app's saved version held ``previous``; an update reuses those first.
    result = resolve_app(raw, service_range(10, 20), taken=previous, previous=previous)

    assert assigned(result) == expected


SERVICE_PORTS_EXACT = [
    case(
        "AssignDynamicServiceLogicTest",
        "apps with port definitions should map dynamic ports to a non-0 value",
        [defined("/app", 0, 1)],
        [[10, 1]],
    ),
    case(
        "AssignDynamicServiceLogicTest",
        "Don't assign duplicated service ports",
        [defined("/app1", 0, 10)],
        [[11, 10]],
    ),
]


@pytest.mark.parametrize(("apps", "expected"), SERVICE_PORTS_EXACT)
def test_marathon_service_ports_exact(apps, expected):
    fleet = check_fleet(apps, service_range(10, 20))

    assert [assigned(r) for r in fleet.apps] == expected


SERVICE_PORTS_IN_RANGE = [
    case(
        "AssignDynamicServiceLogicTest",
        "have real ports assigned for all of the original dynamic ports in their definitions / "
        "consume service ports from the expected range",
        [defined("/app1", 0, 0, 0), defined("/app2", 1, 2, 3), defined("/app3", 0, 2, 0)],
        5,
    ),
    case(
        "AssignDynamicServiceLogicTest",
        "Already taken ports will not be used",
        [defined("/app1", 0, 0, 0), defined("/app2", 0, 2, 0)],
        5,
    ),
]


@pytest.mark.parametrize(("apps", "in_range"), SERVICE_PORTS_IN_RANGE)
def test_marathon_service_ports_in_range(apps, in_range):
    # Marathon hands out ports in no set order of apps, so only the count is pinned. The fleet's
    # collisions are warnings (a fixed port held twice is accepted); each app must be valid.
    fleet = check_fleet(apps, service_range(10, 20))
    ports = [p for r in fleet.apps for p in assigned(r)]
    dynamic = [p for p in ports if 10 <= p <= 20]

    assert all(r.valid for r in fleet.apps)
    assert 0 not in ports
    assert len(dynamic) == in_range == len(set(dynamic))


def test_marathon_service_ports_exhausted():
    # AssignDynamicServiceLogicTest / If there are not enough ports, a PortExhausted exception is
    # thrown
    fleet = check_fleet(
        [defined("/app1", 0, 0, 0), defined("/app2", 0, 0, 0)], service_range(10, 14)
    )

    assert [e.message for r in fleet.apps for e in r.errors] == [
        "All ports in the range [10-14) are already in use"
    ]


# withContainerNetworking runs its tests once per container kind.
CONTAINERS = [
    pytest.param({"type": "DOCKER", "docker": {"image": "foobar"}}, id="docker-docker"),
    pytest.param({"type": "MESOS", "docker": {"image": "foobar"}}, id="mesos-docker"),
    pytest.param({"type": "MESOS"}, id="mesos"),
]


def containerized(app_id, container, mappings, networks=None):
    return {
        "id": app_id,
        "cmd": "sleep",
        "networks": networks or [{"mode": "container", "name": "whatever"}],
        "container": {**container, "portMappings": mappings},
    }


def _in_range(fleet, low, high):
    return [p for r in fleet.apps for p in assigned(r) if low <= p <= high]


@pytest.mark.parametrize("container", CONTAINERS)
def test_marathon_service_ports_in_container(container):
    # AssignDynamicServiceLogicTest / withContainerNetworking / Assign dynamic service ports
    # specified in the container
    app = containerized(
        "/app1",
        container,
        [
            {"containerPort": 8080, "hostPort": 0, "servicePort": 0, "protocol": "tcp"},
            {"containerPort": 9000, "hostPort": 10555, "servicePort": 10555, "protocol": "udp"},
            {"containerPort": 9001, "hostPort": 31337, "servicePort": 0, "protocol": "udp"},
            {"containerPort": 9002, "hostPort": 0, "servicePort": 0, "protocol": "tcp"},
        ],
    )

    fleet = check_fleet([app], service_range(10, 14))

    assert all(r.valid for r in fleet.apps)
    assert 0 not in assigned(fleet.apps[0])
    assert len(fleet.apps[0].ports) == 4
    assert len(_in_range(fleet, 10, 14)) == 3


@pytest.mark.parametrize("container", CONTAINERS)
def test_marathon_service_ports_in_multiple_containers(container):
    # AssignDynamicServiceLogicTest / withContainerNetworking / Assign dynamic service ports
    # specified in multiple containers
    apps = [
        containerized("/app1", container, [{"containerPort": 8080}]),
        containerized("/app2", container, [{"containerPort": 8081}]),
    ]

    fleet = check_fleet(apps, service_range(10, 12))

    ports = _in_range(fleet, 10, 12)
    assert all(r.valid for r in fleet.apps)
    assert len(ports) == len(set(ports)) == 2
    assert [p.host_port for r in fleet.apps for p in r.ports] == [None, None]


@pytest.mark.parametrize("container", CONTAINERS)
def test_marathon_service_ports_bridge_then_user(container):
    # AssignDynamicServiceLogicTest / withContainerNetworking / Assign dynamic service ports w/
    # both BRIDGE and USER containers: the range is 0 until 12, and 0 is never handed out.
    policy = service_range(0, 11)
    bridge_app = containerized(
        "/bridgemodeapp",
        container,
        [{"containerPort": 8080, "hostPort": 0}],
        networks=[{"mode": "container/bridge"}],
    )
    user_app = containerized(
        "/usermodeapp", container, [{"containerPort": 8081}, {"containerPort": 8082, "hostPort": 0}]
    )

    first = check_fleet([bridge_app], policy)
    second = check_fleet([first.apps[0].app, user_app], policy)

    assert all(r.valid for r in [*first.apps, *second.apps])
    assert 0 not in assigned(first.apps[0])
    assert len(_in_range(first, 0, 11)) == 1
    ports = _in_range(second, 0, 11)
    assert 0 not in ports
    assert len(ports) == len(set(ports)) == 3


@pytest.mark.parametrize("container", CONTAINERS)
def test_marathon_service_ports_default_port_mapping(container):
    # AssignDynamicServiceLogicTest / withContainerNetworking / Assign a service port for an app
    # using Docker USER networking with a default port mapping
    fleet = check_fleet([containerized("/app1", container, [{}])], service_range(10, 11))

    assert all(r.valid for r in fleet.apps)
    assert len(_in_range(fleet, 10, 11)) == 1
    assert fleet.apps[0].ports[0].host_port is None


@pytest.mark.parametrize("container", CONTAINERS)
def test_marathon_service_ports_fixed_in_container_kept(container):
    # AssignDynamicServiceLogicTest / withContainerNetworking / Export non-dynamic service ports
    # specified in the container to the ports field
    app = containerized(
        "/app1",
        container,
        [
            {"containerPort": 8080, "hostPort": 0, "servicePort": 80, "protocol": "tcp"},
            {"containerPort": 9000, "hostPort": 10555, "servicePort": 81, "protocol": "udp"},
        ],
        networks=[{"mode": "container", "name": "foo"}],
    )

    fleet = check_fleet([app], service_range(10, 20))

    assert assigned(fleet.apps[0]) == [80, 81]


@pytest.mark.parametrize("container", CONTAINERS)
def test_marathon_service_ports_leave_container_without_mappings(container):
    # AssignDynamicServiceLogicTest / withContainerNetworking / Retain the original container
    # definition if port mappings are missing
    app = {
        "id": "/app1",
        "cmd": "sleep",
        "portDefinitions": [],
        "container": {**container, "portMappings": []},
    }
    policy = service_range(10, 15)

    fleet = check_fleet([app], policy)

    assert fleet.apps[0].app["container"] == prepare(app, policy).app["container"]


# --- task env vars (EnvironmentHelperTest, TaskBuilderTest) ----------------------------------
# Marathon's tests hand the host ports in (e.g. 1000 and 1001); here they come from the app's
# fixed hostPorts or from an agent range holding exactly those ports. "$x" stands for a port
# picked at launch: the same "$x" is the same value everywhere, in names too (PORT_$x), and a
# picked port is a port number other than every other port the case names.


def agents(*ranges):
    return ClusterPolicy(agent_port_ranges=tuple(ranges))


def bridged(mappings, **fields):
    return {
        "id": "/test",
        "cmd": "run",
        "networks": [{"mode": "container/bridge"}],
        "container": {"type": "MESOS", "portMappings": mappings},
        **fields,
    }


def host_app(*ports, **fields):
    return {
        "id": "/test",
        "cmd": "run",
        "portDefinitions": [{"port": p} for p in ports],
        **fields,
    }


ENV = [
    case(
        "EnvironmentHelperTest",
        "PortsEnv",
        bridged([{"containerPort": 0, "hostPort": 1001}, {"containerPort": 0, "hostPort": 1002}]),
        DEFAULT_POLICY,
        {"PORT": "1001", "PORT0": "1001", "PORT1": "1002"},
        ["PORT_0"],
    ),
    case(
        "EnvironmentHelperTest",
        "PortsNamedEnv",
        bridged(
            [
                {"name": "http", "containerPort": 0, "hostPort": 1001},
                {"name": "https", "containerPort": 0, "hostPort": 1002},
            ]
        ),
        DEFAULT_POLICY,
        {
            "PORT": "1001",
            "PORT0": "1001",
            "PORT1": "1002",
            "PORT_HTTP": "1001",
            "PORT_HTTPS": "1002",
        },
        [],
    ),
    case(
        "EnvironmentHelperTest",
        "DeclaredPortsEnv",
        bridged(
            [{"containerPort": 80, "hostPort": 1001}, {"containerPort": 8080, "hostPort": 1002}]
        ),
        DEFAULT_POLICY,
        {"PORT": "1001", "PORT0": "1001", "PORT1": "1002", "PORT_80": "1001", "PORT_8080": "1002"},
        [],
    ),
    case(
        "EnvironmentHelperTest",
        "DeclaredPortsEnvNamed",
        bridged(
            [
                {"name": "http", "containerPort": 80, "hostPort": 1001},
                {"containerPort": 8080, "hostPort": 1002},
                {"name": "https", "containerPort": 443, "hostPort": 1003},
            ]
        ),
        DEFAULT_POLICY,
        {
            "PORT": "1001",
            "PORT0": "1001",
            "PORT1": "1002",
            "PORT2": "1003",
            "PORT_80": "1001",
            "PORT_8080": "1002",
            "PORT_443": "1003",
            "PORT_HTTP": "1001",
            "PORT_HTTPS": "1003",
        },
        [],
    ),
    case(
        "TaskBuilderTest",
        "user defined variables override automatic port variables",
        host_app(
            8080,
            8081,
            env={
                "PORT": "1",
                "PORTS": "ports",
                "PORT0": "1",
                "PORT1": "2",
                "PORT_8080": "port8080",
                "PORT_8081": "port8081",
            },
        ),
        agents((1000, 1001)),
        {
            "PORT": "1",
            "PORTS": "ports",
            "PORT0": "1",
            "PORT1": "2",
            "PORT_8080": "port8080",
            "PORT_8081": "port8081",
        },
        [],
    ),
    case(
        "TaskBuilderTest",
        "PortsEnvWithOnlyPorts",
        host_app(8080, 8081),
        agents((1000, 1001)),
        {"PORT_8080": "1000", "PORT_8081": "1001"},
        [],
    ),
    case(
        "TaskBuilderTest",
        "PortsEnvWithCustomPrefix",
        # The prefix also goes on HOST, which the engine does not model (it is no port).
        host_app(8080, 8081),
        ClusterPolicy(agent_port_ranges=((1000, 1001),), env_vars_prefix="CUSTOM_PREFIX_"),
        {
            "CUSTOM_PREFIX_PORTS": "1000,1001",
            "CUSTOM_PREFIX_PORT": "1000",
            "CUSTOM_PREFIX_PORT0": "1000",
            "CUSTOM_PREFIX_PORT_8080": "1000",
            "CUSTOM_PREFIX_PORT1": "1001",
            "CUSTOM_PREFIX_PORT_8081": "1001",
        },
        ["PORTS", "PORT0", "PORT1"],
    ),
    case(
        "TaskBuilderTest",
        "OnlyWhitelistedUnprefixedVariablesWithCustomPrefix",
        host_app(8080, 8081),
        ClusterPolicy(agent_port_ranges=((1000, 1001),), env_vars_prefix="P_"),
        {"P_PORT0": "1000", "P_PORT1": "1001"},
        ["PORT", "PORTS", "PORT0", "PORT1", "PORT_8080", "PORT_8081"],
    ),
    case(
        "TaskBuilderTest",
        "PortsEnvWithOnlyMappings",
        {
            "id": "/test",
            "networks": [{"mode": "container/bridge"}],
            "container": {
                "type": "DOCKER",
                "docker": {"image": "image"},
                "portMappings": [
                    {
                        "containerPort": 8080,
                        "hostPort": 0,
                        "servicePort": 9000,
                        "protocol": "tcp",
                        "name": "http",
                    },
                    {
                        "containerPort": 8081,
                        "hostPort": 0,
                        "servicePort": 9000,
                        "protocol": "tcp",
                        "name": "jabber",
                    },
                ],
            },
        },
        agents((1000, 1001)),
        {"PORT_8080": "1000", "PORT_8081": "1001", "PORT_HTTP": "1000", "PORT_JABBER": "1001"},
        [],
    ),
    case(
        "TaskBuilderTest",
        "PortsEnvWithOnlyMappingsAndUserNetworking",
        {
            "id": "/test",
            "networks": [{"mode": "container", "name": "dcos"}],
            "container": {
                "type": "DOCKER",
                "docker": {"image": "image"},
                "portMappings": [
                    {"containerPort": 8080, "servicePort": 9000, "protocol": "tcp", "name": "http"},
                    {"containerPort": 0, "servicePort": 9001, "protocol": "tcp", "name": "jabber"},
                ],
            },
        },
        DEFAULT_POLICY,
        {
            "PORT_8080": "8080",
            "PORT_HTTP": "8080",
            "PORT1": "$g",
            "PORT_$g": "$g",
            "PORT_JABBER": "$g",
        },
        [],
    ),
    case(
        "TaskBuilderTest",
        "PortsEnvWithBothPortsAndMappings",
        # The model refuses both at once (IllegalArgumentException). A request never gets there:
        # normalization drops portDefinitions without host networking (the engine warns,
        # dropped-port-definitions), so only the mappings make variables.
        {
            "id": "/test",
            "portDefinitions": [{"port": 22}, {"port": 23}],
            "networks": [{"mode": "container/bridge"}],
            "container": {
                "type": "DOCKER",
                "docker": {"image": "image"},
                "portMappings": [
                    {"containerPort": 8080, "hostPort": 0, "servicePort": 9000, "protocol": "tcp"},
                    {"containerPort": 8081, "hostPort": 0, "servicePort": 9000, "protocol": "tcp"},
                ],
            },
        },
        agents((1000, 1001)),
        {"PORT_8080": "1000", "PORT_8081": "1001"},
        ["PORT_22", "PORT_23"],
    ),
    case(
        "TaskBuilderTest",
        "build with requirePorts preserves the port order",
        host_app(25552, 25551, requirePorts=True),
        agents((25000, 26000)),
        {"PORT0": "25552", "PORT_25552": "25552", "PORT1": "25551", "PORT_25551": "25551"},
        [],
    ),
    case(
        "TaskBuilderTest",
        "build with virtual networking and optional hostports preserves the port order",
        {
            "id": "/product/frontend",
            "cmd": "foo",
            "networks": [{"mode": "container", "name": "vnet"}],
            "container": {
                "type": "DOCKER",
                "docker": {"image": "jdef/foo"},
                "portMappings": [
                    {"containerPort": 0},
                    {"containerPort": 100, "hostPort": 0},
                    {"containerPort": 200, "hostPort": 25002},
                    {"containerPort": 0, "hostPort": 25001},
                    {"containerPort": 400},
                    {"containerPort": 0, "hostPort": 0},
                ],
            },
            "portDefinitions": [],
        },
        agents((25000, 26003)),
        {
            # container-only with containerPort 0: a port picked for the task, offered by nobody
            "PORT0": "$g0",
            "PORT_$g0": "$g0",
            # a dynamic host port from the offer
            "PORT1": "$h1",
            "PORT_100": "$h1",
            # fixed host ports
            "PORT2": "25002",
            "PORT_200": "25002",
            "PORT3": "25001",
            "PORT_25001": "25001",
            # container-only with a fixed containerPort
            "PORT4": "400",
            "PORT_400": "400",
            # dynamic host port, inherited by containerPort 0
            "PORT5": "$h5",
            "PORT_$h5": "$h5",
        },
        [],
    ),
    case(
        "TaskBuilderTest",
        "PortMappingsWithZeroContainerPort",
        # At launch the containerPort 0 becomes the host port (31000), hence PORT_31000.
        {
            "id": "/testapp",
            "networks": [{"mode": "container/bridge"}],
            "container": {
                "type": "DOCKER",
                "docker": {"image": "image"},
                "portMappings": [
                    {"containerPort": 0, "hostPort": 0, "servicePort": 9000, "protocol": "tcp"}
                ],
            },
        },
        agents((31000, 31000)),
        {"PORT0": "31000", "PORT_31000": "31000", "PORT": "31000", "PORTS": "31000"},
        [],
    ),
]

_PLACEHOLDER = re.compile(r"\$\w+")


@pytest.mark.parametrize(("raw", "policy", "expected", "absent"), ENV)
def test_marathon_env(raw, policy, expected, absent):
    result = resolve_app(raw, policy)
    env = result.env_dict()
    picked = {
        value: env.get(key)
        for key, value in expected.items()
        if _PLACEHOLDER.fullmatch(value) and "$" not in key
    }

    def bind(text):
        return _PLACEHOLDER.sub(lambda m: str(picked[m.group()]), text)

    assert result.errors == []
    assert {bind(k): env.get(bind(k)) for k in expected} == {
        bind(k): bind(v) for k, v in expected.items()
    }
    assert [name for name in absent if name in env] == []
    others = {v for v in expected.values() if v.isdigit()}
    others |= {k.rsplit("_", 1)[1] for k in expected if re.fullmatch(r"PORT_\d+", k)}
    for value in picked.values():
        assert value is not None and 1025 <= int(value) <= 65535
        assert value not in others
    assert len(set(picked.values())) == len(picked)


NO_PORT_VARIABLES = [
    case(
        "EnvironmentHelperTest",
        "PortsEnvEmpty",
        bridged([]),
    ),
    case(
        "TaskBuilderTest",
        "BuildIfMatchesWithoutPorts",
        {"id": "/product/frontend", "cmd": "foo", "executor": "//cmd", "portDefinitions": []},
    ),
]


@pytest.mark.parametrize("raw", NO_PORT_VARIABLES)
def test_marathon_env_without_ports(raw):
    result = resolve_app(raw)

    assert result.ports == []
    assert result.env_dict() == {}


def test_marathon_env_default_port_mapping_in_user_mode():
    # TaskBuilderTest / PortMappingsWithUserModeAndDefaultPortMapping: PORT, PORT0, PORTS and
    # exactly one PORT_<n>, all naming the one port picked for the task.
    raw = {
        "id": "/testapp",
        "networks": [{"mode": "container", "name": "vnet"}],
        "container": {"type": "DOCKER", "docker": {"image": "image"}, "portMappings": [{}]},
        "portDefinitions": [],
    }

    env = resolve_app(raw).env_dict()
    port = env["PORT0"]

    assert env == {"PORT": port, "PORT0": port, "PORTS": port, f"PORT_{port}": port}


# --- host ports (PortsMatcherTest, TaskBuilderTest) ------------------------------------------
# Each port's host port: a number the agent must offer, None for a mapping that takes none, or
# DYNAMIC for one picked from the offer (distinct, inside the agents' ranges, never one of the
# app's fixed host ports). Marathon's "the offer does not match" is the engine's warning.

DYNAMIC = "dynamic"
OUTSIDE = "host-port-outside-agent-range"
TOO_FEW = "too-few-agent-ports"
UNMATCHED = {OUTSIDE, TOO_FEW}


def user_mode(*mappings, container_type="DOCKER"):
    container = {"type": container_type, "portMappings": list(mappings)}
    if container_type == "DOCKER":
        container["docker"] = {"image": "image"}
    return {
        "id": "/test",
        "cmd": "run",
        "networks": [{"mode": "container", "name": "dcos"}],
        "container": container,
    }


HOST_PORTS = [
    case(
        "PortsMatcherTest",
        "get random ports from single range",
        host_app(80, 81),
        agents((31000, 32000)),
        [DYNAMIC, DYNAMIC],
        [],
    ),
    case(
        "PortsMatcherTest",
        "get ports from multiple ranges",
        host_app(80, 81, 82, 83, 84),
        agents((30000, 30003), (31000, 31000)),
        [DYNAMIC] * 5,
        [],
    ),
    case(
        "PortsMatcherTest",
        "get ports from multiple ranges, requirePorts",
        host_app(80, 81, 82, 83, 100, requirePorts=True),
        agents((80, 83), (100, 100)),
        [80, 81, 82, 83, 100],
        [],
    ),
    case(
        "PortsMatcherTest",
        "get ports with requirePorts preserves the ports order",
        host_app(100, 80, requirePorts=True),
        agents((70, 200)),
        [100, 80],
        [],
    ),
    case("PortsMatcherTest", "get no ports", host_app(), DEFAULT_POLICY, [], []),
    case(
        "PortsMatcherTest",
        "get too many ports",
        host_app(80, 81, 82),
        agents((31000, 31001)),
        [DYNAMIC, DYNAMIC, DYNAMIC],
        [(TOO_FEW, "/portDefinitions/2")],
    ),
    case(
        "PortsMatcherTest",
        "fail if required ports are not available",
        host_app(80, 81, 82, requirePorts=True),
        agents((31000, 32000)),
        [80, 81, 82],
        [
            (OUTSIDE, "/portDefinitions/0/port"),
            (OUTSIDE, "/portDefinitions/1/port"),
            (OUTSIDE, "/portDefinitions/2/port"),
        ],
    ),
    case(
        "PortsMatcherTest",
        "satisfy dynamic mapped port from container",
        user_mode({"containerPort": 1, "hostPort": 0}),
        agents((31000, 31000)),
        [DYNAMIC],
        [],
    ),
    case(
        "PortsMatcherTest",
        "fail if fixed mapped port from container cannot be satisfied",
        user_mode({"containerPort": 1, "hostPort": 8080}),
        agents((31000, 32000)),
        [8080],
        [(OUTSIDE, "/container/portMappings/0/hostPort")],
    ),
    case(
        "PortsMatcherTest",
        "satisfy fixed mapped port from container",
        user_mode({"containerPort": 1, "hostPort": 31200}),
        agents((31000, 32000)),
        [31200],
        [],
    ),
    case(
        "PortsMatcherTest",
        "satisfy fixed and dynamic mapped port from container from one offered range",
        user_mode({"containerPort": 1, "hostPort": 0}, {"containerPort": 1, "hostPort": 31000}),
        agents((31000, 31001)),
        [DYNAMIC, 31000],
        [],
    ),
    case(
        "TaskBuilderTest",
        "Docker Container PortMappingsWithoutHostPort",
        user_mode(
            {"containerPort": 0, "hostPort": 31000, "servicePort": 9000, "protocol": "tcp"},
            {"containerPort": 0, "servicePort": 9001, "protocol": "tcp"},
            {"containerPort": 0, "hostPort": 31005, "servicePort": 9002, "protocol": "tcp"},
        ),
        agents((31000, 31010)),
        [31000, None, 31005],
        [],
    ),
    case(
        "TaskBuilderTest",
        "Mesos Container PortMappingsWithoutHostPort",
        user_mode(
            {"containerPort": 0, "hostPort": 31000, "servicePort": 9000, "protocol": "tcp"},
            {"containerPort": 0, "servicePort": 9001, "protocol": "tcp"},
            {"containerPort": 0, "hostPort": 31005, "servicePort": 9002, "protocol": "tcp"},
            container_type="MESOS",
        ),
        agents((31000, 31010)),
        [31000, None, 31005],
        [],
    ),
]


@pytest.mark.parametrize(("raw", "policy", "host_ports", "warnings"), HOST_PORTS)
def test_marathon_host_ports(raw, policy, host_ports, warnings):
    result = resolve_app(raw, policy)

    assert result.errors == []
    assert [DYNAMIC if p.host_port_dynamic else p.host_port for p in result.ports] == host_ports
    # A dynamic port the agents cannot supply has no example (and a warning, below).
    picked = [p.host_port for p in result.ports if p.host_port_dynamic and p.host_port]
    fixed = {p.host_port for p in result.ports if not p.host_port_dynamic}
    assert all(policy.in_agent_ranges(p) and p not in fixed for p in picked)
    assert len(set(picked)) == len(picked)
    assert [(w.code, w.path) for w in result.warnings if w.code in UNMATCHED] == warnings
