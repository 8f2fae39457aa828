"""The app list's natural order of app ids (/team2 before /team10), as a key stored beside each app
so that the database sorts by an indexed column.

The key is plain text made only of the characters 0-9 and a-f. Any collation orders such strings
character by character with digits first: SQLite's BINARY, PostgreSQL's "C" and the en_US or ICU
collations a PostgreSQL database is often created with (which, on the ids themselves, would skip
the "/" and "-" that SQLite compares). So the order is the same on both databases."""

from __future__ import annotations

import re

# Long enough for any id of up to 500 ASCII characters; a longer key is cut, and ids that differ
# only past the cut are put in order by the id itself (the list's second sort column).
SORT_KEY_LENGTH = 1000
_RUNS = re.compile(r"[0-9]+|[^0-9]")
_DIGITS = "0123456789"


def natural_sort_key(app_id: str) -> str:
    """Each character of the lower-cased id as two hex digits of its code (after every other
    ASCII character: "f" and six digits), except that "/" sorts first, so a group's apps stay
    together, and a run of digits sorts as its number: "30" (where "0" would be), its digit count
    (three hex digits, leading zeros dropped), then its digits. So "/a/z" < "/a-b" < "/a2" <
    "/a10" < "/ab"."""
    parts = []
    for run in _RUNS.findall(app_id.lower()):
        if run[0] in _DIGITS:  # not str.isdigit(), which "²" passes
            digits = run.lstrip("0")
            parts.append(f"30{len(digits):03x}{digits}")
        elif run == "/":
            parts.append("00")
        elif run < "\x80":
            parts.append(f"{ord(run):02x}")
        else:
            parts.append(f"f{ord(run):06x}")
    return "".join(parts)[:SORT_KEY_LENGTH]
