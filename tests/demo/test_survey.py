"""The survey's demo data: two September rounds answered roughly like the document."""

import datetime

import pytest

from demo.survey import delete_survey_data, seed_survey
from followup.models import SurveyResponse
from reports.survey_results import round_results
from survey.models import SurveyInvitation, SurveyRound
from tests.helpers.reports import SurveyPlacementFactory

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 11, 25)


@pytest.fixture
def placements():
    """Ongoing on both 1 September 2025 and 1 September 2026, plus one that ended between."""
    ongoing = [SurveyPlacementFactory(start_date=datetime.date(2025, 6, 1)) for _ in range(400)]
    SurveyPlacementFactory(
        planned_end_date=None,
        start_date=datetime.date(2025, 1, 1),
        end_date=datetime.date(2026, 1, 31),
    )
    return ongoing


def test_two_september_rounds_with_about_half_answering(placements):
    counts = seed_survey(TODAY)

    assert list(SurveyRound.objects.order_by("opens_on").values_list("name", flat=True)) == [
        "September 2025",
        "September 2026",
    ]
    assert counts["survey invitations"] == 401 + 400
    for survey_round in SurveyRound.objects.all():
        results = round_results(survey_round)
        assert 40 <= results.response_rate <= 60
        assert 65 <= results.statements["staff_easy_to_reach"].share_positive <= 90
        assert 65 <= results.statements["feel_better"].share_positive <= 88
        assert 35 <= results.share_studied <= 57
        studied, not_studied = results.by_studied[True], results.by_studied[False]
        assert (
            studied["more_interested_in_studies"].share_positive
            > not_studied["more_interested_in_studies"].share_positive
        )
    assert SurveyResponse.objects.filter(on_paper=True).exists()
    assert SurveyResponse.objects.filter(participant__isnull=False).exists()
    assert not SurveyResponse.objects.filter(on_paper=True, participant__isnull=False).exists()


def test_used_invitations_match_the_web_responses(placements):
    seed_survey(TODAY)

    for survey_round in SurveyRound.objects.all():
        web = SurveyResponse.objects.filter(survey_round=survey_round, on_paper=False).count()
        assert SurveyInvitation.objects.filter(survey_round=survey_round, used=True).count() == web


def test_before_september_the_rounds_are_the_two_before(placements):
    seed_survey(datetime.date(2026, 8, 31))

    assert set(SurveyRound.objects.values_list("name", flat=True)) == {
        "September 2024",
        "September 2025",
    }


def test_the_same_seed_gives_the_same_answers(placements):
    def answers() -> list[tuple]:
        return list(
            SurveyResponse.objects.order_by("pk").values_list(
                "survey_round__name", "feel_better", "studied_during_placement", "submitted_on"
            )
        )

    seed_survey(TODAY)
    first = answers()
    SurveyResponse.objects.all().delete()
    SurveyRound.objects.all().delete()
    seed_survey(TODAY)

    assert answers() == first


def test_seeding_again_leaves_existing_rounds_alone(placements):
    seed_survey(TODAY)
    before = SurveyResponse.objects.count()

    counts = seed_survey(TODAY)

    assert counts["survey responses"] == 0
    assert SurveyResponse.objects.count() == before


def test_deleting_the_demo_survey_lets_a_new_seed_start_over(placements):
    seed_survey(TODAY)
    first = SurveyResponse.objects.count()

    deleted = delete_survey_data()
    seed_survey(TODAY)

    assert deleted == {"survey rounds": 2, "survey responses": first}
    assert SurveyResponse.objects.count() == first
    assert SurveyRound.objects.count() == 2
