"""Import and export: Marathon JSON into a cluster's fleet, and validated definitions out of it."""

from __future__ import annotations

import io
import json
import re
import uuid
import zipfile
from dataclasses import dataclass, field
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from portplanner.fleet.deploy import Deployed, deploy_group, group_problems
from portplanner.fleet.queries import cluster_collisions
from portplanner.history.record import Actor
from portplanner.marathon import AppResult, Collision, ReadError, SourcedApp, read_apps
from portplanner.marathon.pointers import resolve
from portplanner.marathon.reader import ReadNote
from portplanner.models import App, Cluster, PendingImport

IMPORT_MAX_BYTES = 20 * 1024 * 1024
IMPORT_MAX_APPS = 20_000


@dataclass
class ImportPlan:
    """What an import would do, worked out by running it and rolling it back."""

    apps: list[SourcedApp]
    notes: list[ReadNote]
    saved: list[tuple[App, AppResult]] = field(default_factory=list)
    new_ids: list[str] = field(default_factory=list)
    updated_ids: list[str] = field(default_factory=list)
    collisions: list[Collision] = field(default_factory=list)
    sync: str | None = None  # the group replaced: apps under it the file lacks are deleted
    deleted_ids: list[str] = field(default_factory=list)

    @property
    def invalid(self) -> list[tuple[App, AppResult]]:
        return [(app, result) for app, result in self.saved if not result.valid]

    @property
    def warning_count(self) -> int:
        return sum(len(result.warnings) for _, result in self.saved)


def read_import(data: bytes, source: str) -> tuple[list[SourcedApp], list[ReadNote]]:
    """Read an upload or paste. Raises ReadError, naming what to do, for anything that cannot be
    imported whole: too large, not JSON, no apps, an app without an id, an id twice."""
    if len(data) > IMPORT_MAX_BYTES:
        raise ReadError(
            f"{len(data) / 1048576:.1f} MiB is over the import limit of "
            f"{IMPORT_MAX_BYTES // 1048576} MiB; split the fleet into several files",
            source=source,
        )
    apps, notes = read_apps(data, source)
    if not apps:
        raise ReadError(
            'no apps found: expected an app, a list, {"apps": [...]} or a group', source=source
        )
    if len(apps) > IMPORT_MAX_APPS:
        raise ReadError(
            f"{len(apps):,} apps is over the import limit of {IMPORT_MAX_APPS:,}", source=source
        )
    problems = group_problems([a.app for a in apps])
    if problems:
        more = f" (and {len(problems) - 5} more)" if len(problems) > 5 else ""
        raise ReadError("; ".join(problems[:5]) + more, source=source)
    return apps, notes


def plan_import(
    cluster: Cluster,
    apps: list[SourcedApp],
    notes: list[ReadNote],
    *,
    by: Actor,
    sync: str | None = None,
) -> ImportPlan:
    """What committing would do: the import run through the same writer, then rolled back."""
    plan = ImportPlan(apps, notes, sync=sync)
    dry_run = Actor(by.user, by.via, by.message, preview=True)
    with transaction.atomic():
        deployed = deploy_group(cluster, [a.app for a in apps], by=dry_run, sync=sync)
        plan.saved, plan.deleted_ids = list(deployed), deployed.deleted
        imported = {app.app_id for app, _ in plan.saved}
        plan.collisions = [c for c in cluster_collisions(cluster) if imported & c.app_ids]
        transaction.set_rollback(True)
    for app, _ in plan.saved:
        (plan.new_ids if app.version == 1 else plan.updated_ids).append(app.app_id)
    return plan


def commit_import(
    cluster: Cluster, apps: list[SourcedApp], *, by: Actor, sync: str | None = None
) -> Deployed:
    return deploy_group(cluster, [a.app for a in apps], by=by, sync=sync)


def common_group(app_ids: list[str]) -> str:
    """The deepest group holding every one of ``app_ids``: what an import replaces when it
    syncs (``/shop`` for /shop/web and /shop/back/db; ``/`` for apps in several groups)."""
    groups = [app_id.strip("/").split("/")[:-1] for app_id in app_ids]
    common: list[str] = []
    for parts in zip(*groups, strict=False) if groups else ():
        if len(set(parts)) != 1:
            break
        common.append(parts[0])
    return "/" + "/".join(common)


# Previews not committed within this time are forgotten (each new preview sweeps them).
PENDING_FOR = timedelta(days=1)


def keep_pending(cluster: Cluster, data: bytes, source: str) -> PendingImport:
    """Keep a previewed import for its commit, which then reads the same bytes again."""
    PendingImport.objects.filter(created_at__lt=timezone.now() - PENDING_FOR).delete()
    return PendingImport.objects.create(cluster=cluster, payload=data, source=source[:255])


def pending(cluster: Cluster, token: str) -> PendingImport | None:
    """The previewed import ``token`` names in ``cluster``, if it is still kept."""
    try:
        return PendingImport.objects.get(token=uuid.UUID(token), cluster=cluster)
    except (ValueError, PendingImport.DoesNotExist):
        return None


# --- export ------------------------------------------------------------------------------------


def exported_app(app: App, *, pin: bool = True) -> dict:
    """The app as Marathon should receive it. ``pin``: service ports are the planned numbers, so
    what deploys is what was reviewed; otherwise ports that were dynamic go back to 0."""
    data = json.loads(json.dumps(app.normalized))
    if not pin:
        for row in app.allocations.all():
            if row.service_port_dynamic:
                key = "servicePort" if row.container_port is not None else "port"
                resolve(data, row.path)[key] = 0
    return data


def group_document(apps: list[App], *, pin: bool = True) -> dict:
    """A group for ``PUT /v2/groups``: apps nested in groups by their ids, as Marathon wants."""
    root: dict = {"id": "/", "apps": [], "groups": []}
    groups = {"/": root}
    for app in sorted(apps, key=lambda a: a.app_id):
        parent = "/"
        for segment in app.app_id.strip("/").split("/")[:-1]:
            path = f"{parent.rstrip('/')}/{segment}"
            if path not in groups:
                groups[path] = {"id": path, "apps": [], "groups": []}
                groups[parent]["groups"].append(groups[path])
            parent = path
        groups[parent]["apps"].append(exported_app(app, pin=pin))
    return root


def zip_archive(apps: list[App], *, pin: bool = True) -> bytes:
    """One ``<app-id>.json`` per app (``/shop/web`` is ``shop/web.json``), for ``dcos marathon
    app add``."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for app in sorted(apps, key=lambda a: a.app_id):
            name = app.app_id.strip("/") + ".json"
            archive.writestr(name, json.dumps(exported_app(app, pin=pin), indent=2) + "\n")
    return buffer.getvalue()


def file_name(app_id: str | None) -> str:
    """``/shop/web`` -> ``shop-web.json``. A draft's id may hold anything; what a valid Marathon
    id cannot (quotes, newlines...) becomes ``_``, so the name is safe in a header."""
    name = re.sub(r"[^A-Za-z0-9._-]", "_", (app_id or "").strip("/").replace("/", "-"))
    return (name or "app") + ".json"


@dataclass
class ExportCheck:
    invalid: list[App]
    collisions: list[Collision]

    @property
    def blocked(self) -> bool:
        return bool(self.invalid)


def export_check(cluster: Cluster, apps: list[App] | None = None) -> ExportCheck:
    """What stands in the way of exporting ``apps`` (default: the whole cluster): invalid apps
    block it; collisions need an acknowledgement."""
    ids = None if apps is None else {a.app_id for a in apps}
    pool = cluster.apps.all() if apps is None else apps
    invalid = [a for a in pool if not a.is_valid]
    collisions = [c for c in cluster_collisions(cluster) if ids is None or ids & c.app_ids]
    return ExportCheck(invalid, collisions)
