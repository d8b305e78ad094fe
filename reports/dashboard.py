"""The managers' dashboard as data: tables and chart series built from the latest snapshot.

Views render it as HTML or CSV; both show the same suppressed cells.
"""

import datetime
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _

from participants.models import Gender
from placements.models import JobType
from reports.outcomes import OutcomeCounts, percent, suppress
from reports.periods import ReportPeriod, current_period, periods_between
from reports.selectors import (
    CellFigures,
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


def _mix(counts: OutcomeCounts, threshold: int) -> dict[str, float | None]:
    """Each outcome's part of the followed-up, in per cent; nothing for a small cell."""
    if 0 < counts.followed_up < threshold or counts.followed_up == 0:
        return {"unsubsidised": None, "subsidised": None, "studies": None}
    return {
        "unsubsidised": float(percent(counts.work_unsubsidised, counts.followed_up)),
        "subsidised": float(percent(counts.work_subsidised, counts.followed_up)),
        "studies": float(percent(counts.studies, counts.followed_up)),
    }


def _shown_periods(first_year: int, last_year: int, today: datetime.date) -> list[ReportPeriod]:
    latest = current_period(today)
    return [p for p in periods_between(first_year, last_year) if p.window_end <= latest.window_end]


def outcome_tables(
    figures: CellFigures | PeriodFigures, *, first_year: int, last_year: int, today: datetime.date
) -> dict[str, Any]:
    """Every outcome table and chart series of the dashboard, from the snapshot's figures."""
    threshold = settings.SMALL_CELL_THRESHOLD
    current = current_period(today)
    periods = _shown_periods(first_year, last_year, today)
    asked = [*periods, current] if current not in periods else periods
    total = figures.counts(asked).get("total", [OutcomeCounts()] * len(asked))
    by_gender = figures.counts(asked, group_by="gender")
    job_types = list(JobType.objects.filter(active=True))
    by_job_type = figures.counts([current], group_by="job_type")

    headline = suppress(total[asked.index(current)], threshold)
    empty = [OutcomeCounts()] * len(asked)
    gender_cells = {g: [suppress(c, threshold) for c in by_gender.get(g, empty)] for g in Gender}
    total_cells = [suppress(c, threshold) for c in total]

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
    for index, period in enumerate(periods):
        cell = total_cells[index]
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
                for v in (gender_cells[g][index]["followed_up"], _share(gender_cells[g][index]))
            ]
        )
        shares_mix = _mix(total[index], threshold)
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
        counts = by_job_type.get(job_type.pk, [OutcomeCounts()])[0]
        cell = suppress(counts, threshold)
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
        job_type_mix.append(_mix(counts, threshold))

    chart = {
        "labels": [p.label for p in periods],
        "share": {
            "total": [_share(c) for c in total_cells[: len(periods)]],
            **{g: [_share(c) for c in gender_cells[g][: len(periods)]] for g in CHART_GENDERS},
        },
        "mix": [_mix(c, threshold) for c in total[: len(periods)]],
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
        "headline": headline,
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
