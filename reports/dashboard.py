"""The managers' dashboard as data: tables and chart series built from the latest snapshot.

Views render it as HTML or CSV; both show the same suppressed cells, and the
chart data has null where a table shows "<5".

Which tables are protected, and why (``reports.disclosure`` has the rules):

- The outcome tables (shares per period with women and men; the
  outcome mix; outcomes per job type; the headline) show outcome counts of
  placements and totals beside their parts, and can be filtered: every cell
  goes through small-cell, small-difference and secondary suppression.
- Places in use against target, overdue follow-ups per coach and wage-subsidy
  applications waiting per coach are not suppressed. They show no outcome and
  no attribute of the participants (gender, age, district), only how many
  places a job type uses and how much work a coach has waiting; they hide no
  cell, so there is nothing for a total to give away; they follow the unit
  filter only, never the attribute filters; and they have no total row. A
  manager acts on exact figures there (a coach with one overdue follow-up
  must see it).
- Wage-subsidy processing times per year of decision follow the unit filter
  and the years, and hide a year with 1–4 decisions as the annual report's
  table does (``reports.annual.subsidies``, primary suppression only: the
  figures are days, with no total beside them).
"""

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from core.numbers import percent
from followup.forms import OVERDUE_ONLY
from participants.models import District, Gender, Unit
from placements.models import Funding, JobType, Setting, WageSubsidyCase
from reports.annual.shape import count_cell, figure_cell
from reports.annual.subsidies import processing_times
from reports.disclosure import Key, Total, hidden_cells, small_cell_threshold
from reports.forms import AGE_GROUP_CHOICES
from reports.outcomes import OutcomeCounts, suppress
from reports.periods import ReportPeriod, current_period, periods_between
from reports.selectors import (
    CellFigures,
    DashboardFilters,
    FilteredFigures,
    PeriodFigures,
    UnitFigures,
    overdue_followups_per_coach,
    places_in_use,
    subsidies_waiting_per_coach,
)

# What shapes each kind of table, for the CSV's name and first line: the outcome tables
# take every filter and the years; the work tables the unit only, as at today; the
# processing times the unit and the years.
OUTCOME_FILTERS = ("unit", "job_type", "district", "setting", "age_group", "funding", "years")
WORK_FILTERS = ("unit", "today")
SUBSIDY_TIME_FILTERS = ("unit", "years")

CHART_GENDERS = (Gender.KVINNA, Gender.MAN)


@dataclass
class Table:
    """A table as shown on the page and downloaded as CSV: header and rows of plain values."""

    slug: str
    title: str
    header: list[str]
    rows: list[list[Any]] = field(default_factory=list)
    # Per row, where its first cell leads on the page (None: nowhere); never in the CSV.
    links: list[str | None] = field(default_factory=list)
    filtered_by: tuple[str, ...] = OUTCOME_FILTERS

    def add(self, row: list[Any], link: str | None = None) -> None:
        self.rows.append(row)
        self.links.append(link)

    @property
    def linked_rows(self) -> list[tuple[str | None, list[Any]]]:
        links = self.links + [None] * (len(self.rows) - len(self.links))
        return list(zip(links, self.rows, strict=True))


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


Figures = CellFigures | FilteredFigures | PeriodFigures | UnitFigures


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


def _coach_name(row: dict) -> str:
    name = f"{row['coach_first_name'] or ''} {row['coach_last_name'] or ''}".strip()
    return name or _("No coach assigned")


def followups_of_coach_url(coach_id: int, unit_id: int | None) -> str:
    """The follow-up list of one coach's participants in one unit, overdue only: the rows
    the overdue table counts for that coach and unit."""
    query = {"coach": coach_id, **({"unit": unit_id} if unit_id is not None else {})}
    return f"{reverse('followup:followups')}?{urlencode({**query, 'within': OVERDUE_ONLY})}"


def operations_tables(
    *, today: datetime.date, unit_id: int | None, opens_unit: Callable[[int], bool]
) -> dict[str, Any]:
    """Places in use against target, overdue follow-ups and wage subsidies waiting per
    coach: live, three queries. ``opens_unit`` says whether the user may open the lists of
    a unit's participants: a coach of such a unit links to their overdue follow-ups."""
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
        filtered_by=WORK_FILTERS,
    )
    for row in places:
        use = float(percent(row["active"], row["target"])) if row["target"] else None
        places_table.add([row["job_type"].name, row["target"], row["active"], row["started"], use])
    overdue = Table(
        "overdue",
        _("Overdue follow-ups per coach"),
        [_("Coach"), _("Unit"), _("Overdue"), _("Oldest due date")],
        filtered_by=WORK_FILTERS,
    )
    for row in overdue_followups_per_coach(today=today, unit_id=unit_id):
        link = None
        if row["coach_id"] is not None and opens_unit(row["unit_id"]):
            link = followups_of_coach_url(row["coach_id"], row["unit_id"])
        overdue.add([_coach_name(row), row["unit_name"], row["overdue"], row["oldest_due"]], link)
    waiting = Table(
        "subsidies-waiting",
        _("Wage-subsidy applications awaiting a decision, per coach"),
        [
            _("Coach"),
            _("Unit"),
            _("Awaiting decision"),
            _("Oldest application"),
            _("Days waiting (oldest)"),
        ],
        filtered_by=WORK_FILTERS,
    )
    for row in subsidies_waiting_per_coach(unit_id=unit_id):
        waiting.add(
            [
                _coach_name(row),
                row["unit_name"],
                row["waiting"],
                row["oldest_applied"],
                (today - row["oldest_applied"]).days,
            ]
        )
    chart = {
        "labels": [row["job_type"].name for row in places],
        "target": [row["target"] for row in places],
        "active": [row["active"] for row in places],
    }
    return {"tables": [places_table, overdue, waiting], "chart": chart}


def subsidy_time_table(
    *, first_year: int, last_year: int, unit_id: int | None, today: datetime.date
) -> Table:
    """Days from application to decision per year of decision: the annual report's rule
    (``processing_times``), for the dashboard's unit and years; the current year so far."""
    cases = None
    if unit_id is not None:
        cases = WageSubsidyCase.objects.filter(participant__unit_id=unit_id)
    table = Table(
        "subsidy-times",
        _("Days from application to decision on wage subsidies, per year of decision"),
        [
            _("Year"),
            _("Decided applications"),
            _("Median (days)"),
            _("90th percentile (days)"),
        ],
        filtered_by=SUBSIDY_TIME_FILTERS,
    )
    last = min(last_year, today.year)
    for time in processing_times(first_year=first_year, last_year=last, cases=cases):
        table.add(
            [
                str(time.year),
                count_cell(time.decided, time.hidden),
                figure_cell(time.median, time.hidden),
                figure_cell(time.p90, time.hidden),
            ]
        )
    return table


class FilterDescription:
    """What made a table: for its CSV's file name (codes only, nothing personal) and its
    first line (names, for people). Each table says which filters shape it."""

    AGE_TOKENS = {"<30": "under30", "30+": "30plus"}

    def __init__(
        self,
        filters: DashboardFilters,
        *,
        first_year: int,
        last_year: int,
        today: datetime.date,
    ) -> None:
        self.filters = filters
        self.years = str(first_year) if first_year == last_year else f"{first_year}-{last_year}"
        self.today = today

    def _unit(self) -> tuple[str, str] | None:
        unit_id = self.filters.chosen_unit_id or self.filters.unit_id
        if unit_id is None:
            return "unit-all", _("all units")
        if unit_id < 0:  # a coach without a unit sees nothing
            return "unit-none", _("no unit")
        name = Unit.objects.filter(pk=unit_id).values_list("name", flat=True).first()
        return f"unit-{unit_id}", name or str(unit_id)

    def parts(self, table: Table) -> list[tuple[str, str, str]]:
        """(file name token, label, value) of each filter that shaped the table, in order."""
        f = self.filters
        parts = []
        for name in table.filtered_by:
            if name == "unit":
                token, value = self._unit()
                parts.append((token, _("unit"), value))
            elif name == "job_type" and f.job_type is not None:
                parts.append(
                    (f"jobtype-{slugify(f.job_type.code)}", _("job type"), f.job_type.name)
                )
            elif name == "district" and f.district_id is not None:
                district = District.objects.get(pk=f.district_id)
                parts.append((f"district-{slugify(district.code)}", _("district"), district.name))
            elif name == "setting" and f.setting:
                parts.append((f"setting-{f.setting}", _("setting"), Setting(f.setting).label))
            elif name == "age_group" and f.age_group:
                label = dict(AGE_GROUP_CHOICES)[f.age_group]
                parts.append((f"age-{self.AGE_TOKENS[f.age_group]}", _("age group"), label))
            elif name == "funding" and f.funding:
                parts.append((f"funding-{f.funding}", _("funding"), Funding(f.funding).label))
            elif name == "years":
                parts.append((self.years, _("period"), self.years.replace("-", "–")))
            elif name == "today":
                parts.append((f"{self.today:%Y%m%d}", _("as at"), self.today.isoformat()))
        return parts

    def not_applied(self, table: Table) -> list[str]:
        """The labels of the filters chosen that do not shape the table (the work tables
        follow the unit only): its first line says so rather than leaving them out."""
        f = self.filters
        chosen = {
            "job_type": (f.job_type is not None, _("job type")),
            "district": (f.district_id is not None, _("district")),
            "setting": (bool(f.setting), _("setting")),
            "age_group": (bool(f.age_group), _("age group")),
            "funding": (bool(f.funding), _("funding")),
        }
        return [
            label
            for name, (is_chosen, label) in chosen.items()
            if is_chosen and name not in table.filtered_by
        ]

    def file_name(self, table: Table, stamp: datetime.datetime) -> str:
        tokens = [token for token, _label, _value in self.parts(table)]
        return (
            "_".join(
                [
                    f"stockholmsjobb-{table.slug}",
                    *tokens,
                    f"{timezone.localtime(stamp):%Y%m%d-%H%M}",
                ]
            )
            + ".csv"
        )

    def first_line(self, table: Table) -> str:
        """``# Filter: unit = Kista, funding = …, period = 2019–2026``: a comment line.

        A filter chosen on the page that the table does not follow is named as
        ``funding = not applied``, so the file never looks filtered when it is not.

        Commas between the parts, never the file's semicolon, so a spreadsheet
        keeps the line in one cell and a reader that skips ``#`` lines skips it.
        """
        described = [f"{label} = {value}" for _token, label, value in self.parts(table)]
        not_applied = pgettext("CSV first line", "not applied")
        described += [f"{label} = {not_applied}" for label in self.not_applied(table)]
        return f"# {pgettext('CSV first line', 'Filter')}: {', '.join(described)}"
