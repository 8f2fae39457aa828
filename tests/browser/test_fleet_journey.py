"""Fleet journeys in real Chromium: find a collision on the port map and the collision report,
fix it in the composer, see it gone; and import a fleet, fix its collision, export it."""

import json
import re

import pytest
from django.core.management import call_command
from django.urls import reverse
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.django_db(transaction=True)


def test_fleet_collision_found_on_map_fixed_in_composer_gone_from_report(page: Page):
    call_command("seed_demo")  # /shop/search and /shop/legacy-admin both hold service port 10000

    page.goto(reverse("cluster_port_map", args=["demo"]))
    collided = page.locator(".port-map a.cell.colliding").first
    expect(collided).to_have_attribute("title", re.compile(r"^10000–10009: .*; 1 colliding"))
    page.get_by_role("link", name="Collisions").click()

    section = page.get_by_role("region", name=re.compile("Service ports held by more than one"))
    expect(section.get_by_role("rowheader", name="10000")).to_be_visible()
    expect(section).to_contain_text("/container/portMappings/0/servicePort")
    section.get_by_role("link", name="/shop/legacy-admin").click()

    expect(page.get_by_role("heading", level=1)).to_contain_text("Edit /shop/legacy-admin")
    fixes = page.locator("#preview ul.collisions .fixes").get_by_role("button")
    first_fix = fixes.first
    expect(first_fix).to_have_text(re.compile(r"^\d+$"))
    port = first_fix.text_content()
    first_fix.click()
    expect(page.locator("#id_ports-0-service_port")).to_have_value(port)
    expect(page.locator("#preview ul.collisions")).to_have_count(0)
    page.get_by_role("button", name=re.compile(r"^Save( as draft)?$")).click()
    expect(page.locator(".messages")).to_contain_text("Saved /shop/legacy-admin")

    page.goto(reverse("cluster_collisions", args=["demo"]))
    expect(
        page.get_by_role("heading", name=re.compile("Service ports on the cluster"))
    ).to_be_visible()
    expect(page.get_by_role("heading", name=re.compile("held by more than one app"))).to_have_count(
        0
    )
    page.get_by_role("link", name="Apps").click()
    page.get_by_label("Search").fill(port)
    # The live search swaps in the table without a page load.
    expect(page.locator("#app-table tbody tr")).to_have_count(1)
    expect(page.locator("#app-table")).to_contain_text("/shop/legacy-admin")


FLEET = {
    "id": "/pay",
    "apps": [
        {"id": "gateway", "cmd": "./gw", "portDefinitions": [{"port": 10000, "name": "http"}]},
        {
            "id": "ledger",
            "container": {
                "type": "DOCKER",
                "docker": {
                    "image": "ledger:1",
                    "network": "BRIDGE",
                    "portMappings": [{"containerPort": 8080, "hostPort": 0, "servicePort": 10000}],
                },
            },
        },
    ],
}


def test_import_a_fleet_fix_its_collision_on_the_map_then_export(page: Page, tmp_path):
    from portplanner.models import Cluster

    Cluster.objects.create(name="prod")
    page.goto(reverse("cluster_import", args=["prod"]))
    page.get_by_label("or paste JSON").fill(json.dumps(FLEET))
    page.get_by_role("button", name="Show what it will do").click()
    expect(page.get_by_role("region", name="What this import will do")).to_contain_text("2 new")
    expect(page.locator("ul.collisions")).to_contain_text("Service port 10000 is held by /pay")
    page.get_by_role("button", name="Import 2 apps").click()
    expect(page.locator(".messages")).to_have_text("Imported 2 apps into prod.")

    # Export first refuses without an acknowledgement of the collision.
    page.goto(reverse("cluster_export", args=["prod"]))
    expect(page.locator(".banner")).to_contain_text("Service port 10000 is held by /pay/gateway")
    expect(page.get_by_label("I have reviewed these collisions")).to_be_visible()

    page.goto(reverse("cluster_port_map", args=["prod"]))
    collided = page.locator(".port-map a.cell.colliding").first
    expect(collided).to_have_attribute("title", re.compile(r"^10000–10009: .*colliding"))
    page.get_by_role("link", name="Collisions").click()
    page.get_by_role("link", name="/pay/ledger").first.click()
    page.locator("#preview ul.collisions .fixes").get_by_role("button").first.click()
    # The fix lands through the server: save what it gave, not the form as it was before.
    expect(page.locator("#preview ul.collisions")).to_have_count(0)
    page.get_by_role("button", name=re.compile(r"^Save( as draft)?$")).click()
    expect(page.locator(".messages")).to_contain_text("Saved /pay/ledger")

    page.goto(reverse("cluster_export", args=["prod"]))
    expect(page.get_by_label("I have reviewed these collisions")).to_have_count(0)
    with page.expect_download() as download:
        page.get_by_role("button", name="Download").click()
    path = tmp_path / "group.json"
    download.value.save_as(path)
    group = json.loads(path.read_text())
    apps = {a["id"]: a for g in group["groups"] for a in g["apps"]}
    ledger_port = apps["/pay/ledger"]["container"]["portMappings"][0]["servicePort"]
    assert apps["/pay/gateway"]["portDefinitions"][0]["port"] == 10000
    assert ledger_port not in (0, 10000)
