# marathon-lb binds get rows of their own (LbBind, one per port and group) for the lb-port
# collision kinds, and the blue/green alternate port (HAPROXY_DEPLOYMENT_ALT_PORT) a port row,
# being a service port the app holds. Saved apps get both from their normalized JSON.

import django.core.validators
import django.db.models.deletion
from django.db import migrations, models


def _port(value):
    # portplanner.marathon.lb.parse_port as of this migration (migrations stay frozen).
    try:
        port = int(value) if len(value) <= 100 else None
    except ValueError:
        return None
    return port if port is not None and 0 < port <= 65535 else None


def _binds(labels, row):
    """(port, path, group, by_label) of each bind of one port row, as marathon/lb.py's lb_bind
    (marathon-lb reads HAPROXY_<n>_ENABLED, _PORT, _GROUP, then HAPROXY_GROUP)."""
    n = row.index
    enabled = labels.get(f"HAPROXY_{n}_ENABLED")
    if not row.service_port or (
        enabled is not None and enabled.lower() not in ("true", "t", "yes", "y")
    ):
        return []
    field = "servicePort" if row.container_port is not None else "port"
    port, path, by_label = row.service_port, f"{row.path}/{field}", False
    if f"HAPROXY_{n}_PORT" in labels:
        port = _port(labels[f"HAPROXY_{n}_PORT"])
        if port is None:
            return []
        path, by_label = f"/labels/HAPROXY_{n}_PORT", True
    value = labels.get(f"HAPROXY_{n}_GROUP", labels.get("HAPROXY_GROUP"))
    groups = [""] if value is None else list(dict.fromkeys(value.split(",")))
    return [(port, path, group, by_label) for group in groups]


def rows_from_labels(apps, schema_editor):
    App = apps.get_model("portplanner", "App")
    PortAllocation = apps.get_model("portplanner", "PortAllocation")
    LbBind = apps.get_model("portplanner", "LbBind")
    ports_of = {}
    for row in PortAllocation.objects.order_by("app_id", "index").iterator():
        ports_of.setdefault(row.app_id, []).append(row)
    binds, alternates = [], []
    for app in App.objects.exclude(normalized=None).iterator():
        raw = (app.normalized or {}).get("labels")
        labels = {k: v for k, v in (raw or {}).items() if isinstance(v, str)}
        rows = ports_of.get(app.pk, [])
        for row in rows:
            binds += [
                LbBind(
                    app_id=app.pk,
                    cluster_id=app.cluster_id,
                    path=path,
                    group=group,
                    port=port,
                    by_label=by_label,
                )
                for port, path, group, by_label in _binds(labels, row)
            ]
        alt = (
            _port(labels["HAPROXY_DEPLOYMENT_ALT_PORT"])
            if "HAPROXY_DEPLOYMENT_ALT_PORT" in labels
            else None
        )
        if alt is not None:
            alternates.append(
                PortAllocation(
                    app_id=app.pk,
                    cluster_id=app.cluster_id,
                    index=0,
                    path="/labels/HAPROXY_DEPLOYMENT_ALT_PORT",
                    protocol=rows[0].protocol if rows else "tcp",
                    service_port=alt,
                    alternate=True,
                )
            )
    LbBind.objects.bulk_create(binds, batch_size=1000)
    PortAllocation.objects.bulk_create(alternates, batch_size=1000)


def drop_alternates(apps, schema_editor):
    """Back: the alternate ports' rows go (one index per app again); LbBind goes with its table."""
    apps.get_model("portplanner", "PortAllocation").objects.filter(alternate=True).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("portplanner", "0008_app_natural_order"),
    ]

    operations = [
        migrations.CreateModel(
            name="LbBind",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "path",
                    models.TextField(
                        help_text="JSON pointer of the HAPROXY_<n>_PORT label, or of the port's service port."
                    ),
                ),
                (
                    "group",
                    models.TextField(
                        blank=True,
                        db_column="lb_group",
                        help_text="A marathon-lb group, as marathon-lb compares them; blank for a port without one, which only a marathon-lb run with --group '*' binds.",
                    ),
                ),
                (
                    "port",
                    models.PositiveIntegerField(
                        validators=[django.core.validators.MaxValueValidator(65535)]
                    ),
                ),
                ("by_label", models.BooleanField(help_text="The port is set by HAPROXY_<n>_PORT.")),
            ],
            options={
                "ordering": ["app", "path", "group"],
            },
        ),
        migrations.RemoveConstraint(
            model_name="portallocation",
            name="unique_port_index_per_app",
        ),
        migrations.AddField(
            model_name="portallocation",
            name="alternate",
            field=models.BooleanField(
                default=False,
                help_text="The blue/green alternate service port (a label), not a port of the app.",
            ),
        ),
        migrations.AddConstraint(
            model_name="portallocation",
            constraint=models.UniqueConstraint(
                condition=models.Q(("alternate", False)),
                fields=("app", "index"),
                name="unique_port_index_per_app",
            ),
        ),
        migrations.AddField(
            model_name="lbbind",
            name="app",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE,
                related_name="lb_binds",
                to="portplanner.app",
            ),
        ),
        migrations.AddField(
            model_name="lbbind",
            name="cluster",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE,
                related_name="+",
                to="portplanner.cluster",
            ),
        ),
        migrations.AddIndex(
            model_name="lbbind",
            index=models.Index(fields=["cluster", "group", "port"], name="lb_bind_group_port"),
        ),
        migrations.AddIndex(
            model_name="lbbind",
            index=models.Index(
                condition=models.Q(("by_label", True)),
                fields=["cluster", "group", "port"],
                name="lb_bind_label",
            ),
        ),
        migrations.RunPython(rows_from_labels, drop_alternates),
    ]
