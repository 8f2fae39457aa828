"""The fleet: resolving and saving apps in a cluster. Views and commands call this; it calls the
engine and keeps the database rows that collision queries use in step with each saved app."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.db import transaction
from django.db.models import Exists, F, OuterRef

from portplanner.marathon import AppResult, resolve_app
from portplanner.marathon.collisions import vip_key
from portplanner.models import App, Cluster, PortAllocation


class StaleEdit(Exception):
    """The app changed since the form was loaded; saving would overwrite someone's work."""

    def __init__(self, app: App):
        super().__init__(f"{app.app_id} was changed by someone else (now version {app.version})")
        self.app = app


def free_service_ports(cluster: Cluster, low: int, high: int) -> Iterator[int]:
    """Free service ports in ``[low, high]``, ascending, found through the (cluster, service_port)
    index: each step asks the database for the next gap instead of loading the fleet's ports."""
    held = PortAllocation.objects.filter(cluster=cluster, service_port__isnull=False)
    cursor = low
    while cursor <= high:
        if not held.filter(service_port=cursor).exists():
            yield cursor
            cursor += 1
            continue
        # The first held port at or above the cursor whose successor is free.
        gap = (
            held.filter(service_port__gte=cursor, service_port__lt=high)
            .annotate(successor=F("service_port") + 1)
            .exclude(Exists(held.filter(service_port=OuterRef("successor"))))
            .order_by("service_port")
            .values_list("successor", flat=True)
            .first()
        )
        if gap is None:
            return
        yield gap
        cursor = gap + 1


def resolve_in_cluster(cluster: Cluster, raw: Any, app: App | None = None) -> AppResult:
    """Resolve ``raw`` as Marathon would deploy it into ``cluster`` now. When it updates ``app``,
    the app's saved service ports are reused first (AssignDynamicServiceLogic's update rule)."""
    policy = cluster.policy()
    previous = []
    if app is not None:
        previous = list(
            app.allocations.filter(service_port__isnull=False)
            .order_by("index")
            .values_list("service_port", flat=True)
        )
    return resolve_app(
        raw,
        policy,
        previous=previous,
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
    app.warnings = [w.to_json() | {"fix": w.fix} for w in result.warnings]
    app.save()
    app.allocations.all().delete()
    PortAllocation.objects.bulk_create(allocation_rows(app, result))
    return app, result


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
