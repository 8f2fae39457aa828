"""The composer's draft: form values <-> app JSON, both ways, losing nothing; and which form
field a message's JSON pointer is about."""

import json
from pathlib import Path

import pytest
from django.http import QueryDict

from portplanner.composer.draft import (
    Draft,
    app_from_draft,
    draft_from_app,
    edit,
    field_for_pointer,
    read_post,
)
from portplanner.marathon import prepare

APPS = Path(__file__).resolve().parents[1] / "fixtures" / "apps"
# A bridge app with a VIP, a fixed host port and fields the form does not model; a host app with
# requirePorts and a secret; an app on two container networks with per-mapping networkNames; a
# host app with marathon-lb labels: fields, one of several lines, a blank one, one for no port.
BRIDGE_APP, HOST_APP, CONTAINER_APP, LB_APP = (
    json.loads((APPS / name).read_text())
    for name in ("bridge.json", "host.json", "container.json", "marathon-lb.json")
)


@pytest.mark.parametrize(
    "app",
    [BRIDGE_APP, HOST_APP, CONTAINER_APP, LB_APP],
    ids=["bridge", "host", "container", "marathon-lb"],
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
    assert {"container.volumes", "container.docker.parameters"} <= set(kept)
    assert "healthChecks" not in kept and "instances" not in kept  # fields of the form now
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
        ("/labels/HAPROXY_GROUP", "id_lb_group"),
        ("/labels/HAPROXY_DEPLOYMENT_ALT_PORT", "id_lb_alt_port"),
        ("/labels/HAPROXY_1_PORT", "id_ports-1-lb_port"),
        ("/labels/HAPROXY_0_MODE", "id_ports-0-lb_mode"),
        ("/labels/HAPROXY_0_BACKEND_HEAD", "id_ports-0-name"),
        ("/labels/HAPROXY_2_PORT", None),
        ("/labels/team", None),
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


def test_read_post_reads_the_form_the_button_and_the_json_pane():
    data = QueryDict(mutable=True)
    data.update({"app_id": "/web", "ports-TOTAL_FORMS": "1", "ports-0-service_port": "10001"})
    data.update({"action": "set_service_port:0:10002", "json": "{}", "json_shown": "abc"})
    posted = read_post(data)
    assert posted.draft.app["app_id"] == "/web"
    assert posted.draft.ports[0]["service_port"] == "10001"
    assert (posted.kind, posted.arg) == ("set_service_port", "0:10002")
    assert (posted.json_text, posted.json_shown) == ("{}", "abc")
    assert read_post(QueryDict("action=load_json")).draft is None


@pytest.mark.parametrize("total", ["²", "-1", "1" * 5000, ""])
def test_read_post_reads_no_rows_from_a_count_int_cannot_read(total):
    assert read_post(QueryDict(f"app_id=/a&ports-TOTAL_FORMS={total}")).draft.ports == []


@pytest.mark.parametrize(
    ("kind", "arg", "ports"),
    [
        ("add_port", "", ["10000", "10001", ""]),
        ("remove_port", "1", ["10000"]),
        ("remove_port", "²", ["10000", "10001"]),
        ("remove_port", "9" * 5000, ["10000", "10001"]),
        ("remove_port", "7", ["10000", "10001"]),
        ("set_service_port", "1:10500", ["10000", "10500"]),
        ("set_service_port", "1:²", ["10000", "10001"]),
        ("set_service_port", "1:" + "9" * 5000, ["10000", "10001"]),
        ("clear_lb_port", "1", ["10000", "10001"]),
        ("unknown", "", ["10000", "10001"]),
    ],
)
def test_edit_applies_the_forms_buttons_and_ignores_what_it_cannot_read(kind, arg, ports):
    draft = draft_from_app(prepare({"id": "/a", "cmd": "x", "ports": [10000, 10001]}).app)
    edited = edit(draft, kind, arg)
    assert [row.get("service_port", "") for row in edited.ports] == ports
    assert len(draft.ports) == 2  # the draft edited is left as it was


def test_edit_clear_lb_port_drops_the_rows_bind_port_only():
    draft = draft_from_app(LB_APP)
    edited = edit(draft, "clear_lb_port", "0")
    assert edited.ports[0]["lb_port"] == "" and edited.ports[0]["lb_vhost"] == "api.example.com"
    assert "HAPROXY_0_PORT" not in app_from_draft(edited)[0]["labels"]


# --- marathon-lb's labels: app labels, shown on the port row they are for -----------------------


def test_draft_marathon_lb_labels_are_fields_of_their_port_row_and_of_the_app():
    draft = draft_from_app(LB_APP)
    assert (draft.app["lb_group"], draft.app["lb_alt_port"]) == ("external", "10081")
    first, second = draft.ports
    assert {k: first[k] for k in ("lb_group", "lb_vhost", "lb_port", "lb_mode")} == {
        "lb_group": "",
        "lb_vhost": "api.example.com",
        "lb_port": "10080",
        "lb_mode": "HTTP",
    }
    # Several lines, or blank: a text field cannot hold them as they are, so they ride along.
    assert json.loads(first["lb_extra"]) == {
        "BACKEND_HEAD": "backend {backend}\n  balance {balance}\n"
    }
    assert json.loads(second["lb_extra"]) == {"GROUP": "", "ENABLED": "false"}
    # The port's own labels stay the port's; the app's others, and one for no port, stay put.
    assert second["vip"] == "/shop/api:81"
    assert json.loads(draft.app["base"])["labels"] == {
        "team": "shop",
        "HAPROXY_7_PORT": "10099",
        "HAPROXY_DEPLOYMENT_GROUP": "api",
    }


def test_draft_removing_a_port_row_takes_its_labels_and_renumbers_the_rest():
    draft = draft_from_app(LB_APP)
    app, notes = app_from_draft(edit(draft, "remove_port", "0"))
    assert app["labels"] == {
        "team": "shop",
        "HAPROXY_7_PORT": "10099",
        "HAPROXY_DEPLOYMENT_GROUP": "api",
        "HAPROXY_GROUP": "external",
        "HAPROXY_DEPLOYMENT_ALT_PORT": "10081",
        "HAPROXY_0_GROUP": "",
        "HAPROXY_0_ENABLED": "false",
    }
    assert app["portDefinitions"] == [
        {"port": 10001, "protocol": "tcp", "labels": {"VIP_0": "/shop/api:81"}}
    ]
    assert notes == []


def test_draft_typed_marathon_lb_fields_become_labels_as_typed_and_blank_ones_go():
    draft = draft_from_app(LB_APP)
    draft.app["lb_group"] = ""
    draft.ports[1].update(lb_group="internal, edge", lb_port=" 10090", lb_mode="tcp")
    draft.ports[0].update(lb_vhost="", lb_mode="")
    labels = app_from_draft(draft)[0]["labels"]
    assert "HAPROXY_GROUP" not in labels and "HAPROXY_0_VHOST" not in labels
    assert "HAPROXY_0_MODE" not in labels
    assert (labels["HAPROXY_1_GROUP"], labels["HAPROXY_1_PORT"]) == ("internal, edge", " 10090")
    assert labels["HAPROXY_1_MODE"] == "tcp" and labels["HAPROXY_1_ENABLED"] == "false"


def test_draft_a_new_app_gets_labels_only_once_a_marathon_lb_field_is_typed():
    draft = draft_from_app(prepare({"id": "/a", "cmd": "x", "ports": [0]}).app)
    assert "labels" not in app_from_draft(draft)[0]
    draft.ports[0]["lb_port"] = "10080"
    assert app_from_draft(draft)[0]["labels"] == {"HAPROXY_0_PORT": "10080"}


def test_draft_a_port_added_where_a_loaded_label_for_no_port_points_says_so():
    draft = draft_from_app(LB_APP)
    for _ in range(6):
        draft = edit(draft, "add_port", "")
    app, notes = app_from_draft(draft)
    assert app["labels"]["HAPROXY_7_PORT"] == "10099"
    assert notes == [
        "Port 7: HAPROXY_7_PORT from the loaded app's labels now apply to this port; edit them "
        "in the JSON."
    ]


@pytest.mark.parametrize("labels", [{}, None])
def test_draft_an_empty_or_null_labels_is_kept(labels):
    app = {**HOST_APP, "labels": labels}
    assert app_from_draft(draft_from_app(app))[0] == app


def test_draft_kept_fields_leave_out_labels_that_are_all_fields_now():
    app = {**HOST_APP, "labels": {"HAPROXY_GROUP": "external"}}
    assert "labels" not in draft_from_app(app).kept_fields()
    assert "labels" in draft_from_app(LB_APP).kept_fields()  # team, and one for no port


# --- the fields that decide where tasks land and what probes their ports ------------------------

PLACED_APP = {
    **HOST_APP,
    "instances": 3,
    "cpus": 0.25,
    "mem": 128.0,
    "constraints": [["hostname", "UNIQUE"], ["rack_id", "LIKE", "rack-[0-9]:a"]],
    "healthChecks": [
        {"protocol": "MESOS_HTTP", "portIndex": 0, "path": "/health", "gracePeriodSeconds": 30},
        {"protocol": "TCP", "port": 31005},
        {"protocol": "COMMAND", "command": {"value": "true"}},
        {"path": "/", "portIndex": None},
    ],
    "readinessChecks": [{"name": "ready", "portName": "http", "path": "/ready"}, {"name": "x"}],
}


@pytest.mark.parametrize(
    "changes",
    [
        {},
        {"constraints": [], "healthChecks": [], "readinessChecks": []},
        {"constraints": [["a:b", "UNIQUE"]], "instances": None, "cpus": 1e-7},
        {"constraints": [["hostname", "UNIQUE", "x", "y"]], "mem": 2.5e16},
        {"constraints": [["host\nname", "UNIQUE"]], "cpus": True},
        {"healthChecks": [{"protocol": 7, "portIndex": True, "port": 1.5}]},
        {"healthChecks": ["not a check"], "readinessChecks": {"portName": "x"}},
    ],
    ids=["fields", "empty", "colon", "four-parts", "line-break", "odd-keys", "odd-shapes"],
)
def test_draft_round_trip_of_checks_placement_and_resources_is_lossless(changes):
    app = {**PLACED_APP, **changes}
    rebuilt, notes = app_from_draft(draft_from_app(app))
    assert json.dumps(rebuilt, sort_keys=True) == json.dumps(app, sort_keys=True)
    assert notes == []


def test_draft_checks_placement_and_resources_are_fields():
    draft = draft_from_app(PLACED_APP)
    fields = {k: draft.app[k] for k in ("instances", "cpus", "mem", "constraints")}
    assert fields == {
        "instances": "3",
        "cpus": "0.25",
        "mem": "128.0",
        "constraints": "hostname:UNIQUE\nrack_id:LIKE:rack-[0-9]:a",
    }
    assert [(h["protocol"], h["port_index"], h["port"]) for h in draft.health] == [
        ("MESOS_HTTP", "0", ""),
        ("TCP", "", "31005"),
        ("COMMAND", "", ""),
        ("", "", ""),
    ]
    assert json.loads(draft.health[3]["extra"]) == {"path": "/", "portIndex": None}
    assert [r["port_name"] for r in draft.readiness] == ["http", ""]
    assert "healthChecks" not in draft.kept_fields() and "constraints" not in draft.kept_fields()


def test_draft_typed_checks_placement_and_resources_become_json():
    draft = draft_from_app(HOST_APP)
    draft.app.update(
        instances=" 2", cpus="0.5", mem="1e3", constraints="hostname:UNIQUE\n\n rack:GROUP_BY:3"
    )
    draft = edit(draft, "add_health", "")
    draft.health[0].update(protocol="MESOS_TCP", port_index="1")
    draft = edit(edit(draft, "add_readiness", ""), "add_health", "")
    draft.readiness[0]["port_name"] = "http"
    app, _ = app_from_draft(draft)
    assert (app["instances"], app["cpus"], app["mem"]) == (2, 0.5, 1000.0)
    assert app["constraints"] == [["hostname", "UNIQUE"], [" rack", "GROUP_BY", "3"]]
    assert app["healthChecks"] == [{"protocol": "MESOS_TCP", "portIndex": 1}, {}]
    assert app["readinessChecks"] == [{"portName": "http"}]
    draft.app.update(instances="three", cpus="", mem="")
    app, _ = app_from_draft(draft)
    assert app["instances"] == "three" and "cpus" not in app and "mem" not in app


def test_draft_removing_a_port_moves_the_health_checks_after_it():
    draft = draft_from_app(
        {**HOST_APP, "healthChecks": [{"portIndex": 0}, {"portIndex": 1}, {"portIndex": 2}]}
    )
    draft.health[2]["port_index"] = "x"
    edited = edit(draft, "remove_port", "0")
    assert [h["port_index"] for h in edited.health] == ["0", "0", "x"]


@pytest.mark.parametrize(
    ("pointer", "field"),
    [
        ("/instances", "id_instances"),
        ("/constraints/1/1", "id_constraints"),
        ("/healthChecks/0", "id_health-0-port_index"),
        ("/healthChecks/1/port", "id_health-1-port"),
        ("/healthChecks/9", None),
        ("/readinessChecks/0/portName", "id_readiness-0-port_name"),
    ],
)
def test_field_for_pointer_maps_checks_and_placement(pointer, field):
    assert field_for_pointer(pointer, draft_from_app(PLACED_APP)) == field
