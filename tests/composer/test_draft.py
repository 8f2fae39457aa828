"""The composer's draft: form values <-> app JSON, both ways, losing nothing; and which form
field a message's JSON pointer is about."""

import json
from pathlib import Path

import pytest

from portplanner.composer.draft import Draft, app_from_draft, draft_from_app, field_for_pointer
from portplanner.marathon import prepare

APPS = Path(__file__).resolve().parents[1] / "fixtures" / "apps"
# A bridge app with a VIP, a fixed host port and fields the form does not model; a host app with
# requirePorts and a secret; an app on two container networks with per-mapping networkNames.
BRIDGE_APP, HOST_APP, CONTAINER_APP = (
    json.loads((APPS / name).read_text()) for name in ("bridge.json", "host.json", "container.json")
)


@pytest.mark.parametrize(
    "app", [BRIDGE_APP, HOST_APP, CONTAINER_APP], ids=["bridge", "host", "container"]
)
def test_draft_round_trip_is_lossless(app):
    rebuilt, notes = app_from_draft(draft_from_app(app))
    assert rebuilt == app
    assert notes == []


def test_draft_switching_mode_keeps_what_carries_over():
    draft = draft_from_app(BRIDGE_APP)
    draft.app["network_mode"] = "host"
    host_app, _ = app_from_draft(draft)
    assert [d["name"] for d in host_app["portDefinitions"] if "name" in d] == ["http"]
    assert host_app["portDefinitions"][1]["port"] == 10443
    assert "portMappings" not in host_app["container"]
    draft.app["network_mode"] = "container/bridge"
    back, _ = app_from_draft(draft)
    assert back == BRIDGE_APP


def test_draft_container_none_warns_before_dropping_container_fields():
    draft = draft_from_app(BRIDGE_APP)
    draft.app["network_mode"] = "host"
    draft.app["container_type"] = ""
    app, notes = app_from_draft(draft)
    assert "container" not in app
    assert notes and "container.volumes" in notes[0]


def test_draft_typed_text_reaches_the_engine_as_written():
    draft = draft_from_app(BRIDGE_APP)
    draft.ports[0]["container_port"] = "80x"
    app, _ = app_from_draft(draft)
    assert app["container"]["portMappings"][0]["containerPort"] == "80x"
    assert prepare(app).errors[0].path == "/container/portMappings/0/containerPort"


def test_draft_kept_fields_lists_what_the_form_does_not_show():
    kept = draft_from_app(BRIDGE_APP).kept_fields()
    assert {"healthChecks", "instances", "container.volumes", "container.docker.parameters"} <= set(
        kept
    )
    assert "env.DB_PASSWORD (secret)" in draft_from_app(HOST_APP).kept_fields()


@pytest.mark.parametrize(
    ("pointer", "field"),
    [
        ("/id", "id_app_id"),
        ("/cmd", "id_cmd"),
        ("/container/portMappings/1/hostPort", "id_ports-1-host_port"),
        ("/container/portMappings/0/labels/VIP_3", "id_ports-0-vip"),
        ("/container/portMappings/0/networkNames/0", "id_ports-0-network_names"),
        ("/portDefinitions/0/port", "id_ports-0-service_port"),
        ("/container/docker/image", "id_image"),
        ("/env/MODE", "id_env-0-value"),
        ("/networks", "network-mode"),
        ("/", None),
    ],
)
def test_field_for_pointer_maps_engine_paths_to_form_fields(pointer, field):
    draft = draft_from_app({**BRIDGE_APP, "env": {"MODE": "x"}})
    assert field_for_pointer(pointer, draft) == field


# --- views -----------------------------------------------------------------------------------

pytestmark_db = pytest.mark.django_db


def test_draft_is_a_plain_dataclass():
    draft = Draft(app={"network_mode": "bogus"})
    assert draft.mode == "host" and draft.base == {}


def test_bridge_port_not_exposed_gets_a_note_since_marathon_maps_it_anyway():
    draft = draft_from_app(BRIDGE_APP)
    draft.ports[0]["host_port_mode"] = "none"
    app, notes = app_from_draft(draft)
    assert "hostPort" not in app["container"]["portMappings"][0]
    assert notes and notes[0].startswith("Port 0: bridge networking always maps a host port")
