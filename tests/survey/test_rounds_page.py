"""The admin's survey rounds on the desk: the list with response rates, a round and its
invitations in one step, closing a round."""

import datetime
import html

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse

from audit.models import AccessLogEntry, Action
from followup.models import SurveyResponse
from reports import survey_views
from survey import admin as survey_admin
from survey import services
from survey.models import SurveyInvitation, SurveyRound
from survey.selectors import usable_invitation
from tests.factories import AdminFactory
from tests.helpers.reports import SurveyPlacementFactory, make_invitation, make_round

pytestmark = pytest.mark.django_db

D = datetime.date
URL = reverse("desk:survey_rounds")
TODAY = datetime.datetime(2026, 9, 10, 12, 0, tzinfo=datetime.UTC)


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(TODAY, tick=False):
        yield


@pytest.fixture
def admin_user():
    return AdminFactory(username="survey_admin")


@pytest.fixture
def admin_client(client, admin_user):
    client.force_login(admin_user)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


def text(response) -> str:
    return html.unescape(response.content.decode())


def close_url(survey_round) -> str:
    return reverse("desk:survey_round_close", args=[survey_round.pk])


def invite_url(survey_round) -> str:
    return reverse("desk:survey_round_invite", args=[survey_round.pk])


@pytest.mark.parametrize("role", ["coach", "manager"])
def test_coach_and_manager_are_refused_the_rounds_page(client, coach, manager, role):
    client.force_login({"coach": coach, "manager": manager}[role])
    survey_round = make_round(open_today=False, opens_on=D(2026, 9, 1), closes_on=D(2026, 9, 30))
    data = {"name": "Oktober 2026", "opens_on": "2026-10-01", "closes_on": "2026-10-31"}

    assert client.get(URL).status_code == 403
    assert client.post(URL, data).status_code == 403
    assert client.post(close_url(survey_round)).status_code == 403
    assert client.post(invite_url(survey_round)).status_code == 403
    assert list(SurveyRound.objects.values_list("name", "closes_on")) == [
        ("September 2026", D(2026, 9, 30))
    ]


def test_the_list_shows_each_rounds_invitations_responses_and_rate(admin_client):
    answered = make_round(
        "Mars 2026", open_today=False, opens_on=D(2026, 3, 2), closes_on=D(2026, 3, 31)
    )
    for _ in range(3):
        make_invitation(answered, SurveyPlacementFactory(start_date=D(2026, 1, 5)).participant)
    SurveyResponse.objects.create(survey_round=answered, on_paper=True)
    make_round("Tom runda", open_today=False, opens_on=D(2026, 9, 1), closes_on=D(2026, 9, 30))

    response = admin_client.get(URL)

    assert response.status_code == 200
    page = text(response)
    row = page[page.index(f'data-round="{answered.pk}"') :]
    row = row[: row.index("</tr>")]
    assert 'data-count="invitations">3<' in row
    assert 'data-count="responses">1<' in row
    assert 'data-count="rate">33.3 %<' in row
    assert "closed" in row
    assert close_url(answered) not in row
    empty = page[page.index("Tom runda") :]
    assert 'data-count="rate">–<' in empty[: empty.index("</tr>")]
    assert '<div class="table-responsive' in page


def test_creating_a_round_invites_everyone_with_an_ongoing_placement_in_one_step(
    admin_client, admin_user
):
    ongoing = [SurveyPlacementFactory(start_date=D(2026, 5, 4)) for _ in range(2)]
    SurveyPlacementFactory(start_date=D(2025, 1, 7), end_date=D(2026, 8, 28))  # ended before

    response = admin_client.post(
        URL, {"name": "Oktober 2026", "opens_on": "2026-10-01", "closes_on": "2026-10-31"}
    )

    assert response.status_code == 302
    survey_round = SurveyRound.objects.get(name="Oktober 2026")
    assert survey_round.created_by == admin_user
    assert set(
        SurveyInvitation.objects.filter(survey_round=survey_round).values_list(
            "participant_id", flat=True
        )
    ) == {placement.participant_id for placement in ongoing}
    # Issued by the service the admin's action calls: logged as a bulk change alike.
    assert (
        AccessLogEntry.objects.filter(
            action=Action.BULK_CHANGE, detail="survey invitation issued", user=admin_user
        ).count()
        == 2
    )
    page = text(admin_client.get(response["Location"]))
    assert "The round Oktober 2026 was created and 2 participants invited." in page


def test_the_page_and_the_admin_action_issue_invitations_through_one_service(monkeypatch):
    assert survey_admin.invitations_issue is services.invitations_issue
    assert survey_views.invitations_issue is services.invitations_issue
    calls = []
    monkeypatch.setattr(services, "invitations_issue", lambda **kwargs: calls.append(kwargs) or 7)

    survey_round, invited = services.survey_round_create(
        name="Oktober 2026", opens_on=D(2026, 10, 1), closes_on=D(2026, 10, 31)
    )

    assert invited == 7
    assert calls == [{"survey_round": survey_round, "issued_by": None}]


def test_a_bad_round_is_refused_with_a_message_and_nothing_is_created(admin_client):
    SurveyPlacementFactory(start_date=D(2026, 5, 4))
    make_round("September 2026", open_today=False, opens_on=D(2026, 9, 1), closes_on=D(2026, 9, 30))

    closes_first = admin_client.post(
        URL, {"name": "Oktober 2026", "opens_on": "2026-10-31", "closes_on": "2026-10-01"}
    )
    same_name = admin_client.post(
        URL, {"name": "September 2026", "opens_on": "2026-10-01", "closes_on": "2026-10-31"}
    )

    assert closes_first.status_code == 400
    assert "A round cannot close before it opens." in text(closes_first)
    assert same_name.status_code == 400
    assert "already exists" in text(same_name)
    assert SurveyRound.objects.count() == 1
    assert not SurveyInvitation.objects.exists()


def test_inviting_newcomers_adds_only_those_not_yet_invited(admin_client):
    survey_round = make_round(open_today=False, opens_on=D(2026, 9, 1), closes_on=D(2026, 9, 30))
    first = SurveyPlacementFactory(start_date=D(2026, 5, 4))
    admin_client.post(invite_url(survey_round))
    SurveyPlacementFactory(start_date=D(2026, 6, 1))

    response = admin_client.post(invite_url(survey_round))

    assert SurveyInvitation.objects.filter(survey_round=survey_round).count() == 2
    assert SurveyInvitation.objects.filter(participant=first.participant).count() == 1
    assert "1 more participant invited" in text(admin_client.get(response["Location"]))


def test_closing_an_open_round_stops_its_links_at_once(admin_client):
    survey_round = make_round(open_today=False, opens_on=D(2026, 9, 1), closes_on=D(2026, 9, 30))
    participant = SurveyPlacementFactory(start_date=D(2026, 5, 4)).participant
    make_invitation(survey_round, participant, token="a-link-token")
    assert usable_invitation("a-link-token") is not None
    assert close_url(survey_round) in text(admin_client.get(URL))

    response = admin_client.post(close_url(survey_round))

    survey_round.refresh_from_db()
    assert survey_round.closes_on == D(2026, 9, 9)
    assert usable_invitation("a-link-token") is None
    page = text(admin_client.get(response["Location"]))
    assert "2026-09-09 was its last day" in page
    assert close_url(survey_round) not in page


@pytest.mark.parametrize(
    ("opens_on", "closes_on", "message"),
    [
        (D(2026, 9, 10), D(2026, 9, 30), "it can be closed from the day after"),
        (D(2026, 10, 1), D(2026, 10, 31), "it can be closed from the day after"),
        (D(2026, 8, 1), D(2026, 8, 31), "closed on 2026-08-31 already"),
    ],
)
def test_a_round_not_open_since_before_today_cannot_be_closed(
    admin_client, opens_on, closes_on, message
):
    survey_round = make_round(open_today=False, opens_on=opens_on, closes_on=closes_on)

    response = admin_client.post(close_url(survey_round))

    survey_round.refresh_from_db()
    assert survey_round.closes_on == closes_on
    assert message in text(admin_client.get(response["Location"]))
    assert close_url(survey_round) not in text(admin_client.get(URL))


def test_close_service_is_refused_for_a_closed_round():
    survey_round = make_round(open_today=False, opens_on=D(2026, 8, 1), closes_on=D(2026, 8, 31))
    with pytest.raises(ValidationError, match="already"):
        services.survey_round_close(survey_round=survey_round, today=D(2026, 9, 10))


def test_the_survey_page_leads_an_admin_and_only_an_admin_to_the_rounds(client, coach, admin_user):
    client.force_login(coach)
    assert URL not in client.get(reverse("survey:index")).content.decode()

    client.force_login(admin_user)
    assert f'href="{URL}"' in client.get(reverse("survey:index")).content.decode()
