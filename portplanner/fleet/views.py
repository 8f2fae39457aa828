"""Function views of the fleet: the app list, the collision report, the port map and the cluster's
policy. They read through fleet_queries and write through policy_change; no rules here."""

from __future__ import annotations

from itertools import islice
from urllib.parse import urlencode

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_GET, require_http_methods
from django.views.decorators.vary import vary_on_headers

from portplanner.fleet.forms import AppListForm, ClusterForm, NewClusterForm
from portplanner.fleet.policy_change import apply_policy
from portplanner.fleet.queries import (
    Cell,
    app_rows,
    cell_size,
    collision_report,
    fixed_host_ports_outside,
    free_service_ports,
    free_stretches,
    port_cells,
)
from portplanner.http import HtmxHttpRequest
from portplanner.marathon.collisions import FIXABLE_BY_SERVICE_PORT, KINDS
from portplanner.models import Cluster

APPS_PER_PAGE = 100
SUGGESTIONS = 10
STRETCHES_SHOWN = 200
# The port map's grid: cells of CELL px with GAP px between, COLUMNS to a row, labels on the left.
COLUMNS, CELL, GAP, LABEL_WIDTH = 50, 14, 2, 56
BREAKAGE_SHOWN = 20


@require_GET
def home(request: HtmxHttpRequest) -> HttpResponse:
    clusters = Cluster.objects.annotate(
        app_count=Count("apps"), invalid_count=Count("apps", filter=Q(apps__is_valid=False))
    )
    return render(request, "fleet/home.html", {"clusters": clusters})


@require_GET
# The same URL answers the page or, for htmx, the table alone: caches must tell them apart.
@vary_on_headers("HX-Request")
def cluster_apps(request: HtmxHttpRequest, cluster: str) -> HttpResponse:
    cluster_obj = get_object_or_404(Cluster, name=cluster)
    form = AppListForm(request.GET)
    chosen = form.values()
    apps = app_rows(
        cluster_obj,
        search=chosen.get("q", ""),
        status=chosen.get("status", ""),
        network=chosen.get("network", ""),
        sort=chosen.get("sort") or "id",
    )
    page = Paginator(apps, APPS_PER_PAGE).get_page(request.GET.get("page"))
    for app in page:
        app.service_ports = sorted(int(p) for p in (app.service_port_list or "").split(",") if p)
    context = {
        "cluster": cluster_obj,
        "form": form,
        "page": page,
        "filtered": any(v for k, v in chosen.items() if k != "sort"),
    }
    if request.htmx and request.htmx.target == "app-table":
        return render(request, "fleet/_app_table.html", context)
    return render(request, "fleet/apps.html", context)


@require_GET
def cluster_collisions_report(request: HtmxHttpRequest, cluster: str) -> HttpResponse:
    cluster_obj = get_object_or_404(Cluster, name=cluster)
    collisions = collision_report(cluster_obj)
    sections = [
        {
            "kind": kind,
            "title": words.title,
            "collisions": [c for c in collisions if c.kind == kind],
        }
        for kind, words in KINDS.items()
    ]
    policy = cluster_obj.policy
    suggestions = []
    if any(c.kind in FIXABLE_BY_SERVICE_PORT for c in collisions):
        free = free_service_ports(cluster_obj, policy.local_port_min, policy.local_port_max)
        suggestions = list(islice(free, SUGGESTIONS))
    return render(
        request,
        "fleet/collisions.html",
        {
            "cluster": cluster_obj,
            "collisions": collisions,
            "sections": sections,
            "suggestions": suggestions,
            "reserved": sorted(policy.reserved_ports),
        },
    )


@require_GET
def cluster_port_map(request: HtmxHttpRequest, cluster: str) -> HttpResponse:
    cluster_obj = get_object_or_404(Cluster, name=cluster)
    policy = cluster_obj.policy
    low, high = policy.local_port_min, policy.local_port_max
    size = cell_size(low, high)
    list_url = reverse("cluster_apps", args=[cluster_obj.name])
    service = _grid(port_cells(cluster_obj, "service_port", low, high, size), list_url)
    host_bands = []
    for i, (range_low, range_high) in enumerate(policy.agent_port_ranges):
        band_size = cell_size(range_low, range_high)
        cells = port_cells(cluster_obj, "host_port", range_low, range_high, band_size)
        band = {"id": f"host-grid-{i}", "low": range_low, "high": range_high, "size": band_size}
        host_bands.append({**band, **_grid(cells, list_url)})
    stretches = list(free_stretches(cluster_obj, low, high))
    free_total = sum(last - first + 1 for first, last in stretches)
    free_ports = (port for first, last in stretches for port in range(first, last + 1))
    suggestions = list(islice(free_ports, SUGGESTIONS))
    return render(
        request,
        "fleet/port_map.html",
        {
            "cluster": cluster_obj,
            "low": low,
            "high": high,
            "size": size,
            "service": service,
            "host_bands": host_bands,
            "outside_agent_ranges": fixed_host_ports_outside(cluster_obj, policy.agent_port_ranges),
            "stretches": stretches[:STRETCHES_SHOWN],
            "more_stretches": max(0, len(stretches) - STRETCHES_SHOWN),
            "free_total": free_total,
            "range_total": high - low + 1,
            "suggestions": suggestions,
            "cell": CELL,
            "columns": COLUMNS,
            "legend_states": ["free", "partial", "full", "colliding"],
        },
    )


def _grid(cells: list[Cell], list_url: str) -> dict:
    """Place cells row by row for the SVG; each row is labelled with its first port. The cells'
    markup is built here, not in the template: a thousand cells through template tags took
    most of the page's time. A held cell links to the app list searched for its ports."""
    step = CELL + GAP
    parts = []
    for i, c in enumerate(cells):
        ports = str(c.low) if c.low == c.high else f"{c.low}–{c.high}"
        if not c.held:
            tip = f"{ports}: free" + (" as service ports" if c.colliding else "")
        elif c.apps == 1:
            tip = f"{ports}: {c.held} of {c.size} held by {c.first_app}"
        else:
            holders = f"{c.apps} apps ({c.first_app} … {c.last_app})"
            tip = f"{ports}: {c.held} of {c.size} held by {holders}"
        if c.colliding:
            tip += f"; {c.colliding} colliding"
            if not c.held:
                tip += " (bound twice by marathon-lb)"
        rect = (
            f'<rect class="cell {c.state}" x="{LABEL_WIDTH + (i % COLUMNS) * step}" '
            f'y="{(i // COLUMNS) * step}" width="{CELL}" height="{CELL}">'
            f"<title>{escape(tip)}</title></rect>"
        )
        if c.held or c.colliding:
            query = urlencode({"q": str(c.low) if c.low == c.high else f"{c.low}-{c.high}"})
            rect = f'<a href="{escape(list_url)}?{query}">{rect}</a>'
        parts.append(rect)
    rows = [
        {"port": cells[i].low, "y": (i // COLUMNS) * step + CELL - 3}
        for i in range(0, len(cells), COLUMNS)
    ]
    columns = min(len(cells), COLUMNS)
    return {
        "cells_svg": mark_safe("".join(parts)),  # noqa: S308 -- every value above is escaped
        "rows": rows,
        "width": LABEL_WIDTH + columns * step,
        "height": len(rows) * step,
        "counts": {
            state: sum(1 for c in cells if c.state == state)
            for state in ("free", "partial", "full", "colliding")
        },
        "held": sum(c.held for c in cells),
        "colliding": sum(c.colliding for c in cells),
    }


@require_http_methods(["GET", "POST"])
def cluster_settings(request: HtmxHttpRequest, cluster: str) -> HttpResponse:
    cluster_obj = get_object_or_404(Cluster, name=cluster)
    form = ClusterForm(request.POST or None, instance=cluster_obj)
    if request.method == "POST" and form.is_valid():
        breakage = apply_policy(cluster_obj, form.save)
        _report(request, cluster_obj.name, breakage)
        return redirect("cluster_settings", cluster_obj.name)
    return render(request, "fleet/settings.html", {"cluster": cluster_obj, "form": form})


@require_http_methods(["GET", "POST"])
def cluster_new(request: HtmxHttpRequest) -> HttpResponse:
    form = NewClusterForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        created = form.save()
        messages.success(request, f"Created cluster {created.name}. Add its first app.")
        return redirect("cluster_apps", created.name)
    return render(request, "fleet/settings.html", {"cluster": None, "form": form})


def _report(request: HtmxHttpRequest, name: str, breakage) -> None:
    messages.success(
        request,
        f"Saved the policy of {name} and re-checked its {breakage.apps_checked} app"
        f"{'' if breakage.apps_checked == 1 else 's'}"
        + (": nothing new broke." if breakage.nothing else "."),
    )
    if breakage.now_invalid:
        messages.error(
            request,
            f"Now invalid ({len(breakage.now_invalid)}): "
            + _listed(breakage.now_invalid)
            + ". Open each to see Marathon's message.",
        )
    if breakage.new_collisions:
        messages.error(
            request,
            f"New collisions ({len(breakage.new_collisions)}): "
            + _listed(breakage.new_collisions, "; ")
            + ". See the collision report.",
        )
    if breakage.new_warnings:
        messages.warning(
            request,
            f"New warnings ({len(breakage.new_warnings)}): "
            + _listed([f"{app_id} {what}" for app_id, what in breakage.new_warnings], "; ")
            + ".",
        )


def _listed(items: list[str], sep: str = ", ") -> str:
    shown = sep.join(items[:BREAKAGE_SHOWN])
    more = len(items) - BREAKAGE_SHOWN
    return shown + (f" and {more} more" if more > 0 else "")
