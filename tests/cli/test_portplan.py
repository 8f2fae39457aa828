"""`manage.py portplan`: exit codes, the JSON shape CI pipelines read, and the text for people."""

import io
import json
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command

REPO = Path(__file__).resolve().parents[2]


def run(*args, stdin: str | None = None) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    old_stdin = sys.stdin
    if stdin is not None:
        sys.stdin = io.TextIOWrapper(io.BytesIO(stdin.encode()))
    try:
        with pytest.raises(SystemExit) as exit_info:
            call_command("portplan", *args, stdout=out, stderr=err, no_color=True)
    finally:
        sys.stdin = old_stdin
    return exit_info.value.code, out.getvalue(), err.getvalue()


def write(tmp_path: Path, name: str, data) -> str:
    path = tmp_path / name
    path.write_text(json.dumps(data) if not isinstance(data, str) else data)
    return str(path)


def test_check_valid_fleet_exits_0_with_exact_json_shape(tmp_path):
    path = write(tmp_path, "a.json", {"id": "/a", "cmd": "run", "portDefinitions": [{"port": 0}]})
    code, out, _ = run("check", "--format", "json", path)
    assert code == 0
    data = json.loads(out)
    assert list(data) == ["apps", "collisions"]
    (app,) = data["apps"]
    assert list(app) == ["id", "valid", "network", "errors", "warnings", "app", "ports", "env"]
    assert app["valid"] is True and app["network"] == "host"
    assert app["app"]["portDefinitions"] == [{"port": 10000, "protocol": "tcp"}]
    assert list(app["ports"][0]) == [
        "index",
        "name",
        "protocol",
        "containerPort",
        "hostPort",
        "hostPortDynamic",
        "servicePort",
        "servicePortDynamic",
        "vip",
        "marathonLb",
    ]
    assert app["env"]["PORT_10000"] == app["env"]["PORT0"]


def test_check_fixed_service_port_collision_exits_1_and_names_both_apps(tmp_path):
    # Spec W16: Marathon accepts both apps; marathon-lb would then misroute.
    a = {"id": "/a", "cmd": "run", "portDefinitions": [{"port": 10000}]}
    b = {
        "id": "/b",
        "container": {
            "type": "DOCKER",
            "docker": {
                "image": "n",
                "network": "BRIDGE",
                "portMappings": [{"containerPort": 80, "servicePort": 10000}],
            },
        },
    }
    c = {"id": "/c", "cmd": "run", "portDefinitions": [{"port": 0}]}
    code, out, _ = run("check", "--format", "json", write(tmp_path, "fleet.json", [a, b, c]))
    assert code == 1
    data = json.loads(out)
    assert data["collisions"] == [
        {
            "kind": "service-port",
            "port": 10000,
            "value": None,
            "apps": [
                {"id": "/a", "path": "/portDefinitions/0/port"},
                {"id": "/b", "path": "/container/portMappings/0/servicePort"},
            ],
        }
    ]
    assert data["apps"][2]["ports"][0]["servicePort"] == 10001


def test_check_folder_reads_every_json_file_in_order(tmp_path):
    write(tmp_path, "b.json", {"id": "/b", "cmd": "run"})
    write(tmp_path, "a.json", {"id": "/a", "cmd": "run"})
    (tmp_path / "notes.txt").write_text("not json")
    code, out, _ = run("check", "--format", "json", str(tmp_path))
    assert code == 0
    assert [a["id"] for a in json.loads(out)["apps"]] == ["/a", "/b"]


def test_check_invalid_app_exits_1_with_marathon_message(tmp_path):
    app = {"id": "/x", "cmd": "run", "portDefinitions": [{"port": 80}, {"port": 80}]}
    code, out, _ = run("check", "--format", "json", write(tmp_path, "x.json", app))
    assert code == 1
    assert json.loads(out)["apps"][0]["errors"] == [
        {"path": "/portDefinitions", "message": "Ports must be unique."}
    ]


def test_check_syntax_error_exits_2_with_line_and_column(tmp_path):
    path = write(tmp_path, "bad.json", '{"id": "/a",\n  "cmd": }')
    code, out, err = run("check", path)
    assert code == 2
    assert out == ""
    assert f"{path}:2:10: invalid JSON" in err


def test_check_missing_file_exits_2(tmp_path):
    code, _, err = run("check", str(tmp_path / "nope.json"))
    assert code == 2
    assert "nope.json" in err


def test_check_bad_policy_exits_2_naming_the_setting(tmp_path):
    config = write(tmp_path, "cluster.json", {"local_port_min": 20001})
    code, _, err = run("check", "--config", config, write(tmp_path, "a.json", {"id": "/a"}))
    assert code == 2
    assert "/local_port_max" in err


def test_check_config_changes_assignment_and_prefix(tmp_path):
    config = write(tmp_path, "c.json", {"local_port_min": 4000, "env_vars_prefix": "P_"})
    app = write(tmp_path, "a.json", {"id": "/a", "cmd": "run"})
    code, out, _ = run("check", "--format", "json", "--config", config, app)
    assert code == 0
    result = json.loads(out)["apps"][0]
    assert result["ports"][0]["servicePort"] == 4000
    assert "P_PORT0" in result["env"] and "PORT0" not in result["env"]


def test_check_reads_stdin():
    code, out, _ = run("check", "--format", "json", "-", stdin='{"id": "/s", "cmd": "run"}')
    assert code == 0
    assert json.loads(out)["apps"][0]["id"] == "/s"


def test_check_text_output_groups_by_app_and_lists_collisions(tmp_path):
    fleet = [
        {"id": "/a", "cmd": "run", "portDefinitions": [{"port": 10000, "name": "http"}]},
        {"id": "/b", "cmd": "run", "portDefinitions": [{"port": 10000}]},
    ]
    code, out, _ = run("check", write(tmp_path, "f.json", fleet))
    assert code == 1
    assert "/a  host  valid" in out
    assert "service-port: Service port 10000 is held by /a (/portDefinitions/0/port)" in out
    assert "2 apps, 0 invalid, 0 warnings, 1 collision" in out and "(s)" not in out


def test_resolve_prints_one_app_result(tmp_path):
    path = write(tmp_path, "w.json", {"id": "/w", "cmd": "run", "ports": [0]})
    code, out, _ = run("resolve", path)
    assert code == 0
    result = json.loads(out)
    assert result["id"] == "/w"
    assert result["warnings"][0]["code"] == "legacy-api"


def test_resolve_refuses_a_fleet(tmp_path):
    path = write(tmp_path, "two.json", [{"id": "/a"}, {"id": "/b"}])
    code, _, err = run("resolve", path)
    assert code == 2
    assert "holds 2 apps" in err


def test_cli_exit_status_reaches_the_shell(tmp_path):
    # CI pipelines read the process status, not a Python exception.
    path = write(tmp_path, "x.json", {"id": "/x", "cmd": "run", "ports": [80, 80]})
    proc = subprocess.run(
        [sys.executable, "manage.py", "portplan", "check", path],
        cwd=REPO,
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 1, proc.stderr
    assert "ports must be unique" in proc.stdout


# --- marathon-lb ------------------------------------------------------------------------------

LB_FLEET = [
    {"id": "/web", "cmd": "run", "labels": {"HAPROXY_GROUP": "external"}, "ports": [10005]},
    {
        "id": "/api",
        "cmd": "run",
        "labels": {"HAPROXY_GROUP": "external", "HAPROXY_0_PORT": "10005"},
        "ports": [10010],
    },
    {
        "id": "/intra",
        "cmd": "run",
        "labels": {"HAPROXY_GROUP": "internal", "HAPROXY_0_PORT": "10005"},
        "ports": [10011],
    },
]


def test_check_json_reports_a_bind_port_shared_in_a_group_with_its_group(tmp_path):
    code, out, _ = run("check", "--format", "json", write(tmp_path, "f.json", LB_FLEET))
    assert code == 1
    data = json.loads(out)
    assert data["collisions"] == [
        {
            "kind": "lb-port",
            "port": 10005,
            "value": None,
            "group": "external",
            "apps": [
                {"id": "/web", "path": "/portDefinitions/0/port"},
                {"id": "/api", "path": "/labels/HAPROXY_0_PORT"},
            ],
        }
    ]
    assert data["apps"][1]["ports"][0]["marathonLb"]["groups"] == ["external"]


def test_check_text_says_what_marathon_lb_binds_and_names_the_collision(tmp_path):
    code, out, _ = run("check", write(tmp_path, "f.json", LB_FLEET))
    assert code == 1
    assert "marathon-lb binds 10005 (HAPROXY_0_PORT) in group internal (tcp)" in out
    assert (
        "lb-port: marathon-lb bind port 10005 in group external is bound by "
        "/web (/portDefinitions/0/port), /api (/labels/HAPROXY_0_PORT)"
    ) in out


def test_check_bind_port_label_on_marathon_lbs_own_port_exits_1(tmp_path):
    app = {"id": "/s", "cmd": "run", "labels": {"HAPROXY_0_PORT": "9090"}, "ports": [10000]}
    code, out, _ = run("check", "--format", "json", write(tmp_path, "s.json", app))
    assert code == 1
    assert [c["kind"] for c in json.loads(out)["collisions"]] == ["lb-reserved-port"]


@pytest.mark.django_db
def test_import_lists_bind_port_collisions_and_export_needs_them_acknowledged(tmp_path, admin_user):
    path = write(tmp_path, "f.json", LB_FLEET)
    code, out, _ = run("import", "--cluster", "lb", "--create", "--user", "admin", path)
    assert code == 1
    assert "lb-port: marathon-lb bind port 10005 in group external" in out
    code, out, err = run("export", "--cluster", "lb")
    assert code == 1
    assert "portplan: lb-port: marathon-lb bind port 10005 in group external" in err
    code, out, _ = run("export", "--cluster", "lb", "--acknowledge-collisions")
    assert code == 0 and len(json.loads(out)["apps"]) == 3
