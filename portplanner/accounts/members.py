"""Changing who may do what: new clusters and their members. Each change is recorded in the
cluster's history with who made it."""

from __future__ import annotations

from django.db import transaction

from portplanner.history.record import Actor, record_cluster_change
from portplanner.models import Cluster, Membership, Role


@transaction.atomic
def create_cluster(cluster: Cluster, user) -> Cluster:
    """Save a new cluster; whoever creates it is its first owner."""
    cluster.save()
    Membership.objects.create(cluster=cluster, user=user, role=Role.OWNER)
    by = Actor(user, "cluster")
    record_cluster_change(
        cluster, "created", by, f"created the cluster, {by.username} its owner",
        after={name: getattr(cluster, name) for name in Cluster.POLICY_FIELDS},
    )  # fmt: skip
    return cluster


def member_name(membership: Membership) -> str:
    return membership.user.get_username() if membership.user else f"group {membership.group.name}"


@transaction.atomic
def set_role(cluster: Cluster, *, user=None, group=None, role: Role, by: Actor) -> str:
    """Give a user or a group ``role`` in the cluster (adding them, or changing their role).
    Returns what changed, in words."""
    membership, created = Membership.objects.get_or_create(
        cluster=cluster, user=user, group=group, defaults={"role": role}
    )
    name = member_name(membership)
    before = None if created else Role(membership.role).label
    if not created:
        if membership.role == role:
            return f"{name} is already {role.label}"
        _keep_an_owner(cluster, membership, role)
        membership.role = role
        membership.save(update_fields=["role"])
    summary = f"{name}: {before or 'not a member'} -> {role.label}"
    record_cluster_change(
        cluster, "members", by, summary, {"member": name, "role": before},
        {"member": name, "role": role.label},
    )  # fmt: skip
    return summary


@transaction.atomic
def remove_member(cluster: Cluster, membership: Membership, *, by: Actor) -> str:
    _keep_an_owner(cluster, membership, None)
    name, role = member_name(membership), Role(membership.role).label
    membership.delete()
    summary = f"{name}: {role} -> not a member"
    record_cluster_change(cluster, "members", by, summary, {"member": name, "role": role}, {})
    return summary


class LastOwner(Exception):
    """The change would leave the cluster without an owner."""


def _keep_an_owner(cluster: Cluster, membership: Membership, role: Role | None) -> None:
    if membership.role != Role.OWNER or role == Role.OWNER:
        return
    others = Membership.objects.filter(cluster=cluster, role=Role.OWNER).exclude(pk=membership.pk)
    if not others.exists():
        raise LastOwner(
            f"{member_name(membership)} is the last owner of {cluster.name}: make someone else "
            "owner first"
        )
