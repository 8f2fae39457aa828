"""RFC 6901 JSON pointers: how the engine names a place in an app (``/container/portMappings/0/
hostPort``), and how every reader finds that place again: messages beside form fields, import
entries, the port a collision is about.

Marathon reports app-level rules at ``/``; here ``/`` (and ``""``) both stand for the app itself.
"""

from __future__ import annotations

import re
from typing import Any

PORT_LISTS = (("portDefinitions",), ("container", "portMappings"))


def pointer(*parts: str | int) -> str:
    """Build a pointer from path parts, escaping ``~`` and ``/`` in keys; ``/`` for no parts."""
    if not parts:
        return "/"
    return "".join("/" + str(p).replace("~", "~0").replace("/", "~1") for p in parts)


def split(path: str) -> list[str]:
    """The parts of a pointer, unescaped: ``/env/A~1B`` -> ``["env", "A/B"]``; the app -> []."""
    if path in ("", "/"):
        return []
    return [p.replace("~1", "/").replace("~0", "~") for p in path.split("/")[1:]]


def resolve(document: Any, path: str) -> Any:
    """The value ``path`` points at in ``document``. Raises LookupError when there is none."""
    node = document
    for part in split(path):
        if isinstance(node, list) and part.isdecimal() and int(part) < len(node):
            node = node[int(part)]
        elif isinstance(node, dict) and part in node:
            node = node[part]
        else:
            raise LookupError(f"{path} points at nothing")
    return node


def port_index(path: str) -> int | None:
    """The index of the port definition or mapping that ``path`` lies in, if it lies in one; or
    that a marathon-lb label at ``path`` is for (``/labels/HAPROXY_3_PORT``: port 3)."""
    parts = split(path)
    for head in PORT_LISTS:
        rest = parts[len(head) :]
        if tuple(parts[: len(head)]) == head and rest and rest[0].isdecimal():
            return int(rest[0])
    if len(parts) == 2 and parts[0] == "labels" and (match := _LB_PORT_LABEL.match(parts[1])):
        return int(match[1])
    return None


# marathon-lb's per-port labels, as it formats them (marathon/lb.py PER_PORT).
_LB_PORT_LABEL = re.compile(r"^HAPROXY_(0|[1-9][0-9]*)_.")
