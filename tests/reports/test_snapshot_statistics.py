"""A fresh snapshot's cells are known to PostgreSQL's planner as soon as they are written."""

import pytest
from django.db import connection

from reports.models import OutcomeCell, OutcomeSnapshot
from reports.snapshots import snapshot_compute
from tests.helpers.reports import load, random_rows

pytestmark = pytest.mark.django_db


def planner_rows() -> float:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT reltuples FROM pg_class WHERE relname = %s", [OutcomeCell._meta.db_table]
        )
        return cursor.fetchone()[0]


def test_computing_a_snapshot_refreshes_the_planners_statistics_of_its_cells(postgres):
    load(random_rows(seed=31, placements=60))
    snapshot_compute(snapshot_id=OutcomeSnapshot.objects.create().pk)
    # ANALYZE counts the rows this transaction wrote; without it the planner
    # would take the new snapshot for one row and sort its cells on disk.
    assert planner_rows() == OutcomeCell.objects.count() > 0
