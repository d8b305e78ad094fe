"""Survey results: the figures against counts made by hand, and the results page
(managers and admins), where an admin adds a round's paper answers."""

import datetime
import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from followup.models import STATEMENTS, Agreement, SurveyResponse
from reports.survey_results import response_rates, round_results
from tests.factories import AdminFactory, ParticipantFactory
from tests.helpers.reports import (
    make_answered_round,
    make_invitation,
    make_response,
    make_round,
    paper_form,
    write_paper_answers,
)

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


# --- The results page -----------------------------------------------------------------------------


@pytest.fixture
def answered_round():
    return make_answered_round()


def _cell(body: str, statement: str, cell: str) -> str:
    """The text of one cell of a statement's row, in whichever table has that cell."""
    for row in re.findall(rf'<tr data-statement="{statement}">(.*?)</tr>', body, re.S):
        value = re.search(rf'data-cell="{cell}">(.*?)</td>', row, re.S)
        if value:
            return value.group(1).strip()
    raise AssertionError(f"no {cell} cell for {statement}")


@pytest.mark.parametrize("role", ["manager", "admin"])
def test_managers_and_admins_see_the_results(client: Client, manager, answered_round, role):
    client.force_login(manager if role == "manager" else AdminFactory())

    response = client.get(reverse("survey_results:index"), {"survey_round": answered_round.pk})

    assert response.status_code == 200
    body = response.content.decode()
    assert _cell(body, "staff_listen", "answered") == "7"
    assert _cell(body, "staff_listen", "share") == "71,4 %"
    # Hidden with its small sibling, or the whole minus it would give that away.
    assert _cell(body, "staff_listen", "studied-share") == "&lt;5"
    # One who had not studied: too few to show.
    assert _cell(body, "staff_listen", "not-studied-share") == "&lt;5"
    assert _cell(body, "staff_listen", "not-studied-answered") == "&lt;5"


def test_the_latest_round_is_shown_by_default(client: Client, manager, answered_round):
    make_round(
        "Old",
        opens_on=datetime.date(2020, 9, 1),
        closes_on=datetime.date(2020, 9, 30),
        open_today=False,
    )
    client.force_login(manager)

    response = client.get(reverse("survey_results:index"))

    assert response.context["survey_round"] == answered_round


def test_coaches_do_not_see_the_results(client: Client, coach, answered_round):
    client.force_login(coach)

    assert client.get(reverse("survey_results:index")).status_code == 403


def test_an_unknown_round_on_the_results_page_is_a_404(client: Client, manager, answered_round):
    client.force_login(manager)

    assert client.get(reverse("survey_results:index"), {"survey_round": 999999}).status_code == 404


def test_the_results_page_runs_a_bounded_number_of_queries(client: Client, manager, answered_round):
    client.force_login(manager)
    page = (reverse("survey_results:index"), {"survey_round": answered_round.pk})
    with CaptureQueriesContext(connection) as few:
        client.get(*page)
    for index in range(30):
        make_response(answered_round, feel_better=Agreement.AGREE)
        make_invitation(answered_round, ParticipantFactory(), token=f"t{index}", used=True)
        make_round(f"Round {index}")

    with CaptureQueriesContext(connection) as many:
        client.get(*page)

    assert len(many) == len(few)


# --- Paper answers on the results page -------------------------------------------------------


def test_an_admin_uploads_paper_answers_on_the_results_page(client, tmp_path):
    survey_round = make_round("R")
    client.force_login(AdminFactory())
    path = write_paper_answers(tmp_path, [paper_form(), paper_form(feel_better="stämmer dåligt")])

    with open(path, "rb") as file:
        response = client.post(
            reverse("survey_results:paper_import", args=[survey_round.pk]), {"file": file}
        )

    assert response.status_code == 302
    assert SurveyResponse.objects.filter(on_paper=True, survey_round=survey_round).count() == 2


def test_a_bad_upload_shows_the_rows_and_writes_nothing(client, tmp_path):
    survey_round = make_round("R")
    client.force_login(AdminFactory())
    path = write_paper_answers(tmp_path, [paper_form(), paper_form(feel_better="toppen")])

    with open(path, "rb") as file:
        response = client.post(
            reverse("survey_results:paper_import", args=[survey_round.pk]), {"file": file}
        )

    assert response.status_code == 400
    # The page is in Swedish, as the administrator's browser asks; the prefix is the contract's.
    assert "row 3: feel_better: ”toppen” finns inte på skalan" in response.content.decode()
    assert not SurveyResponse.objects.exists()


def test_managers_cannot_upload_paper_answers(client, manager, tmp_path):
    survey_round = make_round("R")
    client.force_login(manager)
    path = write_paper_answers(tmp_path, [paper_form()])

    with open(path, "rb") as file:
        response = client.post(
            reverse("survey_results:paper_import", args=[survey_round.pk]), {"file": file}
        )

    assert response.status_code == 403
    assert not SurveyResponse.objects.exists()
