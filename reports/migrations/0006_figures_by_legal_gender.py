from django.db import migrations


def forwards(apps, schema_editor):
    # Snapshots and built annual reports counted the old gender field, with
    # "annat" as a third group: they are derived data, so they are dropped and
    # the next request computes them again by legal gender.
    for name in ("OutcomeCell", "PeriodFigure", "OutcomeSnapshot", "AnnualReport"):
        table = schema_editor.quote_name(apps.get_model("reports", name)._meta.db_table)
        schema_editor.execute(f"DELETE FROM {table}")


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0005_annual_report"),
        ("participants", "0009_legal_gender_from_personnummer"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop, elidable=True)]
