"""What the composer page shows: the live ``Preview`` of a draft resolved in its cluster, and the
``Notice`` above the form (a problem, a stale save, a locked draft, load notes, JSON errors).

The page and the per-keystroke preview are built by the same function, so the first render and
every update agree. Views ask for one of these and render it; nothing here touches HTTP."""

from __future__ import annotations

import difflib
import hashlib
import json
from dataclasses import dataclass, field, replace
from itertools import islice
from typing import Any

from django.urls import reverse

from portplanner.composer.draft import (
    MAX_ROWS,
    NEW_APP,
    Draft,
    Posted,
    app_from_draft,
    draft_from_app,
    edit,
    field_for_pointer,
)
from portplanner.composer.explain import placed
from portplanner.composer.lenient import port_cells, put_back, stand_in, stood_in, typos
from portplanner.composer.placement import check_sentences, placement_sentence
from portplanner.exchange.documents import file_name
from portplanner.fleet.deploy import prepare_id
from portplanner.fleet.queries import (
    app_holding_id,
    fleet_collisions,
    free_required_ports,
    free_service_ports,
    resolve_in_cluster,
)
from portplanner.marathon import AppResult, ReadError, find_apps, parse_json, prepare
from portplanner.marathon.collisions import (
    FIXABLE_BY_SERVICE_PORT,
    LB_PORT,
    LB_RESERVED_PORT,
    by_label,
)
from portplanner.marathon.model import HOST
from portplanner.marathon.pointers import port_index, split
from portplanner.models import App, Cluster, ProposedChange

SUGGESTIONS = 3


@dataclass(frozen=True, slots=True)
class Notice:
    """What the page says above the form, besides the preview."""

    problem: str = ""
    problem_link: str = ""
    stale: App | None = None  # the version saved in between, when a save was stale
    stale_diff: str = ""
    stale_revision: Any = None  # the revision that made it stale: who, when, what
    load_notes: tuple = ()  # Marathon's rewrites of a loaded app (ReadNote-like: path, message)
    json_errors: tuple[str, ...] = ()
    locked: bool = False  # a saved draft the form cannot hold: only its JSON can be fixed


@dataclass(frozen=True, slots=True)
class Preview:
    """A draft resolved by the engine in its cluster, ready to render."""

    cluster: Cluster
    app: App | None
    draft: Draft
    raw: dict  # the app JSON the draft stands for
    notes: list[str]  # what the draft had to give up (app_from_draft)
    result: AppResult
    # path, message, fields (the HTML ids of the fields it is about), field (the first of them,
    # linked), link (optional): composer/explain.py
    errors: list[dict]
    warnings: list[dict]  # code, path, message, fix, field
    collisions: list[dict]  # collision, others, row, fixes
    pane: dict  # the JSON pane: text, shown (digest), edited
    # The composer page this preview is of, where its buttons post: worked out once, not for
    # each of the rows whose buttons name it.
    page_url: str
    field_errors: dict[str, list[str]] = field(default_factory=dict)
    # The values the schema refused, of each port, by column of the port table (lenient.py).
    port_typos: dict[int, dict[str, str]] = field(default_factory=dict)

    @property
    def valid(self) -> bool:
        """Marathon would take it: no error of the engine's, nor of the cluster's (an id taken)."""
        return not self.errors

    @property
    def checks(self) -> list[str]:
        return check_sentences(self.result)

    @property
    def placement(self) -> str:
        return placement_sentence(self.result)

    @property
    def normalized_json(self) -> str:
        return json.dumps(self.result.app, indent=2)

    @property
    def download_name(self) -> str:
        return file_name(self.result.id)

    @property
    def env_prefix(self) -> str:
        return self.cluster.policy.env_vars_prefix

    @property
    def port_rows(self) -> list[dict]:
        """The form's port rows to render: index, values as typed, errors by field name."""
        errors: dict[int, dict[str, list[str]]] = {}
        for field_id, messages in self.field_errors.items():
            index, _, name = field_id.removeprefix("id_ports-").partition("-")
            if field_id.startswith("id_ports-") and index.isdecimal():
                errors.setdefault(int(index), {})[name] = messages
        return [
            {"i": i, "values": row, "errors": errors.get(i, {})}
            for i, row in enumerate(self.draft.ports)
        ]


def preview(
    cluster: Cluster, app: App | None, draft: Draft, posted: Posted | None = None, pane=None
) -> Preview:
    """Resolve ``draft`` as Marathon would deploy it into ``cluster`` now (updating ``app``), with
    its collisions with the saved fleet. The JSON pane shows the form's app unless ``posted``
    shows that the user typed into it (or ``pane`` says what to show)."""
    raw, notes = app_from_draft(draft)
    result, typed = _resolved(cluster, raw, app)
    errors = [placed(e, raw, draft) for e in result.errors]
    app_id = prepare_id(raw)
    if (holder := app_holding_id(cluster, app_id, app)) is not None:
        # Marathon answers a POST of an id it has with 409; Save refuses it too (IdTaken).
        errors.insert(
            0,
            {
                "path": "/id",
                "message": f"An app with id {app_id} already exists in {cluster.name}; open it "
                "to change it, or give this app another id.",
                "field": "id_app_id",
                "fields": ["id_app_id"],
                "link": reverse("app_edit", args=[cluster.name, holder]),
            },
        )
    field_errors: dict[str, list[str]] = {}
    for error in errors:
        for field_id in error["fields"]:
            field_errors.setdefault(field_id, []).append(error["message"])
    typed_ports = port_cells(typed, isinstance(raw, dict) and raw.get("requirePorts") is True)
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
    return Preview(
        cluster=cluster,
        app=app,
        draft=draft,
        raw=raw,
        notes=notes,
        result=result,
        errors=errors,
        warnings=warnings,
        collisions=[
            row
            for row in _collision_rows(cluster, app, result)
            if row["row"] is None or row["row"] not in typed_ports
        ],
        pane=pane if pane is not None else json_pane(raw, posted),
        page_url=(
            reverse("app_edit", args=[cluster.name, app.pk])
            if app is not None
            else reverse("app_new", args=[cluster.name])
        ),
        field_errors=field_errors,
        port_typos=typed_ports,
    )


def _resolved(cluster: Cluster, raw: Any, app: App | None) -> tuple[AppResult, dict[str, Any]]:
    """``raw`` resolved in ``cluster``; and where the schema refuses only values typed into the
    form's fields, every port but theirs too (lenient.py): the ports, variables, warnings and
    collisions resolved with a stand-in for each, the errors, id and JSON of ``raw`` itself.
    Returns the result and the refused values by pointer."""
    result = resolve_in_cluster(cluster, raw, app)
    found = typos(raw, result.errors) if result.network is None else {}
    if not found:
        return result, {}
    stood = resolve_in_cluster(cluster, stand_in(raw, found), app)
    if stood.network is None or not stood_in(stood.app, found):
        return result, {}
    broken = set(port_cells(found))  # the rows with a refused value
    warnings = [w for w in stood.warnings if port_index(w.path) not in broken]
    if any(split(path)[-1] == "name" for path in found):
        # A name left out is no variable: a reference to it is the typo's, not another problem.
        warnings = [w for w in warnings if w.code != "undefined-port-reference"]
    return replace(
        stood, id=result.id, app=result.app, errors=result.errors, warnings=warnings
    ), found


def _collision_rows(cluster: Cluster, app: App | None, result: AppResult) -> list[dict]:
    """The app's collisions with the fleet, each with the other holders (and the port of theirs),
    the row of the form it is about, and free service ports to fix it with in one click."""
    collisions = fleet_collisions(cluster, result, app)
    suggestions: list[int] = []
    none_free = ""
    if any(c.kind in FIXABLE_BY_SERVICE_PORT for c in collisions):
        suggestions, none_free = _free_ports(cluster, app, result)
    rows = []
    for c in collisions:
        mine = [path for app_id, path in c.holders if app_id == result.id]
        # Where this app holds the port by a label (a bind port, the alternate port), a new
        # service port changes nothing; a bind port label can go, binding the service port.
        labelled = bool(mine) and by_label(mine[0])
        fixable = c.kind in FIXABLE_BY_SERVICE_PORT and not labelled
        rows.append(
            {
                "collision": c,
                "others": [
                    {"id": app_id, "path": path, "port_index": port_index(path)}
                    for app_id, path in c.holders
                    if app_id != result.id
                ],
                "row": port_index(mine[0]) if mine else None,
                "fixes": suggestions if fixable else [],
                "none_free": none_free if fixable else "",
                "unbind": labelled and c.kind in (LB_PORT, LB_RESERVED_PORT),
            }
        )
    return rows


def _free_ports(cluster: Cluster, app: App | None, result: AppResult) -> tuple[list[int], str]:
    """Up to SUGGESTIONS ports the app can take for a port in one click, none of them reserved;
    and, when there are none, why. In host mode with requirePorts a port is its host port too,
    so only service ports inside the agents' port ranges will do (spec §5): another would leave
    the task waiting forever for an offer with it."""
    policy = cluster.policy
    mine = [p.service_port for p in result.ports]
    required = result.network == HOST and result.app.get("requirePorts") is True
    if required:
        free = free_required_ports(cluster, mine, app)
    else:
        free = free_service_ports(cluster, policy.local_port_min, policy.local_port_max, mine)
    found = list(islice((p for p in free if p not in policy.reserved_ports), SUGGESTIONS))
    if found or not required:
        return found, ""
    agents = ", ".join(f"{low}-{high}" for low, high in policy.agent_port_ranges)
    meet = any(
        max(low, policy.local_port_min) <= min(high, policy.local_port_max)
        for low, high in policy.agent_port_ranges
    )
    why = (
        f"every service port in the agents' ranges ({agents}) is held"
        if meet
        else f"no port of the service-port range {policy.local_port_min}-"
        f"{policy.local_port_max} lies in the agents' ranges ({agents})"
    )
    return [], (
        f"with requirePorts its port is its host port too, and {why}. Turn requirePorts off to "
        "take any free service port and a random host port."
    )


def json_pane(raw: Any, posted: Posted | None = None) -> dict:
    """The JSON pane: the form's app as JSON; but when ``posted`` shows that the user typed into
    the pane since it was last filled, their text as they left it, marked ``edited``. Nothing
    typed there is replaced by the form until they load or discard it."""
    typed = posted.json_text if posted is not None else None
    if typed is not None and _digest(typed) != posted.json_shown:
        return {"text": typed, "shown": posted.json_shown, "edited": True}
    text = json.dumps(raw, indent=2)
    return {"text": text, "shown": _digest(text), "edited": False}


def _digest(text: str) -> str:
    # Browsers post a textarea's line breaks as CRLF; the pane was filled with LF.
    return hashlib.sha256(text.replace("\r\n", "\n").encode()).hexdigest()[:16]


# --- the page's answers to each request --------------------------------------------------------


def opened(
    cluster: Cluster, app: App | None, proposed: ProposedChange | None = None
) -> tuple[Preview, Notice]:
    """The page as it opens: the saved app (or a new one) in the form, with Marathon's rewrites
    of it listed; a saved draft the form cannot hold opens locked, its JSON in the pane.
    ``proposed``: a change proposed in a request opens instead, as of the version it was
    proposed against (so proposing it again is checked against that version)."""
    source = proposed.source if proposed else app.source if app else NEW_APP
    draft, notes = draft_for(cluster, source, app)
    if draft is None:
        return locked(cluster, app, notes, json.dumps(source, indent=2))
    if proposed is not None and app is not None:
        draft.app["version"] = str(proposed.base_version or "")
    return preview(cluster, app, draft), Notice(load_notes=tuple(notes))


def edited(cluster: Cluster, app: App | None, posted: Posted) -> tuple[Preview, Notice]:
    """A post of the form through one of its buttons (add or remove a row, a free port, show the
    form's app in the pane, or a plain preview)."""
    draft = edit(draft_of(cluster, app, posted), posted.kind, posted.arg)
    if posted.kind == "show_json":
        return preview(cluster, app, draft, pane=json_pane(app_from_draft(draft)[0])), Notice()
    return preview(cluster, app, draft, posted), Notice()


def loaded(cluster: Cluster, app: App | None, posted: Posted) -> tuple[Preview, Notice]:
    """The JSON pane loaded into the form; or, when it cannot be, why, beside the text, with the
    form as it was (or as saved, when the post carried no form)."""
    try:
        apps, _ = find_apps(parse_json(posted.json_text or "", "pasted JSON"), "pasted JSON")
        if len(apps) != 1:
            raise ReadError(
                f"found {len(apps)} apps; paste exactly one (import a fleet from the cluster page)",
                source="pasted JSON",
            )
    except ReadError as exc:
        return _refused(cluster, app, posted, [exc.describe()])
    draft, notes = draft_for(cluster, apps[0].app, app)
    if draft is None:
        return _refused(cluster, app, posted, notes)
    draft.app["version"] = posted.draft.app["version"] if app and posted.draft else ""
    # The pane now shows the loaded app as the form holds it (legacy fields rewritten).
    pane = json_pane(app_from_draft(draft)[0])
    return preview(cluster, app, draft, pane=pane), Notice(load_notes=tuple(notes))


def _refused(
    cluster: Cluster, app: App | None, posted: Posted, errors: list[str]
) -> tuple[Preview, Notice]:
    draft = posted.draft
    if draft is None:
        draft, problems = draft_for(cluster, app.source if app else NEW_APP, app)
        if draft is None:  # only a saved app the form cannot hold gets here
            return locked(cluster, app, problems, posted.json_text or "", json_errors=errors)
    return preview(cluster, app, draft, posted), Notice(json_errors=tuple(errors))


def locked(
    cluster: Cluster, app: App, problems: list[str], text: str, json_errors=()
) -> tuple[Preview, Notice]:
    """A draft saved from an import the form cannot hold: its JSON (``text``) in the pane to fix,
    and no Save that would replace it with an empty form."""
    empty = draft_from_app({"id": app.app_id, "networks": [{"mode": HOST}]}, app.version)
    pane = {"text": text, "shown": "", "edited": True}  # not the (empty) form's app
    notice = Notice(
        problem="This app cannot be shown in the form until these are fixed in the JSON below: "
        + "; ".join(problems),
        json_errors=tuple(json_errors),
        locked=True,
    )
    return preview(cluster, app, empty, pane=pane), notice


def draft_for(cluster: Cluster, raw, app: App | None) -> tuple[Draft | None, list]:
    """A draft for ``raw``, normalized as Marathon would (legacy fields rewritten), values typed
    into the form that the schema refuses kept as typed. Returns (None, errors) when the app
    cannot be read far enough to fill the form."""
    prepared = prepare(raw, cluster.policy)
    form_app = prepared.app
    if form_app is None and (found := typos(raw, prepared.errors)):
        # Values typed into the form that the schema refuses: read as typed (lenient.py).
        stood = prepare(stand_in(raw, found), cluster.policy)
        if stood.app is not None and stood_in(stood.app, found):
            prepared, form_app = stood, put_back(stood.app, found)
    if form_app is None:
        return None, [f"{e.path}: {e.message}" for e in prepared.errors]
    if len(prepared.entries) > MAX_ROWS:
        return None, [
            f"{prepared.list_path}: {len(prepared.entries):,} ports, and the form holds up to "
            f"{MAX_ROWS:,} (what one agent offers by default). Check it with `portplan check` "
            "or import it; the collision report and port map show it like any app"
        ]
    return draft_from_app(form_app, app.version if app else ""), list(prepared.warnings)


def draft_of(cluster: Cluster, app: App | None, posted: Posted) -> Draft:
    """The posted draft; a post without the form stands for the app as saved (or a new one)."""
    if posted.draft is not None:
        return posted.draft
    draft, _ = draft_for(cluster, app.source if app else NEW_APP, app)
    return draft or draft_from_app(NEW_APP)


def stale_diff(stale: App, raw: dict) -> str:
    """What the user is about to save against what was saved in between."""
    return "\n".join(
        difflib.unified_diff(
            json.dumps(stale.source, indent=2).splitlines(),
            json.dumps(raw, indent=2).splitlines(),
            f"saved by someone else (version {stale.version})",
            "your changes",
            lineterm="",
        )
    )
