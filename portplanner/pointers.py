"""Which composer field a JSON pointer from the engine is about, so messages sit by their field."""

from __future__ import annotations

from portplanner.composer import Draft

_PORT_KEYS = {
    "port": "service_port",
    "servicePort": "service_port",
    "containerPort": "container_port",
    "hostPort": "host_port",
    "protocol": "protocol",
    "name": "name",
    "networkNames": "network_names",
    "labels": "labels",
}
_APP_KEYS = {
    "id": "app_id",
    "cmd": "cmd",
    "args": "args",
    "requirePorts": "require_ports",
    "networks": "network_names",
}


def field_for_pointer(path: str, draft: Draft) -> str | None:
    """The HTML id of the field ``path`` (an RFC 6901 pointer into the app) is about, if any."""
    parts = [p.replace("~1", "/").replace("~0", "~") for p in path.split("/")[1:]]
    if not parts or parts == [""]:
        return None
    head = parts[0]
    if head == "portDefinitions" or parts[:2] == ["container", "portMappings"]:
        return _port_field(parts[1:] if head == "portDefinitions" else parts[2:])
    if head == "container":
        return "id_image" if parts[1:2] == ["docker"] else "id_container_type"
    if head == "env" and len(parts) > 1:
        for i, row in enumerate(draft.env):
            if row.get("name", "").strip() == parts[1]:
                return f"id_env-{i}-value"
        return "env"
    if head == "networks":
        return "id_network_names" if draft.mode == "container" else "network-mode"
    return f"id_{_APP_KEYS[head]}" if head in _APP_KEYS else None


def _port_field(rest: list[str]) -> str:
    if not rest or not rest[0].isdigit():
        return "ports"
    index = int(rest[0])
    key = _PORT_KEYS.get(rest[1]) if len(rest) > 1 else None
    if key == "labels" and len(rest) > 2 and rest[2].startswith("VIP_"):
        key = "vip"
    return f"id_ports-{index}-{key or 'name'}"
