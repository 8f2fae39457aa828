"""marathon-lb journey in real Chromium: a bind port typed into a port row collides with another
app's in the same group, the live preview says so, and one click binds the service port instead."""

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from portplanner.fleet.deploy import save_app
from portplanner.history.record import Actor
from portplanner.models import App

BY = Actor(None, "test")

pytestmark = pytest.mark.django_db(transaction=True)


def test_bind_port_colliding_in_a_group_shows_in_the_preview_and_is_fixed(page: Page, cluster):
    save_app(
        cluster,
        {
            "id": "/shop/web",
            "cmd": "run",
            "labels": {"HAPROXY_GROUP": "external"},
            "ports": [10005],
        },
        by=BY,
    )
    save_app(
        cluster,
        {
            "id": "/intranet",
            "cmd": "run",
            "labels": {"HAPROXY_GROUP": "internal"},
            "ports": [10006],
        },
        by=BY,
    )
    page.goto(reverse("app_new", args=[cluster.name]))
    page.get_by_label("App id").fill("/shop/api")
    page.get_by_label("marathon-lb groups (HAPROXY_GROUP)").fill("external")
    preview = page.locator("#preview")
    expect(preview.locator("td.lb")).to_have_text("binds 10000 in group external (tcp)")
    expect(preview).not_to_contain_text("Collisions with")

    # The bind port of port 0 is the one /shop/web's service port holds in the same group.
    page.get_by_label("LB bind port").fill("10005")
    collision = preview.locator(".collisions li")
    expect(collision).to_contain_text("marathon-lb bind port 10005 in group external is bound by")
    expect(collision.get_by_role("link", name="/shop/web")).to_be_visible()
    expect(preview.locator("td.lb")).to_have_text(
        "binds 10005 (HAPROXY_0_PORT) in group external (tcp)"
    )

    # In another group it meets nothing: /intranet's port is not /shop/web's group.
    page.get_by_label("LB groups", exact=True).fill("internal")
    expect(preview).not_to_contain_text("Collisions with")
    page.get_by_label("LB groups", exact=True).fill("")
    expect(collision).to_contain_text("in group external")

    page.get_by_role("button", name="Bind port 0's service port instead").click()
    expect(page.get_by_label("LB bind port")).to_have_value("")
    expect(preview).not_to_contain_text("Collisions with")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator(".messages")).to_contain_text("Saved /shop/api")
    saved = App.objects.get(app_id="/shop/api")
    assert saved.source["labels"] == {"HAPROXY_GROUP": "external"}
