"""JSON pointers (RFC 6901): built by the engine, read back by every reader of its messages."""

import pytest

from portplanner.marathon.pointers import pointer, port_index, resolve, split

APP = {
    "id": "/web",
    "env": {"A/B": "x", "C~D": "y"},
    "container": {"portMappings": [{"containerPort": 80}, {"containerPort": 443}]},
    "portDefinitions": [],
}


@pytest.mark.parametrize(
    ("parts", "path"),
    [
        ((), "/"),
        (("container", "portMappings", 1, "hostPort"), "/container/portMappings/1/hostPort"),
        (("env", "A/B"), "/env/A~1B"),
        (("env", "C~D"), "/env/C~0D"),
        (("labels", "~1"), "/labels/~01"),
    ],
)
def test_pointer_escapes_and_split_unescapes(parts, path):
    assert pointer(*parts) == path
    assert split(path) == [str(p) for p in parts]


@pytest.mark.parametrize(
    ("path", "value"),
    [
        ("/", APP),
        ("/env/A~1B", "x"),
        ("/env/C~0D", "y"),
        ("/container/portMappings/1/containerPort", 443),
    ],
)
def test_resolve_finds_the_value(path, value):
    assert resolve(APP, path) == value


@pytest.mark.parametrize(
    "path", ["/nothing", "/container/portMappings/2", "/portDefinitions/0", "/id/0", "/env/A/B"]
)
def test_resolve_of_a_missing_place_raises_lookup_error(path):
    with pytest.raises(LookupError):
        resolve(APP, path)


@pytest.mark.parametrize(
    ("path", "index"),
    [
        ("/portDefinitions/3/port", 3),
        ("/container/portMappings/0/labels/VIP_0", 0),
        ("/container/portMappings", None),
        ("/portDefinitions/²", None),
        ("/env/portDefinitions/1", None),
        ("/", None),
    ],
)
def test_port_index_names_the_port_a_pointer_lies_in(path, index):
    assert port_index(path) == index
