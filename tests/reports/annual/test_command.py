"""``manage.py annual_report YEAR``: the page's build, as a workbook or as JSON (DESIGN §5)."""

import io
import json

import pytest
import time_machine
from django.core.management import call_command
from django.core.management.base import CommandError

from reports.models import AnnualReport, SnapshotStatus
from reports.outcomes import outcome_report, suppress_report
from reports.periods import parse_period
from tests.helpers.reports import COHORT, YEAR, build_data_set

pytestmark = pytest.mark.django_db
GROUP_KEYS = {
    "ended",
    "followed_up",
    "work",
    "work_subsidised",
    "work_unsubsidised",
    "studies",
    "share_work_or_studies",
    "coverage",
}


def _json(*args: str) -> dict:
    out = io.StringIO()
    call_command(
        "annual_report", str(YEAR), "--format", "json", *args, stdout=out, stderr=io.StringIO()
    )
    return json.loads(out.getvalue())


@pytest.fixture
def report() -> dict:
    build_data_set()
    with time_machine.travel(f"{YEAR + 1}-02-01 12:00 +01:00", tick=False):
        return _json("--cohort-year", str(COHORT))


def test_json_lists_every_table_with_its_number_and_title(report):
    assert report["year"] == YEAR
    numbers = [table["number"] for table in report["tables"]]
    assert numbers[:3] == ["1", "2", "3"]
    assert all(
        table["title"].startswith(f"Tabell {table['number']}") for table in report["tables"][:3]
    )


def test_tables_2_and_3_rows_equal_the_suppressed_outcome_report_of_each_period(report):
    tables = {table["number"]: table for table in report["tables"]}
    for row in tables["2"]["rows"]:
        expected = suppress_report(outcome_report(parse_period(row["period"])))["total"]
        assert set(row) == GROUP_KEYS | {"period"}
        assert {key: row[key] for key in GROUP_KEYS} == {key: expected[key] for key in GROUP_KEYS}
    genders = set()
    for row in tables["3"]["rows"]:
        genders.add(row["gender"])
        exact = outcome_report(parse_period(row["period"]))["by_gender"][row["gender"]]
        shown = {key: row[key] for key in GROUP_KEYS}
        # Secondary suppression may hide more than the cell's own size would.
        if shown["followed_up"] != "<5":
            assert shown == {
                key: suppress_report({"total": exact})["total"][key] for key in GROUP_KEYS
            }
        else:
            assert shown["share_work_or_studies"] is None
    assert genders == {"kvinna", "man"}


def test_the_command_builds_the_same_row_the_page_shows(report):
    built = AnnualReport.objects.get(year=YEAR)
    assert built.status == SnapshotStatus.DONE
    assert built.built_cohort_year == COHORT
    assert bytes(built.xlsx).startswith(b"PK")


def test_out_writes_the_workbook(tmp_path):
    build_data_set()
    target = tmp_path / "report.xlsx"
    with time_machine.travel(f"{YEAR + 1}-02-01 12:00 +01:00", tick=False):
        call_command(
            "annual_report",
            str(YEAR),
            "--out",
            str(target),
            stdout=io.StringIO(),
            stderr=io.StringIO(),
        )

    assert target.read_bytes() == bytes(AnnualReport.objects.get(year=YEAR).xlsx)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["2999"], "has not begun"),
        (["nineteen"], "is not a year"),
        ([str(YEAR), "--format", "pdf"], "Unknown format"),
    ],
)
def test_bad_input_is_a_clear_error_and_builds_nothing(args, message):
    with pytest.raises(CommandError, match=message):
        call_command("annual_report", *args, stdout=io.StringIO(), stderr=io.StringIO())

    assert not AnnualReport.objects.exists()
