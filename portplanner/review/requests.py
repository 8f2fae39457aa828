"""Change requests: proposed changes to a cluster's apps, resolved by the engine as the one group
deployment applying them would be, reviewed, then applied through the fleet's one writer.

Every write here runs under the cluster's lock. Resolving runs the deployment for real and
rolls it back, as an import's preview does, so what a reviewer sees is what apply would write."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import astuple, dataclass, field
from functools import cached_property
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from portplanner.exchange.documents import group_document
from portplanner.fleet.deploy import deploy, lock_cluster, prepare_id, storage_problem
from portplanner.fleet.queries import Cell, cell_size, cluster_collisions, port_cells
from portplanner.history.compare import state
from portplanner.history.record import Actor, record_cluster_change
from portplanner.marathon import Collision
from portplanner.marathon.diff import AppDiff, diff, snapshot
from portplanner.models import (
    App,
    ChangeRequest,
    Cluster,
    PortAllocation,
    ProposedChange,
    RequestEdit,
    Review,
    Revision,
    Role,
)

OPEN = ChangeRequest.State.OPEN


class RequestProblem(Exception):
    """A change the request cannot take, said so that the page can show it."""


# --- the cluster's review settings -------------------------------------------------------------

REVIEW_SETTINGS = ["requires_review", "approvals_needed", "webhook_url"]


def review_settings(cluster: Cluster) -> dict:
    return {name: getattr(cluster, name) for name in REVIEW_SETTINGS}


@transaction.atomic
def configure_review(cluster: Cluster, save, before: dict, *, by: Actor) -> None:
    """Call ``save()`` (which stores the new settings) and record what changed."""
    lock_cluster(cluster)
    save()
    after = review_settings(cluster)
    changed = [
        f"{k} {before[k]!r} -> {after[k]!r}" for k in REVIEW_SETTINGS if before[k] != after[k]
    ]
    if changed:
        record_cluster_change(cluster, "review", by, "review: " + "; ".join(changed), before, after)


# --- opening and editing -----------------------------------------------------------------------


@transaction.atomic
def open_request(cluster: Cluster, user, title: str, description: str = "") -> ChangeRequest:
    lock_cluster(cluster)  # numbers are counted per cluster
    number = (cluster.requests.aggregate(top=Max("number"))["top"] or 0) + 1
    request = ChangeRequest.objects.create(
        cluster=cluster,
        number=number,
        title=title.strip() or f"Change request {number}",
        description=description.strip(),
        author=user,
        author_name=user.get_username(),
    )
    _record_edit(request, user, "opened", bump=False)
    return request


def propose(request: ChangeRequest, user, app_id: str | None, raw: Any | None) -> ProposedChange:
    """Add (or replace) the request's change to one app: ``raw`` the app as it should be, or None
    to delete the app ``app_id``. The change is made against the app as it is now."""
    return propose_all(request, user, [(app_id, raw)])[0]


@transaction.atomic
def propose_all(
    request: ChangeRequest, user, changes: Iterable[tuple[str | None, Any]], summary: str = ""
) -> list[ProposedChange]:
    """``propose`` for many apps at once (an import), in one edit of the request: a few queries
    whatever their number, and one copy of the request kept, not one per app."""
    _editable(request, user)
    wanted: dict[str, Any] = {}
    for app_id, raw in changes:
        if raw is not None:
            if problem := storage_problem(raw):
                raise RequestProblem(f"The app {problem}.")
            app_id = prepare_id(raw)
        wanted[str(app_id)] = raw
    live = dict(
        request.cluster.apps.filter(app_id__in=list(wanted)).values_list("app_id", "version")
    )
    kept = {c.app_id: c for c in request.changes.filter(app_id__in=list(wanted))}
    top = request.changes.aggregate(top=Max("position"))["top"]
    made = []
    for position, (app_id, raw) in enumerate(wanted.items(), start=0 if top is None else top + 1):
        if raw is None and app_id not in live:
            raise RequestProblem(f"{app_id} is not in {request.cluster.name}: nothing to delete.")
        change = kept.get(app_id) or ProposedChange(request=request, app_id=app_id)
        if raw is None:
            change.action = ProposedChange.Action.DELETE
        else:
            change.action = (
                ProposedChange.Action.UPDATE if app_id in live else ProposedChange.Action.CREATE
            )
        change.base_version, change.source, change.position = live.get(app_id), raw, position
        made.append(change)
    ProposedChange.objects.bulk_create([c for c in made if c.pk is None], batch_size=500)
    ProposedChange.objects.bulk_update(
        [c for c in made if c.pk is not None],
        ["action", "base_version", "source", "position"],
        batch_size=500,
    )
    said = summary or ", ".join(f"{c.action} {c.app_id}" for c in made)
    _record_edit(request, user, said)
    return made


@transaction.atomic
def withdraw(request: ChangeRequest, user, change: ProposedChange) -> None:
    _editable(request, user)
    change.delete()
    _record_edit(request, user, f"withdrew the change to {change.app_id}")


@transaction.atomic
def edit_details(request: ChangeRequest, user, title: str, description: str) -> None:
    _editable(request, user)
    request.title, request.description = title.strip() or request.title, description.strip()
    request.save(update_fields=["title", "description"])
    _record_edit(request, user, "edited the title and description")


def _editable(request: ChangeRequest, user) -> None:
    """Refuse an edit by anyone but the author, or of a request no longer open. Called inside the
    edit's transaction: it locks the request's row and reads its state and edit number afresh, so
    that edits from two tabs at once each keep a number of their own (SQLite's IMMEDIATE
    transactions serialize them anyway)."""
    locked = ChangeRequest.objects.select_for_update().filter(pk=request.pk)
    request.state, request.edit = locked.values_list("state", "edit").get()
    if request.state != OPEN:
        raise RequestProblem(f"#{request.number} is {request.state}: it cannot change any more.")
    if request.author_id != user.pk:
        raise RequestProblem(f"Only its author, {request.author_name}, edits #{request.number}.")


def _record_edit(request: ChangeRequest, user, summary: str, *, bump: bool = True) -> None:
    """Keep the request as it now stands; a bump makes earlier reviews stale."""
    if bump:
        request.edit += 1
    request.updated_at = timezone.now()
    request.save(update_fields=["edit", "updated_at"])
    RequestEdit.objects.create(
        request=request,
        edit=request.edit,
        username=user.get_username(),
        summary=summary[:300],
        content={
            "title": request.title,
            "description": request.description,
            "changes": [
                {"action": c.action, "app_id": c.app_id, "base_version": c.base_version,
                 "source": c.source}
                for c in request.changes.all()
            ],
        },
    )  # fmt: skip


# --- resolving: the layout as it would be --------------------------------------------------------


@dataclass
class AppChange:
    """One app of the request as it would deploy: the app now and after (engine snapshots;
    None where it does not exist), and the diff in ports between them."""

    change: ProposedChange
    before: dict | None
    after: dict | None
    # Of the two snapshots: what the app's rendered diff depends on (the request page caches
    # that fragment under it, so an app whose diff has not changed is not rendered again).
    fingerprint: str = ""

    def __post_init__(self) -> None:
        if not self.fingerprint:
            self.fingerprint = _fingerprint([self.before, self.after])

    @cached_property
    def diff(self) -> AppDiff:
        return diff(self.before, self.after)

    @property
    def errors(self) -> list[dict]:
        return (self.after or {}).get("errors", [])


@dataclass
class Resolution:
    """What applying a request would do; plain data, kept with the request (``resolved``)
    until the request or the fleet changes."""

    apps: list[AppChange] = field(default_factory=list)
    claimed: list[int] = field(default_factory=list)  # service ports newly held
    freed: list[int] = field(default_factory=list)
    host_claimed: list[int] = field(default_factory=list)  # fixed host ports
    host_freed: list[int] = field(default_factory=list)
    vips_added: list[str] = field(default_factory=list)
    vips_removed: list[str] = field(default_factory=list)
    new_collisions: list[Collision] = field(default_factory=list)
    resolved_collisions: list[Collision] = field(default_factory=list)
    new_warnings: int = 0  # warnings the request's apps would have that they do not now
    digest: str = ""  # of what a reviewer approves: ports, errors, collisions
    fingerprint: str = ""  # of all of it: the key of the page's cached fragments
    cells: list[Cell] = field(default_factory=list)  # the service range after, for the map
    low: int = 0
    size: int = 1
    group: dict = field(default_factory=dict)  # the group JSON it deploys (asked for only)

    def marks(self) -> dict[int, tuple[str, str]]:
        """The map's cells this request changes, by index: the class (freed, claimed, or clash
        for a new collision, which wins) and what it does there in words."""
        found: dict[int, tuple[str, list[str]]] = {}
        for ports, mark, words in (
            (self.freed, "freed", "frees"),
            (self.claimed, "claimed", "claims"),
            ([c.port for c in self.new_collisions if c.port], "clash", "collides on"),
        ):
            for port in ports:
                index = (port - self.low) // self.size
                if 0 <= index < len(self.cells):
                    said = found.get(index, ("", []))[1]
                    found[index] = (mark, [*said, f"{words} {port}"])
        return {i: (mark, "this request " + ", ".join(said)) for i, (mark, said) in found.items()}

    @property
    def created(self) -> int:
        return sum(a.change.action == "create" for a in self.apps)

    @property
    def updated(self) -> int:
        return sum(a.change.action == "update" for a in self.apps)

    @property
    def deleted(self) -> int:
        return sum(a.change.action == "delete" for a in self.apps)

    @property
    def errors(self) -> int:
        return sum(len(a.errors) for a in self.apps)

    def within(self, collision: Collision) -> bool:
        """Whether only the request's own apps take part in ``collision``."""
        return collision.app_ids <= {a.change.app_id for a in self.apps}

    def to_data(self) -> dict:
        return {
            "apps": [[a.change.pk, a.before, a.after, a.fingerprint] for a in self.apps],
            **{name: getattr(self, name) for name in _PLAIN},
            **{name: [_collision_data(c) for c in getattr(self, name)] for name in _COLLISIONS},
            "cells": [astuple(c) for c in self.cells],
        }

    @classmethod
    def from_data(cls, data: dict, changes: list[ProposedChange]) -> Resolution:
        by_pk = {c.pk: c for c in changes}
        return cls(
            apps=[AppChange(by_pk[pk], *snapshots) for pk, *snapshots in data["apps"]],
            **{name: data[name] for name in _PLAIN},
            **{name: [_collision(c) for c in data[name]] for name in _COLLISIONS},
            cells=[Cell(*cell) for cell in data["cells"]],
        )


_PLAIN = ("claimed", "freed", "host_claimed", "host_freed", "vips_added", "vips_removed",
          "new_warnings", "digest", "fingerprint", "low", "size")  # fmt: skip
_COLLISIONS = ("new_collisions", "resolved_collisions")


def _collision_data(c: Collision) -> list:
    return [c.kind, c.port, c.value, [list(holder) for holder in c.holders]]


def _collision(data: list) -> Collision:
    kind, port, value, holders = data
    return Collision(kind, port, value, tuple(tuple(holder) for holder in holders))


# Kept resolutions of another format are worked out again: raise it when Resolution's data changes.
RESOLUTION_FORMAT = 1


def resolution_of(request: ChangeRequest, user) -> Resolution:
    """The request's resolution, worked out again only when the request or the fleet has changed
    since it was kept: an edit, a revision of any app, a change of the policy."""
    key = _fleet_state(request)
    if request.resolved_for == key and request.resolved is not None:
        # The apps' JSON is not read from a kept resolution (the page asks for one at a time).
        changes = list(request.changes.defer("source"))
        return Resolution.from_data(request.resolved, changes)
    resolution = resolve(request, user)
    request.resolved, request.resolved_for = resolution.to_data(), key
    ChangeRequest.objects.filter(pk=request.pk).update(resolved=request.resolved, resolved_for=key)
    return resolution


def _fleet_state(request: ChangeRequest) -> str:
    """What a resolution depends on, as a key: the request's edit, the newest revision of the
    cluster's apps, the newest change to the cluster itself (its policy). Every write to a
    cluster takes its lock (fleet.lock_cluster), so its revisions are made one after another and
    the newest one's time moves on with each; apply does not trust the key and resolves again."""
    cluster = request.cluster
    newest = Revision.objects.filter(cluster=cluster).aggregate(at=Max("created_at"))["at"]
    policy = cluster.changes.aggregate(top=Max("pk"))["top"]
    return f"{RESOLUTION_FORMAT}:{request.edit}:{newest}:{policy}"


def resolve(request: ChangeRequest, user, *, with_group: bool = False) -> Resolution:
    """The request applied as one group deployment against the fleet as it is now, and rolled
    back: what each app would be, and what that does to the cluster's ports; ``with_group``:
    also the group JSON it would deploy (for its download)."""
    cluster = request.cluster
    changes = list(request.changes.all())
    ids = [c.app_id for c in changes]
    with transaction.atomic():
        lock_cluster(cluster)
        live = {a.app_id: a for a in cluster.apps.filter(app_id__in=ids)}
        before_rows = _holdings(cluster, ids)
        before_collisions = {c.key: c for c in cluster_collisions(cluster)}
        current = _current_snapshots(cluster, ids)
        writes, gone = _deployment(changes, live)
        preview = Actor(user, "change request preview", request=request, preview=True)
        deployed = deploy(cluster, writes, by=preview, deletions=gone)
        after_collisions = cluster_collisions(cluster)
        after_rows = _holdings(cluster, ids)
        policy = cluster.policy
        low, high = policy.local_port_min, policy.local_port_max
        size = cell_size(low, high)
        cells = port_cells(cluster, "service_port", low, high, size)
        group = group_document([app for app, _ in deployed]) if with_group else {}
        transaction.set_rollback(True)
    held_by: dict[str, list[Collision]] = {}
    for collision in after_collisions:
        for app_id in collision.app_ids:
            held_by.setdefault(app_id, []).append(collision)
    results = {app.app_id: result for app, result in deployed}
    resolution = Resolution(group=group, cells=cells, low=low, size=size)
    for change in changes:
        result = results.get(change.app_id)
        now = snapshot(result, held_by.get(change.app_id, [])) if result is not None else None
        resolution.apps.append(AppChange(change, state(current.get(change.app_id)), now))
    resolution.claimed = sorted(after_rows["service"] - before_rows["service"])
    resolution.freed = sorted(before_rows["service"] - after_rows["service"])
    resolution.host_claimed = sorted(after_rows["host"] - before_rows["host"])
    resolution.host_freed = sorted(before_rows["host"] - after_rows["host"])
    resolution.vips_added = sorted(after_rows["vip"] - before_rows["vip"])
    resolution.vips_removed = sorted(before_rows["vip"] - after_rows["vip"])
    after_keys = {c.key for c in after_collisions}
    mine = set(ids)
    resolution.new_collisions = [
        c for c in after_collisions if c.key not in before_collisions and c.app_ids & mine
    ]
    resolution.resolved_collisions = [
        c for key, c in before_collisions.items() if key not in after_keys and c.app_ids & mine
    ]
    resolution.new_warnings = sum(len(a.diff.warnings_appeared) for a in resolution.apps)
    resolution.digest = _digest(resolution, after_collisions)
    resolution.fingerprint = _fingerprint(resolution.to_data())
    return resolution


def _fingerprint(data: Any) -> str:
    plain = json.dumps(data, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.blake2b(plain.encode(), digest_size=16).hexdigest()


def _deployment(changes: list[ProposedChange], live: dict[str, App]) -> tuple[list, list]:
    """The request as deploy() takes it: (app or None, JSON) to write, and the apps to delete."""
    writes = [(live.get(c.app_id), c.source) for c in changes if c.action != "delete"]
    gone = [live[c.app_id] for c in changes if c.action == "delete" and c.app_id in live]
    return writes, gone


def _holdings(cluster: Cluster, ids: list[str]) -> dict[str, set]:
    rows = PortAllocation.objects.filter(cluster=cluster, app__app_id__in=ids)
    vips = cluster.apps.filter(app_id__in=ids).values_list("vip_labels__vip", flat=True)
    return {
        "service": set(rows.exclude(service_port=None).values_list("service_port", flat=True)),
        "host": set(rows.exclude(host_port=None).values_list("host_port", flat=True)),
        "vip": {vip for vip in vips if vip},
    }


def _current_snapshots(cluster: Cluster, ids: list[str]) -> dict[str, Revision]:
    """The newest revision of each of these app ids (its snapshot is the app as it now is)."""
    newest = (
        Revision.objects.filter(cluster=cluster, app_id__in=ids)
        .values("app_id")
        .annotate(newest=Max("pk"))
        .values("newest")
    )
    return {r.app_id: r for r in Revision.objects.filter(pk__in=newest)}


def _digest(resolution: Resolution, collisions: list[Collision]) -> str:
    """What a reviewer approves: each app's service ports and errors, and the collisions the
    request's apps take part in. Apply asks again when this changes."""
    mine = {a.change.app_id for a in resolution.apps}
    content = {
        "apps": [
            [
                a.change.app_id,
                a.change.action,
                [p["service_port"] for p in (a.after or {}).get("ports", [])],
                [[e["path"], e["message"]] for e in (a.after or {}).get("errors", [])],
            ]
            for a in resolution.apps
        ],
        "collisions": sorted(str(c.key) for c in collisions if c.app_ids & mine),
    }
    return hashlib.sha256(json.dumps(content, sort_keys=True).encode()).hexdigest()


# --- review and apply --------------------------------------------------------------------------


@transaction.atomic
def review(request: ChangeRequest, user, role: Role, verdict: str, comment: str) -> Review:
    """A reviewer's approval or request for changes of the request as it now resolves."""
    if request.state != OPEN:
        raise RequestProblem(f"#{request.number} is {request.state}: there is nothing to review.")
    if role < Role.REVIEWER:
        raise RequestProblem("Reviewing needs the reviewer role.")
    if verdict == Review.Verdict.APPROVE and request.author_id == user.pk:
        raise RequestProblem("Authors cannot approve their own request; ask a reviewer.")
    if verdict == Review.Verdict.CHANGES and not comment.strip():
        raise RequestProblem("Say what should change: a request for changes needs a comment.")
    digest = resolution_of(request, user).digest
    return Review.objects.create(
        request=request,
        reviewer=user,
        reviewer_name=user.get_username(),
        verdict=verdict,
        comment=comment.strip(),
        edit=request.edit,
        result=digest,
    )


@dataclass
class Standing:
    """Where a request stands: its current approvals, those an edit or a moved fleet made stale,
    and whether it may be applied."""

    approvals: list[Review]
    stale: list[Review]
    changes_requested: list[Review]
    needed: int

    @property
    def approved(self) -> bool:
        return len(self.approvals) >= self.needed and not self.changes_requested


def standing(request: ChangeRequest, digest: str) -> Standing:
    """Each reviewer's latest verdict counts; an approval of an earlier edit, or of a result
    that no longer comes out (the fleet moved), is stale."""
    latest: dict[int | None, Review] = {}
    for r in request.reviews.all():
        latest[r.reviewer_id] = r
    approvals, stale, changes = [], [], []
    for r in latest.values():
        current = r.edit == request.edit and r.result == digest
        if r.verdict == Review.Verdict.CHANGES:
            (changes if r.edit == request.edit else stale).append(r)
        else:
            (approvals if current else stale).append(r)
    return Standing(approvals, stale, changes, request.cluster.approvals_needed)


@dataclass
class Conflict:
    """An app the request changes that was changed since the request's base."""

    change: ProposedChange
    theirs: AppDiff  # base -> now
    ours: AppDiff  # base -> proposed
    revision: Revision | None  # the change in between


class ApplyRefused(Exception):
    def __init__(self, message: str, conflicts: list[Conflict] = ()):
        super().__init__(message)
        self.conflicts = list(conflicts)


@transaction.atomic
def apply(request: ChangeRequest, user, role: Role) -> list:
    """Apply the request as one deployment through the fleet's writer, if it may be: open,
    applied by its author or a reviewer, approved, no app changed since the request's base
    (else the conflicts), and resolving as approved (else it asks again)."""
    cluster = request.cluster
    lock_cluster(cluster)
    request = ChangeRequest.objects.select_for_update().get(pk=request.pk)
    if request.state != OPEN:
        raise ApplyRefused(f"#{request.number} is {request.state} already.")
    if request.author_id != user.pk and role < Role.REVIEWER:
        raise ApplyRefused("Its author or a reviewer applies a request.")
    changes = list(request.changes.all())
    if conflicts := _conflicts(cluster, changes):
        raise ApplyRefused(
            "Apps this request changes were changed since it was made: see both changes, then "
            "update the request (propose the app again) or close it.",
            conflicts,
        )
    # Worked out afresh under the lock, not the kept resolution: what is checked against the
    # approvals is what this deployment will write.
    resolution = resolve(request, user)
    now = standing(request, resolution.digest)
    if not now.approved:
        moved = [r for r in now.stale if r.edit == request.edit]
        why = (
            "The fleet moved since it was approved and the request now resolves differently "
            "(other service ports, collisions or errors): it needs approval again."
            if moved
            else f"It needs {now.needed} approval{'s' if now.needed > 1 else ''} of its current "
            f"version; it has {len(now.approvals)}."
        )
        raise ApplyRefused(why)
    live = {a.app_id: a for a in cluster.apps.filter(app_id__in=[c.app_id for c in changes])}
    reviewers = ", ".join(r.reviewer_name for r in now.approvals)
    by = Actor(user, "change request", f"#{request.number} {request.title} (by "
               f"{request.author_name}, approved by {reviewers})", request=request)  # fmt: skip
    writes, gone = _deployment(changes, live)
    deployed = deploy(cluster, writes, by=by, deletions=gone)
    request.state = ChangeRequest.State.APPLIED
    request.finished_at, request.finished_by = timezone.now(), user.get_username()
    request.save(update_fields=["state", "finished_at", "finished_by"])
    return deployed


def _conflicts(cluster: Cluster, changes: list[ProposedChange]) -> list[Conflict]:
    live = {a.app_id: a for a in cluster.apps.filter(app_id__in=[c.app_id for c in changes])}
    found = []
    for change in changes:
        app = live.get(change.app_id)
        moved = (
            (app is not None) if change.base_version is None
            else (app is None or app.version != change.base_version)
        )  # fmt: skip
        if not moved:
            continue
        history = Revision.objects.filter(cluster=cluster, app_id=change.app_id)
        base = history.filter(version=change.base_version).order_by("-pk").first()
        newest = history.order_by("-pk").first()
        proposed = None
        if change.source is not None:
            proposed = resolve_one(cluster, change.source)
        found.append(
            Conflict(change, diff(state(base), state(newest)), diff(state(base), proposed), newest)
        )
    return found


def resolve_one(cluster: Cluster, raw: Any) -> dict:
    """An app's snapshot as it would resolve in the cluster now (for a conflict's "ours")."""
    from portplanner.fleet.queries import resolve_in_cluster
    from portplanner.marathon.diff import snapshot

    return snapshot(resolve_in_cluster(cluster, raw))


@transaction.atomic
def close(request: ChangeRequest, user, role: Role) -> None:
    if request.state != OPEN:
        raise RequestProblem(f"#{request.number} is {request.state} already.")
    if request.author_id != user.pk and role < Role.REVIEWER:
        raise RequestProblem("Its author or a reviewer closes a request.")
    request.state = ChangeRequest.State.CLOSED
    request.finished_at, request.finished_by = timezone.now(), user.get_username()
    request.save(update_fields=["state", "finished_at", "finished_by"])


def pending_for(cluster: Cluster, app_ids: list[str]) -> dict[str, ChangeRequest]:
    """The open request that changes each of these apps, if any (the newest one)."""
    changes = (
        ProposedChange.objects.filter(
            request__cluster=cluster, request__state=OPEN, app_id__in=app_ids
        )
        .select_related("request")
        .order_by("request__number")
    )
    return {c.app_id: c.request for c in changes}


def requests_for(user, clusters) -> tuple[list[ChangeRequest], list[ChangeRequest]]:
    """The user's open requests, and the open ones awaiting their review: in the clusters
    given (with their ``role``) where they are a reviewer or owner, not their own, and not yet
    reviewed by them as they now stand."""
    open_requests = ChangeRequest.objects.filter(state=OPEN).select_related("cluster")
    mine = list(open_requests.filter(author=user))
    reviewing = [c.pk for c in clusters if c.role is not None and c.role >= Role.REVIEWER]
    others = open_requests.filter(cluster__in=reviewing).exclude(author=user)
    seen = set(
        Review.objects.filter(request__in=others, reviewer=user).values_list("request", "edit")
    )
    awaiting = [r for r in others if (r.pk, r.edit) not in seen]
    return mine, awaiting
