"""Staff pages: links to hand out (own unit only), the rounds, the admin.

The results page is reports' (tests/reports/test_survey_results.py)."""

import datetime
import re

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from audit.models import AccessLogEntry, Action
from followup.models import Agreement
from survey.models import SurveyInvitation, SurveyRound, hash_token
from survey.selectors import usable_invitation
from tests.factories import AdminFactory, CoachFactory, ParticipantFactory
from tests.helpers.reports import (
    SurveyPlacementFactory,
    make_answered_round,
    make_invitation,
    make_response,
    make_round,
)

pytestmark = pytest.mark.django_db

LINK = re.compile(r"https?://[^\s<\"]+/survey/([A-Za-z0-9_-]{22,})/")


@pytest.fixture
def invitations(unit, other_unit, coach, other_coach):
    """Two of the coach's unit (one with another coach), one of another unit."""
    survey_round = make_round()
    colleague = CoachFactory(username="colleague", unit=unit)
    return {
        "own": make_invitation(
            survey_round, ParticipantFactory(unit=unit, coach=coach, last_name="Egensson")
        ),
        "colleague's": make_invitation(
            survey_round, ParticipantFactory(unit=unit, coach=colleague, last_name="Kollegasson")
        ),
        "other unit's": make_invitation(
            survey_round,
            ParticipantFactory(unit=other_unit, coach=other_coach, last_name="Annanenhetsson"),
        ),
    }


def links_url(invitations) -> str:
    return reverse("survey:links", args=[invitations["own"].survey_round_id])


# --- Links to hand out --------------------------------------------------------------------


def test_a_coach_sees_their_own_participants_first(client: Client, coach, invitations):
    client.force_login(coach)

    body = client.get(links_url(invitations)).content.decode()

    assert "Egensson" in body
    assert "Kollegasson" not in body
    assert "Annanenhetsson" not in body


def test_a_coach_can_list_their_whole_unit_but_never_another_units(
    client: Client, coach, invitations
):
    client.force_login(coach)

    body = client.get(links_url(invitations) + "?coach=all").content.decode()

    assert "Egensson" in body and "Kollegasson" in body
    assert "Annanenhetsson" not in body


def test_the_list_shows_no_link_and_no_token(client: Client, coach, invitations):
    client.force_login(coach)

    body = client.get(links_url(invitations)).content.decode()

    assert not LINK.search(body)


def test_printing_shows_each_link_once_with_a_qr_code_and_logs_it(
    client: Client, coach, invitations
):
    client.force_login(coach)
    own = invitations["own"]

    response = client.post(links_url(invitations), {"invitation": [own.pk]})

    assert response.status_code == 200
    body = response.content.decode()
    tokens = LINK.findall(body)
    assert len(set(tokens)) == 1
    assert usable_invitation(tokens[0]) == own
    assert body.count("<svg") == 1 and 'class="qr-code"' in body
    assert "Egensson" in body
    assert "no-store" in response["Cache-Control"]
    printed = AccessLogEntry.objects.filter(action=Action.PRINT)
    assert list(printed.values_list("participant_id", "username")) == [
        (own.participant_id, "coach1")
    ]
    # Shown once: the list afterwards does not show it again.
    assert tokens[0] not in client.get(links_url(invitations)).content.decode()


def test_printing_another_units_participant_is_a_404_and_changes_nothing(
    client: Client, coach, invitations
):
    client.force_login(coach)
    others = invitations["other unit's"]

    response = client.post(
        links_url(invitations), {"invitation": [invitations["own"].pk, others.pk]}
    )

    assert response.status_code == 404
    assert "Annanenhetsson" not in response.content.decode()
    assert not SurveyInvitation.objects.filter(token_hash__isnull=False).exists()
    assert not AccessLogEntry.objects.filter(action=Action.PRINT).exists()


def test_the_other_units_coach_sees_only_their_own(client: Client, other_coach, invitations):
    client.force_login(other_coach)

    body = client.get(links_url(invitations) + "?coach=all").content.decode()

    assert "Annanenhetsson" in body
    assert "Egensson" not in body and "Kollegasson" not in body


def test_an_admin_may_print_for_every_unit(client: Client, invitations):
    client.force_login(AdminFactory())

    body = client.get(links_url(invitations) + "?coach=all").content.decode()

    assert all(name in body for name in ("Egensson", "Kollegasson", "Annanenhetsson"))


def test_managers_do_not_hand_out_links(client: Client, manager, invitations):
    client.force_login(manager)

    assert client.get(links_url(invitations)).status_code == 403
    assert (
        client.post(links_url(invitations), {"invitation": [invitations["own"].pk]}).status_code
        == 403
    )
    assert not SurveyInvitation.objects.filter(token_hash__isnull=False).exists()


def test_a_used_invitation_has_no_box_to_print_again(client: Client, coach, invitations):
    own = invitations["own"]
    own.token_hash, own.used = hash_token("x"), True
    own.save()
    client.force_login(coach)

    body = client.get(links_url(invitations)).content.decode()

    assert f'value="{own.pk}"' not in body


def test_anonymous_visitors_are_sent_to_log_in(client: Client, invitations):
    for url in (links_url(invitations), reverse("survey_results:index"), reverse("survey:index")):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))


# --- The index ---------------------------------------------------------------------------------


@pytest.fixture
def answered_round():
    return make_answered_round()


def test_the_index_page_opens_for_every_role(client: Client, coach, manager, answered_round):
    for user in (coach, manager, AdminFactory()):
        client.force_login(user)
        assert client.get(reverse("survey:index")).status_code == 200


# --- The admin -------------------------------------------------------------------------------


def test_an_admin_creates_a_round_and_issues_its_invitations(client: Client):
    admin = AdminFactory()
    client.force_login(admin)
    ongoing = SurveyPlacementFactory(start_date=datetime.date(2026, 3, 1))
    SurveyPlacementFactory(
        planned_end_date=None,
        start_date=datetime.date(2026, 1, 1),
        end_date=datetime.date(2026, 6, 30),
    )

    response = client.post(
        reverse("admin:survey_surveyround_add"),
        {"name": "September 2026", "opens_on": "2026-09-01", "closes_on": "2026-09-30"},
    )

    assert response.status_code == 302
    survey_round = SurveyRound.objects.get()
    assert survey_round.created_by == admin

    response = client.post(
        reverse("admin:survey_surveyround_changelist"),
        {"action": "issue_invitations", "_selected_action": [survey_round.pk]},
    )

    assert response.status_code == 302
    assert list(SurveyInvitation.objects.values_list("participant_id", flat=True)) == [
        ongoing.participant_id
    ]
    changelist = client.get(reverse("admin:survey_surveyround_changelist")).content.decode()
    assert "September 2026" in changelist


def test_a_round_cannot_close_before_it_opens(client: Client):
    client.force_login(AdminFactory())

    response = client.post(
        reverse("admin:survey_surveyround_add"),
        {"name": "Backwards", "opens_on": "2026-09-30", "closes_on": "2026-09-01"},
    )

    assert response.status_code == 200
    assert not SurveyRound.objects.exists()


def test_the_admins_list_of_rounds_shows_invitations_responses_and_rate(client: Client):
    survey_round = make_round("Rate round")
    for index in range(4):
        make_invitation(survey_round, ParticipantFactory(), token=f"r{index}", used=index == 0)
    make_response(survey_round, feel_better=Agreement.AGREE)
    client.force_login(AdminFactory())

    body = client.get(reverse("admin:survey_surveyround_changelist")).content.decode()

    assert re.search(r'class="field-invitations">4<', body)
    assert re.search(r'class="field-responses">1<', body)
    assert re.search(r'class="field-response_rate">25.0 %<', body)


@pytest.mark.parametrize(
    ("opens", "closes", "reason"),
    [
        (-30, -1, "The round closed on"),
        (2, 30, "The round opens on"),
    ],
    ids=["closed", "not yet open"],
)
def test_links_of_a_round_that_is_not_open_are_not_printed_and_the_page_says_why(
    client: Client, coach, unit, opens, closes, reason
):
    today = timezone.localdate()
    survey_round = make_round(
        "Mars",
        open_today=False,
        opens_on=today + datetime.timedelta(days=opens),
        closes_on=today + datetime.timedelta(days=closes),
    )
    invitation = make_invitation(survey_round, ParticipantFactory(unit=unit, coach=coach))
    url = reverse("survey:links", args=[survey_round.pk])
    client.force_login(coach)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"

    page = client.get(url).content.decode()
    refused = client.post(url, {"invitation": [invitation.pk]}, follow=True)

    assert reason in page
    assert "Print links for the ticked participants" not in page
    assert reason in refused.content.decode()
    assert not LINK.search(refused.content.decode())
    invitation.refresh_from_db()
    assert not invitation.token_hash
    assert not AccessLogEntry.objects.filter(action=Action.PRINT).exists()
