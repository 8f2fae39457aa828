"""The composer's views: the page, the live preview, JSON loading, saving (Django test client)."""

import json
import re
from html import unescape
from pathlib import Path

import pytest
from django.urls import reverse

from portplanner.composer.draft import app_from_draft
from portplanner.composer.preview import draft_for
from portplanner.fleet.deploy import save_app
from portplanner.history.record import Actor
from portplanner.models import App, Revision
from portplanner.templatetags.planner import breakable

BY = Actor(None, "test")


APPS = Path(__file__).resolve().parents[1] / "fixtures" / "apps"
# A bridge app with a VIP, a fixed host port and fields the form does not model; a host app with
# requirePorts and a secret; an app on two container networks with per-mapping networkNames.
BRIDGE_APP, HOST_APP, CONTAINER_APP = (
    json.loads((APPS / name).read_text()) for name in ("bridge.json", "host.json", "container.json")
)


def test_new_app_page_renders_form_and_preview(client, cluster):
    response = client.get(reverse("app_new", args=["prod"]))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="composer-form"' in html and 'id="preview"' in html
    assert 'hx-post="/clusters/prod/apps/new/preview/"' in html
    assert '<p id="preview-status" role="status"' in html


def test_unknown_cluster_is_404(client, db):
    assert client.get(reverse("app_new", args=["nope"])).status_code == 404


def test_preview_returns_only_the_fragment_with_env_vars(client, cluster, composer_form):
    response = client.post(
        reverse("app_preview_new", args=["prod"]), composer_form(BRIDGE_APP), HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert html.lstrip().startswith('<section id="preview"')
    assert "PORT_HTTP" in html and "PORT_80" in html and "PORT_443" in html
    assert "assigned at launch" in html and "auto-assigned" in html


def test_preview_env_vars_carry_the_clusters_prefix(client, cluster, composer_form):
    cluster.env_vars_prefix = "MY_"
    cluster.save()
    html = client.post(reverse("app_preview_new", args=["prod"]), composer_form(BRIDGE_APP))
    names = re.findall(r"<td><code>([A-Z][A-Z0-9_]*)</code></td>", html.content.decode())
    assert {"MY_PORT0", "MY_PORT1", "MY_PORT_80", "MY_PORT_HTTP", "MY_PORT", "MY_PORTS"} <= set(
        names
    )
    assert all(name.startswith("MY_") for name in names)


@pytest.mark.parametrize(("app_id", "label"), [("/api", "Save"), ("", "Save as draft")])
def test_preview_relabels_the_save_button_out_of_band(
    client, cluster, app_id, label, composer_form
):
    data = composer_form(HOST_APP, app_id=app_id)
    html = client.post(reverse("app_preview_new", args=["prod"]), data, HTTP_HX_REQUEST="true")
    button = re.search(r'<button [^>]*id="save-button"[^>]*>([^<]*)<', html.content.decode())
    assert 'hx-swap-oob="innerHTML"' in button.group(0) and button.group(1) == label


PORT_HINT = "must be a port number from 0 to 65535 (0 = same as the host port)"


def test_preview_invalid_port_links_error_to_its_field(client, cluster, composer_form):
    data = composer_form(BRIDGE_APP, **{"ports-0-container_port": "eighty"})
    html = client.post(reverse("app_preview_new", args=["prod"]), data, HTTP_HX_REQUEST="true")
    html = html.content.decode()
    assert 'href="#id_ports-0-container_port"' in html
    assert "/container/portMappings/0/containerPort" in html
    # For the page's script, which shows it beside the field while the user types.
    errors = re.search(
        r'<script id="field-errors-data" type="application/json">(.*?)</script>', html
    )
    assert json.loads(errors.group(1)) == {"id_ports-0-container_port": [PORT_HINT]}


def test_full_page_marks_the_field_an_error_is_about(client, cluster, composer_form):
    data = composer_form(BRIDGE_APP, action="preview", **{"ports-0-container_port": "eighty"})
    html = client.post(reverse("app_new", args=["prod"]), data).content.decode()
    field = re.search(
        r'<div class="field has-error[^"]*" data-field="id_ports-0-container_port">.*?</div>',
        html,
        re.S,
    ).group(0)
    assert 'aria-invalid="true"' in field
    assert 'aria-describedby="id_ports-0-container_port_error"' in field
    assert f'<small class="field-error" id="id_ports-0-container_port_error">{PORT_HINT}<' in field
    # A valid field keeps Django's own description (its help text) and is not marked.
    app_id = re.search(r'<input [^>]*id="id_app_id"[^>]*>', html).group(0)
    assert 'aria-describedby="id_app_id_helptext"' in app_id and "aria-invalid" not in app_id


def test_preview_shows_collision_with_saved_app_and_free_ports(client, cluster, composer_form):
    save_app(cluster, {"id": "/other", "cmd": "run", "portDefinitions": [{"port": 10000}]}, by=BY)
    app = {**HOST_APP, "portDefinitions": [{"port": 10000, "name": "http"}], "requirePorts": False}
    html = client.post(
        reverse("app_preview_new", args=["prod"]), composer_form(app)
    ).content.decode()
    assert "Service port <strong>10000</strong> is held by" in html and "/other" in html
    assert 'value="set_service_port:0:10001"' in html


def test_preview_of_edited_app_does_not_collide_with_itself(client, cluster, composer_form):
    app, _ = save_app(
        cluster, {"id": "/self", "cmd": "run", "portDefinitions": [{"port": 10000}]}, by=BY
    )
    url = reverse("app_preview", args=["prod", app.pk])
    html = client.post(url, composer_form(app.source)).content.decode()
    assert "collision" not in html


def test_set_service_port_action_fills_the_row(client, cluster, composer_form):
    data = composer_form(HOST_APP, action="set_service_port:0:10042")
    html = client.post(reverse("app_new", args=["prod"]), data).content.decode()
    assert 'name="ports-0-service_port" value="10042"' in html


def test_add_and_remove_port_rows(client, cluster, composer_form):
    url = reverse("app_new", args=["prod"])
    html = client.post(url, composer_form(HOST_APP, action="add_port")).content.decode()
    assert 'name="ports-2-name"' in html
    html = client.post(url, composer_form(HOST_APP, action="remove_port:0")).content.decode()
    assert 'name="ports-1-name"' not in html
    assert 'name="ports-0-service_port" value="10100"' in html


def test_switching_mode_without_javascript_keeps_port_values(client, cluster, composer_form):
    data = composer_form(BRIDGE_APP, network_mode="host", action="preview")
    html = client.post(reverse("app_new", args=["prod"]), data).content.decode()
    assert 'name="ports-0-container_port" value="80"' in html  # kept, hidden in host mode
    assert "&quot;portDefinitions&quot;" in html


def test_load_legacy_json_fills_form_and_lists_rewrites(client, cluster, composer_form):
    legacy = {
        "id": "/legacy",
        "cmd": "./run",
        "container": {
            "type": "DOCKER",
            "docker": {
                "image": "nginx",
                "network": "BRIDGE",
                "portMappings": [{"containerPort": 80, "hostPort": 0}],
            },
        },
    }
    data = composer_form(HOST_APP, action="load_json", json=json.dumps(legacy))
    html = client.post(reverse("app_new", args=["prod"]), data).content.decode()
    assert 'value="container/bridge" id="id_network_mode_1" required checked' in html
    assert 'name="ports-0-container_port" value="80"' in html
    assert "container.docker.network BRIDGE is deprecated" in html


def test_load_broken_json_names_line_and_keeps_the_form(client, cluster, composer_form):
    data = composer_form(HOST_APP, action="load_json", json='{"id": "/x",\n "cmd": }')
    html = client.post(reverse("app_new", args=["prod"]), data).content.decode()
    assert "pasted JSON:2:9: invalid JSON" in html
    assert 'name="app_id" value="/api"' in html  # what the user had in the form is still there


def test_load_broken_json_says_so_at_the_top_not_valid(client, cluster, composer_form):
    data = composer_form(HOST_APP, action="load_json", json='{"id": "/x",\n "cmd": }')
    html = client.post(reverse("app_new", args=["prod"]), data).content.decode()
    top = html.split('id="composer-form"')[0]
    banner = re.search(
        r'<div class="banner error" role="alert" id="load-failed">(.*?)</div>', top, re.S
    )
    assert "The JSON was not loaded" in banner.group(1)
    assert "pasted JSON:2:9: invalid JSON" in banner.group(1)
    assert 'href="#id_json"' in banner.group(1)
    # The preview of the form's app says it is not the JSON's.
    heading = re.search(r'<h2 id="preview-title">(.*?)</h2>', html, re.S).group(1)
    assert '<span class="badge error">JSON not loaded</span>' in heading


def test_load_json_the_form_cannot_hold_lists_errors(client, cluster, composer_form):
    data = composer_form(HOST_APP, action="load_json", json='{"id": "/x", "portDefinitions": 5}')
    html = client.post(reverse("app_new", args=["prod"]), data).content.decode()
    assert "/portDefinitions: must be a list" in html
    assert 'name="app_id" value="/api"' in html


# --- the JSON pane: follows the form until the user types into it ---------------------------


def json_pane(html: str) -> tuple[str, str]:
    """The pane's text and the digest posted with it, as a browser would post them."""
    text = re.search(r'<textarea id="id_json"[^>]*>(.*?)</textarea>', html, re.S).group(1)
    shown = re.search(r'name="json_shown" form="composer-form" value="([0-9a-f]*)"', html)
    return unescape(text), shown.group(1)


def pane_follows_form(html: str) -> bool:
    return 'id="json-input" hx-swap-oob="true"' in html


def test_preview_refills_an_untouched_json_pane_with_the_forms_app(client, cluster, composer_form):
    text, shown = json_pane(client.get(reverse("app_new", args=["prod"])).content.decode())
    data = composer_form(HOST_APP, json=text.replace("\n", "\r\n"), json_shown=shown)
    html = client.post(reverse("app_preview_new", args=["prod"]), data, HTTP_HX_REQUEST="true")
    html = html.content.decode()
    assert pane_follows_form(html) and "This JSON is not the app in the form" not in html
    text, shown = json_pane(html)
    assert json.loads(text)["id"] == "/api" and shown


def test_preview_never_overwrites_text_typed_into_the_json_pane(client, cluster, composer_form):
    _, shown = json_pane(client.get(reverse("app_new", args=["prod"])).content.decode())
    data = composer_form(HOST_APP, json='{"id": "/typed"', json_shown=shown)
    url = reverse("app_preview_new", args=["prod"])
    html = client.post(url, data, HTTP_HX_REQUEST="true").content.decode()
    assert not pane_follows_form(html)
    assert 'id="json-note" hx-swap-oob="innerHTML"' in html and "This JSON is not the app" in html
    # Without JavaScript (a full page for "Add a port"), the typed text is kept too.
    page = client.post(reverse("app_new", args=["prod"]), {**data, "action": "add_port"})
    assert json_pane(page.content.decode()) == ('{"id": "/typed"', shown)
    # Until the user asks for the form's app instead.
    page = client.post(reverse("app_new", args=["prod"]), {**data, "action": "show_json"})
    text, new_shown = json_pane(page.content.decode())
    assert json.loads(text)["id"] == "/api" and new_shown != shown
    assert "This JSON is not the app" not in page.content.decode()


def test_loaded_json_is_shown_as_the_form_holds_it(client, cluster, composer_form):
    legacy = {"id": "/legacy", "cmd": "./run", "ports": [0]}
    _, shown = json_pane(client.get(reverse("app_new", args=["prod"])).content.decode())
    data = composer_form(HOST_APP, action="load_json", json=json.dumps(legacy), json_shown=shown)
    html = client.post(reverse("app_new", args=["prod"]), data).content.decode()
    text, _ = json_pane(html)
    assert json.loads(text)["portDefinitions"][0]["port"] == 0 and "ports" not in json.loads(text)
    assert "This JSON is not the app" not in html


def test_download_gives_the_normalized_app_with_its_planned_service_ports(
    client, cluster, composer_form
):
    response = client.post(
        reverse("app_new", args=["prod"]), composer_form(HOST_APP, action="download")
    )
    assert response["Content-Disposition"] == 'attachment; filename="api.json"'
    app = json.loads(response.content)
    assert [d["port"] for d in app["portDefinitions"]] == [10000, 10100]
    assert app["env"]["DB_PASSWORD"] == {"secret": "db"}


@pytest.mark.parametrize(
    ("app_id", "name"),
    [
        ("/shop/web", "shop-web.json"),
        ('/a"b\nc', "a_b_c.json"),
        ("", "app.json"),
        ("/", "app.json"),
    ],
)
def test_download_name_is_safe_whatever_the_draft_id(client, cluster, app_id, name, composer_form):
    data = composer_form(HOST_APP, app_id=app_id, action="download")
    response = client.post(reverse("app_new", args=["prod"]), data)
    assert response.status_code == 200
    assert response["Content-Disposition"] == f'attachment; filename="{name}"'


def test_save_new_app_redirects_to_its_edit_page(client, cluster, composer_form):
    response = client.post(
        reverse("app_new", args=["prod"]), composer_form(HOST_APP, action="save")
    )
    app = App.objects.get(app_id="/api")
    assert response.status_code == 302
    assert response.url == reverse("app_edit", args=["prod", app.pk])
    assert app.is_valid and app.source["env"]["DB_PASSWORD"] == {"secret": "db"}
    page = client.get(response.url).content.decode()
    assert "Saved /api (version 1) with 2 warnings." in page


def test_save_of_an_id_too_long_to_store_says_so_and_saves_nothing(client, cluster, composer_form):
    data = composer_form(HOST_APP, app_id="/" + "a" * 600, action="save")
    response = client.post(reverse("app_new", args=["prod"]), data)
    assert response.status_code == 200
    assert "has an id of 601 characters; Port Planner keeps ids of up to 500" in (
        response.content.decode()
    )
    assert not App.objects.exists()


def test_save_keeps_a_port_name_of_any_length(client, cluster, composer_form):
    # Marathon's port names (LegacyName) have no maxLength; PostgreSQL must take them too.
    name = "a" * 300
    app = {**HOST_APP, "portDefinitions": [{"port": 0, "protocol": "tcp", "name": name}]}
    response = client.post(reverse("app_new", args=["prod"]), composer_form(app, action="save"))
    assert response.status_code == 302
    assert App.objects.get().allocations.get().name == name


def test_save_invalid_app_as_draft(client, cluster, composer_form):
    bad = {**HOST_APP, "portDefinitions": [{"port": 80}, {"port": 80}], "requirePorts": False}
    response = client.post(
        reverse("app_new", args=["prod"]), composer_form(bad, action="save"), follow=True
    )
    app = App.objects.get(app_id="/api")
    assert not app.is_valid
    assert (
        "Saved /api (version 1) as a draft: 1 error to fix before Marathon would take it."
        in response.content.decode()
    )


def test_save_of_an_app_that_collides_says_what_it_saved_with(client, cluster, composer_form):
    save_app(cluster, {"id": "/other", "cmd": "run", "portDefinitions": [{"port": 10000}]}, by=BY)
    app = {**HOST_APP, "portDefinitions": [{"port": 10000, "name": "http"}], "requirePorts": False}
    response = client.post(
        reverse("app_new", args=["prod"]), composer_form(app, action="save"), follow=True
    )
    message = re.search(r'<li class="message ([a-z]+)">(.*?)</li>', response.content.decode())
    assert message.group(1) == "warning"
    assert unescape(message.group(2)) == (
        "Saved /api (version 1) with 1 collision: Service port 10000 is held by /api, /other."
    )


def test_save_counts_warnings_in_words(client, cluster, composer_form):
    app = {**HOST_APP, "portDefinitions": [{"port": 0, "name": "http"}]}
    # requirePorts with port 0: Marathon assigns a service port and requires it as host port.
    data = composer_form(app, action="save")
    html = client.post(reverse("app_new", args=["prod"]), data, follow=True).content.decode()
    assert "Saved /api (version 1) with 1 warning." in html


def test_save_without_id_saves_nothing(client, cluster, composer_form):
    response = client.post(
        reverse("app_new", args=["prod"]), composer_form(HOST_APP, app_id="", action="save")
    )
    assert response.status_code == 200
    assert "The app has no usable id; give it one such as /team/app." in response.content.decode()
    assert not App.objects.exists()


def test_save_with_an_id_taken_in_the_cluster_is_refused(client, cluster, composer_form):
    existing, _ = save_app(cluster, {"id": "/api", "cmd": "old"}, by=BY)
    response = client.post(
        reverse("app_new", args=["prod"]), composer_form(HOST_APP, action="save")
    )
    assert "/api already exists in prod" in response.content.decode()
    existing.refresh_from_db()
    assert existing.source == {"id": "/api", "cmd": "old"}


def test_edit_keeps_assigned_service_ports(client, cluster, composer_form):
    app, _ = save_app(cluster, {"id": "/svc", "cmd": "run", "ports": [0, 0]}, by=BY)
    save_app(cluster, {"id": "/zzz", "cmd": "run", "ports": [0]}, by=BY)
    before = list(app.allocations.values_list("service_port", flat=True))
    url = reverse("app_edit", args=["prod", app.pk])
    data = composer_form(app.source, cmd="run2", version="1", action="save")
    client.post(url, data)
    app.refresh_from_db()
    assert app.version == 2 and app.source["cmd"] == "run2"
    assert list(app.allocations.values_list("service_port", flat=True)) == before


def test_stale_save_is_refused_with_diff_and_overwrite_works(
    client, cluster, composer_form, django_user_model
):
    app, _ = save_app(cluster, {"id": "/svc", "cmd": "mine-base"}, by=BY)
    url = reverse("app_edit", args=["prod", app.pk])
    data = composer_form(app.source, cmd="mine", version="1", action="save")
    bob = django_user_model.objects.create_user("bob")
    by_bob = Actor(bob, "composer", "fix cmd")
    save_app(cluster, {"id": "/svc", "cmd": "theirs"}, app=app, expected_version=1, by=by_bob)
    html = client.post(url, data).content.decode()
    theirs = Revision.objects.get(live_app=app, version=2)
    # Who saved in between, when, and a link to what they changed.
    assert re.search(r"was saved by bob at \d\d:\d\d UTC", html)
    assert f'href="{reverse("revision_detail", args=["prod", theirs.pk])}"' in html
    assert "+  &quot;cmd&quot;: &quot;mine&quot;" in html
    assert "-  &quot;cmd&quot;: &quot;theirs&quot;" in html
    app.refresh_from_db()
    assert app.source["cmd"] == "theirs"
    client.post(url, {**data, "action": "overwrite"})
    app.refresh_from_db()
    assert app.source["cmd"] == "mine" and app.version == 3


def test_edit_round_trip_through_the_form_keeps_unknown_fields(client, cluster, composer_form):
    app, _ = save_app(cluster, BRIDGE_APP, by=BY)
    page = client.get(reverse("app_edit", args=["prod", app.pk])).content.decode()
    assert "<code>container.volumes</code>" in page
    client.post(
        reverse("app_edit", args=["prod", app.pk]),
        composer_form(app.source, cmd="nginx -g daemon", version="1", action="save"),
    )
    app.refresh_from_db()
    assert app.source == {**BRIDGE_APP, "cmd": "nginx -g daemon"}


def test_cluster_apps_page_query_count_is_flat(client, cluster, django_assert_num_queries):
    for i in range(5):
        save_app(cluster, {"id": f"/app{i}", "cmd": "run", "ports": [0, 0]}, by=BY)
    with django_assert_num_queries(8):  # session, user, marathon-lb collisions (2), pending changes
        response = client.get(reverse("cluster_apps", args=["prod"]))
    assert response.content.decode().count("<code>100") == 10


def test_home_lists_clusters(client, cluster):
    save_app(cluster, {"id": "/a", "cmd": "run", "ports": [80, 80]}, by=BY)
    html = client.get(reverse("home")).content.decode()
    assert 'href="/clusters/prod/"' in html


def test_edit_page_of_unreadable_draft_shows_source_and_no_save(client, cluster, composer_form):
    app, _ = save_app(cluster, {"id": "/broken", "portDefinitions": "eighty"}, by=BY)
    html = client.get(reverse("app_edit", args=["prod", app.pk])).content.decode()
    assert "cannot be shown in the form" in html and "/portDefinitions: must be a list" in html
    assert "&quot;eighty&quot;" in html  # the source, in the JSON pane
    assert 'value="save"' not in html
    assert "hx-post" not in html.split('id="composer-form"')[1].split(">")[0]  # no live preview
    # Pasted JSON that fails to load, posted without the form: the page stays locked, no error.
    data = {"action": "load_json", "json": "{"}
    html = client.post(reverse("app_edit", args=["prod", app.pk]), data).content.decode()
    assert "cannot be shown in the form" in html and "pasted JSON:1:2: invalid JSON" in html
    assert 'value="save"' not in html
    # A preview from the (empty) form must not replace the source in the pane.
    text, shown = json_pane(html)
    data = composer_form({"id": "/broken"}, json=text, json_shown=shown)
    url = reverse("app_preview", args=["prod", app.pk])
    assert not pane_follows_form(client.post(url, data, HTTP_HX_REQUEST="true").content.decode())


@pytest.mark.parametrize(
    ("value", "address"),
    [
        ("/shop/web:80", "shopweb.marathon.l4lb.thisdcos.directory:80"),
        ("named:234", "named.marathon.l4lb.thisdcos.directory:234"),
        ("10.0.0.1:53", "10.0.0.1:53"),
    ],
)
def test_vip_address_shown_for_each_vip_form(value, address):
    from portplanner.marathon.model import vip_address

    assert vip_address(value) == address


def test_preview_vip_and_its_address_wrap_between_parts_and_stay_escaped(
    client, cluster, composer_form
):
    html = client.post(reverse("app_preview_new", args=["prod"]), composer_form(BRIDGE_APP))
    html = html.content.decode()
    assert "<code>/<wbr>shop/<wbr>web:80</code>" in html
    assert "shopweb.<wbr>marathon.<wbr>l4lb.<wbr>thisdcos.<wbr>directory:80" in html
    assert breakable("<b>.x") == "&lt;b&gt;.<wbr>x"


def test_save_relative_id_clashing_with_saved_app_is_refused(client, cluster, composer_form):
    save_app(cluster, {"id": "/api", "cmd": "old"}, by=BY)
    data = composer_form(HOST_APP, app_id="api", action="save")
    response = client.post(reverse("app_new", args=["prod"]), data)
    assert "/api already exists in prod" in response.content.decode()
    assert App.objects.count() == 1


def test_an_app_with_more_ports_than_the_form_holds_opens_locked_and_says_why(client, cluster):
    ports = [{"port": 0} for _ in range(1001)]
    app, _ = save_app(cluster, {"id": "/big", "cmd": "run", "portDefinitions": ports}, by=BY)
    html = client.get(reverse("app_edit", args=["prod", app.pk])).content.decode()
    assert "/portDefinitions: 1,001 ports, and the form holds up to 1,000" in html
    assert 'id="save-button"' not in html


def test_a_post_of_more_rows_than_the_form_holds_is_refused_whole(client, cluster, composer_form):
    data = composer_form(HOST_APP, action="save", **{"ports-TOTAL_FORMS": "1001"})
    response = client.post(reverse("app_new", args=["prod"]), data)
    assert response.status_code == 400
    assert "Nothing was saved" in response.content.decode()
    assert not App.objects.exists()


def test_the_add_port_button_goes_at_the_limit(client, cluster, composer_form):
    ports = [{"port": 0} for _ in range(1000)]
    data = composer_form({"id": "/full", "cmd": "run", "portDefinitions": ports})
    html = client.post(reverse("app_new", args=["prod"]), data).content.decode()
    assert 'value="add_port"' not in html and 'id="port-999"' in html
    assert "Up to 1000 ports" in html


# --- marathon-lb ------------------------------------------------------------------------------

LB_APP = json.loads((APPS / "marathon-lb.json").read_text())


def test_port_row_shows_its_marathon_lb_labels_as_fields(client, cluster, composer_form):
    data = composer_form(LB_APP, action="preview")
    html = client.post(reverse("app_new", args=["prod"]), data).content.decode()
    assert re.search(r'<input type="text" name="ports-0-lb_vhost" value="api.example.com"', html)
    assert re.search(
        r'<input type="text" name="ports-0-lb_port" value="10080"[^>]* id="id_ports-0-lb_port"',
        html,
    )
    # A mode the select does not list is kept as an option of its own, selected.
    assert '<option value="HTTP" selected>HTTP</option>' in html
    assert 'placeholder="app\'s" id="id_ports-1-lb_group"' in html  # blank: HAPROXY_GROUP
    assert re.search(
        r'<input type="hidden" name="ports-0-lb_extra" value="\{&quot;BACKEND_HEAD', html
    )
    assert re.search(r'<input type="text" name="lb_alt_port" value="10081"', html)


def test_preview_says_what_marathon_lb_binds_for_each_port(client, cluster, composer_form):
    html = client.post(
        reverse("app_preview_new", args=["prod"]), composer_form(LB_APP), HTTP_HX_REQUEST="true"
    ).content.decode()
    assert '<th scope="col" role="columnheader">marathon-lb</th>' in html
    lb = '<td role="cell" data-label="marathon-lb" class="lb">'
    assert (
        f"{lb}binds 10080 (HAPROXY_0_PORT) in group external (http, vhost api.example.com)</td>"
    ) in html
    assert f'{lb}<span class="muted">not bound</span></td>' in html  # ENABLED=false


def test_preview_bind_port_colliding_in_a_group_names_the_other_app_and_offers_unbinding(
    client, cluster, composer_form
):
    save_app(
        cluster,
        {"id": "/web", "cmd": "run", "labels": {"HAPROXY_GROUP": "external"}, "ports": [10005]},
        by=BY,
    )
    save_app(
        cluster,
        {"id": "/intra", "cmd": "run", "labels": {"HAPROXY_GROUP": "internal"}, "ports": [10006]},
        by=BY,
    )
    data = composer_form(LB_APP, **{"ports-0-lb_port": "10005"})
    html = client.post(reverse("app_preview_new", args=["prod"]), data).content.decode()
    assert "marathon-lb bind port <strong>10005 in group external</strong> is bound by" in html
    assert ">/web</a> (port 0):" in html and "/intra" not in html
    assert 'value="clear_lb_port:0"' in html
    assert 'value="set_service_port:0:' not in html  # a new service port would change nothing


def test_preview_service_port_on_another_apps_bind_port_offers_free_service_ports(
    client, cluster, composer_form
):
    labels = {"HAPROXY_GROUP": "external", "HAPROXY_0_PORT": "10000"}
    save_app(cluster, {"id": "/api", "cmd": "run", "labels": labels, "ports": [10050]}, by=BY)
    app = {"id": "/web", "cmd": "run", "labels": {"HAPROXY_GROUP": "external"}, "ports": [10000]}
    html = client.post(
        reverse("app_preview_new", args=["prod"]), composer_form(app)
    ).content.decode()
    assert "marathon-lb bind port <strong>10000 in group external</strong>" in html
    assert 'value="set_service_port:0:10001"' in html and "clear_lb_port" not in html


def test_clear_lb_port_button_empties_the_field(client, cluster, composer_form):
    data = composer_form(LB_APP, action="clear_lb_port:0")
    html = client.post(reverse("app_new", args=["prod"]), data).content.decode()
    assert re.search(r'<input type="text" name="ports-0-lb_port" value=""', html)


def test_preview_lb_warning_links_to_the_port_rows_field(client, cluster, composer_form):
    data = composer_form(LB_APP, **{"ports-1-lb_port": "80a"})
    html = client.post(reverse("app_preview_new", args=["prod"]), data).content.decode()
    assert '<span class="code">lb-port-malformed</span> <a href="#id_ports-1-lb_port">' in html


def test_save_writes_marathon_lb_fields_as_app_labels_and_stores_the_binds(
    client, cluster, composer_form
):
    data = composer_form(LB_APP, action="save", **{"ports-1-lb_port": "10090"})
    data["ports-1-lb_extra"] = ""  # no longer disabled, and in HAPROXY_GROUP's group
    client.post(reverse("app_new", args=["prod"]), data)
    app = App.objects.get(app_id="/shop/api")
    assert app.source["labels"]["HAPROXY_1_PORT"] == "10090"
    assert "HAPROXY_1_ENABLED" not in app.source["labels"]
    assert sorted(app.lb_binds.values_list("path", "group", "port")) == [
        ("/labels/HAPROXY_0_PORT", "external", 10080),
        ("/labels/HAPROXY_1_PORT", "external", 10090),
    ]


# --- an id another app of the cluster has -------------------------------------------------------


def test_preview_of_an_id_another_app_has_is_an_error_with_a_link(client, cluster, composer_form):
    existing, _ = save_app(cluster, {"id": "/api", "cmd": "old"}, by=BY)
    data = composer_form({**HOST_APP, "portDefinitions": []}, app_id="api")  # relative: /api
    html = client.post(reverse("app_preview_new", args=["prod"]), data, HTTP_HX_REQUEST="true")
    html = html.content.decode()
    assert 'class="badge ok"' not in html and '<span class="badge error">1 error</span>' in html
    assert "An app with id /api already exists in prod" in html
    assert f'href="{reverse("app_edit", args=["prod", existing.pk])}"' in html
    assert '<a href="#id_app_id"><code>/id</code></a>' in html
    assert json.loads(field_errors(html))["id_app_id"]
    # Its own id is no error when the app itself is edited.
    url = reverse("app_preview", args=["prod", existing.pk])
    html = client.post(url, composer_form(existing.source), HTTP_HX_REQUEST="true")
    assert "already exists" not in html.content.decode()


def field_errors(html: str) -> str:
    return re.search(
        r'<script id="field-errors-data" type="application/json">(.*?)</script>', html
    ).group(1)


# --- every error names its value and marks the field(s) it is about -----------------------------


def preview_errors(client, data) -> tuple[str, dict]:
    html = client.post(reverse("app_preview_new", args=["prod"]), data, HTTP_HX_REQUEST="true")
    html = html.content.decode()
    return html, json.loads(field_errors(html))


def test_duplicate_ports_mark_each_row_and_name_the_port(client, cluster, composer_form):
    ports = [{"port": 8080, "name": "web"}, {"port": 8081}, {"port": 8080, "protocol": "udp"}]
    app = {**HOST_APP, "portDefinitions": ports, "requirePorts": False}
    html, errors = preview_errors(client, composer_form(app))
    message = (
        "Ports must be unique. 8080 is the port of ports 0 and 2 (the protocol does not count: "
        "one port with protocol udp,tcp takes both)."
    )
    assert errors["id_ports-0-service_port"] == [message]
    assert errors["id_ports-2-service_port"] == [message]
    assert "id_ports-1-service_port" not in errors
    assert f'<a href="#id_ports-0-service_port"><code>/portDefinitions</code></a> {message}' in (
        unescape(html)
    )


@pytest.mark.parametrize(("app", "rows"), [(HOST_APP, "portDefinitions"), (BRIDGE_APP, "mappings")])
def test_duplicate_port_names_mark_each_row_and_name_the_name(
    client, cluster, composer_form, app, rows
):
    data = composer_form(app, **{"ports-0-name": "web", "ports-1-name": "web"})
    _, errors = preview_errors(client, data)
    message = "Port names must be unique. web is the name of ports 0 and 1."
    assert errors["id_ports-0-name"] == errors["id_ports-1-name"] == [message]


def test_host_port_on_several_networks_marks_the_ports_network_names(
    client, cluster, composer_form
):
    data = composer_form(CONTAINER_APP, **{"ports-1-network_names": ""})
    _, errors = preview_errors(client, data)
    assert errors["id_ports-1-network_names"] == [
        "networkNames must be a single item list when hostPort is specified and more than 1 "
        "container network is defined. Port 1 has a host port and the app is on a, b: name one "
        "of them here, or take the host port off."
    ]
    assert "id_ports-1-name" not in errors


def test_docker_on_several_networks_marks_the_networks_and_the_container(
    client, cluster, composer_form
):
    data = composer_form(CONTAINER_APP, container_type="DOCKER", image="nginx")
    _, errors = preview_errors(client, data)
    message = (
        "may only specify a single container network when using the Docker container engine. "
        "The app is on 2 networks: a, b."
    )
    assert errors["id_network_names"] == [message]
    assert errors["id_container_type"] == [message]


def test_no_cmd_args_or_image_marks_the_command(client, cluster, composer_form):
    _, errors = preview_errors(client, composer_form(HOST_APP, args=""))
    assert "id_cmd" in errors and "id_args" in errors


# --- what was typed comes back as typed: a typo does not lock the draft or empty the preview ----

TYPO_APP = {
    "id": "/shop/typo",
    "cmd": "./run",
    "networks": [{"mode": "container/bridge"}],
    "container": {
        "type": "DOCKER",
        "docker": {"image": "nginx"},
        "portMappings": [
            {"containerPort": 80, "hostPort": 0, "name": "http"},
            {"containerPort": 81, "hostPort": 0, "name": "admin"},
            {"containerPort": 82, "hostPort": 0, "name": "metrics"},
        ],
    },
}


def test_a_draft_saved_with_a_typo_opens_in_the_form_as_typed(client, cluster, composer_form):
    typed = {
        "ports-1-host_port_mode": "fixed",
        "ports-1-host_port": "abc ",
        "ports-2-container_port": "70000",
        "ports-0-name": "Web_1",
    }
    data = composer_form(TYPO_APP, action="save", **typed)
    response = client.post(reverse("app_new", args=["prod"]), data)
    app = App.objects.get(app_id="/shop/typo")
    assert response.status_code == 302 and not app.is_valid
    html = client.get(reverse("app_edit", args=["prod", app.pk])).content.decode()
    assert "cannot be shown in the form" not in html and 'id="save-button"' in html
    assert 'value="container/bridge" id="id_network_mode_1" required checked' in html
    assert re.search(r'<option value="fixed" selected>', html.split('id="port-1"')[1])
    for name, value in typed.items():
        if name != "ports-1-host_port_mode":
            assert f'name="{name}" value="{value}"' in html, name
    # Each error beside its field, and the form's app is the draft as saved.
    assert 'id="id_ports-1-host_port_error"' in html and 'id="id_ports-0-name_error"' in html
    draft, _ = draft_for(cluster, app.source, app)
    assert app_from_draft(draft)[0] == app.source


def test_preview_with_a_typo_resolves_every_other_port(client, cluster, composer_form):
    data = composer_form(
        TYPO_APP, **{"ports-1-host_port_mode": "fixed", "ports-1-host_port": "abc"}
    )
    html, errors = preview_errors(client, data)
    assert list(errors) == ["id_ports-1-host_port"]
    rows = re.findall(r'<tr role="row"( class="broken")?>\s*<td [^>]*>(\d)</td>', html)
    assert rows == [("", "0"), (' class="broken"', "1"), ("", "2")]
    broken = html.split('<tr role="row" class="broken">')[1].split("</tr>")[0]
    assert '<code>abc</code> <span class="badge error">invalid</span>' in broken
    names = re.findall(r"<td><code>([A-Z][A-Z0-9_]*)</code></td>", html)
    assert {"PORT0", "PORT2", "PORT_80", "PORT_82", "PORT_HTTP", "PORT_METRICS"} <= set(names)
    assert "PORT_ADMIN" in names  # from the broken port: shown, and marked
    assert "Port 1 has an error" in html
    assert 'class="badge ok"' not in html  # still invalid: Marathon would refuse it


# --- free ports the app can use: with requirePorts, the port is the host port too --------------


def fixes_of(html: str) -> list[str]:
    return re.findall(r'value="set_service_port:0:(\d+)"', html)


def test_free_ports_for_require_ports_lie_in_the_agents_ranges(client, cluster, composer_form):
    cluster.local_port_min, cluster.local_port_max = 10000, 32000
    cluster.agent_port_ranges = "31000-32000"
    cluster.save()
    save_app(cluster, {"id": "/other", "cmd": "run", "portDefinitions": [{"port": 31000}]}, by=BY)
    # A fixed host port of another app is no free port for a port that is a host port too.
    bridge = {**BRIDGE_APP, "id": "/web", "container": {**BRIDGE_APP["container"]}}
    bridge["container"]["portMappings"] = [{"containerPort": 80, "hostPort": 31001}]
    save_app(cluster, bridge, by=BY)
    app = {**HOST_APP, "portDefinitions": [{"port": 31000, "name": "http"}], "requirePorts": True}
    html = client.post(
        reverse("app_preview_new", args=["prod"]), composer_form(app)
    ).content.decode()
    assert "Service port <strong>31000</strong> is held by" in html
    assert fixes_of(html) == ["31002", "31003", "31004"]


def test_no_free_port_for_require_ports_says_why(client, cluster, composer_form):
    save_app(cluster, {"id": "/other", "cmd": "run", "portDefinitions": [{"port": 10000}]}, by=BY)
    app = {**HOST_APP, "portDefinitions": [{"port": 10000, "name": "http"}], "requirePorts": True}
    html = client.post(
        reverse("app_preview_new", args=["prod"]), composer_form(app)
    ).content.decode()
    assert fixes_of(html) == []
    assert (
        "No port is free for port 0: with requirePorts its port is its host port too, and no "
        "port of the service-port range 10000-20000 lies in the agents' ranges (31000-32000). "
        "Turn requirePorts off to take any free service port and a random host port."
    ) in unescape(html)


def test_free_ports_leave_out_the_clusters_reserved_ports(client, cluster, composer_form):
    cluster.local_port_min, cluster.reserved_ports = 9089, "80,443,9090,9091"
    cluster.save()
    save_app(cluster, {"id": "/other", "cmd": "run", "portDefinitions": [{"port": 9089}]}, by=BY)
    app = {**HOST_APP, "portDefinitions": [{"port": 9089, "name": "http"}], "requirePorts": False}
    html = client.post(
        reverse("app_preview_new", args=["prod"]), composer_form(app)
    ).content.decode()
    assert fixes_of(html) == ["9092", "9093", "9094"]


# --- checks, instances, constraints, resources: fields, previewed ------------------------------


def test_the_form_has_checks_placement_and_resources(client, cluster):
    app, _ = save_app(cluster, {**BRIDGE_APP, "cpus": 0.5, "mem": 256}, by=BY)
    html = client.get(reverse("app_edit", args=["prod", app.pk])).content.decode()
    for name, value in (("instances", "3"), ("cpus", "0.5"), ("mem", "256")):
        assert re.search(rf'<input type="text" name="{name}" value="{value}"', html), name
    assert re.search(r'<option value="HTTP" selected>HTTP</option>', html)
    assert re.search(r'name="health-0-port_index" value="0"', html)
    assert 'value="add_health"' in html and 'value="add_readiness"' in html
    assert "<code>healthChecks</code>" not in html and "<code>instances</code>" not in html


def test_preview_says_what_each_check_probes_and_how_many_agents(client, cluster, composer_form):
    app = {
        **BRIDGE_APP,
        "constraints": [["hostname", "UNIQUE"]],
        "healthChecks": [
            {"protocol": "HTTP", "portIndex": 0, "path": "/"},
            {"protocol": "MESOS_TCP", "port": 8443},
            {"protocol": "COMMAND", "command": {"value": "true"}},
        ],
        "readinessChecks": [{"name": "ready", "portName": "http"}],
    }
    html, _ = preview_errors(client, composer_form(app))
    text = " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())
    assert "Health check 0, HTTP: probes port 0 (http)." in text
    assert "Health check 1, MESOS_TCP: probes port 8443." in text
    assert "Health check 2, COMMAND: runs its command, probes no port." in text
    assert "Readiness check 0: waits on port 0 (http)." in text
    assert (
        "3 instances, each holding fixed host port 8443: no two of its tasks can share an agent, "
        "so it needs 3 agents that offer that port free (hostname:UNIQUE asks for one task per "
        "agent too)." in text
    )


def test_preview_marks_a_health_check_on_no_port(client, cluster, composer_form):
    app = {**HOST_APP, "healthChecks": [{"protocol": "HTTP", "portIndex": 2}]}
    _, errors = preview_errors(client, composer_form(app))
    assert errors["id_health-0-port_index"] == [
        "Health check port indices must address an element of the ports array or container port "
        "mappings. Health check 0 asks for portIndex 2; the app has ports 0 and 1."
    ]


# --- the form's buttons: in place under htmx, focus on what changed ------------------------------

HX = {"HTTP_HX_REQUEST": "true", "HTTP_HX_TARGET": "ports"}


def test_add_port_under_htmx_answers_the_ports_and_the_preview_out_of_band(
    client, cluster, composer_form
):
    data = composer_form(HOST_APP, action="add_port")
    html = client.post(reverse("app_new", args=["prod"]), data, **HX).content.decode()
    assert html.startswith('<fieldset id="ports"') or html.lstrip().startswith("<fieldset")
    assert re.search(r'<fieldset id="ports" hx-target="this" hx-swap="outerHTML">', html)
    assert 'name="ports-TOTAL_FORMS" value="3"' in html
    assert re.search(r'id="id_ports-2-name" autofocus', html)
    assert html.count("autofocus") == 1
    assert (
        '<section id="preview" class="preview" aria-labelledby="preview-title" hx-swap-oob="true">'
        in html
    )
    assert '<fieldset id="checks" hx-target="this" hx-swap="outerHTML" hx-swap-oob="true">' in html
    assert (
        'id="save-button" class="primary" name="action" value="save" hx-swap-oob="innerHTML"'
        in html
    )
    assert "<form" not in html and "<html" not in html


@pytest.mark.parametrize(
    ("action", "focused"),
    [
        ("add_port", "id_ports-2-name"),
        ("remove_port:0", "id_ports-0-name"),
        ("remove_port:1", "add-port"),
        ("set_service_port:1:10042", "id_ports-1-service_port"),
        ("add_env", "id_env-1-name"),
        ("remove_env:0", "add-env"),
        ("add_health", "id_health-0-protocol"),
        ("add_readiness", "id_readiness-0-port_name"),
    ],
)
def test_a_button_of_the_form_focuses_what_it_changed_on_the_full_page_too(
    client, cluster, composer_form, action, focused
):
    data = composer_form(HOST_APP, action=action)
    html = client.post(reverse("app_new", args=["prod"]), data).content.decode()
    assert html.count("autofocus") == 1
    at = html.index("autofocus")
    tag = html[:at].rsplit("<", 1)[1] + html[at:].split(">", 1)[0]
    assert f'id="{focused}"' in tag, tag


def test_a_free_port_chip_posts_the_page_in_place(client, cluster, composer_form):
    save_app(cluster, {"id": "/other", "cmd": "run", "portDefinitions": [{"port": 10000}]}, by=BY)
    app = {**HOST_APP, "portDefinitions": [{"port": 10000, "name": "http"}], "requirePorts": False}
    html = client.post(reverse("app_preview_new", args=["prod"]), composer_form(app))
    chip = re.search(r'<button [^>]*value="set_service_port:0:10001"[^>]*>', html.content.decode())
    assert 'hx-post="/clusters/prod/apps/new/"' in chip.group(0)
    assert 'hx-target="#ports"' in chip.group(0) and "data-row-action" in chip.group(0)
