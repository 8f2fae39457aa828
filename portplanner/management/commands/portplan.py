"""``manage.py portplan``: the engine from the command line, for people and for CI pipelines.

Exit status: 0 when every app is valid and nothing collides, 1 when there are errors or collisions,
2 when the input (or the ``--config`` policy) cannot be read.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandParser

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
from portplanner.marathon.reader import ReadNote

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
        for sub in (check, resolve):
            sub.add_argument("--format", choices=["text", "json"], default=None)
            sub.add_argument(
                "--config",
                metavar="CLUSTER.json",
                help="Cluster port policy (local_port_min, local_port_max, agent_port_ranges, "
                "reserved_ports, default_network_name, mesos_bridge_name, env_vars_prefix).",
            )

    def handle(self, *args, action: str, paths: list[str], format: str | None, config, **options):
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

    def _write_fleet(self, fleet: FleetResult, apps: list[SourcedApp]) -> None:
        for result, sourced in zip(fleet.apps, apps, strict=True):
            self._write_app(result, sourced)
        if fleet.collisions:
            self.stdout.write(self.style.ERROR(f"{len(fleet.collisions)} collision(s):"))
            for collision in fleet.collisions:
                self.stdout.write(f"  {collision.kind}: {collision.describe()}")
        invalid = sum(not r.valid for r in fleet.apps)
        warnings = sum(len(r.warnings) for r in fleet.apps)
        summary = (
            f"{len(fleet.apps)} app(s), {invalid} invalid, {warnings} warning(s), "
            f"{len(fleet.collisions)} collision(s)"
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
