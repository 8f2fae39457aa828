"""Telling people about change requests: email (Django's backend; the console unless an SMTP
host is set) to the cluster's reviewers when a request opens or changes, to its author when it is
reviewed, commented on, applied or closed; and a JSON POST to the cluster's webhook, if it has one.

Sent after the transaction commits, and never allowed to fail the change itself: a mail server or
a chat hook that is down is logged, not shown to the user as an error."""

from __future__ import annotations

import json
import logging
import urllib.request

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mass_mail
from django.db import transaction
from django.db.models import Q
from django.urls import reverse

from portplanner.models import ChangeRequest, Membership, Role

logger = logging.getLogger(__name__)

TO_REVIEWERS = {"opened", "changed"}
TO_AUTHOR = {"approved", "changes requested", "commented", "applied", "closed"}


def request_url(request: ChangeRequest) -> str:
    """The request's page as people outside the server reach it (PORTPLANNER_URL): for mail,
    webhooks and the CLI."""
    path = reverse("request_detail", args=[request.cluster.name, request.number])
    return settings.SITE_URL.rstrip("/") + path


def notify(request: ChangeRequest, event: str, by, detail: str = "") -> None:
    """``event`` happened to ``request``, done by ``by`` (a user): tell whom it concerns."""
    url = request_url(request)
    by_name = by.get_username()
    subject = f"[{request.cluster.name}] #{request.number} {request.title}: {event} by {by_name}"
    body = f"{subject}\n\n{detail}\n\n{url}\n".replace("\n\n\n", "\n\n")
    addresses = _addresses(request, event, by)
    payload = {
        "event": event,
        "cluster": request.cluster.name,
        "request": {
            "number": request.number,
            "title": request.title,
            "state": request.state,
            "url": url,
        },
        "by": by_name,
        "detail": detail,
    }
    hook = request.cluster.webhook_url

    def send() -> None:
        if addresses:
            try:
                # One message each: reviewers need not see each other's addresses.
                send_mass_mail([(subject, body, None, [address]) for address in addresses])
            except Exception:  # noqa: BLE001 -- a mail server down must not undo the change
                logger.exception("could not mail %s about #%s", addresses, request.number)
        if hook:
            post_webhook(hook, payload)

    transaction.on_commit(send)


def _addresses(request: ChangeRequest, event: str, by) -> list[str]:
    users = get_user_model().objects.exclude(pk=by.pk).exclude(email="")
    if event in TO_REVIEWERS:
        reviewers = Membership.objects.filter(cluster=request.cluster, role__gte=Role.REVIEWER)
        users = users.filter(
            Q(pk__in=reviewers.values("user")) | Q(groups__in=reviewers.values("group"))
        )
    elif event in TO_AUTHOR:
        users = users.filter(pk=request.author_id)
    else:
        return []
    return sorted(set(users.values_list("email", flat=True)))


def post_webhook(url: str, payload: dict) -> None:
    data = json.dumps(payload).encode()
    request = urllib.request.Request(
        url, data, {"Content-Type": "application/json", "User-Agent": "Port Planner"}
    )
    try:
        with urllib.request.urlopen(request, timeout=5) as response:  # noqa: S310 -- owners' URL
            response.read(1024)
    except Exception:  # noqa: BLE001 -- a chat hook down must not undo the change
        logger.warning("webhook %s failed for %s", url, payload["event"], exc_info=True)
