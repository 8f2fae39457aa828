import pytest


@pytest.fixture
def sign_in(context, live_server, django_user_model):
    """``sign_in(user, into=context)``: a browser context signed in as ``user`` (the session
    cookie sign-in would set); the test's own context unless ``into`` says another."""
    from django.test import Client

    def as_user(user, into=None):
        client = Client()
        client.force_login(user)
        cookie = {"name": "sessionid", "value": client.cookies["sessionid"].value}
        (into or context).add_cookies([{**cookie, "url": live_server.url}])
        return user

    return as_user


@pytest.fixture
def screen(new_context, sign_in, signed_in_admin):
    """``screen(viewport=..., has_touch=...)``: another browser context (another screen),
    signed in as the test's own is."""

    def made(**options):
        context = new_context(**options)
        sign_in(signed_in_admin, into=context)
        return context

    return made


@pytest.fixture(autouse=True)
def signed_in_admin(sign_in, django_user_model):
    """Every journey starts signed in as a site admin unless it signs in as someone else."""
    return sign_in(django_user_model.objects.create_superuser("admin", password="x"))
