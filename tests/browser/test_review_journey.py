"""Review before apply, in real Chromium, on a cluster whose changes need review: an editor
proposes a bridge app whose fixed service port collides; a reviewer sees the collision, comments
on that port and requests changes; the editor switches the port to auto; the reviewer approves;
apply; the app's history links to the request. Also: a direct save is refused, an author cannot
approve, an edit makes an approval stale, and a change made directly in between is a conflict."""

import json
import re
from pathlib import Path

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from portplanner.fleet.deploy import save_app
from portplanner.history.record import Actor
from portplanner.models import App, Cluster, Membership, Role
from portplanner.review.requests import open_request, propose, review

pytestmark = pytest.mark.django_db(transaction=True)

WEB = {"id": "/shop/web", "cmd": "./web", "portDefinitions": [{"port": 10080, "name": "http"}]}


@pytest.fixture
def team(django_user_model):
    """prod, whose changes need review, with /shop/web on service port 10080; erin (editor),
    rita (reviewer), otto (owner)."""
    cluster = Cluster.objects.create(name="prod", local_port_min=10000, local_port_max=10099)
    save_app(cluster, WEB, by=Actor(None, "seed"))
    cluster.requires_review = True
    cluster.save()
    people = {}
    for name, role in (("erin", Role.EDITOR), ("rita", Role.REVIEWER), ("otto", Role.OWNER)):
        people[name] = django_user_model.objects.create_user(name, password="x")
        Membership.objects.create(cluster=cluster, user=people[name], role=role)
    return cluster, people


def test_a_colliding_port_is_reviewed_changed_approved_and_applied(page: Page, team, sign_in):
    cluster, people = team
    sign_in(people["erin"])
    page.goto(reverse("app_new", args=["prod"]))
    # No direct save here: the page says why and offers the proposal instead.
    expect(page.get_by_role("button", name=re.compile(r"^Save"))).to_have_count(0)
    expect(page.get_by_role("main")).to_contain_text("Changes to prod need review")
    page.get_by_label("Bridge (container/bridge)").check()
    page.get_by_label("App id").fill("/shop/api")
    page.locator("#id_ports-0-container_port").fill("8080")
    page.locator("#id_ports-0-service_port").fill("10080")
    expect(page.locator("#preview")).to_contain_text("/shop/web")  # the collision, live
    page.get_by_label("Title of a new request").fill("api on 10080")
    page.get_by_role("button", name="Propose", exact=True).click()

    expect(page.get_by_role("heading", level=1)).to_contain_text("#1 api on 10080")
    summary = page.get_by_role("region", name="What applying would do")
    expect(summary).to_contain_text("New collisions")
    expect(summary).to_contain_text("10080")
    expect(summary).to_contain_text("with the fleet")

    sign_in(people["rita"])
    page.reload()
    expect(page.get_by_role("region", name="What applying would do")).to_contain_text("10080")
    # What applying would deploy, as the group JSON Marathon would take.
    with page.expect_download() as download:
        page.get_by_role("link", name="Download the group JSON it would deploy").click()
    group = json.loads(Path(download.value.path()).read_text())
    apps = [a for g in group["groups"] for a in g["apps"]]
    assert [a["id"] for a in apps] == ["/shop/api"]
    assert apps[0]["container"]["portMappings"][0]["servicePort"] == 10080
    app = page.get_by_role("region", name="create /shop/api")
    app.get_by_label("Comment on").select_option(label="port 0 (default)")
    app.get_by_label("Comment", exact=True).fill("why 10080 and not auto?")
    app.get_by_role("button", name="Comment").click()
    page.get_by_label("Your review").fill("10080 is /shop/web's: take auto")
    page.get_by_role("button", name="Request changes").click()
    expect(page.get_by_role("region", name="Review")).to_contain_text(
        "rita requested changes: 10080 is /shop/web's: take auto"
    )

    sign_in(people["erin"])
    page.reload()
    page.get_by_role("link", name="Edit in the composer").click()
    expect(page.locator("#proposed-change")).to_contain_text("#1 api on 10080")
    page.locator("#id_ports-0-service_port").fill("")
    expect(page.get_by_label("Into", exact=True)).to_have_value("1")
    page.get_by_role("button", name="Propose", exact=True).click()
    expect(page.locator(".messages")).to_contain_text("Proposed: create /shop/api, in #1")
    # The comment was on 10080; the port is auto now: it shows as outdated, with the new value.
    comment = page.locator(".comment.outdated")
    expect(comment).to_contain_text("why 10080 and not auto?")
    expect(comment).to_contain_text("It was service port 10080")
    expect(page.get_by_role("region", name="What applying would do")).not_to_contain_text(
        "New collisions"
    )

    sign_in(people["rita"])
    page.reload()
    page.get_by_role("button", name="Approve").click()
    expect(page.get_by_role("region", name="Review")).to_contain_text("approved")
    page.get_by_role("button", name="Apply", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("applied")

    api = App.objects.get(app_id="/shop/api")
    assert api.allocations.get().service_port == 10000
    page.goto(reverse("app_history", args=["prod", "shop/api"]))
    row = page.get_by_role("row").filter(has_text="change request #1")
    expect(row).to_contain_text("rita")  # who applied it
    expect(row).to_contain_text("by erin, approved by rita")
    row.get_by_role("link", name="change request #1").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("#1 api on 10080")


def test_an_author_cannot_approve_and_an_edit_makes_an_approval_stale(page: Page, team, sign_in):
    cluster, people = team
    # rita reviews others' requests, not her own.
    request = open_request(cluster, people["rita"], "api")
    propose(request, people["rita"], None, {"id": "/shop/api", "cmd": "./api", "ports": [0]})
    sign_in(people["rita"])
    page.goto(reverse("request_detail", args=["prod", 1]))
    review_region = page.get_by_role("region", name="Review")
    expect(review_region.get_by_role("button", name="Request changes")).to_be_visible()
    expect(review_region.get_by_role("button", name="Approve")).to_have_count(0)
    expect(review_region).to_contain_text("You opened this request: another reviewer approves it.")
    review(request, people["otto"], Role.OWNER, "approve", "")
    page.reload()
    expect(review_region).to_contain_text("1 of 1 approval of this version: otto")
    # The author changes the request: the approval was of the version before.
    propose(request, people["rita"], None, {"id": "/shop/api", "cmd": "./api", "ports": [0, 0]})
    page.reload()
    expect(review_region).to_contain_text("0 of 1")
    expect(review_region).to_contain_text("otto's approval is stale: the request changed since")
    page.get_by_role("button", name="Apply", exact=True).click()
    expect(page.get_by_role("alert")).to_contain_text("It needs 1 approval of its current version")
    assert not App.objects.filter(app_id="/shop/api").exists()


def test_a_change_made_directly_in_between_is_a_conflict_showing_both(page: Page, team, sign_in):
    cluster, people = team
    request = open_request(cluster, people["erin"], "web to 10090")
    web = App.objects.get(app_id="/shop/web")
    propose(request, people["erin"], None, {**WEB, "portDefinitions": [{"port": 10090}]})
    review(request, people["rita"], Role.REVIEWER, "approve", "")
    # An owner's emergency change to the same app, straight through the composer.
    sign_in(people["otto"])
    page.goto(reverse("app_edit", args=["prod", web.pk]))
    expect(page.locator("#pending-change")).to_contain_text("#1 web to 10090")
    page.locator("#id_ports-0-service_port").fill("10070")
    page.get_by_label("Apply now, without review").check()
    page.get_by_label("Reason (required").fill("INC-12: 10080 is needed now")
    page.get_by_role("button", name="Save now").click()
    expect(page.locator(".messages")).to_contain_text("Saved /shop/web (version 2)")

    sign_in(people["erin"])
    page.goto(reverse("request_detail", args=["prod", 1]))
    page.get_by_role("button", name="Apply", exact=True).click()
    main = page.get_by_role("main")
    expect(main).to_contain_text("were changed since it was made")
    expect(main).to_contain_text("10070")  # theirs
    expect(main).to_contain_text("10090")  # the request's
    assert App.objects.get(app_id="/shop/web").allocations.get().service_port == 10070
