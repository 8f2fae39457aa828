"""Import and export pages. Each shows what will happen before it happens."""

from __future__ import annotations

import json

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.defaultfilters import pluralize
from django.views.decorators.http import require_http_methods

from portplanner.exchange.documents import (
    IMPORT_MAX_BYTES,
    commit_import,
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
from portplanner.http import HtmxHttpRequest
from portplanner.marathon import ReadError
from portplanner.models import App, Cluster


@require_http_methods(["GET", "POST"])
def cluster_import(request: HtmxHttpRequest, cluster: str) -> HttpResponse:
    """Upload or paste, see what it would do, then commit it all or nothing. The commit names
    the previewed document (kept on the server) rather than posting it back."""
    cluster_obj = get_object_or_404(Cluster, name=cluster)
    context = {"cluster": cluster_obj, "max_mib": IMPORT_MAX_BYTES // 1048576}
    if request.method == "GET":
        return render(request, "exchange/import.html", context)
    kept = pending(cluster_obj, request.POST.get("pending", ""))
    upload = request.FILES.get("file")
    if kept is not None:
        data, source = bytes(kept.payload), kept.source
    elif upload is not None and upload.size:
        data, source = upload.read(IMPORT_MAX_BYTES + 1), upload.name
    elif "pending" in request.POST:
        context["error"] = "This import's preview has expired or was committed; upload it again"
        return render(request, "exchange/import.html", context, status=400)
    else:
        data, source = request.POST.get("payload", "").encode(), "pasted JSON"
    try:
        apps, notes = read_import(data, source)
    except ReadError as exc:
        context.update(error=exc.describe(), payload=data.decode("utf-8", "replace"))
        return render(request, "exchange/import.html", context, status=400)
    if request.POST.get("action") == "commit":
        saved = commit_import(cluster_obj, apps)
        if kept is not None:
            kept.delete()
        invalid = sum(not result.valid for _, result in saved)
        messages.success(
            request,
            f"Imported {len(saved)} app{pluralize(len(saved))} into {cluster_obj.name}"
            + (f"; {invalid} saved as drafts with errors." if invalid else "."),
        )
        return redirect("cluster_apps", cluster_obj.name)
    plan = plan_import(cluster_obj, apps, notes)
    kept = keep_pending(cluster_obj, data, source)
    context.update(plan=plan, pending=kept.token, source=source)
    return render(request, "exchange/import.html", context)


@require_http_methods(["GET", "POST"])
def cluster_export(request: HtmxHttpRequest, cluster: str) -> HttpResponse:
    cluster_obj = get_object_or_404(Cluster, name=cluster)
    apps = list(cluster_obj.apps.prefetch_related("allocations"))
    return _export(request, cluster_obj, apps, export_check(cluster_obj), app=None)


@require_http_methods(["GET", "POST"])
def app_export(request: HtmxHttpRequest, cluster: str, pk: int) -> HttpResponse:
    app = get_object_or_404(
        App.objects.prefetch_related("allocations"), pk=pk, cluster__name=cluster
    )
    return _export(request, app.cluster, [app], export_check(app.cluster, [app]), app=app)


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
