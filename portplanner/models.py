"""What Port Planner stores: clusters with their port policy, the apps of each cluster's fleet, and
one row per port so that collision checks are indexed queries rather than loops over the fleet."""

from __future__ import annotations

import json
import uuid

from django.conf import settings
from django.core.validators import MaxValueValidator
from django.db import models
from django.utils import timezone
from django.utils.functional import cached_property

from portplanner.fleet.ordering import SORT_KEY_LENGTH
from portplanner.marathon import ClusterPolicy
from portplanner.marathon.policy import parse_port_ranges

PORT_VALIDATORS = [MaxValueValidator(65535)]


class OrderedJSONField(models.TextField):
    """JSON kept key for key as written. Django's JSONField is ``jsonb`` on PostgreSQL, which
    reorders an object's keys: an app the user wrote must come back exactly as written, and an
    exported app with its ``id`` first."""

    def from_db_value(self, value, expression, connection):
        return None if value is None else json.loads(value)

    def to_python(self, value):
        return json.loads(value) if isinstance(value, str) else value

    def get_prep_value(self, value):
        return None if value is None else json.dumps(value)

    def value_to_string(self, obj):
        return self.get_prep_value(self.value_from_object(obj))


class Cluster(models.Model):
    """A Marathon cluster: its fleet and the flags that decide how its ports are assigned."""

    name = models.SlugField(max_length=63, unique=True)
    description = models.CharField(max_length=200, blank=True)
    local_port_min = models.PositiveIntegerField(
        default=10000, validators=PORT_VALIDATORS, help_text="Marathon's --local_port_min."
    )
    local_port_max = models.PositiveIntegerField(
        default=20000,
        validators=PORT_VALIDATORS,
        help_text="Marathon's --local_port_max (inclusive).",
    )
    agent_port_ranges = models.CharField(
        max_length=200,
        default="31000-32000",
        help_text="The ports resource Mesos agents offer, e.g. 31000-32000, 40000-40100.",
    )
    reserved_ports = models.CharField(
        max_length=500,
        default="80,443,9090,9091",
        blank=True,
        help_text="Ports no app may use as a service port (marathon-lb binds these itself).",
    )
    default_network_name = models.CharField(
        max_length=63, blank=True, help_text="Marathon's --default_network_name."
    )
    mesos_bridge_name = models.CharField(
        max_length=63, default="mesos-bridge", help_text="Marathon's --mesos_bridge_name."
    )
    env_vars_prefix = models.CharField(
        max_length=63, blank=True, help_text="Marathon's --env_vars_prefix, e.g. MY_."
    )
    # Review before apply (owners set these; they are not port policy).
    requires_review = models.BooleanField(
        "Changes need review",
        default=False,
        help_text="Every change to the apps goes through a change request; direct saves, "
        "imports, deletes and restores are refused (owners may still apply an emergency change "
        "with a reason).",
    )
    approvals_needed = models.PositiveSmallIntegerField(
        default=1, help_text="Approvals a change request needs before it can be applied."
    )
    webhook_url = models.URLField(
        blank=True,
        help_text="Optional: a URL that gets a JSON POST when a change request opens, changes, "
        "is reviewed or applied (a chat channel's incoming webhook, say).",
    )

    # What the owners set (the name aside): what a policy change compares and records.
    POLICY_FIELDS = [
        "description",
        "local_port_min",
        "local_port_max",
        "agent_port_ranges",
        "reserved_ports",
        "default_network_name",
        "mesos_bridge_name",
        "env_vars_prefix",
    ]

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @cached_property
    def policy(self) -> ClusterPolicy:
        """The engine's view of this cluster (read once per instance; a preview asks three
        times). Raises PolicyError on unusable values."""
        return ClusterPolicy(
            local_port_min=self.local_port_min,
            local_port_max=self.local_port_max,
            agent_port_ranges=parse_port_ranges(
                [r for r in self.agent_port_ranges.split(",") if r.strip()]
            ),
            reserved_ports=frozenset(
                int(p) for p in self.reserved_ports.replace(" ", "").split(",") if p
            ),
            default_network_name=self.default_network_name or None,
            mesos_bridge_name=self.mesos_bridge_name,
            env_vars_prefix=self.env_vars_prefix,
        )


class App(models.Model):
    """A Marathon app in a cluster's fleet, as written and as the engine resolved it."""

    cluster = models.ForeignKey(Cluster, on_delete=models.CASCADE, related_name="apps")
    app_id = models.CharField("Marathon id", max_length=500)
    # The app list's natural order (/svc2 before /svc10), kept on save (fleet.ordering).
    sort_key = models.CharField(max_length=SORT_KEY_LENGTH, blank=True, editable=False)
    source = OrderedJSONField(help_text="The app exactly as the user wrote or imported it.")
    normalized = OrderedJSONField(
        null=True, help_text="Marathon's canonical form with the planned service ports."
    )
    network_mode = models.CharField(max_length=20, blank=True)
    is_valid = models.BooleanField(default=False)
    errors = models.JSONField(default=list)
    warnings = models.JSONField(default=list)
    # Bumped on every save; a form carries the version it was loaded from (optimistic locking).
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["sort_key", "app_id"]
        constraints = [
            models.UniqueConstraint(fields=["cluster", "app_id"], name="unique_app_id_per_cluster")
        ]
        # The home page's counts (apps, drafts) and the app list's valid/draft filter read this
        # index alone, not the apps' JSON; the app list's pages by id are read in the order of
        # the other. Without app_id: with it, a long non-ASCII id could pass the 2,704 bytes a
        # PostgreSQL index row may hold (the key alone is at most 1,000 ASCII characters).
        indexes = [
            models.Index(fields=["cluster", "is_valid"], name="app_validity"),
            models.Index(fields=["cluster", "sort_key"], name="app_natural_order"),
        ]

    def __str__(self) -> str:
        return self.app_id


class PortAllocation(models.Model):
    """One port of a saved app: what collision checks and the port map query. An app with a
    blue/green alternate port (HAPROXY_DEPLOYMENT_ALT_PORT) has one more row for it: a service
    port it holds, though not a port of its own (``alternate``)."""

    app = models.ForeignKey(App, on_delete=models.CASCADE, related_name="allocations")
    # Denormalized from app.cluster so that collision queries touch one indexed table.
    cluster = models.ForeignKey(Cluster, on_delete=models.CASCADE, related_name="+")
    index = models.PositiveSmallIntegerField()
    path = models.CharField(max_length=64, help_text="JSON pointer of the port in the app.")
    name = models.TextField(blank=True)  # Marathon sets no length limit on port names
    protocol = models.CharField(max_length=8)
    container_port = models.PositiveIntegerField(null=True)
    service_port = models.PositiveIntegerField(null=True)
    service_port_dynamic = models.BooleanField(default=False)
    host_port = models.PositiveIntegerField(null=True, help_text="Fixed host ports only.")
    alternate = models.BooleanField(
        default=False,
        help_text="The blue/green alternate service port (a label), not a port of the app.",
    )

    class Meta:
        ordering = ["app", "index"]
        constraints = [
            models.UniqueConstraint(
                fields=["app", "index"],
                condition=models.Q(alternate=False),
                name="unique_port_index_per_app",
            )
        ]
        indexes = [
            models.Index(fields=["cluster", "service_port"], name="alloc_service_port"),
            models.Index(fields=["cluster", "host_port"], name="alloc_host_port"),
        ]

    def __str__(self) -> str:
        return f"{self.path} of app #{self.app_id}"


class VipLabel(models.Model):
    """One ``VIP_<n>`` label of a saved app's port. A port may carry several (VIP_0 and VIP_1
    naming it twice), so they have rows of their own: each is a name other apps can collide on."""

    app = models.ForeignKey(App, on_delete=models.CASCADE, related_name="vip_labels")
    cluster = models.ForeignKey(Cluster, on_delete=models.CASCADE, related_name="+")
    # Text, not varchar: Marathon limits neither label names nor values.
    path = models.TextField(
        help_text="JSON pointer of the label, e.g. /portDefinitions/0/labels/VIP_0."
    )
    vip = models.TextField(help_text="The label's value as written.")
    vip_key = models.TextField(help_text="The value compared: lower-cased, without a leading /.")

    class Meta:
        ordering = ["app", "path"]
        indexes = [models.Index(fields=["cluster", "vip_key"], name="vip_label_key")]

    def __str__(self) -> str:
        return f"{self.path} of app #{self.app_id}"


class LbBind(models.Model):
    """One port marathon-lb binds for a saved app, in one of its groups (marathon/lb.py); a port
    bound in two groups has two rows. What lb-port collisions are queried on."""

    app = models.ForeignKey(App, on_delete=models.CASCADE, related_name="lb_binds")
    cluster = models.ForeignKey(Cluster, on_delete=models.CASCADE, related_name="+")
    path = models.TextField(
        help_text="JSON pointer of the HAPROXY_<n>_PORT label, or of the port's service port."
    )
    # "group" is an SQL keyword: the column is named otherwise for raw queries.
    group = models.TextField(
        db_column="lb_group",
        blank=True,
        help_text="A marathon-lb group, as marathon-lb compares them; blank for a port without "
        "one, which only a marathon-lb run with --group '*' binds.",
    )
    port = models.PositiveIntegerField(validators=PORT_VALIDATORS)
    by_label = models.BooleanField(help_text="The port is set by HAPROXY_<n>_PORT.")

    class Meta:
        ordering = ["app", "path", "group"]
        indexes = [
            models.Index(fields=["cluster", "group", "port"], name="lb_bind_group_port"),
            # Only a labelled bind makes a collision of its kind (collisions.py): the few
            # labelled rows are where the search for one starts.
            models.Index(
                fields=["cluster", "group", "port"],
                condition=models.Q(by_label=True),
                name="lb_bind_label",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.port} in {self.group or '(no group)'} for app #{self.app_id}"


class PendingImport(models.Model):
    """An import read and previewed, waiting for its commit. The commit names it by token rather
    than posting the whole document back: a 20 MiB file posted back urlencoded grows past the
    request limit (and the user would wait for it twice)."""

    token = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    cluster = models.ForeignKey(Cluster, on_delete=models.CASCADE, related_name="+")
    source = models.CharField(max_length=255, help_text="The file's name, or 'pasted JSON'.")
    payload = models.BinaryField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at"]

    def __str__(self) -> str:
        return f"{self.source} for {self.cluster}"


class Role(models.IntegerChoices):
    """What a member may do in a cluster; each role may do everything of the roles below it."""

    VIEWER = 10, "viewer"  # read, preview, export
    EDITOR = 20, "editor"  # compose, save, import, delete apps, restore
    REVIEWER = 30, "reviewer"  # and approve change requests
    OWNER = 40, "owner"  # and the policy, the members, deleting the cluster


class Membership(models.Model):
    """A user's or a group's role in a cluster. Site admins (superusers) are owners everywhere
    without one."""

    cluster = models.ForeignKey(Cluster, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    group = models.ForeignKey(
        "auth.Group", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    role = models.PositiveSmallIntegerField(choices=Role.choices)

    class Meta:
        ordering = ["cluster", "-role"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(user__isnull=False, group__isnull=True)
                | models.Q(user__isnull=True, group__isnull=False),
                name="membership_of_user_or_group",
            ),
            models.UniqueConstraint(
                fields=["cluster", "user"],
                condition=models.Q(user__isnull=False),
                name="one_membership_per_user",
            ),
            models.UniqueConstraint(
                fields=["cluster", "group"],
                condition=models.Q(group__isnull=False),
                name="one_membership_per_group",
            ),
        ]

    def __str__(self) -> str:
        who = self.user or f"group {self.group}"
        return f"{who}: {self.get_role_display()} of {self.cluster}"


class Revision(models.Model):
    """One change to one app, as it was written: who, when, through what, why, and the app as it
    then stood (as written, normalized, its resolved ports, env, warnings and collisions), so that
    any two revisions can be compared in ports and any one restored. An app's history is the
    revisions of its id in its cluster; they outlive the app."""

    class Action(models.TextChoices):
        CREATE = "create"
        UPDATE = "update"
        DELETE = "delete"

    # No index of its own: the (cluster, ...) indexes below serve every lookup, and each index
    # is written once per revision, thousands at a time on an import.
    cluster = models.ForeignKey(
        Cluster, on_delete=models.CASCADE, related_name="revisions", db_index=False
    )
    # The app row while it lives; its history is found by ``app_id`` once it is deleted.
    live_app = models.ForeignKey(
        App, on_delete=models.SET_NULL, null=True, blank=True, related_name="revisions"
    )
    app_id = models.CharField("Marathon id", max_length=500)
    version = models.PositiveIntegerField(help_text="The app's version this revision wrote.")
    action = models.CharField(max_length=8, choices=Action.choices)
    via = models.CharField(max_length=32, help_text="The path the change came through.")
    # Unindexed too: only deleting a user reads revisions by user (the feed filters by name).
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
    )
    # Kept as written at the time: the user may be renamed or deleted later.
    username = models.CharField(max_length=150, blank=True)
    message = models.TextField(blank=True, help_text="Why, in the author's words.")
    created_at = models.DateTimeField(default=timezone.now)
    # The change request it applied, if it came through review; or an owner's emergency change
    # to a cluster whose changes need review (flagged in the activity feed).
    change_request = models.ForeignKey(
        "ChangeRequest", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    emergency = models.BooleanField(default=False)
    source = OrderedJSONField(null=True, help_text="The app as written (None for a deletion).")
    normalized = OrderedJSONField(null=True)
    # The engine's view of the app at the time: ports, env, warnings; and its collisions with
    # the fleet then. Lists of plain dicts (marathon.history's snapshot).
    snapshot = models.JSONField(default=dict)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["cluster", "app_id", "-created_at"], name="revision_app"),
            models.Index(fields=["cluster", "-created_at"], name="revision_feed"),
        ]

    def __str__(self) -> str:
        return f"{self.app_id} v{self.version} ({self.action} via {self.via})"


class ClusterChange(models.Model):
    """A change to a cluster itself: its port policy or its members."""

    class Kind(models.TextChoices):
        CREATED = "created"
        POLICY = "policy"
        MEMBERS = "members"
        REVIEW = "review"  # the review settings: changes need review, approvals, webhook

    cluster = models.ForeignKey(Cluster, on_delete=models.CASCADE, related_name="changes")
    kind = models.CharField(max_length=8, choices=Kind.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    username = models.CharField(max_length=150, blank=True)
    summary = models.TextField(help_text="What changed, in words.")
    before = models.JSONField(default=dict)
    after = models.JSONField(default=dict)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["cluster", "-created_at"], name="cluster_change_feed")]

    def __str__(self) -> str:
        return f"{self.cluster}: {self.summary}"


class ChangeRequest(models.Model):
    """Proposed changes to a cluster's apps, reviewed before they are applied as one deployment:
    the team's review of the port layout."""

    class State(models.TextChoices):
        OPEN = "open"
        APPLIED = "applied"
        CLOSED = "closed"

    cluster = models.ForeignKey(Cluster, on_delete=models.CASCADE, related_name="requests")
    number = models.PositiveIntegerField(help_text="Counted per cluster: #1, #2, ...")
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    author_name = models.CharField(max_length=150)
    state = models.CharField(max_length=8, choices=State.choices, default=State.OPEN)
    # Bumped by every edit of the request (its title, description or changes); reviews record
    # the edit they saw, so a later edit makes them stale.
    edit = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    finished_by = models.CharField(max_length=150, blank=True)
    # What applying would do (review.requests.Resolution), kept until the request or the fleet
    # changes (``resolved_for``: the state it was worked out for): a page view reads it back
    # instead of running the deployment again.
    resolved = models.JSONField(null=True, blank=True, editable=False)
    resolved_for = models.CharField(max_length=200, blank=True, editable=False)

    class Meta:
        ordering = ["-number"]
        constraints = [models.UniqueConstraint(fields=["cluster", "number"], name="request_number")]
        indexes = [models.Index(fields=["cluster", "state"], name="request_state")]

    def __str__(self) -> str:
        return f"#{self.number} {self.title}"


class ProposedChange(models.Model):
    """One app change of a request: create, update or delete, against the app as it was when
    proposed (``base_version``), so that apply can tell when someone changed it in between."""

    class Action(models.TextChoices):
        CREATE = "create"
        UPDATE = "update"
        DELETE = "delete"

    request = models.ForeignKey(ChangeRequest, on_delete=models.CASCADE, related_name="changes")
    action = models.CharField(max_length=8, choices=Action.choices)
    app_id = models.CharField("Marathon id", max_length=500)
    base_version = models.PositiveIntegerField(
        null=True, blank=True, help_text="The app's version it was proposed against."
    )
    source = OrderedJSONField(null=True, help_text="The app as proposed (None for a deletion).")
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["request", "position"]
        constraints = [
            models.UniqueConstraint(fields=["request", "app_id"], name="one_change_per_app")
        ]
        indexes = [models.Index(fields=["app_id"], name="proposed_app")]

    def __str__(self) -> str:
        return f"{self.action} {self.app_id}"


class RequestEdit(models.Model):
    """A change request as it stood after each edit: its own history."""

    request = models.ForeignKey(ChangeRequest, on_delete=models.CASCADE, related_name="edits")
    edit = models.PositiveIntegerField()
    username = models.CharField(max_length=150)
    summary = models.CharField(max_length=300)
    created_at = models.DateTimeField(default=timezone.now)
    content = models.JSONField(help_text="Title, description and changes after this edit.")

    class Meta:
        ordering = ["request", "edit"]

    def __str__(self) -> str:
        return f"#{self.request.number} edit {self.edit}: {self.summary}"


class Review(models.Model):
    """A reviewer's verdict on a request as it stood (``edit``) and as it then resolved
    (``result``, a digest of the service ports, errors and collisions it would deploy)."""

    class Verdict(models.TextChoices):
        APPROVE = "approve"
        CHANGES = "changes", "request changes"

    request = models.ForeignKey(ChangeRequest, on_delete=models.CASCADE, related_name="reviews")
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    reviewer_name = models.CharField(max_length=150)
    verdict = models.CharField(max_length=8, choices=Verdict.choices)
    comment = models.TextField(blank=True)
    edit = models.PositiveIntegerField()
    result = models.CharField(max_length=64)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["request", "created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.reviewer_name} {self.verdict} #{self.request.number}"


class Comment(models.Model):
    """Discussion on a request; anchored to one port of one app when ``app_id`` is set, with the
    port as it then was, so a comment on a port the request later changes shows as outdated."""

    request = models.ForeignKey(ChangeRequest, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    author_name = models.CharField(max_length=150)
    text = models.TextField()
    app_id = models.CharField(max_length=500, blank=True)
    port_label = models.CharField(max_length=300, blank=True, help_text='e.g. "port 0 (http)"')
    port = models.JSONField(null=True, blank=True, help_text="The port when commented on.")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["request", "created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.author_name} on #{self.request.number}"
