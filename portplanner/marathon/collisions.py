"""Stage 8: collisions across the apps of one cluster (spec §4.3, §7): what Marathon accepts and
marathon-lb or the agents then get wrong.

Works on flat ``Holding`` records (one per port or VIP an app holds), so the same function serves a
list of resolved apps and rows read from the database. This module also owns the words for each
kind of collision, so the composer, the report, imports and the CLI say the same thing."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

SERVICE_PORT = "service-port"
HOST_PORT = "host-port"
VIP = "vip"
RESERVED_PORT = "reserved-port"


@dataclass(frozen=True, slots=True)
class Kind:
    """How a kind of collision is named: ``title`` heads a list of them; a collision reads
    ``"<subject> <shown> <verb> <holders>"`` ("Service port 10000 is held by /a, /b"), and ``why``
    says what it will do."""

    title: str
    subject: str
    verb: str
    why: str
    # A free service port fixes it: offer one.
    fixable_by_service_port: bool = False


KINDS = {
    SERVICE_PORT: Kind(
        "Service ports held by more than one app",
        "Service port",
        "is held by",
        "marathon-lb binds it for each app and routes it to only one of them.",
        fixable_by_service_port=True,
    ),
    HOST_PORT: Kind(
        "Fixed host ports held by more than one app",
        "Fixed host port",
        "is fixed by",
        "their tasks cannot share an agent: each needs one that offers the port free.",
    ),
    VIP: Kind(
        "VIPs used by more than one app",
        "VIP",
        "is used by",
        "the load balancer spreads its traffic over every app that names it.",
    ),
    RESERVED_PORT: Kind(
        "Service ports on the cluster's reserved ports",
        "Reserved port",
        "is used as a service port by",
        "the cluster reserves it (marathon-lb binds it itself).",
        fixable_by_service_port=True,
    ),
}
ORDER = tuple(KINDS)
FIXABLE_BY_SERVICE_PORT = frozenset(k for k, kind in KINDS.items() if kind.fixable_by_service_port)


@dataclass(frozen=True, slots=True)
class Holding:
    app_id: str
    kind: str  # SERVICE_PORT, HOST_PORT (fixed host ports only) or VIP
    port: int | None
    value: str | None  # the VIP label value
    path: str  # JSON pointer to the port field (or label) inside the app


def port_holdings(
    app_id: str, path: str, *, mapping: bool, service_port: int | None, host_port: int | None
) -> list[Holding]:
    """What one port holds: its service port and its fixed host port (``host_port``: None when
    random or absent), each at the pointer of its field in the port definition or mapping at
    ``path``. The one conversion from a port, resolved or stored, to collision records."""
    holdings = []
    if service_port:
        field = "servicePort" if mapping else "port"
        holdings.append(Holding(app_id, SERVICE_PORT, service_port, None, f"{path}/{field}"))
    if host_port is not None:
        field = "hostPort" if mapping else "port"
        holdings.append(Holding(app_id, HOST_PORT, host_port, None, f"{path}/{field}"))
    return holdings


@dataclass(frozen=True, slots=True)
class Collision:
    kind: str
    port: int | None
    value: str | None
    holders: tuple[tuple[str, str], ...]  # (app id, JSON pointer), in input order

    @property
    def key(self) -> tuple[str, object]:
        """What makes two collisions the same one (before and after a change, say)."""
        return (self.kind, vip_key(self.value) if self.value is not None else self.port)

    @property
    def app_ids(self) -> frozenset[str]:
        return frozenset(app_id for app_id, _ in self.holders)

    @property
    def words(self) -> Kind:
        return KINDS[self.kind]

    @property
    def shown(self) -> str:
        """The port or VIP collided on, as shown."""
        return self.value if self.value is not None else str(self.port)

    def to_json(self) -> dict:
        return {
            "kind": self.kind,
            "port": self.port,
            "value": self.value,
            "apps": [{"id": app_id, "path": path} for app_id, path in self.holders],
        }

    def describe(self) -> str:
        holders = ", ".join(f"{app_id} ({path})" for app_id, path in self.holders)
        return f"{self.words.subject} {self.shown} {self.words.verb} {holders}"


def vip_key(value: str) -> str:
    # "/name:port" and "name:port" name the same VIP.
    return value.strip().lstrip("/").lower()


def find_collisions(
    holdings: Iterable[Holding], reserved_ports: Iterable[int] = ()
) -> list[Collision]:
    """Every port or VIP held by more than one app, and every service port on a reserved port
    (held by one app or more). A port repeated within one app is not a collision (lint warns)."""
    groups: dict[tuple[str, object], list[Holding]] = {}
    for h in holdings:
        key: object = vip_key(h.value) if h.value is not None else h.port
        groups.setdefault((h.kind, key), []).append(h)
    reserved = set(reserved_ports)
    collisions = []
    for (kind, _), group in groups.items():
        holders = tuple((h.app_id, h.path) for h in group)
        first = group[0]
        if len({h.app_id for h in group}) > 1:
            collisions.append(Collision(kind, first.port, first.value, holders))
        if kind == SERVICE_PORT and first.port in reserved:
            collisions.append(Collision(RESERVED_PORT, first.port, None, holders))
    collisions.sort(key=lambda c: (ORDER.index(c.kind), c.port or 0, c.value or ""))
    return collisions
