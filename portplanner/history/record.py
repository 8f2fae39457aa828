"""Recording who changed what: every write to a cluster's apps carries an ``Actor``, and the
fleet's one writer (``fleet.deploy``) records a ``Revision`` per app it writes, in bulk, inside the
same transaction. Changes to a cluster itself (policy, members) are ``ClusterChange`` rows."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from portplanner.marathon import AppResult, Collision
from portplanner.marathon.diff import snapshot
from portplanner.models import App, Cluster, ClusterChange, Revision


@dataclass(frozen=True, slots=True)
class Actor:
    """Who makes a change, through which path, and why. ``user`` is None only for the system
    itself (the demo data)."""

    user: Any  # a User, or None
    via: str  # "composer", "import", "policy re-check", "delete", "restore", "cli import", ...
    message: str = ""

    @property
    def username(self) -> str:
        return self.user.get_username() if self.user is not None else "system"


def revisions_for(
    cluster: Cluster,
    saved: list[tuple[App, AppResult]],
    collisions: dict[str, list[Collision]],
    actor: Actor,
    *,
    created: set[int],
) -> list[Revision]:
    """A revision for each app just written (``created``: the pks of those that are new), with
    the collisions each takes part in now."""
    now = timezone.now()
    return [
        Revision(
            cluster=cluster,
            live_app=app,
            app_id=app.app_id,
            version=app.version,
            action=Revision.Action.CREATE if app.pk in created else Revision.Action.UPDATE,
            via=actor.via,
            user=actor.user,
            username=actor.username,
            message=actor.message,
            created_at=now,
            source=app.source,
            normalized=app.normalized,
            snapshot=snapshot(result, collisions.get(app.app_id, ())),
        )
        for app, result in saved
    ]


def deletion(app: App, last: Revision | None, actor: Actor) -> Revision:
    """The revision that records ``app``'s deletion: the app as it last was, so that it can be
    restored, and its ports as freed."""
    return Revision(
        cluster_id=app.cluster_id,
        live_app=None,
        app_id=app.app_id,
        version=app.version,
        action=Revision.Action.DELETE,
        via=actor.via,
        user=actor.user,
        username=actor.username,
        message=actor.message,
        source=app.source,
        normalized=app.normalized,
        snapshot=last.snapshot if last is not None else {},
    )


def record_cluster_change(
    cluster: Cluster, kind: str, actor: Actor, summary: str, before=None, after=None
) -> ClusterChange:
    return ClusterChange.objects.create(
        cluster=cluster,
        kind=kind,
        user=actor.user,
        username=actor.username,
        summary=summary,
        before=before or {},
        after=after or {},
    )
