"""Apps the schema refuses for a value typed into one of the form's fields, read all the same.

Marathon's JSON reader stops an app at the first wrong value (spec §0.1), and so does the engine:
a port typed as ``abc`` leaves no ports, no variables, no normalized app. The form writes every
value as typed (text where it is not a number), so a draft saved with a typo holds it; here it is
read back into the form, and the preview resolves every other port, by standing a harmless value
in for each refused one (``stand_in``), resolving that, and putting what was typed back
(``put_back``).

Only the places the form writes from a field count (``TYPED``); an app refused for anything else
(a wrong shape, a legacy field, what an import brought) is read as before. Nothing here imports
Django."""

from __future__ import annotations

from typing import Any

from portplanner.marathon import AppError
from portplanner.marathon.pointers import port_index, resolve, split

_N = object()  # any list index
_DROP = object()  # the key is left out while the rest is resolved


def _strings(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(v, str) for v in value)


# Pointer patterns of the values the form writes from a field, and what stands in for a refused
# one: a value that changes nothing else (0: a service port assigned, a random host port). Each
# is a scalar, but for a constraint, a line of the field: a list of strings.
TYPED: list[tuple[tuple, Any]] = [
    (("id",), "/stand-in"),
    (("instances",), 1),
    (("cpus",), 1),
    (("mem",), 128),
    (("constraints", _N), ["hostname", "UNIQUE"]),
    (("constraints", _N, _N), "UNIQUE"),
    (("healthChecks", _N, "portIndex"), 0),
    (("healthChecks", _N, "port"), 0),
    (("healthChecks", _N, "protocol"), "HTTP"),
    (("networks", _N, "name"), "stand-in"),
    (("portDefinitions", _N, "port"), 0),
    (("portDefinitions", _N, "protocol"), "tcp"),
    (("portDefinitions", _N, "name"), _DROP),
    (("container", "portMappings", _N, "containerPort"), 0),
    (("container", "portMappings", _N, "hostPort"), 0),
    (("container", "portMappings", _N, "servicePort"), 0),
    (("container", "portMappings", _N, "protocol"), "tcp"),
    (("container", "portMappings", _N, "name"), _DROP),
]

# Which column of the preview's port table each port key fills.
PORT_CELLS = {
    "port": "service",
    "containerPort": "container",
    "hostPort": "host",
    "servicePort": "service",
    "protocol": "protocol",
    "name": "name",
}


def typos(raw: Any, errors: list[AppError]) -> dict[str, Any]:
    """The refused values, by pointer, when every error in ``errors`` (the schema's) is about a
    value typed into a field of the form; else none."""
    found: dict[str, Any] = {}
    for error in errors:
        if _stand_in_for(split(error.path)) is None:
            return {}
        try:
            value = resolve(raw, error.path)
        except LookupError:  # "is required": nothing was typed
            return {}
        if (
            isinstance(value, dict)
            or isinstance(value, list)
            and not (isinstance(_stand_in_for(split(error.path)), list) and _strings(value))
        ):
            return {}
        found[error.path] = value
    return found


def stand_in(raw: dict, found: dict[str, Any]) -> dict:
    """``raw`` with a stand-in for each refused value (copied along the way, never changed)."""
    for path, _ in found.items():
        parts = split(path)
        raw = _set(raw, parts, _stand_in_for(parts))
    return raw


def stood_in(app: Any, found: dict[str, Any]) -> bool:
    """Whether every stand-in is where it was put in ``app`` (the normalized app; a stand-in 0
    for a service port may have been assigned one): then the typed values go back there. Legacy
    fields Marathon moves would move the ports too."""
    for path in found:
        parts = split(path)
        wanted = _stand_in_for(parts)
        try:
            value = resolve(app, path)
        except LookupError:
            if wanted is _DROP:
                try:
                    resolve(app, "".join(f"/{p}" for p in parts[:-1]))
                except LookupError:
                    return False
                continue
            return False
        assigned = wanted == 0 and parts[-1] in ("port", "servicePort") and isinstance(value, int)
        if wanted is _DROP or (value != wanted and not assigned):
            return False
    return True


def put_back(app: dict, found: dict[str, Any]) -> dict:
    """``app`` with what was typed back in place of each stand-in."""
    for path, value in found.items():
        app = _set(app, split(path), value)
    return app


def port_cells(found: dict[str, Any], require_ports: bool = False) -> dict[int, dict[str, str]]:
    """The refused values of each port, by the preview table's column: ``{1: {"host": "abc"}}``.
    With ``require_ports`` a port definition's port is its host port too (spec §5)."""
    cells: dict[int, dict[str, str]] = {}
    for path, value in found.items():
        index = port_index(path)
        parts = split(path)
        if index is None or parts[-1] not in PORT_CELLS:
            continue
        row = cells.setdefault(index, {})
        row[PORT_CELLS[parts[-1]]] = str(value)
        if require_ports and parts[0] == "portDefinitions" and parts[-1] == "port":
            row["host"] = str(value)
    return cells


def _stand_in_for(parts: list[str]) -> Any:
    for pattern, value in TYPED:
        if len(pattern) == len(parts) and all(
            p.isdecimal() if want is _N else p == want
            for want, p in zip(pattern, parts, strict=True)
        ):
            return value
    return None


def _set(node: Any, parts: list[str], value: Any) -> Any:
    """A copy of ``node`` with ``value`` at ``parts`` (``_DROP``: the key left out)."""
    head, rest = parts[0], parts[1:]
    if isinstance(node, list):
        index = int(head)
        copy = list(node)
        copy[index] = _set(node[index], rest, value) if rest else value
        return copy
    copy = dict(node)
    if rest:
        copy[head] = _set(node[head], rest, value)
    elif value is _DROP:
        copy.pop(head, None)
    else:
        copy[head] = value
    return copy
