"""The annual report as JSON for automation (``manage.py annual_report --format json``).

DESIGN §5: ``{"year": YEAR, "tables": [{"number": "2", "title": ..., "rows": [...]}]}``.
The rows of tables 2 and 3 carry the keys of ``outcome_report``'s groups, so
a script can read them as it reads that command; other tables' rows map
their column headings to the cells. The values are the stored, suppressed
cells: a hidden count is ``"<5"``, a hidden share ``null``.
"""

import re
from typing import Any

from reports.annual.outcomes import TABLE_3_GENDERS
from reports.annual.shape import Cell, ReportTable

GENDER_CODES = {label: code for code, label in TABLE_3_GENDERS.items()}
# The outcome columns after the window ("Avslutade från–till"), in table order.
OUTCOME_KEYS = (
    "ended",
    "followed_up",
    "coverage",
    "work_unsubsidised",
    None,  # its share
    "work_subsidised",
    None,
    "studies",
    None,
    "work_or_studies",
    "share_work_or_studies",
)


def _number(table: ReportTable) -> str:
    match = re.match(r"Tabell (\d+)", table.title)
    return match.group(1) if match else table.slug


def _sum(*cells: Cell) -> Cell:
    if all(isinstance(cell, int) for cell in cells):
        return sum(cells)  # type: ignore[arg-type]
    return next(cell for cell in cells if not isinstance(cell, int))


def _outcome_row(cells: list[Cell]) -> dict[str, Cell]:
    values = dict(zip(OUTCOME_KEYS, cells[1:], strict=True))
    values.pop(None)
    values.pop("work_or_studies")
    values["work"] = _sum(values["work_unsubsidised"], values["work_subsidised"])
    return values


def table_rows(table: ReportTable) -> list[dict[str, Any]]:
    number = _number(table)
    if number == "2":
        return [{"period": row[0], **_outcome_row(row[1:])} for row in table.rows]
    if number == "3":
        return [
            {"period": row[1], "gender": GENDER_CODES[row[0]], **_outcome_row(row[2:])}
            for row in table.rows
        ]
    return [dict(zip(table.header, row, strict=False)) for row in table.rows]


def report_json(year: int, tables: list[ReportTable]) -> dict[str, Any]:
    return {
        "year": year,
        "tables": [
            {"number": _number(table), "title": table.title, "rows": table_rows(table)}
            for table in tables
        ],
    }
