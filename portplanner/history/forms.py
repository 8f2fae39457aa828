"""The activity feed's filters."""

from __future__ import annotations

from datetime import datetime, time

from django import forms
from django.db.models import QuerySet
from django.utils import timezone


class ActivityForm(forms.Form):
    """Filters from the query string; a value that does not parse is shown with its error and
    left out, so a stale link still lists the feed."""

    user = forms.CharField(label="By", required=False, max_length=150)
    app = forms.CharField(label="App id", required=False, max_length=500)
    since = forms.DateField(label="From", required=False, widget=forms.DateInput({"type": "date"}))
    until = forms.DateField(label="Until", required=False, widget=forms.DateInput({"type": "date"}))

    def filter(self, revisions: QuerySet) -> QuerySet:
        self.is_valid()
        cleaned = getattr(self, "cleaned_data", {})
        if user := cleaned.get("user"):
            revisions = revisions.filter(username__iexact=user.strip())
        if app := cleaned.get("app"):
            revisions = revisions.filter(app_id__icontains=app.strip())
        if since := cleaned.get("since"):
            revisions = revisions.filter(created_at__gte=_moment(since, time.min))
        if until := cleaned.get("until"):
            revisions = revisions.filter(created_at__lte=_moment(until, time.max))
        return revisions


def _moment(day, at) -> datetime:
    return timezone.make_aware(datetime.combine(day, at))
