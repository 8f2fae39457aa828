"""An author editing one change request from several tabs at once, with real threads, each on its
own database connection: every edit is kept, under a number of its own, and none answers a server
error."""

import pytest
from django.urls import reverse

from portplanner.models import ChangeRequest, Membership, Role
from portplanner.review.requests import open_request

TABS = 8


@pytest.mark.django_db(transaction=True)
def test_proposals_into_one_request_at_once_each_keep_an_edit_of_their_own(
    cluster, composer_form, django_user_model, run_together
):
    erin = django_user_model.objects.create_user("erin")
    Membership.objects.create(cluster=cluster, user=erin, role=Role.EDITOR)
    request = open_request(cluster, erin, "many tabs")
    url = reverse("app_new", args=["prod"])
    apps = [{"id": f"/shop/app{n}", "cmd": "run", "ports": [0]} for n in range(TABS)]
    posts = [(url, composer_form(app, action="propose", request="1")) for app in apps]

    responses = run_together(posts, erin)

    assert [r.status_code for r in responses] == [302] * TABS
    assert request.changes.count() == TABS
    # Opened, then one edit per proposal: none lost, none numbered twice.
    assert list(request.edits.order_by("edit").values_list("edit", flat=True)) == list(
        range(1, TABS + 2)
    )
    assert ChangeRequest.objects.get(pk=request.pk).edit == TABS + 1
    assert sorted(request.changes.values_list("position", flat=True)) == list(range(TABS))
