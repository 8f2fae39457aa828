"""Stage 8: collisions across the apps of one cluster (spec §4.3, §7): what Marathon accepts and
marathon-lb or the agents then get wrong.

Works on flat ``Holding`` records (one per port or VIP an app holds), so the same function serves a
list of resolved apps and rows read from the database. This module also owns the words for each
kind of collision, so the composer, the report, imports and the CLI say the same thing."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from .lb import group_name

SERVICE_PORT = "service-port"
HOST_PORT = "host-port"
VIP = "vip"
RESERVED_PORT = "reserved-port"
LB_PORT = "lb-port"
LB_RESERVED_PORT = "lb-reserved-port"


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
        "marathon-lb binds it for each app and routes it to only one of them; a blue/green "
        "deploy whose alternate port (HAPROXY_DEPLOYMENT_ALT_PORT) another app holds fails.",
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
    # Only where a HAPROXY_{n}_PORT label sets a bind port: binds that are all service ports
    # are service-port collisions already. A free service port fixes a holder that binds its
    # service port, not one bound by its label (the composer offers it only to the former).
    LB_PORT: Kind(
        "marathon-lb bind ports held by more than one app of a group",
        "marathon-lb bind port",
        "is bound by",
        "marathon-lb binds a frontend on it for each app and HAProxy, whose config check "
        "accepts that, sends every connection to one of them (d2iq-archive/marathon-lb#592).",
        fixable_by_service_port=True,
    ),
    LB_RESERVED_PORT: Kind(
        "marathon-lb bind ports on the cluster's reserved ports",
        "Reserved port",
        "is bound through a HAPROXY_n_PORT label by",
        "marathon-lb binds it itself in every group (80 and 443 for virtual hosts, 9090 for its "
        "stats, 9091 for X-Marathon-App-Id), and a second bind there breaks it "
        "(d2iq-archive/marathon-lb#489).",
    ),
}
ORDER = tuple(KINDS)
FIXABLE_BY_SERVICE_PORT = frozenset(k for k, kind in KINDS.items() if kind.fixable_by_service_port)


@dataclass(frozen=True, slots=True)
class Holding:
    app_id: str
    kind: str  # SERVICE_PORT, HOST_PORT (fixed host ports only), VIP or LB_PORT
    port: int | None
    value: str | None  # the VIP label value
    path: str  # JSON pointer to the port field (or label) inside the app
    group: str | None = None  # LB_PORT: the marathon-lb group binding the port ("" for none)


def lb_holdings(app_id: str, port: int, path: str, groups: Iterable[str]) -> list[Holding]:
    """What one marathon-lb bind holds: its port in each of its groups, at ``path`` (the
    HAPROXY_{n}_PORT label or the service port field). The one conversion, resolved or stored."""
    return [Holding(app_id, LB_PORT, port, None, path, group) for group in groups]


def by_label(path: str) -> bool:
    """Whether a holding's pointer is an app label (``HAPROXY_{n}_PORT``, the alternate port)."""
    return path.startswith("/labels/")


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
    group: str | None = None  # LB_PORT: the marathon-lb group ("" for none)

    @property
    def key(self) -> tuple[str, object]:
        """What makes two collisions the same one (before and after a change, say)."""
        if self.value is not None:
            return (self.kind, vip_key(self.value))
        return (self.kind, self.port if self.group is None else (self.group, self.port))

    @property
    def app_ids(self) -> frozenset[str]:
        return frozenset(app_id for app_id, _ in self.holders)

    @property
    def words(self) -> Kind:
        return KINDS[self.kind]

    @property
    def shown(self) -> str:
        """The port or VIP collided on, as shown (a bind port with its group)."""
        if self.value is not None:
            return self.value
        if self.group is not None:
            return f"{self.port} in {group_name(self.group)}"
        return str(self.port)

    def to_json(self) -> dict:
        data: dict[str, object] = {"kind": self.kind, "port": self.port, "value": self.value}
        if self.group is not None:
            data["group"] = self.group
        data["apps"] = [{"id": app_id, "path": path} for app_id, path in self.holders]
        return data

    def describe(self) -> str:
        holders = ", ".join(f"{app_id} ({path})" for app_id, path in self.holders)
        return f"{self.words.subject} {self.shown} {self.words.verb} {holders}"


def vip_key(value: str) -> str:
    # "/name:port" and "name:port" name the same VIP.
    return value.strip().lstrip("/").lower()


def find_collisions(
    holdings: Iterable[Holding], reserved_ports: Iterable[int] = ()
) -> list[Collision]:
    """Every port or VIP held by more than one app, every marathon-lb bind port held by more than
    one app of a group where a label sets one of them, and every service port or labelled bind
    port on a reserved port (held by one app or more). A port repeated within one app is not a
    collision (lint warns)."""
    groups: dict[tuple[str, object], list[Holding]] = {}
    for h in holdings:
        key: object = h.port
        if h.value is not None:
            key = vip_key(h.value)
        elif h.group is not None:
            key = (h.group, h.port)
        groups.setdefault((h.kind, key), []).append(h)
    reserved = set(reserved_ports)
    collisions = []
    reserved_binds: dict[int, dict[tuple[str, str], None]] = {}
    for (kind, _), group in groups.items():
        holders = tuple((h.app_id, h.path) for h in group)
        first = group[0]
        shared = len({h.app_id for h in group}) > 1
        if kind == LB_PORT:
            if shared and any(by_label(h.path) for h in group):
                collisions.append(Collision(kind, first.port, None, holders, first.group))
            if first.port in reserved:
                labelled = reserved_binds.setdefault(first.port, {})
                labelled.update(dict.fromkeys(h for h in holders if by_label(h[1])))
            continue
        if shared:
            collisions.append(Collision(kind, first.port, first.value, holders))
        if kind == SERVICE_PORT and first.port in reserved:
            collisions.append(Collision(RESERVED_PORT, first.port, None, holders))
    collisions += [
        Collision(LB_RESERVED_PORT, port, None, tuple(holders))
        for port, holders in reserved_binds.items()
        if holders
    ]
    collisions.sort(key=lambda c: (ORDER.index(c.kind), c.port or 0, c.value or "", c.group or ""))
    return collisions
