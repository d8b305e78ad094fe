"""Retention (gallring): the old case disappears without a trace, the newer one stays whole."""

import datetime
import io
import json
import logging
from collections.abc import Callable
from dataclasses import dataclass

import pytest
import time_machine
from celery.schedules import crontab
from django.apps import apps
from django.contrib.admin.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.db import models
from django.db.models.functions import Cast
from django.urls import reverse

from accounts.models import User
from audit.models import AccessLogEntry, Action
from audit.services import log_access
from followup.models import FollowUp, RegisterOutcome, SurveyResponse
from participants.models import (
    CaseNote,
    Consent,
    LearningGoal,
    Participant,
    Study,
    SupportActivity,
)
from placements.models import Internship, Placement, WageSubsidyCase
from privacy.models import RetentionRun
from privacy.selectors import participants_expired, person_models
from privacy.services import retention_cutoff, retention_run
from privacy.tasks import retention_task
from stockholmsjobb.celery import app as celery_app
from tests.factories import (
    CaseNoteFactory,
    CoachFactory,
    ParticipantFactory,
    PlacementFactory,
    UnitFactory,
)
from tests.helpers.privacy import Case, at, build_case, days, log_reads_of

pytestmark = pytest.mark.django_db

# Five years before TODAY is 2019-06-01: the old case ends well before, the new one after.
TODAY = datetime.date(2024, 6, 1)
CUTOFF = datetime.date(2019, 6, 1)
OLD_START = datetime.date(2016, 3, 1)
NEW_START = datetime.date(2022, 3, 1)


@pytest.fixture
def coach(db) -> User:
    return CoachFactory(username="coach_r", unit=UnitFactory(name="Jobbtorg Rinkeby"))


@pytest.fixture
def old_case(coach, admin_user, frozen) -> Case:
    with frozen(at(OLD_START)):
        case = build_case(
            on=OLD_START,
            unit=coach.unit,
            coach=coach,
            first_name="Ylvalotta",
            last_name="Gallringsdotter",
            birth=datetime.date(1979, 11, 23),
            serial=417,
            marker="GAMMAL-7731",
        )
    # The follow-up of the ended placement, months later: still long before the cutoff.
    with frozen(at(OLD_START + days(480))):
        log_reads_of(case, coach, admin_user)
        # Someone else's login on the same day: the log's other rows age out too.
        log_access(action=Action.LOGIN, user=coach)
    # Reading the record is no entry: it keeps nothing alive, and goes with the person.
    with frozen(at(datetime.date(2023, 5, 2))):
        log_access(action=Action.VIEW, participant_id=case.participant.pk, user=admin_user)
    return case


@pytest.fixture
def new_case(coach, admin_user, frozen) -> Case:
    with frozen(at(NEW_START)):
        case = build_case(
            on=NEW_START,
            unit=coach.unit,
            coach=coach,
            first_name="Nyamaka",
            last_name="Behållsson",
            birth=datetime.date(1991, 2, 14),
            serial=238,
            marker="NY-5120",
        )
        log_reads_of(case, coach, admin_user)
    return case


def run_retention(frozen, **options) -> RetentionRun:
    with frozen(at(TODAY, hour=2)):
        return retention_run(today=TODAY, **options).run


# --- Looking for traces in every table ---------------------------------------------------------


@dataclass
class Trace:
    where: str
    what: str

    def __str__(self) -> str:
        return f"{self.where}: {self.what}"


def rows_of(case: Case) -> dict[type[models.Model], set[int]]:
    """Every row about the person, found by the extract's walk and by the case's own list."""
    found: dict[type[models.Model], set[int]] = {}
    for person_model in person_models():
        found[person_model.model] = set(
            person_model.rows_about([case.participant.pk]).values_list("pk", flat=True)
        )
    for model, rows in case.rows.items():
        found.setdefault(model, set()).update(row.pk for row in rows)
    return found


def traces_in_database(case: Case, rows: dict[type[models.Model], set[int]]) -> list[Trace]:
    """Every place in the database that still names the person or points at their rows.

    All models, all text fields (names, personnummer in every written form,
    the case's free text), every foreign key to one of their rows, and the
    generic pointers: (content_type, object_id) and the access log's
    (participant_id), (object_type, object_id).
    """
    traces = []
    for model in apps.get_models(include_auto_created=True):
        table = model._base_manager.all()
        names = {model_field.name for model_field in model._meta.concrete_fields}
        for model_field in model._meta.concrete_fields:
            where = f"{model._meta.label}.{model_field.name}"
            if isinstance(model_field, models.CharField | models.TextField | models.JSONField):
                text = table.annotate(as_text=Cast(model_field.attname, models.TextField()))
                traces.extend(
                    Trace(where, needle)
                    for needle in case.needles
                    if text.filter(as_text__contains=needle).exists()
                )
            if model_field.is_relation and rows.get(model_field.related_model):
                target = model_field.related_model
                if table.filter(**{f"{model_field.attname}__in": rows[target]}).exists():
                    traces.append(Trace(where, f"points at a {target._meta.label} row"))
            if (
                model_field.name == "participant_id"
                and table.filter(participant_id=case.participant.pk).exists()
            ):
                traces.append(Trace(where, "participant id"))
        for target, pks in rows.items():
            if not pks:
                continue
            if {"content_type", "object_id"} <= names and table.filter(
                content_type=ContentType.objects.get_for_model(target),
                object_id__in=[str(pk) for pk in pks],
            ).exists():
                traces.append(Trace(model._meta.label, f"generic pointer to {target._meta.label}"))
            if {"object_type", "object_id"} <= names and table.filter(
                object_type=target._meta.model_name, object_id__in=pks
            ).exists():
                traces.append(Trace(model._meta.label, f"object pointer to {target._meta.label}"))
    return traces


def what_survives_of(case: Case) -> dict[str, list[int]]:
    """The person's rows, their log rows and their admin log entries, by label."""
    found = {
        label: sorted(pks)
        for label, pks in ((model._meta.label, pks) for model, pks in rows_of(case).items())
    }
    found["audit.AccessLogEntry"] = sorted(
        AccessLogEntry.objects.filter(participant_id=case.participant.pk).values_list(
            "pk", flat=True
        )
    )
    found["admin.LogEntry"] = sorted(
        LogEntry.objects.filter(change_message__contains=case.participant.last_name).values_list(
            "pk", flat=True
        )
    )
    return found


# --- Retention --------------------------------------------------------------------------------


def test_retention_leaves_no_trace_of_the_old_case_and_keeps_the_new_one_whole(
    old_case, new_case, frozen
):
    old_rows = rows_of(old_case)
    # The search finds the person everywhere before: it can see what it looks for.
    before = {trace.where for trace in traces_in_database(old_case, old_rows)}
    assert {
        "participants.Participant.personnummer",
        "participants.CaseNote.text",
        "admin.LogEntry.object_repr",
        "audit.AccessLogEntry.participant_id",
        "admin.LogEntry",
        "followup.SurveyResponse.participant",
    } <= before
    new_before = what_survives_of(new_case)
    assert all(new_before.values())

    run = run_retention(frozen)

    # Only the access-log row younger than the cutoff stays, until it is as old:
    # the id of nobody any more (only rows past the retention period leave the log).
    assert traces_in_database(old_case, old_rows) == [
        Trace("audit.AccessLogEntry.participant_id", "participant id")
    ]
    [recent] = AccessLogEntry.objects.filter(participant_id=old_case.participant.pk)
    assert recent.at.date() == datetime.date(2023, 5, 2)
    assert what_survives_of(new_case) == new_before
    # The survey answer stays, without the link to the person (it is anonymous then).
    [answer] = old_case.rows[SurveyResponse]
    answer.refresh_from_db()
    assert answer.participant_id is None
    assert run.cutoff == CUTOFF
    assert run.finished_at is not None
    assert {label: count for label, count in run.counts.items() if count} == {
        "participants.participant": 1,
        "participants.casenote": 2,
        "participants.supportactivity": 1,
        "participants.learninggoal": 1,
        "participants.study": 1,
        "participants.consent": 1,
        "participants.transferrequest": 1,
        "participants.participantchange": 1,
        "participants.casestatuschange": 2,
        "placements.placement": 1,
        "placements.internship": 1,
        "placements.wagesubsidycase": 1,
        "followup.followup": 1,
        "followup.registeroutcome": 1,
        "survey.surveyinvitation": 1,
        "admin.logentry": 3,
        # The two old rows about the person, and the coach's old login.
        "audit.accesslogentry": 3,
    }


def test_retention_records_counts_only_and_logs_one_info_line(old_case, frozen, caplog):
    with caplog.at_level(logging.INFO, logger="privacy"):
        run = run_retention(frozen)

    [line] = [record for record in caplog.records if record.name.startswith("privacy")]
    assert line.levelno == logging.INFO
    message = line.getMessage()
    assert '"participants.participant": 1' in message
    assert all(needle not in message for needle in old_case.needles)
    assert json.loads(message[message.index("{") :]) == run.counts
    # Model labels and numbers, nothing else.
    assert all(apps.get_model(label) and isinstance(n, int) for label, n in run.counts.items())
    assert set(run.counts) >= {
        "participants.participant",
        "audit.accesslogentry",
        "admin.logentry",
    }
    # The purge's own log rows carry counts, no participant id.
    purges = AccessLogEntry.objects.filter(detail__startswith="retention:")
    assert purges.count() == 1
    assert not purges.exclude(participant_id=None).exists()


def test_a_second_run_the_same_day_deletes_nothing_and_records_zeros(old_case, new_case, frozen):
    first = run_retention(frozen)
    survivors = what_survives_of(new_case)

    second = run_retention(frozen)

    assert first.counts["participants.participant"] == 1
    assert set(second.counts.values()) == {0}
    assert set(second.counts) >= {"participants.participant", "audit.accesslogentry"}
    assert what_survives_of(new_case) == survivors
    assert RetentionRun.objects.count() == 2


def test_an_ongoing_placement_keeps_a_participant_however_old(coach, frozen):
    with frozen(at(datetime.date(2012, 5, 2))):
        ongoing = PlacementFactory(
            participant=ParticipantFactory(unit=coach.unit, enrolled_on=datetime.date(2012, 5, 2)),
            start_date=datetime.date(2012, 6, 1),
            planned_end_date=datetime.date(2013, 5, 31),
            end_date=None,
        )
        ended = PlacementFactory(
            participant=ParticipantFactory(unit=coach.unit, enrolled_on=datetime.date(2012, 5, 2)),
            start_date=datetime.date(2012, 6, 1),
            planned_end_date=datetime.date(2013, 5, 31),
            end_date=datetime.date(2013, 5, 31),
        )

    run_retention(frozen)

    assert Participant.objects.filter(pk=ongoing.participant_id).exists()
    assert not Participant.objects.filter(pk=ended.participant_id).exists()


def test_a_corrected_note_does_not_block_the_deletion(coach, frozen):
    """CaseNote.corrects is RESTRICT: the correction and the note go together."""
    with frozen(at(OLD_START)):
        note = CaseNoteFactory(
            participant=ParticipantFactory(unit=coach.unit, enrolled_on=OLD_START)
        )
        correction = CaseNoteFactory(participant=note.participant, corrects=note)
        CaseNoteFactory(participant=note.participant, corrects=correction)

    run = run_retention(frozen)

    assert run.counts["participants.casenote"] == 3
    assert not CaseNote.objects.exists()


# Each kind of dated entry, made on a given day. Made at the old time, so the
# automatic timestamps are old and only the field in question is recent.
EntryMaker = Callable[[Participant, Placement, datetime.date], None]


def _note(participant: Participant, placement: Placement, day: datetime.date) -> None:
    with time_machine.travel(at(day), tick=False):
        CaseNoteFactory(participant=participant)


def _participant_updated(participant: Participant, placement: Placement, day: datetime.date):
    with time_machine.travel(at(day), tick=False):
        participant.save()


ENTRIES: dict[str, EntryMaker] = {
    "participant updated": _participant_updated,
    "note written": _note,
    "activity": lambda p, pl, day: SupportActivity.objects.create(
        participant=p, phase="after", kind="job_search", date=day
    ),
    "goal next review": lambda p, pl, day: LearningGoal.objects.create(
        participant=p, description="Mål", target_industry="Vård", next_review_on=day
    ),
    "study end": lambda p, pl, day: Study.objects.create(
        participant=p, kind="sfi", start_date=OLD_START, end_date=day, extent_percent=20
    ),
    "placement end": lambda p, pl, day: Placement.objects.filter(pk=pl.pk).update(end_date=day),
    "placement planned end": lambda p, pl, day: Placement.objects.filter(pk=pl.pk).update(
        planned_end_date=day
    ),
    "internship": lambda p, pl, day: Internship.objects.create(
        participant=p, employer="Butik", start_date=day - days(10), end_date=day
    ),
    "subsidy decided": lambda p, pl, day: WageSubsidyCase.objects.create(
        participant=p, applied_on=OLD_START, decided_on=day, outcome="granted"
    ),
    "follow-up performed": lambda p, pl, day: FollowUp.objects.create(
        placement=pl, due_date=OLD_START + days(200), performed_on=day, outcome="studier"
    ),
    "consent decided": lambda p, pl, day: Consent.objects.create(
        participant=p, flow="district", given=True, decided_on=day
    ),
    "register outcome year": lambda p, pl, day: RegisterOutcome.objects.create(
        participant=p, year=day.year, income_source="forvarvsarbete"
    ),
}


@pytest.mark.parametrize("kind", ENTRIES)
def test_a_recent_entry_of_any_kind_keeps_the_participant(kind, coach, frozen):
    def participant_with_entry_on(day: datetime.date) -> Participant:
        participant = ParticipantFactory(unit=coach.unit, enrolled_on=OLD_START)
        placement = PlacementFactory(
            participant=participant,
            start_date=OLD_START,
            planned_end_date=OLD_START + days(100),
            end_date=OLD_START + days(100),
        )
        ENTRIES[kind](participant, placement, day)
        return participant

    with frozen(at(OLD_START)):
        recent = participant_with_entry_on(datetime.date(2019, 12, 1))
        old = participant_with_entry_on(datetime.date(2018, 12, 1))

    expired = set(participants_expired(retention_cutoff(TODAY)))

    assert recent not in expired
    assert old in expired


def test_the_last_entry_is_one_query_whatever_the_number_of_participants(
    old_case, new_case, django_assert_num_queries
):
    with django_assert_num_queries(1):
        expired = list(participants_expired(CUTOFF))

    assert expired == [old_case.participant]


def test_participants_are_deleted_in_batches_of_their_own_transaction(coach, frozen):
    with frozen(at(OLD_START)):
        for _ in range(5):
            CaseNoteFactory(participant=ParticipantFactory(unit=coach.unit, enrolled_on=OLD_START))

    run = run_retention(frozen, batch_size=2)

    assert run.counts["participants.participant"] == 5
    assert run.counts["participants.casenote"] == 5
    assert not Participant.objects.exists()


def test_the_retention_period_is_a_setting(old_case, new_case, frozen, settings):
    settings.RETENTION_YEARS = 10

    run = run_retention(frozen)

    assert run.cutoff == datetime.date(2014, 6, 1)
    assert run.counts["participants.participant"] == 0
    assert Participant.objects.filter(pk=old_case.participant.pk).exists()


# --- The command, the task and the schedule ------------------------------------------------------


def table_sizes() -> dict[str, int]:
    return {
        model._meta.label: model._base_manager.count()
        for model in apps.get_models(include_auto_created=True)
    }


def printed_counts(output: str) -> dict[str, int]:
    lines = output.strip().splitlines()[1:]
    return {label: int(count) for label, count in (line.split() for line in lines)}


def test_dry_run_prints_what_a_real_run_then_deletes_and_deletes_nothing(
    old_case, new_case, frozen
):
    sizes = table_sizes()
    out = io.StringIO()

    with frozen(at(TODAY, hour=2)):
        call_command("gallra", "--dry-run", stdout=out)

    assert table_sizes() == sizes
    would = printed_counts(out.getvalue())
    assert would["participants.participant"] == 1
    assert all(needle not in out.getvalue() for needle in old_case.needles)
    with frozen(at(TODAY, hour=2)):
        call_command("gallra", stdout=io.StringIO())
    [run] = RetentionRun.objects.all()
    assert {label: count for label, count in run.counts.items() if count} == {
        label: count for label, count in would.items() if count
    }


def test_the_command_deletes_and_prints_counts(old_case, frozen):
    out = io.StringIO()

    with frozen(at(TODAY, hour=2)):
        call_command("gallra", stdout=out)

    assert printed_counts(out.getvalue())["participants.participant"] == 1
    assert not Participant.objects.filter(pk=old_case.participant.pk).exists()
    assert AccessLogEntry.objects.filter(username="manage.py", action=Action.BULK_CHANGE).exists()


def test_the_nightly_beat_entry_runs_the_retention_task():
    entries = [
        entry
        for entry in celery_app.conf.beat_schedule.values()
        if entry["task"] == "privacy.tasks.retention_task"
    ]

    assert len(entries) == 1
    assert entries[0]["schedule"] == crontab(hour=2, minute=30)
    assert "privacy.tasks.retention_task" in celery_app.tasks


def test_the_task_runs_through_delay(old_case, new_case, frozen):
    with frozen(at(TODAY, hour=2)):
        counts = retention_task.delay().get(timeout=10)

    assert counts["participants.participant"] == 1
    assert not Participant.objects.filter(pk=old_case.participant.pk).exists()
    assert Participant.objects.filter(pk=new_case.participant.pk).exists()
    assert RetentionRun.objects.get().counts == counts


# --- The admin shows runs, read-only -----------------------------------------------------------


def test_admins_see_retention_runs_in_the_admin_but_cannot_add_change_or_delete(
    client, admin_user, old_case, frozen
):
    run = run_retention(frozen)
    client.force_login(admin_user)

    listing = client.get(reverse("admin:privacy_retentionrun_changelist"))
    page = client.get(reverse("admin:privacy_retentionrun_change", args=[run.pk]))

    assert listing.status_code == 200
    assert page.status_code == 200
    assert "participants.casenote" in page.content.decode()
    assert client.get(reverse("admin:privacy_retentionrun_add")).status_code == 403
    assert (
        client.post(
            reverse("admin:privacy_retentionrun_change", args=[run.pk]), {"cutoff": "2000-01-01"}
        ).status_code
        == 403
    )
    assert (
        client.post(reverse("admin:privacy_retentionrun_delete", args=[run.pk])).status_code == 403
    )
    assert RetentionRun.objects.get(pk=run.pk).cutoff == CUTOFF


def test_other_roles_do_not_see_retention_runs(client, coach):
    client.force_login(coach)

    response = client.get(reverse("admin:privacy_retentionrun_changelist"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


def test_expired_sessions_and_old_login_records_go_with_retention():
    from axes.models import AccessAttempt, AccessLog
    from django.contrib.sessions.backends.db import SessionStore
    from django.contrib.sessions.models import Session
    from django.utils import timezone

    from privacy.services import retention_run

    now = timezone.now()
    expired = SessionStore()
    expired["searched"] = "198507099805"  # what a search once kept in the session
    expired.set_expiry(-1)
    expired.save()
    live = SessionStore()
    live.save()
    old = now - datetime.timedelta(hours=2)
    AccessAttempt.objects.create(
        username="anna",
        ip_address="10.0.0.1",
        user_agent="x",
        attempt_time=old,
        failures_since_start=3,
    )
    AccessAttempt.objects.create(
        username="berit",
        ip_address="10.0.0.2",
        user_agent="x",
        attempt_time=now,
        failures_since_start=1,
    )
    AccessLog.objects.create(username="anna", ip_address="10.0.0.1", user_agent="x")
    # attempt_time is set on creation: back-date the old rows.
    AccessAttempt.objects.filter(username="anna").update(attempt_time=old)
    AccessLog.objects.update(attempt_time=old)

    counts = retention_run(today=timezone.localdate()).counts

    assert list(Session.objects.values_list("session_key", flat=True)) == [live.session_key]
    # A recent failure still counts towards a lockout; older ones and the login list go.
    assert list(AccessAttempt.objects.values_list("username", flat=True)) == ["berit"]
    assert not AccessLog.objects.exists()
    assert counts["sessions.session"] == 1
    assert counts["axes.accessattempt"] == 1
    assert counts["axes.accesslog"] == 1


def test_axes_keeps_no_lasting_list_of_logins(client, settings):
    from axes.models import AccessLog

    assert settings.AXES_DISABLE_ACCESS_LOG is True
    user = User.objects.create_user("kim", password="a long enough password 1")
    client.post(reverse("login"), {"username": "kim", "password": "a long enough password 1"})
    assert not AccessLog.objects.filter(username=user.username).exists()
