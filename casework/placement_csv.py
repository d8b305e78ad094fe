"""The placements CSV format shared by ``import_placements`` and ``export_placements``.

DESIGN §5 is the contract: the file rules of :mod:`core.csv_files` and the
columns of :data:`COLUMNS` in any order.
"""

from collections.abc import Iterable, Iterator
from contextlib import AbstractContextManager
from typing import IO, Any

from core import csv_files
from core.csv_files import format_date

# The contract's column order; export writes them in this order.
COLUMNS: tuple[str, ...] = (
    "personnummer",
    "first_name",
    "last_name",
    "gender",
    "job_type",
    "workplace",
    "district",
    "start_date",
    "end_date",
    "end_reason",
    "followup_date",
    "followup_outcome",
)
# A file without one of these is rejected as a whole. The others may be left
# out, which reads as if every cell of that column were empty.
REQUIRED_COLUMNS: tuple[str, ...] = (
    "personnummer",
    "first_name",
    "last_name",
    "job_type",
    "workplace",
    "start_date",
)


def format_personnummer(number: str) -> str:
    """``YYYYMMDD-NNNN``: with the hyphen Excel keeps it as text, not a number."""
    return f"{number[:8]}-{number[8:]}"


def placement_row(placement: Any) -> list[str]:
    """One CSV row, in :data:`COLUMNS` order, for a placement.

    Expects ``participant__district``, ``job_type``, ``workplace`` and
    ``followup`` selected with the placement, so no query runs here.
    """
    participant = placement.participant
    # RelatedObjectDoesNotExist is an AttributeError: no follow-up gives None.
    followup = getattr(placement, "followup", None)
    has_outcome = followup is not None and bool(followup.outcome)
    return [
        format_personnummer(participant.personnummer),
        participant.first_name,
        participant.last_name,
        participant.gender,
        placement.job_type.code,
        placement.workplace.name,
        participant.district.code if participant.district_id else "",
        format_date(placement.start_date),
        format_date(placement.end_date),
        placement.end_reason if placement.end_date else "",
        format_date(followup.performed_on) if has_outcome else "",
        followup.outcome if has_outcome else "",
    ]


def open_records(
    source: csv_files.Source,
) -> AbstractContextManager[tuple[csv_files.Header, Iterator[tuple[int, list[str]]]]]:
    """The header and data records of a placements file, read as they are iterated.

    See :func:`core.csv_files.open_records`.
    """
    return csv_files.open_records(source, COLUMNS, REQUIRED_COLUMNS)


def write_csv(stream: IO[str], rows: Iterable[list[str]], *, bom: bool = True) -> int:
    """Write the placements header and ``rows`` to a text stream; return the number of rows."""
    return csv_files.write_csv(stream, COLUMNS, rows, bom=bom)
