"""Marathon's own example apps (tests/fixtures/marathon, spec §9) through the whole engine."""

from __future__ import annotations

from pathlib import Path

import pytest

from portplanner.marathon import check_fleet, read_apps, resolve_app

# Copied from Marathon's repository (SOURCES.txt says where each comes from), so that these tests
# run in any clone.
EXAMPLES = Path(__file__).resolve().parents[1] / "fixtures" / "marathon"
FILES = sorted(EXAMPLES.glob("*.json"))
EXAMPLE_COUNT = 22
# Stages that rewrite legacy input; a second pass over canonical output must not fire them again.
REWRITE_CODES = {"legacy-api", "dropped-port-mappings", "dropped-port-definitions"}
INVALID = {
    # spec §9: "cannot specify both an IP address and port", "ipAddress/discovery is not allowed
    # for Docker containers"
    "app.json": [
        ("/", "cannot specify both an IP address and port"),
        ("/ipAddress", "ipAddress/discovery is not allowed for Docker containers"),
    ],
}


def _read(name):
    apps, _ = read_apps((EXAMPLES / name).read_bytes(), source=name)
    return [a.app for a in apps]


def _every_app():
    for path in FILES:
        apps, _ = read_apps(path.read_bytes(), source=path.name)
        for found in apps:
            yield pytest.param(path.name, found.app, id=f"{path.name}{found.path}")


APPS = list(_every_app())


def test_examples_every_file_read():
    assert FILES
    for path in FILES:
        apps, _ = read_apps(path.read_bytes(), source=path.name)
        assert apps, path.name


@pytest.mark.parametrize(("name", "raw"), APPS)
def test_example_app_valid_except_app_json(name, raw):
    result = resolve_app(raw)

    assert sorted((e.path, e.message) for e in result.errors) == INVALID.get(name, [])


@pytest.mark.parametrize(("name", "raw"), [p for p in APPS if p.values[0] not in INVALID])
def test_example_app_normalization_is_idempotent(name, raw):
    first = resolve_app(raw)

    second = resolve_app(first.app)

    assert second.app == first.app
    assert second.errors == []
    assert not [w.code for w in second.warnings if w.code in REWRITE_CODES]


def test_example_155_100_has_100_host_apps_keeping_their_service_ports():
    raws = _read("155_100.json")

    fleet = check_fleet(raws)

    assert len(fleet.apps) == 100
    assert {r.network for r in fleet.apps} == {"host"}
    assert [[p.service_port for p in r.ports] for r in fleet.apps] == [
        [d["port"] for d in raw["portDefinitions"]] for raw in raws
    ]
    assert fleet.collisions == []
    assert fleet.ok


def test_example_group_1_gets_three_service_ports():
    fleet = check_fleet(_read("Group-1.json"))

    assert [(r.id, [p.service_port for p in r.ports]) for r in fleet.apps] == [
        ("/department-a/service-common", [10000]),
        ("/department-a/product-a/service-a", [10001]),
        ("/department-a/product-a/service-b", [10002]),
    ]


@pytest.mark.parametrize(
    ("name", "network"),
    [
        pytest.param("bridge.json", "container/bridge", id="bridge"),
        pytest.param("Tomcat-Docker.json", "container/bridge", id="tomcat"),
        pytest.param("pinger-container-app.json", "container", id="pinger-container"),
        pytest.param("resident-docker-app.json", "container", id="resident-docker"),
        pytest.param("healthcheck-and-volume.json", "container", id="healthcheck-and-volume"),
        pytest.param("ipv6-healthcheck.json", "container", id="ipv6"),
        pytest.param("mom.json", "host", id="mom"),
        pytest.param("mom-ee-permissive-1.5.json", "host", id="mom-ee-permissive"),
        pytest.param("persistent-volume-app.json", "host", id="persistent-volume"),
    ],
)
def test_example_network_mode(name, network):
    (raw,) = _read(name)

    assert resolve_app(raw).network == network


def test_example_bridge_json_keeps_fixed_service_port():
    (raw,) = _read("bridge.json")

    result = resolve_app(raw)

    assert [p.service_port for p in result.ports] == [9000, 10000]
    assert [p.protocol for p in result.ports] == ["tcp", "udp"]


def test_example_tomcat_fixed_service_port_inside_dynamic_range():
    (raw,) = _read("Tomcat-Docker.json")

    result = resolve_app(raw, taken=[])

    assert [p.service_port for p in result.ports] == [10000]
    assert not result.ports[0].service_port_dynamic


def test_example_pinger_container_app_becomes_mesos_container_without_host_port():
    (raw,) = _read("pinger-container-app.json")

    app = resolve_app(raw).app

    assert app["networks"] == [{"mode": "container", "name": "dcos"}]
    assert app["container"]["type"] == "MESOS"
    assert app["container"]["portMappings"] == [
        {
            "containerPort": 7777,
            "name": "my-port",
            "protocol": "tcp",
            "labels": {},
            "servicePort": 10000,
        }
    ]


def test_example_resident_docker_app_gets_default_mapping_without_host_port():
    (raw,) = _read("resident-docker-app.json")

    app = resolve_app(raw).app

    assert app["networks"] == [{"mode": "container", "name": "dcos"}]
    assert app["container"]["portMappings"] == [
        {
            "containerPort": 0,
            "name": "default",
            "protocol": "tcp",
            "labels": {},
            "servicePort": 10000,
        }
    ]


@pytest.mark.parametrize(
    "name", ["universe.json", "pinger-bridge-app.json"], ids=["universe", "pinger-bridge"]
)
def test_example_require_ports_has_no_effect_on_bridge(name):
    (raw,) = _read(name)

    assert resolve_app(raw).app["requirePorts"] is False


def test_example_pinger_localhost_requires_host_port_7777():
    (raw,) = _read("pinger-localhost-app.json")

    result = resolve_app(raw)

    assert [(p.host_port, p.host_port_dynamic) for p in result.ports] == [(7777, False)]


def test_example_mom_drops_docker_mappings_keeps_port_definitions():
    (raw,) = _read("mom.json")

    app = resolve_app(raw).app

    assert "portMappings" not in app["container"]
    assert "portMappings" not in app["container"]["docker"]
    assert [d["port"] for d in app["portDefinitions"]] == [10000, 10001]


def test_example_group_json_bridge_app_drops_ports():
    apps = _read("group.json")
    results = [resolve_app(raw) for raw in apps]
    (bridged,) = [r for r in results if r.network == "container/bridge"]

    assert "portDefinitions" not in bridged.app
    assert "ports" not in bridged.app
    assert [w.path for w in bridged.warnings if w.code == "dropped-port-definitions"] == ["/ports"]
    assert [p.service_port for p in bridged.ports] == [5000]


def test_every_example_is_here():
    # A missing or renamed fixture folder must fail, not leave the tests above with no cases.
    assert len(FILES) == EXAMPLE_COUNT
    listed = {line.split(" <- ")[0] for line in (EXAMPLES / "SOURCES.txt").read_text().splitlines()}
    assert {path.name for path in FILES} <= listed
