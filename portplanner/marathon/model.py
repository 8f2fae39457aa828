"""Small readers over app dicts, shared by the stages. No rules live here, only Marathon's
vocabulary."""

from __future__ import annotations

from typing import Any

HOST = "host"
BRIDGE = "container/bridge"
CONTAINER = "container"

PORT_DEFINITIONS = "/portDefinitions"
PORT_MAPPINGS = "/container/portMappings"


def upper(value: Any) -> Any:
    return value.upper() if isinstance(value, str) else value


def container_type(container: dict) -> str:
    # RAML/appContainer.raml:12-16: the container type defaults to DOCKER.
    return upper(container.get("type")) or "DOCKER"


def network_mode(networks: list[dict]) -> str:
    """The app's network mode. An app with mixed modes is invalid; we still pick the mode that
    decides how its ports behave: any host network means host (maybeDropPortMappings), else any
    bridge."""
    modes = {n.get("mode", CONTAINER) for n in networks}
    if not networks or HOST in modes:
        return HOST
    if BRIDGE in modes:
        return BRIDGE
    return CONTAINER


def port_entries(app: dict) -> tuple[str, list[dict]]:
    """The app's ports as Marathon counts them (M/state/AppDefinition.scala:330-339): the
    container's port mappings when it has any, else the port definitions. Returns the JSON pointer
    of the list, and the list."""
    container = app.get("container")
    mappings = container.get("portMappings") if container else None
    if mappings:
        return PORT_MAPPINGS, mappings
    return PORT_DEFINITIONS, app.get("portDefinitions") or []


def service_port_key(list_path: str) -> str:
    return "servicePort" if list_path == PORT_MAPPINGS else "port"


def duplicate_names(entries: list[dict]) -> bool:
    names = [e.get("name") for e in entries if e.get("name") is not None]
    return len(set(names)) != len(names)


def vip_labels(entry: dict) -> list[tuple[str, str]]:
    """``VIP_<n>`` labels of a port (spec §7): Marathon passes them on uninterpreted."""
    labels = entry.get("labels") or {}
    return [(k, v) for k, v in labels.items() if k.startswith("VIP_") and isinstance(v, str)]


def is_vip_label(path: str) -> bool:
    """Whether ``path`` points at a VIP label of a port: ``.../labels/VIP_<n>``."""
    parent, _, key = path.rpartition("/")
    return key.startswith("VIP_") and parent.endswith("/labels") and parent.count("/") > 1


def vip_address(value: str) -> str:
    """Where a VIP label value is reached (spec §7): ``10.0.0.1:80`` as is; a named VIP
    ``/shop/web:80`` at ``shopweb.marathon.l4lb.thisdcos.directory:80`` (slashes dropped, as the
    DC/OS load balancer names it)."""
    host, _, port = value.strip().rpartition(":")
    if not host or host.replace(".", "").isdigit():
        return value.strip()
    return f"{host.replace('/', '')}.marathon.l4lb.thisdcos.directory:{port}"
