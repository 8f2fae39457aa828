"""Change-request pages: a cluster's requests, one request (the layout as it would be, its diff
in ports per app, the map of what it claims and frees, the discussion, reviews, apply), and the
group JSON applying would deploy."""

from __future__ import annotations

import difflib
import json
from urllib.parse import urlencode

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Max
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from portplanner.accounts.roles import cluster_view, require
from portplanner.fleet.portmap import grid
from portplanner.history.compare import Comparison
from portplanner.http import HtmxHttpRequest, number, typed
from portplanner.models import ChangeRequest, Cluster, Comment, Review, Role
from portplanner.review.notify import notify
from portplanner.review.requests import (
    ApplyRefused,
    RequestProblem,
    apply,
    close,
    edit_details,
    open_request,
    resolution_of,
    resolve,
    review,
    standing,
    withdraw,
)


@require_http_methods(["GET", "POST"])
@cluster_view(Role.VIEWER, write=Role.EDITOR, doing="opening a change request")
def request_list(request: HtmxHttpRequest, cluster: Cluster) -> HttpResponse:
    """The cluster's requests, open ones first; POST opens a new, empty one."""
    if request.method == "POST":
        title, description = typed(request.POST, "title"), typed(request.POST, "description")
        opened = open_request(cluster, request.user, title, description)
        notify(opened, "opened", request.user)
        return redirect("request_detail", cluster.name, opened.number)
    requests = cluster.requests.all()
    context = {
        "cluster": cluster,
        "open": [r for r in requests if r.state == ChangeRequest.State.OPEN],
        "done": [r for r in requests if r.state != ChangeRequest.State.OPEN][:50],
        "requires_review": cluster.requires_review,
    }
    return render(request, "review/list.html", context)


APPS_PER_PAGE = 50


@require_http_methods(["GET", "POST"])
@cluster_view(Role.VIEWER, doing="discussing a change request")
def request_detail(request: HtmxHttpRequest, cluster: Cluster, number: int) -> HttpResponse:
    """One request; its buttons post here (each checked for the role it needs)."""
    change_request = get_object_or_404(ChangeRequest, cluster=cluster, number=number)
    if request.method == "POST":
        return _act(request, cluster, change_request)
    resolution = resolution_of(change_request, request.user)
    now = standing(change_request, resolution.digest)
    # The JSON diff of one app at a time (?json=<its change>): fifty of them made the page slow
    # and long, and the diff in ports is what a reviewer reads first.
    shown = request.GET.get("json", "")
    # The apps a page at a time: an import proposed as a request may change thousands (the
    # summary, the map and the group JSON above are of the whole request).
    page = Paginator(resolution.apps, APPS_PER_PAGE).get_page(request.GET.get("page"))
    here = reverse("request_detail", args=[cluster.name, number])
    on_page = {"page": page.number} if page.number > 1 else {}
    stored = dict(
        cluster.apps.filter(app_id__in=[a.change.app_id for a in page]).values_list("app_id", "pk")
    )
    apps = []
    for n, a in enumerate(page, start=page.start_index()):
        json_shown = str(a.change.pk) == shown
        link = {**on_page} if json_shown else {**on_page, "json": a.change.pk}
        apps.append(
            {
                "app": a,
                "n": n,
                "diff_id": f"diff-{n}",
                # Called by the template only when the fragment is not cached (as the map).
                "comparison": lambda a=a, json_shown=json_shown: Comparison(
                    a.diff, _json_diff(cluster, a) if json_shown else ""
                ),
                "json_shown": json_shown,
                "json_link": f"{here}{'?' + urlencode(link) if link else ''}#app-{n}",
                "comments": [],
                "edit_url": _composer_url(cluster, a.change, stored.get(a.change.app_id)),
            }
        )
    by_app = {row["app"].change.app_id: row for row in apps}
    general = []
    elsewhere = {a.change.app_id for a in resolution.apps} - set(by_app)  # on other pages
    for comment in change_request.comments.all():
        if row := by_app.get(comment.app_id):
            row["comments"].append((comment, _outdated(comment, row["app"].after)))
        elif comment.app_id not in elsewhere:  # general, or on an app no longer in the request
            general.append(comment)
    list_url = reverse("cluster_apps", args=[cluster.name])
    context = {
        "cluster": cluster,
        "request_": change_request,
        "resolution": resolution,
        "standing": now,
        "apps": apps,
        "page": page,
        "general_comments": general,
        # Built only when the map is not cached under the resolution's fingerprint (the template
        # calls it): a thousand cells from a resolution that has not changed are the same map.
        "map": lambda: grid(resolution.cells, list_url, resolution.marks()),
        # Built only when the history is not cached (as the map): it changes with an edit of
        # the request or a review, whose newest numbers key it.
        "history": lambda: _history(change_request),
        "history_key": f"{change_request.edit}-{_last_review(change_request)}",
        "is_author": change_request.author_id == request.user.pk,
        "is_open": change_request.state == ChangeRequest.State.OPEN,
    }
    return render(request, "review/detail.html", context)


def _composer_url(cluster: Cluster, change, pk: int | None) -> str:
    """Where the composer opens this change (not a deletion) to be edited and proposed again."""
    if change.action == "delete":
        return ""
    if change.action == "create":
        return f"{reverse('app_new', args=[cluster.name])}?change={change.pk}"
    return f"{reverse('app_edit', args=[cluster.name, pk])}?change={change.pk}" if pk else ""


def _last_review(change_request: ChangeRequest) -> int | None:
    return change_request.reviews.aggregate(last=Max("pk"))["last"]


def _history(change_request: ChangeRequest) -> list[tuple[str, object]]:
    """Edits and reviews in the order they happened, each with its kind ("edit", "review"). Each
    edit keeps the whole request as it stood (``content``), for the record: the page does not
    read it."""
    edits = [("edit", edit) for edit in change_request.edits.defer("content")]
    reviews = [("review", review) for review in change_request.reviews.all()]
    return sorted(edits + reviews, key=lambda happened: happened[1].created_at)


def _json_diff(cluster: Cluster, app) -> str:
    def lines(source) -> list[str]:
        return json.dumps(source, indent=2).splitlines() if source is not None else []

    live = cluster.apps.filter(app_id=app.change.app_id).values_list("source", flat=True).first()
    diffed = difflib.unified_diff(
        lines(live), lines(app.change.source), "now", "as proposed", lineterm=""
    )
    return "\n".join(diffed)


def _outdated(comment: Comment, after: dict | None) -> dict | None:
    """The port a comment is about as the request now has it, when the request changed it
    since (the comment is then shown as outdated beside the new value); else None."""
    if not comment.port_label or comment.port is None:
        return None
    ports = {_label(p): p for p in (after or {}).get("ports", [])}
    now = ports.get(comment.port_label)
    if now is not None and all(now.get(k) == comment.port.get(k) for k in comment.port):
        return None
    return now or {"gone": True}


def _label(port: dict) -> str:
    name = port.get("name")
    return f"port {port['index']}" + (f" ({name})" if name else "")


def _act(request: HtmxHttpRequest, cluster: Cluster, change_request: ChangeRequest):
    kind, _, arg = request.POST.get("action", "").partition(":")
    text = typed(request.POST, "text")
    user, role = request.user, cluster.role
    try:
        if kind == "comment":
            _comment(change_request, user, text, request.POST)
        elif kind in ("approve", "changes"):
            verdict = Review.Verdict.APPROVE if kind == "approve" else Review.Verdict.CHANGES
            review(change_request, user, role, verdict, text)
            event = "approved" if kind == "approve" else "changes requested"
            notify(change_request, event, user, text)
        elif kind == "apply":
            require(cluster, Role.EDITOR, "applying a change request")
            deployed = apply(change_request, user, role)
            notify(change_request, "applied", user)
            messages.success(request, f"Applied #{change_request.number}: {len(deployed)} app"
                             f"{'s' if len(deployed) != 1 else ''} saved, "
                             f"{len(deployed.deleted)} deleted.")  # fmt: skip
        elif kind == "close":
            close(change_request, user, role)
            notify(change_request, "closed", user, text)
        elif kind == "edit":
            edit_details(change_request, user, typed(request.POST, "title"), text)
            notify(change_request, "changed", user, "title or description")
        elif kind == "withdraw" and (wanted := number(arg, digits=18)) is not None:
            change = get_object_or_404(change_request.changes, pk=wanted)
            withdraw(change_request, user, change)
            notify(change_request, "changed", user, f"withdrew {change.app_id}")
        else:
            messages.error(request, "That button does nothing here.")
    except ApplyRefused as refused:
        return _refused_apply(request, cluster, change_request, refused)
    except RequestProblem as problem:
        messages.error(request, str(problem))
    return redirect("request_detail", cluster.name, change_request.number)


def _comment(change_request: ChangeRequest, user, text: str, posted) -> None:
    if not text:
        raise RequestProblem("Write something to comment.")
    app_id, label = posted.get("app_id", ""), posted.get("port_label", "")
    port = None
    if app_id and label:
        resolution = resolution_of(change_request, user)
        found = [a for a in resolution.apps if a.change.app_id == app_id]
        ports = {_label(p): p for p in ((found[0].after or {}) if found else {}).get("ports", [])}
        port = ports.get(label)
        if port is None:
            raise RequestProblem(f"{app_id} has no {label} in this request.")
    Comment.objects.create(
        request=change_request,
        author=user,
        author_name=user.get_username(),
        text=text,
        app_id=app_id if port else "",
        port_label=label if port else "",
        port=port,
    )
    notify(change_request, "commented", user, text)


def _refused_apply(request, cluster: Cluster, change_request: ChangeRequest, refused):
    """Apply stopped: why, and for conflicts both changes of each app, in ports."""
    context = {
        "cluster": cluster,
        "request_": change_request,
        "refused": str(refused),
        "conflicts": [
            {
                "conflict": c,
                "theirs": Comparison(c.theirs, ""),
                "ours": Comparison(c.ours, ""),
            }
            for c in refused.conflicts
        ],
    }
    return render(request, "review/refused.html", context, status=409)


@require_GET
@cluster_view(Role.VIEWER)
def request_group(request: HtmxHttpRequest, cluster: Cluster, number: int) -> HttpResponse:
    """The group JSON applying the request would deploy (its apps, service ports pinned)."""
    change_request = get_object_or_404(ChangeRequest, cluster=cluster, number=number)
    group = resolve(change_request, request.user, with_group=True).group
    response = HttpResponse(json.dumps(group, indent=2) + "\n", content_type="application/json")
    name = f"{cluster.name}-request-{change_request.number}.json"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
