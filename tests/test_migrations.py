"""Data migrations: what was saved before a schema change is still there after it."""

import re

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.urls import reverse

from portplanner.fleet.ordering import natural_sort_key

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("portplanner", "0002_app_json_as_written")]
AFTER = [("portplanner", "0003_vip_label_rows")]


@pytest.fixture(autouse=True)
def back_to_latest():
    yield
    migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    executor.loader.build_graph()
    return executor.loader.project_state(targets).apps


def test_vip_labels_move_to_rows_of_their_own_and_back():
    old = migrate(BEFORE)
    Cluster, App = old.get_model("portplanner", "Cluster"), old.get_model("portplanner", "App")
    PortAllocation = old.get_model("portplanner", "PortAllocation")
    cluster = Cluster.objects.create(name="prod")
    normalized = {
        "id": "/web",
        "portDefinitions": [
            {"port": 10000, "labels": {"VIP_0": "/web:80", "team": "a", "VIP_1": "/Shop:80"}},
            {"port": 10001},
        ],
    }
    app = App.objects.create(cluster=cluster, app_id="/web", source={}, normalized=normalized)
    for index, vip in enumerate(["/web:80", ""]):
        PortAllocation.objects.create(
            app=app,
            cluster=cluster,
            index=index,
            path=f"/portDefinitions/{index}",
            protocol="tcp",
            service_port=10000 + index,
            vip=vip,
            vip_key=vip.lstrip("/"),
        )

    new = migrate(AFTER)
    rows = new.get_model("portplanner", "VipLabel").objects.order_by("path")
    assert [(r.app_id, r.path, r.vip, r.vip_key) for r in rows] == [
        (app.pk, "/portDefinitions/0/labels/VIP_0", "/web:80", "web:80"),
        (app.pk, "/portDefinitions/0/labels/VIP_1", "/Shop:80", "shop:80"),
    ]

    old = migrate(BEFORE)  # and back: each port keeps its first VIP
    ports = old.get_model("portplanner", "PortAllocation").objects.order_by("index")
    assert [(p.vip, p.vip_key) for p in ports] == [("/web:80", "web:80"), ("", "")]


def test_natural_sort_keys_are_filled_for_apps_saved_before_the_column():
    old = migrate([("portplanner", "0007_accounts_and_history")])
    Cluster, App = old.get_model("portplanner", "Cluster"), old.get_model("portplanner", "App")
    cluster = Cluster.objects.create(name="prod")
    for app_id in ("/mactest10", "/mactest2", "/mactest1"):
        App.objects.create(cluster=cluster, app_id=app_id, source={})

    new = migrate([("portplanner", "0008_app_natural_order")])
    apps = new.get_model("portplanner", "App").objects.order_by("sort_key")
    assert [a.app_id for a in apps] == ["/mactest1", "/mactest2", "/mactest10"]
    assert all(a.sort_key == natural_sort_key(a.app_id) for a in apps)


def test_readyz_answers_503_until_every_migration_is_applied(client):
    executor = MigrationExecutor(connection)
    latest = executor.loader.graph.leaf_nodes()
    migrate([("portplanner", "0005_app_validity_index")])
    response = client.get(reverse("readyz"))
    assert response.status_code == 503
    # 0006 and later: a count in words, not "migration(s)".
    assert re.search(rb"\d+ migrations not applied: run `manage.py migrate`", response.content)
    migrate(latest)
    assert client.get(reverse("readyz")).status_code == 200


def test_marathon_lb_binds_and_alternate_ports_are_built_for_saved_apps_and_dropped_back():
    old = migrate([("portplanner", "0008_app_natural_order")])
    Cluster, App = old.get_model("portplanner", "Cluster"), old.get_model("portplanner", "App")
    PortAllocation = old.get_model("portplanner", "PortAllocation")
    cluster = Cluster.objects.create(name="prod")
    labels = {
        "HAPROXY_GROUP": "external",
        "HAPROXY_1_GROUP": "a,b",
        "HAPROXY_1_PORT": "10080",
        "HAPROXY_DEPLOYMENT_ALT_PORT": "10050",
    }
    normalized = {"id": "/web", "labels": labels, "portDefinitions": [{"port": 1}, {"port": 2}]}
    app = App.objects.create(cluster=cluster, app_id="/web", source={}, normalized=normalized)
    for index in (0, 1):
        PortAllocation.objects.create(
            app=app,
            cluster=cluster,
            index=index,
            path=f"/portDefinitions/{index}",
            protocol="tcp",
            service_port=10000 + index,
        )

    new = migrate([("portplanner", "0009_marathon_lb_binds")])
    binds = new.get_model("portplanner", "LbBind").objects.order_by("path", "group")
    assert [(b.app_id, b.path, b.group, b.port, b.by_label) for b in binds] == [
        (app.pk, "/labels/HAPROXY_1_PORT", "a", 10080, True),
        (app.pk, "/labels/HAPROXY_1_PORT", "b", 10080, True),
        (app.pk, "/portDefinitions/0/port", "external", 10000, False),
    ]
    ports = new.get_model("portplanner", "PortAllocation").objects.filter(alternate=True)
    assert [(p.path, p.service_port) for p in ports] == [
        ("/labels/HAPROXY_DEPLOYMENT_ALT_PORT", 10050)
    ]

    old = migrate([("portplanner", "0008_app_natural_order")])  # and back: one row per port again
    ports = old.get_model("portplanner", "PortAllocation").objects.order_by("index")
    assert [p.path for p in ports] == ["/portDefinitions/0", "/portDefinitions/1"]
