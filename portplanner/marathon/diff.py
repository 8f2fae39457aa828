"""What changed between two states of an app, in ports: the history's and the review's diff.

A ``snapshot`` is the engine's view of an app at one moment, as plain JSON data (kept with each
revision): its ports as resolved, its task env, its errors and warnings, and its collisions with
the fleet then. ``diff`` compares two of them (either may be None: created, deleted) the way a
reviewer reads ports: which port was added or removed, which number moved (service, host,
container), protocol and VIP changes, env vars, and the errors, warnings and collisions that
appeared or went away."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from .collisions import Collision
from .pipeline import AppResult

# The fields of a port a reviewer cares about, in the order a change lists them.
PORT_FIELDS = ("service_port", "host_port", "container_port", "protocol", "vips")
FIELD_WORDS = {
    "service_port": "service port",
    "host_port": "host port",
    "container_port": "container port",
    "protocol": "protocol",
    "vips": "VIP",
}


def snapshot(result: AppResult, collisions: Iterable[Collision] = ()) -> dict:
    """The app as the engine resolved it, with the collisions it took part in. Kept with every
    revision (thousands at once on an import), so lists that are empty are left out."""
    taken = {
        "valid": result.valid,
        "network": result.network,
        "ports": [
            {
                "index": p.index,
                "name": p.name,
                "protocol": p.protocol,
                "container_port": p.container_port,
                "host_port": p.host_port,
                "host_port_dynamic": p.host_port_dynamic,
                "service_port": p.service_port,
                "service_port_dynamic": p.service_port_dynamic,
                "vips": [value for _, value in p.vip_labels],
            }
            for p in result.ports
        ],
        "env": {v.name: [v.value, v.dynamic] for v in result.env},
        "errors": [{"path": e.path, "message": e.message} for e in result.errors],
        "warnings": [
            {"code": w.code, "path": w.path, "message": w.message} for w in result.warnings
        ],
        "collisions": [
            {
                "kind": c.kind,
                "shown": c.shown,
                "text": c.describe(),
                "others": sorted(c.app_ids - {result.id}),
            }
            for c in collisions
        ],
    }
    return {key: value for key, value in taken.items() if value != []}


@dataclass(frozen=True, slots=True)
class FieldChange:
    field: str
    before: Any
    after: Any

    @property
    def words(self) -> str:
        return FIELD_WORDS.get(self.field, self.field)


@dataclass(frozen=True, slots=True)
class PortChange:
    """One port: added (``before`` None), removed (``after`` None) or changed."""

    label: str  # "port 0 (http)"
    before: dict | None
    after: dict | None
    changes: tuple[FieldChange, ...] = ()

    @property
    def kind(self) -> str:
        if self.before is None:
            return "added"
        if self.after is None:
            return "removed"
        return "changed"


@dataclass(slots=True)
class AppDiff:
    ports: list[PortChange] = field(default_factory=list)
    env_added: list[tuple[str, str]] = field(default_factory=list)
    env_removed: list[tuple[str, str]] = field(default_factory=list)
    env_changed: list[tuple[str, str, str]] = field(default_factory=list)
    errors_appeared: list[dict] = field(default_factory=list)
    errors_gone: list[dict] = field(default_factory=list)
    warnings_appeared: list[dict] = field(default_factory=list)
    warnings_gone: list[dict] = field(default_factory=list)
    collisions_appeared: list[dict] = field(default_factory=list)
    collisions_gone: list[dict] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not any(getattr(self, name) for name in self.__slots__)

    @property
    def summary(self) -> str:
        """One line: "1 port added, 2 ports changed, 1 new collision"."""
        kinds = [p.kind for p in self.ports]
        counts = [
            (kinds.count("added"), "port added", "ports added"),
            (kinds.count("removed"), "port removed", "ports removed"),
            (kinds.count("changed"), "port changed", "ports changed"),
            (
                len(self.env_added) + len(self.env_removed) + len(self.env_changed),
                "env var changed",
                "env vars changed",
            ),
            (len(self.collisions_appeared), "new collision", "new collisions"),
            (len(self.collisions_gone), "collision gone", "collisions gone"),
            (len(self.errors_appeared), "new error", "new errors"),
            (len(self.errors_gone), "error fixed", "errors fixed"),
            (len(self.warnings_appeared), "new warning", "new warnings"),
        ]
        parts = [f"{n} {one if n == 1 else many}" for n, one, many in counts if n]
        return ", ".join(parts) or "no change in ports"


def diff(before: dict | None, after: dict | None) -> AppDiff:
    """``before`` -> ``after`` (snapshots; None for an app that did not exist)."""
    before, after = before or {}, after or {}
    result = AppDiff(ports=_port_changes(before.get("ports", []), after.get("ports", [])))
    old_env, new_env = _env(before), _env(after)
    result.env_added = [(k, v) for k, v in new_env.items() if k not in old_env]
    result.env_removed = [(k, v) for k, v in old_env.items() if k not in new_env]
    result.env_changed = [
        (k, old_env[k], v) for k, v in new_env.items() if k in old_env and old_env[k] != v
    ]
    for name, key in (
        ("errors", ("path", "message")),
        ("warnings", ("code", "path")),
        ("collisions", ("kind", "shown")),
    ):
        appeared, gone = _set_changes(before.get(name, []), after.get(name, []), key)
        setattr(result, f"{name}_appeared", appeared)
        setattr(result, f"{name}_gone", gone)
    return result


def _env(snap: dict) -> dict[str, str]:
    # A value decided at launch is an example: only that it is decided at launch matters.
    return {
        name: "(at launch)" if dynamic else value
        for name, (value, dynamic) in snap.get("env", {}).items()
    }


def _set_changes(old: list[dict], new: list[dict], key: tuple[str, ...]):
    old_keyed = [(tuple(map(item.get, key)), item) for item in old]
    new_keyed = [(tuple(map(item.get, key)), item) for item in new]
    old_keys = {k for k, _ in old_keyed}
    new_keys = {k for k, _ in new_keyed}
    appeared = [item for k, item in new_keyed if k not in old_keys]
    gone = [item for k, item in old_keyed if k not in new_keys]
    return appeared, gone


def _port_changes(old: list[dict], new: list[dict]) -> list[PortChange]:
    """Ports are matched by name where both sides name them, then by position: renaming a port
    and moving it at once reads as one removed and one added, which is what it means to the
    task's ``$PORT_<NAME>``."""
    pairs: list[tuple[dict | None, dict | None]] = []
    old_by_name = {p["name"]: p for p in old if p.get("name")}
    matched_old, matched_new = set(), set()
    for j, port in enumerate(new):
        twin = old_by_name.get(port.get("name")) if port.get("name") else None
        if twin is not None:
            pairs.append((twin, port))
            matched_old.add(twin["index"])
            matched_new.add(j)
    for j, port in enumerate(new):
        if j in matched_new:
            continue
        same_place = old[j] if j < len(old) and old[j]["index"] not in matched_old else None
        if same_place is not None and not (same_place.get("name") and port.get("name")):
            pairs.append((same_place, port))
            matched_old.add(same_place["index"])
        else:
            pairs.append((None, port))
    pairs += [(p, None) for p in old if p["index"] not in matched_old]
    changes = []
    for was, now in pairs:
        shown = now if now is not None else was
        assert shown is not None
        fields: tuple[FieldChange, ...] = ()
        if was is not None and now is not None:
            fields = tuple(
                FieldChange(name, was.get(name), now.get(name))
                for name in PORT_FIELDS
                if _shown(was, name) != _shown(now, name)
            )
        if was is None or now is None or fields:
            changes.append(PortChange(_label(shown), was, now, fields))
    changes.sort(key=lambda c: (_port(c)["index"], c.kind))
    return changes


def _port(change: PortChange) -> dict:
    port = change.after if change.after is not None else change.before
    assert port is not None
    return port


def _shown(port: dict, name: str) -> Any:
    # A host port drawn at launch is an example: that it is random is what counts.
    if name == "host_port" and port.get("host_port_dynamic"):
        return "random"
    return port.get(name)


def _label(port: dict) -> str:
    name = port.get("name")
    return f"port {port['index']}" + (f" ({name})" if name else "")
