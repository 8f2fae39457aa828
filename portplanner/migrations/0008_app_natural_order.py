from django.db import migrations, models

from portplanner.fleet.ordering import natural_sort_key


def fill_sort_keys(apps, schema_editor):
    """The key of every stored app, by one parameterized UPDATE run (as deploy._update_apps
    does): bulk_update's CASE WHEN per app is slow at 10,000 apps."""
    App = apps.get_model("portplanner", "App")
    rows = App.objects.using(schema_editor.connection.alias).values_list("pk", "app_id")
    table = schema_editor.quote_name(App._meta.db_table)
    with schema_editor.connection.cursor() as cursor:
        cursor.executemany(
            f"UPDATE {table} SET sort_key = %s WHERE id = %s",
            [(natural_sort_key(app_id), pk) for pk, app_id in rows],
        )


class Migration(migrations.Migration):
    dependencies = [
        ("portplanner", "0007_accounts_and_history"),
    ]

    operations = [
        migrations.AlterModelOptions(
            name="app",
            options={"ordering": ["sort_key", "app_id"]},
        ),
        migrations.AddField(
            model_name="app",
            name="sort_key",
            field=models.CharField(blank=True, editable=False, max_length=1000),
        ),
        migrations.RunPython(fill_sort_keys, migrations.RunPython.noop, elidable=True),
        migrations.AddIndex(
            model_name="app",
            index=models.Index(fields=["cluster", "sort_key"], name="app_natural_order"),
        ),
    ]
