"""Survey responses: a round of their own, the document's eight statements, a date only.

- ``survey_round`` was free text; it becomes a foreign key to
  ``survey.SurveyRound``. Each distinct text becomes a round spanning its
  responses' dates.
- The statements become the eight of the source document. The two old ones
  that ask the same thing keep their answers (``staff_support``, ``staff_listen``;
  ``staff_available`` is renamed ``staff_easy_to_reach``). The other five
  asked different questions; their answers cannot be counted as answers to
  the new ones, so they go.
- ``submitted_at`` (a timestamp) becomes ``submitted_on`` (the local date):
  an anonymous response must not be matchable by time.
"""

from django.db import migrations, models
from django.db.models import Max, Min
from django.utils import timezone

import django.db.models.deletion

AGREEMENT = [
    ("stammer_bra", "Agree"),
    ("stammer_ganska_bra", "Somewhat agree"),
    ("stammer_ganska_daligt", "Somewhat disagree"),
    ("stammer_daligt", "Disagree"),
    ("vet_ej", "Don't know"),
]
STATEMENTS = (
    "staff_support",
    "staff_easy_to_reach",
    "staff_interested",
    "staff_listen",
    "feel_better",
    "know_next_steps",
    "better_job_chances",
    "more_interested_in_studies",
)


def statement(label):
    return models.CharField(blank=True, choices=AGREEMENT, max_length=24, verbose_name=label)


def rounds_from_names(apps, schema_editor):
    SurveyResponse = apps.get_model("followup", "SurveyResponse")
    SurveyRound = apps.get_model("survey", "SurveyRound")
    if schema_editor.connection.vendor == "postgresql":
        # Check the new foreign keys now: a deferred check still pending would
        # refuse the ALTER TABLE that follows in this transaction.
        schema_editor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    spans = (
        SurveyResponse.objects.order_by()
        .values("survey_round_name")
        .annotate(first=Min("submitted_at"), last=Max("submitted_at"))
    )
    for span in spans:
        name = (span["survey_round_name"] or "").strip() or "?"
        survey_round, _created = SurveyRound.objects.get_or_create(
            name=name,
            defaults={
                "opens_on": timezone.localdate(span["first"]),
                "closes_on": timezone.localdate(span["last"]),
            },
        )
        SurveyResponse.objects.filter(survey_round_name=span["survey_round_name"]).update(
            survey_round=survey_round
        )


def dates_from_timestamps(apps, schema_editor):
    SurveyResponse = apps.get_model("followup", "SurveyResponse")
    for response in SurveyResponse.objects.only("pk", "submitted_at").iterator():
        SurveyResponse.objects.filter(pk=response.pk).update(
            submitted_on=timezone.localdate(response.submitted_at)
        )


class Migration(migrations.Migration):
    dependencies = [
        ("followup", "0004_caseload_indexes"),
        ("survey", "0001_initial"),
    ]

    operations = [
        # The round.
        migrations.RemoveIndex(model_name="surveyresponse", name="survey_round"),
        migrations.RenameField(
            model_name="surveyresponse", old_name="survey_round", new_name="survey_round_name"
        ),
        migrations.AddField(
            model_name="surveyresponse",
            name="survey_round",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="responses",
                to="survey.surveyround",
                verbose_name="survey round",
            ),
        ),
        migrations.RunPython(rounds_from_names, migrations.RunPython.noop),
        migrations.RemoveField(model_name="surveyresponse", name="survey_round_name"),
        migrations.AlterField(
            model_name="surveyresponse",
            name="survey_round",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="responses",
                to="survey.surveyround",
                verbose_name="survey round",
            ),
        ),
        # The statements.
        migrations.RenameField(
            model_name="surveyresponse", old_name="staff_available", new_name="staff_easy_to_reach"
        ),
        migrations.RemoveField(model_name="surveyresponse", name="staff_respectful"),
        migrations.RemoveField(model_name="surveyresponse", name="job_meaningful"),
        migrations.RemoveField(model_name="surveyresponse", name="job_learning"),
        migrations.RemoveField(model_name="surveyresponse", name="job_confidence"),
        migrations.RemoveField(model_name="surveyresponse", name="job_closer_to_work"),
        migrations.AlterField(
            model_name="surveyresponse",
            name="staff_support",
            field=statement("The staff give me the support I need at the workplace"),
        ),
        migrations.AlterField(
            model_name="surveyresponse",
            name="staff_easy_to_reach",
            field=statement("It is easy to get in touch with the staff"),
        ),
        migrations.AddField(
            model_name="surveyresponse",
            name="staff_interested",
            field=statement("The staff want to know how I am doing"),
        ),
        migrations.AlterField(
            model_name="surveyresponse",
            name="staff_listen",
            field=statement("The staff listen to me"),
        ),
        migrations.AddField(
            model_name="surveyresponse", name="feel_better", field=statement("I feel better")
        ),
        migrations.AddField(
            model_name="surveyresponse",
            name="know_next_steps",
            field=statement("I know what I need to do to get a job"),
        ),
        migrations.AddField(
            model_name="surveyresponse",
            name="better_job_chances",
            field=statement("I have a better chance of getting a job now"),
        ),
        migrations.AddField(
            model_name="surveyresponse",
            name="more_interested_in_studies",
            field=statement("I have become more interested in studying"),
        ),
        # The date.
        migrations.AddField(
            model_name="surveyresponse",
            name="submitted_on",
            field=models.DateField(default=timezone.localdate, verbose_name="submitted"),
        ),
        migrations.RunPython(dates_from_timestamps, migrations.RunPython.noop),
        migrations.RemoveField(model_name="surveyresponse", name="submitted_at"),
        migrations.AlterModelOptions(
            name="surveyresponse",
            options={
                "ordering": ["-submitted_on", "-id"],
                "verbose_name": "survey response",
                "verbose_name_plural": "survey responses",
            },
        ),
        *[
            migrations.AddConstraint(
                model_name="surveyresponse",
                constraint=models.CheckConstraint(
                    condition=models.Q(
                        (
                            f"{code}__in",
                            ["", "stammer_bra", "stammer_ganska_bra", "stammer_ganska_daligt",
                             "stammer_daligt", "vet_ej"],
                        )
                    ),
                    name=f"surveyresponse_{code}_valid",
                ),
            )
            for code in STATEMENTS
        ],
    ]
