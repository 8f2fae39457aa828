"""Stage 1: read JSON documents and find the apps in them.

Accepted shapes: one app, a list of apps, a ``/v2/apps`` response (``{"apps": [...]}``) and
group JSON (``{"id": "/", "apps": [...], "groups": [...]}``, nested). Relative app ids inside
groups are resolved against the group's id, as Marathon does (``PathId.canonicalPath``)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from .findings import counted
from .pointers import pointer


class ReadError(ValueError):
    """The input cannot be read. Carries where (line/column or a JSON pointer) and what to do."""

    def __init__(
        self,
        message: str,
        *,
        source: str = "",
        line: int | None = None,
        column: int | None = None,
        path: str | None = None,
    ):
        self.message = message
        self.source = source
        self.line = line
        self.column = column
        self.path = path
        super().__init__(self.describe())

    def describe(self) -> str:
        where = self.source or "input"
        if self.line is not None:
            where += f":{self.line}:{self.column}"
        if self.path:
            where += f" at {self.path}"
        return f"{where}: {self.message}"


@dataclass(frozen=True, slots=True)
class SourcedApp:
    """An app as found in a document: the raw object and where it was found."""

    app: Any
    source: str  # file name or "<input>"
    path: str  # JSON pointer of the app inside its document, "" for a lone app


@dataclass(frozen=True, slots=True)
class ReadNote:
    """Something in the document that is not an app and that Port Planner does not plan."""

    source: str
    path: str
    message: str


def parse_json(text: str | bytes, source: str = "<input>") -> Any:
    if isinstance(text, bytes):
        try:
            text = text.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise ReadError(
                f"not UTF-8 text (byte {exc.start}); save the file as UTF-8 JSON", source=source
            ) from None
    if not text.strip():
        raise ReadError("the document is empty; paste or upload Marathon app JSON", source=source)
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ReadError(
            f"invalid JSON: {exc.msg}", source=source, line=exc.lineno, column=exc.colno
        ) from None
    except RecursionError:
        raise ReadError("the JSON is nested too deeply", source=source) from None
    except ValueError as exc:
        # e.g. a number of more than 4,300 digits (Python's int limit): hostile or broken input.
        raise ReadError(f"unreadable JSON value: {exc}", source=source) from None
    if (path := too_deep(document)) is not None:
        raise ReadError(
            f"the JSON is nested more than {MAX_DEPTH} levels deep (Marathon apps and groups "
            "need far fewer); flatten it",
            source=source,
            path=path,
        )
    return document


# Deeper than any app or group (an app nests about 6 levels, a group a few per level), and far
# below Python's recursion limit, which the JSON Schema validator and json.dumps would hit.
MAX_DEPTH = 64


def too_deep(document: Any) -> str | None:
    """The pointer of the first value nested deeper than MAX_DEPTH, or None. Walks the document
    without recursion."""
    stack: list[tuple[Any, str, int]] = [(document, "", 0)]
    while stack:
        node, path, depth = stack.pop()
        if isinstance(node, dict):
            items = ((str(k), v) for k, v in node.items())
        elif isinstance(node, list):
            items = ((str(i), v) for i, v in enumerate(node))
        else:
            continue
        if depth == MAX_DEPTH:
            return path or "/"
        for key, value in items:
            if isinstance(value, (dict, list)):
                stack.append((value, path + pointer(key), depth + 1))
    return None


def find_apps(document: Any, source: str = "<input>") -> tuple[list[SourcedApp], list[ReadNote]]:
    """Return the apps in a parsed document, in document order, and notes on what was skipped."""
    apps: list[SourcedApp] = []
    notes: list[ReadNote] = []
    if isinstance(document, list):
        for i, item in enumerate(document):
            _expect_object(item, source, f"/{i}")
            apps.append(SourcedApp(item, source, f"/{i}"))
    elif isinstance(document, dict):
        if "apps" in document or "groups" in document:
            _walk_group(document, "", "/", source, apps, notes, depth=0)
        else:
            apps.append(SourcedApp(document, source, ""))
    else:
        raise ReadError(
            f"expected an app object, a list of apps or a group, got {_kind(document)}",
            source=source,
        )
    return apps, notes


def read_apps(
    text: str | bytes, source: str = "<input>"
) -> tuple[list[SourcedApp], list[ReadNote]]:
    return find_apps(parse_json(text, source), source)


_MAX_GROUP_DEPTH = 64


def _walk_group(
    group: dict,
    path: str,
    parent_id: str,
    source: str,
    apps: list[SourcedApp],
    notes: list[ReadNote],
    depth: int,
) -> None:
    if depth > _MAX_GROUP_DEPTH:
        raise ReadError("groups are nested too deeply", source=source, path=path or "/")
    group_id = group.get("id", parent_id)
    if not isinstance(group_id, str):
        raise ReadError(
            "a group id must be a string such as /shop", source=source, path=f"{path}/id"
        )
    group_id = canonical_path(group_id, parent_id)
    for key in ("apps", "groups"):
        if group.get(key) is not None and not isinstance(group[key], list):
            raise ReadError(f'"{key}" must be a list', source=source, path=f"{path}/{key}")
    for i, app in enumerate(group.get("apps") or ()):
        app_path = f"{path}/apps/{i}"
        _expect_object(app, source, app_path)
        app_id = app.get("id")
        if isinstance(app_id, str) and app_id and not app_id.startswith("/"):
            # Apps in a group may use ids relative to the group (GroupNormalization,
            # withCanonizedIds).
            app = {**app, "id": canonical_path(app_id, group_id)}
        apps.append(SourcedApp(app, source, app_path))
    for i, sub in enumerate(group.get("groups") or ()):
        sub_path = f"{path}/groups/{i}"
        _expect_object(sub, source, sub_path)
        _walk_group(sub, sub_path, group_id, source, apps, notes, depth + 1)
    pods = group.get("pods")
    if isinstance(pods, list) and pods:
        notes.append(
            ReadNote(
                source,
                f"{path}/pods",
                f"{counted(len(pods), 'pod')} not planned: pods have no "
                "service ports and are out of Port Planner's scope",
            )
        )


def canonical_path(path_id: str, base: str = "/") -> str:
    """Marathon's ``PathId.canonicalPath``: resolve ``.``/``..`` and relative ids against "
    "``base``."""
    parts = [] if path_id.startswith("/") else [p for p in base.split("/") if p]
    for segment in path_id.split("/"):
        if segment in ("", "."):
            continue
        if segment == "..":
            if parts:
                parts.pop()
        else:
            parts.append(segment)
    return "/" + "/".join(parts)


def _expect_object(item: Any, source: str, path: str) -> None:
    if not isinstance(item, dict):
        raise ReadError(
            f"expected an app (a JSON object), got {_kind(item)}", source=source, path=path
        )


def _kind(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "a list"
    return "an object"


__all__ = [
    "ReadError",
    "ReadNote",
    "SourcedApp",
    "canonical_path",
    "find_apps",
    "parse_json",
    "read_apps",
]
