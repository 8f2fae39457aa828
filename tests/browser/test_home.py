from django.urls import reverse
from playwright.sync_api import Page, expect


def test_home_shows_heading(page: Page):
    page.goto(reverse("home"))

    expect(page.get_by_role("heading", level=1, name="Port Planner")).to_be_visible()


def test_home_loads_own_css_and_shipped_htmx(page: Page):
    page.goto(reverse("home"))

    # Both come through the live server's static files: app.css from static/, htmx from
    # django-htmx's package, with no CDN.
    expect(page.locator(".site-header")).to_have_css("border-bottom-style", "solid")
    page.wait_for_function("() => window.htmx !== undefined")


def test_home_has_a_favicon_that_is_served(page: Page):
    page.goto(reverse("home"))

    icon = page.locator('link[rel="icon"]')
    expect(icon).to_have_count(1)
    response = page.request.get(icon.get_attribute("href"))
    assert response.ok and response.headers["content-type"].startswith("image/svg+xml")


def test_number_inputs_are_styled_like_text_inputs(page: Page, cluster):
    page.goto(reverse("cluster_settings", args=[cluster.name]))

    number, text = page.locator("#id_local_port_min"), page.locator("#id_agent_port_ranges")
    expect(number).to_have_attribute("type", "number")
    for prop in ("border-top-style", "border-top-color", "border-radius", "padding-left"):
        expect(number).to_have_css(prop, text.evaluate(f"e => getComputedStyle(e)['{prop}']"))
