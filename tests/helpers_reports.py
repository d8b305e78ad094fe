"""Helpers that the tests of the statistics (``reports``) and of the survey share.

Plain functions and factories, no fixtures: a test module imports what it
needs from here, never from another test module.
"""

import csv
import datetime
from pathlib import Path

from django.utils import timezone

from followup.models import Agreement, SurveyResponse
from survey.importing import COLUMNS as PAPER_COLUMNS
from survey.models import SurveyInvitation, SurveyRound, hash_token
from tests.factories import PlacementFactory, job_type

# --- Survey rounds, invitations and answers --------------------------------------------------


class SurveyPlacementFactory(PlacementFactory):
    """A placement with no planned end: the tests' dates lie after the default one."""

    planned_end_date = None


def make_round(name: str = "September 2026", *, open_today: bool = True, **fields) -> SurveyRound:
    today = timezone.localdate()
    if open_today:
        fields.setdefault("opens_on", today - datetime.timedelta(days=3))
        fields.setdefault("closes_on", today + datetime.timedelta(days=20))
    return SurveyRound.objects.create(name=name, **fields)


def make_invitation(survey_round: SurveyRound, participant, *, token: str | None = None, **fields):
    """An invitation; with ``token``, its link is printed and that token opens it."""
    if token is not None:
        fields["token_hash"] = hash_token(token)
        fields.setdefault("link_made_at", timezone.now())
    fields.setdefault("job_type", job_type())
    return SurveyInvitation.objects.create(
        survey_round=survey_round, participant=participant, **fields
    )


def make_response(survey_round: SurveyRound, **answers) -> SurveyResponse:
    return SurveyResponse.objects.create(survey_round=survey_round, **answers)


def make_answered_round() -> SurveyRound:
    """A round of seven answers to "staff_listen": six who studied (four agree), one who did not."""
    survey_round = make_round("Resultatrunda")
    for answer in [Agreement.AGREE] * 4 + [Agreement.DISAGREE] * 2:
        make_response(survey_round, staff_listen=answer, studied_during_placement=True)
    make_response(survey_round, staff_listen=Agreement.AGREE, studied_during_placement=False)
    return survey_round


# --- Paper answers -----------------------------------------------------------------------------


def write_paper_answers(
    tmp_path: Path, rows: list[dict[str, str]], *, columns=PAPER_COLUMNS, delimiter=","
) -> Path:
    """A CSV file of paper answers (``import_survey_responses``): one row per form."""
    path = tmp_path / "paper.csv"
    with open(path, "w", encoding="utf-8", newline="") as file:
        writer = csv.writer(file, delimiter=delimiter)
        writer.writerow(columns)
        for values in rows:
            writer.writerow([values.get(column, "") for column in columns])
    return path


def paper_form(**cells: str) -> dict[str, str]:
    """One paper form's answers, as a row of ``write_paper_answers``."""
    return {"feel_better": "stammer_bra", "studied": "ja", **cells}
