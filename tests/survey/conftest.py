import datetime

import pytest
from django.utils import timezone

from followup.models import SurveyResponse
from survey.models import SurveyInvitation, SurveyRound, hash_token
from tests.factories import PlacementFactory, job_type


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


@pytest.fixture
def survey_round(db) -> SurveyRound:
    return make_round()


@pytest.fixture
def placement(participant):
    """The participant's ongoing placement (fixture ``participant``: unit "Jobbtorg Järva")."""
    return SurveyPlacementFactory(
        participant=participant,
        job_type=job_type("stockholmsvard"),
        start_date=timezone.localdate() - datetime.timedelta(days=100),
    )
