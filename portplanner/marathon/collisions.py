"""Stage 8: collisions across the apps of one cluster (spec §4.3, §7): what Marathon accepts and
marathon-lb or the agents then get wrong.

Works on flat ``Holding`` records (one per port an app holds), so the same function serves a
list of resolved apps and rows read from the database."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

SERVICE_PORT = "service-port"
HOST_PORT = "host-port"
VIP = "vip"
RESERVED_PORT = "reserved-port"
KINDS = (SERVICE_PORT, HOST_PORT, VIP, RESERVED_PORT)


@dataclass(frozen=True, slots=True)
class Holding:
    app_id: str
    kind: str  # SERVICE_PORT, HOST_PORT (fixed host ports only) or VIP
    port: int | None
    value: str | None  # the VIP label value
    path: str  # JSON pointer to the port field (or label) inside the app


@dataclass(frozen=True, slots=True)
class Collision:
    kind: str
    port: int | None
    value: str | None
    holders: tuple[tuple[str, str], ...]  # (app id, JSON pointer), in input order

    def to_json(self) -> dict:
        return {
            "kind": self.kind,
            "port": self.port,
            "value": self.value,
            "apps": [{"id": app_id, "path": path} for app_id, path in self.holders],
        }

    def describe(self) -> str:
        what = {
            SERVICE_PORT: f"service port {self.port}",
            HOST_PORT: f"fixed host port {self.port}",
            VIP: f"VIP {self.value}",
            RESERVED_PORT: f"reserved port {self.port}",
        }[self.kind]
        holders = ", ".join(f"{app_id} ({path})" for app_id, path in self.holders)
        verb = "is used as a service port by" if self.kind == RESERVED_PORT else "is held by"
        return f"{what} {verb} {holders}"


def vip_key(value: str) -> str:
    # "/name:port" and "name:port" name the same VIP.
    return value.strip().lstrip("/").lower()


def find_collisions(
    holdings: Iterable[Holding], reserved_ports: Iterable[int] = ()
) -> list[Collision]:
    groups: dict[tuple[str, object], list[Holding]] = {}
    for h in holdings:
        key = vip_key(h.value) if h.kind == VIP else h.port
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
    collisions.sort(key=lambda c: (KINDS.index(c.kind), c.port or 0, c.value or ""))
    return collisions
