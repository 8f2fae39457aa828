"""Function views: they translate between HTTP and the composer and fleet modules; no rules."""

from __future__ import annotations

import difflib
import hashlib
import json
from itertools import islice
from typing import Any

from django.contrib import messages
from django.db import IntegrityError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from portplanner.composer.draft import (
    APP_FIELDS,
    ENV_FIELDS,
    NEW_APP,
    PORT_FIELDS,
    Draft,
    app_from_draft,
    draft_from_app,
    field_for_pointer,
)
from portplanner.composer.forms import AppForm, EnvForm, EnvFormSet, PortForm, PortFormSet
from portplanner.exchange.documents import file_name
from portplanner.fleet.deploy import StaleEdit, id_problem, prepare_id, save_app
from portplanner.fleet.queries import fleet_collisions, free_service_ports, resolve_in_cluster
from portplanner.http import HtmxHttpRequest
from portplanner.marathon import ReadError, find_apps, parse_json, prepare
from portplanner.marathon.model import BRIDGE, CONTAINER, HOST
from portplanner.marathon.pointers import port_index
from portplanner.models import App, Cluster

MODE_SENTENCES = {
    HOST: "Host networking: the task binds ports on the agent itself. Each port's number is its "
    "service port for load balancers; the host port is random unless requirePorts is on.",
    BRIDGE: "Bridge: each container port is mapped to a host port (random unless fixed); the "
    "service port is what load balancers listen on.",
    CONTAINER: "Container networks: the task gets its own IP and its container ports are reached "
    "there directly; a host port exists only where you ask for one.",
}
SUGGESTIONS = 3
# Rows read from one post at most: Marathon sets no limit, a request body must.
MAX_ROWS = 1000


@require_http_methods(["GET", "POST"])
def app_new(request: HtmxHttpRequest, cluster: str) -> HttpResponse:
    return _composer(request, get_object_or_404(Cluster, name=cluster), None)


@require_http_methods(["GET", "POST"])
def app_edit(request: HtmxHttpRequest, cluster: str, pk: int) -> HttpResponse:
    app = get_object_or_404(App, pk=pk, cluster__name=cluster)
    return _composer(request, app.cluster, app)


@require_POST
def app_preview(request: HtmxHttpRequest, cluster: str, pk: int | None = None) -> HttpResponse:
    cluster_obj = get_object_or_404(Cluster, name=cluster)
    app = get_object_or_404(App, pk=pk, cluster=cluster_obj) if pk else None
    draft = _draft_from_post(request.POST)
    context = _preview_context(cluster_obj, app, draft)
    pane = _json_pane(context["raw"], request.POST)
    return render(request, "composer/_preview.html", {**context, "pane": pane, "oob": request.htmx})


def _composer(request: HtmxHttpRequest, cluster: Cluster, app: App | None) -> HttpResponse:
    if request.method == "GET":
        draft, load_notes = _draft_for(cluster, app.source if app else NEW_APP, app)
        if draft is None:
            return _render_locked(
                request, cluster, app, load_notes, json.dumps(app.source, indent=2)
            )
        return _render_composer(request, cluster, app, draft, load_notes=load_notes)

    action = request.POST.get("action", "preview")
    if action == "load_json":
        return _load_json(request, cluster, app)
    draft = _draft_from_post(request.POST)
    kind, _, arg = action.partition(":")
    if kind == "add_port":
        draft.ports.append({"protocol": "tcp", "container_port": "0", "host_port_mode": "random"})
    elif kind == "remove_port" and arg.isdigit() and int(arg) < len(draft.ports):
        del draft.ports[int(arg)]
    elif kind == "add_env":
        draft.env.append({"name": "", "value": ""})
    elif kind == "remove_env" and arg.isdigit() and int(arg) < len(draft.env):
        del draft.env[int(arg)]
    elif kind == "set_service_port":
        row, _, port = arg.partition(":")
        if row.isdigit() and int(row) < len(draft.ports) and port.isdigit():
            draft.ports[int(row)]["service_port"] = port
    elif kind == "show_json":
        return _render_composer(
            request, cluster, app, draft, pane=_json_pane(app_from_draft(draft)[0])
        )
    elif kind == "download":
        return _download(cluster, app, draft)
    elif kind in ("save", "overwrite"):
        return _save(request, cluster, app, draft, overwrite=kind == "overwrite")
    return _render_composer(request, cluster, app, draft)


def _save(
    request: HtmxHttpRequest, cluster: Cluster, app: App | None, draft: Draft, *, overwrite: bool
) -> HttpResponse:
    raw, _ = app_from_draft(draft)
    if problem := id_problem(raw):
        return _render_composer(request, cluster, app, draft, problem=f"The app {problem}.")
    app_id = prepare_id(raw)
    clash = cluster.apps.filter(app_id=app_id).exclude(pk=app.pk if app else None).first()
    if clash is not None:
        return _render_composer(
            request,
            cluster,
            app,
            draft,
            problem=f"{app_id} already exists in {cluster.name}; open it to change it.",
            problem_link=reverse("app_edit", args=[cluster.name, clash.pk]),
        )
    version = draft.app.get("version", "")
    expected = None if overwrite or app is None or not version.isdigit() else int(version)
    try:
        saved, result = save_app(cluster, raw, app=app, expected_version=expected)
    except StaleEdit as stale:
        return _render_composer(request, cluster, app, draft, stale=stale.app, stale_raw=raw)
    except IntegrityError:
        # Someone created an app with this id between the check above and the save.
        return _render_composer(
            request, cluster, app, draft, problem=f"{app_id} was just created by someone else."
        )
    if result.valid:
        messages.success(request, f"Saved {saved.app_id} (version {saved.version}).")
    else:
        messages.warning(
            request,
            f"Saved {saved.app_id} as a draft: {len(result.errors)} error(s) to fix before "
            "Marathon would take it.",
        )
    return redirect("app_edit", cluster.name, saved.pk)


def _render_locked(
    request: HtmxHttpRequest,
    cluster: Cluster,
    app: App,
    problems: list[str],
    text: str,
    json_errors=(),
) -> HttpResponse:
    """A draft saved from an import the form cannot hold: its JSON (``text``) in the pane to fix,
    and no Save that would replace it with an empty form."""
    empty = draft_from_app({"id": app.app_id, "networks": [{"mode": HOST}]}, app.version)
    return _render_composer(
        request,
        cluster,
        app,
        empty,
        pane={"text": text, "shown": "", "edited": True},  # not the (empty) form's app
        json_errors=json_errors,
        locked=True,
        problem="This app cannot be shown in the form until these are fixed in the JSON below: "
        + "; ".join(problems),
    )


def _download(cluster: Cluster, app: App | None, draft: Draft) -> HttpResponse:
    """The normalized app as a file, with the planned service ports written in."""
    raw, _ = app_from_draft(draft)
    result = resolve_in_cluster(cluster, raw, app)
    response = HttpResponse(
        json.dumps(result.app, indent=2) + "\n", content_type="application/json"
    )
    response["Content-Disposition"] = f'attachment; filename="{file_name(result.id)}"'
    return response


def _load_json(request: HtmxHttpRequest, cluster: Cluster, app: App | None) -> HttpResponse:
    current = _draft_from_post(request.POST) if "app_id" in request.POST else None
    text = request.POST.get("json", "")
    try:
        apps, _ = find_apps(parse_json(text, "pasted JSON"), "pasted JSON")
        if len(apps) != 1:
            raise ReadError(
                f"found {len(apps)} apps; paste exactly one (import a fleet from the cluster page)",
                source="pasted JSON",
            )
    except ReadError as exc:
        return _refuse_json(request, cluster, app, current, [exc.describe()])
    draft, load_notes = _draft_for(cluster, apps[0].app, app)
    if draft is None:
        return _refuse_json(request, cluster, app, current, load_notes)
    version = request.POST.get("version", "")
    draft.app["version"] = version if app else ""
    # The pane now shows the loaded app as the form holds it (legacy fields rewritten).
    pane = _json_pane(app_from_draft(draft)[0])
    return _render_composer(request, cluster, app, draft, load_notes=load_notes, pane=pane)


def _refuse_json(
    request: HtmxHttpRequest,
    cluster: Cluster,
    app: App | None,
    current: Draft | None,
    errors: list[str],
) -> HttpResponse:
    """Pasted JSON that cannot be loaded: why, beside the text; the form stays as it was (or as
    saved, when the post carried no form)."""
    if current is None:
        current, problems = _draft_for(cluster, app.source if app else NEW_APP, app)
        if current is None:  # only a saved app the form cannot hold gets here
            text = request.POST.get("json", "")
            return _render_locked(request, cluster, app, problems, text, json_errors=errors)
    return _render_composer(request, cluster, app, current, json_errors=errors)


def _json_pane(raw: Any, posted=None) -> dict:
    """The JSON pane: the form's app as JSON; but when ``posted`` (the request's data) shows that
    the user typed into the pane since it was last filled, their text as they left it, marked
    ``edited``. Nothing typed there is replaced by the form until they load or discard it."""
    if posted is not None and "json" in posted:
        text, shown = posted["json"], posted.get("json_shown", "")
        if _digest(text) != shown:
            return {"text": text, "shown": shown, "edited": True}
    text = json.dumps(raw, indent=2)
    return {"text": text, "shown": _digest(text), "edited": False}


def _digest(text: str) -> str:
    # Browsers post a textarea's line breaks as CRLF; the pane was filled with LF.
    return hashlib.sha256(text.replace("\r\n", "\n").encode()).hexdigest()[:16]


def _draft_for(cluster: Cluster, raw, app: App | None):
    """A draft for ``raw``, normalized as Marathon would (legacy fields rewritten). Returns (None,
    errors) when the app cannot be read far enough to fill the form."""
    prepared = prepare(raw, cluster.policy)
    if prepared.app is None:
        return None, [f"{e.path}: {e.message}" for e in prepared.errors]
    draft = draft_from_app(prepared.app, app.version if app else "")
    return draft, list(prepared.warnings)


def _draft_from_post(data) -> Draft:
    """The draft as posted, read through the forms' own widgets. The per-keystroke preview reads
    values only, so it skips building bound forms (a deep copy of every field of every row)."""
    ports = _formset_rows(data, "ports", PortForm, PORT_FIELDS)
    env = _formset_rows(data, "env", EnvForm, ENV_FIELDS)
    return Draft(app=_values(data, AppForm, APP_FIELDS, ""), ports=ports, env=env)


def _values(data, form_class, names: list[str], prefix: str) -> dict:
    fields = form_class.base_fields
    return {
        name: fields[name].widget.value_from_datadict(data, {}, prefix + name) or ""
        for name in names
    }


def _formset_rows(data, prefix: str, form_class, names: list[str]) -> list[dict]:
    total = data.get(f"{prefix}-TOTAL_FORMS", "0")
    count = min(int(total), MAX_ROWS) if total.isdigit() else 0
    return [_values(data, form_class, names, f"{prefix}-{i}-") for i in range(count)]


def _render_composer(
    request: HtmxHttpRequest,
    cluster: Cluster,
    app: App | None,
    draft: Draft,
    *,
    pane: dict | None = None,
    json_errors=(),
    load_notes=(),
    problem: str = "",
    problem_link: str = "",
    stale: App | None = None,
    stale_raw: dict | None = None,
    locked: bool = False,
) -> HttpResponse:
    preview = _preview_context(cluster, app, draft)
    if pane is None:
        pane = _json_pane(preview["raw"], request.POST)
    stale_diff = ""
    if stale is not None:
        stale_diff = "\n".join(
            difflib.unified_diff(
                json.dumps(stale.source, indent=2).splitlines(),
                json.dumps(stale_raw, indent=2).splitlines(),
                f"saved by someone else (version {stale.version})",
                "your changes",
                lineterm="",
            )
        )
    context = {
        **preview,
        "app_form": AppForm(initial=draft.app),
        "port_formset": PortFormSet(initial=draft.ports, prefix="ports"),
        "env_formset": EnvFormSet(initial=draft.env, prefix="env"),
        "pane": pane,
        "json_errors": json_errors,
        "kept_fields": draft.kept_fields(),
        "load_notes": load_notes,
        "problem": problem,
        "problem_link": problem_link,
        "stale": stale,
        "stale_diff": stale_diff,
        "locked": locked,
        "mode_sentences": MODE_SENTENCES,
    }
    return render(request, "composer/edit.html", context)


def _preview_context(cluster: Cluster, app: App | None, draft: Draft) -> dict:
    """What the preview shows; the page and the htmx preview share it, so both always agree."""
    raw, notes = app_from_draft(draft)
    result = resolve_in_cluster(cluster, raw, app)
    policy = cluster.policy
    collisions = fleet_collisions(cluster, result, app)
    suggestions = []
    if any(c.kind in ("service-port", "reserved-port") for c in collisions):
        mine = [p.service_port for p in result.ports]
        suggestions = list(
            islice(
                free_service_ports(
                    cluster, policy.local_port_min, policy.local_port_max, exclude=mine
                ),
                SUGGESTIONS,
            )
        )
    mode = draft.mode
    errors = [
        {"path": e.path, "message": e.message, "field": field_for_pointer(e.path, draft)}
        for e in result.errors
    ]
    field_errors: dict[str, list[str]] = {}  # field id -> messages, shown beside the field
    for error in errors:
        if error["field"]:
            field_errors.setdefault(error["field"], []).append(error["message"])
    warnings = [
        {
            "code": w.code,
            "path": w.path,
            "message": w.message,
            "fix": w.fix,
            "field": field_for_pointer(w.path, draft),
        }
        for w in result.warnings
    ]
    preview_url = (
        reverse("app_preview", args=[cluster.name, app.pk])
        if app
        else reverse("app_preview_new", args=[cluster.name])
    )
    return {
        "cluster": cluster,
        "app": app,
        "draft": draft,
        "mode": mode,
        "raw": raw,
        "notes": notes,
        "result": result,
        "errors": errors,
        "field_errors": field_errors,
        "warnings": warnings,
        "collisions": _collision_rows(collisions, result, suggestions),
        "suggestions": suggestions,
        "normalized_json": json.dumps(result.app, indent=2),
        "download_name": file_name(result.id),
        "preview_url": preview_url,
        "env_prefix": policy.env_vars_prefix,
    }


def _collision_rows(collisions, result, suggestions) -> list[dict]:
    my_id = result.id
    rows = []
    for c in collisions:
        mine = [path for app_id, path in c.holders if app_id == my_id]
        others = [(app_id, path) for app_id, path in c.holders if app_id != my_id]
        row_index = port_index(mine[0]) if mine else None
        rows.append(
            {
                "collision": c,
                "others": [
                    {"id": app_id, "path": path, "port_index": port_index(path)}
                    for app_id, path in others
                ],
                "row": row_index,
                "fixes": suggestions if c.kind in ("service-port", "reserved-port") else [],
            }
        )
    return rows
