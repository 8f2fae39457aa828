"""Serving HTTP, apart from any feature: the request type views see, the middleware that keeps
answers honest and safe, logging context, and the health and readiness probes."""

import logging

from django.conf import settings
from django.db import OperationalError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET
from django_htmx.middleware import HtmxDetails

from portplanner.serving import readiness_problems

logger = logging.getLogger(__name__)


class HtmxHttpRequest(HttpRequest):
    """`HttpRequest` as seen by views: HtmxMiddleware adds `request.htmx` (django-htmx docs)."""

    htmx: HtmxDetails


class DatabaseBusyMiddleware:
    """A write that could not get the database in time (SQLite's busy timeout, PostgreSQL's lock
    timeout, a dropped connection) answers 503 with a page that says nothing was saved, rather
    than a 500. That is the truth: every write runs in one transaction, rolled back on the way
    out (fleet.lock_cluster)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception):
        if not isinstance(exception, OperationalError):
            return None
        logger.warning("database busy: %s", exception, extra={"request": request})
        response = render(request, "503.html", status=503)
        response["Retry-After"] = "5"
        return response


class ContentSecurityPolicyMiddleware:
    """Sends settings.CONTENT_SECURITY_POLICY with every answer (Django 5.2 has no CSP of its
    own). The pages need no inline script or style, so the policy is one fixed string."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.policy = settings.CONTENT_SECURITY_POLICY

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", self.policy)
        return response


class RequestContextFilter(logging.Filter):
    """Adds ``request_context`` to every log record: `` [GET /path -> 404 by alice]`` for records
    about a request (django.request gives them ``request`` and ``status_code``), else nothing."""

    def filter(self, record: logging.LogRecord) -> bool:
        request = getattr(record, "request", None)
        if not isinstance(request, HttpRequest):
            record.request_context = ""
            return True
        status = getattr(record, "status_code", None)
        user = getattr(request, "user", None)
        who = user.get_username() if user is not None and user.is_authenticated else "anonymous"
        answer = f" -> {status}" if status else ""
        record.request_context = f" [{request.method} {request.get_full_path()}{answer} by {who}]"
        return True


@require_GET
def healthz(request: HttpRequest) -> HttpResponse:
    """Liveness, for load balancers and uptime checks: the process answers. Touches nothing."""
    return HttpResponse("ok", content_type="text/plain")


@require_GET
def readyz(request: HttpRequest) -> HttpResponse:
    """Readiness: the database answers, every migration is applied, the static files' manifest
    is there. 503 with the reasons, one per line, until then."""
    problems = readiness_problems()
    if problems:
        return HttpResponse("\n".join(problems) + "\n", status=503, content_type="text/plain")
    return HttpResponse("ready", content_type="text/plain")
