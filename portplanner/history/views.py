"""The history pages: an app's revisions with a diff in ports between any two, a cluster's
activity feed, one revision (and restoring it)."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import F
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from portplanner.accounts.roles import cluster_view
from portplanner.fleet.deploy import ReviewRequired, restore
from portplanner.history.compare import Comparison, compare, summaries
from portplanner.history.forms import ActivityForm
from portplanner.http import HtmxHttpRequest, number, typed
from portplanner.marathon.reader import canonical_path
from portplanner.models import Cluster, ClusterChange, Revision, Role
from portplanner.review.entry import actor_for, my_open_requests, propose_changes
from portplanner.review.requests import RequestProblem

PER_PAGE = 50
# The list of an app's revisions reads no JSON: that is what makes 200 revisions cheap.
LIGHT = ("source", "normalized", "snapshot")


@require_GET
@cluster_view(Role.VIEWER)
def app_history(request: HtmxHttpRequest, cluster: Cluster, app_id: str) -> HttpResponse:
    """Every revision of one app id in the cluster, newest first, and the diff between two of
    them (``a`` and ``b``; by default the newest and the one before)."""
    app_id = canonical_path(app_id)
    revisions = _listed(Revision.objects.filter(cluster=cluster, app_id=app_id))
    page = Paginator(revisions, PER_PAGE).get_page(request.GET.get("page"))
    if not page.object_list:
        raise Http404(f"{app_id} has no history in {cluster.name}.")
    comparison = _comparison(cluster, app_id, request.GET.get("a"), request.GET.get("b"))
    live = cluster.apps.filter(app_id=app_id).first()
    context = {"cluster": cluster, "app_id": app_id, "page": page, "live": live, **comparison}
    return render(request, "history/app.html", context)


def _listed(revisions, *, light: bool = True):
    """Revisions as the pages list them: with the number of the change request each applied
    (history/_through.html links it), and, in lists, without the app's JSON."""
    revisions = revisions.annotate(request_number=F("change_request__number"))
    return revisions.defer(*LIGHT) if light else revisions


def _comparison(cluster: Cluster, app_id: str, a: str | None, b: str | None) -> dict:
    chosen = Revision.objects.filter(cluster=cluster, app_id=app_id)
    newer = _pick(chosen, b) or chosen.first()
    older = _pick(chosen, a) or chosen.filter(pk__lt=newer.pk).first()
    if older is not None and older.pk > newer.pk:
        older, newer = newer, older
    return {"older": older, "newer": newer, "comparison": compare(older, newer)}


def _pick(revisions, pk: str | None) -> Revision | None:
    wanted = number(pk or "", digits=18)
    return revisions.filter(pk=wanted).first() if wanted is not None else None


@require_GET
@cluster_view(Role.VIEWER)
def cluster_activity(request: HtmxHttpRequest, cluster: Cluster) -> HttpResponse:
    """Who changed which app's ports when: every revision, newest first, filtered by user, app
    and date, each with what it changed in ports; and the policy and membership changes."""
    form = ActivityForm(request.GET)
    revisions = form.filter(_listed(Revision.objects.filter(cluster=cluster)))
    page = Paginator(revisions, PER_PAGE).get_page(request.GET.get("page"))
    context = {
        "cluster": cluster,
        "form": form,
        "page": page,
        "summaries": summaries(list(page.object_list)),
        "changes": ClusterChange.objects.filter(cluster=cluster)[:20],
    }
    return render(request, "history/activity.html", context)


@require_http_methods(["GET", "POST"])
@cluster_view(Role.VIEWER, write=Role.EDITOR, doing="restoring an app")
def revision_detail(request: HtmxHttpRequest, cluster: Cluster, pk: int) -> HttpResponse:
    """One revision and what it changed; POST restores it as a new change."""
    revision = get_object_or_404(
        _listed(Revision.objects.all(), light=False), pk=pk, cluster=cluster
    )
    if request.method == "POST":
        return _restore(request, cluster, revision)
    previous = (
        Revision.objects.filter(cluster=cluster, app_id=revision.app_id, pk__lt=revision.pk)
        .order_by("-pk")
        .first()
    )
    comparison: Comparison = compare(previous, revision)
    context = {
        "cluster": cluster,
        "revision": revision,
        "older": previous,
        "newer": revision,
        "comparison": comparison,
        "restorable": revision.source is not None and cluster.can.edit,
        "requests": my_open_requests(cluster, request.user),
    }
    return render(request, "history/revision.html", context)


def _restore(request: HtmxHttpRequest, cluster: Cluster, revision: Revision) -> HttpResponse:
    """Restore the revision, or propose restoring it in a change request (revision_detail's
    decorator has asked for the editor role)."""
    if revision.source is None:
        messages.error(request, "This revision holds no app to restore.")
        return redirect("revision_detail", cluster.name, revision.pk)
    message = typed(request.POST, "message") or f"restore of version {revision.version}"
    try:
        if request.POST.get("action") == "propose":
            title = f"Restore {revision.app_id} version {revision.version}"
            changes = [(None, revision.source)]
            proposal, _ = propose_changes(cluster, request.user, request.POST, title, changes)
            return redirect("request_detail", cluster.name, proposal.number)
        by = actor_for(cluster, request.user, "restore", request.POST, message)
        app, result, moved = restore(cluster, revision, by=by)
    except (ReviewRequired, RequestProblem) as refused:
        messages.error(request, str(refused))
        return redirect("revision_detail", cluster.name, revision.pk)
    text = f"Restored {app.app_id} from version {revision.version} as version {app.version}"
    messages.success(request, text + (f": {moved}." if moved else "."))
    return redirect("app_edit", cluster.name, app.pk)
