"""Who may do what in a cluster. Every view of a cluster goes through ``cluster_view``, which
finds the cluster with the signed-in user's role in one query and refuses (403, saying which role
is needed and who can grant it) before the view runs; views then ask ``cluster.can``."""

from __future__ import annotations

from dataclasses import dataclass
from functools import wraps

from django.core.exceptions import PermissionDenied
from django.db.models import Max, OuterRef, Q, QuerySet, Subquery, Value
from django.http import Http404

from portplanner.models import Cluster, Membership, Role


@dataclass(frozen=True, slots=True)
class Can:
    """What a role allows, for views and templates: ``{% if cluster.can.edit %}``."""

    role: Role | None

    @property
    def view(self) -> bool:
        return self.role is not None

    @property
    def edit(self) -> bool:
        return self.role is not None and self.role >= Role.EDITOR

    @property
    def review(self) -> bool:
        return self.role is not None and self.role >= Role.REVIEWER

    @property
    def own(self) -> bool:
        return self.role is not None and self.role >= Role.OWNER

    @property
    def name(self) -> str:
        return Role(self.role).label if self.role is not None else "not a member"


def with_roles(clusters: QuerySet, user) -> QuerySet:
    """``clusters`` annotated with ``role``: the user's highest, directly or through a group;
    None where they have none. Site admins are owners everywhere."""
    if not user.is_authenticated or not user.is_active:
        return clusters.annotate(role=Value(None))
    if user.is_superuser:
        return clusters.annotate(role=Value(int(Role.OWNER)))
    top = (
        Membership.objects.filter(cluster=OuterRef("pk"))
        .filter(Q(user=user) | Q(group__user=user))
        .values("cluster")
        .annotate(top=Max("role"))
        .values("top")
    )
    return clusters.annotate(role=Subquery(top))


def visible_clusters(user) -> QuerySet:
    """The clusters the user is a member of (every cluster for a site admin)."""
    clusters = with_roles(Cluster.objects.all(), user)
    return clusters if user.is_superuser else clusters.filter(role__isnull=False)


def cluster_for(user, name: str) -> Cluster:
    """The cluster called ``name`` with ``role`` and ``can`` set for ``user``; 404 if none."""
    cluster = with_roles(Cluster.objects.filter(name=name), user).first()
    if cluster is None:
        raise Http404(f"No cluster is called {name}.")
    cluster.role = Role(cluster.role) if cluster.role is not None else None
    cluster.can = Can(cluster.role)
    return cluster


def require(cluster: Cluster, needed: Role, doing: str) -> None:
    """Refuse (403) unless the user's role in ``cluster`` is ``needed`` or above; the message
    says what they tried, the role it needs, theirs, and who can change it."""
    if cluster.role is not None and cluster.role >= needed:
        return
    owners = owner_names(cluster)
    ask = f" Ask an owner ({', '.join(owners)})." if owners else " Ask a site admin."
    yours = f"you are a {cluster.can.name}" if cluster.role else "you are not a member"
    raise PermissionDenied(
        f"{doing.capitalize()} in {cluster.name} needs the {needed.label} role; {yours}.{ask}"
    )


def owner_names(cluster: Cluster) -> list[str]:
    owners = Membership.objects.filter(cluster=cluster, role=Role.OWNER)
    users = owners.filter(user__isnull=False).values_list("user__username", flat=True)
    groups = owners.filter(group__isnull=False).values_list("group__name", flat=True)
    return sorted(users) + [f"group {g}" for g in sorted(groups)]


def cluster_view(read: Role = Role.VIEWER, write: Role | None = None, doing: str = ""):
    """Decorate a view whose URL names a cluster: the ``cluster`` argument becomes the Cluster
    (with ``role`` and ``can``), after checking the role ``read`` for GET and HEAD and ``write``
    (default: the same) for any other method. The rule is kept on the view as ``roles``, where
    the permission tests find it."""
    write = write or read

    def decorate(view):
        @wraps(view)
        def wrapper(request, cluster: str, *args, **kwargs):
            found = cluster_for(request.user, cluster)
            reading = request.method in ("GET", "HEAD")
            needed = read if reading else write
            require(found, needed, doing or ("viewing this" if reading else "this change"))
            return view(request, found, *args, **kwargs)

        wrapper.roles = {"GET": read, "POST": write}
        return wrapper

    return decorate
