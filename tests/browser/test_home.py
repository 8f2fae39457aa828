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
