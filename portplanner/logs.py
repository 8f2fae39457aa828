"""Logging that says which request a line is about. Loaded by the logging configuration before
Django's apps are ready, so it imports nothing of the app."""

import logging

from django.http import HttpRequest


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
