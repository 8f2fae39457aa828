"""Comparing revisions: the engine's diff in ports (marathon.diff) between two revisions of an
app, with the full JSON diff below it."""

from __future__ import annotations

import difflib
import json
from dataclasses import dataclass

from django.db.models import OuterRef, Subquery

from portplanner.marathon.diff import AppDiff, diff
from portplanner.models import Revision


@dataclass(frozen=True, slots=True)
class Comparison:
    ports: AppDiff
    json_diff: str  # unified diff of the app as written


def state(revision: Revision | None) -> dict | None:
    """The app after ``revision``: None before it existed and after its deletion."""
    if revision is None or revision.action == Revision.Action.DELETE:
        return None
    return revision.snapshot


def compare(older: Revision | None, newer: Revision | None) -> Comparison:
    def text(revision: Revision | None) -> list[str]:
        if revision is None or revision.action == Revision.Action.DELETE:
            return []
        return json.dumps(revision.source, indent=2).splitlines()

    label = "version {0.version} ({0.username}, {0.created_at:%Y-%m-%d %H:%M} UTC)".format
    unified = difflib.unified_diff(
        text(older),
        text(newer),
        label(older) if older else "(did not exist)",
        label(newer) if newer and newer.action != Revision.Action.DELETE else "(deleted)",
        lineterm="",
    )
    return Comparison(diff(state(older), state(newer)), "\n".join(unified))


def summaries(revisions: list[Revision]) -> dict[int, str]:
    """What each of a page of revisions changed in ports against the app's revision before it,
    in one line, by revision pk: two queries for the page, whatever its size."""
    if not revisions:
        return {}
    before = Revision.objects.filter(
        cluster=OuterRef("cluster"), app_id=OuterRef("app_id"), pk__lt=OuterRef("pk")
    ).order_by("-pk")
    previous = dict(
        Revision.objects.filter(pk__in=[r.pk for r in revisions])
        .annotate(previous=Subquery(before.values("pk")[:1]))
        .values_list("pk", "previous")
    )
    wanted = set(previous) | {pk for pk in previous.values() if pk}
    full = {r.pk: r for r in Revision.objects.filter(pk__in=wanted).only("action", "snapshot")}
    return {
        pk: diff(state(full.get(prev)), state(full[pk])).summary for pk, prev in previous.items()
    }
