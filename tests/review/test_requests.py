"""Change requests: proposed, resolved as the deployment applying them would be, reviewed, applied
through the fleet's writer; conflicts, stale approvals, clusters whose changes need review,
comments on ports, and who is told."""

import json
import re
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from django.core import mail
from django.core.cache import cache
from django.test import TestCase
from django.urls import reverse

from portplanner.fleet.deploy import ReviewRequired, save_app
from portplanner.fleet.policy_change import apply_policy
from portplanner.history.record import Actor
from portplanner.models import App, ChangeRequest, Revision, Role
from portplanner.review.entry import propose_changes
from portplanner.review.requests import (
    ApplyRefused,
    RequestProblem,
    apply,
    edit_details,
    open_request,
    propose,
    resolution_of,
    resolve,
    review,
    standing,
)

BY = Actor(None, "test")
WEB = {"id": "/shop/web", "cmd": "run", "portDefinitions": [{"port": 10080, "name": "http"}]}


def test_a_request_resolves_as_the_deployment_applying_it_would_be(cluster, team):
    save_app(cluster, {"id": "/shop/old", "cmd": "run", "ports": [10080]}, by=BY)
    save_app(cluster, {"id": "/shop/gone", "cmd": "run", "ports": [0]}, by=BY)  # 10000
    request = open_request(cluster, team["erin"], "web on 10080")
    propose(request, team["erin"], None, WEB)
    propose(request, team["erin"], None, {"id": "/shop/api", "cmd": "run", "ports": [0]})
    propose(request, team["erin"], "/shop/gone", None)
    resolution = resolve(request, team["erin"], with_group=True)
    assert (resolution.created, resolution.updated, resolution.deleted) == (2, 0, 1)
    # /shop/api takes the next free port: /shop/gone's 10000 is freed only after this deployment.
    assert resolution.claimed == [10001, 10080] and resolution.freed == [10000]
    [collision] = resolution.new_collisions
    assert collision.app_ids == {"/shop/web", "/shop/old"} and not resolution.within(collision)
    web = next(a for a in resolution.apps if a.change.app_id == "/shop/web")
    assert [c.kind for c in web.diff.ports] == ["added"]
    assert resolution.group["groups"][0]["id"] == "/shop"
    # Resolving changed nothing.
    assert not App.objects.filter(app_id__in=["/shop/web", "/shop/api"]).exists()
    assert App.objects.filter(app_id="/shop/gone").exists()


def test_authors_cannot_approve_their_own_request_and_viewers_cannot_review(cluster, team):
    request = open_request(cluster, team["erin"], "x")
    propose(request, team["erin"], None, WEB)
    with pytest.raises(RequestProblem, match="Authors cannot approve their own request"):
        review(request, team["erin"], Role.OWNER, "approve", "")
    with pytest.raises(RequestProblem, match="needs the reviewer role"):
        review(request, team["erin"], Role.EDITOR, "changes", "no")
    with pytest.raises(RequestProblem, match="needs a comment"):
        review(request, team["rita"], Role.REVIEWER, "changes", " ")


def test_an_edit_after_an_approval_makes_it_stale_and_apply_asks_again(cluster, team):
    request = open_request(cluster, team["erin"], "x")
    propose(request, team["erin"], None, WEB)
    review(request, team["rita"], Role.REVIEWER, "approve", "ok")
    assert standing(request, resolve(request, team["erin"]).digest).approved
    propose(request, team["erin"], None, {**WEB, "cmd": "run2"})
    now = standing(request, resolve(request, team["erin"]).digest)
    assert not now.approved and [r.reviewer_name for r in now.stale] == ["rita"]
    with pytest.raises(ApplyRefused, match="needs 1 approval of its current version"):
        apply(request, team["erin"], Role.EDITOR)
    assert not App.objects.filter(app_id="/shop/web").exists()


def test_a_fleet_that_moved_makes_the_approval_stale_when_the_result_changes(cluster, team):
    request = open_request(cluster, team["erin"], "x")
    propose(request, team["erin"], None, {"id": "/a", "cmd": "run", "ports": [0]})
    review(request, team["rita"], Role.REVIEWER, "approve", "")
    save_app(cluster, {"id": "/b", "cmd": "run", "ports": [0]}, by=BY)  # takes 10000 first
    with pytest.raises(ApplyRefused, match="fleet moved since it was approved"):
        apply(request, team["erin"], Role.EDITOR)


def test_apply_deploys_through_the_writer_and_links_the_revisions(cluster, team):
    request = open_request(cluster, team["erin"], "web on 10080")
    propose(request, team["erin"], None, WEB)
    review(request, team["rita"], Role.REVIEWER, "approve", "fine")
    deployed = apply(request, team["erin"], Role.EDITOR)
    assert [app.app_id for app, _ in deployed] == ["/shop/web"]
    revision = Revision.objects.get(app_id="/shop/web")
    assert revision.change_request == request and revision.username == "erin"
    assert revision.message == "#1 web on 10080 (by erin, approved by rita)"
    request.refresh_from_db()
    assert request.state == "applied" and request.finished_by == "erin"
    with pytest.raises(RequestProblem, match="is applied: it cannot change any more"):
        propose(request, team["erin"], None, WEB)


def test_a_change_made_directly_in_between_is_a_conflict_showing_both(client, cluster, team):
    app, _ = save_app(cluster, WEB, by=BY)
    request = open_request(cluster, team["erin"], "move web")
    propose(request, team["erin"], None, {**WEB, "portDefinitions": [{"port": 10090}]})
    review(request, team["rita"], Role.REVIEWER, "approve", "")
    save_app(cluster, {**WEB, "portDefinitions": [{"port": 10070}]}, app=app, by=BY)
    with pytest.raises(ApplyRefused) as refused:
        apply(request, team["erin"], Role.EDITOR)
    [conflict] = refused.value.conflicts
    assert conflict.theirs.ports[0].changes[0].after == 10070
    assert conflict.ours.ports[0].changes[0].after == 10090
    client.force_login(team["erin"])
    page = client.post(reverse("request_detail", args=["prod", 1]), {"action": "apply"})
    assert page.status_code == 409
    html = page.content.decode()
    assert "Their change" in html and "<ins>10070</ins>" in html and "<ins>10090</ins>" in html
    assert App.objects.get(app_id="/shop/web").version == 2


def test_a_cluster_whose_changes_need_review_refuses_direct_changes(
    client, cluster, team, composer_form
):
    cluster.requires_review = True
    cluster.save()
    client.force_login(team["erin"])
    response = client.post(reverse("app_new", args=["prod"]), composer_form(WEB, action="save"))
    assert "Changes to prod need review: propose this as a change request" in (
        response.content.decode()
    )
    with pytest.raises(ReviewRequired):
        save_app(cluster, WEB, by=Actor(team["erin"], "composer"))
    url = reverse("cluster_import", args=["prod"])
    imported = client.post(url, {"payload": json.dumps([WEB]), "action": "commit"})
    assert "need review" in imported.content.decode()
    assert not App.objects.exists()


def test_an_owner_applies_an_emergency_change_with_a_reason_flagged_in_the_feed(
    client, cluster, team
):
    cluster.requires_review = True
    cluster.save()
    url = reverse("cluster_import", args=["prod"])
    post = {"payload": json.dumps([WEB]), "action": "commit", "emergency": "1"}
    client.force_login(team["rita"])
    refused = client.post(url, {**post, "reason": "outage"})
    assert "Only an owner applies an emergency change" in refused.content.decode()
    client.force_login(team["otto"])
    no_reason = client.post(url, post)
    assert "needs its reason" in no_reason.content.decode()
    assert client.post(url, {**post, "reason": "outage INC-7"}).status_code == 302
    revision = Revision.objects.get(app_id="/shop/web")
    assert revision.emergency and revision.message == "outage INC-7"
    feed = client.get(reverse("cluster_activity", args=["prod"])).content.decode()
    assert "emergency" in feed


def test_a_comment_on_a_port_the_request_later_changes_is_outdated(client, cluster, team):
    request = open_request(cluster, team["erin"], "x")
    propose(request, team["erin"], None, WEB)
    client.force_login(team["rita"])
    url = reverse("request_detail", args=["prod", 1])
    client.post(
        url,
        {
            "action": "comment",
            "app_id": "/shop/web",
            "port_label": "port 0 (http)",
            "text": "why 10080 and not auto?",
        },
    )
    assert "outdated" not in client.get(url).content.decode()
    propose(request, team["erin"], None, {**WEB, "portDefinitions": [{"port": 0, "name": "http"}]})
    html = client.get(url).content.decode()
    assert "why 10080 and not auto?" in html and "outdated" in html
    assert "It was service port 10080" in html and "now service port 10000" in html


def test_people_are_told_by_mail_and_the_webhook(client, cluster, team, settings):
    received = []

    class Hook(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802 -- http.server's name
            received.append(json.loads(self.rfile.read(int(self.headers["Content-Length"]))))
            self.send_response(204)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = HTTPServer(("127.0.0.1", 0), Hook)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    cluster.webhook_url = f"http://127.0.0.1:{server.server_port}/hook"
    cluster.save()
    try:
        client.force_login(team["erin"])
        # Mail and hooks go after the transaction commits; the test's never does, so run them.
        with TestCase.captureOnCommitCallbacks(execute=True):
            client.post(reverse("request_list", args=["prod"]), {"title": "new ports"})
        assert sorted(m.to[0] for m in mail.outbox) == ["otto@example.com", "rita@example.com"]
        assert "#1 new ports: opened by erin" in mail.outbox[0].subject
        client.force_login(team["rita"])
        with TestCase.captureOnCommitCallbacks(execute=True):
            client.post(
                reverse("request_detail", args=["prod", 1]),
                {"action": "changes", "text": "add a port"},
            )
        assert mail.outbox[-1].to == ["erin@example.com"]
        assert [p["event"] for p in received] == ["opened", "changes requested"]
        assert received[0]["request"]["url"].endswith("/clusters/prod/requests/1/")
    finally:
        server.shutdown()
        server.server_close()


def test_the_home_page_lists_what_awaits_my_review_and_my_requests(client, cluster, team):
    request = open_request(cluster, team["erin"], "web on 10080")
    propose(request, team["erin"], None, WEB)
    client.force_login(team["rita"])
    html = client.get(reverse("home")).content.decode()
    assert "Awaiting your review" in html and "#1 web on 10080" in html
    review(request, team["rita"], Role.REVIEWER, "approve", "")
    assert "Awaiting your review" not in client.get(reverse("home")).content.decode()
    client.force_login(team["erin"])
    assert "Your open requests" in client.get(reverse("home")).content.decode()


def test_the_app_list_shows_an_app_with_a_pending_change(client, cluster, team):
    save_app(cluster, WEB, by=BY)
    request = open_request(cluster, team["erin"], "x")
    propose(request, team["erin"], None, {**WEB, "cmd": "run2"})
    html = client.get(reverse("cluster_apps", args=["prod"])).content.decode()
    assert "change pending in #1" in html


def test_only_the_author_edits_a_request_and_each_edit_is_kept(cluster, team):
    request = open_request(cluster, team["erin"], "x")
    propose(request, team["erin"], None, WEB)
    edit_details(request, team["erin"], "better title", "why")
    with pytest.raises(RequestProblem, match="Only its author, erin, edits #1"):
        edit_details(request, team["rita"], "mine", "")
    summaries = list(request.edits.values_list("edit", "summary"))
    assert summaries == [
        (1, "opened"),
        (2, "create /shop/web"),
        (3, "edited the title and description"),
    ]
    assert request.edits.last().content["title"] == "better title"


def test_the_request_page_and_its_group_json(client, cluster, team):
    request = open_request(cluster, team["erin"], "web")
    propose(request, team["erin"], None, WEB)
    html = client.get(reverse("request_detail", args=["prod", 1])).content.decode()
    assert "What applying would do" in html
    # The map marks the cell of 10080-10089 as claimed, and says so.
    assert re.search(r'class="cell \w+ claimed"[^>]*title="10080–10089: [^"]*claims 10080', html)
    group = client.get(reverse("request_group", args=["prod", 1]))
    document = json.loads(group.content)
    assert document["groups"][0]["apps"][0]["id"] == "/shop/web"
    assert ChangeRequest.objects.get().state == "open"


def test_a_kept_resolution_is_worked_out_again_when_the_request_or_the_fleet_moves(
    cluster, team, monkeypatch
):
    import portplanner.review.requests as requests

    worked_out = []
    monkeypatch.setattr(requests, "resolve", lambda *a, **k: worked_out.append(1) or resolve(*a))
    request = open_request(cluster, team["erin"], "x")
    propose(request, team["erin"], None, {"id": "/a", "cmd": "run", "ports": [0]})
    assert resolution_of(request, team["rita"]).claimed == [10000]
    assert resolution_of(request, team["rita"]).claimed == [10000]
    assert len(worked_out) == 1  # kept, not deployed again
    save_app(cluster, {"id": "/b", "cmd": "run", "ports": [0]}, by=BY)  # takes 10000 first
    assert resolution_of(request, team["rita"]).claimed == [10001]
    propose(request, team["erin"], None, {"id": "/a", "cmd": "run", "ports": [0, 0]})
    assert resolution_of(request, team["rita"]).claimed == [10001, 10002]

    def narrow():
        cluster.local_port_min = 15000
        cluster.save()

    apply_policy(cluster, narrow, by=BY)
    request.refresh_from_db()
    assert resolution_of(request, team["rita"]).claimed == [15001, 15002]
    assert len(worked_out) == 4


def test_the_request_page_shows_the_request_as_it_now_resolves(client, cluster, team):
    client.force_login(team["rita"])
    url = reverse("request_detail", args=["prod", 1])
    request = open_request(cluster, team["erin"], "web")
    propose(request, team["erin"], None, WEB)
    first = client.get(url).content.decode()
    assert "1 port added" in first and "claims 10080" in first
    # The same page again comes from the kept resolution and the cached fragments, unchanged.
    assert client.get(url).content.decode().count("claims 10080") == first.count("claims 10080")
    propose(request, team["erin"], None, {**WEB, "portDefinitions": [{"port": 10090}]})
    edited = client.get(url).content.decode()
    assert "claims 10090" in edited and "claims 10080" not in edited
    save_app(cluster, {"id": "/shop/other", "cmd": "run", "ports": [10090]}, by=BY)
    moved = client.get(url).content.decode()
    assert "1 new collision" in moved and "with the fleet" in moved
    # Nothing is served from a cache emptied between requests either.
    cache.clear()
    assert "1 new collision" in client.get(url).content.decode()


def test_the_json_diff_of_one_app_is_shown_on_asking(client, cluster, team):
    client.force_login(team["rita"])
    save_app(cluster, WEB, by=BY)
    request = open_request(cluster, team["erin"], "web")
    change = propose(request, team["erin"], "/shop/web", {**WEB, "cmd": "run --fast"})
    url = reverse("request_detail", args=["prod", 1])
    page = client.get(url).content.decode()
    assert "Show the JSON diff" in page and "run --fast" not in page
    shown = client.get(url, {"json": change.pk}).content.decode()
    assert '+  "cmd": "run --fast"' in shown.replace("&quot;", '"')
    assert "Hide the JSON diff" in shown


def test_import_delete_and_restore_are_proposed_from_their_pages_and_change_nothing(
    client, cluster, team
):
    saved, _ = save_app(cluster, WEB, by=BY)
    first = Revision.objects.get(app_id="/shop/web")
    client.force_login(team["erin"])
    api = {"id": "/shop/api", "cmd": "run", "portDefinitions": [{"port": 0}]}

    imported = client.post(
        reverse("cluster_import", args=["prod"]),
        {"payload": json.dumps([api]), "action": "propose", "title": "api"},
    )
    assert imported.status_code == 302
    request = ChangeRequest.objects.get(title="api")
    deleted = client.post(
        reverse("app_delete", args=["prod", saved.pk]),
        {"action": "propose", "request": str(request.number)},
    )
    assert deleted.status_code == 302
    restored = client.post(
        reverse("revision_detail", args=["prod", first.pk]), {"action": "propose"}
    )
    assert restored.status_code == 302

    changes = sorted(
        (c.request.title, c.action, c.app_id)
        for c in ChangeRequest.objects.get(title="api").changes.all()
    ) + sorted(
        (c.request.title, c.action, c.app_id)
        for c in ChangeRequest.objects.exclude(title="api").get().changes.all()
    )
    assert changes == [
        ("api", "create", "/shop/api"),
        ("api", "delete", "/shop/web"),
        ("Restore /shop/web version 1", "update", "/shop/web"),
    ]
    # Proposed, not applied: the fleet is as it was.
    assert list(App.objects.values_list("app_id", "version")) == [("/shop/web", 1)]


def test_a_refused_change_leaves_no_request_half_filled_or_empty(cluster, team):
    changes = [(None, WEB), ("/shop/gone", None)]  # the second deletes an app prod does not have
    with pytest.raises(RequestProblem, match="/shop/gone is not in prod: nothing to delete"):
        propose_changes(cluster, team["erin"], {}, "two changes", changes)
    assert not ChangeRequest.objects.exists()
    assert not mail.outbox


def test_an_import_is_proposed_as_one_edit_of_its_request(cluster, team):
    save_app(cluster, WEB, by=BY)
    apps = [{"id": f"/shop/app-{n}", "cmd": "run", "ports": [0]} for n in range(40)]
    changes = [(None, app) for app in apps] + [("/shop/web", None)]
    with TestCase.captureOnCommitCallbacks(execute=True):
        request, made = propose_changes(cluster, team["erin"], {}, "import", changes, "41 changes")
    assert [(c.action, c.position) for c in made[-2:]] == [("create", 39), ("delete", 40)]
    assert list(request.edits.values_list("summary", flat=True)) == ["opened", "41 changes"]
    assert len(request.edits.last().content["changes"]) == 41

    # Again into the same request: the changes are replaced, not doubled, and move to the end.
    again = {"request": str(request.number)}
    with TestCase.captureOnCommitCallbacks(execute=True):
        propose_changes(cluster, team["erin"], again, "import", [(None, apps[0])])
    assert request.changes.count() == 41
    assert request.changes.order_by("position").last().app_id == "/shop/app-0"
    # Reviewers hear of a new request as opened, of more changes to it as changed.
    assert [m.subject.rsplit(": ", 1)[1] for m in mail.outbox[::2]] == [
        "opened by erin",
        "changed by erin",
    ]


def test_a_large_request_shows_its_apps_a_page_at_a_time(client, cluster, team):
    apps = [{"id": f"/shop/app-{n:02}", "cmd": "run", "ports": [0]} for n in range(1, 61)]
    request, _ = propose_changes(cluster, team["erin"], {}, "import", [(None, a) for a in apps])
    url = reverse("request_detail", args=["prod", request.number])
    client.force_login(team["rita"])
    client.post(url, {"action": "comment", "app_id": "/shop/app-55", "port_label": "port 0",
                      "text": "why this one?"})  # fmt: skip
    client.post(url, {"action": "comment", "text": "looks good"})

    first = client.get(url).content.decode()
    titles = re.findall(
        r'<h2 id="app-(\d+)-title"><span class="badge">create</span> ([^<]+)<', first
    )
    assert titles[0] == ("1", "/shop/app-01") and titles[-1] == ("50", "/shop/app-50")
    assert "Apps 1–50 of 60" in first and "60 new" in first  # the summary is the whole request
    assert "looks good" in first and "why this one?" not in first
    second = client.get(url, {"page": 2}).content.decode()
    titles = re.findall(
        r'<h2 id="app-(\d+)-title"><span class="badge">create</span> ([^<]+)<', second
    )
    assert titles[0] == ("51", "/shop/app-51") and len(titles) == 10
    assert "why this one?" in second and 'id="app-55"' in second
    # The JSON diff's link keeps to the page its app is on.
    change = request.changes.get(app_id="/shop/app-55")
    assert f"?page=2&amp;json={change.pk}#app-55" in second


def test_the_request_history_shows_each_new_edit_and_review(client, cluster, team):
    request = open_request(cluster, team["erin"], "web")
    propose(request, team["erin"], None, WEB)
    url = reverse("request_detail", args=["prod", request.number])
    assert "version 2: erin create /shop/web" in client.get(url).content.decode()

    propose(request, team["erin"], None, {**WEB, "cmd": "run2"})
    review(request, team["rita"], Role.REVIEWER, "approve", "fine")
    history = client.get(url).content.decode().split("History of this request")[1]
    assert "version 3: erin update /shop/web" not in history  # still a create: no app yet
    assert "version 3: erin create /shop/web" in history
    assert "rita approved version 3: fine" in history
