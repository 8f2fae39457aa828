"""The engine's errors placed on the form: the field (or fields) each one is about, and the values
it means, for the messages Marathon words without them.

Marathon reports some rules on a whole list or on the app (``/portDefinitions``: "Ports must be
unique.", ``/``: "may only specify a single container network ..."); the engine keeps Marathon's
paths and words, since the CLI, imports and exports show them as Marathon would. The composer
knows the rows, so it marks each offending one and adds the value to the message."""

from __future__ import annotations

from typing import Any

from portplanner.composer.draft import Draft, field_for_pointer
from portplanner.marathon import AppError
from portplanner.marathon import validate as rules
from portplanner.marathon.findings import counted
from portplanner.marathon.model import CONTAINER, port_entries
from portplanner.marathon.pointers import port_index, resolve, split

PORTS_UNIQUE = "Ports must be unique."
NAMES_UNIQUE = "Port names must be unique."
EMPTY_CMD = "must not be an empty string"


def placed(error: AppError, raw: Any, draft: Draft) -> dict:
    """``error`` as the page shows it: ``path``, ``message`` (Marathon's, then the values it is
    about), ``fields`` (the HTML ids of the fields to mark) and ``field`` (the first, linked)."""
    detail, fields = _detail(error, raw if isinstance(raw, dict) else {}, draft)
    if not fields:
        field = field_for_pointer(error.path, draft)
        fields = [field] if field else []
    # Some of Marathon's messages end without a full stop ("... engine").
    stop = "" if error.message.endswith((".", ":")) else "."
    message = f"{error.message}{stop} {detail}" if detail else error.message
    return {
        "path": error.path,
        "message": message,
        "field": fields[0] if fields else None,
        "fields": fields,
    }


def _detail(error: AppError, raw: dict, draft: Draft) -> tuple[str, list[str]]:
    message = error.message
    if message == PORTS_UNIQUE and error.path == "/portDefinitions":
        entries = _entries(raw, error.path)
        repeated = _repeated([e.get("port") for e in entries], skip=(0, None))
        fields = [f"id_ports-{i}-service_port" for rows in repeated.values() for i in rows]
        sentences = "; ".join(
            f"{port} is the port of {_rows(rows)}" for port, rows in repeated.items()
        )
        # The key is the port alone, not (port, protocol) (spec §2.3).
        protocols = {entries[i].get("protocol", "tcp") for rows in repeated.values() for i in rows}
        note = (
            " (the protocol does not count: one port with protocol udp,tcp takes both)"
            if len(protocols) > 1
            else ""
        )
        return f"{sentences}{note}." if repeated else "", sorted(fields, key=_row_order)
    if message == NAMES_UNIQUE:
        entries = _entries(raw, error.path)
        repeated = _repeated([e.get("name") for e in entries], skip=(None,))
        fields = [f"id_ports-{i}-name" for rows in repeated.values() for i in rows]
        sentences = "; ".join(
            f"{name} is the name of {_rows(rows)}" for name, rows in repeated.items()
        )
        return f"{sentences}." if repeated else "", sorted(fields, key=_row_order)
    if message == rules.SINGLE_ITEM_NETWORK_NAMES and (i := port_index(error.path)) is not None:
        names = ", ".join(_container_networks(raw))
        return (
            f"Port {i} has a host port and the app is on {names}: name one of them here, or "
            "take the host port off.",
            [f"id_ports-{i}-network_names"],
        )
    if message == rules.DOCKER_SINGLE_NETWORK:
        names = _container_networks(raw)
        return (
            f"The app is on {counted(len(names), 'network')}: {', '.join(names)}.",
            ["id_network_names", "id_container_type"],
        )
    if message == rules.HEALTH_CHECK_PORT_INDEX:
        return _health_check_detail(error.path, raw), []
    if message == rules.CMD_ARGS_OR_CONTAINER:
        return "", ["id_cmd", "id_args", "id_image"]
    if message == EMPTY_CMD and error.path == "/":
        cmd = raw.get("cmd")
        if isinstance(cmd, str):
            # Marathon's check is cmd.length > 1 (AppValidation.scala).
            return (
                f'The command "{cmd}" has {counted(len(cmd), "character")}; Marathon wants more '
                "than one.",
                ["id_cmd"],
            )
    return "", []


def _health_check_detail(path: str, raw: dict) -> str:
    try:
        check = resolve(raw, path)
    except LookupError:
        return ""
    index = split(path)[-1]
    count = len(port_entries(raw)[1])
    ports = (
        "no ports"
        if not count
        else "port 0"
        if count == 1
        else "ports " + ", ".join(map(str, range(count - 1))) + f" and {count - 1}"
    )
    if isinstance(check, dict) and check.get("portIndex") is not None:
        return f"Health check {index} asks for portIndex {check['portIndex']}; the app has {ports}."
    return f"Health check {index} names no port, and the app has {ports}: give it a portIndex."


def _entries(raw: dict, path: str) -> list[dict]:
    try:
        entries = resolve(raw, path)
    except LookupError:
        _, entries = port_entries(raw)
    return [e if isinstance(e, dict) else {} for e in entries] if isinstance(entries, list) else []


def _repeated(values: list, skip: tuple) -> dict[Any, list[int]]:
    """The values that occur more than once, each with the indices it occurs at."""
    at: dict[Any, list[int]] = {}
    for i, value in enumerate(values):
        if value not in skip and isinstance(value, (int, str)) and not isinstance(value, bool):
            at.setdefault(value, []).append(i)
    return {value: rows for value, rows in at.items() if len(rows) > 1}


def _rows(rows: list[int]) -> str:
    numbers = [str(i) for i in rows]
    return "ports " + (", ".join(numbers[:-1]) + " and " + numbers[-1])


def _row_order(field: str) -> tuple[int, str]:
    index, _, name = field.removeprefix("id_ports-").partition("-")
    return int(index), name


def _container_networks(raw: dict) -> list[str]:
    networks = raw.get("networks") if isinstance(raw.get("networks"), list) else []
    return [
        str(n.get("name"))
        for n in networks
        if isinstance(n, dict) and n.get("mode", CONTAINER) == CONTAINER
    ]
