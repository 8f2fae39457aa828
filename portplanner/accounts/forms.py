"""Forms of the accounts pages."""

from __future__ import annotations

from django import forms
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from portplanner.models import Role


class MemberForm(forms.Form):
    """Add a user or a group to a cluster, or change their role."""

    name = forms.CharField(
        label="User or group",
        max_length=150,
        help_text="A user name, or group:<name> for a Django group.",
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    role = forms.TypedChoiceField(choices=Role.choices, coerce=int, initial=Role.VIEWER)

    def clean_name(self):
        name = self.cleaned_data["name"].strip()
        if name.startswith("group:"):
            group = Group.objects.filter(name=name.removeprefix("group:").strip()).first()
            if group is None:
                raise forms.ValidationError("No group has that name.", code="no_group")
            self.member = {"group": group}
        else:
            user = get_user_model().objects.filter(username=name, is_active=True).first()
            if user is None:
                raise forms.ValidationError(
                    "No active user has that name; they sign in once, or a site admin adds "
                    "them first.",
                    code="no_user",
                )
            self.member = {"user": user}
        return name
