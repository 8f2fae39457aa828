"""Composer journeys in real Chromium: compose, paste, fix a collision, edit, stale edit, typing."""

import json
import re

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from portplanner.fleet.deploy import save_app
from portplanner.history.record import Actor
from portplanner.models import App

BY = Actor(None, "test")

pytestmark = pytest.mark.django_db(transaction=True)

LEGACY_APP = {
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
# Fields the form shows (the check's path aside); an edit in the form must carry them over exactly.
PLACED = {
    "instances": 3,
    "constraints": [["hostname", "UNIQUE"]],
    "healthChecks": [{"protocol": "MESOS_HTTP", "portIndex": 0, "path": "/health"}],
}
VOLUMES = [{"containerPath": "/data", "hostPath": "/srv/data", "mode": "RW"}]
PORT_LABELS = {"team": "shop"}


def save_button(page: Page):
    # Anchored: the stale banner has a "Save mine over theirs" button too.
    return page.get_by_role("button", name=re.compile(r"^Save( as draft)?$"))


def edit_url(app: App) -> str:
    return reverse("app_edit", args=[app.cluster.name, app.pk])


def test_composer_bridge_app_from_scratch_shows_env_and_saves(page: Page, cluster):
    page.goto(reverse("app_new", args=[cluster.name]))
    # A new app starts with Marathon's default port (`default`, port 0); start from none.
    expect(page.locator(".port-row")).to_have_count(1)
    page.get_by_role("button", name="Remove port 0").click()
    expect(page.locator("#ports")).to_contain_text("No ports")
    page.get_by_label("Bridge (container/bridge)").check()
    page.get_by_label("App id").fill("/shop/web")
    # The new row comes back from the server, in place, with the form as it was.
    page.get_by_role("button", name="Add a port").click()
    expect(page.locator(".port-row")).to_have_count(1)
    expect(page.get_by_label("Bridge (container/bridge)")).to_be_checked()
    expect(page.get_by_label("App id")).to_have_value("/shop/web")
    page.locator("#id_ports-0-name").fill("http")
    page.locator("#id_ports-0-container_port").fill("8080")

    preview = page.locator("#preview")
    for name in ("PORT0", "PORT_8080", "PORT_HTTP"):
        expect(preview.get_by_role("cell", name=name, exact=True)).to_be_visible()
    expect(preview.locator("table.ports")).to_contain_text("assigned at launch")
    expect(preview.locator("#preview-title")).to_contain_text("/shop/web")

    save_button(page).click()

    # POST/redirect/GET: the page lands on the new app's edit URL.
    expect(page.locator(".messages")).to_contain_text("Saved /shop/web (version 1).")
    app = App.objects.get(cluster=cluster, app_id="/shop/web")
    expect(page).to_have_url(re.compile(re.escape(edit_url(app)) + "$"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("Edit /shop/web")
    (mapping,) = app.source["container"]["portMappings"]
    assert (mapping["name"], mapping["containerPort"], mapping["hostPort"]) == ("http", 8080, 0)
    assert app.source["networks"] == [{"mode": "container/bridge"}]


def test_composer_legacy_json_loads_into_form_as_marathon_rewrites_it(page: Page, cluster):
    page.goto(reverse("app_new", args=[cluster.name]))
    page.locator("#id_json").fill(json.dumps(LEGACY_APP))
    page.get_by_role("button", name="Load into form").click()

    expect(page.get_by_label("Bridge (container/bridge)")).to_be_checked()
    expect(page.locator("#id_ports-0-container_port")).to_have_value("80")
    expect(page.get_by_label("App id")).to_have_value("/legacy")
    notes = page.locator(".banner.info")
    expect(notes).to_contain_text("container.docker.network")
    normalized = page.locator("#normalized-json")
    expect(normalized).to_contain_text('"container/bridge"')
    expect(normalized).not_to_contain_text("docker.network")
    app = json.loads(normalized.text_content())
    assert app["networks"] == [{"mode": "container/bridge"}]
    assert "network" not in app["container"]["docker"]
    assert "portMappings" not in app["container"]["docker"]


def test_composer_json_pane_follows_the_form_but_keeps_what_was_typed_into_it(page: Page, cluster):
    page.goto(reverse("app_new", args=[cluster.name]))
    pane = page.locator("#id_json")
    page.get_by_label("App id").fill("/follows")
    expect(pane).to_have_value(re.compile(r'"id": "/follows"'))
    page.wait_for_load_state("networkidle")

    # A preview sent before the user typed into the pane, landing after they moved on, does not
    # replace the pane (the page's script cancels that out-of-band swap).
    page.evaluate(
        "() => new Promise((done) => {"
        " document.addEventListener('htmx:afterSettle', () => done(), {once: true});"
        " const form = document.getElementById('composer-form');"
        " htmx.ajax('POST', form.getAttribute('hx-post'),"
        " {source: form, target: '#preview', swap: 'outerHTML'});"
        " document.getElementById('id_json').value += 'typed meanwhile';"
        " document.getElementById('id_app_id').focus(); })"
    )
    expect(pane).to_have_value(re.compile(r"typed meanwhile$"))

    pane.fill('{"id": "/typed", "cmd": "./typed"}')
    page.get_by_label("App id").fill("/form-changed")
    note = page.locator("#json-note")
    expect(note).to_contain_text("This JSON is not the app in the form")
    expect(page.locator("#preview-title")).to_contain_text("/form-changed")
    expect(pane).to_have_value('{"id": "/typed", "cmd": "./typed"}')

    note.get_by_role("button", name="show the form's app").click()
    expect(pane).to_have_value(re.compile(r'"id": "/form-changed"'))
    expect(page.locator("#json-note")).not_to_contain_text("not the app in the form")


def test_composer_field_errors_follow_the_live_preview(page: Page, cluster):
    page.goto(reverse("app_new", args=[cluster.name]))
    page.get_by_label("Bridge (container/bridge)").check()
    port = page.locator("#id_ports-0-container_port")
    port.fill("eighty")
    wrapper = page.locator('[data-field="id_ports-0-container_port"]')
    expect(wrapper.locator(".field-error")).to_have_text(re.compile(r"must be a port number"))
    expect(wrapper).to_have_class(re.compile(r"has-error"))
    expect(port).to_have_attribute("aria-invalid", "true")
    expect(port).to_have_attribute("aria-describedby", "id_ports-0-container_port_error")
    expect(port).to_have_value("eighty")
    expect(port).to_be_focused()

    port.fill("8080")
    expect(wrapper.locator(".field-error")).to_have_count(0)
    expect(wrapper).not_to_have_class(re.compile(r"has-error"))
    expect(port).not_to_have_attribute("aria-invalid", "true")

    # A field with help text stays described by it, error or not.
    app_id = page.get_by_label("App id")
    app_id.fill("")
    expect(app_id).to_have_attribute("aria-describedby", "id_app_id_helptext id_app_id_error")
    app_id.fill("/fixed")
    expect(app_id).to_have_attribute("aria-describedby", "id_app_id_helptext")


def test_composer_collision_fixed_by_suggested_service_port(page: Page, cluster):
    save_app(cluster, {"id": "/other", "cmd": "run", "portDefinitions": [{"port": 10000}]}, by=BY)
    page.goto(reverse("app_new", args=[cluster.name]))
    page.get_by_label("App id").fill("/mine")
    # The new app's one port (Marathon's default) asks for the service port /other holds.
    page.locator("#id_ports-0-service_port").fill("10000")

    collisions = page.locator("#preview ul.collisions")
    expect(collisions).to_contain_text("Service port 10000 is held by /other (port 0)")
    first_fix = collisions.locator(".fixes").get_by_role("button").first
    expect(first_fix).to_have_text(re.compile(r"^\d+$"))
    port = first_fix.text_content()
    assert port != "10000"
    first_fix.click()

    expect(page.locator("#id_ports-0-service_port")).to_have_value(port)
    expect(page.locator("#preview ul.collisions")).to_have_count(0)
    expect(page.locator("#preview table.ports")).to_contain_text(port)


def test_composer_edit_keeps_unmodeled_fields_exactly(page: Page, cluster):
    raw = {
        "id": "/keep",
        "cmd": "./old",
        **PLACED,
        "networks": [{"mode": "container/bridge"}],
        "container": {
            "type": "DOCKER",
            "docker": {"image": "nginx"},
            "volumes": VOLUMES,
            "portMappings": [
                {"containerPort": 80, "hostPort": 0, "name": "http", "labels": PORT_LABELS}
            ],
        },
    }
    app, _ = save_app(cluster, raw, by=BY)
    page.goto(edit_url(app))
    expect(page.locator("p.kept").get_by_text("container.volumes", exact=True)).to_be_visible()
    expect(page.get_by_label("Instances")).to_have_value("3")
    expect(page.get_by_label("Constraints")).to_have_value("hostname:UNIQUE")
    expect(page.get_by_label("Health check 0: protocol")).to_have_value("MESOS_HTTP")

    page.get_by_label("Command (cmd)").fill("./new --port $PORT0")
    save_button(page).click()

    expect(page.locator(".messages")).to_contain_text("Saved /keep (version 2)")
    expect(page.locator("p.kept").get_by_text("container.volumes", exact=True)).to_be_visible()
    app.refresh_from_db()
    source = app.source
    assert source["cmd"] == "./new --port $PORT0"
    for key, value in PLACED.items():
        assert json.dumps(source[key], sort_keys=True) == json.dumps(value, sort_keys=True), key
    assert json.dumps(source["container"]["volumes"]) == json.dumps(VOLUMES)
    mapping = source["container"]["portMappings"][0]
    assert json.dumps(mapping["labels"]) == json.dumps(PORT_LABELS)
    assert (mapping["name"], mapping["containerPort"]) == ("http", 80)


def test_composer_stale_edit_shows_diff_and_keeps_other_save(page: Page, cluster):
    app, _ = save_app(cluster, {"id": "/svc", "cmd": "./original"}, by=BY)
    page.goto(edit_url(app))
    expect(page.get_by_label("Command (cmd)")).to_have_value("./original")

    # Someone else saves while the page is open.
    save_app(cluster, {"id": "/svc", "cmd": "./theirs"}, app=app, expected_version=1, by=BY)
    page.get_by_label("Command (cmd)").fill("./mine")
    save_button(page).click()

    banner = page.get_by_role("alert").filter(has_text="was saved by")
    expect(banner).to_contain_text(re.compile(r"/svc was saved by system at \d\d:\d\d UTC"))
    expect(banner).to_contain_text("(now version 2)")
    diff = banner.locator("pre.diff")
    expect(diff).to_contain_text('-  "cmd": "./theirs"')
    expect(diff).to_contain_text('+  "cmd": "./mine"')
    # Nothing lost on either side: the form keeps mine, the database theirs.
    expect(page.get_by_label("Command (cmd)")).to_have_value("./mine")
    app.refresh_from_db()
    assert (app.source["cmd"], app.version) == ("./theirs", 2)


def test_composer_status_speaks_a_summary_and_typing_is_spared(page: Page, cluster):
    page.goto(reverse("app_new", args=[cluster.name]))
    status = page.locator("#preview-status")
    expect(status).to_have_text(re.compile(r"valid, \d+ warnings?"))
    page.evaluate(
        "() => { window.swaps = 0;"
        " document.addEventListener('htmx:afterSwap', () => window.swaps++); }"
    )

    cmd = page.get_by_label("Command (cmd)")
    cmd.fill("")
    cmd.focus()
    typed = "./run $PORT0"
    # Slower than the preview's 250 ms quiet time: each keystroke is previewed at once, and
    # previews are swapped in between keystrokes.
    page.keyboard.type(typed, delay=300)

    expect(page.locator("#preview .env")).to_contain_text("PORT0")
    expect(cmd).to_have_value(typed)
    expect(cmd).to_be_focused()
    assert page.evaluate("window.swaps") >= 2

    # The one-line status (a polite live region that is updated, never replaced) follows along.
    page.get_by_label("App id").fill("")
    expect(status).to_have_text(re.compile(r"1 error"))
    expect(page.locator("#save-button")).to_have_text("Save as draft")


def test_composer_previews_a_keystroke_at_once_and_a_burst_twice(page: Page, cluster):
    """The first change after a pause goes to the server at once; changes that follow it within
    250 ms wait until the typing stops, and go as one request. Timers run on Playwright's clock,
    paused, so that "at once" and "after 250 ms" do not depend on this machine's speed."""
    page.clock.install()
    page.goto(reverse("app_new", args=[cluster.name]))
    expect(page.locator("#preview-status")).to_have_text(re.compile("valid"))
    page.clock.pause_at(page.evaluate("Date.now()") + 1000)
    app_id = page.get_by_label("App id")
    app_id.fill("/a")
    app_id.press("End")
    page.clock.run_for(1000)  # a pause
    sent = []
    page.on("request", lambda r: sent.append(r.post_data) if r.url.endswith("/preview/") else None)

    with page.expect_request(lambda r: r.url.endswith("/preview/")) as first:
        page.keyboard.press("b")  # the clock stands still: nothing waits for a timer
    assert "app_id=%2Fab" in first.value.post_data
    page.keyboard.type("cd")  # within 250 ms of "b" (no time passes): the burst waits
    page.wait_for_timeout(300)
    assert len(sent) == 1
    with page.expect_request(lambda r: r.url.endswith("/preview/")) as last:
        page.clock.run_for(250)
    assert "app_id=%2Fabcd" in last.value.post_data
    assert len(sent) == 2
    page.clock.resume()
    expect(page.locator("#preview-title")).to_contain_text("/abcd")


# Implicit submission (Enter in a text field) clicks the form's first submit button in tree order;
# that must be the harmless "Update preview", not "Remove port 0" or "Save mine over theirs".


def test_composer_enter_in_text_field_keeps_ports(page: Page, cluster):
    page.goto(reverse("app_new", args=[cluster.name]))
    expect(page.locator(".port-row")).to_have_count(1)
    with page.expect_response(lambda r: r.request.method == "POST" and r.url == page.url) as post:
        page.get_by_label("App id").press("Enter")
    assert "action=remove_port" not in (post.value.request.post_data or "")
    expect(page.locator(".port-row")).to_have_count(1)


def test_composer_enter_on_stale_page_keeps_other_save(page: Page, cluster):
    app, _ = save_app(cluster, {"id": "/svc", "cmd": "./original"}, by=BY)
    page.goto(edit_url(app))
    save_app(cluster, {"id": "/svc", "cmd": "./theirs"}, app=app, expected_version=1, by=BY)
    page.get_by_label("Command (cmd)").fill("./mine")
    save_button(page).click()
    expect(page.get_by_role("alert").filter(has_text="was saved by system")).to_be_visible()

    with page.expect_response(lambda r: r.request.method == "POST" and r.url == page.url):
        page.get_by_label("App id").press("Enter")

    app.refresh_from_db()
    assert (app.source["cmd"], app.version) == ("./theirs", 2)


# The Copy button of the preview's Marathon JSON shows only where it can work.

NO_CLIPBOARD = "Object.defineProperty(Navigator.prototype, 'clipboard', {get: () => undefined})"
CLIPBOARD_THROWS = (
    "Object.defineProperty(Navigator.prototype, 'clipboard', {get: () => ({writeText: () =>"
    " Promise.reject(new DOMException('Write permission denied.', 'NotAllowedError'))})})"
)


def test_composer_copy_button_is_hidden_without_javascript(screen, cluster):
    page = screen(java_script_enabled=False).new_page()
    page.goto(reverse("app_new", args=[cluster.name]))
    expect(page.locator("#normalized-json")).to_contain_text('"id": "/my-app"')
    expect(page.get_by_role("button", name="Copy")).to_be_hidden()


def test_composer_copy_button_is_hidden_where_there_is_no_clipboard(page: Page, cluster):
    # What a plain-HTTP host gives the page: no navigator.clipboard outside a secure context.
    page.add_init_script(NO_CLIPBOARD)
    page.goto(reverse("app_new", args=[cluster.name]))
    page.get_by_label("App id").fill("/typed")  # and after a live preview too
    expect(page.locator("#preview-title")).to_contain_text("/typed")
    expect(page.get_by_role("button", name="Copy")).to_be_hidden()


def test_composer_copy_that_fails_selects_the_json_to_copy_by_hand(page: Page, cluster):
    page.add_init_script(CLIPBOARD_THROWS)
    page.goto(reverse("app_new", args=[cluster.name]))
    copy = page.get_by_role("button", name="Copy")
    copy.click()
    expect(page.locator("#copy-status")).to_have_text(
        "Copying is not allowed here: the JSON is selected, press Ctrl+C (⌘C) to copy it."
    )
    selected = page.evaluate("() => window.getSelection().toString()")
    assert json.loads(selected)["id"] == "/my-app"


def test_composer_copy_puts_the_json_on_the_clipboard(page: Page, context, cluster):
    context.grant_permissions(["clipboard-read", "clipboard-write"])
    page.goto(reverse("app_new", args=[cluster.name]))
    page.get_by_role("button", name="Copy").click()
    expect(page.locator("#copy-status")).to_have_text("Copied.")
    copied = page.evaluate("() => navigator.clipboard.readText()")
    assert json.loads(copied)["id"] == "/my-app"


# A typo saved in a draft comes back as typed; a typo in one port leaves the others resolved.

THREE_PORTS = {
    "id": "/shop/three",
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


def test_composer_draft_saved_with_a_typo_opens_in_the_form_as_typed(page: Page, cluster):
    app, _ = save_app(cluster, THREE_PORTS, by=BY)
    page.goto(edit_url(app))
    page.locator("#id_ports-1-host_port_mode").select_option("fixed")
    page.locator("#id_ports-1-host_port").fill("abc")
    expect(page.locator("#save-button")).to_have_text("Save as draft")
    save_button(page).click()
    expect(page.locator(".messages")).to_contain_text("Saved /shop/three (version 2) as a draft")

    # The form again, not the locked page: the typo in its field, its error beside it.
    expect(page.get_by_role("alert")).to_have_count(0)
    expect(page.get_by_label("Bridge (container/bridge)")).to_be_checked()
    host_port = page.locator("#id_ports-1-host_port")
    expect(host_port).to_have_value("abc")
    expect(host_port).to_be_visible()
    expect(host_port).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#id_ports-1-host_port_error")).to_contain_text("must be a port number")
    expect(save_button(page)).to_be_visible()
    # The preview describes this app: its other ports resolved.
    expect(page.locator("#preview table.ports tbody tr")).to_have_count(3)

    host_port.fill("31005")
    expect(page.locator("#save-button")).to_have_text("Save")
    save_button(page).click()
    expect(page.locator(".messages")).to_contain_text("Saved /shop/three (version 3)")
    app.refresh_from_db()
    assert app.source["container"]["portMappings"][1]["hostPort"] == 31005


def test_composer_typo_in_one_port_leaves_the_others_resolved(page: Page, cluster):
    app, _ = save_app(cluster, THREE_PORTS, by=BY)
    page.goto(edit_url(app))
    page.locator("#id_ports-1-container_port").fill("eighty-one")

    rows = page.locator("#preview table.ports tbody tr")
    expect(rows).to_have_count(3)
    expect(rows.nth(1)).to_have_class("broken")
    expect(rows.nth(1)).to_contain_text("eighty-one")
    expect(rows.nth(0)).to_contain_text("assigned at launch")
    expect(rows.nth(2)).to_contain_text("82")
    env = page.locator("#preview table.env")
    for name in ("PORT0", "PORT2", "PORT_80", "PORT_82", "PORT_HTTP", "PORT_METRICS"):
        expect(env.get_by_role("cell", name=name, exact=True)).to_be_visible()
    expect(env).to_contain_text("Port 1 has an error")
    expect(page.locator("#preview-title")).to_contain_text("1 error")


# The form's buttons update the form in place and move focus to what they changed.


def mark_page(page: Page) -> None:
    """Mark this document: a full page load (what the buttons did before) would lose the mark."""
    page.evaluate("() => { window.samePage = true; }")


def still_same_page(page: Page) -> bool:
    return page.evaluate("() => window.samePage === true")


def test_composer_buttons_update_the_form_in_place_and_focus_what_changed(page: Page, cluster):
    page.set_viewport_size({"width": 1366, "height": 768})
    page.goto(reverse("app_new", args=[cluster.name]))
    mark_page(page)
    rows = page.locator(".port-row")
    expect(rows).to_have_count(1)

    # A keyboard user: Enter on "Add a port", then type straight into the new port's name.
    page.get_by_role("button", name="Add a port").focus()
    page.keyboard.press("Enter")
    expect(rows).to_have_count(2)
    expect(page.locator("#id_ports-1-name")).to_be_focused()
    page.keyboard.type("metrics")
    expect(page.locator("#preview table.ports")).to_contain_text("metrics")
    expect(page.locator("#preview .env")).to_contain_text("PORT_METRICS")
    assert page.evaluate("() => window.scrollY") > 0  # not thrown back to the top
    assert still_same_page(page)

    # Removing a port: focus on the row now in its place; after the last, on "Add a port".
    page.get_by_role("button", name="Remove port 0").click()
    expect(rows).to_have_count(1)
    expect(page.locator("#id_ports-0-name")).to_be_focused()
    expect(page.locator("#id_ports-0-name")).to_have_value("metrics")
    expect(page.locator("#preview table.ports tbody tr")).to_have_count(1)
    page.get_by_role("button", name="Remove port 0").click()
    expect(rows).to_have_count(0)
    expect(page.get_by_role("button", name="Add a port")).to_be_focused()
    expect(page.locator("#preview")).to_contain_text("No ports.")

    page.get_by_role("button", name="Add a variable").click()
    expect(page.locator("#id_env-0-name")).to_be_focused()
    page.keyboard.type("MODE")
    page.get_by_label("Value").fill("prod")
    expect(page.locator("#normalized-json")).to_contain_text('"MODE": "prod"')
    assert still_same_page(page)


def test_composer_free_port_chip_fills_the_port_in_place(page: Page, cluster):
    save_app(cluster, {"id": "/other", "cmd": "run", "portDefinitions": [{"port": 10000}]}, by=BY)
    page.goto(reverse("app_new", args=[cluster.name]))
    mark_page(page)
    page.locator("#id_ports-0-service_port").fill("10000")
    chip = page.locator("#preview ul.collisions .fixes").get_by_role("button").first
    chip.click()
    service_port = page.locator("#id_ports-0-service_port")
    expect(service_port).to_have_value("10001")
    expect(service_port).to_be_focused()
    expect(page.locator("#preview ul.collisions")).to_have_count(0)
    assert still_same_page(page)


def test_composer_buttons_are_plain_posts_without_javascript(screen, cluster):
    page = screen(java_script_enabled=False).new_page()
    page.goto(reverse("app_new", args=[cluster.name]))
    page.get_by_label("App id").fill("/no-script")
    page.get_by_role("button", name="Add a port").click()
    expect(page.locator(".port-row")).to_have_count(2)
    expect(page.get_by_label("App id")).to_have_value("/no-script")
    expect(page.locator("#id_ports-1-name")).to_be_focused()  # autofocus, no script needed
    page.get_by_role("button", name="Remove port 0").click()
    expect(page.locator(".port-row")).to_have_count(1)
    expect(page.locator("#preview table.ports tbody tr")).to_have_count(1)


# The composer at a laptop's width and a phone's: nothing cut off, no sideways scrolling, and on a
# phone a summary of the preview in view while a port is typed.

WIDE_APP = {
    "id": "/shop/wide",
    "cmd": "./run",
    "networks": [{"mode": "container/bridge"}],
    "labels": {"HAPROXY_GROUP": "external"},
    "container": {
        "type": "DOCKER",
        "docker": {"image": "registry.example.com/shop/wide:1.2.3"},
        "portMappings": [
            {
                "containerPort": 8000 + i,
                "hostPort": 0 if i % 3 else 31000 + i,
                "name": f"port-name-{i}",
                "protocol": "udp,tcp" if i == 1 else "tcp",
                "labels": {f"VIP_{i}": f"/shop/wide-service:{8000 + i}"},
            }
            for i in range(6)
        ],
    },
}


def overflow(page: Page) -> dict:
    """How far the page scrolls sideways, and each preview table wider than its box."""
    return page.evaluate(
        """() => ({
          page: document.documentElement.scrollWidth - window.innerWidth,
          tables: [...document.querySelectorAll('#preview table')]
            .filter((t) => t.scrollWidth > t.parentElement.clientWidth + 1)
            .map((t) => t.className),
        })"""
    )


@pytest.mark.parametrize("width", [1366, 390])
def test_composer_fits_a_laptop_and_a_phone(screen, cluster, width):
    app, _ = save_app(cluster, WIDE_APP, by=BY)
    page = screen(viewport={"width": width, "height": 768 if width > 1000 else 844}).new_page()
    page.goto(edit_url(app))
    expect(page.locator("#preview table.ports tbody tr")).to_have_count(6)
    assert overflow(page) == {"page": 0, "tables": []}
    # Every column of the ports table is on screen: the VIP column's cells too.
    vip = page.locator("#preview table.ports tbody tr").first.locator("td").nth(6)
    box, viewport = vip.bounding_box(), page.viewport_size
    assert box["x"] >= 0 and box["x"] + box["width"] <= viewport["width"]


def test_composer_on_a_phone_keeps_a_summary_of_the_preview_in_view(screen, cluster):
    app, _ = save_app(cluster, WIDE_APP, by=BY)
    page = screen(viewport={"width": 390, "height": 844}, has_touch=True).new_page()
    page.goto(edit_url(app))
    summary = page.locator("#preview-summary")
    port = page.locator("#id_ports-4-container_port")
    port.scroll_into_view_if_needed()
    port.fill("9090x")
    expect(summary).to_contain_text("1 error")
    expect(summary).to_contain_text("must be a port number")
    port.fill("9094")
    expect(summary).to_contain_text("valid")
    expect(summary.locator("li", has_text="port-name-4")).to_contain_text("container 9094")
    # In view, beside the field being typed: not ~940 px below it.
    box, field = summary.bounding_box(), port.bounding_box()
    assert box["y"] >= 0 and box["y"] + box["height"] <= 844
    assert field["y"] + field["height"] <= box["y"]  # the field is not hidden behind it
    assert overflow(page) == {"page": 0, "tables": []}


def test_composer_summary_is_not_shown_beside_the_preview(screen, cluster):
    page = screen(viewport={"width": 1366, "height": 768}).new_page()
    page.goto(reverse("app_new", args=[cluster.name]))
    expect(page.locator("#preview")).to_be_visible()
    expect(page.locator("#preview-summary")).to_be_hidden()
