"""Saving the composer's draft: the app as the form holds it goes through the fleet's one writer,
or the page says why it did not (no usable id, the id taken, a stale version)."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib import messages
from django.urls import reverse

from portplanner.composer.draft import Posted, app_from_draft
from portplanner.composer.preview import Notice, Preview, draft_of, preview, stale_diff
from portplanner.fleet.deploy import (
    IdTaken,
    ReviewRequired,
    StaleEdit,
    prepare_id,
    save_app,
    storage_problem,
)
from portplanner.fleet.queries import fleet_collisions
from portplanner.http import number
from portplanner.marathon import AppResult
from portplanner.marathon.findings import counted
from portplanner.models import App, Cluster, Revision
from portplanner.review.entry import actor_for, propose_changes
from portplanner.review.requests import RequestProblem


@dataclass(frozen=True, slots=True)
class Saved:
    """What a save or a proposal did: the page to go to (``to``) with a message to flash; or
    nothing stored, and the page to show again (``refused``: the preview with a notice saying
    why)."""

    to: str = ""
    level: int = messages.SUCCESS
    message: str = ""
    refused: tuple[Preview, Notice] | None = None


def save_draft(cluster: Cluster, app: App | None, posted: Posted, user) -> Saved:
    """Save the posted draft as ``app`` (or a new app), or propose it in a change request
    (``posted.kind`` "propose"). The version the form was loaded from must still be the stored
    one, unless the user saw the diff and chose to save theirs over it."""
    draft = draft_of(cluster, app, posted)
    raw, _ = app_from_draft(draft)
    if problem := storage_problem(raw):
        return _refused(cluster, app, posted, Notice(problem=f"The app {problem}."))
    expected = None
    if app is not None and posted.kind != "overwrite":
        # A version that cannot be read is a stale one: better refused with the diff than lost.
        expected = number(draft.app.get("version", ""), digits=9) or 0
    try:
        if posted.kind == "propose":
            return _propose(cluster, app, raw, expected, posted, user)
        via = "composer, over a newer version" if posted.kind == "overwrite" else "composer"
        by = actor_for(cluster, user, via, posted.review, posted.message)
        saved, result = save_app(cluster, raw, by=by, app=app, expected_version=expected)
    except (ReviewRequired, RequestProblem) as refused:
        return _refused(cluster, app, posted, Notice(problem=str(refused)))
    except IdTaken as taken:
        notice = Notice(
            problem=f"{taken.app.app_id} already exists in {cluster.name}; open it to change it.",
            problem_link=reverse("app_edit", args=[cluster.name, taken.app.pk]),
        )
        return _refused(cluster, app, posted, notice)
    except StaleEdit as stale:
        newest = Revision.objects.filter(live_app=stale.app).order_by("-pk").first()
        notice = Notice(
            stale=stale.app, stale_diff=stale_diff(stale.app, raw), stale_revision=newest
        )
        return _refused(cluster, app, posted, notice)
    return Saved(
        reverse("app_edit", args=[cluster.name, saved.pk]), *_saved_with(cluster, saved, result)
    )


def _propose(
    cluster: Cluster, app: App | None, raw: dict, expected: int | None, posted: Posted, user
) -> Saved:
    """The draft into a change request: the user's open one the post names, or a new one. It is
    made against the version the form was loaded from, as a save is."""
    if app is not None and expected is not None and app.version != expected:
        raise StaleEdit(app)
    title = f"{'Change' if app is not None else 'Create'} {prepare_id(raw) or 'an app'}"
    proposal, (change,) = propose_changes(cluster, user, posted.review, title, [(None, raw)])
    return Saved(
        reverse("request_detail", args=[cluster.name, proposal.number]),
        messages.SUCCESS,
        f"Proposed: {change.action} {change.app_id}, in #{proposal.number} {proposal.title}. "
        "Nothing changes in the fleet until the request is approved and applied.",
    )


def _saved_with(cluster: Cluster, saved: App, result: AppResult) -> tuple[int, str]:
    """The message for a save: what it saved, as a draft when Marathon would refuse it, and
    with what it collides and warns about, in words."""
    collisions = fleet_collisions(cluster, result, saved)
    also = " and ".join(
        counted(n, noun)
        for n, noun in ((len(collisions), "collision"), (len(result.warnings), "warning"))
        if n
    )
    saved_as = f"Saved {saved.app_id} (version {saved.version})"
    if result.errors:
        text = (
            f"{saved_as} as a draft: {counted(len(result.errors), 'error')} to fix before "
            "Marathon would take it."
        )
        return messages.WARNING, text + (f" It also has {also}." if also else "")
    if not collisions:
        return messages.SUCCESS, f"{saved_as} with {also}." if also else f"{saved_as}."
    first = collisions[0]
    holders = ", ".join(dict.fromkeys(app_id for app_id, _ in first.holders))
    more = f" (and {counted(len(collisions) - 1, 'more')})" if len(collisions) > 1 else ""
    return (
        messages.WARNING,
        f"{saved_as} with {also}: {first.words.subject} {first.shown} {first.words.verb} "
        f"{holders}{more}.",
    )


def _refused(cluster: Cluster, app: App | None, posted: Posted, notice: Notice) -> Saved:
    return Saved(refused=(preview(cluster, app, draft_of(cluster, app, posted), posted), notice))
