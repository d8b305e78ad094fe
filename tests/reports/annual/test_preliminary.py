"""The current year's report is preliminary; a year that has not begun is not offered."""

import datetime
import io

import pytest
import time_machine
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse
from openpyxl import load_workbook

from reports.annual.build import annual_report_build, compute_tables
from reports.annual.services import annual_report_request
from reports.models import AnnualReport
from tests.helpers.reports import placement

pytestmark = pytest.mark.django_db

D = datetime.date
TODAY = "2026-11-20 12:00 +01:00"
LONG_TARGET_GROUP = (
    "Personer som har haft försörjningsstöd i minst tolv månader och som behöver "
    "en anpassad arbetsplats med handledning för att komma vidare till arbete eller studier"
)


@pytest.fixture
def data():
    placement("basanstallning", D(2025, 3, 1), D(2025, 11, 30))
    placement("basanstallning", D(2026, 2, 1), None)
    # Planned to start next year: not data for a report of 2027.
    placement("ungdomsanstallning", D(2027, 2, 1), None)


def test_no_year_after_the_current_one_is_offered_or_built(client, admin_user, data):
    client.force_login(admin_user)
    with time_machine.travel(TODAY, tick=False):
        page = client.get(reverse("annual:index"))
        posted = client.post(reverse("annual:build"), {"year": "2027"})
        with pytest.raises(CommandError, match="2027 has not begun"):
            call_command("annual_report", "2027", stdout=io.StringIO(), stderr=io.StringIO())

    assert [year for year, _label in page.context["form"].fields["year"].choices] == [2026, 2025]
    assert posted.status_code == 302
    assert not AnnualReport.objects.exists()


def test_a_report_of_the_current_year_says_preliminary_with_its_as_at_date(
    client, admin_user, data
):
    with time_machine.travel(TODAY, tick=False):
        current = compute_tables(2026)
        last_year = compute_tables(2025)
        report = annual_report_build(report_id=annual_report_request(year=2026).pk)
        client.force_login(admin_user)
        card = client.get(reverse("annual:status"), {"year": 2026}).content.decode()
        printed = client.get(reverse("annual:print"), {"year": 2026}).content.decode()

    note = "Preliminär: uppgifterna gäller per 2026-11-20"
    assert all(note in table.subtitle for table in current)
    assert not any("Preliminär" in table.subtitle for table in last_year)
    assert report.is_preliminary
    assert 'class="badge' in card
    assert "(preliminär, per 2026-11-20)" in printed
    book = load_workbook(io.BytesIO(bytes(report.xlsx)))
    assert note in book["Tabell 1"]["A2"].value


def test_a_report_built_after_new_year_is_final():
    placement("basanstallning", D(2025, 3, 1), D(2025, 11, 30))
    with time_machine.travel("2026-01-02 09:00 +01:00", tick=False):
        report = annual_report_build(report_id=annual_report_request(year=2025).pk)
    assert not report.is_preliminary
    assert "Preliminär" not in repr(report.tables)


def test_table_1s_long_texts_wrap_in_the_workbook():
    from placements.models import JobType

    JobType.objects.filter(code="basanstallning").update(target_group=LONG_TARGET_GROUP)
    placement("basanstallning", D(2025, 3, 1), D(2025, 11, 30))
    with time_machine.travel("2026-02-01 09:00 +01:00", tick=False):
        report = annual_report_build(report_id=annual_report_request(year=2025).pk)
    sheet = load_workbook(io.BytesIO(bytes(report.xlsx)))["Tabell 1"]

    cells = [cell for row in sheet.iter_rows() for cell in row if cell.value == LONG_TARGET_GROUP]
    assert cells, "the target group is in table 1 in full"
    assert all(cell.alignment.wrap_text for cell in cells)
