"""Fleet journey in real Chromium: find a collision of the demo fleet on the port map and the
collision report, open the app, apply the suggested free port, and see the collision gone."""

import re

import pytest
from django.core.management import call_command
from django.urls import reverse
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.django_db(transaction=True)


def test_fleet_collision_found_on_map_fixed_in_composer_gone_from_report(page: Page):
    call_command("seed_demo")  # /shop/search and /shop/legacy-admin both hold service port 10000

    page.goto(reverse("cluster_port_map", args=["demo"]))
    collided = page.locator("svg.port-grid rect.cell.colliding").first
    expect(collided.locator("title")).to_have_text(re.compile(r"^10000–10009: .*; 1 colliding"))
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
