"""What the engine reports: errors (Marathon would reject the app) and warnings (it would not)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class AppError:
    """A rule Marathon enforces. ``message`` is Marathon's own text where Marathon has one."""

    path: str  # RFC 6901 pointer into the app; "/" for app-level rules, as Marathon reports them
    message: str

    def to_json(self) -> dict:
        return {"path": self.path, "message": self.message}


@dataclass(frozen=True, slots=True)
class AppWarning:
    """Something Marathon accepts silently but that will hurt: a stable ``code`` and a ``fix``."""

    code: str
    path: str
    message: str
    fix: str = ""

    def to_json(self) -> dict:
        text = f"{self.message} {self.fix}" if self.fix else self.message
        return {"code": self.code, "path": self.path, "message": text}


def counted(count: int, noun: str, plural: str = "") -> str:
    """``counted(1, "port mapping")`` is "1 port mapping", ``counted(2, ...)`` "2 port
    mappings": messages count in words, never "mapping(s)"."""
    return f"{count} {noun if count == 1 else plural or noun + 's'}"
