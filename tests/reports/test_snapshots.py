"""Snapshots hold the same figures as the live engine, for every period and filter."""

import datetime

import pytest
from django.db.models import Q

from placements.models import JobType, Placement
from reports.models import OutcomeCell, OutcomeSnapshot, SnapshotStatus
from reports.outcomes import age_group_expression, outcome_report
from reports.periods import custom_period, parse_period
from reports.selectors import DashboardFilters, cells, counts_per_period, latest_snapshot
from reports.services import snapshot_request
from reports.snapshots import KEEP_SNAPSHOTS, snapshot_compute
from reports.tasks import scheduled_snapshot_task
from tests.helpers.reports import load, random_rows

pytestmark = pytest.mark.django_db

PERIODS = ["T1-2019", "T2-2019", "VB-2019", "T1-2020", "T2-2020", "VB-2020", "T2-2021"]


@pytest.fixture
def data_set():
    load(random_rows(seed=1848, placements=180))


def as_dict(counts) -> dict:
    return counts.as_dict()


def test_a_requested_snapshot_is_computed_and_becomes_the_latest(
    data_set, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        snapshot = snapshot_request()
    snapshot.refresh_from_db()
    assert snapshot.status == SnapshotStatus.DONE
    assert snapshot.finished_at is not None
    assert snapshot.placements == Placement.objects.filter(end_date__isnull=False).count()
    assert snapshot.cells == OutcomeCell.objects.filter(snapshot=snapshot).count() > 0
    assert latest_snapshot() == snapshot


def test_the_snapshot_gives_the_engines_figures_for_every_period_and_breakdown(
    data_set, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        snapshot = snapshot_request()
    periods = [parse_period(label) for label in PERIODS]
    qs = cells(snapshot, DashboardFilters())
    total = counts_per_period(qs, periods)["total"]
    by_gender = counts_per_period(qs, periods, group_by="gender")
    by_job_type = counts_per_period(qs, periods, group_by="job_type__code")
    by_age = counts_per_period(qs, periods, group_by="age_group")
    for index, period in enumerate(periods):
        report = outcome_report(period)
        assert as_dict(total[index]) == report["total"], period.label
        for gender, expected in report["by_gender"].items():
            got = by_gender[gender][index].as_dict() if gender in by_gender else None
            assert (got or _zero()) == expected, (period.label, gender)
        for code, expected in report["by_job_type"].items():
            got = by_job_type[code][index].as_dict() if code in by_job_type else None
            assert (got or _zero()) == expected, (period.label, code)
        for group, expected in report["by_age_group"].items():
            got = by_age[group][index].as_dict() if group in by_age else None
            assert (got or _zero()) == expected, (period.label, group)


def _zero() -> dict:
    from reports.outcomes import OutcomeCounts

    return OutcomeCounts().as_dict()


def test_filtered_snapshot_figures_match_the_engine_on_the_same_placements(
    data_set, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        snapshot = snapshot_request()
    period = parse_period("VB-2020")
    job_type = JobType.objects.get(code="basanstallning")
    placements = Placement.objects.annotate(age=age_group_expression())
    cases = [
        (DashboardFilters(job_type=job_type), Q(job_type=job_type)),
        (DashboardFilters(setting="adapted"), Q(workplace__setting="adapted")),
        (DashboardFilters(age_group="30+"), Q(age="30+")),
        (
            DashboardFilters(job_type=job_type, age_group="<30"),
            Q(job_type=job_type, age="<30"),
        ),
    ]
    for filters, condition in cases:
        (got,) = counts_per_period(cells(snapshot, filters), [period])["total"]
        expected = outcome_report(period, placements=placements.filter(condition))["total"]
        assert got.as_dict() == expected, filters


def test_a_units_figures_count_only_that_units_placements(
    data_set, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        snapshot = snapshot_request()
    placement = (
        Placement.objects.filter(end_date__isnull=False).select_related("participant").first()
    )
    unit_id = placement.participant.unit_id
    period = custom_period(datetime.date(2010, 1, 1), datetime.date(2040, 12, 31))
    (got,) = counts_per_period(cells(snapshot, DashboardFilters(unit_id=unit_id)), [period])[
        "total"
    ]
    expected = outcome_report(
        period, placements=Placement.objects.filter(participant__unit_id=unit_id)
    )
    assert got.as_dict() == expected["total"]


def test_computing_twice_changes_nothing_and_old_snapshots_are_pruned(data_set):
    snapshots = [OutcomeSnapshot.objects.create() for _ in range(KEEP_SNAPSHOTS + 1)]
    for snapshot in snapshots:
        snapshot_compute(snapshot_id=snapshot.pk)
    last = snapshots[-1]
    cells_before = OutcomeCell.objects.filter(snapshot=last).count()
    snapshot_compute(snapshot_id=last.pk)
    assert OutcomeCell.objects.filter(snapshot=last).count() == cells_before
    assert OutcomeSnapshot.objects.count() == KEEP_SNAPSHOTS
    assert not OutcomeSnapshot.objects.filter(pk=snapshots[0].pk).exists()


def test_the_hourly_task_queues_a_snapshot_that_is_computed_after_commit(
    data_set, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        snapshot_id = scheduled_snapshot_task()
    snapshot = OutcomeSnapshot.objects.get(pk=snapshot_id)
    assert snapshot.status == SnapshotStatus.DONE
    assert snapshot.requested_by is None
    assert snapshot.placements == Placement.objects.filter(end_date__isnull=False).count()


def test_a_failed_computation_is_recorded_and_the_last_snapshot_stays(data_set, monkeypatch):
    good = OutcomeSnapshot.objects.create()
    snapshot_compute(snapshot_id=good.pk)
    bad = OutcomeSnapshot.objects.create()

    def broken(snapshot_id):
        raise RuntimeError("disk full")

    monkeypatch.setattr("reports.snapshots._write_cells", broken)
    with pytest.raises(RuntimeError):
        snapshot_compute(snapshot_id=bad.pk)
    bad.refresh_from_db()
    assert bad.status == SnapshotStatus.FAILED
    assert "disk full" in bad.error
    assert latest_snapshot() == good


def test_a_broker_that_is_down_marks_the_snapshot_failed_and_keeps_the_last(
    data_set, monkeypatch, django_capture_on_commit_callbacks
):
    good = OutcomeSnapshot.objects.create()
    snapshot_compute(snapshot_id=good.pk)

    def refuse(*args, **kwargs):
        raise ConnectionRefusedError("broker down")

    monkeypatch.setattr("reports.tasks.compute_snapshot_task.delay", refuse)
    with django_capture_on_commit_callbacks(execute=True):
        pending = snapshot_request()
    pending.refresh_from_db()
    assert pending.status == SnapshotStatus.FAILED
    assert "Could not queue" in pending.error
    assert latest_snapshot() == good


def test_snapshot_computation_runs_the_same_queries_whatever_the_data_size():
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from participants.models import Participant, Unit

    # Figures are kept per unit: hold the units fixed and let only the placements grow.
    load(random_rows(seed=7, placements=20))
    unit = Unit.objects.first()
    Participant.objects.update(unit=unit)
    with CaptureQueriesContext(connection) as small:
        snapshot_compute(snapshot_id=OutcomeSnapshot.objects.create().pk)
    load(random_rows(seed=8, placements=120))
    Participant.objects.update(unit=unit)
    with CaptureQueriesContext(connection) as large:
        snapshot_compute(snapshot_id=OutcomeSnapshot.objects.create().pk)

    def counted(queries) -> int:
        # SQLite splits bulk inserts into batches of 999 parameters; the figures
        # written depend on periods and groups, not placements.
        return sum(
            1 for q in queries if not q["sql"].startswith('INSERT INTO "reports_periodfigure"')
        )

    assert counted(small.captured_queries) == counted(large.captured_queries) < 25


def test_rolled_up_period_figures_equal_the_cells_for_all_units_and_each_unit(
    data_set, django_capture_on_commit_callbacks
):
    from reports.selectors import CellFigures, PeriodFigures

    with django_capture_on_commit_callbacks(execute=True):
        snapshot = snapshot_request()
    periods = [parse_period(label) for label in PERIODS]
    unit_id = Placement.objects.filter(end_date__isnull=False).values_list(
        "participant__unit_id", flat=True
    )[0]
    for scope in (None, unit_id):
        rolled = PeriodFigures(snapshot, scope)
        live = CellFigures(cells(snapshot, DashboardFilters(unit_id=scope)))
        for group_by in (None, "gender", "job_type"):
            expected = live.counts(periods, group_by=group_by)
            got = rolled.counts(periods, group_by=group_by)
            for key, series in expected.items():
                nonzero = [c.as_dict() for c in series]
                assert [c.as_dict() for c in got.get(key, [])] == nonzero or (
                    all(c.ended == 0 for c in series) and key not in got
                ), (scope, group_by, key)
