"""``manage.py portplan``: the engine from the command line, for people and for CI pipelines.

Exit status: 0 when every app is valid and nothing collides, 1 when there are errors or collisions,
2 when the input (or the ``--config`` policy) cannot be read.
"""

from __future__ import annotations

import getpass
import json
import sys
from pathlib import Path
from typing import NoReturn

from django.contrib.auth import get_user_model
from django.core.exceptions import BadRequest, PermissionDenied
from django.core.management.base import BaseCommand, CommandParser
from django.db import transaction

from portplanner.accounts.members import create_cluster
from portplanner.accounts.roles import cluster_for, require
from portplanner.exchange.documents import (
    commit_import,
    common_group,
    export_check,
    exported_app,
    group_document,
    plan_import,
    zip_archive,
)
from portplanner.fleet.deploy import ReviewRequired, delete_apps, group_problems, prepare_id
from portplanner.history.record import Actor
from portplanner.marathon import (
    DEFAULT_POLICY,
    AppResult,
    ClusterPolicy,
    FleetResult,
    PolicyError,
    ReadError,
    SourcedApp,
    check_fleet,
    read_apps,
)
from portplanner.marathon.findings import counted
from portplanner.marathon.reader import ReadNote, canonical_path
from portplanner.models import Cluster, Role
from portplanner.review.entry import propose_changes
from portplanner.review.notify import request_url
from portplanner.review.requests import RequestProblem, resolution_of

EXIT_OK, EXIT_PROBLEMS, EXIT_UNREADABLE = 0, 1, 2


class Command(BaseCommand):
    help = "Check Marathon app JSON: resolve ports and env vars, validate, find collisions."

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True)
        check = actions.add_parser(
            "check",
            help="Check every app in the given files or folders as one fleet.",
            description="Read every app in PATHs (files, folders of *.json, or - for stdin) as one "
            "fleet: one group deployment, dynamic service ports assigned in input order.",
        )
        check.add_argument("paths", nargs="+", metavar="PATH")
        resolve = actions.add_parser("resolve", help="Resolve one app and print its result.")
        resolve.add_argument("paths", nargs=1, metavar="FILE")
        imports = actions.add_parser(
            "import",
            help="Import apps into a cluster's fleet (one group deployment, all or nothing).",
        )
        imports.add_argument("paths", nargs="+", metavar="PATH")
        imports.add_argument("--cluster", required=True, help="Cluster name.")
        imports.add_argument("--create", action="store_true", help="Create the cluster if new.")
        imports.add_argument("--dry-run", action="store_true", help="Show the plan, save nothing.")
        imports.add_argument(
            "--sync",
            action="store_true",
            help="Replace the group as PUT /v2/groups does: delete its apps the files do not hold.",
        )
        imports.add_argument(
            "--group",
            metavar="GROUP",
            help="With --sync, the group replaced (default: the one holding every imported app).",
        )
        deletes = actions.add_parser("delete", help="Delete an app from a cluster's fleet.")
        deletes.add_argument("--cluster", required=True, help="Cluster name.")
        deletes.add_argument("--app", required=True, metavar="ID", help="The app, e.g. /shop/web.")
        proposes = actions.add_parser(
            "propose",
            help="Open a change request from app files (for a cluster whose changes need review).",
            description="Read every app in PATHs as `check` and `import` do and open a change "
            "request proposing them; print its URL and what applying it would do.",
        )
        proposes.add_argument("paths", nargs="+", metavar="PATH")
        proposes.add_argument("--cluster", required=True, help="Cluster name.")
        proposes.add_argument("--title", default="", help="The request's title.")
        listing = actions.add_parser("requests", help="List a cluster's open change requests.")
        listing.add_argument("--cluster", required=True, help="Cluster name.")
        for sub in (imports, deletes, proposes):
            sub.add_argument(
                "--user",
                help="Who does it, for the history: an account with the editor role in the "
                "cluster (default: the account named after the OS user, if there is one).",
            )
            sub.add_argument("--message", "-m", default="", help="Why, for the history.")
        exports = actions.add_parser(
            "export", help="Export a cluster (group JSON or zip) or one app as Marathon JSON."
        )
        exports.add_argument("--cluster", required=True, help="Cluster name.")
        exports.add_argument("--app", metavar="ID", help="Export this one app (e.g. /shop/web).")
        exports.add_argument("--format", choices=["group", "zip", "app"], default=None)
        exports.add_argument(
            "--dynamic", action="store_true", help="Write dynamic service ports as 0."
        )
        exports.add_argument(
            "--acknowledge-collisions",
            action="store_true",
            help="Export even though apps collide (they are listed on stderr).",
        )
        exports.add_argument("--output", "-o", metavar="FILE", help="Write here (default stdout).")
        for sub in (check, resolve):
            sub.add_argument("--format", choices=["text", "json"], default=None)
            sub.add_argument(
                "--config",
                metavar="CLUSTER.json",
                help="Cluster port policy (local_port_min, local_port_max, agent_port_ranges, "
                "reserved_ports, default_network_name, mesos_bridge_name, env_vars_prefix).",
            )

    def handle(self, *args, action: str, **options):
        if action == "import":
            self._import(**options)
        if action == "delete":
            self._delete(**options)
        if action == "propose":
            self._propose(**options)
        if action == "requests":
            self._requests(**options)
        if action == "export":
            self._export(**options)
        self._check(action, **options)

    def _check(self, action: str, paths: list[str], format: str | None, config, **options):
        try:
            policy = _read_policy(config) if config else DEFAULT_POLICY
            apps, notes = _read_paths(paths)
        except (ReadError, PolicyError, OSError) as exc:
            self.stderr.write(self.style.ERROR(f"portplan: {_describe(exc, config)}"))
            sys.exit(EXIT_UNREADABLE)
        for note in notes:
            self.stderr.write(f"portplan: note: {note.source} at {note.path}: {note.message}")
        if action == "resolve" and len(apps) != 1:
            self.stderr.write(
                self.style.ERROR(
                    f"portplan: {paths[0]} holds {len(apps)} apps; resolve takes exactly one "
                    "(use check for a fleet)"
                )
            )
            sys.exit(EXIT_UNREADABLE)

        fleet = check_fleet([a.app for a in apps], policy)
        if action == "resolve":
            result = fleet.apps[0]
            if (format or "json") == "json":
                self.stdout.write(json.dumps(result.to_json(), indent=2))
            else:
                self._write_app(result, apps[0])
            sys.exit(EXIT_OK if result.valid else EXIT_PROBLEMS)

        if (format or "text") == "json":
            self.stdout.write(json.dumps(fleet.to_json(), indent=2))
        else:
            self._write_fleet(fleet, apps)
        sys.exit(EXIT_OK if fleet.ok else EXIT_PROBLEMS)

    def _import(
        self,
        paths: list[str],
        cluster: str,
        create: bool,
        dry_run: bool,
        sync: bool,
        group: str | None,
        user: str | None,
        message: str,
        **options,
    ):
        try:
            apps, notes = _read_paths(paths)
            problems = group_problems([a.app for a in apps])
            if problems:
                raise ReadError("; ".join(problems), source=", ".join(paths))
        except (ReadError, OSError) as exc:
            self._fail(_describe(exc, None), EXIT_UNREADABLE)
        target = self._cluster(cluster, create=create or dry_run)
        account = self._account(user, target, doing="import")
        by = Actor(account, "cli import", message)
        replaced = None
        if sync:
            ids = [prepare_id(a.app) for a in apps]
            replaced = canonical_path(group) if group else common_group(ids)
        try:
            with transaction.atomic():
                if target.pk is None:
                    create_cluster(target, account)
                plan = plan_import(target, apps, notes, by=by, sync=replaced)
                if dry_run:
                    transaction.set_rollback(True)
                else:
                    commit_import(target, apps, by=by, sync=replaced)
        except ReviewRequired as refused:
            self._fail(f"{refused} (portplan propose)", EXIT_PROBLEMS)
        for (_, result), sourced in zip(plan.saved, apps, strict=True):
            if not result.valid:
                self._write_app(result, sourced)
        for collision in plan.collisions:
            self.stdout.write(f"  {collision.kind}: {collision.describe()}")
        for app_id in plan.deleted_ids:
            self.stdout.write(f"  deleted: {app_id} (under {replaced}, not in the files)")
        deleted = f"{len(plan.deleted_ids)} deleted, " if sync else ""
        summary = (
            f"{len(plan.new_ids)} new, {len(plan.updated_ids)} updated, {deleted}"
            f"{len(plan.invalid)} with errors (saved as drafts), "
            f"{counted(plan.warning_count, 'warning')}, "
            f"{counted(len(plan.collisions), 'collision')}"
        )
        if dry_run:
            self.stdout.write(f"dry run, nothing saved in {cluster}: {summary}")
        else:
            self.stdout.write(f"imported into {cluster}: {summary}")
        clean = not plan.invalid and not plan.collisions
        sys.exit(EXIT_OK if clean else EXIT_PROBLEMS)

    def _export(
        self,
        cluster: str,
        app: str | None,
        format: str | None,
        dynamic: bool,
        acknowledge_collisions: bool,
        output: str | None,
        **options,
    ):
        target = self._cluster(cluster, create=False)
        apps = list(target.apps.prefetch_related("allocations"))
        if app is not None:
            apps = [a for a in apps if a.app_id == canonical_path(app)]
            if not apps:
                self._fail(f"no app {app} in cluster {cluster}", EXIT_UNREADABLE)
        check = export_check(target, apps if app is not None else None)
        for bad in check.invalid:
            reasons = "; ".join(f"{e['path']}: {e['message']}" for e in bad.errors)
            self.stderr.write(self.style.ERROR(f"portplan: {bad.app_id} is invalid: {reasons}"))
        if check.blocked:
            self._fail("export blocked: fix the invalid apps first", EXIT_PROBLEMS)
        for collision in check.collisions:
            self.stderr.write(f"portplan: {collision.kind}: {collision.describe()}")
        if check.collisions and not acknowledge_collisions:
            self._fail(
                "export stopped by collisions; pass --acknowledge-collisions once reviewed",
                EXIT_PROBLEMS,
            )
        pin = not dynamic
        kind = format or ("app" if app is not None else "group")
        if kind == "zip":
            if not output:
                self._fail("--format zip needs --output FILE", EXIT_UNREADABLE)
            Path(output).write_bytes(zip_archive(apps, pin=pin))
            sys.exit(EXIT_OK)
        if kind == "app":
            if len(apps) != 1:
                self._fail("--format app needs --app ID", EXIT_UNREADABLE)
            document = exported_app(apps[0], pin=pin)
        else:
            document = group_document(apps, pin=pin)
        text = json.dumps(document, indent=2) + "\n"
        if output:
            Path(output).write_text(text)
        else:
            self.stdout.write(text, ending="")
        sys.exit(EXIT_OK)

    def _delete(self, cluster: str, app: str, user: str | None, message: str, **options):
        target = self._cluster(cluster, create=False)
        account = self._account(user, target, doing="delete")
        found = target.apps.filter(app_id=canonical_path(app)).first()
        if found is None:
            self._fail(f"no app {app} in cluster {cluster}", EXIT_UNREADABLE)
        freed = sorted(
            found.allocations.exclude(service_port=None).values_list("service_port", flat=True)
        )
        try:
            delete_apps(target, [found], by=Actor(account, "cli delete", message))
        except ReviewRequired as refused:
            self._fail(f"{refused} (portplan propose)", EXIT_PROBLEMS)
        ports = f"; service ports {', '.join(map(str, freed))} are free" if freed else ""
        self.stdout.write(f"deleted {found.app_id} from {cluster}{ports}")
        sys.exit(EXIT_OK)

    def _propose(
        self, paths: list[str], cluster: str, title: str, user: str | None, message: str, **opts
    ):
        """A change request from files, as a pull request in an app-definition repository can
        open one from CI: its URL, then what applying it would do; exit 1 if that has errors or
        new collisions."""
        try:
            apps, _ = _read_paths(paths)
            problems = group_problems([a.app for a in apps])
            if problems:
                raise ReadError("; ".join(problems), source=", ".join(paths))
        except (ReadError, OSError) as exc:
            self._fail(_describe(exc, None), EXIT_UNREADABLE)
        target = self._cluster(cluster, create=False)
        account = self._account(user, target, doing="propose")
        posted = {"title": title, "description": message}
        changes = [(None, sourced.app) for sourced in apps]
        default_title = f"Proposed from {', '.join(paths)}"
        try:
            proposal, _ = propose_changes(target, account, posted, default_title, changes)
        except (RequestProblem, BadRequest) as refused:  # an app or a title it cannot store
            self._fail(str(refused), EXIT_UNREADABLE)
        resolution = resolution_of(proposal, account)
        self.stdout.write(f"opened #{proposal.number}: {request_url(proposal)}")
        for change in resolution.apps:
            for error in change.errors:  # as the engine's snapshot keeps them: dicts
                self.stdout.write(f"  {change.change.app_id} {error['path']}: {error['message']}")
        for collision in resolution.new_collisions:
            self.stdout.write(f"  new {collision.kind}: {collision.describe()}")
        self.stdout.write(
            f"{resolution.created} new, {resolution.updated} changed, {resolution.deleted} deleted"
            f"; service ports claimed {_listed(resolution.claimed)}, freed "
            f"{_listed(resolution.freed)}; {counted(resolution.errors, 'error')}, "
            f"{counted(len(resolution.new_collisions), 'new collision')}"
        )
        clean = not resolution.errors and not resolution.new_collisions
        sys.exit(EXIT_OK if clean else EXIT_PROBLEMS)

    def _requests(self, cluster: str, **options):
        target = self._cluster(cluster, create=False)
        for r in target.requests.filter(state="open").order_by("number"):
            self.stdout.write(f"#{r.number}\t{r.author_name}\t{r.title}\t{request_url(r)}")
        sys.exit(EXIT_OK)

    def _account(self, name: str | None, cluster: Cluster, *, doing: str):
        """The account a write is made as: --user, else the OS user's namesake; it must be an
        editor of the cluster (or may create it). Refused otherwise: the history names everyone."""
        name = name or getpass.getuser()
        account = get_user_model().objects.filter(username=name, is_active=True).first()
        if account is None:
            self._fail(
                f"no account named {name!r} to {doing} as; pass --user NAME (an editor of "
                f"{cluster.name})",
                EXIT_UNREADABLE,
            )
        if cluster.pk is None:
            if not account.has_perm("portplanner.add_cluster"):
                self._fail(f"{name} may not create clusters", EXIT_UNREADABLE)
            return account
        try:
            require(cluster_for(account, cluster.name), Role.EDITOR, doing)
        except PermissionDenied as exc:
            self._fail(str(exc), EXIT_UNREADABLE)
        return account

    def _cluster(self, name: str, *, create: bool) -> Cluster:
        found = Cluster.objects.filter(name=name).first()
        if found is None and not create:
            self._fail(f"no cluster {name} (import with --create makes one)", EXIT_UNREADABLE)
        return found or Cluster(name=name)

    def _fail(self, message: str, code: int) -> NoReturn:
        self.stderr.write(self.style.ERROR(f"portplan: {message}"))
        sys.exit(code)

    def _write_fleet(self, fleet: FleetResult, apps: list[SourcedApp]) -> None:
        for result, sourced in zip(fleet.apps, apps, strict=True):
            self._write_app(result, sourced)
        if fleet.collisions:
            self.stdout.write(self.style.ERROR(f"{counted(len(fleet.collisions), 'collision')}:"))
            for collision in fleet.collisions:
                self.stdout.write(f"  {collision.kind}: {collision.describe()}")
        invalid = sum(not r.valid for r in fleet.apps)
        warnings = sum(len(r.warnings) for r in fleet.apps)
        summary = (
            f"{counted(len(fleet.apps), 'app')}, {invalid} invalid, "
            f"{counted(warnings, 'warning')}, {counted(len(fleet.collisions), 'collision')}"
        )
        self.stdout.write(self.style.SUCCESS(summary) if fleet.ok else self.style.ERROR(summary))

    def _write_app(self, result: AppResult, sourced: SourcedApp) -> None:
        where = sourced.source + (f" {sourced.path}" if sourced.path else "")
        status = self.style.SUCCESS("valid") if result.valid else self.style.ERROR("invalid")
        network = result.network or "unknown network"
        self.stdout.write(
            f"{self.style.MIGRATE_HEADING(result.id or '(no id)')}  {network}  {status}"
        )
        self.stdout.write(f"  from {where}")
        for error in result.errors:
            self.stdout.write(f"  {self.style.ERROR('error')}   {error.path}: {error.message}")
        for warning in result.warnings:
            label = self.style.WARNING("warning")
            self.stdout.write(f"  {label} {warning.path} [{warning.code}]: {warning.message}")
            if warning.fix:
                self.stdout.write(f"          fix: {warning.fix}")
        if result.ports:
            self.stdout.write(
                "  ports:  #  name            proto    container  host           service"
            )
            for p in result.ports:
                host = "-" if p.host_port is None else str(p.host_port)
                host += " (at launch)" if p.host_port_dynamic else ""
                service = f"{p.service_port}" + (" (auto)" if p.service_port_dynamic else "")
                container = "-" if p.container_port is None else str(p.container_port)
                self.stdout.write(
                    f"          {p.index:<2} {p.name or '-':<15} {p.protocol:<8} {container:<10} "
                    f"{host:<14} {service}" + (f"  VIP {p.vip}" if p.vip else "")
                )
                if p.lb is not None:
                    self.stdout.write(f"             marathon-lb {p.lb.describe()}")
        if result.env:
            env = " ".join(f"{v.name}={v.value}" for v in result.env)
            self.stdout.write(f"  env:    {env}")
        self.stdout.write("")


def _read_policy(path: str) -> ClusterPolicy:
    text = Path(path).read_bytes()
    from portplanner.marathon import parse_json

    return ClusterPolicy.from_dict(parse_json(text, path))


def _read_paths(paths: list[str]) -> tuple[list[SourcedApp], list[ReadNote]]:
    apps: list[SourcedApp] = []
    notes: list[ReadNote] = []
    for name in paths:
        if name == "-":
            found, found_notes = read_apps(sys.stdin.buffer.read(), "<stdin>")
            apps += found
            notes += found_notes
            continue
        path = Path(name)
        files = sorted(path.rglob("*.json")) if path.is_dir() else [path]
        if path.is_dir() and not files:
            raise ReadError("no *.json files in this folder", source=name)
        for file in files:
            found, found_notes = read_apps(file.read_bytes(), str(file))
            apps += found
            notes += found_notes
    return apps, notes


def _describe(exc: Exception, config: str | None) -> str:
    if isinstance(exc, ReadError):
        return exc.describe()
    if isinstance(exc, PolicyError):
        return f"{config}: policy at {exc.path}: {exc.message}"
    if isinstance(exc, OSError):
        return f"{exc.filename}: {exc.strerror}"
    return str(exc)


def _listed(ports: list[int]) -> str:
    return ", ".join(map(str, ports)) or "none"
