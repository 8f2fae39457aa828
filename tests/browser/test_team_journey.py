"""A team on one fleet, in real Chromium: an editor moves a port and a viewer reads the change
in ports; an editor deletes an app, its port is free on the map, and restores it; a viewer cannot
save."""

import re

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from portplanner.fleet.deploy import save_app
from portplanner.history.record import Actor
from portplanner.models import Cluster, Membership, Role

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def team(django_user_model):
    cluster = Cluster.objects.create(name="prod", local_port_min=10000, local_port_max=10099)
    members = {}
    for name, role in (("erin", Role.EDITOR), ("vera", Role.VIEWER)):
        members[name] = django_user_model.objects.create_user(name, password="x")
        Membership.objects.create(cluster=cluster, user=members[name], role=role)
    app, _ = save_app(
        cluster,
        {"id": "/shop/web", "cmd": "./web", "portDefinitions": [{"port": 10001, "name": "http"}]},
        by=Actor(members["erin"], "composer"),
    )
    return cluster, app, members


def test_an_editor_moves_a_port_and_a_viewer_reads_the_change_in_ports(page: Page, team, sign_in):
    cluster, app, members = team
    sign_in(members["erin"])
    page.goto(reverse("app_edit", args=["prod", app.pk]))
    page.get_by_label("Service port").fill("10050")
    page.get_by_label("Why (optional").fill("free 10001 for the gateway")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator(".messages")).to_contain_text("Saved /shop/web (version 2)")

    sign_in(members["vera"])
    page.goto(reverse("cluster_activity", args=["prod"]))
    row = page.get_by_role("row").filter(has_text="free 10001 for the gateway")
    expect(row).to_contain_text("erin")
    row.get_by_role("link", name="1 port changed").click()
    diff = page.get_by_role("region", name=re.compile("What changed in ports"))
    expect(diff).to_contain_text("version 1 → 2")
    port = diff.get_by_role("row").filter(has_text="port 0 (http)")
    expect(port).to_contain_text("service port")
    expect(port.locator("del")).to_have_text("10001")
    expect(port.locator("ins")).to_have_text("10050")
    # A viewer may read it all but restore nothing.
    expect(page.get_by_role("button", name="Restore this version")).to_have_count(0)


def test_an_editor_deletes_an_app_frees_its_port_and_restores_it(page: Page, team, sign_in):
    cluster, app, members = team
    sign_in(members["erin"])
    page.goto(reverse("cluster_port_map", args=["prod"]))
    held = page.locator("#service-grid .cell").nth(1)  # port 10001
    expect(held).to_have_class(re.compile(r"\bfull\b"))

    page.goto(reverse("app_edit", args=["prod", app.pk]))
    page.get_by_role("link", name="Delete").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Delete /shop/web?")
    expect(page.get_by_role("main")).to_contain_text("10001")
    page.get_by_role("button", name="Delete /shop/web").click()
    expect(page.locator(".messages")).to_contain_text("Deleted /shop/web; service port 10001 freed")

    page.goto(reverse("cluster_port_map", args=["prod"]))
    expect(page.locator("#service-grid .cell").nth(1)).to_have_class(re.compile(r"\bfree\b"))

    # Undone from the activity feed: the app comes back on its old port.
    page.goto(reverse("cluster_activity", args=["prod"]))
    page.get_by_role("link", name=re.compile(r"^deleted")).click()
    page.get_by_role("button", name="Restore this version").click()
    expect(page.locator(".messages")).to_contain_text("Restored /shop/web")
    page.goto(reverse("cluster_port_map", args=["prod"]))
    expect(page.locator("#service-grid .cell").nth(1)).to_have_class(re.compile(r"\bfull\b"))


def test_a_viewer_previews_but_finds_no_save(page: Page, team, sign_in):
    cluster, app, members = team
    sign_in(members["vera"])
    page.goto(reverse("app_edit", args=["prod", app.pk]))
    page.get_by_label("Service port").fill("10077")
    expect(page.locator("#preview table.ports")).to_contain_text("10077")
    expect(page.get_by_role("button", name=re.compile(r"^Save"))).to_have_count(0)
    expect(page.get_by_role("main")).to_contain_text("saving needs the editor role")
    expect(page.get_by_role("link", name="Delete")).to_have_count(0)
