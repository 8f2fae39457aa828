"""The ways into review from the pages that change apps: putting a change into a request (a new
one, or one of the user's open ones) instead of applying it, and an owner's emergency change
that bypasses review, with its reason."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import transaction

from portplanner.history.record import Actor
from portplanner.http import number, typed
from portplanner.models import App, ChangeRequest, Cluster, ProposedChange, Role
from portplanner.review.notify import notify
from portplanner.review.requests import RequestProblem, open_request, propose_all


def propose_changes(
    cluster: Cluster,
    user,
    posted,
    title: str,
    changes: Iterable[tuple[str | None, Any]],
    summary: str = "",
) -> tuple[ChangeRequest, list[ProposedChange]]:
    """Put ``changes`` (an app id and the app as it should be, as ``propose`` takes them) into
    the request the post names or a new one, then tell its reviewers. All or nothing: a change
    refused leaves neither a half-filled request nor an empty new one."""
    with transaction.atomic():
        proposal, opened = _into_request(cluster, user, posted, title)
        made = propose_all(proposal, user, changes, summary)
    said = summary or ", ".join(f"{change.action} {change.app_id}" for change in made)
    notify(proposal, "opened" if opened else "changed", user, said)
    return proposal, made


def _into_request(cluster: Cluster, user, posted, title: str) -> tuple[ChangeRequest, bool]:
    """The request a proposal goes into, and whether it is new: the user's open request the post
    names (``request``: its number), else a new one titled as posted or ``title``."""
    if (wanted := number(posted.get("request", ""), digits=9)) is not None:
        found = cluster.requests.filter(
            number=wanted, state=ChangeRequest.State.OPEN, author=user
        ).first()
        if found is None:
            raise RequestProblem(f"#{wanted} is not one of your open requests in {cluster.name}.")
        return found, False
    title = typed(posted, "title") or title
    return open_request(cluster, user, title, typed(posted, "description")), True


def proposed_change(cluster: Cluster, pk: str, app: App | None) -> ProposedChange | None:
    """The change ``pk`` (a query's text) of an open request of ``cluster`` that writes ``app``
    (a new app when None), to open in the composer; None when there is no such change."""
    if (wanted := number(pk, digits=18)) is None:
        return None
    change = (
        ProposedChange.objects.filter(
            pk=wanted, request__cluster=cluster, request__state=ChangeRequest.State.OPEN
        )
        .select_related("request")
        .first()
    )
    if change is None or change.source is None:
        return None
    same_app = change.app_id == app.app_id if app else change.action == ProposedChange.Action.CREATE
    return change if same_app else None


def my_open_requests(cluster: Cluster, user) -> list[ChangeRequest]:
    return list(
        cluster.requests.filter(state=ChangeRequest.State.OPEN, author=user).order_by("-number")
    )


def actor_for(cluster: Cluster, user, via: str, posted, message: str = "") -> Actor:
    """Who a direct change is by. On a cluster whose changes need review, an owner may mark it an
    emergency with a reason (kept as its message and flagged); anyone else is refused there by
    the writer (fleet.deploy.ReviewRequired)."""
    if posted.get("emergency"):
        if cluster.role is None or cluster.role < Role.OWNER:
            raise RequestProblem("Only an owner applies an emergency change.")
        reason = typed(posted, "reason")
        if not reason:
            raise RequestProblem("An emergency change needs its reason.")
        return Actor(user, f"{via}, emergency", reason, emergency=True)
    return Actor(user, via, message)
