"""The accounts pages: a cluster's members (owners only), and sign-in (Django's own view, which
also points at the demo accounts when `make run` made them). Sign-out and password change are
Django's views with the templates in templates/registration/."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.views import LoginView
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods

from portplanner.accounts.demo import demo_accounts_made
from portplanner.accounts.forms import MemberForm
from portplanner.accounts.members import LastOwner, remove_member, set_role
from portplanner.accounts.roles import cluster_view
from portplanner.history.record import Actor
from portplanner.http import HtmxHttpRequest, number
from portplanner.models import Cluster, Membership, Role


@require_http_methods(["GET", "POST"])
@cluster_view(Role.OWNER, doing="managing the members")
def cluster_members(request: HtmxHttpRequest, cluster: Cluster) -> HttpResponse:
    """Who may do what in the cluster: add a user or group, change a role, remove a member."""
    form = MemberForm(request.POST if request.POST.get("action") == "add" else None)
    if request.method == "POST":
        by = Actor(request.user, "members")
        kind, _, pk = request.POST.get("action", "").partition(":")
        try:
            if kind == "add" and form.is_valid():
                role = Role(form.cleaned_data["role"])
                messages.success(request, set_role(cluster, **form.member, role=role, by=by))
                return redirect("cluster_members", cluster.name)
            if kind in ("role", "remove") and (wanted := number(pk, digits=18)) is not None:
                member = get_object_or_404(Membership, pk=wanted, cluster=cluster)
                done = _change(cluster, member, kind, request.POST.get("role", ""), by)
                messages.success(request, done)
                return redirect("cluster_members", cluster.name)
        except (LastOwner, ValueError) as exc:
            messages.error(request, str(exc))
            return redirect("cluster_members", cluster.name)
    members = Membership.objects.filter(cluster=cluster).select_related("user", "group")
    context = {"cluster": cluster, "members": members, "form": form, "roles": Role.choices}
    return render(request, "accounts/members.html", context, status=400 if form.errors else 200)


def _change(cluster: Cluster, member: Membership, kind: str, role: str, by: Actor) -> str:
    if kind == "remove":
        return remove_member(cluster, member, by=by)
    if role not in {str(value) for value in Role.values}:
        raise ValueError("Pick one of the roles.")
    who = {"user": member.user} if member.user_id else {"group": member.group}
    return set_role(cluster, **who, role=Role(int(role)), by=by)


class SignIn(LoginView):
    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "demo_accounts": demo_accounts_made()}
