"""Stage 3a: JSON Schema validation of the fields Port Planner models (``app.schema.json``).

This plays the part of Marathon's RAML-generated JSON reader (spec §1): types, ranges, name
patterns and enums. Marathon answers these with keys like ``error.max``; we answer with a
sentence that says what to do."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator

from .findings import AppError
from .pointers import pointer

SCHEMA_PATH = Path(__file__).with_name("app.schema.json")
APP_SCHEMA: dict = json.loads(SCHEMA_PATH.read_text())


def _inline_refs(node: Any, defs: dict) -> Any:
    """The schema with every local ``$ref`` replaced by its definition. It has no recursive
    references, and following refs was a third of the validation time."""
    if isinstance(node, dict):
        ref = node.get("$ref", "")
        if ref.startswith("#/$defs/"):
            rest = {k: v for k, v in node.items() if k != "$ref"}
            return {**_inline_refs(defs[ref.removeprefix("#/$defs/")], defs), **rest}
        return {k: _inline_refs(v, defs) for k, v in node.items() if k != "$defs"}
    if isinstance(node, list):
        return [_inline_refs(v, defs) for v in node]
    return node


VALIDATOR = Draft202012Validator(_inline_refs(APP_SCHEMA, APP_SCHEMA["$defs"]))

_TYPE_WORDS = {
    "string": "a string",
    "integer": "a whole number",
    "number": "a number",
    "boolean": "true or false",
    "array": "a list",
    "object": "an object",
}


def schema_errors(app: Any) -> list[AppError]:
    errors = [_to_app_error(e) for e in VALIDATOR.iter_errors(app)]
    errors.sort(key=lambda e: e.path)
    return errors


def _to_app_error(error) -> AppError:
    parts = list(error.absolute_path)
    keyword = error.validator
    hint = error.schema.get("x-hint") if isinstance(error.schema, dict) else None
    if keyword == "required":
        missing = error.message.split("'")[1]
        return AppError(pointer(*parts, missing), "is required")
    if keyword == "type":
        expected = error.validator_value
        expected = [expected] if isinstance(expected, str) else expected
        words = " or ".join(_TYPE_WORDS[t] for t in expected if t != "null")
        return AppError(pointer(*parts), hint or f"must be {words}")
    if keyword == "pattern" and isinstance(error.instance, str):
        if error.instance.replace(" ", "").lower() == "tcp,udp":
            # Marathon 1.4 accepted "tcp,udp"; 1.5+ rejects it (MARATHON-8575).
            return AppError(pointer(*parts), 'must be tcp, udp or udp,tcp: write "udp,tcp"')
        return AppError(pointer(*parts), hint or f"must match {error.validator_value}")
    if keyword in ("minimum", "maximum"):
        return AppError(pointer(*parts), hint or error.message)
    if keyword == "minLength":
        return AppError(pointer(*parts), "must not be empty")
    if keyword == "maxLength":
        return AppError(pointer(*parts), f"must be at most {error.validator_value} characters")
    return AppError(pointer(*parts), hint or error.message)
