"""Checking a placements file without importing it: the import's own checks, and a preview."""

import csv
import datetime
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from casework import placement_import
from casework.placement_csv import COLUMNS
from casework.placement_import import ImportFailed, check_placements, import_placements
from placements.models import Placement, Workplace
from tests.factories import (
    ParticipantFactory,
    PlacementFactory,
    WorkplaceFactory,
    make_personnummer,
)

pytestmark = pytest.mark.django_db

D = datetime.date


def file_of(rows: list[dict[str, str]]) -> io.BytesIO:
    text = io.StringIO(newline="")
    writer = csv.DictWriter(text, fieldnames=COLUMNS)
    writer.writeheader()
    for row in rows:
        writer.writerow({column: row.get(column, "") for column in COLUMNS})
    return io.BytesIO(text.getvalue().encode())


def person_rows(n: int, workplace: str, **cells: str) -> dict[str, str]:
    return {
        "personnummer": make_personnummer(D(1980, 1, 1) + datetime.timedelta(days=n), n),
        "first_name": "Test",
        "last_name": f"Person {n}",
        "job_type": "basanstallning",
        "workplace": workplace,
        "start_date": "2020-01-06",
        **cells,
    }


def test_the_check_finds_exactly_the_problems_the_import_finds_and_writes_nothing():
    rows = [
        person_rows(1, "Biblioteket", end_date="2019-12-31"),
        person_rows(2, "Biblioteket", job_type="okand"),
        person_rows(3, "", followup_outcome="studier"),
    ]
    with pytest.raises(ImportFailed) as checked:
        check_placements(file_of(rows))
    with pytest.raises(ImportFailed) as imported:
        import_placements(file_of(rows))

    assert [str(error) for error in checked.value.errors] == [
        str(error) for error in imported.value.errors
    ]
    assert len(checked.value.errors) == 5
    assert not Workplace.objects.exists()


def test_the_preview_counts_what_the_import_then_does(monkeypatch):
    # Two people per check batch: a workplace named in several batches counts once.
    monkeypatch.setattr(placement_import, "CHECK_BATCH", 2)
    WorkplaceFactory(name="Finns redan")
    existing = ParticipantFactory(personnummer=person_rows(1, "")["personnummer"])
    PlacementFactory(participant=existing, start_date=D(2020, 1, 6))
    rows = [
        person_rows(n, "Ny arbetsplats" if n % 2 else "Finns redan", end_date="2020-06-30")
        for n in range(1, 7)
    ]
    rows[1]["followup_date"], rows[1]["followup_outcome"] = "2020-09-30", "studier"

    with CaptureQueriesContext(connection) as queries:
        preview = check_placements(file_of(rows))

    assert not [q for q in queries if q["sql"].lstrip().upper().startswith(("INSERT", "UPDATE"))]
    assert (preview.rows, preview.participants_new, preview.participants_existing) == (6, 5, 1)
    assert (preview.placements_new, preview.placements_existing) == (5, 1)
    assert (preview.workplaces_new, preview.followups_given) == (1, 1)
    assert [row.row for row in preview.first_rows] == [2, 3, 4, 5, 6, 7]
    first = preview.first_rows[0]
    assert first.personnummer.endswith("-****")
    assert (first.new_participant, first.new_placement) == (False, False)
    assert preview.first_rows[1].new_participant and preview.first_rows[1].new_placement

    result = import_placements(file_of(rows))

    assert (result.participants_created, result.placements_created) == (5, 5)
    assert result.placements_updated == 1
    assert result.workplaces_created == 1
    assert Placement.objects.count() == 6


def test_the_preview_shows_the_first_rows_only(monkeypatch):
    monkeypatch.setattr(placement_import, "PREVIEW_ROWS", 3)
    rows = [person_rows(n, "Biblioteket") for n in range(1, 8)]

    preview = check_placements(file_of(rows))

    assert preview.rows == 7
    assert [row.row for row in preview.first_rows] == [2, 3, 4]
