"""Stage 2b: legacy fields to the canonical 1.5+ form, with every default and silent rewrite.

Two steps, as in Marathon (M/api/v2/AppNormalization.scala): ``normalize_deprecated`` is
``forDeprecated`` (runs before canonical validation) and ``normalize_post`` is
``forPostValidation`` (runs after it). Each returns warnings for what Marathon rewrites or drops
without a word (spec §3.4)."""

from __future__ import annotations

from typing import Any

from .findings import AppWarning, counted
from .model import BRIDGE, CONTAINER, HOST, container_type, upper
from .reader import canonical_path

DEFAULT_PORT_DEFINITION = {"port": 0, "protocol": "tcp", "name": "default"}  # M/raml/Apps.scala:19
DEFAULT_PORT_MAPPING = {"containerPort": 0, "name": "default"}  # M/raml/Apps.scala:20
_PROTOCOLS = {"tcp": "tcp", "udp": "udp", "udp,tcp": "udp,tcp"}
_MODES = {HOST: HOST, BRIDGE: BRIDGE, CONTAINER: CONTAINER}


class NormalizationError(ValueError):
    """Marathon's ``NormalizationException``/``SerializationFailedException``: it answers HTTP "
    "500."""

    def __init__(self, message: str, path: str = "/"):
        super().__init__(message)
        self.message = message
        self.path = path


def normalize_deprecated(raw: dict, policy) -> tuple[dict, list[AppWarning]]:
    warnings: list[AppWarning] = []
    app = dict(raw)
    ip_address = raw.get("ipAddress")
    container = _copy_container(raw.get("container"))
    docker = container.get("docker") if container else None
    docker_network = upper(docker.get("network")) if docker else None

    networks = _translate_networks(ip_address, docker_network, raw.get("networks") or None, policy)
    networks = [_canonical_network(n) for n in networks or ()]
    if ip_address is not None:
        warnings.append(_ip_address_warning(ip_address, networks))
    if docker_network is not None:
        warnings.append(
            AppWarning(
                "legacy-api",
                "/container/docker/network",
                f"container.docker.network {docker_network} is deprecated; Marathon rewrote it as "
                f"networks {_networks_text(networks)}.",
                "Write networks instead of container.docker.network.",
            )
        )
    any_host = not networks or any(n["mode"] == HOST for n in networks)
    any_non_host = any(n["mode"] != HOST for n in networks)

    ports = raw.get("ports")
    port_definitions = raw.get("portDefinitions")
    if ports is not None:
        warnings.append(
            AppWarning(
                "legacy-api",
                "/ports",
                "ports is deprecated; Marathon rewrites it as portDefinitions without names.",
                "Write portDefinitions instead, and name each port.",
            )
        )
    migrated = port_definitions
    if migrated is None and ports is not None:
        migrated = [{"port": p, "protocol": "tcp"} for p in ports]  # M/raml/PortDefinitions.scala:9

    if container is None and ip_address is not None:
        # "no container specified in JSON but ipAddress is ==> implies empty Mesos container"
        container = {"type": "MESOS"}
    padding = 0
    if container is not None:
        # The order below is Marathon's own: "the ordering of the rules here is very important".
        _migrate_docker_port_mappings(container, warnings)
        _migrate_ip_discovery(container, ip_address)
        if docker is not None:
            container["docker"].pop("network", None)
        mappings = container.get("portMappings")
        if any_host:
            if mappings:
                warnings.append(
                    AppWarning(
                        "dropped-port-mappings",
                        "/container/portMappings",
                        f"{counted(len(mappings), 'port mapping')} dropped: Marathon ignores "
                        "container.portMappings with host networking, so "
                        f"{'this port does' if len(mappings) == 1 else 'these ports do'} "
                        "not exist.",
                        "Move them to portDefinitions, or use a bridge or container network.",
                    )
                )
            container.pop("portMappings", None)
        elif mappings is None:
            container["portMappings"] = [dict(DEFAULT_PORT_MAPPING)]
        if any_non_host:
            delta = len(migrated or ()) - len(container.get("portMappings") or ())
            if delta > 0:
                padding = delta
                # maybeAddPortMappings: only the count of the dropped definitions survives.
                container["portMappings"] = [
                    *container.get("portMappings", ()),
                    *({} for _ in range(delta)),
                ]
        if "portMappings" in container:
            container["portMappings"] = [_canonical_mapping(m) for m in container["portMappings"]]

    if any_non_host:
        if migrated:
            source = "/portDefinitions" if port_definitions is not None else "/ports"
            if container is None:
                what = "the default container gets a single mapping named default instead."
            elif padding:
                what = (
                    f"only their count survives: {counted(padding, 'empty port mapping')} "
                    f"{'was' if padding == 1 else 'were'} added, so their port numbers, names "
                    "and labels are lost."
                )
            else:
                what = "the container's port mappings are used instead."
            warnings.append(
                AppWarning(
                    "dropped-port-definitions",
                    source,
                    f"{counted(len(migrated), 'port definition')} dropped: Marathon ignores "
                    f"{'it' if len(migrated) == 1 else 'them'} without host networking; {what}",
                    "Describe these ports as container.portMappings instead.",
                )
            )
        port_definitions_out = None
    elif migrated is None:
        port_definitions_out = [dict(DEFAULT_PORT_DEFINITION)]
    else:
        port_definitions_out = [_canonical_definition(d) for d in migrated]

    has_ports = bool(port_definitions) or (container is not None and "portMappings" in container)
    health_checks = raw.get("healthChecks")
    if has_ports and health_checks:
        app["healthChecks"] = [_default_port_index(c) for c in health_checks]

    app.pop("ipAddress", None)
    app.pop("ports", None)
    if isinstance(app.get("id"), str):
        app["id"] = canonical_path(app["id"])
    app["networks"] = networks
    if container is not None:
        app["container"] = container
    if port_definitions_out is None:
        app.pop("portDefinitions", None)
    else:
        app["portDefinitions"] = port_definitions_out
    return app, warnings


def normalize_post(app: dict, policy) -> tuple[dict, list[AppWarning]]:
    warnings: list[AppWarning] = []
    app = dict(app)
    networks = [
        {**n, "name": policy.default_network_name}
        if n["mode"] == CONTAINER and n.get("name") is None and policy.default_network_name
        else n
        for n in app.get("networks") or ()
    ] or [{"mode": HOST}]
    app["networks"] = networks
    any_non_host = any(n["mode"] != HOST for n in networks)
    if any_non_host and app.get("container") is None:
        app["container"] = {
            "type": "MESOS",
            "portMappings": [_canonical_mapping(DEFAULT_PORT_MAPPING)],
        }
    if any(n["mode"] == BRIDGE for n in networks) and app["container"].get("portMappings"):
        # "backwards compat: when in BRIDGE mode, missing host ports default to zero"
        app["container"] = {
            **app["container"],
            "portMappings": [
                m if "hostPort" in m else {**m, "hostPort": 0}
                for m in app["container"]["portMappings"]
            ],
        }
    require_ports = bool(app.get("requirePorts"))
    if any_non_host and require_ports:
        warnings.append(
            AppWarning(
                "require-ports-ignored",
                "/requirePorts",
                "requirePorts only applies to host networking; Marathon sets it to false here.",
                "Remove requirePorts; to pin a host port, set a fixed hostPort on the port "
                "mapping.",
            )
        )
        require_ports = False
    app["requirePorts"] = require_ports
    return app, warnings


def _translate_networks(ip_address, docker_network, networks, policy) -> list[dict] | None:
    """``NetworkTranslation`` (AppNormalization.scala:398-451)."""
    if docker_network == "NONE":
        raise NormalizationError(
            "unsupported docker network type NONE", "/container/docker/network"
        )
    if ip_address is not None and networks is None:
        labels = ip_address.get("labels") or {}
        if docker_network == "HOST":
            return [{"mode": HOST}]
        if docker_network == "BRIDGE":
            return [_network(BRIDGE, None, labels)]
        name = ip_address.get("networkName")
        if docker_network is None and name == policy.mesos_bridge_name:
            return [_network(BRIDGE, None, labels)]
        return [_network(CONTAINER, name, labels)]
    if ip_address is None and docker_network is not None and networks is None:
        return [{"mode": {"HOST": HOST, "USER": CONTAINER, "BRIDGE": BRIDGE}[docker_network]}]
    if ip_address is None and docker_network is None:
        return networks
    raise NormalizationError("cannot mix deprecated and canonical network APIs")


def _network(mode: str, name: str | None, labels: dict) -> dict:
    network: dict[str, Any] = {"mode": mode}
    if name is not None:
        network["name"] = name
    if labels:
        network["labels"] = labels
    return network


def _canonical_network(network: dict) -> dict:
    out = dict(network)
    out["mode"] = _MODES[network.get("mode", CONTAINER).lower()]  # RAML default mode is container
    if out.get("name") is None:
        out.pop("name", None)
    if not out.get("labels"):
        out.pop("labels", None)  # omitEmpty on output
    return out


def _copy_container(container: dict | None) -> dict | None:
    if container is None:
        return None
    out = dict(container)
    out["type"] = container_type(container)
    if out.get("docker") is not None:
        out["docker"] = dict(out["docker"])
    else:
        out.pop("docker", None)
    if out.get("portMappings") is None:
        out.pop("portMappings", None)
    return out


def _migrate_docker_port_mappings(container: dict, warnings: list[AppWarning]) -> None:
    docker = container.get("docker")
    if docker is None or docker.get("portMappings") is None:
        if docker is not None:
            docker.pop("portMappings", None)
        return
    docker_mappings = docker.pop("portMappings")
    if "portMappings" in container and docker_mappings:
        raise NormalizationError(
            "cannot specify both portMappings and docker.portMappings",
            "/container/docker/portMappings",
        )
    if "portMappings" not in container:
        container["portMappings"] = docker_mappings
    warnings.append(
        AppWarning(
            "legacy-api",
            "/container/docker/portMappings",
            "container.docker.portMappings is deprecated; Marathon moved it to "
            "container.portMappings.",
            "Write container.portMappings instead.",
        )
    )


def _migrate_ip_discovery(container: dict, ip_address: dict | None) -> None:
    discovery = (ip_address or {}).get("discovery") or {}
    discovery_ports = discovery.get("ports") or []
    if not discovery_ports:
        return
    if container["type"] != "MESOS":
        raise NormalizationError(
            f"ipAddress.discovery.ports do not apply for container type {container['type']}",
            "/ipAddress/discovery/ports",
        )
    if "portMappings" in container:
        raise NormalizationError(
            "container.portMappings and ipAddress.discovery.ports must not both be set",
            "/ipAddress/discovery/ports",
        )
    # "the old IP/CT api didn't let users map container ports to host ports": no hostPort.
    container["portMappings"] = [
        {
            "containerPort": p.get("number", 0),
            "name": p["name"],
            "protocol": p.get("protocol", "tcp"),
            "labels": p.get("labels") or {},
        }
        for p in discovery_ports
    ]


def _canonical_definition(definition: dict) -> dict:
    out = dict(definition)
    out["port"] = definition.get("port", 0)
    out["protocol"] = _PROTOCOLS[(definition.get("protocol") or "tcp").lower()]
    if out.get("name") is None:
        out.pop("name", None)
    if not out.get("labels"):
        out.pop("labels", None)  # PortDefinition.labels is omitEmpty on output
    return out


def _canonical_mapping(mapping: dict) -> dict:
    out = dict(mapping)
    out["containerPort"] = mapping.get("containerPort", 0)
    if out.get("hostPort") is None:
        out.pop("hostPort", None)
    out["labels"] = mapping.get("labels") or {}  # written as {} (not omitEmpty)
    if out.get("name") is None:
        out.pop("name", None)
    out["protocol"] = _PROTOCOLS[(mapping.get("protocol") or "tcp").lower()]
    out["servicePort"] = mapping.get("servicePort", 0)
    if not out.get("networkNames"):
        out.pop("networkNames", None)
    return out


def _default_port_index(check: Any) -> Any:
    # normalizeHealthChecks: non-command checks without port or portIndex get portIndex 0.
    if not isinstance(check, dict) or upper(check.get("protocol")) == "COMMAND":
        return check
    if check.get("port") is None and check.get("portIndex") is None:
        return {**check, "portIndex": 0}
    return check


def _networks_text(networks: list[dict]) -> str:
    parts = []
    for n in networks:
        parts.append(n["mode"] + (f" ({n['name']})" if n.get("name") else ""))
    return "[" + ", ".join(parts) + "]"


def _ip_address_warning(ip_address: dict, networks: list[dict]) -> AppWarning:
    extra = ""
    if (ip_address.get("discovery") or {}).get("ports"):
        extra += (
            " Its discovery ports became container.portMappings without a hostPort, so they "
            "are reachable only on the container's own IP."
        )
    if ip_address.get("groups"):
        extra += " ipAddress.groups is ignored by Marathon."
    return AppWarning(
        "legacy-api",
        "/ipAddress",
        f"ipAddress is deprecated; Marathon rewrote it as networks {_networks_text(networks)}."
        f"{extra}",
        "Write networks (and container.portMappings) instead of ipAddress.",
    )
