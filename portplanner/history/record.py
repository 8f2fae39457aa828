"""Recording who changed what: every write to a cluster's apps carries an ``Actor``, and the
fleet's one writer (``fleet.deploy``) records a ``Revision`` per app it writes, in bulk, inside the
same transaction. Changes to a cluster itself (policy, members) are ``ClusterChange`` rows."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from django.db import connection, models
from django.utils import timezone

from portplanner.marathon import AppResult, Collision
from portplanner.marathon.diff import snapshot
from portplanner.models import App, Cluster, ClusterChange, OrderedJSONField, Revision


@dataclass(frozen=True, slots=True)
class Actor:
    """Who makes a change, through which path, and why. ``user`` is None only for the system
    itself (the demo data). ``request``: the change request being applied; ``emergency``: an
    owner's direct change to a cluster whose changes need review (the reason is ``message``)."""

    user: Any  # a User, or None
    via: str  # "composer", "import", "policy re-check", "delete", "restore", "cli import", ...
    message: str = ""
    request: Any = None  # a ChangeRequest
    emergency: bool = False
    preview: bool = False  # a dry run its caller rolls back: no change to review

    @property
    def username(self) -> str:
        return self.user.get_username() if self.user is not None else "system"

    @property
    def reviewed(self) -> bool:
        """Whether this change may go to a cluster whose changes need review: it applies a
        request, it is an owner's emergency, a preview rolled back, or no person's edit (the
        re-check a policy change makes, which owners alone can do; the demo data)."""
        return (
            self.request is not None
            or self.emergency
            or self.preview
            or self.via in UNREVIEWED_PATHS
        )


UNREVIEWED_PATHS = frozenset({"policy re-check", "demo data"})


# Revisions are written with one parameterized INSERT run for all (executemany), not as model
# instances through bulk_create: an import of 5,000 apps spent as long building and preparing
# 5,000 Revision objects as on the rest of recording them.
_COLUMNS = (
    "cluster",
    "live_app",
    "app_id",
    "version",
    "action",
    "via",
    "user",
    "username",
    "message",
    "created_at",
    "change_request",
    "emergency",
    "source",
    "normalized",
    "snapshot",
)


def revision_rows(
    cluster: Cluster,
    saved: list[tuple[App, AppResult]],
    collisions: dict[str, list[Collision]],
    actor: Actor,
    *,
    created: set[int],
) -> list[tuple]:
    """A revision for each app just written (``created``: the pks of those that are new), with
    the collisions each takes part in now."""
    now = timezone.now()
    user_id = actor.user.pk if actor.user is not None else None
    return [
        (
            cluster.pk,
            app.pk,
            app.app_id,
            app.version,
            Revision.Action.CREATE if app.pk in created else Revision.Action.UPDATE,
            actor.via,
            user_id,
            actor.username,
            actor.message,
            now,
            actor.request.pk if actor.request is not None else None,
            actor.emergency,
            app.source,
            app.normalized,
            snapshot(result, collisions.get(app.app_id, ())),
        )
        for app, result in saved
    ]


def deletion_row(app: App, last_snapshot: dict | None, actor: Actor) -> tuple:
    """The revision that records ``app``'s deletion: the app as it last was, so that it can be
    restored, and its ports as they were when freed."""
    return (
        app.cluster_id,
        None,
        app.app_id,
        app.version,
        Revision.Action.DELETE,
        actor.via,
        actor.user.pk if actor.user is not None else None,
        actor.username,
        actor.message,
        timezone.now(),
        actor.request.pk if actor.request is not None else None,
        actor.emergency,
        app.source,
        app.normalized,
        last_snapshot or {},
    )


def write_revisions(rows: list[tuple]) -> None:
    if not rows:
        return
    fields = [Revision._meta.get_field(name) for name in _COLUMNS]
    quote = connection.ops.quote_name
    sql = (
        f"INSERT INTO {quote(Revision._meta.db_table)} "
        f"({', '.join(quote(f.column) for f in fields)}) "
        f"VALUES ({', '.join(['%s'] * len(fields))})"
    )
    # Each column's own preparation, but JSON dumped directly (a third of the time went to
    # Django's per-value JSONField machinery) and plain values passed as they are.
    prepare = [_preparer(field) for field in fields]
    with connection.cursor() as cursor:
        cursor.executemany(
            sql, [[p(value) for p, value in zip(prepare, row, strict=True)] for row in rows]
        )


def _preparer(field):
    if isinstance(field, models.ForeignKey):
        return lambda value: value  # a pk already
    if isinstance(field, models.JSONField | OrderedJSONField):
        return lambda value: None if value is None else json.dumps(value)
    if isinstance(field, models.DateTimeField):
        return lambda value: field.get_db_prep_save(value, connection)
    return lambda value: value


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
