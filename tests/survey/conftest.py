import datetime

import pytest
from django.utils import timezone

from survey.models import SurveyRound
from tests.factories import job_type
from tests.helpers.reports import SurveyPlacementFactory, make_round


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
