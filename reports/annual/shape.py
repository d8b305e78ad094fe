"""The shape of a table of the annual report, and the cells it shows.

``ReportTable`` is one table: a sheet of the workbook, a CSV file, a table of
the print page. The cell helpers show a count, a share or a figure, or hide
it as a small cell (DESIGN §4, ``reports.disclosure``); ``protected`` says
which cells of one count to hide.
"""

from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field
from typing import Any

from core.numbers import percent
from placements.models import JobType
from reports.disclosure import (
    Key,
    Total,
    hidden_text,
    secondary_suppression,
    small_cell_threshold,
    small_cells,
)

Cell = int | float | str | None


# --- The shape of a table --------------------------------------------------------------


@dataclass
class Chart:
    """A chart the workbook draws next to a table, as in the city's report.

    ``categories`` and each series are a column of the table's data rows:
    ``(column, first_row, last_row)``, counted from 0 over ``rows``.
    """

    kind: str  # "stacked_column", "column" or "line"
    title: str
    y_title: str
    categories: tuple[int, int, int]
    series: list[tuple[str, int, int, int]]  # name, column, first row, last row


@dataclass
class ReportTable:
    """One table of the report: a sheet of the workbook, a CSV file, a table of the page.

    ``formats`` says per column how to show a value: ``text``, ``count``, ``share``
    (per cent, one decimal) or ``decimal`` (one decimal). A suppressed count is
    the text ``<5``; a value that does not exist or is suppressed is None.
    """

    slug: str
    sheet: str
    title: str
    subtitle: str
    header: list[str]
    formats: list[str]
    rows: list[list[Cell]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    charts: list[Chart] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> "ReportTable":
        values = dict(data)
        values["charts"] = [
            Chart(
                kind=chart["kind"],
                title=chart["title"],
                y_title=chart["y_title"],
                categories=tuple(chart["categories"]),
                series=[tuple(series) for series in chart["series"]],
            )
            for chart in data.get("charts", [])
        ]
        return cls(**values)


# --- Cells, shown or hidden ------------------------------------------------------------


def count_cell(value: int, hide: bool) -> int | str:
    return hidden_text() if hide else value


def share_cell(numerator: int, denominator: int, *, hide: bool) -> float | None:
    """``numerator / denominator`` in per cent; none when hidden or over zero."""
    if hide:
        return None
    share = percent(numerator, denominator)
    return None if share is None else float(share)


def figure_cell(value: float | None, hide: bool) -> float | None:
    """A mean or a percentile: none when its cell is hidden."""
    return None if hide else value


def protected(
    values: Mapping[Key, int], totals: Iterable[Total], *, unshown: Iterable[Key] = ()
) -> set[Key]:
    """The cells of one count to hide: the small ones (DESIGN §4, primary suppression)
    and those a total shown beside them would give away (``reports.disclosure``,
    secondary suppression).

    ``unshown`` are parts of a total that no table shows: they count as hidden,
    since the total minus the shown parts is their sum.
    """
    threshold = small_cell_threshold()
    hidden = small_cells(values, threshold) | {key for key in unshown if values.get(key, 0) > 0}
    return secondary_suppression(values, hidden, totals, threshold)


def suppression_note(*, totals: bool = True) -> str:
    limit = small_cell_threshold()
    note = (
        f"Celler där nämnaren är 1–{limit - 1} visar ingen andel och sina antal som "
        f"”<{limit}” (små celler)."
    )
    if totals:
        note += (
            " Så visas också celler som annars skulle gå att räkna ut ur en summa och de "
            "övriga cellerna (sekundär röjandekontroll)."
        )
    return note


# --- Rows ------------------------------------------------------------------------------


def shown_job_types(used: Iterable[int]) -> list[JobType]:
    """The active job types, and the inactive ones that have figures this time."""
    used = set(used)
    return [
        jt for jt in JobType.objects.order_by("sort_order", "name") if jt.active or jt.pk in used
    ]
