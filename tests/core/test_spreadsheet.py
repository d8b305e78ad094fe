"""CSV cells are never formulas to a spreadsheet, and imports undo the escaping."""

from hypothesis import given
from hypothesis import strategies as st

from core.spreadsheet import FORMULA_START, from_text_cell, text_cell


def test_a_formula_start_gets_an_apostrophe():
    assert text_cell('=HYPERLINK("http://evil")') == '\'=HYPERLINK("http://evil")'
    assert text_cell("+46 8 508 000") == "'+46 8 508 000"
    assert text_cell("-1") == "'-1"
    assert text_cell("@SUM(A1)") == "'@SUM(A1)"
    assert text_cell("\tx") == "'\tx"


def test_ordinary_text_is_left_alone():
    for value in ("Anna", "Åström", "O'Brien", "'quoted'", "", "19850709-1234", "2020-01-31"):
        assert text_cell(value) == value
        assert from_text_cell(value) == value


def test_an_apostrophe_before_a_formula_start_is_kept_through_the_round_trip():
    assert text_cell("'=x") == "''=x"
    assert from_text_cell("''=x") == "'=x"


@given(st.text(alphabet=st.sampled_from([*FORMULA_START, "'", "a", "Å", " ", "1"]), max_size=8))
def test_reading_back_what_was_written_gives_the_value(value):
    assert from_text_cell(text_cell(value)) == value


@given(st.text(max_size=12))
def test_a_written_cell_never_starts_a_formula(value):
    assert not text_cell(value).startswith(FORMULA_START)
