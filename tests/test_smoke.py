import os
import subprocess
import sys

from django.conf import settings
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


_PRINT_DEBUG = (
    "import django; django.setup(); from django.conf import settings; print(settings.DEBUG)"
)


def _load_settings(**env: str) -> subprocess.CompletedProcess[str]:
    """Import the settings in a fresh interpreter, as a production process would."""
    clean = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DJANGO_DEBUG", "DJANGO_SECRET_KEY", "DJANGO_ALLOWED_HOSTS"}
    }
    return subprocess.run(
        [sys.executable, "-c", _PRINT_DEBUG],
        env={**clean, "DJANGO_SETTINGS_MODULE": "portplanner.settings", **env},
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        check=False,
    )


def test_settings_without_secret_key_in_production_fail_fast():
    result = _load_settings(DJANGO_DEBUG="0")

    assert result.returncode != 0
    assert "ImproperlyConfigured: DJANGO_SECRET_KEY must be set" in result.stderr


def test_settings_with_secret_key_in_production_load():
    result = _load_settings(DJANGO_DEBUG="0", DJANGO_SECRET_KEY="x" * 50)

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "False"


def test_settings_with_unknown_debug_value_fail_fast():
    result = _load_settings(DJANGO_DEBUG="fasle", DJANGO_SECRET_KEY="x" * 50)

    assert result.returncode != 0
    assert "ImproperlyConfigured: DJANGO_DEBUG must be one of" in result.stderr
