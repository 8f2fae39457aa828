from django.urls import reverse
from pytest_django.asserts import assertContains, assertTemplateUsed


def test_home_get_renders_heading(client, db):
    response = client.get(reverse("home"))

    assert response.status_code == 200
    assertTemplateUsed(response, "fleet/home.html")
    assertContains(response, "<h1>Port Planner</h1>", html=True)
    assertContains(response, "Plan Marathon ports before you deploy")


def test_home_get_ships_htmx_and_csrf_header(client, db):
    response = client.get(reverse("home"))

    assertContains(response, "django_htmx/htmx-2.min.js")
    assertContains(response, 'hx-headers=\'{"X-CSRFToken": "')


def test_home_post_not_allowed(client):
    response = client.post(reverse("home"))

    assert response.status_code == 405
