"""Reading CSV files a block at a time: the same records as a whole read, in bounded memory."""

import csv
import io

import pytest

from core import csv_files, spool
from core.csv_files import ImportFailed, RowError, RowErrors, open_records, read_records
from tests.helpers.files import BlockReader

COLUMNS = ("name", "note")


def test_records_are_read_a_block_at_a_time_never_the_whole_file():
    rows = [[f"person {n}", f"note, with a comma {n}"] for n in range(20_000)]
    text = io.StringIO(newline="")
    csv.writer(text).writerows([list(COLUMNS), *rows])
    stream = BlockReader(text.getvalue().encode())

    with open_records(stream, COLUMNS, COLUMNS) as (header, records):
        first = next(records)
        read_for_the_first = sum(stream.sizes)
        rest = list(records)

    assert header.positions == {"name": 0, "note": 1}
    assert [first, *rest] == [(n + 2, row) for n, row in enumerate(rows)]
    assert len(stream.sizes) > 5
    assert max(stream.sizes) <= csv_files.READ_SIZE
    assert read_for_the_first <= csv_files.READ_SIZE


@pytest.mark.parametrize("block", [1, 2, 3, 7, 64])
def test_lines_split_between_blocks_read_as_in_one_piece(monkeypatch, block):
    monkeypatch.setattr(csv_files, "READ_SIZE", block)
    data = (
        "\ufeffName;Note\r\n"
        'Åsa;"two\r\nlines"\r\n'
        "\r\n"
        "Örjan;old Mac\r"
        "Eva;é\n"
        ";\n"
        "Ulf;last without an end"
    ).encode()

    header, records = read_records(io.BytesIO(data), COLUMNS, COLUMNS)
    _header, from_text = read_records(io.StringIO(data.decode()), COLUMNS, COLUMNS)

    assert header.positions == {"name": 0, "note": 1}
    # Numbered as a spreadsheet numbers them: a cell of two lines is one row.
    assert records == [
        (2, ["Åsa", "two\r\nlines"]),
        (4, ["Örjan", "old Mac"]),
        (5, ["Eva", "é"]),
        (7, ["Ulf", "last without an end"]),
    ]
    assert from_text == records


def test_a_byte_that_is_not_utf8_is_reported_on_its_physical_line_after_a_bom():
    data = "\ufeffname,note\nAnna,ok\n".encode() + b"Bo,caf\xe9\nCarl,ok\n"

    with pytest.raises(ImportFailed) as failure:
        read_records(io.BytesIO(data), COLUMNS, COLUMNS)

    assert [str(error) for error in failure.value.errors] == [
        "row 3: file: the file is not UTF-8 text; in Excel save it as “CSV UTF-8”"
    ]


def test_a_line_longer_than_any_row_is_refused_before_it_is_read_whole():
    stream = BlockReader(b"name,note\n" + b"x" * (5 * csv_files.MAX_LINE_BYTES))

    with (
        pytest.raises(ImportFailed) as failure,
        open_records(stream, COLUMNS, COLUMNS) as (
            _header,
            records,
        ),
    ):
        list(records)

    assert [str(error) for error in failure.value.errors] == [
        "row 2: file: a line is longer than 1 MB; is this a CSV file?"
    ]
    assert sum(stream.sizes) < 2 * csv_files.MAX_LINE_BYTES


def test_row_errors_wait_on_disk_and_come_back_in_row_order(monkeypatch):
    monkeypatch.setattr(spool, "IN_MEMORY", 50)
    errors = RowErrors()
    for row in range(1000, 1, -1):
        errors.add(row, "name", "required")
        errors.add(row, "note", f"too long ({row})")

    listed = list(errors)

    assert len(errors) == 1998
    assert errors._spool._runs  # beyond IN_MEMORY they were written out
    assert listed[:3] == [
        RowError(2, "name", "required"),
        RowError(2, "note", "too long (2)"),
        RowError(3, "name", "required"),
    ]
    assert [error.row for error in listed] == sorted(error.row for error in listed)


def test_import_failed_names_the_first_hundred_problems_and_counts_the_rest():
    errors = RowErrors()
    for row in range(2, 252):
        errors.add(row, "name", "required")

    failure = ImportFailed(errors)

    assert len(failure.shown) == 100
    assert failure.not_shown == 150
    lines = str(failure).splitlines()
    assert lines[0] == "row 2: name: required"
    assert lines[-1] == "… and 150 more"
    assert len(lines) == 101
