"""An import's problems are said in the language of whoever reads them (gettext).

The Swedish catalogue is filled in after the code is written, so each test
gives the catalogue the Swedish of one message itself: what is tested is that
the message goes through gettext, with its values put in afterwards.
"""

import datetime
import io

import pytest
from django.utils import translation
from django.utils.translation import trans_real

from core import csv_files
from core.csv_files import ImportFailed
from followup.register import import_register_outcomes
from survey.importing import COLUMNS as PAPER_COLUMNS
from survey.importing import import_paper_responses
from survey.models import SurveyRound


@pytest.fixture
def swedish(monkeypatch):
    """Put a Swedish wording into the catalogue for the test's duration."""
    catalog = trans_real.translation("sv")._catalog._catalogs[0]

    def add(msgid: str, msgstr: str) -> None:
        monkeypatch.setitem(catalog, msgid, msgstr)

    return add


def _problems(call) -> list[str]:
    with pytest.raises(ImportFailed) as failed:
        call()
    return [str(error) for error in failed.value.errors]


def test_a_file_without_data_rows_is_refused_in_swedish_or_english(swedish):
    swedish("the file has a header but no data rows", "filen har en rubrikrad men inga datarader")

    def read() -> None:
        csv_files.read_records(io.StringIO("personnummer\n"), ("personnummer",), ())

    with translation.override("sv"):
        assert _problems(read) == ["row 2: file: filen har en rubrikrad men inga datarader"]
    with translation.override("en"):
        assert _problems(read) == ["row 2: file: the file has a header but no data rows"]


def test_a_missing_column_is_named_in_the_translated_message(swedish):
    swedish(
        "missing required columns: %(missing)s (the header must name: %(required)s)",
        "kolumner saknas: %(missing)s (rubrikraden måste ha: %(required)s)",
    )
    with translation.override("sv"), pytest.raises(csv_files.FormatError) as failed:
        csv_files.parse_header(["name"], ("personnummer", "year"), ("personnummer", "year"))
    assert failed.value.message == (
        "kolumner saknas: personnummer, year (rubrikraden måste ha: personnummer, year)"
    )


def test_a_bad_date_is_refused_in_the_active_language(swedish):
    swedish("“%(text)s” is not a date in the form %(form)s", "”%(text)s” är inget datum (%(form)s)")
    with translation.override("sv"), pytest.raises(ValueError, match="”31/12” är inget datum"):
        csv_files.parse_date("31/12")


@pytest.mark.django_db
def test_an_scb_extract_with_a_bad_year_is_refused_in_swedish(swedish):
    swedish(
        "“%(text)s” is not a year from %(first)s to %(last)s",
        "”%(text)s” är inget år mellan %(first)s och %(last)s",
    )
    extract = io.StringIO("personnummer,year,income_source\n,19x,lon\n")
    with translation.override("sv"):
        problems = _problems(
            lambda: import_register_outcomes(extract, today=datetime.date(2024, 6, 1))
        )
    assert any("year: ”19x” är inget år mellan" in problem for problem in problems), problems


@pytest.mark.django_db
def test_a_blank_paper_form_is_refused_in_swedish(swedish):
    swedish("no answers; a blank form is not a response", "inga svar; en tom blankett räknas inte")
    survey_round = SurveyRound.objects.create(
        name="2024", opens_on=datetime.date(2024, 9, 1), closes_on=datetime.date(2024, 9, 30)
    )
    # A job type and nothing else: every answer left empty.
    header = ",".join(PAPER_COLUMNS)
    answers = io.StringIO(header + "\nbasanstallning" + "," * (len(PAPER_COLUMNS) - 1) + "\n")
    with translation.override("sv"):
        problems = _problems(lambda: import_paper_responses(answers, survey_round=survey_round))
    assert problems == ["row 2: row: inga svar; en tom blankett räknas inte"]
