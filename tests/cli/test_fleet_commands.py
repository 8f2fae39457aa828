"""`portplan import`, `delete` and `export` against a cluster: who they act as (the history names
everyone), sync, and what they print."""

import getpass
import io
import json
from pathlib import Path

import pytest
from django.core.management import call_command

from portplanner.models import App, Cluster, Membership, Revision, Role

pytestmark = pytest.mark.django_db


def run(*args) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with pytest.raises(SystemExit) as exit_info:
        call_command("portplan", *args, stdout=out, stderr=err, no_color=True)
    return exit_info.value.code, out.getvalue(), err.getvalue()


@pytest.fixture
def editor(cluster, django_user_model):
    user = django_user_model.objects.create_user("ci-bot")
    Membership.objects.create(cluster=cluster, user=user, role=Role.EDITOR)
    return user


def apps_file(tmp_path: Path, apps: list[dict], name="apps.json") -> str:
    path = tmp_path / name
    path.write_text(json.dumps(apps))
    return str(path)


SHOP = [
    {"id": "/shop/web", "cmd": "run", "ports": [0]},
    {"id": "/shop/api", "cmd": "run", "ports": [0]},
]


def test_import_acts_as_the_named_user_and_records_it(tmp_path, editor):
    path = apps_file(tmp_path, SHOP)
    code, out, _ = run("import", "--cluster", "prod", "--user", "ci-bot", "-m", "PR 42", path)
    assert code == 0
    assert "imported into prod: 2 new, 0 updated" in out
    revision = Revision.objects.get(app_id="/shop/web")
    assert (revision.username, revision.via, revision.message) == ("ci-bot", "cli import", "PR 42")


def test_import_without_an_account_is_refused_and_saves_nothing(tmp_path, cluster):
    code, _, err = run("import", "--cluster", "prod", apps_file(tmp_path, SHOP))
    assert code == 2
    assert f"no account named {getpass.getuser()!r} to import as; pass --user NAME" in err
    assert not App.objects.exists()


def test_import_defaults_to_the_os_users_account(tmp_path, cluster, django_user_model):
    me = django_user_model.objects.create_user(getpass.getuser())
    Membership.objects.create(cluster=cluster, user=me, role=Role.EDITOR)
    code, _, _ = run("import", "--cluster", "prod", apps_file(tmp_path, SHOP))
    assert code == 0
    assert Revision.objects.filter(user=me).count() == 2


def test_a_viewer_may_not_import(tmp_path, cluster, django_user_model):
    viewer = django_user_model.objects.create_user("vic")
    Membership.objects.create(cluster=cluster, user=viewer, role=Role.VIEWER)
    code, _, err = run("import", "--cluster", "prod", "--user", "vic", apps_file(tmp_path, SHOP))
    assert code == 2 and "needs the editor role; you are a viewer" in err
    assert not App.objects.exists()


def test_import_sync_deletes_what_the_files_no_longer_hold(tmp_path, editor):
    run("import", "--cluster", "prod", "--user", "ci-bot", apps_file(tmp_path, SHOP))
    fewer = apps_file(tmp_path, SHOP[:1], "fewer.json")
    code, out, _ = run("import", "--cluster", "prod", "--user", "ci-bot", "--sync", fewer)
    assert "deleted: /shop/api (under /shop, not in the files)" in out
    assert "1 deleted" in out and code == 0
    assert list(App.objects.values_list("app_id", flat=True)) == ["/shop/web"]


def test_import_dry_run_sync_shows_deletions_and_changes_nothing(tmp_path, editor):
    run("import", "--cluster", "prod", "--user", "ci-bot", apps_file(tmp_path, SHOP))
    fewer = apps_file(tmp_path, SHOP[:1], "fewer.json")
    args = ("import", "--cluster", "prod", "--user", "ci-bot", "--sync", "--dry-run", fewer)
    _, out, _ = run(*args)
    assert "deleted: /shop/api" in out and "dry run, nothing saved" in out
    assert App.objects.count() == 2


def test_delete_frees_the_ports_and_records_who(tmp_path, editor):
    run("import", "--cluster", "prod", "--user", "ci-bot", apps_file(tmp_path, SHOP))
    code, out, _ = run("delete", "--cluster", "prod", "--app", "/shop/web", "--user", "ci-bot")
    assert code == 0 and out.strip() == "deleted /shop/web from prod; service ports 10000 are free"
    assert Revision.objects.get(action="delete").username == "ci-bot"
    code, _, err = run("delete", "--cluster", "prod", "--app", "/shop/web", "--user", "ci-bot")
    assert code == 2 and "no app /shop/web in cluster prod" in err


def test_import_create_makes_the_user_owner_of_the_new_cluster(tmp_path, django_user_model):
    from django.contrib.auth.models import Permission

    maker = django_user_model.objects.create_user("maker")
    maker.user_permissions.add(Permission.objects.get(codename="add_cluster"))
    args = ("import", "--cluster", "new-one", "--create", "--user", "maker")
    code, _, _ = run(*args, apps_file(tmp_path, SHOP))
    assert code == 0
    assert Membership.objects.get(cluster__name="new-one").role == Role.OWNER
    assert Cluster.objects.get(name="new-one").apps.count() == 2


def test_propose_opens_a_request_from_files_and_prints_its_url_and_summary(tmp_path, editor):
    from portplanner.models import ChangeRequest

    run("import", "--cluster", "prod", "--user", "ci-bot", apps_file(tmp_path, SHOP[:1]))
    clash = [{"id": "/shop/api", "cmd": "run", "ports": [10000]}]  # /shop/web holds 10000
    code, out, _ = run(
        "propose", "--cluster", "prod", "--user", "ci-bot", "--title", "PR 7",
        apps_file(tmp_path, clash, "pr.json"),
    )  # fmt: skip
    assert code == 1  # a new collision
    assert "opened #1: http://127.0.0.1:8000/clusters/prod/requests/1/" in out
    assert "new service-port: Service port 10000 is held by" in out
    assert "1 new, 0 changed, 0 deleted; service ports claimed 10000" in out
    request = ChangeRequest.objects.get()
    assert (request.title, request.author_name) == ("PR 7", "ci-bot")
    code, out, _ = run("requests", "--cluster", "prod")
    assert code == 0 and out.startswith("#1\tci-bot\tPR 7\thttp://127.0.0.1:8000/clusters/prod/")


def test_propose_lists_the_errors_of_an_app_and_refuses_what_it_cannot_store(tmp_path, editor):
    broken = [{"id": "/shop/api", "cmd": "run", "portDefinitions": [{"port": 0, "protocol": "x"}]}]
    code, out, _ = run(
        "propose", "--cluster", "prod", "--user", "ci-bot", apps_file(tmp_path, broken, "b.json")
    )
    assert code == 1
    assert "  /shop/api /portDefinitions/0/protocol: " in out
    assert "1 error" in out

    code, _, err = run(
        "propose", "--cluster", "prod", "--user", "ci-bot", "--title", "t" * 201,
        apps_file(tmp_path, SHOP[:1], "ok.json"),
    )  # fmt: skip
    assert code == 2
    assert 'The field "title" holds 201 characters and takes up to 200' in err


def test_import_into_a_cluster_whose_changes_need_review_says_propose(tmp_path, editor, cluster):
    cluster.requires_review = True
    cluster.save()
    code, _, err = run("import", "--cluster", "prod", "--user", "ci-bot", apps_file(tmp_path, SHOP))
    assert code == 1 and "need review" in err and "portplan propose" in err
    assert not App.objects.exists()
