"""The managers' dashboard as data: tables and chart series built from the latest snapshot.

Views render it as HTML or CSV; both show the same suppressed cells, and the
chart data has null where a table shows "<5".

Which tables are protected, and why (``reports.disclosure`` has the rules):

- The outcome tables (shares per period with women and men; the
  outcome mix; outcomes per job type; the headline) show outcome counts of
  placements and totals beside their parts, and can be filtered: every cell
  goes through small-cell, small-difference and secondary suppression.
- Places in use against target, and overdue follow-ups per coach, are not
  suppressed. They show no outcome and no attribute of the participants
  (gender, age, district), only how many places a job type uses and how much
  follow-up work a coach has; they hide no cell, so there is nothing for a
  total to give away; they ignore the dashboard's filters, so no two views
  differ; and they have no total row. A manager acts on exact figures there
  (a coach with one overdue follow-up must see it).
"""

import datetime
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _

from core.numbers import percent
from participants.models import Gender
from placements.models import JobType
from reports.disclosure import Key, Total, hidden_cells, small_cell_threshold
from reports.outcomes import OutcomeCounts, suppress
from reports.periods import ReportPeriod, current_period, periods_between
from reports.selectors import (
    CellFigures,
    FilteredFigures,
    PeriodFigures,
    overdue_followups_per_coach,
    places_in_use,
)

CHART_GENDERS = (Gender.KVINNA, Gender.MAN)


@dataclass
class Table:
    """A table as shown on the page and downloaded as CSV: header and rows of plain values."""

    slug: str
    title: str
    header: list[str]
    rows: list[list[Any]] = field(default_factory=list)


def _share(cell: dict) -> float | None:
    return cell["share_work_or_studies"]


def _mix(counts: OutcomeCounts, cell: dict) -> dict[str, float | None]:
    """Each outcome's part of the followed-up, in per cent; nothing for a hidden or empty cell."""
    if isinstance(cell["followed_up"], str) or counts.followed_up == 0:
        return {"unsubsidised": None, "subsidised": None, "studies": None}
    return {
        "unsubsidised": float(percent(counts.work_unsubsidised, counts.followed_up)),
        "subsidised": float(percent(counts.work_subsidised, counts.followed_up)),
        "studies": float(percent(counts.studies, counts.followed_up)),
    }


def _shown_periods(first_year: int, last_year: int, today: datetime.date) -> list[ReportPeriod]:
    latest = current_period(today)
    return [p for p in periods_between(first_year, last_year) if p.window_end <= latest.window_end]


Figures = CellFigures | FilteredFigures | PeriodFigures


def _keyed_cells(
    figures: Figures,
    asked: list[ReportPeriod],
    current: ReportPeriod,
    job_types: list[JobType],
) -> tuple[dict[Key, OutcomeCounts], list[dict[Key, OutcomeCounts]]]:
    """The view's cells by key, and the same cells in every coarser view.

    Keys: ("total", period), ("gender", gender, period) and ("job_type", pk)
    for the current period.
    """
    genders = [gender.value for gender in Gender]
    labels = [period.label for period in asked]
    zeros = [OutcomeCounts()] * len(asked)

    def keyed(total, by_gender, by_job_type) -> dict[Key, OutcomeCounts]:
        cells: dict[Key, OutcomeCounts] = {}
        series = total.get("total", zeros)
        cells.update(zip([("total", label) for label in labels], series, strict=True))
        for gender in genders:
            series = by_gender.get(gender, zeros)
            cells.update(zip([("gender", gender, label) for label in labels], series, strict=True))
        for job_type in job_types:
            cells[("job_type", job_type.pk)] = by_job_type.get(job_type.pk, zeros)[0]
        return cells

    own = keyed(
        figures.counts(asked),
        figures.counts(asked, group_by="gender"),
        figures.counts([current], group_by="job_type"),
    )
    coarser = [
        keyed(*views)
        for views in zip(
            figures.coarser_counts(asked),
            figures.coarser_counts(asked, group_by="gender"),
            figures.coarser_counts([current], group_by="job_type"),
            strict=True,
        )
    ]
    return own, coarser


def shown_cells(
    cells: dict[Key, OutcomeCounts],
    coarser: list[dict[Key, OutcomeCounts]],
    *,
    periods: list[ReportPeriod],
    current: ReportPeriod,
    job_types: list[JobType],
    threshold: int,
) -> dict[Key, dict]:
    """Every cell as the page, the CSV and the charts show it; ``reports.disclosure`` hides.

    The totals the page shows beside their parts: each period's followed-up
    beside women and men (the shares table), and the current period's
    followed-up and ended beside each job type (the headline and the job-type
    table). Ended per gender is shown nowhere, so only the job types' sum
    protects ended.
    """
    by_gender = [
        Total(("total", p.label), tuple(("gender", g.value, p.label) for g in Gender))
        for p in periods
    ]
    by_job_type = Total(("total", current.label), tuple(("job_type", jt.pk) for jt in job_types))
    hidden = {}
    for count, totals in (
        ("followed_up", [*by_gender, by_job_type]),
        ("ended", [by_job_type]),
    ):
        hidden[count] = hidden_cells(
            {key: getattr(c, count) for key, c in cells.items()},
            totals,
            threshold,
            coarser=[{key: getattr(c, count) for key, c in view.items()} for view in coarser],
        )
    return {
        key: suppress(
            counts,
            threshold,
            hide_followed_up=key in hidden["followed_up"],
            hide_ended=key in hidden["ended"],
        )
        for key, counts in cells.items()
    }


def outcome_tables(
    figures: Figures, *, first_year: int, last_year: int, today: datetime.date
) -> dict[str, Any]:
    """Every outcome table and chart series of the dashboard, from the snapshot's figures.

    Every number passes through ``shown_cells`` first, so the page, the CSV
    downloads and the chart data hide the same cells.
    """
    threshold = small_cell_threshold()
    current = current_period(today)
    periods = _shown_periods(first_year, last_year, today)
    asked = [*periods, current] if current not in periods else periods
    job_types = list(JobType.objects.filter(active=True))
    cells, coarser = _keyed_cells(figures, asked, current, job_types)
    shown = shown_cells(
        cells, coarser, periods=asked, current=current, job_types=job_types, threshold=threshold
    )

    def total(period: ReportPeriod) -> dict:
        return shown[("total", period.label)]

    def gender(code: str, period: ReportPeriod) -> dict:
        return shown[("gender", code, period.label)]

    shares = Table(
        "shares",
        _("Share working or studying three months after, per period"),
        [
            _("Period"),
            _("Window"),
            _("Followed up"),
            _("Working or studying"),
            _("Share %"),
            _("Coverage %"),
        ]
        + [f"{Gender(g).label}: {h}" for g in Gender for h in (_("followed up"), _("share %"))],
    )
    mix = Table(
        "mix",
        _("Outcome mix per period"),
        [
            _("Period"),
            _("Followed up"),
            _("Work, unsubsidised"),
            _("Work, subsidised"),
            _("Studies"),
            _("Unsubsidised %"),
            _("Subsidised %"),
            _("Studies %"),
        ],
    )
    for period in periods:
        cell = total(period)
        shares.rows.append(
            [
                period.label,
                f"{period.window_start} – {period.window_end}",
                cell["followed_up"],
                _working_or_studying(cell),
                _share(cell),
                cell["coverage"],
            ]
            + [
                v
                for g in Gender
                for v in (gender(g.value, period)["followed_up"], _share(gender(g.value, period)))
            ]
        )
        shares_mix = _mix(cells[("total", period.label)], cell)
        mix.rows.append(
            [
                period.label,
                cell["followed_up"],
                cell["work_unsubsidised"],
                cell["work_subsidised"],
                cell["studies"],
                shares_mix["unsubsidised"],
                shares_mix["subsidised"],
                shares_mix["studies"],
            ]
        )

    per_job_type = Table(
        "job-types",
        _("Outcomes per job type, %(period)s") % {"period": current.label},
        [
            _("Job type"),
            _("Ended"),
            _("Followed up"),
            _("Work, unsubsidised"),
            _("Work, subsidised"),
            _("Studies"),
            _("Share %"),
            _("Coverage %"),
        ],
    )
    job_type_mix = []
    for job_type in job_types:
        key = ("job_type", job_type.pk)
        cell = shown[key]
        per_job_type.rows.append(
            [
                job_type.name,
                cell["ended"],
                cell["followed_up"],
                cell["work_unsubsidised"],
                cell["work_subsidised"],
                cell["studies"],
                _share(cell),
                cell["coverage"],
            ]
        )
        job_type_mix.append(_mix(cells[key], cell))

    chart = {
        "labels": [p.label for p in periods],
        "share": {
            "total": [_share(total(p)) for p in periods],
            **{g.value: [_share(gender(g.value, p)) for p in periods] for g in CHART_GENDERS},
        },
        "mix": [_mix(cells[("total", p.label)], total(p)) for p in periods],
        "job_types": {"labels": [jt.name for jt in job_types], "mix": job_type_mix},
        "names": {
            "total": _("All"),
            "kvinna": _("Women"),
            "man": _("Men"),
            "unsubsidised": _("Work, unsubsidised"),
            "subsidised": _("Work, subsidised"),
            "studies": _("Studies"),
            "share": _("Share working or studying (%)"),
            "target": _("Target"),
            "active": _("Places in use"),
        },
    }
    return {
        "current": current,
        "headline": total(current),
        "tables": [shares, mix, per_job_type],
        "chart": chart,
        "periods": periods,
    }


def _working_or_studying(cell: dict) -> int | str:
    if isinstance(cell["work"], str):
        return cell["work"]
    return cell["work"] + cell["studies"]


def operations_tables(*, today: datetime.date, unit_id: int | None) -> dict[str, Any]:
    """Places in use against target, and overdue follow-ups per coach: live, two queries."""
    places = places_in_use(year=today.year, today=today, unit_id=unit_id)
    places_table = Table(
        "places",
        _("Places in use against this year's target"),
        [
            _("Job type"),
            _("Target %(year)s") % {"year": today.year},
            _("In use today"),
            _("Started this year"),
            _("Use of target %"),
        ],
    )
    for row in places:
        use = float(percent(row["active"], row["target"])) if row["target"] else None
        places_table.rows.append(
            [row["job_type"].name, row["target"], row["active"], row["started"], use]
        )
    overdue = Table(
        "overdue",
        _("Overdue follow-ups per coach"),
        [_("Coach"), _("Unit"), _("Overdue"), _("Oldest due date")],
    )
    for row in overdue_followups_per_coach(today=today, unit_id=unit_id):
        name = f"{row['coach_first_name'] or ''} {row['coach_last_name'] or ''}".strip()
        overdue.rows.append(
            [name or _("No coach assigned"), row["unit_name"], row["overdue"], row["oldest_due"]]
        )
    chart = {
        "labels": [row["job_type"].name for row in places],
        "target": [row["target"] for row in places],
        "active": [row["active"] for row in places],
    }
    return {"tables": [places_table, overdue], "chart": chart}
