from django.db import migrations


def forwards(apps, schema_editor):
    # Snapshots and built annual reports counted the old gender field, with
    # "annat" as a third group: they are derived data, so they are dropped and
    # the next request computes them again by legal gender.
    # Children first: each is then one DELETE (nothing left to cascade to).
    for name in ("OutcomeCell", "PeriodFigure", "OutcomeSnapshot", "AnnualReport"):
        apps.get_model("reports", name).objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0005_annual_report"),
        ("participants", "0009_legal_gender_from_personnummer"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop, elidable=True)]
