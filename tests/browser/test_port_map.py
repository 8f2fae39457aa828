"""The port map in real Chromium on a phone (390 px wide, touch) and a laptop (1366 px): every
cell a target of at least 24 px, no sideways scrolling, each held cell described on focus or tap
and opened by Enter or a second tap; without a script, a table of the held ports."""

import re

import pytest
from django.core.management import call_command
from django.urls import reverse
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.django_db(transaction=True)

PHONE = {"viewport": {"width": 390, "height": 844}, "has_touch": True, "is_mobile": True}
LAPTOP = {"viewport": {"width": 1366, "height": 768}}
MIN_TARGET = 24  # px: WCAG 2.2's minimum target size (2.5.8)
COLLIDING = re.compile(r"^10000–10009: .*; 1 colliding")  # the demo's clash


def open_map(screen, **options) -> Page:
    call_command("seed_demo")
    page = screen(**options).new_page()
    page.goto(reverse("cluster_port_map", args=["demo"]))
    return page


def measure(page: Page) -> dict:
    """The smallest cell, the columns of the service grid, and how wide the page is."""
    return page.evaluate(
        """() => {
          const boxes = [...document.querySelectorAll("#service-grid .cell")]
            .map((cell) => cell.getBoundingClientRect());
          return {
            cells: boxes.length,
            width: Math.min(...boxes.map((box) => box.width)),
            height: Math.min(...boxes.map((box) => box.height)),
            columns: new Set(boxes.map((box) => box.left)).size,
            pageWidth: document.documentElement.scrollWidth,
          };
        }"""
    )


@pytest.mark.parametrize(("options", "columns"), [(PHONE, 10), (LAPTOP, 40)])
def test_port_map_cells_are_big_enough_to_tap_and_fit_the_screen(screen, options, columns):
    page = open_map(screen, **options)
    sizes = measure(page)
    assert sizes["cells"] == 1001  # 10000-20000, 10 ports a cell
    assert sizes["width"] >= MIN_TARGET and sizes["height"] >= MIN_TARGET, sizes
    assert sizes["columns"] == columns, sizes
    assert sizes["pageWidth"] <= options["viewport"]["width"], sizes  # no sideways scrolling


def test_port_map_on_a_phone_first_tap_describes_a_cell_and_the_second_lists_its_apps(
    screen,
):
    page = open_map(screen, **PHONE)
    detail = page.locator('[data-detail-for="service-grid"]')
    expect(detail).to_have_text("Focus or tap a cell for its ports and holders.")
    cell = page.locator("#service-grid a.cell.colliding").first

    cell.tap()
    expect(detail).to_have_text(COLLIDING)
    expect(detail).to_be_in_viewport()  # kept at the bottom of the screen
    expect(page).to_have_url(re.compile(r"/map/$"))
    expect(detail.get_by_role("link", name="List these apps")).to_have_attribute(
        "href", re.compile(r"\?q=10000-10009$")
    )

    cell.tap()
    expect(page).to_have_url(re.compile(r"\?q=10000-10009$"))
    expect(page.locator("#app-table")).to_contain_text("/shop/legacy-admin")
    expect(page.locator("#app-table")).to_contain_text("/shop/search")


def test_port_map_on_a_phone_a_free_cell_says_it_is_free(screen):
    page = open_map(screen, **PHONE)
    page.locator("#service-grid span.cell.free").last.tap()
    expect(page.locator('[data-detail-for="service-grid"]')).to_have_text("20000: free")


def test_port_map_by_keyboard_focus_describes_a_cell_and_enter_lists_its_apps(screen):
    page = open_map(screen, **LAPTOP)
    detail = page.locator('[data-detail-for="service-grid"]')
    skip = page.get_by_role("link", name="Skip the map to its held ports as a table").first
    skip.focus()
    expect(skip).to_be_visible()  # off screen until focused

    page.keyboard.press("Tab")  # into the map: its one held cell (free ones take no focus)
    expect(page.locator("#service-grid a.cell.colliding")).to_be_focused()
    expect(detail).to_have_text(COLLIDING)
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"\?q=10000-10009$"))
    expect(page.locator("#app-table")).to_contain_text("/shop/legacy-admin")


def test_port_map_without_a_script_lists_the_held_ports_in_a_table(screen):
    page = open_map(screen, java_script_enabled=False, **PHONE)
    expect(page.locator('[data-detail-for="service-grid"]')).to_be_hidden()
    page.locator("#service-grid-held summary").click()
    table = page.locator("#service-grid-held table")
    row = table.get_by_role("row").filter(has_text="10000–")
    expect(row.first.get_by_role("cell").nth(2)).to_have_text("1")  # ports colliding
    row.first.get_by_role("link").click()
    expect(page.locator("#app-table")).to_contain_text("/shop/legacy-admin")
