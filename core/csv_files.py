"""Reading and writing the CSV files people make in Excel and LibreOffice.

Every import and export of the product shares these rules: UTF-8 (a
byte-order mark accepted, and written on export so that Excel reads the file
as UTF-8), ``,`` or ``;`` as delimiter (detected from the header line), a
header row naming the columns in any order and in any case, and rows
numbered as a spreadsheet numbers them: the header is row 1, the first data
row is row 2. A file is all or nothing: :class:`ImportFailed` carries every
problem as ``row N: column: reason``.

A file is read a block at a time (:func:`open_records`), never whole: an
import's memory does not grow with the file. Its problems are collected in
:class:`RowErrors`, which keeps them on disk beyond a few thousand.
"""

import csv
import datetime
import re
from collections.abc import Iterable, Iterator, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from itertools import chain, islice
from pathlib import Path
from typing import IO

from django.utils.translation import gettext

from core.spool import SortedSpool
from core.spreadsheet import text_cell

DELIMITERS: tuple[str, ...] = (",", ";")
EXPORT_DELIMITER = ","
BOM = "\ufeff"
DATE_FORMAT_HINT = "YYYY-MM-DD"
# Bytes read from a file at a time.
READ_SIZE = 64 * 1024
# A physical line longer than this is no spreadsheet's row: refused rather than held.
MAX_LINE_BYTES = 1024 * 1024

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


class RowErrors:
    """A file's problems as they are found, read back in row order.

    Within a row they keep the order they were found in. Beyond a few
    thousand they wait on disk: a file of a million bad rows takes no more
    memory than a file of a thousand.
    """

    def __init__(self) -> None:
        self._spool = SortedSpool()

    def add(self, row: int, column: str, message: str) -> None:
        self._spool.add((row, len(self._spool), column, message))

    def __len__(self) -> int:
        return len(self._spool)

    def __iter__(self) -> Iterator[RowError]:
        for row, _found, column, message in self._spool:
            yield RowError(row, column, message)


class ImportFailed(Exception):
    """The file has problems; nothing was written. ``errors`` lists every one."""

    def __init__(self, errors: list[RowError] | RowErrors) -> None:
        self.errors = errors
        message = "\n".join(self.shown)
        if self.not_shown:
            message += "\n" + gettext("… and %(count)s more") % {"count": self.not_shown}
        super().__init__(message)

    @property
    def shown(self) -> list[str]:
        """The first ``ERRORS_SHOWN`` problems, as a page lists them."""
        return [str(error) for error in islice(self.errors, ERRORS_SHOWN)]

    @property
    def not_shown(self) -> int:
        return max(len(self.errors) - ERRORS_SHOWN, 0)


@dataclass(frozen=True)
class Header:
    """Where each known column is, and which columns of the file are not ours."""

    positions: dict[str, int]
    unknown: tuple[str, ...]
    width: int


class _Lines:
    """A file's lines decoded as UTF-8, read a block at a time, as :func:`csv.reader` takes them.

    Lines end at ``\\r\\n``, ``\\r`` or ``\\n``, kept, as in Python's universal
    newlines; none of them can be part of a multi-byte UTF-8 character, so
    each line is decoded alone. A text stream is encoded back to UTF-8 first.
    """

    def __init__(self, stream: IO[str] | IO[bytes]) -> None:
        self.stream = stream
        # "\n" read so far: a problem is on the physical line after them.
        self.newlines = 0
        # Anything but white space read so far.
        self.has_text = False

    def __iter__(self) -> Iterator[str]:
        rest = b""
        first = True
        while block := self.stream.read(READ_SIZE):
            if isinstance(block, str):
                block = block.encode("utf-8", "surrogatepass")
            lines = (rest + block).splitlines(keepends=True)
            # The last line may go on in the next block ("\r" too: "\n" may follow).
            rest = lines.pop()
            for line in lines:
                yield self._decode(line.removeprefix(b"\xef\xbb\xbf") if first else line)
                first = False
            if len(rest) > MAX_LINE_BYTES:
                raise FormatError(
                    gettext("a line is longer than %(size)s MB; is this a CSV file?")
                    % {"size": MAX_LINE_BYTES // 1024 // 1024},
                    row=self.newlines + 1,
                    column="file",
                )
        if rest:
            yield self._decode(rest.removeprefix(b"\xef\xbb\xbf") if first else rest)

    def _decode(self, line: bytes) -> str:
        try:
            text = line.decode("utf-8")
        except UnicodeDecodeError:
            # The physical line of the bad byte: the spreadsheet row unless a
            # cell before it spans several lines.
            raise FormatError(
                gettext("the file is not UTF-8 text; in Excel save it as “CSV UTF-8”"),
                row=self.newlines + 1,
                column="file",
            ) from None
        self.newlines += line.endswith(b"\n")
        if not self.has_text and text.strip():
            self.has_text = True
        return text


def detect_delimiter(text: str) -> str:
    """``,`` or ``;``, whichever the header line has more of (``,`` on a tie)."""
    header_line = text.split("\n", 1)[0]
    commas, semicolons = header_line.count(","), header_line.count(";")
    return ";" if semicolons > commas else ","


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
            gettext("columns given more than once: %(columns)s") % {"columns": ", ".join(repeated)},
            row=1,
            column="header",
        )
    missing = [name for name in required if name not in positions]
    if missing:
        raise FormatError(
            gettext("missing required columns: %(missing)s (the header must name: %(required)s)")
            % {"missing": ", ".join(missing), "required": ", ".join(required)},
            row=1,
            column="header",
        )
    return Header(positions=positions, unknown=tuple(unknown), width=len(cells))


@contextmanager
def open_records(
    source: Source,
    columns: tuple[str, ...],
    required: tuple[str, ...],
) -> Iterator[tuple[Header, Iterator[tuple[int, list[str]]]]]:
    """The header and an iterator of the non-blank data records with their spreadsheet row numbers.

    ``source`` is a path, a binary stream (an upload) or a text stream; it is
    read a block at a time as the records are. :class:`ImportFailed` with
    one problem is raised for a file that cannot be read as a whole: here
    for an empty file or a header without ``required`` columns, while
    iterating for a part that is not UTF-8 or not CSV, and at the end for a
    file without data rows. Problems in single cells are for the caller.
    """
    with ExitStack() as stack:
        if isinstance(source, str | Path):
            stream: IO[str] | IO[bytes] = stack.enter_context(open(source, "rb"))
        else:
            stream = source
        lines = _Lines(stream)
        with _file_problems(0):
            header, rest = _read_header(lines, columns, required)
        yield header, _data_records(rest)


@contextmanager
def _file_problems(number: int) -> Iterator[None]:
    """A problem of the file as a whole as ImportFailed; ``number`` is the last record read."""
    try:
        yield
    except FormatError as error:
        raise ImportFailed([RowError(error.row or 1, error.column, error.message)]) from None
    except csv.Error as error:
        failure = RowError(
            number + 1, "file", gettext("cannot be read as CSV: %(error)s") % {"error": error}
        )
        raise ImportFailed([failure]) from None


def _read_header(
    lines: _Lines, columns: tuple[str, ...], required: tuple[str, ...]
) -> tuple[Header, Iterator[tuple[int, list[str]]]]:
    empty = FormatError(
        gettext(
            "the file is empty; the first row must be the header naming the columns %(columns)s"
        )
        % {"columns": ", ".join(columns)},
        row=1,
        column="file",
    )
    texts = iter(lines)
    first_line = next(texts, None)
    if first_line is None:
        raise empty
    reader = csv.reader(chain([first_line], texts), delimiter=detect_delimiter(first_line))
    records = enumerate(reader, start=1)
    _number, first = next(records, (1, []))
    # A header of white space: the file is empty unless something follows.
    following = []
    if not lines.has_text:
        for record in records:
            if lines.has_text:
                following.append(record)
                break
        if not lines.has_text:
            raise empty
    return parse_header(first, columns, required), chain(following, records)


def _data_records(records: Iterator[tuple[int, list[str]]]) -> Iterator[tuple[int, list[str]]]:
    number = 1
    found = False
    while True:
        with _file_problems(number):
            record = next(records, None)
        if record is None:
            break
        number, cells = record
        if any(cell.strip() for cell in cells):
            found = True
            yield number, cells
    if not found:
        raise ImportFailed([RowError(2, "file", gettext("the file has a header but no data rows"))])


def read_records(
    source: Source,
    columns: tuple[str, ...],
    required: tuple[str, ...],
) -> tuple[Header, list[tuple[int, list[str]]]]:
    """The header and every non-blank data record, as :func:`open_records` reads them."""
    with open_records(source, columns, required) as (header, records):
        return header, list(records)


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
    raise ValueError(
        gettext("“%(text)s” is not a date in the form %(form)s")
        % {"text": text, "form": DATE_FORMAT_HINT}
    )


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
