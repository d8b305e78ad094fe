from django.db import migrations, models


def forwards(apps, schema_editor):
    # The cells of earlier snapshots were not counted by funding, and a sum
    # over them cannot be split again: they are derived data, so they are
    # dropped, and the hourly snapshot (or an admin's recompute) counts anew.
    # Children first: each is then one DELETE (nothing left to cascade to).
    for name in ("OutcomeCell", "PeriodFigure", "OutcomeSnapshot"):
        apps.get_model("reports", name).objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0006_figures_by_legal_gender"),
    ]

    operations = [
        migrations.RunPython(forwards, migrations.RunPython.noop, elidable=True),
        migrations.AddField(
            model_name="outcomecell",
            name="funding",
            field=models.CharField(default="", max_length=3),
            preserve_default=False,
        ),
    ]
