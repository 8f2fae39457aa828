"""Who may open and post to every URL, role by role, enforced by the server. The table below is
the rule of every URL: adding a URL without adding it here fails the first test."""

import pytest
from django.contrib.auth.models import Group, Permission
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from portplanner.fleet.deploy import save_app
from portplanner.history.record import Actor
from portplanner.models import App, Membership, Revision, Role
from portplanner.review.requests import open_request

BY = Actor(None, "test")
PUBLIC = "anyone"  # no sign-in needed
SIGNED_IN = "signed in"  # any signed-in user
V, E, R, OWN = Role.VIEWER, Role.EDITOR, Role.REVIEWER, Role.OWNER

# url name -> (role to read (GET), role to write (POST)); None where the method is not served.
RULES = {
    "healthz": (PUBLIC, None),
    "readyz": (PUBLIC, None),
    "login": (PUBLIC, PUBLIC),
    "logout": (None, SIGNED_IN),
    "password_change": (SIGNED_IN, SIGNED_IN),
    "password_change_done": (SIGNED_IN, None),
    "home": (SIGNED_IN, None),
    "cluster_new": ("portplanner.add_cluster", "portplanner.add_cluster"),
    "cluster_apps": (V, None),
    "cluster_collisions": (V, None),
    "cluster_port_map": (V, None),
    "cluster_settings": (V, OWN),
    "cluster_members": (OWN, OWN),
    "cluster_review_settings": (None, OWN),
    "cluster_delete": (OWN, OWN),
    "cluster_activity": (V, None),
    "app_history": (V, None),
    "revision_detail": (V, E),
    "app_new": (V, V),  # previews too; saving needs an editor (see below)
    "app_edit": (V, V),
    "app_preview_new": (None, V),
    "app_preview": (None, V),
    "app_delete": (E, E),
    "cluster_import": (E, E),
    "cluster_export": (V, V),
    "app_export": (V, V),
    "request_list": (V, E),
    "request_detail": (V, V),  # any member comments; each action checks its own role
    "request_group": (V, None),
}
ADMIN_SITE = "admin/"  # Django's admin: site admins only, by its own staff check


def url_names():
    for entry in get_resolver().url_patterns:
        if isinstance(entry, URLResolver):
            yield str(entry.pattern)
        elif isinstance(entry, URLPattern):
            yield entry.name


def test_every_url_has_a_rule_and_views_declare_the_same():
    names = set(url_names())
    assert names - {ADMIN_SITE} == set(RULES), "add the new URL's rule to RULES"
    for pattern in get_resolver().url_patterns:
        declared = getattr(getattr(pattern, "callback", None), "roles", None)
        if declared is not None:
            read, write = RULES[pattern.name]
            if read is not None:
                assert declared["GET"] == read, pattern.name
            if write is not None:
                assert declared["POST"] == write, pattern.name


@pytest.fixture
def world(cluster, django_user_model):
    """A cluster with an app and its revision; a user for each role (and a non-member)."""
    app, _ = save_app(cluster, {"id": "/web", "cmd": "run", "ports": [0]}, by=BY)
    revision = Revision.objects.get(live_app=app)
    open_request(cluster, django_user_model.objects.create_user("request-author"), "a request")
    kwargs = {
        "cluster": {"cluster": "prod"},
        "number": {"cluster": "prod", "number": 1},
        "pk": {"cluster": "prod", "pk": app.pk},
        "app_id": {"cluster": "prod", "app_id": "web"},
        "revision": {"cluster": "prod", "pk": revision.pk},
    }
    return {"app": app, "kwargs": kwargs}


def url_of(name: str, world) -> str:
    pattern = next(p for p in get_resolver().url_patterns if getattr(p, "name", None) == name)
    route = str(pattern.pattern)
    if "<path:app_id>" in route:
        return reverse(name, kwargs=world["kwargs"]["app_id"])
    if "<int:number>" in route:
        return reverse(name, kwargs=world["kwargs"]["number"])
    if "<int:pk>" in route:
        key = "revision" if name == "revision_detail" else "pk"
        return reverse(name, kwargs=world["kwargs"][key])
    if "<slug:cluster>" in route:
        return reverse(name, kwargs=world["kwargs"]["cluster"])
    return reverse(name)


def allowed(rule, role, user) -> bool:
    if rule == PUBLIC:
        return True
    if user is None:
        return False
    if rule == SIGNED_IN:
        return True
    if isinstance(rule, str):
        return user.has_perm(rule)
    return role is not None and role >= rule


ROLES = [None, "member of nothing", V, E, R, OWN]


@pytest.mark.parametrize("role", ROLES, ids=lambda r: getattr(r, "label", str(r)))
@pytest.mark.parametrize("name", sorted(RULES))
def test_each_url_refuses_whom_its_rule_refuses(name, role, world, member_client, cluster):
    read, write = RULES[name]
    client = Client() if role is None else member_client(None if isinstance(role, str) else role)
    user = getattr(client, "user", None)
    url = url_of(name, world)
    refused_every_post = True
    for method, rule in (("get", read), ("post", write)):
        if rule is None:
            continue
        response = getattr(client, method)(url, {"action": "preview"})
        if allowed(rule, role if not isinstance(role, str) else None, user):
            refused_every_post &= method == "get"
            assert response.status_code != 403, (method, url)
            assert "?next=" not in response.get("Location", ""), (method, url)
        elif user is None:
            assert response.status_code == 302, (method, url)
            assert response["Location"].startswith(reverse("login") + "?next="), (method, url)
        else:
            assert response.status_code == 403, (method, url, response.status_code)
    if refused_every_post:  # nothing changed
        assert App.objects.filter(app_id="/web", version=1).exists()
        assert Membership.objects.filter(cluster=cluster).count() == (
            0 if role is None or isinstance(role, str) else 1
        )


def test_a_refusal_names_the_role_needed_and_who_to_ask(member_client, world, cluster, client):
    member_client(OWN, "olivia")  # the owners the refusal names
    viewer = member_client(V, "vic")
    response = viewer.post(reverse("app_delete", kwargs=world["kwargs"]["pk"]))
    assert response.status_code == 403
    text = response.content.decode()
    assert "Deleting an app in prod needs the editor role; you are a viewer." in text
    assert "Ask an owner (olivia)." in text


def test_a_viewer_previews_but_cannot_save(member_client, world, composer_form):
    viewer = member_client(V)
    url = reverse("app_edit", kwargs=world["kwargs"]["pk"])
    app = world["app"]
    preview = viewer.post(url, composer_form(app.source, cmd="changed"))
    assert preview.status_code == 200 and "Save" not in _buttons(preview)
    assert "saving needs the editor role" in preview.content.decode()
    save = viewer.post(url, composer_form(app.source, cmd="changed", action="save", version="1"))
    assert save.status_code == 403
    app.refresh_from_db()
    assert app.source["cmd"] == "run"


def _buttons(response) -> str:
    import re

    return " ".join(re.findall(r"<button[^>]*>([^<]*)</button>", response.content.decode()))


def test_an_editor_sees_no_owner_buttons_and_a_viewer_no_editor_buttons(member_client, world):
    editor, viewer = member_client(E, "ed"), member_client(V, "vi")
    apps = reverse("cluster_apps", args=["prod"])
    settings_page = reverse("cluster_settings", args=["prod"])
    editor_apps, viewer_apps = editor.get(apps).content.decode(), viewer.get(apps).content.decode()
    assert "New app" in editor_apps and ">Import<" in editor_apps
    assert "New app" not in viewer_apps and ">Import<" not in viewer_apps
    assert "Members" not in editor_apps
    editor_settings = editor.get(settings_page).content.decode()
    assert "only its owners change the policy" in editor_settings
    assert "Delete this cluster" not in editor_settings


def test_group_members_get_their_groups_role(member_client, cluster, world, django_user_model):
    team = Group.objects.create(name="platform")
    Membership.objects.create(cluster=cluster, group=team, role=E)
    client = member_client(None, "gina")
    client.user.groups.add(team)
    response = client.get(reverse("app_delete", kwargs=world["kwargs"]["pk"]))
    assert response.status_code == 200


def test_a_site_admin_owns_every_cluster(client, world):
    assert client.get(reverse("cluster_members", args=["prod"])).status_code == 200


def test_home_lists_only_the_clusters_one_is_a_member_of(member_client, cluster):
    from portplanner.models import Cluster

    Cluster.objects.create(name="secret")
    html = member_client(V).get(reverse("home")).content.decode()
    assert ">prod</a>" in html and "secret" not in html
    assert "New cluster" not in html


def test_creating_a_cluster_needs_the_permission_and_makes_its_creator_owner(member_client):
    client = member_client(None, "cara")
    form = {
        "name": "staging",
        "local_port_min": "10000",
        "local_port_max": "20000",
        "agent_port_ranges": "31000-32000",
        "reserved_ports": "80",
        "mesos_bridge_name": "mesos-bridge",
    }
    assert client.post(reverse("cluster_new"), form).status_code == 403
    client.user.user_permissions.add(Permission.objects.get(codename="add_cluster"))
    assert client.post(reverse("cluster_new"), form).status_code == 302
    membership = Membership.objects.get(cluster__name="staging")
    assert (membership.user, membership.role) == (client.user, OWN)


def test_csrf_is_still_enforced(admin_user, world):
    client = Client(enforce_csrf_checks=True)
    client.force_login(admin_user)
    response = client.post(reverse("app_delete", kwargs=world["kwargs"]["pk"]))
    assert response.status_code == 403
    assert App.objects.filter(app_id="/web").exists()


def test_an_htmx_request_without_a_session_is_sent_to_sign_in_whole(world):
    response = Client().post(
        reverse("app_preview_new", args=["prod"]), {}, headers={"HX-Request": "true"}
    )
    assert response.status_code == 204
    assert response["HX-Redirect"].startswith(reverse("login"))
