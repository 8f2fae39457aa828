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
