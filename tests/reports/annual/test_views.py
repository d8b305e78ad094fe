"""The annual report's pages: admins only, a build through the task, progress, downloads."""

import datetime
import io
import re
import zipfile

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from audit.models import AccessLogEntry, Action
from reports.annual import build
from reports.annual.build import annual_report_build
from reports.annual.services import annual_report_request
from reports.models import AnnualReport, AnnualReportStep, SnapshotStatus
from tests.factories import AdminFactory, CoachFactory, ManagerFactory
from tests.helpers.reports import COHORT, YEAR, build_data_set, placement

pytestmark = pytest.mark.django_db

D = datetime.date

PAGES = [
    ("get", "/reports/"),
    ("post", "/reports/build/"),
    ("get", f"/reports/status/?year={YEAR}"),
    ("get", f"/reports/download/xlsx/?year={YEAR}"),
    ("get", f"/reports/download/csv/?year={YEAR}"),
    ("get", f"/reports/print/?year={YEAR}"),
]


@pytest.fixture
def admin():
    return AdminFactory(username="utredare")


@pytest.fixture
def built(admin) -> AnnualReport:
    build_data_set()
    report = annual_report_request(year=YEAR, cohort_year=COHORT, requested_by=admin)
    return annual_report_build(report_id=report.pk)


def test_the_page_has_the_url_it_was_given():
    assert reverse("annual:index") == "/reports/"


@pytest.mark.parametrize(("method", "url"), PAGES)
def test_anonymous_visitors_are_sent_to_log_in(client, method, url):
    response = getattr(client, method)(url)

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize("role", ["coach", "manager"])
@pytest.mark.parametrize(("method", "url"), PAGES)
def test_coaches_and_managers_are_refused(client, built, unit, role, method, url):
    factory = CoachFactory if role == "coach" else ManagerFactory
    client.force_login(factory(unit=unit))

    response = getattr(client, method)(url, {"year": YEAR} if method == "post" else None)

    assert response.status_code == 403
    assert AnnualReport.objects.get().status == SnapshotStatus.DONE  # nothing rebuilt


@time_machine.travel(datetime.datetime(2022, 6, 1, 12, 0, tzinfo=datetime.UTC), tick=False)
def test_an_admin_sees_the_years_with_data_and_the_last_full_year_chosen(client, admin):
    placement("basanstallning", D(2020, 3, 1), D(2021, 2, 1))
    placement("basanstallning", D(2022, 3, 1), None)
    client.force_login(admin)

    response = client.get("/reports/")

    assert response.status_code == 200
    html = response.content.decode()
    options = re.findall(r'<option value="(\d{4})"( selected)?>', html)
    assert options == [("2022", ""), ("2021", " selected"), ("2020", "")]
    assert 'action="/reports/build/"' in html


def test_building_runs_the_task_after_the_commit_and_the_status_says_done(
    client, admin, django_capture_on_commit_callbacks
):
    build_data_set()
    client.force_login(admin)

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.post("/reports/build/", {"year": YEAR})
    report = AnnualReport.objects.get(year=YEAR)

    assert response.status_code == 302
    assert response["Location"] == f"/reports/#annual-report-{YEAR}"
    assert len(callbacks) == 1  # the task waits for the commit
    assert report.status == SnapshotStatus.QUEUED
    assert report.requested_by == admin
    assert report.cohort_year == YEAR - 4
    waiting = client.get(f"/reports/status/?year={YEAR}").content.decode()
    assert 'data-status="queued"' in waiting
    assert 'hx-trigger="every 2s"' in waiting
    assert re.search(r'<progress [^>]*max="100" value="0"', waiting)

    callbacks[0]()  # the commit: the task runs (eagerly in the tests)

    report.refresh_from_db()
    assert report.status == SnapshotStatus.DONE
    assert (report.progress, report.step) == (100, AnnualReportStep.DONE)
    assert report.built_cohort_year == YEAR - 4
    done = client.get(f"/reports/status/?year={YEAR}").content.decode()
    assert 'data-status="done"' in done
    assert "hx-trigger" not in done  # the polling stops
    assert f'href="/reports/download/xlsx/?year={YEAR}"' in done
    assert f'href="/reports/download/csv/?year={YEAR}"' in done
    assert f'href="/reports/print/?year={YEAR}"' in done


def test_a_year_without_placements_cannot_be_built(client, admin):
    client.force_login(admin)

    response = client.post("/reports/build/", {"year": 1999})

    assert response.status_code == 302
    assert not AnnualReport.objects.exists()


def test_the_page_shows_the_progress_of_a_running_build(client, admin):
    AnnualReport.objects.create(
        year=YEAR,
        cohort_year=YEAR - 4,
        requested_at=timezone.now(),
        status=SnapshotStatus.RUNNING,
        progress=50,
        step=AnnualReportStep.REGISTER,
    )
    client.force_login(admin)

    html = client.get("/reports/").content.decode()

    assert re.search(r'<progress [^>]*max="100" value="50"', html)
    assert f'hx-get="/reports/status/?year={YEAR}"' in html


@pytest.mark.parametrize(
    ("kind", "content_type", "filename"),
    [
        (
            "xlsx",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            "stockholmsjobb-arsrapport-2023.xlsx",
        ),
        ("csv", "application/zip", "stockholmsjobb-arsrapport-2023-csv.zip"),
    ],
)
def test_a_download_is_logged_with_the_year_and_kind_and_no_participant(
    client, admin, built, kind, content_type, filename
):
    client.force_login(admin)

    response = client.get(f"/reports/download/{kind}/?year={YEAR}")

    assert response.status_code == 200
    assert response["Content-Type"] == content_type
    assert response["Content-Disposition"] == f'attachment; filename="{filename}"'
    assert zipfile.ZipFile(io.BytesIO(response.content)).testzip() is None
    if kind == "xlsx":
        assert response.content == bytes(built.xlsx)
    entry = AccessLogEntry.objects.filter(action=Action.EXPORT).get()
    assert entry.participant_id is None
    assert entry.user_id == admin.pk
    assert entry.detail == f"annual report {YEAR}: {kind}"
    assert (entry.object_type, entry.object_id) == ("annualreport", built.pk)


def test_the_print_page_is_logged_and_has_its_own_print_styles(client, admin, built):
    client.force_login(admin)

    response = client.get(f"/reports/print/?year={YEAR}")

    assert response.status_code == 200
    html = response.content.decode()
    assert "/static/css/annual_print.css" in html
    assert html.count('class="report-table"') == 10
    assert "<script>" not in html and " style=" not in html
    assert AccessLogEntry.objects.get(action=Action.EXPORT).detail == f"annual report {YEAR}: html"


@pytest.mark.parametrize(
    "url",
    [
        "/reports/download/xlsx/?year=2019",
        "/reports/download/pdf/?year=2023",
        "/reports/download/xlsx/",
        "/reports/print/?year=x",
        "/reports/status/?year=2019",
    ],
)
def test_a_report_or_file_that_does_not_exist_is_a_404(client, admin, built, url):
    client.force_login(admin)

    assert client.get(url).status_code == 404
    assert not AccessLogEntry.objects.filter(action=Action.EXPORT).exists()


def test_the_previous_files_stay_while_a_rebuild_runs_and_after_it_fails(
    client, admin, built, monkeypatch, django_capture_on_commit_callbacks
):
    client.force_login(admin)
    before = bytes(built.xlsx)

    with django_capture_on_commit_callbacks(execute=False):
        client.post("/reports/build/", {"year": YEAR})
    built.refresh_from_db()
    assert built.status == SnapshotStatus.QUEUED
    assert client.get(f"/reports/download/xlsx/?year={YEAR}").content == before

    def broken(year: int):
        raise RuntimeError("the database went away")

    monkeypatch.setattr(build, "places_table", broken)
    with pytest.raises(RuntimeError):
        annual_report_build(report_id=built.pk)

    built.refresh_from_db()
    assert built.status == SnapshotStatus.FAILED
    assert built.error == "RuntimeError: the database went away"
    assert bytes(built.xlsx) == before
    assert client.get(f"/reports/download/xlsx/?year={YEAR}").content == before
    card = client.get(f"/reports/status/?year={YEAR}").content.decode()
    assert 'data-status="failed"' in card
    assert f'href="/reports/download/xlsx/?year={YEAR}"' in card


def test_asking_again_while_a_build_waits_sends_no_second_task(
    admin, django_capture_on_commit_callbacks
):
    build_data_set()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        first = annual_report_request(year=YEAR, requested_by=admin)
        second = annual_report_request(year=YEAR, requested_by=admin)

    assert first.pk == second.pk
    assert len(callbacks) == 1


def test_a_finished_build_run_again_changes_nothing(built):
    finished = built.finished_at

    again = annual_report_build(report_id=built.pk)

    assert again.finished_at == finished
    assert again.status == SnapshotStatus.DONE


def test_a_build_whose_worker_was_lost_is_shown_failed_and_a_new_request_queues_one(
    client, admin, settings, django_capture_on_commit_callbacks
):
    build_data_set()
    lost = AnnualReport.objects.create(
        year=YEAR,
        cohort_year=YEAR - 4,
        requested_at=timezone.now()
        - datetime.timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT + 60),
        status=SnapshotStatus.RUNNING,
        progress=5,
        step=AnnualReportStep.PLACES,
    )
    client.force_login(admin)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"

    html = client.get("/reports/").content.decode()

    lost.refresh_from_db()
    assert lost.status == SnapshotStatus.FAILED
    assert "its worker was lost" in html
    assert not re.search(r"<progress ", html)

    with django_capture_on_commit_callbacks(execute=True):
        client.post("/reports/build/", {"year": YEAR})

    lost.refresh_from_db()
    # Tasks run eagerly here: the new build has run to the end.
    assert lost.status == SnapshotStatus.DONE


def test_a_running_build_within_its_time_limit_is_left_alone(client, admin):
    running = AnnualReport.objects.create(
        year=YEAR,
        cohort_year=YEAR - 4,
        requested_at=timezone.now(),
        status=SnapshotStatus.RUNNING,
        progress=5,
        step=AnnualReportStep.PLACES,
    )
    client.force_login(admin)

    client.get("/reports/")

    running.refresh_from_db()
    assert running.status == SnapshotStatus.RUNNING
