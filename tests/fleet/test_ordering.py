"""The app list's natural order of ids, as the stored key gives it."""

import pytest

from portplanner.fleet.ordering import SORT_KEY_LENGTH, natural_sort_key


@pytest.mark.parametrize(
    "ids",
    [
        ["/mactest1", "/mactest2", "/mactest10", "/mactest100"],
        ["/svc-9", "/svc-10", "/svc-10a", "/svc-11"],
        # A group's apps stay together: "/" sorts before every other character.
        ["/team1/z", "/team1-old/a", "/team2/a", "/team10/a"],
        ["/a/z", "/a-b", "/a.b", "/a2", "/a10", "/ab"],
        ["/v007", "/v7b", "/v8"],  # leading zeros do not count
        ["/a", "/B", "/c"],  # case is ignored (Marathon ids are lower case; drafts may not be)
        ["/z", "/é", "/中"],  # non-ASCII after ASCII, by code point
        ["/x9", "/x²"],  # "²" is not a digit here
    ],
)
def test_natural_sort_key_orders_ids(ids):
    assert sorted(ids, key=natural_sort_key) == ids
    assert sorted(reversed(ids), key=natural_sort_key) == ids


@pytest.mark.parametrize("app_id", ["/a1b22", "/é/中", "/" + "1a" * 300, "/" + "9" * 499])
def test_natural_sort_key_is_hex_digits_within_the_column(app_id):
    # 0-9 and a-f only: every collation orders such text alike (SQLite's, PostgreSQL's).
    key = natural_sort_key(app_id)
    assert set(key) <= set("0123456789abcdef")
    assert len(key) <= SORT_KEY_LENGTH
