"""Paper answers: `import_survey_responses ROUND FILE.csv`, all or nothing."""

import io

import django
import pytest
from django.core.management import ManagementUtility, call_command
from django.core.management.base import CommandError
from django.db import connections

from audit.models import AccessLogEntry
from followup.models import STATEMENTS, Agreement, SurveyResponse
from survey.importing import COLUMNS
from tests.helpers.reports import make_round, paper_form, write_paper_answers

pytestmark = pytest.mark.django_db


def failing_import(*args: str) -> list[str]:
    err = io.StringIO()
    with pytest.raises(CommandError) as failure:
        call_command("import_survey_responses", *args, stdout=io.StringIO(), stderr=err)
    assert failure.value.returncode == 1
    return err.getvalue().splitlines()


def test_paper_answers_are_imported_on_paper_and_linked_to_nobody(tmp_path):
    survey_round = make_round("September 2026")
    path = write_paper_answers(
        tmp_path,
        [
            paper_form(job_type="stockholmsvard", staff_listen="Stämmer  ganska BRA"),
            paper_form(feel_better="vet ej", studied="nej", know_next_steps="stammer_daligt"),
            paper_form(studied=""),
        ],
    )
    out = io.StringIO()

    call_command("import_survey_responses", "September 2026", str(path), stdout=out)

    assert "3 paper responses" in out.getvalue()
    rows = list(SurveyResponse.objects.order_by("pk"))
    assert [row.on_paper for row in rows] == [True, True, True]
    assert [row.participant_id for row in rows] == [None, None, None]
    assert {row.survey_round_id for row in rows} == {survey_round.pk}
    assert rows[0].job_type.code == "stockholmsvard"
    assert rows[0].staff_listen == Agreement.SOMEWHAT_AGREE
    assert rows[1].job_type is None
    assert rows[1].feel_better == Agreement.DONT_KNOW
    assert rows[1].know_next_steps == Agreement.DISAGREE
    assert [row.studied_during_placement for row in rows] == [True, False, None]
    assert (
        AccessLogEntry.objects.filter(object_type="surveyresponse", username="manage.py").count()
        == 1
    )


def test_semicolons_and_a_missing_job_type_column_are_accepted(tmp_path):
    make_round("R")
    columns = tuple(column for column in COLUMNS if column != "job_type")
    path = write_paper_answers(tmp_path, [paper_form()], columns=columns, delimiter=";")

    call_command("import_survey_responses", "R", str(path), stdout=io.StringIO())

    assert SurveyResponse.objects.get().feel_better == Agreement.AGREE


def test_a_bad_file_writes_nothing_and_lists_every_bad_row(tmp_path):
    make_round("R")
    path = write_paper_answers(
        tmp_path,
        [
            paper_form(),
            paper_form(feel_better="toppen"),
            paper_form(job_type="astronaut"),
            paper_form(studied="kanske"),
            dict.fromkeys(COLUMNS, ""),  # a blank line in the spreadsheet: skipped
            {"job_type": "basanstallning"},  # a form with no answers
        ],
    )

    errors = failing_import("R", str(path))

    assert errors[0].startswith("row 3: feel_better: “toppen” is not on the scale")
    assert errors[1].startswith("row 4: job_type: unknown job type “astronaut”")
    assert errors[2] == "row 5: studied: “kanske” is not ja, nej or empty"
    assert errors[3] == "row 7: row: no answers; a blank form is not a response"
    assert len(errors) == 4
    assert not SurveyResponse.objects.exists()
    assert not AccessLogEntry.objects.exists()


def test_a_missing_statement_column_rejects_the_file(tmp_path):
    make_round("R")
    columns = tuple(column for column in COLUMNS if column != "staff_listen")
    path = write_paper_answers(tmp_path, [paper_form()], columns=columns)

    errors = failing_import("R", str(path))

    assert errors == [
        "row 1: header: missing required columns: staff_listen (the header must name: "
        + ", ".join((*STATEMENTS, "studied"))
        + ")"
    ]
    assert not SurveyResponse.objects.exists()


def test_an_unknown_round_is_refused(tmp_path):
    path = write_paper_answers(tmp_path, [paper_form()])

    with pytest.raises(CommandError, match="no survey round named 'Nope'"):
        call_command("import_survey_responses", "Nope", str(path))


def test_the_command_exits_with_status_1_and_row_errors_on_stderr(tmp_path, capsys, monkeypatch):
    make_round("R")
    # The command line closes connections when done; the test's transaction needs its own.
    monkeypatch.setattr(connections, "close_all", lambda: None)
    # Nor may it set logging up again: its handlers would write to this test's captured
    # stderr, closed once the test ends, and a later test's log line would fail.
    monkeypatch.setattr(django, "setup", lambda *args, **kwargs: None)
    path = write_paper_answers(tmp_path, [paper_form(staff_support="=HYPERLINK()")])

    with pytest.raises(SystemExit) as exit_:
        ManagementUtility(["manage.py", "import_survey_responses", "R", str(path)]).execute()

    assert exit_.value.code == 1
    assert "row 2: staff_support: “=HYPERLINK()” is not on the scale" in capsys.readouterr().err
    assert not SurveyResponse.objects.exists()
