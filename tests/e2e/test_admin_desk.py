"""The admin's day at the desk in a real browser: a placements file with two bad rows is
refused row by row, the corrected file is previewed and imported with its progress bar, and
a survey round is created with its invitations in one step.

With PostgreSQL and Redis (CI), a real Celery worker imports the file, as in production, and
the page follows it by polling; elsewhere the task runs in the web process. The browser asks
for English, so the assertions read the source text.
"""

import csv
import datetime
import io
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.utils import timezone
from playwright.sync_api import expect

from casework.models import UPLOAD_DIRECTORY, ImportStatus, PlacementImport
from casework.placement_csv import COLUMNS
from participants.models import Participant
from placements.models import Placement
from survey.models import SurveyInvitation, SurveyRound
from tests.factories import AdminFactory, make_personnummer
from tests.helpers import IN_CI
from tests.helpers.browser import accessibility_violations, log_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

D = datetime.date
AMINA = make_personnummer(D(1991, 4, 23), 386)
JONAS = make_personnummer(D(1978, 11, 2), 517)
PHONE_WIDTH = 390


@pytest.fixture
def browser_locale() -> str:
    return "en-GB"


@pytest.fixture
def import_runner(request) -> str:
    """A real worker where CI has one's services (PostgreSQL, Redis); in-process elsewhere."""
    has_services = connection.vendor == "postgresql" and settings.CELERY_BROKER_URL.startswith(
        "redis://"
    )
    if has_services or IN_CI:
        request.getfixturevalue("celery_worker_process")
        request.getfixturevalue("real_broker")
        return "worker"
    return "in-process"


@pytest.fixture
def uploads_removed():
    """Files this test leaves in the uploads directory (only if it fails half-way) go."""
    directory = Path(settings.MEDIA_ROOT) / UPLOAD_DIRECTORY
    before = set(kept_files(directory))
    yield directory
    for path in set(kept_files(directory)) - before:
        path.unlink()


def placements_csv(*, broken: bool) -> bytes:
    rows = [
        [AMINA, "Amina", "Warsame", "", "basanstallning", "Stadsbiblioteket", "",
         "2024-01-08", "2024-12-31", "", "2025-03-31", "studier"],
        [AMINA, "Amina", "Warsame", "", "serviceassistent", "Stadsbiblioteket", "",
         "2025-02-03", "", "", "", ""],
        [JONAS, "Jonas", "Berg", "", "stockholmsvard", "Parkförvaltningen", "",
         "2025-03-03", "", "", "", ""],
    ]  # fmt: skip
    if broken:
        rows[0][0] = AMINA[:-1] + str((int(AMINA[-1]) + 1) % 10)  # row 2: wrong check digit
        rows[2][4] = "lokalvardare"  # row 4: no such job type
    text = io.StringIO(newline="")
    writer = csv.writer(text, delimiter=";")
    writer.writerow(COLUMNS)
    writer.writerows(rows)
    return ("\ufeff" + text.getvalue()).encode()


def kept_files(directory: Path) -> list[Path]:
    return sorted(directory.glob("*")) if directory.exists() else []


def choose_file(page, data: bytes) -> None:
    page.locator("#id_file").set_input_files(
        {"name": "placeringar.csv", "mimeType": "text/csv", "buffer": data}
    )


def fits_a_phone(page) -> bool:
    page.set_viewport_size({"width": PHONE_WIDTH, "height": 844})
    try:
        return page.evaluate("document.documentElement.scrollWidth") <= PHONE_WIDTH
    finally:
        page.set_viewport_size({"width": 1280, "height": 800})


def test_an_admin_imports_placements_and_creates_a_survey_round_from_the_desk(
    browser_page, live_server, import_runner, uploads_removed
):
    AdminFactory(username="systemadmin")
    page = browser_page

    # --- The desk ----------------------------------------------------------------------------
    log_in(page, live_server, "systemadmin", "correct horse battery")
    page.wait_for_url(f"{live_server.url}/desk/")
    assert accessibility_violations(page) == []
    page.locator("#desk-import").click()
    page.wait_for_url(f"{live_server.url}/desk/import/")

    # --- A file with two bad rows: both listed, nothing written, nothing kept ------------------
    choose_file(page, placements_csv(broken=True))
    page.locator("#import-form button[type='submit']").click()
    problems = page.locator("#import-problems")
    expect(problems).to_be_visible()
    expect(problems).to_contain_text("row 2: personnummer:")
    expect(problems).to_contain_text("row 4: job_type: unknown job type “lokalvardare”")
    assert problems.locator("li").count() == 2
    assert not Participant.objects.exists()
    assert not PlacementImport.objects.exists()
    assert kept_files(uploads_removed) == []
    assert accessibility_violations(page) == []
    # The refused upload is answered 400, which the browser's console reports; nothing else.
    assert page.console_errors == [
        "Failed to load resource: the server responded with a status of 400 (Bad Request)"
    ]
    page.console_errors.clear()

    # --- The corrected file: previewed, then imported with a progress bar ---------------------
    choose_file(page, placements_csv(broken=False))
    page.locator("#import-form button[type='submit']").click()
    page.wait_for_url(f"{live_server.url}/desk/import/*/")
    expect(page.locator('[data-count="participants_new"]')).to_have_text("2")
    expect(page.locator('[data-count="placements_new"]')).to_have_text("3")
    expect(page.locator("#preview-rows")).to_contain_text(f"{AMINA[:8]}-****")
    assert AMINA not in page.content()
    assert not Participant.objects.exists()
    assert accessibility_violations(page) == []
    assert fits_a_phone(page)

    page.locator("#start-form button[type='submit']").click()
    progress = page.locator("progress#import-progress")
    expect(progress).to_be_visible()
    expect(page.locator("#import-status")).to_have_attribute("data-status", "done", timeout=60_000)
    expect(progress).to_have_attribute("value", "100")
    expect(page.locator("#import-result")).to_contain_text(
        "3 rows imported: 2 participants created"
    )
    placement_import = PlacementImport.objects.get()
    assert placement_import.status == ImportStatus.DONE
    assert Placement.objects.filter(participant__personnummer=AMINA).count() == 2
    assert kept_files(uploads_removed) == []
    assert accessibility_violations(page) == []

    # --- A survey round and its invitations in one step --------------------------------------
    page.goto(f"{live_server.url}/desk/")
    page.locator("#desk-survey-rounds").click()
    page.wait_for_url(f"{live_server.url}/desk/survey-rounds/")
    today = timezone.localdate()
    page.locator("#id_name").fill("Höstrundan")
    page.locator("#id_opens_on").fill(today.isoformat())
    page.locator("#id_closes_on").fill((today + datetime.timedelta(days=30)).isoformat())
    page.locator("#round-form button[type='submit']").click()
    page.wait_for_url(f"{live_server.url}/desk/survey-rounds/")
    expect(page.locator(".messages")).to_contain_text(
        "The round Höstrundan was created and 2 participants invited."
    )
    survey_round = SurveyRound.objects.get(name="Höstrundan")
    row = page.locator(f'tr[data-round="{survey_round.pk}"]')
    expect(row.locator('[data-count="invitations"]')).to_have_text("2")
    assert SurveyInvitation.objects.filter(survey_round=survey_round).count() == 2
    assert accessibility_violations(page) == []
    assert fits_a_phone(page)
    assert page.console_errors == []
    assert page.external_requests == []
