"""Serving HTTP, apart from any feature: the request type views see, the middleware that keeps
answers honest and safe, logging context, and the health and readiness probes."""

import logging

from django.conf import settings
from django.contrib.auth import middleware as auth_middleware
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import BadRequest
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


# The text fields people type into, and how much each holds. The pages' inputs say the same
# (maxlength), so only a hand-made post sends more.
TYPED_LIMITS = {"title": 200, "message": 500, "reason": 500, "description": 10_000, "text": 10_000}


def typed(posted, name: str) -> str:
    """What a person typed into the text field ``name`` (one of TYPED_LIMITS), stripped. A value
    that cannot be stored as sent (a NUL character, which PostgreSQL refuses, or more than the
    field holds) refuses the whole request (400, nothing saved), rather than being cut or
    cleaned without a word."""
    value = posted.get(name, "").strip()
    limit = TYPED_LIMITS[name]
    if "\x00" in value:
        raise BadRequest(
            f'The field "{name}" holds a NUL character (\\u0000), which cannot be stored: '
            "remove it and send it again."
        )
    if len(value) > limit:
        raise BadRequest(
            f'The field "{name}" holds {len(value):,} characters and takes up to {limit:,}: '
            "shorten it and send it again."
        )
    return value


def number(text: str, *, digits: int) -> int | None:
    """``text`` as a non-negative integer of at most ``digits`` digits; else None. isdecimal, not
    isdigit: "²" is a digit that int() refuses; and the length bounds int()'s work."""
    return int(text) if text.isdecimal() and len(text) <= digits else None


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    """The 400 page (urls.handler400), saying why when a view said (BadRequest names the field
    and what to do); other refusals (an oversized body, a bad host) keep the general words."""
    reason = str(exception) if isinstance(exception, BadRequest) else ""
    return render(request, "400.html", {"reason": reason}, status=400)


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


class LoginRequiredMiddleware(auth_middleware.LoginRequiredMiddleware):
    """Every page and action needs a signed-in user (views marked ``login_not_required`` aside:
    sign-in, the probes). An htmx request whose session has expired is sent to the sign-in page
    as a whole page (HX-Redirect), not swapped into the part it asked for."""

    def handle_no_permission(self, request, view_func):
        response = super().handle_no_permission(request, view_func)
        if request.headers.get("HX-Request") == "true":
            redirect = HttpResponse(status=204)
            redirect["HX-Redirect"] = response["Location"]
            return redirect
        return response


class ProxyRemoteUserMiddleware(auth_middleware.RemoteUserMiddleware):
    """Sign-in by a proxy (SSO) that names the user in a header: DJANGO_REMOTE_USER_HEADER, e.g.
    HTTP_X_FORWARDED_USER. The proxy must drop that header from clients' requests."""

    header = settings.REMOTE_USER_HEADER or "REMOTE_USER"


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


@login_not_required
@require_GET
def healthz(request: HttpRequest) -> HttpResponse:
    """Liveness, for load balancers and uptime checks: the process answers. Touches nothing."""
    return HttpResponse("ok", content_type="text/plain")


@login_not_required
@require_GET
def readyz(request: HttpRequest) -> HttpResponse:
    """Readiness: the database answers, every migration is applied, the static files' manifest
    is there. 503 with the reasons, one per line, until then."""
    problems = readiness_problems()
    if problems:
        return HttpResponse("\n".join(problems) + "\n", status=503, content_type="text/plain")
    return HttpResponse("ready", content_type="text/plain")
