"""The public answer page: no login, nothing about the person, one use per link."""

import datetime
import logging
import re
import threading

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from audit.models import AccessLogEntry
from followup.models import STATEMENTS, Agreement, SurveyResponse
from survey import services
from survey.models import SurveyInvitation
from survey.services import InvitationUnavailable, survey_answer_submit
from tests.factories import job_type
from tests.helpers.reports import SurveyPlacementFactory, make_invitation, make_round

pytestmark = pytest.mark.django_db

TOKEN = "t0k3n-for-the-public-page-tests"


def same_page(first, second) -> bool:
    """Byte for byte, but for the CSRF token and the address the language switch returns to."""

    def normalised(response) -> bytes:
        body = re.sub(rb'name="csrfmiddlewaretoken" value="[^"]*"', b"", response.content)
        return re.sub(rb'name="next" value="[^"]*"', b"", body)

    return first.status_code == second.status_code and normalised(first) == normalised(second)


def url(token: str = TOKEN) -> str:
    return reverse("survey:respond", args=[token])


def cleaned(**overrides: object) -> dict[str, object]:
    """Answers as the form hands them to the service."""
    return {
        **dict.fromkeys(STATEMENTS, Agreement.SOMEWHAT_AGREE),
        "studied_during_placement": True,
        **overrides,
    }


def answers(**overrides: str) -> dict[str, str]:
    data = dict.fromkeys(STATEMENTS, Agreement.SOMEWHAT_AGREE)
    data["studied_during_placement"] = "ja"
    data.update(overrides)
    return data


@pytest.fixture
def invitation(participant, placement):
    return make_invitation(make_round(), participant, token=TOKEN, job_type=placement.job_type)


def test_the_page_opens_without_logging_in(client: Client, invitation):
    response = client.get(url())

    assert response.status_code == 200
    body = response.content.decode()
    for code in STATEMENTS:
        assert f'name="{code}"' in body
    assert 'name="studied_during_placement"' in body
    assert 'name="link_to_me"' in body


def test_the_page_shows_nothing_about_the_person(client: Client, invitation, participant):
    participant.first_name, participant.last_name = "Ingrid", "Hemlighetsdotter"
    participant.save()
    body = client.get(url()).content.decode()

    number = participant.personnummer
    for secret in (
        "Ingrid",
        "Hemlighetsdotter",
        number,
        f"{number[:8]}-{number[8:]}",
        f"{number[:8]}-****",
        invitation.job_type.name,  # Stockholmsvärd
        participant.unit.name,
    ):
        assert secret not in body, secret
    # Nor the menu or the name of anyone logged in: the page has no navigation.
    assert "navbar" not in body


def test_the_page_is_not_cached_indexed_or_given_inline_code(client: Client, invitation):
    response = client.get(url())

    assert "no-store" in response["Cache-Control"]
    assert response["X-Robots-Tag"] == "noindex, nofollow"
    assert '<meta name="robots" content="noindex, nofollow">' in response.content.decode()
    assert response["Referrer-Policy"] == "no-referrer"  # styles would send the token
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy
    body = response.content.decode()
    assert "<script" not in body and "<style" not in body and " style=" not in body


def test_each_statement_is_a_fieldset_of_radio_buttons_with_labels(client: Client, invitation):
    body = client.get(url()).content.decode()

    assert body.count("<fieldset") == len(STATEMENTS) + 1
    assert body.count("<legend") == len(STATEMENTS) + 1
    for step in Agreement.values:
        assert f'id="id_feel_better_{Agreement.values.index(step)}" value="{step}"' in body
    assert body.count('type="radio"') == len(STATEMENTS) * 5 + 2
    assert body.count('<label class="btn') == body.count('type="radio"')


def test_an_answer_is_stored_without_the_person_unless_they_ask(client: Client, invitation):
    response = client.post(url(), answers(feel_better=Agreement.AGREE, know_next_steps=""))

    assert response.status_code == 302
    assert response["Location"] == reverse("survey:thanks")
    stored = SurveyResponse.objects.get()
    assert stored.participant_id is None
    assert stored.survey_round == invitation.survey_round
    assert stored.job_type == job_type("stockholmsvard")
    assert stored.feel_better == Agreement.AGREE
    assert stored.know_next_steps == ""
    assert stored.studied_during_placement is True
    assert stored.submitted_on == timezone.localdate()
    assert stored.on_paper is False
    invitation.refresh_from_db()
    assert invitation.used is True


def test_an_answer_is_linked_to_the_person_when_they_tick_the_box(
    client: Client, invitation, participant
):
    client.post(url(), {**answers(studied_during_placement="nej"), "link_to_me": "on"})

    stored = SurveyResponse.objects.get()
    assert stored.participant == participant
    assert stored.studied_during_placement is False


def test_the_thank_you_page_is_public_and_not_cached(client: Client):
    response = client.get(reverse("survey:thanks"))

    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]


def test_a_used_link_is_refused_and_stores_nothing(client: Client, invitation):
    client.post(url(), answers())

    again = client.get(url())
    second = client.post(url(), answers(feel_better=Agreement.DISAGREE))

    assert again.status_code == second.status_code == 410
    assert SurveyResponse.objects.count() == 1
    assert SurveyResponse.objects.get().feel_better == Agreement.SOMEWHAT_AGREE
    assert 'name="feel_better"' not in again.content.decode()


def test_an_unknown_link_gets_exactly_the_page_a_used_one_gets(client: Client, invitation):
    client.post(url(), answers())

    used = client.get(url())
    unknown = client.get(url("no-such-token-anywhere"))

    assert used.status_code == unknown.status_code == 410
    assert same_page(used, unknown)
    assert "no-store" in unknown["Cache-Control"]


@pytest.mark.parametrize(
    "opens_in, closes_in",
    [(-30, -1), (1, 30)],
    ids=["closed", "not yet open"],
)
def test_a_link_outside_its_round_is_refused_like_an_unknown_one(
    client: Client, participant, opens_in, closes_in
):
    today = timezone.localdate()
    survey_round = make_round(
        opens_on=today + datetime.timedelta(days=opens_in),
        closes_on=today + datetime.timedelta(days=closes_in),
        open_today=False,
    )
    make_invitation(survey_round, participant, token=TOKEN)

    shown = client.get(url())
    posted = client.post(url(), answers())

    assert shown.status_code == posted.status_code == 410
    assert same_page(shown, client.get(url("no-such-token-anywhere")))
    assert not SurveyResponse.objects.exists()
    assert not SurveyInvitation.objects.filter(used=True).exists()


def test_an_empty_form_is_not_a_response(client: Client, invitation):
    response = client.post(url(), {})

    assert response.status_code == 200
    assert not SurveyResponse.objects.exists()
    invitation.refresh_from_db()
    assert invitation.used is False
    assert 'role="alert"' in response.content.decode()


def test_an_unknown_scale_value_is_not_stored(client: Client, invitation):
    response = client.post(url(), answers(feel_better="jättebra"))

    assert response.status_code == 200
    assert not SurveyResponse.objects.exists()


def test_answering_writes_nothing_to_the_access_log(client: Client, invitation):
    client.get(url())
    client.post(url(), answers())
    client.get(url())

    assert not AccessLogEntry.objects.exists()


def test_a_refused_link_opened_by_a_logged_in_user_keeps_the_token_out_of_the_log(
    client: Client, coach
):
    client.force_login(coach)

    response = client.get(url("a-token-that-might-have-been-real"))

    assert response.status_code == 410
    assert not AccessLogEntry.objects.filter(path__contains="a-token").exists()


def test_the_service_refuses_a_second_submission(invitation):
    survey_answer_submit(token=TOKEN, answers=cleaned(), link_to_participant=False)

    with pytest.raises(InvitationUnavailable):
        survey_answer_submit(token=TOKEN, answers=cleaned(), link_to_participant=True)
    assert SurveyResponse.objects.count() == 1


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_tabs_submitting_at_once_store_one_response(postgres, participant, monkeypatch):
    """The first submission holds the invitation's row lock while the second arrives.

    Without select_for_update the second would read the invitation as unused
    (the first has not committed) and store a second response.
    """
    placement = SurveyPlacementFactory(
        planned_end_date=None, participant=participant, start_date=datetime.date(2026, 1, 1)
    )
    make_invitation(make_round(), participant, token=TOKEN, job_type=placement.job_type)
    inside, go = threading.Event(), threading.Event()
    original_full_clean = SurveyResponse.full_clean
    first_caller = threading.Lock()

    def slow_full_clean(self, *args, **kwargs):
        if first_caller.acquire(blocking=False):
            inside.set()
            go.wait(timeout=10)
        return original_full_clean(self, *args, **kwargs)

    monkeypatch.setattr(SurveyResponse, "full_clean", slow_full_clean)
    outcomes: list[str] = []

    def submit() -> None:
        try:
            services.survey_answer_submit(token=TOKEN, answers=cleaned(), link_to_participant=False)
            outcomes.append("stored")
        except InvitationUnavailable:
            outcomes.append("refused")
        finally:
            connection.close()

    first = threading.Thread(target=submit)
    first.start()
    assert inside.wait(timeout=10)
    second = threading.Thread(target=submit)
    second.start()
    second.join(timeout=1)  # blocked on the row lock, or (without it) already done
    go.set()
    first.join(timeout=10)
    second.join(timeout=10)

    assert sorted(outcomes) == ["refused", "stored"]
    assert SurveyResponse.objects.count() == 1


def test_no_method_puts_a_live_token_in_a_log_line(client: Client, invitation, coach, caplog):
    """A link preview sends HEAD; a phone that blocks cookies fails a CSRF check:
    neither may write the path, whose token still works, to a log."""
    client.force_login(coach)  # a logged-in user's refusals go to the access log
    csrf_client = Client(enforce_csrf_checks=True)

    with caplog.at_level(logging.DEBUG):
        head = client.head(url())
        put = client.put(url())
        posted = csrf_client.post(url(), answers())

    assert head.status_code == 200
    assert put.status_code == 410
    assert posted.status_code == 302  # answered: the token is the key, not a CSRF cookie
    assert TOKEN not in caplog.text
    assert not AccessLogEntry.objects.filter(path__contains=TOKEN).exists()
