"""Placement import in the browser: upload and check, preview, confirm, import in a task.

The page runs the command's code (casework.placement_import): the same
problems in the same words, all or nothing, logged in the access log alike.
"""

import csv
import datetime
import html
import io
from pathlib import Path

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from audit.models import AccessLogEntry, Action
from casework import import_jobs
from casework import placement_import as importer
from casework.models import UPLOAD_DIRECTORY, ImportStage, ImportStatus, PlacementImport
from casework.placement_csv import COLUMNS
from casework.tasks import purge_placement_imports_task, run_placement_import_task
from followup.models import FollowUp
from participants.models import Participant
from placements.models import Placement, Workplace
from tests.factories import (
    AdminFactory,
    ParticipantFactory,
    PlacementFactory,
    WorkplaceFactory,
    make_personnummer,
)

pytestmark = pytest.mark.django_db

D = datetime.date
UPLOAD = reverse("placement_import:upload")
NEW_PERSON = make_personnummer(D(1990, 5, 17), 123)
EXISTING_PERSON = make_personnummer(D(1985, 2, 3), 456)
# A personnummer whose check digit is wrong.
BAD_PERSONNUMMER = NEW_PERSON[:-1] + str((int(NEW_PERSON[-1]) + 1) % 10)
ORIGINAL_NAME = "Anna Andersson 19900517.csv"


def csv_bytes(rows: list[dict[str, str]]) -> bytes:
    text = io.StringIO(newline="")
    writer = csv.DictWriter(text, fieldnames=COLUMNS)
    writer.writeheader()
    for row in rows:
        writer.writerow({column: row.get(column, "") for column in COLUMNS})
    return text.getvalue().encode()


def good_rows() -> list[dict[str, str]]:
    return [
        {
            "personnummer": NEW_PERSON,
            "first_name": "Amina",
            "last_name": "Warsame",
            "job_type": "basanstallning",
            "workplace": "Stadsbiblioteket",
            "start_date": "2019-01-07",
            "end_date": "2019-12-31",
            "followup_date": "2020-03-31",
            "followup_outcome": "studier",
        },
        {
            "personnummer": NEW_PERSON,
            "first_name": "Amina",
            "last_name": "Warsame",
            "job_type": "serviceassistent",
            "workplace": "Stadsbiblioteket",
            "start_date": "2020-02-03",
        },
        {
            "personnummer": EXISTING_PERSON,
            "first_name": "Erik",
            "last_name": "Lund",
            "job_type": "basanstallning",
            "workplace": "Parkförvaltningen",
            "start_date": "2019-03-04",
            "end_date": "2019-09-30",
        },
    ]


def bad_rows() -> list[dict[str, str]]:
    rows = good_rows()
    rows[0]["personnummer"] = BAD_PERSONNUMMER  # row 2
    rows[2]["end_date"] = "2019-01-31"  # row 4: before its start
    return rows


@pytest.fixture
def media(settings, tmp_path) -> Path:
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def admin_user():
    return AdminFactory(username="desk_admin")


@pytest.fixture
def existing():
    """The participant of the file's third row, with the placement that row updates."""
    participant = ParticipantFactory(
        personnummer=EXISTING_PERSON, first_name="Erik", last_name="Lund"
    )
    return PlacementFactory(
        participant=participant,
        start_date=D(2019, 3, 4),
        planned_end_date=D(2019, 12, 31),
        workplace=WorkplaceFactory(name="Parkförvaltningen"),
    )


@pytest.fixture
def admin_client(client, admin_user):
    client.force_login(admin_user)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


def upload(client, data: bytes, **fields):
    file = SimpleUploadedFile(ORIGINAL_NAME, data, content_type="text/csv")
    return client.post(UPLOAD, {"file": file, **fields})


def stored_files(media: Path) -> list[Path]:
    return sorted(path for path in media.rglob("*") if path.is_file())


def text(response) -> str:
    return html.unescape(response.content.decode())


def command_errors(tmp_path: Path, data: bytes) -> list[str]:
    path = tmp_path / "command.csv"
    path.write_bytes(data)
    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command("import_placements", str(path), stdout=io.StringIO(), stderr=err)
    path.unlink()
    return err.getvalue().splitlines()


# --- Who may ---------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["coach", "manager"])
def test_coach_and_manager_are_refused_the_import_pages(client, coach, manager, media, role):
    client.force_login({"coach": coach, "manager": manager}[role])
    placement_import = PlacementImport.objects.create(rows=1)
    pk = placement_import.pk

    assert client.get(UPLOAD).status_code == 403
    assert upload(client, csv_bytes(good_rows())).status_code == 403
    for name in ("detail", "status"):
        assert client.get(reverse(f"placement_import:{name}", args=[pk])).status_code == 403
    for name in ("start", "cancel"):
        assert client.post(reverse(f"placement_import:{name}", args=[pk])).status_code == 403
    assert PlacementImport.objects.get(pk=pk).status == ImportStatus.READY
    assert stored_files(media) == []


def test_anonymous_is_sent_to_log_in(client):
    response = client.get(UPLOAD)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_admin_sees_the_upload_form(admin_client):
    response = admin_client.get(UPLOAD)
    assert response.status_code == 200
    assert 'name="file"' in text(response)
    assert 'enctype="multipart/form-data"' in text(response)


# --- Checking the upload ---------------------------------------------------------------------


def test_an_upload_with_two_bad_rows_lists_both_as_the_command_does_and_writes_nothing(
    admin_client, media, existing, tmp_path
):
    data = csv_bytes(bad_rows())
    placements_before = Placement.objects.count()

    response = upload(admin_client, data)

    assert response.status_code == 400
    page = text(response)
    expected = command_errors(tmp_path, data)
    assert any(line.startswith("row 2: personnummer: ") for line in expected)
    assert any(line.startswith("row 4: end_date: ") for line in expected)
    for line in expected:
        assert line in page
    assert "Nothing was imported" in page
    assert Participant.objects.count() == 1
    assert Placement.objects.count() == placements_before
    assert not Workplace.objects.filter(name="Stadsbiblioteket").exists()
    assert not PlacementImport.objects.exists()
    assert stored_files(media) == []


def test_the_page_lists_the_first_problems_and_counts_the_rest(admin_client, media, monkeypatch):
    monkeypatch.setattr("core.csv_files.ERRORS_SHOWN", 2)
    rows = good_rows() * 2  # rows 5-7 repeat 2-4: three "same start date" problems
    rows[2]["end_date"] = "2019-01-31"  # and row 4's own

    response = upload(admin_client, csv_bytes(rows))

    page = text(response)
    assert response.status_code == 400
    assert page.count("<li>row ") == 2
    assert "…and 3 more problems." in page


def test_a_file_over_the_upload_limit_is_refused_with_the_limit_in_words(
    admin_client, media, settings
):
    settings.UPLOAD_MAX_MEGABYTES = 1
    data = csv_bytes(good_rows()) + b"x" * (1024 * 1024)

    response = upload(admin_client, data)

    assert response.status_code == 400
    assert "The file is larger than 1 MB" in text(response)
    assert not PlacementImport.objects.exists()
    assert stored_files(media) == []


def test_a_file_that_is_not_csv_text_is_one_clear_problem(admin_client, media):
    response = upload(admin_client, b"\xff\xfe\x00P\x00K")

    assert response.status_code == 400
    assert "row 1: file: the file is not UTF-8 text" in text(response)
    assert stored_files(media) == []


# --- Preview, confirm, import ----------------------------------------------------------------


def test_a_clean_upload_is_kept_under_a_random_name_and_previewed_without_writing(
    admin_client, media, existing
):
    placements_before = Placement.objects.count()

    response = upload(admin_client, csv_bytes(good_rows()))

    placement_import = PlacementImport.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("placement_import:detail", args=[placement_import.pk])
    (kept,) = stored_files(media)
    assert kept.parent.name == UPLOAD_DIRECTORY
    assert "Anna" not in kept.name and "19900517" not in kept.name
    assert kept.read_bytes() == csv_bytes(good_rows())
    assert placement_import.status == ImportStatus.READY
    assert placement_import.rows == 3
    assert Placement.objects.count() == placements_before
    assert not Participant.objects.filter(personnummer=NEW_PERSON).exists()

    page = text(admin_client.get(response["Location"]))
    assert 'data-count="participants_new">1<' in page
    assert 'data-count="participants_existing">1<' in page
    assert 'data-count="placements_new">2<' in page
    assert 'data-count="placements_existing">1<' in page
    assert 'data-count="workplaces_new">1<' in page
    # The first rows, personnummer masked as in every list.
    assert f"{NEW_PERSON[:8]}-****" in page
    assert NEW_PERSON not in page and NEW_PERSON[8:] not in page
    assert "Amina Warsame" in page
    assert reverse("placement_import:start", args=[placement_import.pk]) in page


def confirm(client, placement_import, capture):
    with capture(execute=True):
        return client.post(reverse("placement_import:start", args=[placement_import.pk]))


def test_confirming_imports_the_file_in_a_task_logs_it_and_deletes_the_file(
    admin_client, admin_user, media, existing, django_capture_on_commit_callbacks
):
    upload(admin_client, csv_bytes(good_rows()))
    placement_import = PlacementImport.objects.get()

    response = confirm(admin_client, placement_import, django_capture_on_commit_callbacks)

    assert response.status_code == 302
    placement_import.refresh_from_db()
    assert placement_import.status == ImportStatus.DONE
    assert (placement_import.progress, placement_import.stage) == (100, ImportStage.DONE)
    assert placement_import.result["placements_created"] == 2
    assert placement_import.result["placements_updated"] == 1
    new = Participant.objects.get(personnummer=NEW_PERSON)
    assert new.placements.count() == 2
    existing.refresh_from_db()
    assert existing.end_date == D(2019, 9, 30)
    assert FollowUp.objects.get(placement__participant=new, outcome="studier")
    # Logged as the command's import is, with the admin as the one who imported.
    summary = AccessLogEntry.objects.get(
        action=Action.BULK_CHANGE, object_type="placement", participant_id__isnull=True
    )
    assert summary.user == admin_user
    assert summary.detail.startswith("import of 3 rows")
    assert set(
        AccessLogEntry.objects.filter(
            action=Action.BULK_CHANGE, detail="placements import"
        ).values_list("participant_id", flat=True)
    ) == {new.pk, existing.participant_id}
    # The file and the preview's names are gone; the counts stay.
    assert stored_files(media) == []
    assert placement_import.file.name == ""
    assert placement_import.preview["first_rows"] == []
    assert placement_import.preview["placements_new"] == 2

    page = text(admin_client.get(response["Location"]))
    assert '<progress id="import-progress"' in page
    assert 'value="100"' in page
    assert "3 rows imported: 1 participants created" in page
    assert "hx-trigger" not in page


def test_a_task_that_fails_half_way_writes_nothing_and_deletes_the_file(
    admin_client, media, existing, monkeypatch, django_capture_on_commit_callbacks
):
    upload(admin_client, csv_bytes(good_rows()))
    placement_import = PlacementImport.objects.get()
    before = (Participant.objects.count(), Placement.objects.count(), Workplace.objects.count())
    # A batch per person; the second batch breaks after the first was written.
    monkeypatch.setattr(importer, "WRITE_BATCH", 1)
    real_write = importer._Writer.write
    calls = []

    def write_then_break(self, people):
        calls.append(len(people))
        if len(calls) == 2:
            raise RuntimeError("the worker lost its disk")
        return real_write(self, people)

    monkeypatch.setattr(importer._Writer, "write", write_then_break)

    confirm(admin_client, placement_import, django_capture_on_commit_callbacks)

    assert len(calls) == 2
    placement_import.refresh_from_db()
    assert placement_import.status == ImportStatus.FAILED
    assert placement_import.error == "RuntimeError"
    assert (
        Participant.objects.count(),
        Placement.objects.count(),
        Workplace.objects.count(),
    ) == before
    assert not AccessLogEntry.objects.filter(action=Action.BULK_CHANGE).exists()
    assert stored_files(media) == []
    page = text(admin_client.get(reverse("placement_import:detail", args=[placement_import.pk])))
    assert "nothing was imported" in page
    assert "the worker lost its disk" not in page


def test_problems_found_when_the_task_checks_again_are_listed_and_nothing_is_written(
    admin_client, media, existing, django_capture_on_commit_callbacks
):
    upload(admin_client, csv_bytes(good_rows()))
    placement_import = PlacementImport.objects.get()
    # Between the preview and the confirmation a coach records a placement the file overlaps.
    PlacementFactory(
        participant=existing.participant, start_date=D(2019, 6, 3), end_date=D(2019, 8, 30)
    )
    before = Placement.objects.count()

    confirm(admin_client, placement_import, django_capture_on_commit_callbacks)

    placement_import.refresh_from_db()
    assert placement_import.status == ImportStatus.FAILED
    assert placement_import.problem_count == 1
    assert placement_import.problems[0].startswith("row 4: end_date: overlaps the placement")
    assert Placement.objects.count() == before
    assert not Participant.objects.filter(personnummer=NEW_PERSON).exists()
    assert stored_files(media) == []
    page = text(admin_client.get(reverse("placement_import:detail", args=[placement_import.pk])))
    assert "checked again before writing" in page
    assert placement_import.problems[0] in page


def test_an_import_is_confirmed_once(
    admin_client, media, existing, django_capture_on_commit_callbacks
):
    upload(admin_client, csv_bytes(good_rows()))
    placement_import = PlacementImport.objects.get()
    confirm(admin_client, placement_import, django_capture_on_commit_callbacks)
    placements = Placement.objects.count()

    response = confirm(admin_client, placement_import, django_capture_on_commit_callbacks)

    assert response.status_code == 302
    assert Placement.objects.count() == placements
    page = text(admin_client.get(response["Location"]))
    assert "no longer waiting for confirmation" in page
    assert AccessLogEntry.objects.filter(detail__startswith="import of").count() == 1


def test_the_task_leaves_an_import_that_is_not_waiting_alone(media, existing, admin_user):
    placement_import = import_jobs.placement_import_upload(
        upload=SimpleUploadedFile("x.csv", csv_bytes(good_rows())),
        unit=None,
        uploaded_by=admin_user,
    )

    assert run_placement_import_task(placement_import.pk) == ImportStatus.READY
    assert not Participant.objects.filter(personnummer=NEW_PERSON).exists()
    assert len(stored_files(media)) == 1


def test_new_participants_go_to_the_unit_chosen(
    admin_client, media, unit, django_capture_on_commit_callbacks
):
    upload(admin_client, csv_bytes(good_rows()[:2]), unit=str(unit.pk))
    placement_import = PlacementImport.objects.get()

    confirm(admin_client, placement_import, django_capture_on_commit_callbacks)

    assert Participant.objects.get(personnummer=NEW_PERSON).unit == unit


def test_cancelling_deletes_the_file_and_imports_nothing(admin_client, media):
    upload(admin_client, csv_bytes(good_rows()[:2]))
    placement_import = PlacementImport.objects.get()

    response = admin_client.post(reverse("placement_import:cancel", args=[placement_import.pk]))

    assert response.status_code == 302
    placement_import.refresh_from_db()
    assert placement_import.status == ImportStatus.CANCELLED
    assert placement_import.preview["first_rows"] == []
    assert stored_files(media) == []
    assert not Participant.objects.exists()
    assert run_placement_import_task(placement_import.pk) == ImportStatus.CANCELLED
    assert not Participant.objects.exists()


# --- Progress ------------------------------------------------------------------------------


def test_while_the_import_waits_the_page_polls_its_progress_and_reloads_without_javascript(
    admin_client, media
):
    upload(admin_client, csv_bytes(good_rows()[:2]))
    placement_import = PlacementImport.objects.get()
    # Queued, but no worker has taken it yet (the commit hook is not run here).
    admin_client.post(reverse("placement_import:start", args=[placement_import.pk]))
    status_url = reverse("placement_import:status", args=[placement_import.pk])

    page = text(admin_client.get(reverse("placement_import:detail", args=[placement_import.pk])))

    assert f'hx-get="{status_url}"' in page
    assert '<noscript><meta http-equiv="refresh"' in page
    assert '<progress id="import-progress"' in page
    partial = text(admin_client.get(status_url))
    assert 'value="0"' in partial
    assert "Waiting for a worker" in partial


# Committed rows: on PostgreSQL the progress goes through a second connection, which sees
# only what is committed (as the page does).
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_import_reports_its_progress_on_the_row_stage_by_stage(media, admin_user, monkeypatch):
    monkeypatch.setattr(importer, "WRITE_BATCH", 1)
    placement_import = import_jobs.placement_import_upload(
        upload=SimpleUploadedFile("x.csv", csv_bytes(good_rows()[:2])),
        unit=None,
        uploaded_by=admin_user,
    )
    PlacementImport.objects.filter(pk=placement_import.pk).update(status=ImportStatus.QUEUED)
    seen = []
    real_call = import_jobs._ProgressRecorder.__call__

    def record(self, stage, done):
        real_call(self, stage, done)
        row = PlacementImport.objects.get(pk=self.pk)
        seen.append((row.stage, row.progress))

    monkeypatch.setattr(import_jobs._ProgressRecorder, "__call__", record)

    import_jobs.placement_import_run(import_id=placement_import.pk)

    assert [stage for stage, _progress in seen] == ["checking", "writing"]
    assert seen == [("checking", 50), ("writing", 99)]
    placement_import.refresh_from_db()
    assert (placement_import.stage, placement_import.progress) == ("done", 100)


# --- Clean-up ----------------------------------------------------------------------------------


def test_a_file_nobody_confirms_is_deleted_after_a_day(media, admin_user):
    with time_machine.travel(datetime.datetime(2026, 3, 2, 9, 0, tzinfo=datetime.UTC)):
        placement_import = import_jobs.placement_import_upload(
            upload=SimpleUploadedFile("x.csv", csv_bytes(good_rows()[:2])),
            unit=None,
            uploaded_by=admin_user,
        )
    with time_machine.travel(datetime.datetime(2026, 3, 3, 8, 0, tzinfo=datetime.UTC)):
        assert purge_placement_imports_task() == 0
    assert len(stored_files(media)) == 1

    with time_machine.travel(datetime.datetime(2026, 3, 3, 9, 30, tzinfo=datetime.UTC)):
        assert purge_placement_imports_task() == 1

    placement_import.refresh_from_db()
    assert placement_import.status == ImportStatus.EXPIRED
    assert placement_import.preview["first_rows"] == []
    assert stored_files(media) == []


def test_an_import_whose_worker_died_fails_and_its_file_goes(media, admin_user, settings):
    placement_import = import_jobs.placement_import_upload(
        upload=SimpleUploadedFile("x.csv", csv_bytes(good_rows()[:2])),
        unit=None,
        uploaded_by=admin_user,
    )
    long_ago = datetime.datetime(2020, 1, 1, tzinfo=datetime.UTC)
    PlacementImport.objects.filter(pk=placement_import.pk).update(
        status=ImportStatus.RUNNING, queued_at=long_ago
    )

    import_jobs.placement_imports_purge()

    placement_import.refresh_from_db()
    assert placement_import.status == ImportStatus.FAILED
    assert "worker was lost" in import_jobs.failure_reason(placement_import)
    assert stored_files(media) == []


def test_an_import_whose_file_is_missing_fails_with_a_reason(media, admin_user):
    placement_import = import_jobs.placement_import_upload(
        upload=SimpleUploadedFile("x.csv", csv_bytes(good_rows()[:2])),
        unit=None,
        uploaded_by=admin_user,
    )
    PlacementImport.objects.filter(pk=placement_import.pk).update(status=ImportStatus.QUEUED)
    for path in stored_files(media):
        path.unlink()

    assert run_placement_import_task(placement_import.pk) == ImportStatus.FAILED
    placement_import.refresh_from_db()
    assert "could not read the uploaded file" in import_jobs.failure_reason(placement_import)
    assert not Participant.objects.exists()


def test_the_beat_deletes_unconfirmed_uploads_every_hour():
    from celery.schedules import crontab

    from core.celery import app as celery_app

    entries = [
        entry
        for entry in celery_app.conf.beat_schedule.values()
        if entry["task"] == "casework.tasks.purge_placement_imports_task"
    ]

    assert len(entries) == 1
    assert entries[0]["schedule"] == crontab(minute=20)
    assert "casework.tasks.purge_placement_imports_task" in celery_app.tasks
