"""Forms of the fleet pages: the app list's filters, and a cluster's port policy (checked by the
engine, so the form refuses exactly what ClusterPolicy refuses)."""

from __future__ import annotations

import re

from django import forms

from portplanner.marathon import PolicyError
from portplanner.marathon.model import BRIDGE, CONTAINER, HOST
from portplanner.marathon.pointers import split
from portplanner.models import Cluster

STATUS_CHOICES = [
    ("", "All apps"),
    ("valid", "Valid"),
    ("draft", "Drafts (errors)"),
    ("collisions", "With collisions"),
]
NETWORK_CHOICES = [("", "Any network"), (HOST, HOST), (BRIDGE, BRIDGE), (CONTAINER, CONTAINER)]
SORT_CHOICES = [
    ("id", "App id"),
    ("port", "First service port"),
    ("warnings", "Most warnings"),
    ("collisions", "Most collisions"),
]


class AppListForm(forms.Form):
    """The app list's query string. Unknown values are dropped (the list falls back to all apps
    by id) rather than refused: a stale bookmark should still show the apps."""

    q = forms.CharField(
        label="Search",
        required=False,
        max_length=200,
        help_text="An app id (or part of one), a port such as 10004, or a range 10000-10099.",
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
    )
    status = forms.ChoiceField(label="Show", choices=STATUS_CHOICES, required=False)
    network = forms.ChoiceField(label="Network", choices=NETWORK_CHOICES, required=False)
    sort = forms.ChoiceField(label="Sort by", choices=SORT_CHOICES, required=False)

    def values(self) -> dict[str, str]:
        self.is_valid()
        cleaned = getattr(self, "cleaned_data", {})
        return {
            name: cleaned.get(name) or ""
            for name in ("q", "status", "network", "sort")
            if name not in self.errors
        }


POLICY_FIELDS = Cluster.POLICY_FIELDS
_PORT_LIST_RE = re.compile(r"^\s*(\d+\s*(,\s*\d+\s*)*)?,?\s*$")


class ClusterForm(forms.ModelForm):
    class Meta:
        model = Cluster
        fields = POLICY_FIELDS

    def clean_reserved_ports(self) -> str:
        value = self.cleaned_data["reserved_ports"]
        if not _PORT_LIST_RE.match(value):
            raise forms.ValidationError(
                "Give port numbers separated by commas, e.g. 80, 443, 9090.", code="port_list"
            )
        return ",".join(p.strip() for p in value.split(",") if p.strip())

    def clean(self):
        cleaned = super().clean()
        if any(name in self.errors for name in POLICY_FIELDS):
            return cleaned  # the engine would only repeat what the field already says
        candidate = Cluster(**{name: cleaned.get(name) for name in POLICY_FIELDS})
        try:
            candidate.policy  # noqa: B018 -- building the ClusterPolicy is the check
        except PolicyError as exc:
            name = next(iter(split(exc.path)), "")
            self.add_error(name if name in self.fields else None, exc.message)
        return cleaned


class NewClusterForm(ClusterForm):
    class Meta(ClusterForm.Meta):
        fields = ["name", *POLICY_FIELDS]
        help_texts = {"name": "Letters, digits and dashes; it becomes the cluster's URL."}


class ReviewSettingsForm(forms.ModelForm):
    """Whether changes need review, how many approvals, and the webhook (owners)."""

    webhook_url = forms.URLField(
        label="Webhook URL",
        required=False,
        assume_scheme="https",
        help_text=Cluster._meta.get_field("webhook_url").help_text,
    )

    class Meta:
        model = Cluster
        fields = ["requires_review", "approvals_needed", "webhook_url"]  # review.REVIEW_SETTINGS

    def clean_approvals_needed(self) -> int:
        value = self.cleaned_data["approvals_needed"]
        if not 1 <= value <= 10:
            raise forms.ValidationError("Between 1 and 10 approvals.", code="approvals")
        return value
