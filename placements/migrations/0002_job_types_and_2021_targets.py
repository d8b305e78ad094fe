"""The six job types of table 1 in the 2021 report, with that year's planned places."""

from django.db import migrations

# code, name, setting, target group, min age, max age, min months, max months,
# extendable, places 2021
JOB_TYPES = [
    (
        "ungdomsanstallning",
        "Ungdomsanställning",
        "ordinary",
        "Unga 16–29 år",
        16,
        29,
        6,
        12,
        False,
        230,
    ),
    (
        "basanstallning",
        "Basanställning",
        "ordinary",
        "Försörjningsstödstagare som står långt ifrån arbetsmarknaden",
        18,
        64,
        12,
        12,
        False,
        342,
    ),
    (
        "serviceassistent",
        "Serviceassistent",
        "ordinary",
        "Personer upp till 64 år med funktionsnedsättning",
        18,
        64,
        1,
        24,
        False,
        65,
    ),
    (
        "arbetslagsanstallning",
        "Arbetslagsanställning",
        "adapted",
        "Unga 20–29 år som tidigare varit i kriminella eller socialt utsatta sammanhang",
        20,
        29,
        6,
        12,
        False,
        75,
    ),
    (
        "stockholmsvard",
        "Stockholmsvärd",
        "adapted",
        "Personer med långvarigt behov av försörjningsstöd",
        18,
        64,
        10,
        10,
        True,
        85,
    ),
    (
        "jobbstartsanstallning",
        "Jobbstartsanställning",
        "adapted",
        "Unga 18–29 år",
        18,
        29,
        6,
        6,
        False,
        25,
    ),
]


def load(apps, schema_editor):
    JobType = apps.get_model("placements", "JobType")
    PlacementTarget = apps.get_model("placements", "PlacementTarget")
    for order, row in enumerate(JOB_TYPES, start=1):
        code, name, setting, group, min_age, max_age, min_m, max_m, ext, places = row
        job_type, _ = JobType.objects.update_or_create(
            code=code,
            defaults={
                "name": name,
                "setting": setting,
                "target_group": group,
                "min_age": min_age,
                "max_age": max_age,
                "min_months": min_m,
                "max_months": max_m,
                "extendable": ext,
                "sort_order": order,
            },
        )
        PlacementTarget.objects.update_or_create(
            job_type=job_type, year=2021, defaults={"places": places}
        )


def unload(apps, schema_editor):
    apps.get_model("placements", "PlacementTarget").objects.filter(year=2021).delete()
    apps.get_model("placements", "JobType").objects.filter(
        code__in=[row[0] for row in JOB_TYPES], placements__isnull=True
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("placements", "0001_initial")]
    operations = [migrations.RunPython(load, unload)]
