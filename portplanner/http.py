import logging

from django.db import OperationalError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET
from django_htmx.middleware import HtmxDetails

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
        logger.warning("database busy on %s %s: %s", request.method, request.path, exception)
        response = render(request, "503.html", status=503)
        response["Retry-After"] = "5"
        return response


@require_GET
def healthz(request: HttpRequest) -> HttpResponse:
    """For load balancers and uptime checks: the process answers. Touches no database."""
    return HttpResponse("ok", content_type="text/plain")
