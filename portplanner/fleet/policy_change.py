"""Changing a cluster's port policy: re-resolve every app of the fleet under the new policy, as
Marathon would on the next deployment, and say what that newly breaks. ``preview_policy`` says it
before anything is saved; ``apply_policy`` saves."""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from django.db import transaction

from portplanner.fleet.deploy import deploy, lock_cluster
from portplanner.fleet.queries import cluster_collisions
from portplanner.history.record import Actor, record_cluster_change
from portplanner.models import Cluster, PortAllocation


@dataclass(frozen=True, slots=True)
class FleetState:
    valid: dict[int, tuple[str, bool]]  # app pk -> (app id, valid)
    warnings: dict[int, dict[tuple[str, str], dict]]  # app pk -> {(code, path): stored warning}
    collisions: dict[tuple[str, object], str]  # key -> description
    service_ports: dict[int, tuple[int, ...]]  # app pk -> its service ports, in port order


@dataclass(frozen=True, slots=True)
class NewWarning:
    app_id: str
    code: str
    path: str
    message: str = ""
    fix: str = ""

    def describe(self) -> str:
        return f"{self.code} at {self.path}"


@dataclass(slots=True)
class Breakage:
    """What a policy change newly broke: app ids, warnings, collisions described in words, and
    the service ports it moved (a client of marathon-lb on the old port loses the app)."""

    apps_checked: int = 0
    now_invalid: list[str] = field(default_factory=list)
    new_warnings: list[NewWarning] = field(default_factory=list)
    new_collisions: list[str] = field(default_factory=list)
    moved: list[tuple[str, tuple[int, ...], tuple[int, ...]]] = field(default_factory=list)

    @property
    def nothing(self) -> bool:
        return not (self.now_invalid or self.new_warnings or self.new_collisions or self.moved)


def fleet_state(cluster: Cluster) -> FleetState:
    valid, warnings = {}, {}
    for pk, app_id, is_valid, app_warnings in cluster.apps.values_list(
        "pk", "app_id", "is_valid", "warnings"
    ):
        valid[pk] = (app_id, is_valid)
        warnings[pk] = {(w["code"], w["path"]): w for w in app_warnings}
    service_ports: dict[int, tuple[int, ...]] = {}
    rows = (
        # The ports' own service ports, as deploy keeps them (not a blue/green alternate port,
        # which shares its index with port 0 and would tie in the order).
        PortAllocation.objects.filter(cluster=cluster, service_port__isnull=False, alternate=False)
        .order_by("app_id", "index")
        .values_list("app_id", "service_port")
    )
    for pk, port in rows:
        service_ports[pk] = (*service_ports.get(pk, ()), port)
    collisions = {c.key: c.describe() for c in cluster_collisions(cluster)}
    return FleetState(valid, warnings, collisions, service_ports)


@transaction.atomic
def apply_policy(cluster: Cluster, save, *, by: Actor) -> Breakage:
    """Call ``save()`` (which stores the new policy), then re-resolve the whole fleet under it as
    one group deployment: fixed service ports are reserved first, each app keeps its previous
    service ports where the new range allows, the rest get the next free ones. All or nothing;
    the policy change and every app's new revision say who did it."""
    lock_cluster(cluster)
    # Read from the database: a bound ModelForm has already written the new values on its instance.
    stored = Cluster.objects.get(pk=cluster.pk)
    before, old_policy = fleet_state(stored), policy_values(stored)
    save()
    cluster = Cluster.objects.get(pk=cluster.pk)  # a fresh policy, not the cached one
    new_policy = policy_values(cluster)
    changed = [name for name in Cluster.POLICY_FIELDS if old_policy[name] != new_policy[name]]
    summary = "policy: " + (
        "; ".join(f"{name} {old_policy[name]!r} -> {new_policy[name]!r}" for name in changed)
        or "saved unchanged, fleet re-checked"
    )
    if by.message:
        summary += f" (why: {by.message})"
    if not by.preview:
        record_cluster_change(cluster, "policy", by, summary, old_policy, new_policy)
    redeploy(cluster, by)
    after = fleet_state(cluster)
    return compare(before, after)


def policy_values(cluster: Cluster) -> dict:
    return {name: getattr(cluster, name) for name in Cluster.POLICY_FIELDS}


def preview_policy(cluster: Cluster, save, *, by: Actor) -> Breakage:
    """What ``apply_policy(cluster, save)`` would newly break, found as exchange.plan_import finds
    what an import would do: by running it, through the same deployment under the cluster's
    lock, and rolling it back. Nothing is kept, the policy included."""
    with transaction.atomic():
        # A preview: deploy records no revision (nor the collisions each would carry).
        breakage = apply_policy(cluster, save, by=replace(by, preview=True))
        transaction.set_rollback(True)
    return breakage


def redeploy(cluster: Cluster, by: Actor) -> None:
    """Every app of the cluster as one deployment under its (new) policy, keyed by the stored
    apps, so a draft saved without a usable id is re-checked too."""
    recheck = replace(by, via="policy re-check")  # a preview's stays one
    deploy(cluster, [(app, app.source) for app in cluster.apps.order_by("pk")], by=recheck)


def compare(before: FleetState, after: FleetState) -> Breakage:
    result = Breakage(apps_checked=len(after.valid))
    for pk, (app_id, valid) in sorted(after.valid.items(), key=lambda item: item[1][0]):
        if not valid and before.valid.get(pk, ("", False))[1]:
            result.now_invalid.append(app_id)
        had = before.warnings.get(pk, {})
        for code, path in sorted(after.warnings[pk].keys() - had.keys()):
            stored = after.warnings[pk][(code, path)]
            result.new_warnings.append(
                NewWarning(app_id, code, path, stored.get("message", ""), stored.get("fix", ""))
            )
        old, new = before.service_ports.get(pk, ()), after.service_ports.get(pk, ())
        if old and new and old != new:
            result.moved.append((app_id, old, new))
    result.new_collisions = [
        text
        for key, text in sorted(after.collisions.items(), key=str)
        if key not in before.collisions
    ]
    return result
