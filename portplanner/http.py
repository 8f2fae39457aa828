from django.http import HttpRequest
from django_htmx.middleware import HtmxDetails


class HtmxHttpRequest(HttpRequest):
    """`HttpRequest` as seen by views: HtmxMiddleware adds `request.htmx` (django-htmx docs)."""

    htmx: HtmxDetails
