"""marathon-lb, the consumer of service ports: what it binds for an app (its labels read as
marathon_lb.py and config.py read them), the lb-port and lb-reserved-port collisions, the
blue/green alternate port, and the warnings about marathon-lb's labels."""

import pytest

from portplanner.marathon import check_fleet, resolve_app
from portplanner.marathon.collisions import (
    LB_PORT,
    LB_RESERVED_PORT,
    RESERVED_PORT,
    SERVICE_PORT,
    Holding,
    find_collisions,
)
from portplanner.marathon.lb import NO_GROUP, alt_port, lb_bind, parse_port

SVC = "/portDefinitions/0/port"
LABEL = "/labels/HAPROXY_0_PORT"
HTTP_CHECK = {"protocol": "HTTP", "portIndex": 0, "path": "/"}


def app(labels=None, **fields):
    return {"id": "/a", "cmd": "run", "labels": labels or {}, **fields}


@pytest.mark.parametrize(
    ("labels", "fields", "expected"),
    [
        pytest.param({}, {}, (10000, SVC, (NO_GROUP,), "tcp", ()), id="no-labels-no-group"),
        pytest.param({"HAPROXY_GROUP": "external"}, {},
                     (10000, SVC, ("external",), "tcp", ()), id="app-group"),
        pytest.param({"HAPROXY_GROUP": "internal", "HAPROXY_0_GROUP": "external"}, {},
                     (10000, SVC, ("external",), "tcp", ()), id="port-group-wins"),
        pytest.param({"HAPROXY_GROUP": "internal", "HAPROXY_1_GROUP": "external"}, {},
                     (10000, SVC, ("internal",), "tcp", ()), id="other-port-group-ignored"),
        pytest.param({"HAPROXY_GROUP": "external,internal"}, {},
                     (10000, SVC, ("external", "internal"), "tcp", ()), id="comma-separated"),
        pytest.param({"HAPROXY_GROUP": "external, internal"}, {},
                     (10000, SVC, ("external", " internal"), "tcp", ()), id="never-stripped"),
        pytest.param({"HAPROXY_GROUP": ""}, {}, (10000, SVC, (NO_GROUP,), "tcp", ()),
                     id="empty-group-is-no-group"),
        pytest.param({"HAPROXY_0_PORT": "10005"}, {},
                     (10005, LABEL, (NO_GROUP,), "tcp", ()), id="port-label"),
        pytest.param({"HAPROXY_0_PORT": " +0080 "}, {},
                     (80, LABEL, (NO_GROUP,), "tcp", ()), id="port-label-as-int-reads-it"),
        pytest.param({"HAPROXY_00_PORT": "10005"}, {},
                     (10000, SVC, (NO_GROUP,), "tcp", ()), id="leading-zero-never-read"),
        pytest.param({"HAPROXY_0_PORT": "ten"}, {}, None, id="unreadable-port-label"),
        pytest.param({"HAPROXY_0_PORT": "70000"}, {}, None, id="port-label-out-of-range"),
        pytest.param({"HAPROXY_0_ENABLED": "false"}, {}, None, id="disabled"),
        pytest.param({"HAPROXY_0_ENABLED": "Yes"}, {},
                     (10000, SVC, (NO_GROUP,), "tcp", ()), id="enabled"),
        pytest.param({"HAPROXY_0_VHOST": "Shop.Example.com,www.example.com"}, {},
                     (10000, SVC, (NO_GROUP,), "http", ("shop.example.com", "www.example.com")),
                     id="vhost-lower-cased-and-http"),
        pytest.param({"HAPROXY_0_VHOST": "shop.example.com", "HAPROXY_0_MODE": "TCP"}, {},
                     (10000, SVC, (NO_GROUP,), "tcp", ("shop.example.com",)),
                     id="mode-label-wins"),
        pytest.param({}, {"healthChecks": [HTTP_CHECK]},
                     (10000, SVC, (NO_GROUP,), "http", ()), id="http-health-check"),
        pytest.param({}, {"healthChecks": [{**HTTP_CHECK, "portIndex": 1}]},
                     (10000, SVC, (NO_GROUP,), "tcp", ()), id="other-port-health-check"),
        pytest.param({}, {"healthChecks": [{"protocol": "HTTP", "port": 8080}]},
                     (10000, SVC, (NO_GROUP,), "http", ()), id="health-check-by-port"),
        pytest.param({}, {"healthChecks": [{**HTTP_CHECK, "protocol": "MESOS_HTTP"}]},
                     (10000, SVC, (NO_GROUP,), "tcp", ()), id="only-HTTP-checks-count"),
    ],
)  # fmt: skip
def test_lb_bind_reads_labels_as_marathon_lb_does(labels, fields, expected):
    bind = lb_bind(app(labels, **fields), 0, 10000, SVC)
    if expected is None:
        assert bind is None
    else:
        assert (bind.port, bind.path, bind.groups, bind.mode, bind.vhosts) == expected


def test_lb_bind_nothing_without_a_service_port():
    assert lb_bind(app(), 0, 0, SVC) is None


@pytest.mark.parametrize(
    ("value", "port"),
    [
        ("10050", 10050),
        (" +010050\n", 10050),
        ("10_050", 10050),  # int() reads it, so marathon-lb binds it
        ("0", None),
        ("-80", None),
        ("65536", None),
        ("1e4", None),
        ("", None),
        ("9" * 5000, None),
    ],
)
def test_parse_port_and_alt_port(value, port):
    assert parse_port(value) == port
    assert alt_port(app({"HAPROXY_DEPLOYMENT_ALT_PORT": value})) == port


@pytest.mark.parametrize(
    ("labels", "describe"),
    [
        ({"HAPROXY_GROUP": "external", "HAPROXY_0_VHOST": "shop.example.com"},
         "binds 10000 in group external (http, vhost shop.example.com)"),
        ({"HAPROXY_0_GROUP": "external,internal", "HAPROXY_0_PORT": "10005"},
         "binds 10005 (HAPROXY_0_PORT) in groups external, internal (tcp)"),
        ({}, "binds 10000 in no group (only a marathon-lb run with --group '*' binds it) (tcp)"),
    ],
)  # fmt: skip
def test_lb_bind_describes_itself_for_the_preview(labels, describe):
    assert lb_bind(app(labels), 0, 10000, SVC).describe() == describe


def lb(app_id, port, path, group):
    return Holding(app_id, LB_PORT, port, None, path, group)


@pytest.mark.parametrize(
    ("holdings", "expected"),
    [
        pytest.param([lb("/a", 10005, LABEL, "ext"), lb("/b", 10005, SVC, "ext")],
                     [(LB_PORT, 10005, "ext", {"/a", "/b"})], id="label-meets-service-port"),
        pytest.param([lb("/a", 10005, LABEL, "ext"), lb("/b", 10005, LABEL, "ext")],
                     [(LB_PORT, 10005, "ext", {"/a", "/b"})], id="two-labels"),
        pytest.param([lb("/a", 10005, LABEL, "ext"), lb("/b", 10005, SVC, "int")], [],
                     id="different-groups"),
        pytest.param([lb("/a", 10005, SVC, "ext"), lb("/b", 10005, SVC, "ext")], [],
                     id="service-ports-alone-are-the-service-port-kind"),
        pytest.param([lb("/a", 10005, LABEL, ""), lb("/b", 10005, SVC, "")],
                     [(LB_PORT, 10005, "", {"/a", "/b"})], id="no-group-meets-no-group"),
        pytest.param([lb("/a", 10005, LABEL, "ext"), lb("/a", 10005, SVC, "ext")], [],
                     id="within-one-app-lint-says"),
        pytest.param([lb("/a", 9090, LABEL, "ext"), lb("/a", 9090, LABEL, "int")],
                     [(LB_RESERVED_PORT, 9090, None, {"/a"})], id="label-on-reserved-port"),
        pytest.param([lb("/a", 80, SVC, "ext")], [], id="service-port-reserved-is-other-kind"),
    ],
)  # fmt: skip
def test_find_collisions_lb_ports_meet_within_a_group(holdings, expected):
    found = find_collisions(holdings, reserved_ports=[80, 9090])
    assert [(c.kind, c.port, c.group, set(c.app_ids)) for c in found] == expected


def test_lb_collision_key_json_and_words_name_the_group():
    (c,) = find_collisions([lb("/a", 10005, LABEL, "ext"), lb("/b", 10005, SVC, "ext")])
    assert c.key == (LB_PORT, ("ext", 10005))
    assert c.to_json() == {
        "kind": "lb-port",
        "port": 10005,
        "value": None,
        "group": "ext",
        "apps": [{"id": "/a", "path": LABEL}, {"id": "/b", "path": SVC}],
    }
    assert c.describe() == (
        f"marathon-lb bind port 10005 in group ext is bound by /a ({LABEL}), /b ({SVC})"
    )


def test_check_fleet_finds_a_bind_port_label_on_another_apps_service_port_in_its_group():
    web = app({"HAPROXY_GROUP": "external"}, id="/web", portDefinitions=[{"port": 10005}])
    api = app(
        {"HAPROXY_GROUP": "external", "HAPROXY_0_PORT": "10005"},
        id="/api",
        portDefinitions=[{"port": 10100}],
    )
    internal = app(
        {"HAPROXY_GROUP": "internal", "HAPROXY_0_PORT": "10005"},
        id="/internal",
        portDefinitions=[{"port": 10200}],
    )
    fleet = check_fleet([web, api, internal])
    assert [(c.kind, c.group, c.holders) for c in fleet.collisions] == [
        (LB_PORT, "external", (("/web", SVC), ("/api", LABEL))),
    ]
    assert fleet.apps[1].to_json()["ports"][0]["marathonLb"] == {
        "port": 10005,
        "path": LABEL,
        "groups": ["external"],
        "mode": "tcp",
        "vhosts": [],
    }


def test_check_fleet_holds_the_alternate_port_as_a_service_port():
    zdd = app({"HAPROXY_DEPLOYMENT_ALT_PORT": "10001"}, id="/zdd", portDefinitions=[{"port": 0}])
    fixed = app(id="/fixed", portDefinitions=[{"port": 10001}])
    dynamic = app(id="/dynamic", portDefinitions=[{"port": 0}])
    fleet = check_fleet([zdd, fixed, dynamic])
    # Dynamic ports skip the alternate port as they skip fixed ones.
    assert [a.ports[0].service_port for a in fleet.apps] == [10000, 10001, 10002]
    alt = "/labels/HAPROXY_DEPLOYMENT_ALT_PORT"
    assert [(c.kind, c.port, c.holders) for c in fleet.collisions] == [
        (SERVICE_PORT, 10001, (("/zdd", alt), ("/fixed", SVC))),
    ]


def test_alternate_port_on_a_reserved_port_is_a_reserved_service_port():
    zdd = app({"HAPROXY_DEPLOYMENT_ALT_PORT": "9091"}, id="/zdd", portDefinitions=[{"port": 0}])
    assert [(c.kind, c.port) for c in check_fleet([zdd]).collisions] == [(RESERVED_PORT, 9091)]


def test_resolve_app_keeps_dynamic_ports_off_its_own_alternate_port():
    zdd = app({"HAPROXY_DEPLOYMENT_ALT_PORT": "10000"}, portDefinitions=[{"port": 0}])
    assert resolve_app(zdd).ports[0].service_port == 10001


def warnings_of(raw):
    return [(w.code, w.path) for w in resolve_app(raw).warnings if w.code.startswith("lb-")]


TWO_PORTS = [{"port": 10000}, {"port": 10001}]


@pytest.mark.parametrize(
    ("labels", "ports", "expected"),
    [
        pytest.param({"HAPROXY_0_PORT": "80a"}, TWO_PORTS,
                     [("lb-port-malformed", "/labels/HAPROXY_0_PORT")], id="port-not-a-number"),
        pytest.param({"HAPROXY_1_PORT": "0"}, TWO_PORTS,
                     [("lb-port-malformed", "/labels/HAPROXY_1_PORT")], id="port-zero"),
        pytest.param({"HAPROXY_1_PORT": "10_100"}, TWO_PORTS, [], id="port-int-reads"),
        pytest.param({"HAPROXY_DEPLOYMENT_ALT_PORT": "next"}, TWO_PORTS,
                     [("lb-port-malformed", "/labels/HAPROXY_DEPLOYMENT_ALT_PORT")],
                     id="alt-port-not-a-number"),
        pytest.param({"HAPROXY_2_VHOST": "x.example.com"}, TWO_PORTS,
                     [("lb-label-not-a-port", "/labels/HAPROXY_2_VHOST")], id="index-past-ports"),
        pytest.param({"HAPROXY_01_GROUP": "external"}, TWO_PORTS,
                     [("lb-label-not-a-port", "/labels/HAPROXY_01_GROUP")], id="leading-zero"),
        pytest.param({"HAPROXY_0_GROUP": "external"}, [],
                     [("lb-label-not-a-port", "/labels/HAPROXY_0_GROUP")], id="no-ports"),
        pytest.param({"HAPROXY_GROUP": "external, internal"}, TWO_PORTS,
                     [("lb-group-whitespace", "/labels/HAPROXY_GROUP")], id="group-spaces"),
        pytest.param({"HAPROXY_1_GROUP": " external"}, TWO_PORTS,
                     [("lb-group-whitespace", "/labels/HAPROXY_1_GROUP")], id="port-group-spaces"),
        pytest.param({"HAPROXY_0_MODE": "https"}, TWO_PORTS,
                     [("lb-mode-unknown", "/labels/HAPROXY_0_MODE")], id="mode-unknown"),
        pytest.param({"HAPROXY_0_MODE": "HTTP"}, TWO_PORTS, [], id="mode-any-case"),
        pytest.param({"HAPROXY_1_PORT": "10000"}, TWO_PORTS,
                     [("lb-port-shared", "/labels/HAPROXY_1_PORT")],
                     id="label-on-own-service-port"),
        pytest.param({"HAPROXY_0_PORT": "10001"}, TWO_PORTS,
                     [("lb-port-shared", "/labels/HAPROXY_0_PORT")],
                     id="label-on-later-service-port"),
        pytest.param({"HAPROXY_1_PORT": "10000", "HAPROXY_1_GROUP": "internal"}, TWO_PORTS, [],
                     id="other-group"),
        pytest.param({"HAPROXY_0_PORT": "10001", "HAPROXY_1_PORT": "10000"}, TWO_PORTS, [],
                     id="swapped"),
        pytest.param({"HAPROXY_GROUP": "external", "HAPROXY_0_PORT": "10080",
                      "HAPROXY_DEPLOYMENT_ALT_PORT": "10081"}, TWO_PORTS, [], id="clean"),
    ],
)  # fmt: skip
def test_lint_lb(labels, ports, expected):
    assert warnings_of(app(labels, portDefinitions=ports)) == expected


@pytest.mark.parametrize(
    ("value", "says"),
    [
        ("80a", 'every marathon-lb of the cluster stops updating its config ("Unexpected error!")'),
        ("70000", "HAProxy cannot bind it, and marathon-lb leaves the app out of its config"),
    ],
)
def test_lint_lb_port_malformed_says_what_marathon_lb_does_with_it(value, says):
    (warning,) = resolve_app(app({"HAPROXY_0_PORT": value}, portDefinitions=TWO_PORTS)).warnings
    assert says in warning.message and warning.fix.endswith("to bind the service port.")
