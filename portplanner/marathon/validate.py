"""Stage 3b: Marathon's semantic rules on the canonical app, with Marathon's exact messages.

``AppValidation.validateCanonicalAppAPI`` and ``NetworkValidation`` (spec §2.3), run between
``normalize_deprecated`` and ``normalize_post`` as in Marathon, so network names are checked
before the default network name is filled in. Paths are JSON pointers where Marathon writes
``/portMappings(0)``."""

from __future__ import annotations

from .findings import AppError
from .model import (
    BRIDGE,
    CONTAINER,
    HOST,
    container_type,
    duplicate_names,
    port_entries,
    upper,
)
from .pointers import pointer

NETWORK_MIX = (
    "May specify a single host network, single bridge network, or else 1-to-n container networks"
)
NETWORK_NAME_REQUIRED = "Network name must be specified when container network is selected."
SINGLE_ITEM_NETWORK_NAMES = (
    "networkNames must be a single item list when hostPort is specified and more than 1 container "
    "network is defined"
)
DOCKER_SINGLE_NETWORK = (
    "may only specify a single container network when using the Docker container engine"
)
CMD_ARGS_OR_CONTAINER = (
    "AppDefinition must either contain one of 'cmd' or 'args', and/or a 'container'."
)
HEALTH_CHECK_PORT_INDEX = (
    "Health check port indices must address an element of the ports array or container port "
    "mappings."
)
READINESS_DEFAULT_PORT_NAME = "http-api"
# Health checks Marathon itself runs; the raml rule checks only these (AppValidation.scala:452).
_MARATHON_HEALTH_PROTOCOLS = {"HTTP", "HTTPS", "TCP"}
# Every kind that probes a port: HealthCheckWithPort (M/core/health/HealthCheck.scala:64-125).
_PORT_HEALTH_PROTOCOLS = _MARATHON_HEALTH_PROTOCOLS | {"MESOS_HTTP", "MESOS_HTTPS", "MESOS_TCP"}


def canonical_errors(app: dict, policy) -> list[AppError]:
    errors: list[AppError] = []
    networks = app.get("networks") or []
    container = app.get("container")
    mappings = (container or {}).get("portMappings")
    definitions = app.get("portDefinitions")

    errors += _network_errors(networks, policy)
    if definitions:
        if duplicate_names(definitions):
            errors.append(AppError("/portDefinitions", "Port names must be unique."))
        fixed = [d["port"] for d in definitions if d["port"] != 0]
        # The key is the port alone, not (port, protocol): tcp 53 + udp 53 is refused (spec §2.3).
        if len(set(fixed)) != len(fixed):
            errors.append(AppError("/portDefinitions", "Ports must be unique."))
    if mappings:
        errors += _port_mapping_errors(mappings, networks)
    if container is not None:
        errors += _container_errors(container)
        if (
            container_type(container) == "DOCKER"
            and sum(n["mode"] == CONTAINER for n in networks) > 1
        ):
            errors.append(AppError("/", DOCKER_SINGLE_NETWORK))

    has_cmd = app.get("cmd") is not None
    has_args = bool(app.get("args"))
    if not ((has_cmd != has_args) or (not (has_cmd and has_args) and _has_image(container))):
        errors.append(AppError("/", CMD_ARGS_OR_CONTAINER))
    if has_cmd and len(app["cmd"]) <= 1:
        # Marathon's check is `cmd.length > 1`, so a one-character cmd is refused too.
        errors.append(AppError("/", "must not be an empty string"))
    if app.get("id") == "/":
        errors.append(AppError("/id", "must not be root"))
    if any(n["mode"] == HOST for n in networks) and mappings:
        errors.append(AppError("/", "portMappings are not allowed with host-networking"))
    if any(n["mode"] != HOST for n in networks) and definitions:
        errors.append(AppError("/", "portDefinitions are only allowed with host-networking"))

    port_count = len(mappings) if mappings is not None else len(definitions or ())
    errors += _health_check_errors(app, port_count, _MARATHON_HEALTH_PROTOCOLS)
    names = {e.get("name") for e in (mappings if mappings is not None else definitions or ())}
    for i, check in enumerate(app.get("readinessChecks") or ()):
        if not isinstance(check, dict):
            continue
        # readinessCheckValidator (AppValidation.scala:244-256): a check without portName asks
        # for the RAML default, http-api (RAML/readinessCheck.raml; ReadinessCheck.DefaultPortName).
        name = check.get("portName", READINESS_DEFAULT_PORT_NAME)
        if name not in names:
            errors.append(
                AppError(
                    pointer("readinessChecks", i, "portName"),
                    f"No port definition reference for portName {name}",
                )
            )
    return errors


def model_errors(app: dict) -> list[AppError]:
    """Rules Marathon checks again on the model (``AppDefinition.validBasicAppDefinition``), after
    ``normalize_post`` filled in the default network name (M/state/AppDefinition.scala:640): a
    named and an unnamed network may now match."""
    errors = []
    names = [n.get("name") for n in app["networks"] if n["mode"] == CONTAINER]
    if len(set(names)) != len(names):
        errors.append(AppError("/networks", "Duplicate networks are not allowed"))
    # The model's portIndexIsValid (M/state/AppDefinition.scala:616, 643-652) covers every
    # HealthCheckWithPort, Mesos kinds included, counting the ports of the normalized app (a
    # bridge app without a container now has the default one, with one mapping).
    _, entries = port_entries(app)
    errors += _health_check_errors(app, len(entries), _PORT_HEALTH_PROTOCOLS)
    return errors


def _network_errors(networks: list[dict], policy) -> list[AppError]:
    """NetworkValidation.scala:14-39, 64-67."""
    errors = []
    messages: list[str] = []
    modes = [n["mode"] for n in networks]
    for n in networks:
        if n["mode"] == HOST and (n.get("name") is not None or n.get("labels")):
            messages.append("Host networks may not have names or labels")
        if n["mode"] == BRIDGE and n.get("name") is not None:
            messages.append("Bridge networks may not have names")
    container_names = [n.get("name") for n in networks if n["mode"] == CONTAINER]
    if len(set(container_names)) != len(container_names):
        messages.append("Duplicate networks are not allowed")
    if networks and not (
        modes == [HOST] or modes == [BRIDGE] or all(m == CONTAINER for m in modes)
    ):
        messages.append(NETWORK_MIX)
    if any(n["mode"] == CONTAINER and n.get("name") is None for n in networks) and (
        policy.default_network_name is None
    ):
        messages.append(NETWORK_NAME_REQUIRED)
    for message in dict.fromkeys(messages):
        errors.append(AppError("/networks", message))
    return errors


def _port_mapping_errors(mappings: list[dict], networks: list[dict]) -> list[AppError]:
    errors = []
    if duplicate_names(mappings):
        errors.append(AppError("/container/portMappings", "Port names must be unique."))
    container_networks = sum(n["mode"] == CONTAINER for n in networks)
    # Checked against the names as written, before --default_network_name is filled in (spec §2.3).
    declared = [n["name"] for n in networks if n.get("name") is not None]
    for i, mapping in enumerate(mappings):
        network_names = mapping.get("networkNames") or []
        if container_networks > 1 and "hostPort" in mapping and len(network_names) != 1:
            errors.append(
                AppError(pointer("container", "portMappings", i), SINGLE_ITEM_NETWORK_NAMES)
            )
        for j, name in enumerate(network_names):
            if name not in declared:
                errors.append(
                    AppError(
                        pointer("container", "portMappings", i, "networkNames", j),
                        f"is not one of ({','.join(declared)})",
                    )
                )
    return errors


def _container_errors(container: dict) -> list[AppError]:
    docker = container.get("docker")
    if container_type(container) == "DOCKER":
        if docker is None:
            # `container.docker is definedAnd(...)` (AppValidation.scala:63-65); definedAnd's
            # message is "not defined" (M/api/v2/Validation.scala:35-44).
            return [AppError("/container/docker", "not defined")]
        if not docker.get("image"):
            return [AppError("/container/docker/image", "must not be empty")]
    elif docker is not None and not docker.get("image"):
        return [AppError("/container/docker/image", "must not be empty")]
    return []


def _has_image(container: dict | None) -> bool:
    # containsCmdArgsOrContainer counts a container only when it names an image (docker or appc).
    if container is None:
        return False
    if container.get("docker") is not None:
        return True
    return container_type(container) == "MESOS" and container.get("appc") is not None


def _health_check_errors(app: dict, port_count: int, protocols: set[str]) -> list[AppError]:
    return [
        AppError(pointer("healthChecks", i), HEALTH_CHECK_PORT_INDEX)
        for i, check in enumerate(app.get("healthChecks") or ())
        if isinstance(check, dict) and not _health_check_port_ok(check, port_count, protocols)
    ]


def _health_check_port_ok(check: dict, port_count: int, protocols: set[str]) -> bool:
    """``portIndexIsValid``: a check of one of ``protocols`` must address one of the app's ports
    by ``portIndex``, give a ``port``, or (without either) the app has exactly one port. COMMAND
    checks use no port; a check carrying a command is not one of these kinds (AppValidation.scala:
    451-463)."""
    protocol = upper(check.get("protocol")) or "HTTP"
    if check.get("command") or protocol not in protocols:
        return True
    index = check.get("portIndex")
    if index is not None:
        return 0 <= index < port_count
    return check.get("port") is not None or port_count == 1
