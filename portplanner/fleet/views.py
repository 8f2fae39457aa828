"""Function views of the fleet: the app list, the collision report, the port map and the cluster's
policy. They read through fleet_queries and write through policy_change; no rules here."""

from __future__ import annotations

from itertools import islice

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.defaultfilters import pluralize
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django.views.decorators.vary import vary_on_headers

from portplanner.accounts.members import create_cluster
from portplanner.accounts.roles import Can, cluster_view, visible_clusters
from portplanner.fleet.deploy import ReviewRequired, delete_apps, delete_cluster
from portplanner.fleet.forms import (
    POLICY_FIELDS,
    AppListForm,
    ClusterForm,
    NewClusterForm,
    ReviewSettingsForm,
)
from portplanner.fleet.policy_change import apply_policy, preview_policy
from portplanner.fleet.portmap import STRETCHES_SHOWN, grid
from portplanner.fleet.queries import (
    app_rows,
    cell_size,
    collision_report,
    fixed_host_ports_outside,
    free_service_ports,
    free_stretches,
    port_cells,
)
from portplanner.history.record import Actor
from portplanner.http import HtmxHttpRequest, typed
from portplanner.marathon.collisions import FIXABLE_BY_SERVICE_PORT, KINDS
from portplanner.models import App, Cluster, Role
from portplanner.review.entry import actor_for, my_open_requests, propose_changes
from portplanner.review.requests import (
    RequestProblem,
    configure_review,
    pending_for,
    requests_for,
    review_settings,
)

APPS_PER_PAGE = 100
SUGGESTIONS = 10
BREAKAGE_SHOWN = 20  # of each list in the messages after a policy is applied
PREVIEW_SHOWN = 200  # of each list in the review before


@require_GET
def home(request: HtmxHttpRequest) -> HttpResponse:
    """The clusters the user is a member of, with their role in each."""
    clusters = visible_clusters(request.user).annotate(
        app_count=Count("apps"), invalid_count=Count("apps", filter=Q(apps__is_valid=False))
    )
    for cluster in clusters:
        cluster.can = Can(Role(cluster.role))
    mine, awaiting = requests_for(request.user, clusters)
    context = {
        "clusters": clusters,
        "can_create": request.user.has_perm("portplanner.add_cluster"),
        "my_requests": mine,
        "awaiting_review": awaiting,
    }
    return render(request, "fleet/home.html", context)


@require_GET
# The same URL answers the page or, for htmx, the table alone: caches must tell them apart.
@vary_on_headers("HX-Request")
@cluster_view(Role.VIEWER)
def cluster_apps(request: HtmxHttpRequest, cluster: Cluster) -> HttpResponse:
    form = AppListForm(request.GET)
    chosen = form.values()
    apps = app_rows(
        cluster,
        search=chosen.get("q", ""),
        status=chosen.get("status", ""),
        network=chosen.get("network", ""),
        sort=chosen.get("sort") or "id",
    )
    page = Paginator(apps, APPS_PER_PAGE).get_page(request.GET.get("page"))
    pending = pending_for(cluster, [app.app_id for app in page])
    for app in page:
        app.service_ports = sorted(int(p) for p in (app.service_port_list or "").split(",") if p)
        app.pending = pending.get(app.app_id)
    context = {
        "cluster": cluster,
        "form": form,
        "page": page,
        "filtered": any(v for k, v in chosen.items() if k != "sort"),
    }
    if request.htmx and request.htmx.target == "app-table":
        return render(request, "fleet/_app_table.html", context)
    return render(request, "fleet/apps.html", context)


@require_GET
@cluster_view(Role.VIEWER)
def cluster_collisions_report(request: HtmxHttpRequest, cluster: Cluster) -> HttpResponse:
    collisions = collision_report(cluster)
    sections = [
        {
            "kind": kind,
            "title": words.title,
            "collisions": [c for c in collisions if c.kind == kind],
        }
        for kind, words in KINDS.items()
    ]
    policy = cluster.policy
    suggestions = []
    if any(c.kind in FIXABLE_BY_SERVICE_PORT for c in collisions):
        free = free_service_ports(cluster, policy.local_port_min, policy.local_port_max)
        suggestions = list(islice(free, SUGGESTIONS))
    return render(
        request,
        "fleet/collisions.html",
        {
            "cluster": cluster,
            "collisions": collisions,
            "sections": sections,
            "suggestions": suggestions,
            "reserved": sorted(policy.reserved_ports),
        },
    )


@require_GET
@cluster_view(Role.VIEWER)
def cluster_port_map(request: HtmxHttpRequest, cluster: Cluster) -> HttpResponse:
    policy = cluster.policy
    low, high = policy.local_port_min, policy.local_port_max
    size = cell_size(low, high)
    list_url = reverse("cluster_apps", args=[cluster.name])
    service = grid(port_cells(cluster, "service_port", low, high, size), list_url)
    service["title"] = f"Service ports {low}–{high}"
    host_bands = []
    for i, (range_low, range_high) in enumerate(policy.agent_port_ranges):
        band_size = cell_size(range_low, range_high)
        cells = port_cells(cluster, "host_port", range_low, range_high, band_size)
        band = {
            "id": f"host-grid-{i}",
            "title": f"Fixed host ports {range_low}–{range_high}",
            "low": range_low,
            "high": range_high,
            "size": band_size,
        }
        host_bands.append({**band, **grid(cells, list_url)})
    stretches = list(free_stretches(cluster, low, high))
    free_total = sum(last - first + 1 for first, last in stretches)
    free_ports = (port for first, last in stretches for port in range(first, last + 1))
    suggestions = list(islice(free_ports, SUGGESTIONS))
    return render(
        request,
        "fleet/port_map.html",
        {
            "cluster": cluster,
            "low": low,
            "high": high,
            "size": size,
            "service": service,
            "host_bands": host_bands,
            "outside_agent_ranges": fixed_host_ports_outside(cluster, policy.agent_port_ranges),
            "stretches": stretches[:STRETCHES_SHOWN],
            "more_stretches": max(0, len(stretches) - STRETCHES_SHOWN),
            "free_total": free_total,
            "range_total": high - low + 1,
            "suggestions": suggestions,
            "legend_states": ["free", "partial", "full", "colliding"],
        },
    )


@require_http_methods(["GET", "POST"])
@cluster_view(Role.VIEWER, write=Role.OWNER, doing="changing the port policy")
def cluster_settings(request: HtmxHttpRequest, cluster: Cluster) -> HttpResponse:
    """The policy form. Posting it shows what the new policy would newly break (a dry run of the
    re-check, rolled back) with the values carried in hidden fields: "Apply" posts them again
    with ``action=apply``, which saves and re-checks for real; "Back to edit" shows them in the
    form. A policy is saved only by Apply, even one that breaks nothing: the review is where
    the user sees which settings change."""
    policy_before = {name: getattr(cluster, name) for name in POLICY_FIELDS}
    form = ClusterForm(request.POST or None, instance=cluster)
    action = request.POST.get("action")
    by = Actor(request.user, "policy", typed(request.POST, "message"))
    if request.method == "POST" and form.is_valid() and action != "edit":
        if action == "apply":
            breakage = apply_policy(cluster, form.save, by=by)
            _report(request, cluster.name, breakage)
            return redirect("cluster_settings", cluster.name)
        changes = [
            (form[name].label, policy_before[name], form.cleaned_data[name])
            for name in POLICY_FIELDS
            if form.cleaned_data[name] != policy_before[name]
        ]
        breakage = preview_policy(cluster, form.save, by=by)
        context = {
            "cluster": cluster,
            "form": form,
            "changes": changes,
            "breakage": breakage,
            "shown": PREVIEW_SHOWN,
            "more": {
                name: max(0, len(getattr(breakage, name)) - PREVIEW_SHOWN)
                for name in ("now_invalid", "new_warnings", "new_collisions", "moved")
            },
        }
        return render(request, "fleet/policy_preview.html", context)
    review_form = ReviewSettingsForm(instance=cluster)
    context = {"cluster": cluster, "form": form, "review_form": review_form}
    return render(request, "fleet/settings.html", context)


@require_http_methods(["GET", "POST"])
@permission_required("portplanner.add_cluster", raise_exception=True)
def cluster_new(request: HtmxHttpRequest) -> HttpResponse:
    """A new cluster; whoever creates it is its first owner."""
    form = NewClusterForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        created = create_cluster(form.save(commit=False), request.user)
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
            + _listed([f"{w.app_id} {w.describe()}" for w in breakage.new_warnings], "; ")
            + ".",
        )
    if breakage.moved:
        moved = [f"{app_id} {_ports(old)} → {_ports(new)}" for app_id, old, new in breakage.moved]
        messages.warning(
            request, f"Service ports moved ({len(breakage.moved)}): " + _listed(moved, "; ") + "."
        )


def _ports(ports: tuple[int, ...]) -> str:
    return ", ".join(map(str, ports))


def _listed(items: list[str], sep: str = ", ") -> str:
    shown = sep.join(items[:BREAKAGE_SHOWN])
    more = len(items) - BREAKAGE_SHOWN
    return shown + (f" and {more} more" if more > 0 else "")


@require_POST
@cluster_view(Role.OWNER, doing="changing how changes are reviewed")
def cluster_review_settings(request: HtmxHttpRequest, cluster: Cluster) -> HttpResponse:
    """Whether changes need review, how many approvals a request needs, the webhook."""
    before = review_settings(cluster)
    form = ReviewSettingsForm(request.POST, instance=cluster)
    if not form.is_valid():
        context = {"cluster": cluster, "form": ClusterForm(instance=cluster), "review_form": form}
        return render(request, "fleet/settings.html", context, status=400)
    configure_review(cluster, form.save, before, by=Actor(request.user, "settings"))
    messages.success(request, f"Saved how changes to {cluster.name} are reviewed.")
    return redirect("cluster_settings", cluster.name)


@require_http_methods(["GET", "POST"])
@cluster_view(Role.EDITOR, doing="deleting an app")
def app_delete(request: HtmxHttpRequest, cluster: Cluster, pk: int) -> HttpResponse:
    """Ask first, naming the ports it frees; then delete. The deletion is a revision: the app
    can be restored from its history."""
    app = get_object_or_404(App, pk=pk, cluster=cluster)
    freed = sorted(
        app.allocations.exclude(service_port=None).values_list("service_port", flat=True)
    )
    if request.method == "POST":
        try:
            return _delete_or_propose(request, cluster, app, freed)
        except (ReviewRequired, RequestProblem) as refused:
            messages.error(request, str(refused))
    requests = my_open_requests(cluster, request.user)
    context = {"cluster": cluster, "app": app, "freed": freed, "requests": requests}
    return render(request, "fleet/app_delete.html", context)


def _delete_or_propose(request, cluster: Cluster, app: App, freed: list[int]) -> HttpResponse:
    if request.POST.get("action") == "propose":
        title, changes = f"Delete {app.app_id}", [(app.app_id, None)]
        proposal, _ = propose_changes(cluster, request.user, request.POST, title, changes)
        return redirect("request_detail", cluster.name, proposal.number)
    by = actor_for(cluster, request.user, "delete", request.POST, typed(request.POST, "message"))
    delete_apps(cluster, [app], by=by)
    ports = f"; service port{pluralize(len(freed))} {', '.join(map(str, freed))} freed"
    messages.success(request, f"Deleted {app.app_id}{ports if freed else ''}.")
    return redirect("cluster_apps", cluster.name)


@require_http_methods(["GET", "POST"])
@cluster_view(Role.OWNER, doing="deleting the cluster")
def cluster_delete(request: HtmxHttpRequest, cluster: Cluster) -> HttpResponse:
    """Ask first, naming what goes (apps, history, members); the name must be typed again."""
    context = {
        "cluster": cluster,
        "apps": cluster.apps.count(),
        "revisions": cluster.revisions.count(),
        "members": cluster.memberships.count(),
    }
    if request.method == "POST":
        if request.POST.get("confirm", "").strip() == cluster.name:
            name = cluster.name
            delete_cluster(cluster)
            messages.success(request, f"Deleted cluster {name}, its apps and their history.")
            return redirect("home")
        context["mismatch"] = True
    return render(
        request, "fleet/cluster_delete.html", context, status=400 if "mismatch" in context else 200
    )
