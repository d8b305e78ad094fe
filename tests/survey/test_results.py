"""The results against counts made by hand."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from followup.models import STATEMENTS, Agreement, SurveyResponse
from survey.results import response_rates, round_results
from tests.factories import ParticipantFactory
from tests.survey.conftest import make_invitation, make_response, make_round

pytestmark = pytest.mark.django_db

AGREE = Agreement.AGREE
SOMEWHAT = Agreement.SOMEWHAT_AGREE
SOMEWHAT_NOT = Agreement.SOMEWHAT_DISAGREE
DISAGREE = Agreement.DISAGREE
DONT_KNOW = Agreement.DONT_KNOW


@pytest.fixture
def survey_round():
    """Ten responses; 'feel_better' and 'studied' chosen so every rule shows.

    feel_better:  studied (6): bra, bra, ganska bra, ganska dåligt, vet ej, blank
                  not studied (3): bra, dåligt, dåligt
                  studied unknown (1): ganska bra
    All: answered 9 (blank excluded, vet ej included); positive 5 → 55.6 %.
    Studied: answered 5, positive 3 → 60.0 %. Not studied: answered 3 → suppressed.
    """
    survey_round = make_round("Hand count")
    rows = [
        (AGREE, True),
        (AGREE, True),
        (SOMEWHAT, True),
        (SOMEWHAT_NOT, True),
        (DONT_KNOW, True),
        ("", True),
        (AGREE, False),
        (DISAGREE, False),
        (DISAGREE, False),
        (SOMEWHAT, None),
    ]
    for feel_better, studied in rows:
        make_response(
            survey_round,
            feel_better=feel_better,
            staff_listen=AGREE,
            studied_during_placement=studied,
        )
    # Another round's answers count nowhere here.
    make_response(make_round("Other"), feel_better=DISAGREE, studied_during_placement=True)
    return survey_round


def test_counts_per_step_and_the_positive_share_match_a_hand_count(survey_round):
    result = round_results(survey_round).statements["feel_better"]

    assert result.counts == {
        AGREE: 3,
        SOMEWHAT: 2,
        SOMEWHAT_NOT: 1,
        DISAGREE: 2,
        DONT_KNOW: 1,
    }
    assert result.answered == 9
    assert result.positive == 5
    assert result.share_positive == Decimal("55.6")


def test_a_statement_nobody_answered_has_no_share(survey_round):
    result = round_results(survey_round).statements["know_next_steps"]

    assert result.answered == 0
    assert result.share_positive is None


def test_the_share_who_studied_counts_only_those_who_answered_it(survey_round):
    results = round_results(survey_round)

    assert (results.studied, results.not_studied) == (6, 3)
    assert results.share_studied == Decimal("66.7")


def test_the_split_by_studied_matches_a_hand_count(survey_round):
    results = round_results(survey_round)
    studied = results.by_studied[True]["feel_better"]
    not_studied = results.by_studied[False]["feel_better"]

    assert (studied.answered, studied.positive, studied.share_positive) == (
        5,
        3,
        Decimal("60.0"),
    )
    assert (not_studied.answered, not_studied.positive) == (3, 1)
    assert results.by_studied[True]["staff_listen"].answered == 6


def test_a_cell_under_the_threshold_is_shown_as_under_five(survey_round, settings):
    settings.SMALL_CELL_THRESHOLD = 5
    shown = round_results(survey_round).as_dict(suppress=True)
    not_studied = next(cell for cell in shown["by_studied"]["no"] if cell["code"] == "feel_better")
    studied = next(cell for cell in shown["by_studied"]["yes"] if cell["code"] == "feel_better")

    assert not_studied["suppressed"] is True
    assert not_studied["share_positive"] is None
    assert not_studied["answered"] == "<5"
    assert set(not_studied["counts"].values()) == {"<5"}
    # The studied side (5) is hidden too: the whole statement (9) is shown, so
    # it would give the hidden side away by subtraction.
    assert studied["suppressed"] is True
    assert studied["answered"] == "<5" and studied["share_positive"] is None


def test_exact_figures_are_never_suppressed(survey_round):
    exact = round_results(survey_round).as_dict()
    not_studied = next(cell for cell in exact["by_studied"]["no"] if cell["code"] == "feel_better")

    assert not_studied["answered"] == 3
    assert not_studied["share_positive"] == pytest.approx(33.3)


def test_the_threshold_is_the_setting(survey_round, settings):
    settings.SMALL_CELL_THRESHOLD = 3
    shown = round_results(survey_round).as_dict(suppress=True)
    not_studied = next(cell for cell in shown["by_studied"]["no"] if cell["code"] == "feel_better")
    studied = next(cell for cell in shown["by_studied"]["yes"] if cell["code"] == "feel_better")

    assert not_studied["suppressed"] is False
    assert studied["suppressed"] is False and studied["answered"] == 5


def test_the_response_rate_is_responses_over_invitations(survey_round):
    for _ in range(16):
        make_invitation(survey_round, ParticipantFactory())

    results = round_results(survey_round)

    assert (results.responses, results.invitations) == (10, 16)
    assert results.response_rate == Decimal("62.5")


def test_a_queryset_of_responses_has_results_but_no_rate(survey_round):
    results = round_results(SurveyResponse.objects.filter(studied_during_placement=False))

    assert results.responses == 3
    assert results.invitations is None
    assert results.response_rate is None
    assert results.statements["feel_better"].counts[DISAGREE] == 2


def test_response_rates_per_round_in_one_query(survey_round):
    other = make_round("Empty round")
    make_invitation(survey_round, ParticipantFactory(), token="used", used=True)
    make_invitation(survey_round, ParticipantFactory())
    make_invitation(other, ParticipantFactory())

    with CaptureQueriesContext(connection) as queries:
        rates = {rate.survey_round.name: rate for rate in response_rates()}

    assert len(queries) == 1
    assert (rates["Hand count"].invitations, rates["Hand count"].responses) == (2, 10)
    assert rates["Hand count"].answered_on_the_web == 1
    assert rates["Hand count"].response_rate == Decimal("500.0")
    assert (rates["Empty round"].invitations, rates["Empty round"].responses) == (1, 0)
    assert rates["Empty round"].response_rate == Decimal("0.0")


def test_results_take_two_queries_whatever_the_number_of_responses(survey_round):
    with CaptureQueriesContext(connection) as queries:
        results = round_results(survey_round)
        results.as_dict(suppress=True)

    assert len(queries) == 2
    assert [result.code for result in results.statements.values()] == list(STATEMENTS)


def test_statements_are_grouped_as_in_the_document(survey_round):
    results = round_results(survey_round)

    assert [r.code for r in results.staff_statements()] == [
        "staff_support",
        "staff_easy_to_reach",
        "staff_interested",
        "staff_listen",
    ]
    assert [r.code for r in results.job_statements()] == [
        "feel_better",
        "know_next_steps",
        "better_job_chances",
        "more_interested_in_studies",
    ]
    assert results.statements["staff_listen"].label == "The staff listen to me"
