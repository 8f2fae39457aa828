"""The whole pipeline, in Marathon's order (spec §0.1): read, schema, legacy rules, normalize,
validate, normalize after validation, assign service ports, resolve host ports, derive env vars,
lint; then, for a fleet, collisions.

``prepare`` does everything that depends on one app alone; ``finish`` takes a shared
``ServicePortAllocator`` so that a fleet is assigned like one group deployment: every fixed
service port is known before the first dynamic one is handed out, and apps are served in input
order."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from .collisions import (
    SERVICE_PORT,
    VIP,
    Collision,
    Holding,
    find_collisions,
    lb_holdings,
    port_holdings,
)
from .env import EnvVar, port_env
from .findings import AppError, AppWarning
from .host_ports import resolve_host_ports
from .lb import ALT_PORT, LbBind, alt_port, label_path, labels_by_port, labels_of, lb_bind
from .legacy import legacy_errors
from .lint import lint_env, lint_lb, lint_ports
from .model import PORT_MAPPINGS, network_mode, port_entries, service_port_key, vip_labels
from .normalize import NormalizationError, normalize_deprecated, normalize_post
from .pointers import pointer
from .policy import DEFAULT_POLICY, ClusterPolicy
from .schema import schema_errors
from .service_ports import PortRangeExhausted, ServicePortAllocator
from .validate import canonical_errors, model_errors


@dataclass(frozen=True, slots=True)
class PortPlan:
    index: int
    name: str | None
    protocol: str
    container_port: int | None
    host_port: int | None
    host_port_dynamic: bool
    service_port: int
    service_port_dynamic: bool
    vip: str | None
    path: str  # JSON pointer of the port definition or mapping
    vip_labels: tuple[tuple[str, str], ...] = ()
    lb: LbBind | None = None  # how marathon-lb serves it; None where it serves it nowhere

    def vips(self) -> list[tuple[str, str]]:
        """(JSON pointer of the label, value) of each of the port's VIP labels."""
        return [(self.path + pointer("labels", label), value) for label, value in self.vip_labels]

    def to_json(self) -> dict:
        return {
            "index": self.index,
            "name": self.name,
            "protocol": self.protocol,
            "containerPort": self.container_port,
            "hostPort": self.host_port,
            "hostPortDynamic": self.host_port_dynamic,
            "servicePort": self.service_port,
            "servicePortDynamic": self.service_port_dynamic,
            "vip": self.vip,
            "marathonLb": self.lb.to_json() if self.lb else None,
        }


@dataclass(slots=True)
class AppResult:
    id: str | None
    network: str | None  # None when the app could not be read far enough to know
    app: Any  # the normalized app with assigned service ports; the input as given if unreadable
    errors: list[AppError] = field(default_factory=list)
    warnings: list[AppWarning] = field(default_factory=list)
    ports: list[PortPlan] = field(default_factory=list)
    env: list[EnvVar] = field(default_factory=list)
    # HAPROXY_DEPLOYMENT_ALT_PORT: a service port the app takes in blue/green deploys (lb.py).
    alt_port: int | None = None

    @property
    def valid(self) -> bool:
        return not self.errors

    def env_dict(self) -> dict[str, str]:
        return {v.name: v.value for v in self.env}

    def holdings(self) -> list[Holding]:
        """What this app holds, for collision checks: service ports (the blue/green alternate
        port among them), fixed host ports, VIPs, marathon-lb bind ports in their groups."""
        if self.id is None:
            return []
        out = []
        if self.alt_port is not None:
            out.append(Holding(self.id, SERVICE_PORT, self.alt_port, None, label_path(ALT_PORT)))
        for p in self.ports:
            host_port = None if p.host_port_dynamic else p.host_port
            out += port_holdings(
                self.id,
                p.path,
                mapping=p.container_port is not None,
                service_port=p.service_port,
                host_port=host_port,
            )
            out.extend(Holding(self.id, VIP, None, value, path) for path, value in p.vips())
            if p.lb is not None:
                out += lb_holdings(self.id, p.lb.port, p.lb.path, p.lb.groups)
        return out

    def to_json(self) -> dict:
        return {
            "id": self.id,
            "valid": self.valid,
            "network": self.network,
            "errors": [e.to_json() for e in self.errors],
            "warnings": [w.to_json() for w in self.warnings],
            "app": self.app,
            "ports": [p.to_json() for p in self.ports],
            "env": self.env_dict(),
        }


@dataclass(slots=True)
class Prepared:
    """An app after every stage that needs no knowledge of the rest of the fleet."""

    raw: Any
    policy: ClusterPolicy
    app: dict | None = None
    errors: list[AppError] = field(default_factory=list)
    warnings: list[AppWarning] = field(default_factory=list)
    list_path: str = ""
    entries: list[dict] = field(default_factory=list)
    requested_service_ports: list[int] = field(default_factory=list)
    alt_port: int | None = None

    @property
    def fixed_service_ports(self) -> list[int]:
        """The service ports the app asks for by number, reserved before any 0 is assigned: its
        fixed ones, and its blue/green alternate port, which it takes on its next deploy
        (Marathon does not know that label; a plan that hands the port to another app breaks
        that deploy)."""
        return [*self.requested_service_ports, self.alt_port or 0]

    @property
    def id(self) -> str | None:
        source = self.app if self.app is not None else self.raw
        app_id = source.get("id") if isinstance(source, dict) else None
        return app_id if isinstance(app_id, str) else None


def prepare(raw: Any, policy: ClusterPolicy = DEFAULT_POLICY) -> Prepared:
    p = Prepared(raw, policy)
    if not isinstance(raw, dict):
        p.errors.append(AppError("/", "an app must be a JSON object"))
        return p
    # Marathon stops at the first failing stage; so do we, up to normalization.
    p.errors = schema_errors(raw) or legacy_errors(raw)
    if p.errors:
        return p
    try:
        app, p.warnings = normalize_deprecated(raw, policy)
        p.errors = canonical_errors(app, policy)
        app, post_warnings = normalize_post(app, policy)
        p.errors += [e for e in model_errors(app) if e not in p.errors]
    except NormalizationError as exc:
        p.errors = [AppError(exc.path, exc.message)]
        return p
    p.warnings += post_warnings
    p.app = app
    p.list_path, p.entries = port_entries(app)
    key = service_port_key(p.list_path)
    p.requested_service_ports = [e.get(key, 0) for e in p.entries]
    p.alt_port = alt_port(app)
    return p


def finish(p: Prepared, allocator: ServicePortAllocator, previous: Sequence[int] = ()) -> AppResult:
    if p.app is None:
        return AppResult(p.id, None, p.raw, list(p.errors))
    policy = p.policy
    app = p.app
    errors = list(p.errors)
    warnings = list(p.warnings)
    try:
        service_ports = allocator.assign(p.requested_service_ports, previous)
    except PortRangeExhausted as exc:
        errors.append(AppError(p.list_path, exc.message))
        service_ports = list(p.requested_service_ports)

    key = service_port_key(p.list_path)
    entries = [
        e if e.get(key, 0) == port else {**e, key: port}
        for e, port in zip(p.entries, service_ports, strict=True)
    ]
    if entries != p.entries:
        app = _with_entries(app, p.list_path, entries)
    mode = network_mode(app["networks"])
    host_ports = resolve_host_ports(
        p.list_path, entries, mode, app["requirePorts"], policy.agent_port_ranges
    )
    is_mapping = p.list_path == PORT_MAPPINGS
    requested = [(e.get("name"), e["containerPort"] if is_mapping else e["port"]) for e in entries]
    user_env = app.get("env") if isinstance(app.get("env"), dict) else {}
    env, clashes = port_env(requested, host_ports, policy.env_vars_prefix, user_env)
    warnings += lint_ports(
        app,
        mode,
        p.list_path,
        entries,
        p.requested_service_ports,
        service_ports,
        host_ports,
        policy,
    )
    warnings += lint_env(app, p.list_path, env, clashes, policy)

    ports = []
    labels = labels_of(app)
    by_port = labels_by_port(labels)  # once, not per port: an app may have a thousand
    for i, (entry, host) in enumerate(zip(entries, host_ports, strict=True)):
        vips = tuple(vip_labels(entry))
        service_port_path = f"{p.list_path}/{i}/{key}"
        ports.append(
            PortPlan(
                index=i,
                name=entry.get("name"),
                protocol=entry["protocol"],
                container_port=entry["containerPort"] if is_mapping else None,
                host_port=host.port,
                host_port_dynamic=host.dynamic,
                service_port=service_ports[i],
                service_port_dynamic=p.requested_service_ports[i] == 0,
                vip=vips[0][1] if vips else None,
                path=f"{p.list_path}/{i}",
                vip_labels=vips,
                lb=lb_bind(app, i, service_ports[i], service_port_path, labels, by_port),
            )
        )
    warnings += lint_lb(app, ports)
    return AppResult(app["id"], mode, app, errors, warnings, ports, env, p.alt_port)


def resolve_app(
    raw: Any,
    policy: ClusterPolicy = DEFAULT_POLICY,
    *,
    taken: Iterable[int] = (),
    previous: Sequence[int] = (),
    free_ports: Iterator[int] | None = None,
) -> AppResult:
    """Resolve one app against a cluster whose service ports ``taken`` are in use. ``previous``
    is the app's own service ports from its saved version, reused first as Marathon does on
    update. ``free_ports`` replaces the scan of the range, for callers that keep the fleet in an
    index (see ``ServicePortAllocator``)."""
    p = prepare(raw, policy)
    allocator = ServicePortAllocator(
        policy.local_port_min, policy.local_port_max, taken, free_ports
    )
    allocator.reserve(p.fixed_service_ports)
    allocator.reserve(previous)
    return finish(p, allocator, previous)


@dataclass(slots=True)
class FleetResult:
    apps: list[AppResult]
    collisions: list[Collision]

    @property
    def ok(self) -> bool:
        return not self.collisions and all(a.valid for a in self.apps)

    def to_json(self) -> dict:
        return {
            "apps": [a.to_json() for a in self.apps],
            "collisions": [c.to_json() for c in self.collisions],
        }


def check_fleet(raw_apps: Iterable[Any], policy: ClusterPolicy = DEFAULT_POLICY) -> FleetResult:
    """Check apps as one group deployment (spec §4.2): fixed ports first, then 0s in input order."""
    prepared = [prepare(raw, policy) for raw in raw_apps]
    allocator = ServicePortAllocator(policy.local_port_min, policy.local_port_max)
    for p in prepared:
        allocator.reserve(p.fixed_service_ports)
    results = []
    seen: set[str] = set()
    for p in prepared:
        result = finish(p, allocator)
        if result.id is not None:
            if result.id in seen:
                result.errors.append(
                    AppError(
                        "/id",
                        f"app {result.id} appears more than once in "
                        "this fleet; each app id must be unique",
                    )
                )
            seen.add(result.id)
        results.append(result)
    holdings = [h for r in results for h in r.holdings()]
    return FleetResult(results, find_collisions(holdings, policy.reserved_ports))


def _with_entries(app: dict, list_path: str, entries: list[dict]) -> dict:
    if list_path == PORT_MAPPINGS:
        return {**app, "container": {**app["container"], "portMappings": entries}}
    return {**app, "portDefinitions": entries}
