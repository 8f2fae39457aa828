import pytest


@pytest.fixture
def sign_in(context, live_server, django_user_model):
    """``sign_in(user)``: the browser signed in as ``user`` (a session cookie, as sign-in sets)."""
    from django.test import Client

    def as_user(user):
        client = Client()
        client.force_login(user)
        cookie = client.cookies["sessionid"]
        context.add_cookies([{"name": "sessionid", "value": cookie.value, "url": live_server.url}])
        return user

    return as_user


@pytest.fixture(autouse=True)
def signed_in_admin(sign_in, django_user_model):
    """Every journey starts signed in as a site admin unless it signs in as someone else."""
    return sign_in(django_user_model.objects.create_superuser("admin", password="x"))
