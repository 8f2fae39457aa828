"""Writing the fleet: every change to a cluster's apps goes through ``deploy``, one deployment at
a time under the cluster's lock, and keeps the rows that collision queries read in step with each
saved app. Reads live in ``fleet.queries``."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import connection, transaction
from django.db.models import Max
from django.utils import timezone

from portplanner.fleet.ordering import natural_sort_key
from portplanner.fleet.queries import collisions_by_app, free_service_ports
from portplanner.history.record import Actor, deletion_row, revision_rows, write_revisions
from portplanner.marathon import (
    AppResult,
    ServicePortAllocator,
    finish,
    prepare,
)
from portplanner.marathon.collisions import vip_key
from portplanner.marathon.lb import ALT_PORT, is_group_label, label_path
from portplanner.marathon.model import is_vip_label
from portplanner.marathon.pointers import pointer
from portplanner.marathon.reader import canonical_path
from portplanner.models import App, Cluster, LbBind, PortAllocation, Revision, VipLabel


class ReviewRequired(Exception):
    """The cluster's changes need review, and this change did not come through a request."""

    def __init__(self, cluster: Cluster):
        super().__init__(
            f"Changes to {cluster.name} need review: propose this as a change request instead "
            "(owners may apply an emergency change with a reason)."
        )
        self.cluster = cluster


class IdTaken(Exception):
    """Another app of the cluster already has this id."""

    def __init__(self, app: App):
        super().__init__(f"{app.app_id} already exists in the cluster")
        self.app = app


class StaleEdit(Exception):
    """The app changed since the form was loaded; saving would overwrite someone's work."""

    def __init__(self, app: App):
        super().__init__(f"{app.app_id} was changed by someone else (now version {app.version})")
        self.app = app


def lock_cluster(cluster: Cluster) -> None:
    """Take the cluster's write lock for the rest of the transaction: one deployment per cluster
    at a time, so two savers never read the same ports as free (Marathon itself serializes
    deployments through its group manager). Every path that assigns service ports or changes apps
    calls this first, before it reads what it will change. PostgreSQL locks the cluster's row;
    SQLite, which ignores FOR UPDATE, runs every transaction as BEGIN IMMEDIATE (settings), so
    the whole database is the lock there. Re-taking it in the same transaction is free. A writer
    that waits too long gets OperationalError, and the request a 503 (http.py)."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("lock_cluster() needs a transaction: call it inside atomic()")
    list(Cluster.objects.select_for_update().filter(pk=cluster.pk).values_list("pk"))


@transaction.atomic
def save_app(
    cluster: Cluster,
    raw: Any,
    *,
    by: Actor,
    app: App | None = None,
    expected_version: int | None = None,
) -> tuple[App, AppResult]:
    """Create or update an app with its resolved form and port rows, all or nothing. An invalid app
    is saved too (as a draft: ``is_valid`` false). Raises StaleEdit when ``expected_version`` is
    not the stored version, IdTaken when another app of the cluster has the app's id. The caller
    makes sure the app can be stored (``storage_problem``)."""
    lock_cluster(cluster)
    taken = cluster.apps.filter(app_id=prepare_id(raw)).exclude(pk=app.pk if app else None)
    if clash := taken.first():
        raise IdTaken(clash)
    if app is not None:
        app = App.objects.get(pk=app.pk)
        if expected_version is not None and app.version != expected_version:
            raise StaleEdit(app)
    ((saved, result),) = deploy(cluster, [(app, raw)], by=by)
    return saved, result


@transaction.atomic
def deploy_group(
    cluster: Cluster, raws: list[Any], *, by: Actor, sync: str | None = None
) -> Deployed:
    """Save apps as one group deployment. Apps whose id is already in the cluster are updated and
    keep their service ports. With ``sync`` (a group id such as ``/shop``, or ``/``), the group
    is replaced as Marathon's ``PUT /v2/groups`` replaces it: apps under it that ``raws`` does not
    hold are deleted. The caller makes sure each app has an id and no id repeats (see
    ``group_problems``)."""
    lock_cluster(cluster)
    existing: dict[str, App] = {}
    for ids in _chunks([i for i in map(prepare_id, raws) if i]):
        existing.update((a.app_id, a) for a in cluster.apps.filter(app_id__in=ids))
    changes = [(existing.get(prepare_id(raw)), raw) for raw in raws]
    return deploy(cluster, changes, by=by, deletions=sync_deletions(cluster, raws, sync))


def sync_deletions(cluster: Cluster, raws: list[Any], sync: str | None) -> list[App]:
    """The apps replacing group ``sync`` with ``raws`` deletes: under it, not among them."""
    if sync is None:
        return []
    kept = {prepare_id(raw) for raw in raws}
    return [app for app in apps_under(cluster, sync) if app.app_id not in kept]


def apps_under(cluster: Cluster, group: str) -> list[App]:
    """The apps of ``cluster`` whose ids lie under the group ``group`` (``/`` for all)."""
    prefix = canonical_path(group).rstrip("/") + "/"
    return list(cluster.apps.filter(app_id__startswith=prefix).order_by("app_id"))


class Deployed(list):
    """What a deployment wrote: ``(app, result)`` for each change, in order (it is that list),
    and the ids of the apps it deleted."""

    def __init__(self, *args):
        super().__init__(*args)
        self.deleted: list[str] = []


@transaction.atomic
def deploy(
    cluster: Cluster,
    changes: list[tuple[App | None, Any]],
    *,
    by: Actor,
    deletions: list[App] = (),
    reuse: dict[int, list[int]] | None = None,
) -> Deployed:
    """The one writer of apps: everything that creates, changes or deletes apps comes through
    here, under the cluster's lock, and leaves a revision per app saying who did it.

    Saves ``(app or None for a new one, its JSON)`` pairs as one deployment (spec §4.2): every
    fixed service port of the change is known before the first 0 is assigned, the 0s are filled
    in order, and updated apps reuse their previous service ports first (``reuse``: ports a
    change may take again, by its position: a restored app's old ones, still free). Then
    ``deletions`` go; their ports are free for the next deployment, not this one (Marathon counts
    the old group's ports as used, AssignDynamicServiceLogic.scala:84-85). Written in bulk, so
    that thousands of apps cost a few queries per thousand."""
    lock_cluster(cluster)
    if not by.reviewed and Cluster.objects.filter(pk=cluster.pk, requires_review=True).exists():
        raise ReviewRequired(cluster)
    policy = cluster.policy
    prepared = [prepare(raw, policy) for _, raw in changes]
    previous: dict[int, list[int]] = {}
    for pks in _chunks([app.pk for app, _ in changes if app is not None]):
        rows = (
            PortAllocation.objects.filter(
                app_id__in=pks, service_port__isnull=False, alternate=False
            )
            .order_by("app_id", "index")
            .values_list("app_id", "service_port")
        )
        for pk, port in rows:
            previous.setdefault(pk, []).append(port)
    allocator = ServicePortAllocator(
        policy.local_port_min,
        policy.local_port_max,
        candidates=free_service_ports(cluster, policy.local_port_min, policy.local_port_max),
    )
    for p in prepared:
        allocator.reserve(p.fixed_service_ports)
    for ports in (reuse or {}).values():
        allocator.reserve(ports)
    saved = Deployed()
    for i, ((app, raw), p) in enumerate(zip(changes, prepared, strict=True)):
        again = previous.get(app.pk, []) if app else (reuse or {}).get(i, [])
        result = finish(p, allocator, again)
        saved.append((_fill(cluster, app, raw, result), result))

    updated = [app for app, _ in saved if app.pk is not None]
    _update_apps(updated)
    created = App.objects.bulk_create([app for app, _ in saved if app.pk is None], batch_size=500)
    _write_rows(saved, replaced=[app.pk for app in updated])
    deleted = _delete(cluster, deletions, by)
    if not by.preview:  # a dry run, which its caller rolls back, records nothing
        collisions = collisions_by_app(cluster, saved)
        rows = revision_rows(cluster, saved, collisions, by, created={app.pk for app in created})
        write_revisions(rows + deleted)
    saved.deleted = [app.app_id for app in deletions]
    return saved


def _delete(cluster: Cluster, apps: list[App], by: Actor) -> list[tuple]:
    """Delete ``apps`` (their port and VIP rows go with them); their deletion revisions."""
    if not apps:
        return []
    last = {}
    for ids in _chunks([app.app_id for app in apps]):
        newest = (
            Revision.objects.filter(cluster=cluster, app_id__in=ids)
            .values("app_id")
            .annotate(newest=Max("pk"))
            .values("newest")
        )
        snapshots = Revision.objects.filter(pk__in=newest).values_list("app_id", "snapshot")
        last.update(snapshots)
    revisions = [deletion_row(app, last.get(app.app_id), by) for app in apps]
    for pks in _chunks([app.pk for app in apps]):
        App.objects.filter(pk__in=pks).delete()
    return revisions


def delete_apps(cluster: Cluster, apps: list[App], *, by: Actor) -> Deployed:
    """Delete apps; their ports are free at once for the next save."""
    return deploy(cluster, [], by=by, deletions=apps)


@transaction.atomic
def delete_cluster(cluster: Cluster) -> None:
    """The cluster, its apps, their ports and history, its members: all of it."""
    lock_cluster(cluster)
    cluster.delete()


@transaction.atomic
def restore(cluster: Cluster, revision: Revision, *, by: Actor) -> tuple[App, AppResult, str]:
    """Bring ``revision``'s app back as a new change, through the same checks as any save. A
    deleted app gets its old dynamic service ports again where they are still free, the next free
    ones where not; the third value says which."""
    lock_cluster(cluster)
    app = cluster.apps.filter(app_id=revision.app_id).first()
    reuse = None
    old = [
        p["service_port"]
        for p in revision.snapshot.get("ports", [])
        if p.get("service_port_dynamic") and p.get("service_port")
    ]
    if app is None and old:
        held = PortAllocation.objects.filter(cluster=cluster, service_port__in=old)
        taken = set(held.values_list("service_port", flat=True))
        reuse = {0: [port for port in old if port not in taken]}
    ((saved, result),) = deploy(cluster, [(app, revision.source)], by=by, reuse=reuse)
    now = [p.service_port for p in result.ports if p.service_port_dynamic]
    return saved, result, ports_moved(old, now)


def ports_moved(old: list[int], now: list[int]) -> str:
    """In words, how dynamic service ports ``old`` became ``now``."""
    if not old and not now:
        return ""
    kept = [p for p in now if p in old]
    moved = [(was, new) for was, new in zip(old, now, strict=False) if was != new]
    parts = []
    if kept:
        parts.append(f"service port{'s' if len(kept) > 1 else ''} {', '.join(map(str, kept))} kept")
    parts += [f"{was} was taken meanwhile, now {new}" for was, new in moved]
    return "; ".join(parts)


def group_problems(raws: list[Any]) -> list[str]:
    """Why a group of apps cannot be stored at all: an app that cannot be stored as it is (see
    ``storage_problem``), or an id twice."""
    problems = []
    seen: dict[str, int] = {}
    for i, raw in enumerate(raws):
        app_id = prepare_id(raw)
        if problem := storage_problem(raw):
            problems.append(f"app {i + 1} {problem}")
        elif app_id in seen:
            problems.append(f"{app_id} appears twice (apps {seen[app_id] + 1} and {i + 1})")
        else:
            seen[app_id] = i
    return problems


MAX_ID_LENGTH = App._meta.get_field("app_id").max_length
# Marathon sets no limit on a VIP label or a marathon-lb group label; their indexed columns do
# (PostgreSQL's index rows hold about 2,700 bytes, four per character at most).
MAX_VIP_LENGTH = MAX_GROUP_LENGTH = 500


def storage_problem(raw: Any) -> str | None:
    """Why an app cannot be stored as it is, said of "the app" and naming where; None when it
    can. Marathon's own rules are the engine's business: an app Marathon would refuse is still
    stored, as a draft. These are the database's: an id to store it under, no NUL character
    (PostgreSQL keeps none in text), VIP and marathon-lb group labels short enough to index."""
    app_id = prepare_id(raw)
    if not app_id:
        return "has no usable id; give it one such as /team/app"
    if len(app_id) > MAX_ID_LENGTH:
        # Marathon sets no limit on the whole path; the database column needs one.
        return (
            f"has an id of {len(app_id):,} characters; Port Planner keeps ids of up to "
            f"{MAX_ID_LENGTH}: shorten it"
        )
    stack: list[tuple[Any, str]] = [(raw, "")]
    while stack:
        node, path = stack.pop()
        items = node.items() if isinstance(node, dict) else enumerate(node)
        for key, value in items:
            where = path + pointer(key)
            if "\x00" in str(key) or (isinstance(value, str) and "\x00" in value):
                return f"has a NUL character (\\u0000) at {where}: remove it"
            if isinstance(value, (dict, list)):
                stack.append((value, where))
            elif is_vip_label(where) and isinstance(value, str) and len(value) > MAX_VIP_LENGTH:
                return (
                    f"has a VIP label of {len(value):,} characters at {where}; Port Planner "
                    f"keeps VIP labels of up to {MAX_VIP_LENGTH}: shorten it"
                )
            elif is_group_label(where) and isinstance(value, str) and len(value) > MAX_GROUP_LENGTH:
                return (
                    f"has a marathon-lb group label of {len(value):,} characters at {where}; "
                    f"Port Planner keeps group labels of up to {MAX_GROUP_LENGTH}: shorten it"
                )
    return None


def prepare_id(raw: Any) -> str | None:
    """The id an app would be stored under: Marathon's canonical path of its ``id``."""
    app_id = raw.get("id") if isinstance(raw, dict) else None
    if not isinstance(app_id, str) or not app_id.strip("/ "):
        return None
    return canonical_path(app_id)


def _chunks(items: list, size: int = 500):
    for start in range(0, len(items), size):
        yield items[start : start + size]


_STORED_FIELDS = [
    "app_id",
    "sort_key",
    "source",
    "normalized",
    "network_mode",
    "is_valid",
    "errors",
    "warnings",
    "version",
    "updated_at",
]


def _update_apps(apps: list[App]) -> None:
    """Write ``_STORED_FIELDS`` of many apps: one parameterized UPDATE run for each. Django's
    ``bulk_update`` builds a CASE WHEN per app and field, 23 s of Python for a policy change
    re-checking 10,000 apps."""
    fields = [App._meta.get_field(name) for name in _STORED_FIELDS]
    columns = ", ".join(f"{connection.ops.quote_name(f.column)} = %s" for f in fields)
    sql = f"UPDATE {App._meta.db_table} SET {columns} WHERE id = %s"
    with connection.cursor() as cursor:
        cursor.executemany(
            sql,
            [
                [f.get_db_prep_save(getattr(app, f.attname), connection) for f in fields] + [app.pk]
                for app in apps
            ],
        )


def _write_rows(saved: list[tuple[App, AppResult]], *, replaced: list[int]) -> None:
    """The port, VIP and marathon-lb rows of saved apps, in place of those of the ``replaced``
    apps."""
    for pks in _chunks(replaced):
        PortAllocation.objects.filter(app_id__in=pks).delete()
        VipLabel.objects.filter(app_id__in=pks).delete()
        LbBind.objects.filter(app_id__in=pks).delete()
    ports, vips, binds = [], [], []
    for app, result in saved:
        rows = stored_rows(app, result)
        ports += rows.ports
        vips += rows.vips
        binds += rows.binds
    PortAllocation.objects.bulk_create(ports, batch_size=1000)
    VipLabel.objects.bulk_create(vips, batch_size=1000)
    LbBind.objects.bulk_create(binds, batch_size=1000)


def _fill(cluster: Cluster, app: App | None, raw: Any, result: AppResult) -> App:
    if app is None:
        app = App(cluster=cluster)
    else:
        app.version += 1
    app.app_id = result.id or prepare_id(raw) or ""
    app.sort_key = natural_sort_key(app.app_id)
    app.source = raw
    app.normalized = result.app if result.network is not None else None
    app.network_mode = result.network or ""
    app.is_valid = result.valid
    app.errors = [e.to_json() for e in result.errors]
    app.warnings = [
        {"code": w.code, "path": w.path, "message": w.message, "fix": w.fix}
        for w in result.warnings
    ]
    app.updated_at = timezone.now()
    return app


@dataclass(frozen=True, slots=True)
class Rows:
    ports: list[PortAllocation]
    vips: list[VipLabel]
    binds: list[LbBind]


def stored_rows(app: App, result: AppResult) -> Rows:
    """What collision queries read of a saved app: one row per port (and one for its blue/green
    alternate port), one per VIP label, one per port marathon-lb binds in each of its groups."""
    ports = [
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
        )
        for p in result.ports
    ]
    if result.alt_port is not None:
        ports.append(
            PortAllocation(
                app=app,
                cluster_id=app.cluster_id,
                index=0,
                path=label_path(ALT_PORT),
                protocol=result.ports[0].protocol if result.ports else "tcp",
                service_port=result.alt_port,
                alternate=True,
            )
        )
    vips = [
        VipLabel(app=app, cluster_id=app.cluster_id, path=path, vip=value, vip_key=vip_key(value))
        for p in result.ports
        for path, value in p.vips()
    ]
    binds = [
        LbBind(
            app=app,
            cluster_id=app.cluster_id,
            path=p.lb.path,
            group=group,
            port=p.lb.port,
            by_label=p.lb.by_label,
        )
        for p in result.ports
        if p.lb is not None
        for group in p.lb.groups
    ]
    return Rows(ports, vips, binds)
