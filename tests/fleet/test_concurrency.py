"""Several people saving into one cluster at once, with real threads, each on its own database
connection (SQLite's file locking or PostgreSQL's row locks, whichever the suite runs on): no two
apps ever share a dynamic service port, no save answers a server error, and every answer is the
truth (an app answered "Saved" is stored; one answered otherwise is not)."""

from __future__ import annotations

import json
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection, connections, transaction
from django.db.models import Count
from django.urls import reverse

from portplanner.fleet.deploy import lock_cluster
from portplanner.models import App, Cluster, PortAllocation

SAVERS = 20
PORTS_PER_APP = 3


def new_app(app_id: str) -> dict:
    """A host app with dynamic service ports."""
    return {"id": app_id, "cmd": "./run", "portDefinitions": [{"port": 0}] * PORTS_PER_APP}


def import_post(prefix: str, count: int) -> dict:
    apps = [{"id": f"/{prefix}/app{i}", "cmd": "./run", "ports": [0, 0]} for i in range(count)]
    return {"payload": json.dumps({"apps": apps}), "action": "commit"}


def shared_service_ports(cluster: Cluster) -> dict[int, int]:
    rows = (
        PortAllocation.objects.filter(cluster=cluster, service_port__isnull=False)
        .values("service_port")
        .annotate(apps=Count("app", distinct=True))
        .filter(apps__gt=1)
    )
    return {row["service_port"]: row["apps"] for row in rows}


@pytest.mark.django_db(transaction=True)
def test_concurrent_composer_saves_never_share_a_service_port(
    cluster, composer_form, admin_user, run_together
):
    url = reverse("app_new", args=["prod"])
    ids = [f"/team/app{i:02d}" for i in range(SAVERS)]

    posts = [(url, composer_form(new_app(app_id), action="save")) for app_id in ids]
    responses = run_together(posts, admin_user)

    assert [r.status_code for r in responses] == [302] * SAVERS
    assert sorted(cluster.apps.values_list("app_id", flat=True)) == ids
    assert shared_service_ports(cluster) == {}
    held = PortAllocation.objects.filter(cluster=cluster).values_list("service_port", flat=True)
    # One deployment after another: together they fill the bottom of the range, as Marathon would.
    assert sorted(held) == list(range(10000, 10000 + SAVERS * PORTS_PER_APP))


@pytest.mark.django_db(transaction=True)
def test_imports_saves_and_a_policy_recheck_at_once_never_share_a_service_port(
    cluster, composer_form, admin_user, run_together
):
    composer = [
        (reverse("app_new", args=["prod"]), composer_form(new_app(f"/web/app{i}"), action="save"))
        for i in range(8)
    ]
    imports = [
        (reverse("cluster_import", args=["prod"]), import_post(f"batch{n}", 10)) for n in (1, 2)
    ]
    settings_post = {
        "description": "",
        "local_port_min": "10000",
        "local_port_max": "20000",
        "agent_port_ranges": "31000-32000",
        "reserved_ports": "80,443,9090,9091",
        "default_network_name": "",
        "mesos_bridge_name": "mesos-bridge",
        "env_vars_prefix": "",
        "action": "apply",
    }
    recheck = [(reverse("cluster_settings", args=["prod"]), settings_post)]

    responses = run_together(composer + imports + recheck, admin_user)

    statuses = [r.status_code for r in responses]
    assert all(status < 500 for status in statuses), statuses
    stored = set(cluster.apps.values_list("app_id", flat=True))
    for (_, data), response in zip(composer, responses, strict=False):
        # "Saved" (a redirect to the app) means stored; anything else means nothing was stored.
        assert (data["app_id"] in stored) == (response.status_code == 302), data["app_id"]
    for (_, data), response in zip(imports, responses[len(composer) :], strict=False):
        ids = {a["id"] for a in json.loads(data["payload"])["apps"]}
        assert (ids <= stored) == (response.status_code == 302)
        assert ids <= stored or not (ids & stored)  # all or nothing
    assert len(stored) == 8 + 20
    assert shared_service_ports(cluster) == {}
    assert App.objects.filter(cluster=cluster, is_valid=False).count() == 0


@pytest.mark.django_db(transaction=True)
def test_a_save_that_cannot_get_the_lock_in_time_answers_503_and_stores_nothing(
    cluster, composer_form, admin_user, signed_in
):
    late = signed_in(admin_user)
    held, release = threading.Event(), threading.Event()

    def hold_the_lock():
        try:
            with transaction.atomic():
                lock_cluster(cluster)
                held.set()
                release.wait(30)
        finally:
            connections.close_all()

    def save():
        try:
            held.wait(30)
            with connection.cursor() as cursor:  # this thread's connection waits 0.2 s, not 20
                if connection.vendor == "sqlite":
                    cursor.execute("PRAGMA busy_timeout = 200")
                else:
                    cursor.execute("SET lock_timeout = '200ms'")
            return late.post(
                reverse("app_new", args=["prod"]), composer_form(new_app("/late"), action="save")
            )
        finally:
            release.set()
            connections.close_all()

    with ThreadPoolExecutor(2) as pool:
        holder = pool.submit(hold_the_lock)
        response = pool.submit(save).result()
        holder.result()

    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    assert "Nothing was saved" in response.content.decode()
    assert not cluster.apps.exists()


@pytest.mark.django_db(transaction=True)
def test_a_live_preview_answers_while_a_save_holds_the_lock(
    cluster, composer_form, admin_user, signed_in
):
    previewer = signed_in(admin_user)
    held, release = threading.Event(), threading.Event()

    def hold_the_lock():
        try:
            with transaction.atomic():
                lock_cluster(cluster)
                held.set()
                release.wait(30)
        finally:
            connections.close_all()

    with ThreadPoolExecutor(1) as pool:
        holder = pool.submit(hold_the_lock)
        held.wait(30)
        try:
            with connection.cursor() as cursor:  # fail fast instead of waiting for the holder
                if connection.vendor == "sqlite":
                    cursor.execute("PRAGMA busy_timeout = 0")
                else:
                    cursor.execute("SET lock_timeout = '1ms'")
            data = composer_form(new_app("/web"))
            response = previewer.post(reverse("app_preview_new", args=["prod"]), data)
        finally:
            release.set()
        holder.result()

    assert response.status_code == 200
    assert "10000" in response.content.decode()
