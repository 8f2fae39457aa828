"""The fleet: resolving and saving apps in a cluster. Views and commands call this; it calls the
engine and keeps the database rows that collision queries use in step with each saved app."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from django.db import connection, transaction
from django.db.models import Q

from portplanner.marathon import (
    AppResult,
    Collision,
    Holding,
    ServicePortAllocator,
    find_collisions,
    finish,
    prepare,
    resolve_app,
)
from portplanner.marathon.collisions import HOST_PORT, RESERVED_PORT, SERVICE_PORT, VIP, vip_key
from portplanner.models import App, Cluster, PortAllocation


class StaleEdit(Exception):
    """The app changed since the form was loaded; saving would overwrite someone's work."""

    def __init__(self, app: App):
        super().__init__(f"{app.app_id} was changed by someone else (now version {app.version})")
        self.app = app


def free_service_ports(
    cluster: Cluster, low: int, high: int, exclude: Iterable[int] = ()
) -> Iterator[int]:
    """Free service ports in ``[low, high]``, ascending, found through the (cluster, service_port)
    index a few gaps at a time, so the fleet's ports are never loaded whole. ``exclude``: ports to
    treat as held as well (those of the app being edited)."""
    excluded = set(exclude)
    with connection.cursor() as cursor:
        cursor.execute(_FIRST_HELD_SQL, [cluster.pk, low, high])
        (first,) = cursor.fetchone()
    if first is None:
        yield from (p for p in range(low, high + 1) if p not in excluded)
        return
    yield from (p for p in range(low, first) if p not in excluded)
    after = first - 1
    while True:
        with connection.cursor() as cursor:
            cursor.execute(
                _GAPS_SQL, [cluster.pk, high, cluster.pk, after, high, cluster.pk, _GAP_BATCH]
            )
            batch = cursor.fetchall()
        for held, gap_end in batch:
            for port in range(held + 1, high + 1 if gap_end is None else gap_end):
                if port not in excluded:
                    yield port
        if len(batch) < _GAP_BATCH:
            return
        after = batch[-1][0]


# Raw SQL, not the ORM: the preview asks on every keystroke, and compiling the equivalent
# queryset cost more than running it. Both run on SQLite and PostgreSQL.
_TABLE = PortAllocation._meta.db_table
_FIRST_HELD_SQL = f"""
    SELECT MIN(service_port) FROM {_TABLE}
    WHERE cluster_id = %s AND service_port >= %s AND service_port <= %s
"""
# A gap starts right after a held port whose successor is free; it ends at the next held port.
_GAPS_SQL = f"""
    SELECT a.service_port, (
        SELECT MIN(b.service_port) FROM {_TABLE} b
        WHERE b.cluster_id = %s AND b.service_port > a.service_port AND b.service_port <= %s
    ) AS gap_end
    FROM {_TABLE} a
    WHERE a.cluster_id = %s AND a.service_port > %s AND a.service_port <= %s
      AND NOT EXISTS (
        SELECT 1 FROM {_TABLE} c
        WHERE c.cluster_id = %s AND c.service_port = a.service_port + 1
      )
    GROUP BY a.service_port
    ORDER BY a.service_port
    LIMIT %s
"""
_GAP_BATCH = 16


def fleet_collisions(cluster: Cluster, result: AppResult, app: App | None) -> list[Collision]:
    """Collisions of ``result`` (an app being composed) with the cluster's saved apps, found by
    one indexed query on the ports this app holds."""
    mine = result.holdings()
    service = {h.port for h in mine if h.kind == SERVICE_PORT}
    host = {h.port for h in mine if h.kind == HOST_PORT}
    vips = {vip_key(h.value) for h in mine if h.kind == VIP}
    rows = (
        PortAllocation.objects.filter(cluster=cluster)
        .filter(Q(service_port__in=service) | Q(host_port__in=host) | Q(vip_key__in=vips))
        .exclude(app=app)
        .values_list(
            "app__app_id", "path", "service_port", "host_port", "vip", "vip_key", "container_port"
        )
    )
    theirs = []
    for app_id, path, service_port, host_port, vip, key, container_port in rows:
        mapping = container_port is not None
        if service_port in service:
            port_path = f"{path}/servicePort" if mapping else f"{path}/port"
            theirs.append(Holding(app_id, SERVICE_PORT, service_port, None, port_path))
        if host_port in host:
            port_path = f"{path}/hostPort" if mapping else f"{path}/port"
            theirs.append(Holding(app_id, HOST_PORT, host_port, None, port_path))
        if key and key in vips:
            theirs.append(Holding(app_id, VIP, None, vip, f"{path}/labels"))
    reserved = cluster.policy.reserved_ports
    # Within one app a repeated port is a lint, not a collision: only pairs with others count.
    return [
        c
        for c in find_collisions([*mine, *theirs], reserved)
        if c.kind == RESERVED_PORT or len({app_id for app_id, _ in c.holders}) > 1
    ]


def resolve_in_cluster(cluster: Cluster, raw: Any, app: App | None = None) -> AppResult:
    """Resolve ``raw`` as Marathon would deploy it into ``cluster`` now. When it updates ``app``,
    the app's saved service ports are reused first (AssignDynamicServiceLogic's update rule)."""
    policy = cluster.policy
    return resolve_app(
        raw,
        policy,
        previous=_service_ports(app) if app is not None else (),
        free_ports=free_service_ports(cluster, policy.local_port_min, policy.local_port_max),
    )


@transaction.atomic
def save_app(
    cluster: Cluster,
    raw: Any,
    *,
    app: App | None = None,
    expected_version: int | None = None,
) -> tuple[App, AppResult]:
    """Create or update an app with its resolved form and port rows, all or nothing. An invalid app
    is saved too (as a draft: ``is_valid`` false). Raises StaleEdit when ``expected_version`` is
    not the stored version."""
    if app is not None:
        app = App.objects.select_for_update().get(pk=app.pk)
        if expected_version is not None and app.version != expected_version:
            raise StaleEdit(app)
    result = resolve_in_cluster(cluster, raw, app)
    return _store(cluster, app, raw, result), result


@transaction.atomic
def deploy_group(cluster: Cluster, raws: list[Any]) -> list[tuple[App, AppResult]]:
    """Save apps as one group deployment (spec §4.2): every fixed service port of the group is
    known before the first 0 is assigned, then the 0s are filled in input order. Apps whose id is
    already in the cluster are updated and keep their service ports."""
    policy = cluster.policy
    prepared = [prepare(raw, policy) for raw in raws]
    existing = {a.app_id: a for a in cluster.apps.filter(app_id__in=[p.id for p in prepared])}
    allocator = ServicePortAllocator(
        policy.local_port_min,
        policy.local_port_max,
        candidates=free_service_ports(cluster, policy.local_port_min, policy.local_port_max),
    )
    for p in prepared:
        allocator.reserve(p.requested_service_ports)
    saved = []
    for raw, p in zip(raws, prepared, strict=True):
        app = existing.get(p.id)
        previous = _service_ports(app) if app else []
        result = finish(p, allocator, previous)
        saved.append((_store(cluster, app, raw, result), result))
    return saved


def _service_ports(app: App) -> list[int]:
    return list(
        app.allocations.filter(service_port__isnull=False)
        .order_by("index")
        .values_list("service_port", flat=True)
    )


def _store(cluster: Cluster, app: App | None, raw: Any, result: AppResult) -> App:
    if app is None:
        app = App(cluster=cluster)
    else:
        app.version += 1
    app.app_id = result.id or (raw.get("id") if isinstance(raw, dict) else "") or ""
    app.source = raw
    app.normalized = result.app if result.network is not None else None
    app.network_mode = result.network or ""
    app.is_valid = result.valid
    app.errors = [e.to_json() for e in result.errors]
    app.warnings = [
        {"code": w.code, "path": w.path, "message": w.message, "fix": w.fix}
        for w in result.warnings
    ]
    app.save()
    app.allocations.all().delete()
    PortAllocation.objects.bulk_create(allocation_rows(app, result))
    return app


def allocation_rows(app: App, result: AppResult) -> list[PortAllocation]:
    return [
        PortAllocation(
            app=app,
            cluster_id=app.cluster_id,
            index=p.index,
            path=p.path,
            name=p.name or "",
            protocol=p.protocol,
            container_port=p.container_port,
            service_port=p.service_port or None,
            service_port_dynamic=p.service_port_dynamic,
            host_port=None if p.host_port_dynamic else p.host_port,
            vip=p.vip or "",
            vip_key=vip_key(p.vip) if p.vip else "",
        )
        for p in result.ports
    ]
