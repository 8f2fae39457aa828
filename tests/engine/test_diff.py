"""The diff in ports between two states of an app (the history's and the review's)."""

from portplanner.marathon import ClusterPolicy, resolve_app
from portplanner.marathon.collisions import SERVICE_PORT, Collision
from portplanner.marathon.diff import diff, snapshot

POLICY = ClusterPolicy()


def snap(app: dict, collisions=()) -> dict:
    return snapshot(resolve_app(app, POLICY), collisions)


BRIDGE = {
    "id": "/web",
    "cmd": "./web",
    "networks": [{"mode": "container/bridge"}],
    "container": {
        "type": "DOCKER",
        "docker": {"image": "nginx"},
        "portMappings": [
            {"containerPort": 80, "hostPort": 0, "servicePort": 10080, "name": "http"},
            {"containerPort": 9000, "hostPort": 31000, "servicePort": 10090, "name": "admin"},
        ],
    },
}


def with_mappings(*mappings) -> dict:
    return {**BRIDGE, "container": {**BRIDGE["container"], "portMappings": list(mappings)}}


def test_the_same_app_has_no_change():
    result = diff(snap(BRIDGE), snap(BRIDGE))
    assert result.empty and result.summary == "no change in ports"


def test_a_renumbered_port_names_each_number_that_moved():
    http, admin = BRIDGE["container"]["portMappings"]
    moved = with_mappings({**http, "servicePort": 10081, "containerPort": 8080}, admin)
    result = diff(snap(BRIDGE), snap(moved))
    [change] = result.ports
    assert (change.label, change.kind) == ("port 0 (http)", "changed")
    assert [(c.words, c.before, c.after) for c in change.changes] == [
        ("service port", 10080, 10081),
        ("container port", 80, 8080),
    ]
    assert result.summary == "1 port changed, 2 env vars changed"  # PORT_80 -> PORT_8080 ...


def test_ports_are_matched_by_name_so_a_reorder_is_no_change():
    http, admin = BRIDGE["container"]["portMappings"]
    result = diff(snap(BRIDGE), snap(with_mappings(admin, http)))
    assert result.ports == []


def test_added_and_removed_ports_and_a_random_host_port_made_fixed():
    http, admin = BRIDGE["container"]["portMappings"]
    metrics = {"containerPort": 9100, "hostPort": 0, "servicePort": 10100, "name": "metrics"}
    after = with_mappings({**http, "hostPort": 31080}, metrics)
    changes = {c.label: c for c in diff(snap(BRIDGE), snap(after)).ports}
    assert changes["port 1 (metrics)"].kind == "added"
    assert changes["port 1 (admin)"].kind == "removed"
    [host] = changes["port 0 (http)"].changes
    assert (host.words, host.after) == ("host port", 31080)


def test_protocol_and_vip_changes():
    http, admin = BRIDGE["container"]["portMappings"]
    after = with_mappings({**http, "protocol": "udp,tcp", "labels": {"VIP_0": "/web:80"}}, admin)
    [change] = diff(snap(BRIDGE), snap(after)).ports
    assert [(c.field, c.before, c.after) for c in change.changes] == [
        ("protocol", "tcp", "udp,tcp"),
        ("vips", [], ["/web:80"]),
    ]


def test_created_and_deleted_apps_add_and_remove_every_port():
    created = diff(None, snap(BRIDGE))
    assert [c.kind for c in created.ports] == ["added", "added"]
    deleted = diff(snap(BRIDGE), None)
    assert [c.kind for c in deleted.ports] == ["removed", "removed"]
    assert deleted.summary.startswith("2 ports removed")


def test_collisions_errors_and_warnings_that_appear_or_go():
    collision = Collision(SERVICE_PORT, 10080, None, (("/web", "/x"), ("/api", "/y")))
    broken = {**BRIDGE, "cmd": "x"}  # Marathon refuses a one-character cmd
    result = diff(snap(BRIDGE), snap(broken, [collision]))
    assert [c["others"] for c in result.collisions_appeared] == [["/api"]]
    assert result.errors_appeared and not result.errors_gone
    back = diff(snap(broken, [collision]), snap(BRIDGE))
    assert back.collisions_gone and back.errors_gone
    assert "1 collision gone" in back.summary and "error fixed" in back.summary
