# VIP labels move from one column of the port row (which held only a port's first VIP_ label) to
# rows of their own, one per label, so that every VIP a port names is checked for collisions.

import django.db.models.deletion
from django.db import migrations, models


def _key(value):
    # portplanner.marathon.collisions.vip_key as of this migration (migrations stay frozen).
    return value.strip().lstrip("/").lower()


def _escape(key):
    return key.replace("~", "~0").replace("/", "~1")


def labels_to_rows(apps, schema_editor):
    """One VipLabel per VIP_ label of every port that had a VIP, read from the app's normalized
    JSON at the port row's pointer (the row kept the first value only, not the label's name)."""
    PortAllocation = apps.get_model("portplanner", "PortAllocation")
    VipLabel = apps.get_model("portplanner", "VipLabel")
    rows = []
    for row in PortAllocation.objects.exclude(vip="").select_related("app").iterator():
        entry = row.app.normalized
        for part in row.path.strip("/").split("/"):
            entry = entry[int(part)] if isinstance(entry, list) else entry[part]
        for label, value in (entry.get("labels") or {}).items():
            if label.startswith("VIP_") and isinstance(value, str):
                rows.append(
                    VipLabel(
                        app_id=row.app_id,
                        cluster_id=row.cluster_id,
                        path=f"{row.path}/labels/{_escape(label)}",
                        vip=value,
                        vip_key=_key(value),
                    )
                )
    VipLabel.objects.bulk_create(rows, batch_size=1000)


def rows_to_labels(apps, schema_editor):
    """Back to one VIP per port row: the first label of each port."""
    PortAllocation = apps.get_model("portplanner", "PortAllocation")
    VipLabel = apps.get_model("portplanner", "VipLabel")
    for label in VipLabel.objects.order_by("app_id", "path").iterator():
        port_path = label.path.rsplit("/labels/", 1)[0]
        PortAllocation.objects.filter(app_id=label.app_id, path=port_path, vip="").update(
            vip=label.vip[:255], vip_key=label.vip_key[:255]
        )


class Migration(migrations.Migration):
    dependencies = [
        ("portplanner", "0002_app_json_as_written"),
    ]

    operations = [
        migrations.CreateModel(
            name="VipLabel",
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
                        help_text="JSON pointer of the label, e.g. /portDefinitions/0/labels/VIP_0."
                    ),
                ),
                ("vip", models.TextField(help_text="The label's value as written.")),
                (
                    "vip_key",
                    models.TextField(
                        help_text="The value compared: lower-cased, without a leading /."
                    ),
                ),
                (
                    "app",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="vip_labels",
                        to="portplanner.app",
                    ),
                ),
                (
                    "cluster",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="portplanner.cluster",
                    ),
                ),
            ],
            options={"ordering": ["app", "path"]},
        ),
        migrations.AddIndex(
            model_name="viplabel",
            index=models.Index(fields=["cluster", "vip_key"], name="vip_label_key"),
        ),
        migrations.RunPython(labels_to_rows, rows_to_labels),
        migrations.RemoveIndex(model_name="portallocation", name="alloc_vip"),
        migrations.RemoveField(model_name="portallocation", name="vip"),
        migrations.RemoveField(model_name="portallocation", name="vip_key"),
    ]
