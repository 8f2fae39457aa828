"""What the database cannot store is refused with a message that says where, on SQLite and on
PostgreSQL alike: nothing half-written, no server error."""

import json

import pytest
from django.urls import reverse

from portplanner.fleet.deploy import MAX_VIP_LENGTH, group_problems, storage_problem
from portplanner.models import App

LONG_VIP = "v" * (MAX_VIP_LENGTH + 1)


@pytest.mark.parametrize(
    ("raw", "problem"),
    [
        ({"cmd": "run"}, "has no usable id; give it one such as /team/app"),
        ({"id": "/x\x00y"}, "has a NUL character (\\u0000) at /id: remove it"),
        (
            {"id": "/x", "portDefinitions": [{"port": 0, "labels": {"VIP_0": "/a\x00:80"}}]},
            "has a NUL character (\\u0000) at /portDefinitions/0/labels/VIP_0: remove it",
        ),
        (
            {"id": "/x", "env": {"A\x00": "b"}},
            "has a NUL character (\\u0000) at /env/A\x00: remove it",
        ),
        (
            {"id": "/x", "portDefinitions": [{"port": 0, "labels": {"VIP_0": LONG_VIP}}]},
            f"has a VIP label of {MAX_VIP_LENGTH + 1} characters at "
            f"/portDefinitions/0/labels/VIP_0; Port Planner keeps VIP labels of up to "
            f"{MAX_VIP_LENGTH}: shorten it",
        ),
        ({"id": "/x", "labels": {"VIP_0": LONG_VIP}}, None),  # an app label, not a port's
        ({"id": "/x", "cmd": "run", "portDefinitions": [{"port": 0, "name": "http"}]}, None),
    ],
)
def test_storage_problem_names_what_and_where(raw, problem):
    assert storage_problem(raw) == problem


@pytest.mark.django_db
def test_composer_save_of_an_app_with_a_nul_says_where_and_saves_nothing(
    client, cluster, composer_form
):
    app = {"id": "/x", "cmd": "run", "env": {"MODE": "a\x00b"}}
    response = client.post(reverse("app_new", args=["prod"]), composer_form(app, action="save"))
    assert response.status_code == 200
    assert "has a NUL character (\\u0000) at /env/MODE: remove it" in response.content.decode()
    assert not App.objects.exists()


@pytest.mark.django_db
def test_import_of_a_vip_label_too_long_says_where_and_saves_nothing(client, cluster):
    apps = [
        {"id": "/ok", "cmd": "run"},
        {"id": "/x", "cmd": "run", "portDefinitions": [{"port": 0, "labels": {"VIP_0": LONG_VIP}}]},
    ]
    url = reverse("cluster_import", args=["prod"])
    response = client.post(url, {"payload": json.dumps(apps), "action": "commit"})
    assert response.status_code == 400
    assert "app 2 has a VIP label of 501 characters" in response.content.decode()
    assert not App.objects.exists()
    assert group_problems(apps) == [
        "app 2 has a VIP label of 501 characters at /portDefinitions/0/labels/VIP_0; Port "
        "Planner keeps VIP labels of up to 500: shorten it"
    ]
