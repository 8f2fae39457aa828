"""Whether this process may serve, and whether it is ready to: checks run where serving starts
(gunicorn's config, runserver, the WSGI and ASGI entry points) and by /readyz."""

from __future__ import annotations

import ipaddress
import os

from django.conf import settings
from django.contrib.staticfiles.storage import staticfiles_storage
from django.core.exceptions import ImproperlyConfigured
from django.db import DatabaseError, connection
from django.db.migrations.executor import MigrationExecutor
from django.template.defaultfilters import pluralize


def check_can_serve(addresses: list[str] = ()) -> None:
    """Refuse to serve what must not be served: with DEBUG on, anywhere but loopback (its error
    pages show settings and the environment, DATABASE_URL's password included); with DEBUG
    off, without a secret key of its own or without the static files `collectstatic` builds
    (every page would fail on its first `{% static %}`)."""
    problems = []
    if settings.DEBUG:
        exposed = [address for address in addresses if not is_loopback(address)]
        if exposed:
            problems.append(
                f"DJANGO_DEBUG is on and the server would listen on {', '.join(exposed)}: "
                "debug pages show secrets. Serve on 127.0.0.1, or turn DEBUG off (make serve)."
            )
    else:
        if settings.SECRET_KEY == settings.INSECURE_SECRET_KEY:
            problems.append(
                "DJANGO_SECRET_KEY is not set: give the server a long random secret of its own, "
                'e.g. from python -c "import secrets; print(secrets.token_urlsafe(50))".'
            )
        if not static_manifest_present():
            problems.append(
                f"No static files in {settings.STATIC_ROOT}: run `manage.py collectstatic` "
                "first (make serve does)."
            )
    if problems:
        raise ImproperlyConfigured("Port Planner will not serve:\n- " + "\n- ".join(problems))


def is_loopback(address: str) -> bool:
    """``127.0.0.1:8000``, ``[::1]:8000``, ``localhost``, a Unix socket: loopback."""
    if address.startswith(("unix:", "/")):
        return True
    host = address
    if host.startswith("["):  # [::1]:8000
        host = host[1:].split("]")[0]
    elif host.count(":") == 1:  # 127.0.0.1:8000, localhost:8000
        host = host.split(":")[0]
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def static_manifest_present() -> bool:
    if settings.DEBUG:
        return True  # runserver serves the source files; no manifest is read
    manifest = getattr(staticfiles_storage, "manifest_name", None)
    if manifest is None:
        return True  # plain storage (the tests'): nothing to build
    return os.path.exists(os.path.join(settings.STATIC_ROOT, manifest))


def readiness_problems() -> list[str]:
    """Why this process should not take traffic yet; none when it is ready."""
    problems = []
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        executor = MigrationExecutor(connection)
        pending = executor.migration_plan(executor.loader.graph.leaf_nodes())
        if pending:
            count = f"{len(pending)} migration{pluralize(len(pending))}"
            problems.append(f"{count} not applied: run `manage.py migrate`")
    except DatabaseError as exc:
        problems.append(f"database unreachable: {exc}".strip())
    if not static_manifest_present():
        problems.append("static files missing: run `manage.py collectstatic`")
    return problems
