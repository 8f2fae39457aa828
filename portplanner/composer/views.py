"""The composer's views: each reads its request once, asks ``composer`` for a preview (and a
notice), and renders it. No rules here."""

from __future__ import annotations

import json

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from portplanner.accounts.roles import cluster_view, require
from portplanner.composer.draft import (
    MAX_ROWS,
    ROW_ACTIONS,
    app_from_draft,
    focus_after,
    read_post,
)
from portplanner.composer.forms import (
    HOST_PORT_MODES,
    LB_MODES,
    PROTOCOLS,
    AppForm,
    EnvFormSet,
    HealthCheckFormSet,
    PortFormSet,
    ReadinessCheckFormSet,
)
from portplanner.composer.preview import (
    Notice,
    Preview,
    draft_of,
    edited,
    loaded,
    opened,
    preview,
)
from portplanner.composer.save import save_draft
from portplanner.exchange.documents import file_name
from portplanner.fleet.queries import resolve_in_cluster
from portplanner.http import HtmxHttpRequest
from portplanner.marathon.model import BRIDGE, CONTAINER, HOST
from portplanner.models import App, Cluster, ProposedChange, Role
from portplanner.review.entry import my_open_requests, proposed_change
from portplanner.review.requests import pending_for

MODE_SENTENCES = {
    HOST: "Host networking: the task binds ports on the agent itself. Each port's number is its "
    "service port for load balancers; the host port is random unless requirePorts is on.",
    BRIDGE: "Bridge: each container port is mapped to a host port (random unless fixed); the "
    "service port is what load balancers listen on.",
    CONTAINER: "Container networks: the task gets its own IP and its container ports are reached "
    "there directly; a host port exists only where you ask for one.",
}


@require_http_methods(["GET", "POST"])
@cluster_view(Role.VIEWER)
def app_new(request: HtmxHttpRequest, cluster: Cluster) -> HttpResponse:
    return _composer(request, cluster, None)


@require_http_methods(["GET", "POST"])
@cluster_view(Role.VIEWER)
def app_edit(request: HtmxHttpRequest, cluster: Cluster, pk: int) -> HttpResponse:
    return _composer(request, cluster, get_object_or_404(App, pk=pk, cluster=cluster))


@require_POST
@cluster_view(Role.VIEWER)
def app_preview(request: HtmxHttpRequest, cluster: Cluster, pk: int | None = None) -> HttpResponse:
    """The live preview, on every keystroke: the fragment, and with htmx its out-of-band parts."""
    app = get_object_or_404(App, pk=pk, cluster=cluster) if pk else None
    posted = read_post(request.POST)
    shown = preview(cluster, app, draft_of(cluster, app, posted), posted)
    return render(request, "composer/_preview.html", {"preview": shown, "oob": request.htmx})


def _composer(request: HtmxHttpRequest, cluster: Cluster, app: App | None) -> HttpResponse:
    if request.method == "GET":
        proposed = proposed_change(cluster, request.GET.get("change", ""), app)
        return _page(request, *opened(cluster, app, proposed), proposed=proposed)
    posted = read_post(request.POST)
    if posted.kind == "load_json":
        return _page(request, *loaded(cluster, app, posted))
    if posted.kind == "download":
        return _download(cluster, app, app_from_draft(draft_of(cluster, app, posted))[0])
    if posted.kind in ("save", "overwrite", "propose"):
        require(cluster, Role.EDITOR, "saving an app")
        saved = save_draft(cluster, app, posted, request.user)
        if saved.refused:
            return _page(request, *saved.refused)
        messages.add_message(request, saved.level, saved.message)
        return redirect(saved.to)
    shown, notice = edited(cluster, app, posted)
    focus = focus_after(posted.kind, posted.arg, shown.draft)
    if request.htmx and posted.kind in ROW_ACTIONS:
        # The button's part of the form in place, the preview out of band (_row_edit.html).
        context = {**_context(shown, notice, focus), "part": ROW_ACTIONS[posted.kind]}
        return render(request, "composer/_row_edit.html", context)
    return _page(request, shown, notice, focus)


def _page(
    request: HtmxHttpRequest,
    shown: Preview,
    notice: Notice,
    focus: str = "",
    proposed: ProposedChange | None = None,
) -> HttpResponse:
    """The whole page. Review: the user's open requests a proposal can go into (the one of
    ``proposed``, a change opened from its request, chosen), and the open request that already
    changes this app (shown above the form, as in the app list)."""
    cluster, app = shown.cluster, shown.app
    context = _context(shown, notice, focus)
    context["my_requests"] = my_open_requests(cluster, request.user) if cluster.can.edit else []
    context["proposal_title"] = f"Change {app.app_id}" if app else "Create an app"
    context["pending"] = pending_for(cluster, [app.app_id]).get(app.app_id) if app else None
    context["proposed"] = proposed
    return render(request, "composer/edit.html", context)


def _context(shown: Preview, notice: Notice, focus: str = "") -> dict:
    """The page's forms and choices as ``shown`` holds them; ``focus``: the HTML id of the field
    (or button) to be focused, what a button of the form changed."""
    draft = shown.draft
    focus_index, _, focus_field = focus.removeprefix("id_ports-").partition("-")
    context = {
        "preview": shown,
        "notice": notice,
        "app_form": AppForm(initial=draft.app),
        "port_formset": PortFormSet(initial=draft.ports, prefix="ports"),
        "env_formset": EnvFormSet(initial=draft.env, prefix="env"),
        "health_formset": _health_formset(draft.health),
        "readiness_formset": ReadinessCheckFormSet(initial=draft.readiness, prefix="readiness"),
        "mode_sentences": MODE_SENTENCES,
        "protocols": PROTOCOLS,
        "host_port_modes": HOST_PORT_MODES,
        "lb_modes": LB_MODES,
        "max_ports": MAX_ROWS,
        "focus": focus,
        # A port row's field to focus, as its row and name (_port_row.html compares ints).
        "focus_port": int(focus_index) if focus.startswith("id_ports-") else None,
        "focus_field": focus_field,
    }
    for formset in ("env_formset", "health_formset", "readiness_formset"):
        for form in context[formset]:
            for name, field in form.fields.items():
                if form[name].auto_id == focus:
                    field.widget.attrs["autofocus"] = True
    return context


def _download(cluster: Cluster, app: App | None, raw: dict) -> HttpResponse:
    """The normalized app as a file, with the planned service ports written in."""
    result = resolve_in_cluster(cluster, raw, app)
    response = HttpResponse(
        json.dumps(result.app, indent=2) + "\n", content_type="application/json"
    )
    response["Content-Disposition"] = f'attachment; filename="{file_name(result.id)}"'
    return response


def _health_formset(rows: list[dict]) -> HealthCheckFormSet:
    """The health checks' rows; a protocol the select does not list (as typed, or loaded) is an
    option of its own, so that it is shown and posted back as it was."""
    formset = HealthCheckFormSet(initial=rows, prefix="health")
    for form, row in zip(formset, rows, strict=True):
        field = form.fields["protocol"]
        value = row.get("protocol", "")
        if value not in dict(field.choices):
            field.choices = [*field.choices, (value, value)]
    return formset
