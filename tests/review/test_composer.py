"""The composer's ways into review: propose a draft into a new request or one of the user's open
ones, the pending change shown above the form, and a cluster whose changes need review (no
direct save; an owner's emergency save with its reason)."""

from django.urls import reverse

from portplanner.fleet.deploy import save_app
from portplanner.history.record import Actor
from portplanner.models import App, ChangeRequest, Revision
from portplanner.review.requests import open_request, propose

WEB = {"id": "/shop/web", "cmd": "./web", "portDefinitions": [{"port": 10080, "name": "http"}]}
BY = Actor(None, "test")


def test_a_draft_is_proposed_in_a_new_request_and_nothing_is_saved(
    client, cluster, team, composer_form
):
    client.force_login(team["erin"])
    data = composer_form(WEB, action="propose", title="web for the shop")
    response = client.post(reverse("app_new", args=["prod"]), data)
    request = ChangeRequest.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("request_detail", args=["prod", request.number])
    assert request.title == "web for the shop" and request.author == team["erin"]
    [change] = request.changes.all()
    assert (change.action, change.app_id, change.source["cmd"]) == ("create", "/shop/web", "./web")
    assert not App.objects.exists()
    page = client.get(response.url).content.decode()
    assert "Proposed: create /shop/web, in #1 web for the shop." in page


def test_an_edit_is_proposed_into_an_open_request_against_the_version_loaded(
    client, cluster, team, composer_form
):
    app, _ = save_app(cluster, WEB, by=BY)
    mine = open_request(cluster, team["erin"], "shop ports")
    client.force_login(team["erin"])
    page = client.get(reverse("app_edit", args=["prod", app.pk])).content.decode()
    assert '<option value="1">#1 shop ports</option>' in page
    moved = {**WEB, "portDefinitions": [{"port": 10090, "name": "http"}]}
    client.post(
        reverse("app_edit", args=["prod", app.pk]),
        composer_form(moved, action="propose", request="1", version="1"),
    )
    [change] = mine.changes.all()
    assert (change.action, change.base_version) == ("update", 1)
    assert change.source["portDefinitions"][0]["port"] == 10090
    assert App.objects.get().source["portDefinitions"][0]["port"] == 10080
    # Proposed from a version someone has since replaced: refused with their diff, as a save is.
    save_app(cluster, {**WEB, "cmd": "./web --v2"}, by=BY, app=app)
    stale = client.post(
        reverse("app_edit", args=["prod", app.pk]),
        composer_form({**moved, "cmd": "./web --v3"}, action="propose", request="1", version="1"),
    )
    assert "since you opened it" in stale.content.decode()
    assert mine.changes.get().source["cmd"] == "./web"


def test_a_proposal_it_cannot_take_says_why_and_opens_no_request(
    client, cluster, team, composer_form
):
    client.force_login(team["erin"])
    no_id = client.post(
        reverse("app_new", args=["prod"]), composer_form(WEB, app_id="", action="propose")
    )
    assert "The app has no usable id; give it one such as /team/app." in no_id.content.decode()
    theirs = open_request(cluster, team["rita"], "rita's")
    not_mine = client.post(
        reverse("app_new", args=["prod"]),
        composer_form(WEB, action="propose", request=str(theirs.number)),
    )
    assert "#1 is not one of your open requests in prod" in not_mine.content.decode()
    assert ChangeRequest.objects.count() == 1 and not theirs.changes.exists()


def test_the_composer_shows_a_change_pending_for_the_app(client, cluster, team):
    app, _ = save_app(cluster, WEB, by=BY)
    url = reverse("app_edit", args=["prod", app.pk])
    assert "pending review" not in client.get(url).content.decode()
    request = open_request(cluster, team["erin"], "move web")
    propose(request, team["erin"], None, {**WEB, "cmd": "./web --new"})
    page = client.get(url).content.decode()
    assert "A change to this app is pending review" in page and "#1 move web</a> by erin" in page


def test_on_a_cluster_that_needs_review_the_composer_proposes_and_owners_save_in_emergency(
    client, cluster, team, composer_form
):
    cluster.requires_review = True
    cluster.save()
    client.force_login(team["erin"])
    page = client.get(reverse("app_new", args=["prod"])).content.decode()
    assert 'id="save-button"' not in page and 'value="propose">Propose</button>' in page
    assert "Emergency" not in page
    client.force_login(team["otto"])
    page = client.get(reverse("app_new", args=["prod"])).content.decode()
    assert "Apply now, without review" in page
    data = composer_form(WEB, action="save", emergency="1")
    no_reason = client.post(reverse("app_new", args=["prod"]), data)
    assert "An emergency change needs its reason." in no_reason.content.decode()
    assert not App.objects.exists()
    saved = client.post(reverse("app_new", args=["prod"]), {**data, "reason": "INC-9 outage"})
    assert saved.status_code == 302
    revision = Revision.objects.get()
    assert revision.emergency and revision.message == "INC-9 outage"


def test_a_proposed_change_opens_in_the_composer_and_goes_back_into_its_request(
    client, cluster, team, composer_form
):
    app, _ = save_app(cluster, WEB, by=BY)
    request = open_request(cluster, team["erin"], "shop")
    created = propose(request, team["erin"], None, {"id": "/shop/api", "cmd": "./api"})
    updated = propose(request, team["erin"], None, {**WEB, "cmd": "./web --new"})
    client.force_login(team["erin"])
    page = client.get(reverse("request_detail", args=["prod", 1])).content.decode()
    new_url = f"{reverse('app_new', args=['prod'])}?change={created.pk}"
    edit_url = f"{reverse('app_edit', args=['prod', app.pk])}?change={updated.pk}"
    assert f'href="{new_url}"' in page and f'href="{edit_url}"' in page
    composer = client.get(edit_url).content.decode()
    assert "This is the change proposed in" in composer and "./web --new" in composer
    assert '<option value="1" selected>#1 shop</option>' in composer
    # Its version is the one the change was proposed against; proposing again updates it.
    data = composer_form(
        {**WEB, "cmd": "./web --newer"}, action="propose", request="1", version="1"
    )
    assert client.post(edit_url, data).status_code == 302
    assert request.changes.get(app_id="/shop/web").source["cmd"] == "./web --newer"
    # A change of another app, or of no open request, opens the app as saved.
    other = f"{reverse('app_edit', args=['prod', app.pk])}?change={created.pk}"
    assert "This is the change proposed in" not in client.get(other).content.decode()
