"""Every path that changes an app records who, when, through what and why, with the app and its
ports as they then were; the history pages show it in ports; deleted apps come back."""

import json

import pytest
from django.urls import reverse

from portplanner.fleet.deploy import deploy_group, restore, save_app
from portplanner.history.record import Actor
from portplanner.models import App, ClusterChange, PortAllocation, Revision

BY = Actor(None, "test")


@pytest.fixture
def alice(django_user_model):
    return django_user_model.objects.create_user("alice")


def test_a_composer_save_records_who_why_and_the_ports(client, cluster, composer_form, admin_user):
    app = {"id": "/web", "cmd": "run", "portDefinitions": [{"port": 0, "name": "http"}]}
    data = composer_form(app, action="save", message="first cut")
    client.post(reverse("app_new", args=["prod"]), data)
    revision = Revision.objects.get()
    assert (revision.app_id, revision.version, revision.action) == ("/web", 1, "create")
    assert (revision.user, revision.username, revision.via) == (admin_user, "admin", "composer")
    assert revision.message == "first cut"
    assert revision.source["portDefinitions"] == [{"port": 0, "protocol": "tcp", "name": "http"}]
    assert revision.normalized["portDefinitions"][0]["port"] == 10000
    [port] = revision.snapshot["ports"]
    assert (port["name"], port["service_port"], port["service_port_dynamic"]) == (
        "http",
        10000,
        True,
    )
    assert revision.snapshot["env"]["PORT_HTTP"] == ["31000", True]  # an example, at launch


def test_an_import_records_a_revision_per_app_in_one_go(cluster, alice):
    apps = [{"id": f"/a{i}", "cmd": "run", "ports": [0]} for i in range(30)]
    deploy_group(cluster, apps, by=Actor(alice, "import", "from repo"))
    deploy_group(cluster, apps, by=Actor(alice, "import", "again"))
    assert Revision.objects.filter(via="import", username="alice").count() == 60
    assert set(Revision.objects.values_list("action", flat=True)) == {"create", "update"}
    assert Revision.objects.filter(app_id="/a7", version=2, message="again").exists()


def test_a_policy_recheck_records_the_policy_change_and_each_apps_revision(client, cluster):
    save_app(cluster, {"id": "/web", "cmd": "run", "ports": [0]}, by=BY)
    form = {
        "description": "",
        "local_port_min": "12000",
        "local_port_max": "20000",
        "agent_port_ranges": "31000-32000",
        "reserved_ports": "80,443",
        "default_network_name": "",
        "mesos_bridge_name": "mesos-bridge",
        "env_vars_prefix": "",
    }
    client.post(reverse("cluster_settings", args=["prod"]), {**form, "action": "apply"})
    change = ClusterChange.objects.get(kind="policy")
    assert change.username == "admin"
    assert "local_port_min 10000 -> 12000" in change.summary
    revision = Revision.objects.get(app_id="/web", version=2)
    assert revision.via == "policy re-check"
    assert revision.snapshot["ports"][0]["service_port"] == 12000


def test_the_app_history_shows_a_diff_in_ports_between_any_two_versions(client, cluster, alice):
    app, _ = save_app(cluster, {"id": "/web", "cmd": "run", "ports": [10001]}, by=BY)
    save_app(cluster, {"id": "/web", "cmd": "run", "ports": [10002]}, app=app, by=BY)
    save_app(
        cluster,
        {"id": "/web", "cmd": "run", "ports": [10002, 10003]},
        app=app,
        by=Actor(alice, "composer", "add metrics"),
    )
    url = reverse("app_history", args=["prod", "web"])
    html = client.get(url).content.decode()  # the newest against the one before
    assert "version 2 &rarr; 3" in html and "add metrics" in html and "alice" in html
    assert "1 port added" in html
    first, _, last = Revision.objects.order_by("pk")
    html = client.get(url, {"a": first.pk, "b": last.pk}).content.decode()
    assert "version 1 &rarr; 3" in html
    assert "<del>10001</del>" in html and "<ins>10002</ins>" in html
    assert "-    10001" in html


def test_the_activity_feed_lists_changes_with_their_port_summary_and_filters(
    client, cluster, alice
):
    app, _ = save_app(cluster, {"id": "/web", "cmd": "run", "ports": [10001]}, by=BY)
    save_app(
        cluster, {"id": "/web", "cmd": "run", "ports": [10005]}, app=app,
        by=Actor(alice, "composer", "move"),
    )  # fmt: skip
    save_app(cluster, {"id": "/api", "cmd": "run"}, by=BY)
    url = reverse("cluster_activity", args=["prod"])
    html = client.get(url).content.decode()
    assert "1 port changed" in html and "/api" in html
    only = client.get(url, {"user": "alice"}).content.decode()
    assert "1 change" in only and "/api" not in only
    assert "/api" in client.get(url, {"app": "api"}).content.decode()
    odd = client.get(url, {"since": "not a date"})
    assert odd.status_code == 200 and "Ignored." in odd.content.decode()


def test_deleting_an_app_frees_its_ports_at_once_and_can_be_restored(client, cluster):
    app, _ = save_app(cluster, {"id": "/web", "cmd": "run", "ports": [0, 0]}, by=BY)
    save_app(cluster, {"id": "/api", "cmd": "run", "ports": [0]}, by=BY)
    confirm = client.get(reverse("app_delete", args=["prod", app.pk])).content.decode()
    assert "<code>10000</code>, <code>10001</code>" in confirm
    response = client.post(reverse("app_delete", args=["prod", app.pk]), {"message": "retired"})
    assert response.status_code == 302
    assert not App.objects.filter(app_id="/web").exists()
    assert not PortAllocation.objects.filter(service_port__in=[10000, 10001]).exists()
    deleted = Revision.objects.get(app_id="/web", action="delete")
    assert (deleted.message, deleted.live_app) == ("retired", None)
    # The map offers the freed ports again.
    port_map = client.get(reverse("cluster_port_map", args=["prod"])).content.decode()
    assert "<code>10000</code>" in port_map
    # Restore: its old ports, still free, come back with it.
    restored = client.post(reverse("revision_detail", args=["prod", deleted.pk]))
    assert restored.status_code == 302
    back = App.objects.get(app_id="/web")
    assert sorted(back.allocations.values_list("service_port", flat=True)) == [10000, 10001]
    assert Revision.objects.filter(app_id="/web", via="restore", action="create").exists()


def test_a_restore_whose_old_port_was_taken_meanwhile_gets_another_and_says_so(cluster):
    app, _ = save_app(cluster, {"id": "/web", "cmd": "run", "ports": [0, 0]}, by=BY)
    from portplanner.fleet.deploy import delete_apps

    delete_apps(cluster, [app], by=BY)
    save_app(cluster, {"id": "/thief", "cmd": "run", "ports": [10001]}, by=BY)
    deleted = Revision.objects.get(app_id="/web", action="delete")
    back, result, moved = restore(cluster, deleted, by=BY)
    assert [p.service_port for p in result.ports] == [10000, 10002]
    assert moved == "service port 10000 kept; 10001 was taken meanwhile, now 10002"


def test_a_revision_page_shows_what_it_changed_and_who(client, cluster, alice):
    app, _ = save_app(cluster, {"id": "/web", "cmd": "run", "ports": [10001]}, by=BY)
    save_app(
        cluster, {"id": "/web", "cmd": "run", "ports": [10009]}, app=app,
        by=Actor(alice, "composer", "move it"),
    )  # fmt: skip
    revision = Revision.objects.get(version=2)
    html = client.get(reverse("revision_detail", args=["prod", revision.pk])).content.decode()
    assert "By <strong>alice</strong>" in html and "move it" in html
    assert "<del>10001</del>" in html and "<ins>10009</ins>" in html
    assert "Restore this version" in html


def test_import_sync_deletes_the_groups_apps_the_file_lacks_after_showing_them(client, cluster):
    for app_id in ("/shop/web", "/shop/old", "/other/keep"):
        save_app(cluster, {"id": app_id, "cmd": "run", "ports": [0]}, by=BY)
    url = reverse("cluster_import", args=["prod"])
    payload = json.dumps({"id": "/shop", "apps": [{"id": "web", "cmd": "run2", "ports": [0]}]})
    preview = client.post(url, {"payload": payload, "sync": "1"}).content.decode()
    assert "Apps it would delete" in preview and "/shop/old" in preview
    assert "/other/keep" not in preview.split("Apps it would delete")[1].split("</ul>")[0]
    assert App.objects.filter(app_id="/shop/old").exists()
    token = preview.split('name="pending" value="')[1].split('"')[0]
    client.post(url, {"pending": token, "sync": "1", "sync_group": "/shop", "action": "commit"})
    assert set(App.objects.values_list("app_id", flat=True)) == {"/shop/web", "/other/keep"}
    assert Revision.objects.filter(app_id="/shop/old", action="delete", via="import").exists()


def test_an_app_history_of_an_unknown_id_is_404(client, cluster):
    assert client.get(reverse("app_history", args=["prod", "nope"])).status_code == 404
