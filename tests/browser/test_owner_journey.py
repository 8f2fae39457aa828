"""The pages around the fleet, in real Chromium, as people use them: signing in through the form,
changing one's password, an owner adding a member and making the cluster's changes need review,
deleting a cluster once its name is typed."""

import re

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from portplanner.models import Cluster, Membership, Role

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def people(django_user_model):
    """otto, owner of prod; erin, with an account but no role in it yet."""
    cluster = Cluster.objects.create(name="prod")
    otto = django_user_model.objects.create_user("otto", password="otto-secret-1")
    Membership.objects.create(cluster=cluster, user=otto, role=Role.OWNER)
    django_user_model.objects.create_user("erin", password="erin-secret-1")
    return cluster


def sign_in_by_form(page: Page, name: str, password: str) -> None:
    page.goto(reverse("login"))
    page.get_by_label("User name").fill(name)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("banner")).to_contain_text(f"Signed in as {name}")


def sign_out(page: Page) -> None:
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in")


def test_an_owner_adds_a_member_and_makes_changes_need_review(page: Page, people):
    sign_in_by_form(page, "otto", "otto-secret-1")
    page.goto(reverse("cluster_members", args=["prod"]))
    page.get_by_label("User or group").fill("erin")
    page.get_by_label("Role", exact=True).select_option(label="editor")
    page.get_by_role("button", name="Add").click()
    expect(page.locator(".messages")).to_contain_text("erin: not a member -> editor")
    expect(page.get_by_role("row").filter(has_text="erin")).to_be_visible()

    page.goto(reverse("cluster_settings", args=["prod"]))
    page.get_by_label("Changes need review").check()
    page.get_by_role("button", name="Save review settings").click()
    expect(page.locator(".messages")).to_contain_text("Saved how changes to prod are reviewed.")
    sign_out(page)

    # erin now sees prod, and its composer proposes rather than saves.
    sign_in_by_form(page, "erin", "erin-secret-1")
    expect(page.get_by_role("link", name="prod", exact=True)).to_be_visible()
    page.goto(reverse("app_new", args=["prod"]))
    expect(page.get_by_role("button", name="Propose")).to_be_visible()
    expect(page.get_by_role("button", name=re.compile(r"^Save"))).to_have_count(0)


def test_a_user_changes_their_password_and_signs_in_with_it(page: Page, people):
    sign_in_by_form(page, "erin", "erin-secret-1")
    page.get_by_role("link", name="Password").click()
    page.get_by_label("Old password").fill("erin-secret-1")
    page.get_by_label("New password", exact=True).fill("a-new-Passphrase-42")
    page.get_by_label("New password confirmation").fill("a-new-Passphrase-42")
    page.get_by_role("button", name="Change password").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Password changed")
    sign_out(page)

    page.get_by_label("User name").fill("erin")
    page.get_by_label("Password").fill("erin-secret-1")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("main")).to_contain_text("That user name and password do not match")
    sign_in_by_form(page, "erin", "a-new-Passphrase-42")


def test_an_owner_deletes_a_cluster_once_its_name_is_typed(page: Page, people):
    sign_in_by_form(page, "otto", "otto-secret-1")
    page.goto(reverse("cluster_settings", args=["prod"]))
    page.get_by_role("link", name="Delete this cluster").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Delete the cluster prod?")

    page.get_by_label("Type the cluster's name to confirm").fill("prd")
    page.get_by_role("button", name="Delete prod").click()
    expect(page.get_by_role("main")).to_contain_text("That is not prod; nothing was deleted.")
    assert Cluster.objects.filter(name="prod").exists()

    page.get_by_label("Type the cluster's name to confirm").fill("prod")
    page.get_by_role("button", name="Delete prod").click()
    expect(page.locator(".messages")).to_contain_text("Deleted cluster prod")
    expect(page.get_by_role("link", name="prod", exact=True)).to_have_count(0)
    assert not Cluster.objects.exists()
