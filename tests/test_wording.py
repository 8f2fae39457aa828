"""Words on the pages: counts in proper singular and plural ("1 app", "2 apps"), never "app(s)"."""

import json

import pytest
from django.urls import reverse

from portplanner.fleet.deploy import save_app
from portplanner.history.record import Actor
from portplanner.marathon import prepare, read_apps

BY = Actor(None, "test")

pytestmark = pytest.mark.django_db

POLICY = {
    "description": "",
    "local_port_min": "10000",
    "local_port_max": "10001",
    "agent_port_ranges": "31000-32000",
    "reserved_ports": "80, 10050",
    "default_network_name": "",
    "mesos_bridge_name": "mesos-bridge",
    "env_vars_prefix": "",
}


def test_fleet_pages_say_counts_in_words(client, cluster):
    save_app(cluster, {"id": "/a", "cmd": "run", "ports": [10050, 10050]}, by=BY)
    save_app(cluster, {"id": "/b", "cmd": "run", "portDefinitions": [{"port": 10050}]}, by=BY)
    pages = [
        client.get(reverse(name, args=["prod"]))
        for name in ("cluster_apps", "cluster_collisions", "cluster_port_map", "cluster_settings")
    ]
    pages.append(client.get(reverse("home")))
    pages.append(client.post(reverse("cluster_settings", args=["prod"]), POLICY))
    pages.append(
        client.post(
            reverse("cluster_import", args=["prod"]),
            {"payload": '{"id": "/c", "cmd": "run", "ports": [0]}', "action": "preview"},
        )
    )
    for response in pages:
        assert response.status_code == 200
        assert "(s)" not in response.content.decode(), response.request["PATH_INFO"]


def test_fixed_host_ports_outside_the_agents_are_counted_in_words(client, cluster):
    save_app(
        cluster,
        {"id": "/a", "cmd": "run", "portDefinitions": [{"port": 8080}], "requirePorts": True},
        by=BY,
    )
    html = client.get(reverse("cluster_port_map", args=["prod"])).content.decode()
    assert "1 fixed host port lies outside the agents' ranges: Mesos never offers it," in html


@pytest.mark.parametrize(
    ("count", "expected"),
    [(1, "1 app into prod."), (2, "2 apps into prod.")],
)
def test_import_commit_message_counts_apps_in_words(client, cluster, count, expected):
    apps = [{"id": f"/app{i}", "cmd": "run", "ports": [0]} for i in range(count)]
    response = client.post(
        reverse("cluster_import", args=["prod"]),
        {"payload": json.dumps(apps), "action": "commit"},
        follow=True,
    )
    assert f"Imported {expected}" in response.content.decode()


@pytest.mark.parametrize(
    ("count", "words"),
    [
        (1, ["1 port mapping dropped", "so this port does not", "1 empty port mapping was "]),
        (2, ["2 port mappings dropped", "so these ports do not", "2 empty port mappings were "]),
    ],
)
def test_engine_warnings_count_ports_in_words(count, words):
    docker = {"type": "DOCKER", "docker": {"image": "x"}}
    host = {
        "id": "/host",
        "networks": [{"mode": "host"}],
        "container": {**docker, "portMappings": [{"containerPort": 80 + i} for i in range(count)]},
    }
    # Bridge networking: the definitions are dropped; beyond the one default mapping, only
    # their count survives, as empty mappings.
    padded = {
        "id": "/padded",
        "networks": [{"mode": "container/bridge"}],
        "container": docker,
        "portDefinitions": [{"port": 0} for _ in range(count + 1)],
    }
    one = {**padded, "id": "/one", "portDefinitions": [{"port": 0}]}
    apps = (host, padded, one)
    messages = " ".join(w.message for app in apps for w in prepare(app).warnings)
    for text in words:
        assert text in messages
    assert f"{count + 1} port definitions dropped: Marathon ignores them" in messages
    assert "1 port definition dropped: Marathon ignores it" in messages
    assert "(s)" not in messages


@pytest.mark.parametrize(("count", "text"), [(1, "1 pod not planned"), (2, "2 pods not planned")])
def test_reader_counts_pods_in_words(count, text):
    group = {"id": "/g", "apps": [{"id": "a"}], "pods": [{"id": f"p{i}"} for i in range(count)]}
    _, notes = read_apps(json.dumps(group).encode(), "g.json")
    assert [text in n.message for n in notes] == [True]
