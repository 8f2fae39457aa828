"""Changing a cluster's port policy: re-resolve every app of the fleet under the new policy, as
Marathon would on the next deployment, and say what that newly breaks."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import transaction

from portplanner.fleet import (
    _STORED_FIELDS,
    _fill,
    allocation_rows,
    cluster_collisions,
    free_service_ports,
)
from portplanner.marathon import Collision, ServicePortAllocator, finish, prepare
from portplanner.marathon.collisions import vip_key
from portplanner.models import App, Cluster, PortAllocation


@dataclass(frozen=True, slots=True)
class FleetState:
    valid: dict[int, tuple[str, bool]]  # app pk -> (app id, valid)
    warnings: dict[int, set[tuple[str, str]]]  # app pk -> {(code, path)}
    collisions: dict[tuple[str, object], str]  # key -> description


@dataclass(slots=True)
class Breakage:
    """What a policy change newly broke: app ids, and collisions described in words."""

    apps_checked: int = 0
    now_invalid: list[str] = field(default_factory=list)
    new_warnings: list[tuple[str, str]] = field(default_factory=list)  # (app id, code at path)
    new_collisions: list[str] = field(default_factory=list)

    @property
    def nothing(self) -> bool:
        return not (self.now_invalid or self.new_warnings or self.new_collisions)


def fleet_state(cluster: Cluster) -> FleetState:
    valid, warnings = {}, {}
    for pk, app_id, is_valid, app_warnings in cluster.apps.values_list(
        "pk", "app_id", "is_valid", "warnings"
    ):
        valid[pk] = (app_id, is_valid)
        warnings[pk] = {(w["code"], w["path"]) for w in app_warnings}
    collisions = {
        (c.kind, vip_key(c.value) if c.value else c.port): describe(c)
        for c in cluster_collisions(cluster)
    }
    return FleetState(valid, warnings, collisions)


def describe(collision: Collision) -> str:
    what = {
        "service-port": f"service port {collision.port}",
        "host-port": f"fixed host port {collision.port}",
        "vip": f"VIP {collision.value}",
        "reserved-port": f"reserved port {collision.port}",
    }[collision.kind]
    holders = ", ".join(sorted({app_id for app_id, _ in collision.holders}))
    return f"{what}: {holders}"


@transaction.atomic
def apply_policy(cluster: Cluster, save) -> Breakage:
    """Call ``save()`` (which stores the new policy), then re-resolve the whole fleet under it as
    one group deployment: fixed service ports are reserved first, each app keeps its previous
    service ports where the new range allows, the rest get the next free ones. All or nothing."""
    # Read from the database: a bound ModelForm has already written the new values on its instance.
    before = fleet_state(Cluster.objects.get(pk=cluster.pk))
    save()
    cluster = Cluster.objects.get(pk=cluster.pk)  # a fresh policy, not the cached one
    redeploy(cluster)
    after = fleet_state(cluster)
    return compare(before, after)


def redeploy(cluster: Cluster) -> None:
    """fleet.deploy_group's rules and bulk writes, keyed by the stored apps rather than by id (a
    draft saved without a usable id is re-checked too, not duplicated)."""
    policy = cluster.policy
    apps = list(cluster.apps.order_by("pk"))
    previous: dict[int, list[int]] = {}
    for app_pk, port in (
        PortAllocation.objects.filter(cluster=cluster, service_port__isnull=False)
        .order_by("app_id", "index")
        .values_list("app_id", "service_port")
    ):
        previous.setdefault(app_pk, []).append(port)
    prepared = [prepare(app.source, policy) for app in apps]
    allocator = ServicePortAllocator(
        policy.local_port_min,
        policy.local_port_max,
        candidates=free_service_ports(cluster, policy.local_port_min, policy.local_port_max),
    )
    for p in prepared:
        allocator.reserve(p.requested_service_ports)
    results = [
        finish(p, allocator, previous.get(app.pk, []))
        for app, p in zip(apps, prepared, strict=True)
    ]
    for app, result in zip(apps, results, strict=True):
        app_id = app.app_id
        _fill(cluster, app, app.source, result)
        app.app_id = app_id  # the stored id stays: it is unique in the cluster
    App.objects.bulk_update(apps, _STORED_FIELDS, batch_size=500)
    PortAllocation.objects.filter(cluster=cluster).delete()
    PortAllocation.objects.bulk_create(
        [
            row
            for app, result in zip(apps, results, strict=True)
            for row in allocation_rows(app, result)
        ],
        batch_size=1000,
    )


def compare(before: FleetState, after: FleetState) -> Breakage:
    result = Breakage(apps_checked=len(after.valid))
    for pk, (app_id, valid) in sorted(after.valid.items(), key=lambda item: item[1][0]):
        if not valid and before.valid.get(pk, ("", False))[1]:
            result.now_invalid.append(app_id)
        for code, path in sorted(after.warnings[pk] - before.warnings.get(pk, set())):
            result.new_warnings.append((app_id, f"{code} at {path}"))
    result.new_collisions = [
        text
        for key, text in sorted(after.collisions.items(), key=str)
        if key not in before.collisions
    ]
    return result
