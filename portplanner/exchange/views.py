"""Import and export pages. Each shows what will happen before it happens."""

from __future__ import annotations

import json

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.defaultfilters import pluralize
from django.views.decorators.http import require_http_methods

from portplanner.accounts.roles import cluster_view
from portplanner.exchange.documents import (
    IMPORT_MAX_BYTES,
    commit_import,
    common_group,
    export_check,
    exported_app,
    file_name,
    group_document,
    keep_pending,
    pending,
    plan_import,
    read_import,
    zip_archive,
)
from portplanner.fleet.deploy import ReviewRequired, prepare_id, sync_deletions
from portplanner.history.record import Actor
from portplanner.http import HtmxHttpRequest, typed
from portplanner.marathon import ReadError
from portplanner.marathon.reader import canonical_path
from portplanner.models import App, Cluster, Role
from portplanner.review.entry import actor_for, my_open_requests, propose_changes
from portplanner.review.requests import RequestProblem


@require_http_methods(["GET", "POST"])
@cluster_view(Role.EDITOR, doing="importing apps")
def cluster_import(request: HtmxHttpRequest, cluster: Cluster) -> HttpResponse:
    """Upload or paste, see what it would do, then commit it all or nothing. The commit names
    the previewed document (kept on the server) rather than posting it back. With "sync", the
    group is replaced: apps under it that the file lacks are deleted (shown first)."""
    context = {"cluster": cluster, "max_mib": IMPORT_MAX_BYTES // 1048576}
    if request.method == "GET":
        return render(request, "exchange/import.html", context)
    try:
        data, source, kept = _posted_document(request, cluster)
        apps, notes = read_import(data, source)
    except ReadError as exc:
        payload = request.POST.get("payload", "")
        context.update(error=exc.describe(), payload=payload)
        return render(request, "exchange/import.html", context, status=400)
    sync = _sync_group(request, apps)
    action = request.POST.get("action")
    try:
        if action == "propose":
            proposal = _propose(request, cluster, apps, sync, source)
            if kept is not None:
                kept.delete()
            return redirect("request_detail", cluster.name, proposal.number)
        by = actor_for(
            cluster, request.user, "import", request.POST, typed(request.POST, "message")
        )
        if action == "commit":
            deployed = commit_import(cluster, apps, by=by, sync=sync)
            if kept is not None:
                kept.delete()
            messages.success(request, imported_message(cluster, deployed))
            return redirect("cluster_apps", cluster.name)
    except (ReviewRequired, RequestProblem) as refused:
        context["error"] = str(refused).rstrip(".")
        by = Actor(request.user, "import")
    plan = plan_import(cluster, apps, notes, by=by, sync=sync)
    kept = keep_pending(cluster, data, source)
    context.update(
        plan=plan,
        pending=kept.token,
        source=source,
        requests=my_open_requests(cluster, request.user),
        plan_count=f"{len(apps)} app{pluralize(len(apps))}",
    )
    return render(request, "exchange/import.html", context)


def _propose(request: HtmxHttpRequest, cluster: Cluster, apps, sync, source: str):
    """The import as a change request: each app a proposed change, and with sync each app the
    file no longer holds a proposed deletion."""
    changes = [(None, app.app) for app in apps]
    changes += [(app.app_id, None) for app in sync_deletions(cluster, [a.app for a in apps], sync)]
    title, summary = f"Import of {source}", f"{len(apps)} apps from {source}"
    proposal, _ = propose_changes(cluster, request.user, request.POST, title, changes, summary)
    return proposal


def _posted_document(request: HtmxHttpRequest, cluster: Cluster):
    """The document an import post brings: a previewed one named by token, an upload, or a
    paste. Raises ReadError when a named preview is gone."""
    kept = pending(cluster, request.POST.get("pending", ""))
    upload = request.FILES.get("file")
    if kept is not None:
        return bytes(kept.payload), kept.source, kept
    if "pending" in request.POST:
        raise ReadError(
            "this import's preview has expired or was committed; upload it again", source="import"
        )
    if upload is not None and upload.size:
        return upload.read(IMPORT_MAX_BYTES + 1), upload.name, None
    return request.POST.get("payload", "").encode(), "pasted JSON", None


def _sync_group(request: HtmxHttpRequest, apps) -> str | None:
    """The group a syncing import replaces: as typed, else the one holding every app."""
    if not request.POST.get("sync"):
        return None
    typed = request.POST.get("sync_group", "").strip()
    return canonical_path(typed) if typed else common_group([prepare_id(a.app) for a in apps])


def imported_message(cluster: Cluster, deployed) -> str:
    invalid = sum(not result.valid for _, result in deployed)
    deleted = len(deployed.deleted)
    text = f"Imported {len(deployed)} app{pluralize(len(deployed))} into {cluster.name}"
    if deleted:
        text += f"; deleted {deleted} app{pluralize(deleted)} the file no longer holds"
    return text + (f"; {invalid} saved as drafts with errors." if invalid else ".")


@require_http_methods(["GET", "POST"])
@cluster_view(Role.VIEWER)
def cluster_export(request: HtmxHttpRequest, cluster: Cluster) -> HttpResponse:
    apps = list(cluster.apps.prefetch_related("allocations"))
    return _export(request, cluster, apps, export_check(cluster), app=None)


@require_http_methods(["GET", "POST"])
@cluster_view(Role.VIEWER)
def app_export(request: HtmxHttpRequest, cluster: Cluster, pk: int) -> HttpResponse:
    app = get_object_or_404(App.objects.prefetch_related("allocations"), pk=pk, cluster=cluster)
    return _export(request, cluster, [app], export_check(cluster, [app]), app=app)


def _export(request, cluster: Cluster, apps: list[App], check, app: App | None) -> HttpResponse:
    """The export page (GET), or the download (POST) once nothing blocks it: invalid apps block
    it; collisions need the acknowledgement box ticked."""
    context = {"cluster": cluster, "check": check, "apps": apps, "app": app}
    if request.method == "GET" or check.blocked:
        return render(
            request, "exchange/export.html", context, status=409 if check.blocked else 200
        )
    if check.collisions and not request.POST.get("acknowledge"):
        return render(request, "exchange/export.html", {**context, "needs_ack": True}, status=409)
    pin = request.POST.get("service_ports", "pinned") != "dynamic"
    if app is not None:
        body, name = json.dumps(exported_app(app, pin=pin), indent=2) + "\n", file_name(app.app_id)
    elif request.POST.get("format") == "zip":
        response = HttpResponse(zip_archive(apps, pin=pin), content_type="application/zip")
        response["Content-Disposition"] = f'attachment; filename="{cluster.name}.zip"'
        return response
    else:
        body = json.dumps(group_document(apps, pin=pin), indent=2) + "\n"
        name = f"{cluster.name}-group.json"
    response = HttpResponse(body, content_type="application/json")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
