"""Reading and writing the CSV files people make in Excel and LibreOffice.

Every import and export of the product shares these rules: UTF-8 (a
byte-order mark accepted, and written on export so that Excel reads the file
as UTF-8), ``,`` or ``;`` as delimiter (detected from the header line), a
header row naming the columns in any order and in any case, and rows
numbered as a spreadsheet numbers them: the header is row 1, the first data
row is row 2. A file is all or nothing: :class:`ImportFailed` carries every
problem as ``row N: column: reason``.
"""

import csv
import datetime
import io
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from core.spreadsheet import text_cell

DELIMITERS: tuple[str, ...] = (",", ";")
EXPORT_DELIMITER = ","
BOM = "\ufeff"
DATE_FORMAT_HINT = "YYYY-MM-DD"

# Only the plain ISO form: `date.fromisoformat` alone would also take
# "20200131" and week dates, which are more likely typing mistakes than intent.
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}", re.ASCII)

Source = str | Path | IO[str] | IO[bytes]


class FormatError(ValueError):
    """The file as a whole cannot be read (encoding, empty file, header)."""

    def __init__(self, message: str, *, row: int | None = None, column: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.row = row
        self.column = column


@dataclass(frozen=True)
class RowError:
    """One problem in one cell: ``row N: column: reason``, N numbered as in a spreadsheet."""

    row: int
    column: str
    message: str

    def __str__(self) -> str:
        return f"row {self.row}: {self.column}: {self.message}"


# A page lists this many of a file's problems and says how many more there are;
# the commands list every one (their contract).
ERRORS_SHOWN = 100


class ImportFailed(Exception):
    """The file has problems; nothing was written. ``errors`` lists every one."""

    def __init__(self, errors: list[RowError]) -> None:
        super().__init__("\n".join(str(error) for error in errors))
        self.errors = errors

    @property
    def shown(self) -> list[str]:
        """The first ``ERRORS_SHOWN`` problems, as a page lists them."""
        return [str(error) for error in self.errors[:ERRORS_SHOWN]]

    @property
    def not_shown(self) -> int:
        return max(len(self.errors) - ERRORS_SHOWN, 0)


@dataclass(frozen=True)
class Header:
    """Where each known column is, and which columns of the file are not ours."""

    positions: dict[str, int]
    unknown: tuple[str, ...]
    width: int


def read_text(source: Source) -> str:
    """The whole file as text: UTF-8, a leading byte-order mark removed.

    ``source`` is a path, a binary stream (an upload) or a text stream.
    """
    if isinstance(source, str | Path):
        with open(source, "rb") as file:
            data: str | bytes = file.read()
    else:
        data = source.read()
    if isinstance(data, bytes):
        try:
            return data.decode("utf-8-sig")
        except UnicodeDecodeError as error:
            # Physical line of the first bad byte: the spreadsheet row unless a
            # cell before it spans several lines.
            line = data.count(b"\n", 0, error.start) + 1
            raise FormatError(
                "the file is not UTF-8 text; in Excel save it as “CSV UTF-8”",
                row=line,
                column="file",
            ) from None
    return data.removeprefix(BOM)


def detect_delimiter(text: str) -> str:
    """``,`` or ``;``, whichever the header line has more of (``,`` on a tie)."""
    header_line = text.split("\n", 1)[0]
    commas, semicolons = header_line.count(","), header_line.count(";")
    return ";" if semicolons > commas else ","


def iter_records(text: str) -> Iterator[tuple[int, list[str]]]:
    """Each record with its spreadsheet row number (the header is row 1).

    A record is counted even when it is blank, as a spreadsheet shows it.
    """
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=detect_delimiter(text))
    return enumerate(reader, start=1)


def normalise_column_name(name: str) -> str:
    return name.strip().removeprefix(BOM).strip().lower()


def parse_header(
    cells: list[str],
    columns: tuple[str, ...],
    required: tuple[str, ...],
) -> Header:
    """Locate the columns; raises FormatError naming missing or repeated columns."""
    positions: dict[str, int] = {}
    unknown: list[str] = []
    repeated: list[str] = []
    for index, cell in enumerate(cells):
        name = normalise_column_name(cell)
        if name in columns:
            if name in positions:
                repeated.append(name)
            positions[name] = index
        elif name:
            unknown.append(cell.strip())
    if repeated:
        raise FormatError(
            "columns given more than once: " + ", ".join(repeated), row=1, column="header"
        )
    missing = [name for name in required if name not in positions]
    if missing:
        raise FormatError(
            "missing required columns: "
            + ", ".join(missing)
            + " (the header must name: "
            + ", ".join(required)
            + ")",
            row=1,
            column="header",
        )
    return Header(positions=positions, unknown=tuple(unknown), width=len(cells))


def read_records(
    source: Source,
    columns: tuple[str, ...],
    required: tuple[str, ...],
) -> tuple[Header, list[tuple[int, list[str]]]]:
    """The header and every non-blank data record with its spreadsheet row number.

    Raises :class:`ImportFailed` for a file that cannot be read as a whole:
    not UTF-8, not CSV, empty, a header without ``required`` columns, or no
    data rows. Problems in single cells are for the caller to collect.
    """
    number = 0  # the last record read, for errors of the CSV reader itself
    try:
        text = read_text(source)
        records = iter_records(text)
        first = next(records, None)
        number = 1
        if first is None or not text.strip():
            raise FormatError(
                "the file is empty; the first row must be the header naming the columns "
                + ", ".join(columns),
                row=1,
                column="file",
            )
        header = parse_header(first[1], columns, required)
        rows = []
        for number, cells in records:
            if any(cell.strip() for cell in cells):
                rows.append((number, cells))
    except FormatError as error:
        raise ImportFailed([RowError(error.row or 1, error.column, error.message)]) from None
    except csv.Error as error:
        failure = RowError(number + 1, "file", f"cannot be read as CSV: {error}")
        raise ImportFailed([failure]) from None
    if not rows:
        raise ImportFailed([RowError(2, "file", "the file has a header but no data rows")])
    return header, rows


def parse_date(value: str) -> datetime.date | None:
    """An ISO date, or None for an empty cell; ValueError with a message otherwise."""
    text = value.strip()
    if not text:
        return None
    if _ISO_DATE.fullmatch(text):
        try:
            return datetime.date.fromisoformat(text)
        except ValueError:
            pass
    raise ValueError(f"“{text}” is not a date in the form {DATE_FORMAT_HINT}")


def format_date(value: datetime.date | None) -> str:
    return value.isoformat() if value is not None else ""


def write_csv(
    stream: IO[str], header: Sequence[str], rows: Iterable[list[str]], *, bom: bool = True
) -> int:
    """Write the header and ``rows`` to a text stream; return the number of rows."""
    if bom:
        stream.write(BOM)
    writer = csv.writer(stream, delimiter=EXPORT_DELIMITER, lineterminator="\r\n")
    writer.writerow(header)
    count = 0
    for row in rows:
        writer.writerow([text_cell(value) for value in row])
        count += 1
    return count
