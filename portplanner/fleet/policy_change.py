"""Changing a cluster's port policy: re-resolve every app of the fleet under the new policy, as
Marathon would on the next deployment, and say what that newly breaks."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import transaction

from portplanner.fleet.deploy import deploy, lock_cluster
from portplanner.fleet.queries import cluster_collisions
from portplanner.history.record import Actor, record_cluster_change
from portplanner.models import Cluster


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
    collisions = {c.key: c.describe() for c in cluster_collisions(cluster)}
    return FleetState(valid, warnings, collisions)


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
    record_cluster_change(cluster, "policy", by, summary, old_policy, new_policy)
    redeploy(cluster, by)
    after = fleet_state(cluster)
    return compare(before, after)


def policy_values(cluster: Cluster) -> dict:
    return {name: getattr(cluster, name) for name in Cluster.POLICY_FIELDS}


def redeploy(cluster: Cluster, by: Actor) -> None:
    """Every app of the cluster as one deployment under its (new) policy, keyed by the stored
    apps, so a draft saved without a usable id is re-checked too."""
    recheck = Actor(by.user, "policy re-check", by.message)
    deploy(cluster, [(app, app.source) for app in cluster.apps.order_by("pk")], by=recheck)


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
