"""Saving apps into a cluster: port rows, drafts, Marathon's reuse rule, optimistic locking."""

import json

import pytest
from django.core.management import call_command

from portplanner.fleet.deploy import StaleEdit, deploy_group, save_app
from portplanner.fleet.queries import (
    cluster_collisions,
    fleet_collisions,
    free_service_ports,
    resolve_in_cluster,
)
from portplanner.history.record import Actor
from portplanner.models import App, PortAllocation, VipLabel

BY = Actor(None, "test")

pytestmark = pytest.mark.django_db


def test_save_app_stores_source_normalized_form_and_one_row_per_port(cluster):
    raw = {
        "id": "/web",
        "cmd": "run",
        "portDefinitions": [{"port": 0, "name": "http", "labels": {"VIP_0": "/web:80"}}],
    }
    app, result = save_app(cluster, raw, by=BY)
    app.refresh_from_db()
    assert app.source == raw
    assert app.normalized["portDefinitions"][0]["port"] == 10000
    assert app.is_valid and app.network_mode == "host" and app.version == 1
    (row,) = PortAllocation.objects.filter(app=app)
    assert (row.service_port, row.host_port, row.path) == (10000, None, "/portDefinitions/0")
    (vip,) = VipLabel.objects.filter(app=app)
    assert (vip.path, vip.vip, vip.vip_key) == (
        "/portDefinitions/0/labels/VIP_0",
        "/web:80",
        "web:80",
    )


def test_save_app_invalid_app_is_kept_as_draft_with_its_errors(cluster):
    raw = {"id": "/bad", "cmd": "run", "portDefinitions": [{"port": 80}, {"port": 80}]}
    app, _ = save_app(cluster, raw, by=BY)
    app.refresh_from_db()
    assert not app.is_valid
    assert app.errors == [{"path": "/portDefinitions", "message": "Ports must be unique."}]
    assert app.source == raw


def test_save_app_unreadable_app_keeps_source_and_has_no_port_rows(cluster):
    raw = {"id": "/x", "portDefinitions": "eighty"}
    app, _ = save_app(cluster, raw, by=BY)
    assert app.normalized is None and app.network_mode == ""
    assert app.errors[0]["path"] == "/portDefinitions"
    assert not app.allocations.exists()


def test_save_app_skips_service_ports_held_by_other_apps(cluster):
    save_app(cluster, {"id": "/a", "cmd": "run", "portDefinitions": [{"port": 10000}]}, by=BY)
    save_app(cluster, {"id": "/b", "cmd": "run", "portDefinitions": [{"port": 10002}]}, by=BY)
    app, result = save_app(cluster, {"id": "/c", "cmd": "run", "ports": [0, 0]}, by=BY)
    assert [p.service_port for p in result.ports] == [10001, 10003]


def test_update_reuses_the_apps_previous_service_ports(cluster):
    # Spec W17: old ports first, then the next free one; a now-fixed old port is not reused twice.
    save_app(cluster, {"id": "/other", "cmd": "run", "portDefinitions": [{"port": 10000}]}, by=BY)
    app, result = save_app(cluster, {"id": "/svc", "cmd": "run", "ports": [0, 0]}, by=BY)
    assert [p.service_port for p in result.ports] == [10001, 10002]
    app, result = save_app(
        cluster, {"id": "/svc", "cmd": "run2", "ports": [0, 0, 0]}, app=app, by=BY
    )
    assert [p.service_port for p in result.ports] == [10001, 10002, 10003]
    app, result = save_app(
        cluster,
        {"id": "/svc", "cmd": "x y", "portDefinitions": [{"port": 10002}, {"port": 0}]},
        app=app,
        by=BY,
    )
    assert [p.service_port for p in result.ports] == [10002, 10001]
    assert app.version == 3
    assert list(app.allocations.values_list("service_port", flat=True)) == [10002, 10001]


def test_save_app_with_stale_version_is_refused_and_changes_nothing(cluster):
    app, _ = save_app(cluster, {"id": "/svc", "cmd": "first"}, by=BY)
    save_app(cluster, {"id": "/svc", "cmd": "second"}, app=app, expected_version=1, by=BY)
    with pytest.raises(StaleEdit) as exc_info:
        save_app(cluster, {"id": "/svc", "cmd": "third"}, app=app, expected_version=1, by=BY)
    assert exc_info.value.app.version == 2
    app.refresh_from_db()
    assert app.source["cmd"] == "second"


def test_free_service_ports_walks_gaps_through_the_index(cluster):
    save_app(cluster, {"id": "/a", "cmd": "run", "ports": [10000, 10001, 10003]}, by=BY)
    save_app(cluster, {"id": "/b", "cmd": "run", "ports": [10004, 10005]}, by=BY)
    free = free_service_ports(cluster, 10000, 10008)
    assert list(free) == [10002, 10006, 10007, 10008]


def test_save_app_when_range_is_full_reports_marathons_message(cluster):
    cluster.local_port_max = 10001
    cluster.save()
    save_app(cluster, {"id": "/a", "cmd": "run", "ports": [10000, 10001]}, by=BY)
    assert list(free_service_ports(cluster, 10000, 10001)) == []
    app, result = save_app(cluster, {"id": "/b", "cmd": "run"}, by=BY)
    assert result.errors[0].message == "All ports in the range [10000-10001) are already in use"
    assert not app.is_valid


def test_seed_demo_loads_once(capsys):
    call_command("seed_demo")
    first = App.objects.count()
    call_command("seed_demo")
    assert first >= 5
    assert App.objects.count() == first
    assert "left as it is" in capsys.readouterr().out


def test_deploy_group_reserves_every_fixed_port_before_assigning(cluster):
    # As one group deployment: /first's 0 must not take 10000, which /second fixes later on.
    saved = deploy_group(
        cluster,
        [
            {"id": "/first", "cmd": "run", "ports": [0]},
            {"id": "/second", "cmd": "run", "ports": [10000]},
        ],
        by=BY,
    )
    assert [r.ports[0].service_port for _, r in saved] == [10001, 10000]


def test_deploy_group_updates_existing_apps_and_keeps_their_ports(cluster):
    save_app(cluster, {"id": "/other", "cmd": "run", "ports": [0]}, by=BY)
    app, _ = save_app(cluster, {"id": "/svc", "cmd": "run", "ports": [0]}, by=BY)
    ((updated, result),) = deploy_group(
        cluster, [{"id": "/svc", "cmd": "run2", "ports": [0, 0]}], by=BY
    )
    assert updated.pk == app.pk and updated.version == 2
    assert [p.service_port for p in result.ports] == [10001, 10002]


def test_deploy_group_writes_every_stored_field_of_updated_apps(cluster):
    app, _ = save_app(cluster, {"id": "/svc", "cmd": "run", "ports": [0]}, by=BY)
    before = app.updated_at
    # Now a draft: two ports 80 (an error) and key order as written.
    raw = {"zeta": 1, "id": "/svc", "cmd": "run2", "portDefinitions": [{"port": 80}, {"port": 80}]}
    deploy_group(cluster, [raw], by=BY)
    app.refresh_from_db()
    assert (app.version, app.is_valid, app.network_mode) == (2, False, "host")
    assert json.dumps(app.source) == json.dumps(raw)
    assert list(app.normalized)[:3] == ["zeta", "id", "cmd"]
    assert app.errors == [{"path": "/portDefinitions", "message": "Ports must be unique."}]
    assert [w["code"] for w in app.warnings] and app.updated_at > before


def test_free_service_ports_across_many_gap_batches(cluster):
    # Every other port held: 40 gaps, more than the first queries fetch (4, 8, 16); a free tail.
    save_app(cluster, {"id": "/a", "cmd": "run", "ports": list(range(10000, 10080, 2))}, by=BY)
    free = list(free_service_ports(cluster, 10000, 10090, exclude=[10083]))
    assert free == [*range(10001, 10080, 2), 10080, 10081, 10082, *range(10084, 10091)]


def test_cluster_collisions_finds_each_kind_and_only_those(cluster):
    deploy_group(
        cluster,
        [
            {"id": "/a", "cmd": "run", "portDefinitions": [{"port": 10000}, {"port": 80}]},
            {
                "id": "/b",
                "cmd": "run",
                "portDefinitions": [{"port": 10000, "labels": {"VIP_0": "/shop:80"}}],
            },
            {
                "id": "/c",
                "cmd": "run",
                "requirePorts": True,
                "portDefinitions": [{"port": 31005, "labels": {"VIP_0": "shop:80"}}],
            },
            {"id": "/d", "cmd": "run", "requirePorts": True, "portDefinitions": [{"port": 31005}]},
            {"id": "/e", "cmd": "run", "portDefinitions": [{"port": 10001}]},
        ],
        by=BY,
    )
    found = {(c.kind, c.port, c.value): c.holders for c in cluster_collisions(cluster)}
    assert found == {
        ("service-port", 10000, None): (
            ("/a", "/portDefinitions/0/port"),
            ("/b", "/portDefinitions/0/port"),
        ),
        ("service-port", 31005, None): (
            ("/c", "/portDefinitions/0/port"),
            ("/d", "/portDefinitions/0/port"),
        ),
        ("host-port", 31005, None): (
            ("/c", "/portDefinitions/0/port"),
            ("/d", "/portDefinitions/0/port"),
        ),
        ("vip", None, "/shop:80"): (
            ("/b", "/portDefinitions/0/labels/VIP_0"),
            ("/c", "/portDefinitions/0/labels/VIP_0"),
        ),
        ("reserved-port", 80, None): (("/a", "/portDefinitions/1/port"),),
    }


def test_fleet_collisions_of_a_draft_with_saved_apps(cluster):
    deploy_group(
        cluster,
        [
            {"id": "/a", "cmd": "run", "portDefinitions": [{"port": 10000}]},
            {
                "id": "/b",
                "cmd": "run",
                "requirePorts": True,
                "portDefinitions": [{"port": 31005, "labels": {"VIP_0": "/shop:80"}}],
            },
            {"id": "/c", "cmd": "run", "portDefinitions": [{"port": 10002}]},
        ],
        by=BY,
    )
    edited = App.objects.get(cluster=cluster, app_id="/c")
    draft = {
        "id": "/c",
        "cmd": "run",
        "requirePorts": True,
        "portDefinitions": [
            {"port": 10000},
            {"port": 31005, "labels": {"VIP_1": "shop:80"}},
            {"port": 10002},  # its own saved port: not a collision when editing /c
            {"port": 80},
        ],
    }
    result = resolve_in_cluster(cluster, draft, edited)
    # The draft's own holdings come first, then the saved apps'.
    found = {
        (c.kind, c.port, c.value): c.holders for c in fleet_collisions(cluster, result, edited)
    }
    assert found == {
        ("service-port", 10000, None): (
            ("/c", "/portDefinitions/0/port"),
            ("/a", "/portDefinitions/0/port"),
        ),
        ("service-port", 31005, None): (
            ("/c", "/portDefinitions/1/port"),
            ("/b", "/portDefinitions/0/port"),
        ),
        ("host-port", 31005, None): (
            ("/c", "/portDefinitions/1/port"),
            ("/b", "/portDefinitions/0/port"),
        ),
        ("vip", None, "shop:80"): (
            ("/c", "/portDefinitions/1/labels/VIP_1"),
            ("/b", "/portDefinitions/0/labels/VIP_0"),
        ),
        ("reserved-port", 80, None): (("/c", "/portDefinitions/3/port"),),
    }
    # As a new app under another id, /c's port 10002 is taken too.
    new = resolve_in_cluster(cluster, {**draft, "id": "/d"})
    assert ("service-port", 10002, None) in {
        (c.kind, c.port, c.value) for c in fleet_collisions(cluster, new, None)
    }


def test_every_vip_label_of_a_port_is_stored_and_checked(cluster):
    # A port named twice (VIP_0 and VIP_1): the second name collides as surely as the first.
    deploy_group(
        cluster,
        [
            {
                "id": "/a",
                "cmd": "run",
                "portDefinitions": [{"port": 0, "labels": {"VIP_0": "/a:80", "VIP_1": "/shop:80"}}],
            },
            {
                "id": "/b",
                "cmd": "run",
                "portDefinitions": [{"port": 0, "labels": {"VIP_0": "shop:80"}}],
            },
        ],
        by=BY,
    )
    a = App.objects.get(app_id="/a")
    assert sorted(a.vip_labels.values_list("path", "vip_key")) == [
        ("/portDefinitions/0/labels/VIP_0", "a:80"),
        ("/portDefinitions/0/labels/VIP_1", "shop:80"),
    ]
    (collision,) = cluster_collisions(cluster)
    assert (collision.kind, collision.holders) == (
        "vip",
        (("/a", "/portDefinitions/0/labels/VIP_1"), ("/b", "/portDefinitions/0/labels/VIP_0")),
    )
    draft = {
        "id": "/c",
        "cmd": "run",
        "portDefinitions": [{"port": 0, "labels": {"VIP_3": "/A:80"}}],
    }
    (found,) = fleet_collisions(cluster, resolve_in_cluster(cluster, draft), None)
    assert found.holders == (
        ("/c", "/portDefinitions/0/labels/VIP_3"),
        ("/a", "/portDefinitions/0/labels/VIP_0"),
    )
    # Saving the app again replaces its rows; deleting it takes them along.
    save_app(cluster, {"id": "/a", "cmd": "run", "portDefinitions": [{"port": 0}]}, app=a, by=BY)
    assert not a.vip_labels.exists() and cluster_collisions(cluster) == []
    App.objects.get(app_id="/b").delete()
    assert not VipLabel.objects.exists()


def test_saved_app_keeps_the_key_order_it_was_written_in(cluster):
    # PostgreSQL's jsonb would sort keys; the app must come back exactly as written.
    raw = {"zeta": 1, "id": "/order", "cmd": "run", "healthChecks": [{"protocol": "TCP", "b": 1}]}
    app, _ = save_app(cluster, raw, by=BY)
    app.refresh_from_db()
    assert json.dumps(app.source) == json.dumps(raw)
    assert list(app.normalized)[:3] == ["zeta", "id", "cmd"]
