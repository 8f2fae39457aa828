"""Import (preview, then all or nothing) and export (app, group, zip; pinned or dynamic ports)."""

import io
import json
import re
import zipfile
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from portplanner.exchange.documents import IMPORT_MAX_BYTES, group_document, read_import
from portplanner.fleet.deploy import deploy_group, save_app
from portplanner.history.record import Actor
from portplanner.marathon import ReadError
from portplanner.models import App, Cluster, PortAllocation

BY = Actor(None, "test")

pytestmark = pytest.mark.django_db
EXAMPLES = Path(__file__).resolve().parents[1] / "fixtures" / "marathon"

GROUP = {
    "id": "/shop",
    "apps": [
        {"id": "web", "cmd": "run", "portDefinitions": [{"port": 0, "name": "http"}]},
        {"id": "api", "cmd": "run", "ports": [10000]},
    ],
    "groups": [{"id": "/shop/back", "apps": [{"id": "db", "cmd": "run", "ports": [0]}]}],
}


def post_import(client, payload: str, action: str = "preview"):
    return client.post(
        reverse("cluster_import", args=["prod"]), {"payload": payload, "action": action}
    )


def test_import_preview_shows_the_plan_and_saves_nothing(client, cluster):
    save_app(cluster, {"id": "/shop/api", "cmd": "old"}, by=BY)
    response = post_import(client, json.dumps(GROUP))
    html = response.content.decode()
    assert response.status_code == 200
    assert "<strong>2 new</strong>, <strong>1 updated</strong>" in html
    assert App.objects.count() == 1 and App.objects.get().source["cmd"] == "old"


def test_import_preview_explains_each_warning_as_the_composer_does(client, cluster):
    bridge = {
        "id": "/legacy",
        "container": {"type": "DOCKER", "docker": {"image": "x", "network": "BRIDGE"}},
        "portDefinitions": [{"port": 0}],
    }
    html = post_import(client, json.dumps(bridge)).content.decode()
    row = html.split("<code>/legacy</code>")[1].split("</tr>")[0]
    assert '<span class="code">dropped-port-definitions</span>' in row
    # The engine's message and its fix, not the bare code.
    assert "1 port definition dropped: Marathon ignores it without host networking" in row
    assert "<em>Describe these ports as container.portMappings instead.</em>" in row


def test_import_commit_saves_all_as_one_group_deployment(client, cluster):
    response = post_import(client, json.dumps(GROUP), action="commit")
    assert response.status_code == 302
    ports = dict(
        PortAllocation.objects.values_list("app__app_id", "service_port").order_by("app__app_id")
    )
    # Fixed 10000 of /shop/api is known before the 0s are assigned, in input order.
    assert ports == {"/shop/api": 10000, "/shop/web": 10001, "/shop/back/db": 10002}


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        ("{", "pasted JSON:1:2: invalid JSON"),
        ("", "the document is empty"),
        ("[1]", "expected an app (a JSON object)"),
        ('[{"id": "/a"}, {"id": "a"}]', "/a appears twice (apps 1 and 2)"),
        ('[{"cmd": "x"}]', "app 1 has no usable id"),
        ('[{"id": "/' + "a" * 600 + '"}]', "app 1 has an id of 601 characters"),
        ('{"apps": []}', "no apps found"),
        ("[" * 50_000, "nested too deeply"),
        ('{"id": "/a", "instances": ' + "9" * 5000 + "}", "unreadable JSON value"),
    ],
)
def test_import_bad_input_gets_a_clear_message_and_changes_nothing(
    client, cluster, payload, message
):
    save_app(cluster, {"id": "/keep", "cmd": "run"}, by=BY)
    for action in ("preview", "commit"):
        response = post_import(client, payload, action)
        assert response.status_code == 400
        assert message in response.content.decode()
    assert list(App.objects.values_list("app_id", flat=True)) == ["/keep"]


def test_import_over_the_size_limit_is_refused():
    with pytest.raises(ReadError, match="over the import limit"):
        read_import(b" " * (IMPORT_MAX_BYTES + 1), "big.json")


def test_import_upload_of_a_file(client, cluster):
    upload = SimpleUploadedFile("fleet.json", json.dumps(GROUP).encode(), "application/json")
    response = client.post(
        reverse("cluster_import", args=["prod"]), {"file": upload, "action": "preview"}
    )
    assert "from <code>fleet.json</code>" in response.content.decode()


@pytest.mark.parametrize("path", sorted(EXAMPLES.glob("*.json")), ids=lambda p: p.name)
def test_import_every_marathon_example_through_the_ui(client, cluster, path):
    apps, _ = read_import(path.read_bytes(), path.name)
    response = post_import(client, path.read_text(), action="commit")
    assert response.status_code == 302
    assert App.objects.filter(cluster=cluster).count() == len(apps)
    if path.name == "155_100.json":
        assert len(apps) == 100
        # Service ports the apps already carry are what Marathon assigned: kept.
        assert (
            App.objects.get(app_id="/cudcos/mactest1").normalized["portDefinitions"][0]["port"]
            == 10003
        )


def test_round_trip_import_export_import_gives_the_same_apps(client, cluster):
    deploy_group(cluster, [{**a, "id": f"/shop/{a['id']}"} for a in GROUP["apps"]], by=BY)
    exported = client.post(reverse("cluster_export", args=["prod"]), {"format": "group"})
    other = Cluster.objects.create(name="copy")
    response = client.post(
        reverse("cluster_import", args=["copy"]),
        {"payload": exported.content.decode(), "action": "commit"},
    )
    assert response.status_code == 302

    def apps(c):
        return {a.app_id: a.normalized for a in c.apps.all()}

    assert apps(other) == apps(cluster)


def test_export_group_nests_apps_by_id(cluster):
    deploy_group(cluster, [{"id": "/a/b/c", "cmd": "run"}, {"id": "/top", "cmd": "run"}], by=BY)
    doc = group_document(list(cluster.apps.all()))
    assert [a["id"] for a in doc["apps"]] == ["/top"]
    assert doc["groups"][0]["id"] == "/a"
    assert doc["groups"][0]["groups"][0]["id"] == "/a/b"
    assert doc["groups"][0]["groups"][0]["apps"][0]["id"] == "/a/b/c"


def test_export_zip_has_one_file_per_app_with_dynamic_ports_as_zero(client, cluster):
    deploy_group(cluster, [{"id": "/shop/web", "cmd": "run", "ports": [0, 10500]}], by=BY)
    response = client.post(
        reverse("cluster_export", args=["prod"]), {"format": "zip", "service_ports": "dynamic"}
    )
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    assert archive.namelist() == ["shop/web.json"]
    app = json.loads(archive.read("shop/web.json"))
    assert [d["port"] for d in app["portDefinitions"]] == [0, 10500]


def test_export_app_pins_planned_service_ports_by_default(client, cluster):
    app, _ = save_app(cluster, {"id": "/web", "cmd": "run", "ports": [0]}, by=BY)
    response = client.post(reverse("app_export", args=["prod", app.pk]))
    assert response["Content-Disposition"] == 'attachment; filename="web.json"'
    assert json.loads(response.content)["portDefinitions"][0]["port"] == 10000


def test_export_blocked_by_invalid_apps_lists_the_reasons(client, cluster):
    save_app(cluster, {"id": "/ok", "cmd": "run"}, by=BY)
    save_app(cluster, {"id": "/bad", "cmd": "run", "ports": [80, 80]}, by=BY)
    response = client.post(reverse("cluster_export", args=["prod"]), {"format": "group"})
    html = response.content.decode()
    assert response.status_code == 409
    assert "/bad</a>:" in html and "ports must be unique" in html


def test_export_with_collisions_needs_acknowledgement(client, cluster):
    deploy_group(
        cluster,
        [
            {"id": "/a", "cmd": "run", "ports": [10000]},
            {"id": "/b", "cmd": "run", "ports": [10000]},
        ],
        by=BY,
    )
    url = reverse("cluster_export", args=["prod"])
    refused = client.post(url, {"format": "group"})
    assert refused.status_code == 409
    assert "Service port 10000 is held by /a" in refused.content.decode()
    accepted = client.post(url, {"format": "group", "acknowledge": "1"})
    assert accepted.status_code == 200
    assert len(json.loads(accepted.content)["apps"]) == 2


def test_import_paste_over_the_request_limit_gets_a_page_that_says_so(client, cluster, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    settings.DEBUG = False
    response = post_import(client, json.dumps([{"id": f"/a{i}", "cmd": "x y"} for i in range(99)]))
    assert response.status_code == 400
    assert "imports take up to 20 MiB" in response.content.decode()
    assert not App.objects.exists()


def test_import_commit_names_the_previewed_file_instead_of_posting_it_back(client, cluster):
    # 16 MiB: posted back urlencoded it would grow past the 21 MiB request limit.
    big = {"id": "/big", "cmd": "run", "env": {"BLOB": "x" * (16 * 1024 * 1024)}, "ports": [0]}
    upload = SimpleUploadedFile("big.json", json.dumps(big).encode(), "application/json")
    url = reverse("cluster_import", args=["prod"])
    preview = client.post(url, {"file": upload, "action": "preview"})
    assert preview.status_code == 200 and not App.objects.exists()
    token = re.search(r'name="pending" value="([0-9a-f-]+)"', preview.content.decode())[1]
    assert len(preview.content) < 1024 * 1024  # the preview does not carry the file either

    committed = client.post(url, {"pending": token, "action": "commit"})
    assert committed.status_code == 302
    assert App.objects.get(app_id="/big").source["env"]["BLOB"] == big["env"]["BLOB"]
    # A token is good for one commit.
    again = client.post(url, {"pending": token, "action": "commit"})
    assert again.status_code == 400
    assert "expired or was committed; upload it again" in again.content.decode()
    assert App.objects.count() == 1


@pytest.mark.parametrize("token", ["", "not-a-uuid", "00000000-0000-0000-0000-000000000000"])
def test_import_commit_of_an_unknown_preview_says_so_and_imports_nothing(client, cluster, token):
    response = client.post(
        reverse("cluster_import", args=["prod"]), {"pending": token, "action": "commit"}
    )
    assert response.status_code == 400
    assert "upload it again" in response.content.decode()
    assert not App.objects.exists()


def test_import_and_export_pages_list_marathon_lb_bind_collisions(client, cluster):
    apps = [
        {"id": "/web", "cmd": "run", "labels": {"HAPROXY_GROUP": "ext"}, "ports": [10005]},
        {
            "id": "/api",
            "cmd": "run",
            "labels": {"HAPROXY_GROUP": "ext", "HAPROXY_0_PORT": "10005"},
            "ports": [10010],
        },
    ]
    html = post_import(client, json.dumps(apps)).content.decode()
    assert "marathon-lb bind port 10005 in group ext is bound by /api" in html
    assert "HAProxy, whose config check accepts that" in html
    post_import(client, json.dumps(apps), action="commit")
    refused = client.post(reverse("cluster_export", args=["prod"]), {"format": "group"})
    assert refused.status_code == 409
    assert "marathon-lb bind port 10005 in group ext is bound by" in refused.content.decode()
