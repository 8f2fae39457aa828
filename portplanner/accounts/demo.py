"""Demo accounts for `make run`'s demo cluster: one per role, with passwords made up at random and
printed once. `make serve` never makes them."""

from __future__ import annotations

import secrets

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission

from portplanner.models import Cluster, Membership, Role

DEMO_ACCOUNTS = {
    "demo-owner": Role.OWNER,
    "demo-reviewer": Role.REVIEWER,
    "demo-editor": Role.EDITOR,
    "demo-viewer": Role.VIEWER,
}


def demo_accounts_made() -> list[str]:
    """The demo accounts that exist (the sign-in page says where their passwords went)."""
    names = get_user_model().objects.filter(username__in=DEMO_ACCOUNTS)
    return sorted(names.values_list("username", flat=True))


def make_demo_accounts(cluster: Cluster, *, new_passwords: bool = False) -> list[tuple[str, str]]:
    """Each demo account with its role in ``cluster``; the accounts it made or gave a new password
    to, with that password. Accounts that exist keep theirs unless ``new_passwords``."""
    users = get_user_model()
    made = []
    for name, role in DEMO_ACCOUNTS.items():
        user, created = users.objects.get_or_create(username=name)
        if created or new_passwords:
            password = secrets.token_urlsafe(9)
            user.set_password(password)
            user.save()
            made.append((name, password))
        Membership.objects.update_or_create(cluster=cluster, user=user, defaults={"role": role})
        if role == Role.OWNER:
            user.user_permissions.add(Permission.objects.get(codename="add_cluster"))
    return made
