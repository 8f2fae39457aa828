"""The port map's grid, as HTML: the cells of a port range (fleet.queries.port_cells) for a CSS
grid, and the table of held stretches beneath it. Used by the port map and by a change request's
map of what it claims and frees."""

from __future__ import annotations

from urllib.parse import urlencode

from django.utils.html import escape
from django.utils.safestring import mark_safe

from portplanner.fleet.queries import Cell, HeldStretch, held_stretches

STRETCHES_SHOWN = 200  # rows of a table of stretches (held or free) a page lists
# The port map's rows are 10, 20 or 40 cells wide (app.css: as wide as the screen allows); a label
# before every 10th cell, classed r20 and r40 where it starts a row of those widths too.
ROW_LABEL_EVERY, ROW_WIDTHS = 10, (20, 40)


def grid(cells: list[Cell], list_url: str, marks: dict[int, tuple[str, str]] | None = None) -> dict:
    """The cells as HTML for a CSS grid whose rows are 10, 20 or 40 cells wide as the screen
    allows (each cell at least 24 px, a tap target), with a label before every 10th cell that the
    style sheet shows where a row starts. A held cell is a link to the app list searched for its
    ports, named by its description (shown on hover, and by the page's script on focus or tap);
    a free cell is not focusable. ``marks``: an extra class and words for some cells, by index
    (a change request's claimed and freed ports). The markup is built here, not in the template:
    a thousand cells through template tags took most of the page's time."""
    marks = marks or {}
    parts = []
    for i, c in enumerate(cells):
        if i % ROW_LABEL_EVERY == 0:
            wide = "".join(f" r{n}" for n in ROW_WIDTHS if i % n == 0)
            parts.append(f'<span class="row-label{wide}" aria-hidden="true">{c.low}</span>')
        mark, words = marks.get(i, ("", ""))
        tip = escape(_describe(c) + (f"; {words}" if words else ""))
        classes = f"cell {c.state}" + (f" {mark}" if mark else "")
        if c.held or c.colliding or mark:
            query = urlencode({"q": str(c.low) if c.low == c.high else f"{c.low}-{c.high}"})
            href = escape(f"{list_url}?{query}")
            parts.append(f'<a class="{classes}" href="{href}" title="{tip}"></a>')
        else:
            parts.append(f'<span class="{classes}" title="{tip}"></span>')
    stretches = held_stretches(cells)
    return {
        "cells_html": mark_safe("".join(parts)),  # noqa: S308 -- every value above is escaped
        "stretch_rows": _stretch_rows(stretches[:STRETCHES_SHOWN], list_url),
        "counts": {
            state: sum(1 for c in cells if c.state == state)
            for state in ("free", "partial", "full", "colliding")
        },
        "held": sum(c.held for c in cells),
        "colliding": sum(c.colliding for c in cells),
        "stretch_count": len(stretches),
        "more_stretches": max(0, len(stretches) - STRETCHES_SHOWN),
    }


def _stretch_rows(stretches: list[HeldStretch], list_url: str) -> str:
    """The rows of the table of held stretches, built here for the reason given at ``_grid``:
    through template tags, 200 rows a table took a quarter of the page's time."""
    rows = []
    for s in stretches:
        ports = str(s.low) if s.low == s.high else f"{s.low}–{s.high}"
        href = escape(f"{list_url}?{urlencode({'q': f'{s.low}-{s.high}'})}")
        colliding = f'<span class="badge error">{s.colliding}</span>' if s.colliding else "0"
        holders = s.first_app if s.first_app == s.last_app else f"{s.first_app} … {s.last_app}"
        rows.append(
            f'<tr><td><a href="{href}">{ports}</a></td><td>{s.held}</td><td>{colliding}</td>'
            f"<td>{escape(holders)}</td></tr>"
        )
    return mark_safe("".join(rows))  # noqa: S308 -- every value above is escaped


def _describe(c: Cell) -> str:
    ports = str(c.low) if c.low == c.high else f"{c.low}–{c.high}"
    if not c.held:
        # A port no app holds as a service port that marathon-lb still binds twice (two bind
        # port labels meeting there).
        twice = f"; {c.colliding} bound twice by marathon-lb" if c.colliding else ""
        return f"{ports}: free as service ports{twice}" if twice else f"{ports}: free"
    if c.apps == 1:
        tip = f"{ports}: {c.held} of {c.size} held by {c.first_app}"
    else:
        holders = f"{c.apps} apps ({c.first_app} … {c.last_app})"
        tip = f"{ports}: {c.held} of {c.size} held by {holders}"
    return tip + (f"; {c.colliding} colliding" if c.colliding else "")
