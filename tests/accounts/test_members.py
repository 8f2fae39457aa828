"""A cluster's members: owners add users and groups, change roles, remove them; each change is
recorded; a cluster never loses its last owner."""

from django.contrib.auth.models import Group
from django.urls import reverse

from portplanner.models import ClusterChange, Membership, Role

URL = "cluster_members"


def test_an_owner_adds_a_user_changes_the_role_and_removes_them(member_client, cluster):
    owner = member_client(Role.OWNER, "olivia")
    ben = member_client(None, "ben").user
    url = reverse(URL, args=["prod"])
    response = owner.post(url, {"action": "add", "name": "ben", "role": Role.EDITOR})
    assert response.status_code == 302
    membership = Membership.objects.get(user=ben)
    assert membership.role == Role.EDITOR
    owner.post(url, {"action": f"role:{membership.pk}", "role": Role.REVIEWER})
    membership.refresh_from_db()
    assert membership.role == Role.REVIEWER
    owner.post(url, {"action": f"remove:{membership.pk}"})
    assert not Membership.objects.filter(user=ben).exists()
    summaries = list(ClusterChange.objects.order_by("pk").values_list("summary", flat=True))
    assert summaries == [
        "ben: not a member -> editor",
        "ben: editor -> reviewer",
        "ben: reviewer -> not a member",
    ]
    assert set(ClusterChange.objects.values_list("username", flat=True)) == {"olivia"}


def test_a_group_can_be_a_member(member_client, cluster):
    Group.objects.create(name="sre")
    owner = member_client(Role.OWNER, "olivia")
    owner.post(reverse(URL, args=["prod"]), {"action": "add", "name": "group:sre", "role": 10})
    assert Membership.objects.get(group__name="sre").role == Role.VIEWER


def test_an_unknown_user_or_group_is_refused_with_a_message(member_client, cluster):
    owner = member_client(Role.OWNER, "olivia")
    for name, text in (("nobody", "No active user has that name"), ("group:x", "No group")):
        response = owner.post(reverse(URL, args=["prod"]), {"action": "add", "name": name})
        assert response.status_code == 400 and text in response.content.decode()


def test_the_last_owner_cannot_leave_or_step_down(member_client, cluster):
    owner = member_client(Role.OWNER, "olivia")
    membership = Membership.objects.get(user=owner.user)
    url = reverse(URL, args=["prod"])
    response = owner.post(url, {"action": f"role:{membership.pk}", "role": 10}, follow=True)
    assert "olivia is the last owner of prod" in response.content.decode()
    owner.post(url, {"action": f"remove:{membership.pk}"})
    membership.refresh_from_db()
    assert membership.role == Role.OWNER


def test_demo_accounts_are_made_once_and_the_sign_in_page_says_where_their_passwords_went(
    client, db
):
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    call_command("seed_demo", stdout=out)
    printed = out.getvalue()
    assert "demo-owner" in printed and "demo-viewer" in printed
    again = StringIO()
    call_command("seed_demo", stdout=again)
    assert "passwords printed when made" in again.getvalue()
    roles = dict(Membership.objects.values_list("user__username", "role"))
    assert roles == {
        "demo-owner": Role.OWNER,
        "demo-reviewer": Role.REVIEWER,
        "demo-editor": Role.EDITOR,
        "demo-viewer": Role.VIEWER,
    }
    from django.test import Client

    login = Client().get(reverse("login")).content.decode()
    assert "<code>demo-editor</code>" in login and "make run" in login
    password = next(line.split()[1] for line in printed.splitlines() if "demo-viewer" in line)
    assert Client().login(username="demo-viewer", password=password)
