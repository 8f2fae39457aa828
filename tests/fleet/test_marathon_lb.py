"""marathon-lb binds in the fleet: the rows saved apps get (LbBind, the alternate port's row),
and every query that reads them: the composer's collisions, the cluster's, the app list's count
and search, the port map."""

import pytest
from django.urls import reverse

from portplanner.fleet.deploy import save_app, storage_problem
from portplanner.fleet.queries import (
    app_rows,
    cluster_collisions,
    fleet_collisions,
    lb_shared_pairs,
    port_cells,
    resolve_in_cluster,
)
from portplanner.history.record import Actor
from portplanner.models import App, Cluster, LbBind, PortAllocation

BY = Actor(None, "test")

pytestmark = pytest.mark.django_db

LABEL = "/labels/HAPROXY_0_PORT"
SVC = "/portDefinitions/0/port"
ALT = "/labels/HAPROXY_DEPLOYMENT_ALT_PORT"


def app(app_id, port, **labels):
    return {"id": app_id, "cmd": "run", "labels": labels, "portDefinitions": [{"port": port}]}


@pytest.fixture
def cluster(db):
    """A service-port range of 100, so the port map shows one port per cell."""
    return Cluster.objects.create(name="prod", local_port_min=10000, local_port_max=10099)


@pytest.fixture
def fleet(cluster):
    """/web binds its service port 10005 in external; /api binds 10005 by its label there too;
    /internal binds 10005 by label in internal only; /stats binds marathon-lb's 9090."""
    save_app(cluster, app("/web", 10005, HAPROXY_GROUP="external"), by=BY)
    save_app(cluster, app("/api", 10010, HAPROXY_GROUP="external", HAPROXY_0_PORT="10005"), by=BY)
    save_app(
        cluster, app("/internal", 10011, HAPROXY_GROUP="internal", HAPROXY_0_PORT="10005"), by=BY
    )
    save_app(cluster, app("/stats", 10012, HAPROXY_0_PORT="9090"), by=BY)
    return cluster


def test_save_app_stores_one_bind_row_per_group(cluster):
    saved, _ = save_app(
        cluster, app("/web", 0, HAPROXY_0_GROUP="external,internal", HAPROXY_0_PORT="10080"), by=BY
    )
    rows = LbBind.objects.filter(app=saved).values_list("path", "group", "port", "by_label")
    assert sorted(rows) == [(LABEL, "external", 10080, True), (LABEL, "internal", 10080, True)]
    plain, _ = save_app(cluster, app("/plain", 0), by=BY)
    assert list(LbBind.objects.filter(app=plain).values_list("path", "group", "port")) == [
        (SVC, "", 10001)
    ]


def test_save_app_update_replaces_bind_rows_and_disabled_ports_bind_nothing(cluster):
    saved, _ = save_app(cluster, app("/web", 10000, HAPROXY_GROUP="external"), by=BY)
    saved, _ = save_app(cluster, app("/web", 10000, HAPROXY_0_ENABLED="false"), app=saved, by=BY)
    assert not LbBind.objects.filter(app=saved).exists()


def test_save_app_holds_the_alternate_port_as_a_service_port_row(cluster):
    saved, _ = save_app(cluster, app("/zdd", 0, HAPROXY_DEPLOYMENT_ALT_PORT="10001"), by=BY)
    rows = PortAllocation.objects.filter(app=saved).values_list("path", "service_port", "alternate")
    assert list(rows) == [("/portDefinitions/0", 10000, False), (ALT, 10001, True)]
    # Dynamic ports of other apps skip it; its update reuses its own port, not the alternate.
    _, other = save_app(cluster, app("/other", 0), by=BY)
    assert other.ports[0].service_port == 10002
    _, again = save_app(
        cluster, app("/zdd", 0, HAPROXY_DEPLOYMENT_ALT_PORT="10001"), app=saved, by=BY
    )
    assert again.ports[0].service_port == 10000


def test_alternate_port_collides_with_another_apps_service_port(cluster):
    save_app(cluster, app("/zdd", 0, HAPROXY_DEPLOYMENT_ALT_PORT="10050"), by=BY)
    save_app(cluster, app("/fixed", 10050), by=BY)
    assert [(c.kind, c.port, c.holders) for c in cluster_collisions(cluster)] == [
        ("service-port", 10050, (("/fixed", SVC), ("/zdd", ALT))),
    ]


def test_cluster_collisions_binds_meet_only_in_one_group_and_labels_on_reserved_ports(fleet):
    assert [(c.kind, c.port, c.group, c.holders) for c in cluster_collisions(fleet)] == [
        ("lb-port", 10005, "external", (("/api", LABEL), ("/web", SVC))),
        ("lb-reserved-port", 9090, None, (("/stats", LABEL),)),
    ]
    assert lb_shared_pairs(fleet) == [("external", 10005)]


def test_cluster_collisions_two_service_port_binds_are_only_the_service_port_kind(cluster):
    save_app(cluster, app("/a", 10005, HAPROXY_GROUP="external"), by=BY)
    save_app(cluster, app("/b", 10005, HAPROXY_GROUP="external"), by=BY)
    assert [c.kind for c in cluster_collisions(cluster)] == ["service-port"]


def test_fleet_collisions_of_a_composed_app_find_binds_in_its_groups(fleet):
    raw = app("/new", 0, HAPROXY_GROUP="internal,external", HAPROXY_0_PORT="10005")
    result = resolve_in_cluster(fleet, raw)
    found = [(c.kind, c.group, c.holders) for c in fleet_collisions(fleet, result, None)]
    assert found == [
        ("lb-port", "external", (("/new", LABEL), ("/api", LABEL), ("/web", SVC))),
        ("lb-port", "internal", (("/new", LABEL), ("/internal", LABEL))),
    ]


def test_fleet_collisions_a_service_port_bind_meets_only_labelled_binds(fleet):
    # /new's service port 10010 is /api's too (the service-port kind); /api binds 10005 instead.
    result = resolve_in_cluster(fleet, app("/new", 10011, HAPROXY_GROUP="internal"))
    assert [c.kind for c in fleet_collisions(fleet, result, None)] == ["service-port"]
    result = resolve_in_cluster(fleet, app("/new", 10005, HAPROXY_GROUP="internal"))
    assert [(c.kind, c.group) for c in fleet_collisions(fleet, result, None)] == [
        ("service-port", None),
        ("lb-port", "internal"),
    ]


def test_fleet_collisions_leave_out_the_app_being_edited(fleet):
    api = App.objects.get(app_id="/api")
    result = resolve_in_cluster(fleet, api.source, api)
    assert [(c.kind, c.group) for c in fleet_collisions(fleet, result, api)] == [
        ("lb-port", "external")
    ]
    assert {h[0] for h in fleet_collisions(fleet, result, api)[0].holders} == {"/api", "/web"}


def test_app_list_counts_bind_collisions_and_finds_bind_port_labels(fleet):
    counts = dict(app_rows(fleet).values_list("app_id", "collision_count"))
    assert counts == {"/api": 1, "/internal": 0, "/stats": 1, "/web": 1}
    found = app_rows(fleet, search="who holds 10005?").values_list("app_id", flat=True)
    assert list(found) == ["/api", "/internal", "/web"]
    assert list(app_rows(fleet, status="collisions").values_list("app_id", flat=True)) == [
        "/api",
        "/stats",
        "/web",
    ]


def test_app_list_service_ports_leave_out_the_alternate_port(cluster):
    save_app(cluster, app("/zdd", 10020, HAPROXY_DEPLOYMENT_ALT_PORT="10001"), by=BY)
    (row,) = app_rows(cluster)
    assert (row.service_port_list, row.first_service_port) == ("10020", 10020)


def test_port_map_marks_a_bind_port_label_collision_where_no_service_port_is_held(client, cluster):
    save_app(cluster, app("/a", 10030, HAPROXY_GROUP="g", HAPROXY_0_PORT="10040"), by=BY)
    save_app(cluster, app("/b", 10031, HAPROXY_GROUP="g", HAPROXY_0_PORT="10040"), by=BY)
    cells = {c.low: c for c in port_cells(cluster, "service_port", 10000, 10099, 1)}
    assert (cells[10040].held, cells[10040].colliding, cells[10040].state) == (0, 1, "colliding")
    assert cells[10030].state == "full"
    html = client.get(reverse("cluster_port_map", args=["prod"])).content.decode()
    assert "10040: free as service ports; 1 bound twice by marathon-lb" in html
    assert "?q=10040" in html


def test_storage_problem_refuses_a_group_label_too_long_to_index():
    raw = app("/a", 0, HAPROXY_0_GROUP="g" * 501)
    assert storage_problem(raw) == (
        "has a marathon-lb group label of 501 characters at /labels/HAPROXY_0_GROUP; Port "
        "Planner keeps group labels of up to 500: shorten it"
    )
    assert storage_problem(app("/a", 0, HAPROXY_GROUP="g" * 500)) is None


def test_collision_report_has_a_marathon_lb_section_naming_the_group(client, fleet):
    html = client.get(reverse("cluster_collisions", args=["prod"])).content.decode()
    assert 'id="kind-lb-port"' in html and 'id="kind-lb-reserved-port"' in html
    assert "<code>10005</code> in group external" in html
    assert f"<code>{LABEL}</code>" in html
