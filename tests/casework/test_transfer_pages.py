"""The transfer pages: a coach asks to take a person over, the owning unit's manager decides.

The asking page is no oracle: whatever the number, a valid request gets the
same status, the same page (but for the CSRF token) and the same time.
"""

import datetime
import re
from html import unescape
from types import SimpleNamespace

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import formats, timezone

from audit.models import AccessLogEntry, Action
from casework import transfer_views
from core import timing
from participants.models import Participant, TransferRequest, TransferStatus
from tests.factories import (
    AdminFactory,
    CoachFactory,
    ManagerFactory,
    ParticipantFactory,
    TransferRequestFactory,
    UnitFactory,
    UserFactory,
    make_personnummer,
)
from tests.helpers import unlabelled_controls

pytestmark = pytest.mark.django_db

ASK = "/participants/take-over/"
LIST = "/transfers/"
BIRTH = datetime.date(1979, 11, 2)
NUMBER = make_personnummer(BIRTH, 512)
SECRET_FIRST, SECRET_LAST = "Hemlig", "Hemligsson"


def decision_url(transfer: TransferRequest) -> str:
    return f"/transfers/{transfer.pk}/decision/"


def number_forms(number: str) -> tuple[str, ...]:
    return (number, f"{number[:8]}-{number[8:]}", f"{number[2:8]}-{number[8:]}")


def text(response) -> str:
    return unescape(response.content.decode())


@pytest.fixture(autouse=True)
def no_waiting(monkeypatch):
    """The pages answer at once in tests; the timing test sets its own floor."""
    monkeypatch.setattr(transfer_views, "ANSWER_SECONDS", 0)


@pytest.fixture
def english(client: Client) -> Client:
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


@pytest.fixture
def elsewhere(other_unit, other_coach):
    """A participant of the other unit, whom the coach of `unit` asks for."""
    return ParticipantFactory(
        unit=other_unit,
        coach=other_coach,
        personnummer=NUMBER,
        birth_date=BIRTH,
        first_name=SECRET_FIRST,
        last_name=SECRET_LAST,
    )


@pytest.fixture
def other_manager(other_unit):
    return ManagerFactory(username="manager2", unit=other_unit, first_name="Maja")


@pytest.fixture
def waiting(elsewhere, coach, unit):
    return TransferRequestFactory(
        participant=elsewhere, to_unit=unit, requested_by=coach, reason="Flyttat till Järva."
    )


# --- Asking: who may -----------------------------------------------------------------------


def test_anonymous_user_is_sent_to_log_in(client):
    response = client.get(ASK)
    assert response.status_code == 302
    assert response.url.startswith("/accounts/login/?next=")


def test_coach_sees_the_form_for_their_own_unit(client, coach):
    client.force_login(coach)

    response = client.get(ASK)

    html = response.content.decode()
    assert response.status_code == 200
    assert '<form method="post" action="/participants/take-over/"' in html
    assert 'name="personnummer"' in html and 'name="reason"' in html
    assert 'name="unit"' not in html
    assert unlabelled_controls(html) == []


def test_an_admin_chooses_the_unit_to_take_the_person_over_into(client, elsewhere, unit):
    admin = AdminFactory()
    client.force_login(admin)

    assert 'name="unit"' in client.get(ASK).content.decode()
    response = client.post(ASK, {"personnummer": NUMBER, "unit": unit.pk, "reason": ""})

    assert response.status_code == 302
    transfer = TransferRequest.objects.get()
    assert (transfer.to_unit, transfer.requested_by) == (unit, admin)


@pytest.mark.parametrize("role", ["manager", "no role"])
def test_only_coaches_and_admins_ask(client, role, unit, elsewhere):
    user = ManagerFactory(unit=unit) if role == "manager" else UserFactory(unit=unit)
    client.force_login(user)

    assert client.get(ASK).status_code == 403
    assert client.post(ASK, {"personnummer": NUMBER}).status_code == 403
    assert not TransferRequest.objects.exists()


def test_a_coach_without_a_unit_is_told_why_and_nothing_is_stored(client, elsewhere):
    client.force_login(CoachFactory(unit=None))
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"

    response = client.post(ASK, {"personnummer": NUMBER})

    assert response.status_code == 200
    assert "You are not a member of any unit" in text(response)
    assert not TransferRequest.objects.exists()


def test_a_bad_check_digit_is_refused_at_the_field(english, coach, elsewhere):
    english.force_login(coach)
    bad = NUMBER[:11] + str((int(NUMBER[11]) + 1) % 10)

    response = english.post(ASK, {"personnummer": bad})

    assert response.status_code == 200
    assert response.context["form"].errors["personnummer"] == ["Invalid check digit."]
    assert not TransferRequest.objects.exists()


def test_a_number_in_the_address_is_neither_used_nor_shown(client, coach, elsewhere):
    client.force_login(coach)

    response = client.get(ASK, {"personnummer": NUMBER})

    assert response.status_code == 200
    assert not response.context["form"].is_bound
    [field] = re.findall(r'<input[^>]*name="personnummer"[^>]*>', response.content.decode())
    assert "value=" not in field
    assert not TransferRequest.objects.exists()


# --- Asking: no oracle ---------------------------------------------------------------------

CSRF = re.compile(r'(name="csrfmiddlewaretoken" value=|name="csrf-token" content=)"[^"]*"')


def answer(client: Client, number: str) -> tuple:
    """Everything the asker gets back for a number: the POST's answer and the page it leads to."""
    posted = client.post(ASK, {"personnummer": f"{number[:8]}-{number[8:]}", "reason": "Flytt"})
    shown = client.get(posted["Location"])
    return (
        posted.status_code,
        posted["Location"],
        posted.content,
        tuple(sorted(posted.cookies)),
        shown.status_code,
        CSRF.sub(r"\1-", shown.content.decode()),
    )


def test_the_answer_is_the_same_whatever_the_number(english, coach, unit, other_unit):
    own = ParticipantFactory(unit=unit, personnummer=make_personnummer(BIRTH, 514))
    ParticipantFactory(
        unit=other_unit,
        personnummer=NUMBER,
        birth_date=BIRTH,
        first_name=SECRET_FIRST,
        last_name=SECRET_LAST,
    )
    unknown = make_personnummer(BIRTH, 516)
    english.force_login(coach)

    answers = {
        "unknown": answer(english, unknown),
        "own unit": answer(english, own.personnummer),
        "another unit": answer(english, NUMBER),
        "another unit, asked again": answer(english, NUMBER),
    }

    assert len(set(answers.values())) == 1, answers.keys()
    status, location, _body, _cookies, shown_status, page = answers["another unit"]
    assert (status, location, shown_status) == (302, ASK, 200)
    assert "Your request is recorded. If the person is registered in another unit" in unescape(page)
    for secret in (SECRET_FIRST, SECRET_LAST, other_unit.name, *number_forms(NUMBER)):
        assert secret not in unescape(page)
    # The answers were alike, the effects were not: one request, for the person elsewhere.
    assert TransferRequest.objects.get().participant.personnummer == NUMBER


def test_the_answer_takes_the_same_time_whatever_the_number(
    client, coach, unit, elsewhere, monkeypatch
):
    """Storing a request takes longer than finding nothing; the answer does not."""
    clock = SimpleNamespace(now=0.0)
    clock.monotonic = lambda: clock.now
    clock.sleep = lambda seconds: setattr(clock, "now", clock.now + seconds)
    monkeypatch.setattr(timing, "time", clock)
    monkeypatch.setattr(transfer_views, "ANSWER_SECONDS", 0.5)
    ask = transfer_views.transfer_ask

    def slow_when_stored(**kwargs):
        stored = ask(**kwargs)
        clock.now += 0.2 if stored is not None else 0.01
        return stored

    monkeypatch.setattr(transfer_views, "transfer_ask", slow_when_stored)
    client.force_login(coach)

    took = {}
    for case, number in (("unknown", make_personnummer(BIRTH, 516)), ("elsewhere", NUMBER)):
        started = clock.now
        assert client.post(ASK, {"personnummer": number}).status_code == 302
        took[case] = clock.now - started

    assert TransferRequest.objects.count() == 1
    assert took == {"unknown": 0.5, "elsewhere": 0.5}


def test_the_number_and_the_reason_reach_no_log_row(client, coach, elsewhere):
    client.force_login(coach)

    client.post(ASK, {"personnummer": NUMBER, "reason": "Bor nu i Rinkeby"})

    for row in AccessLogEntry.objects.values():
        written = " ".join(str(value) for value in row.values())
        assert "Rinkeby" not in written
        assert not any(form in written for form in number_forms(NUMBER))
        assert SECRET_LAST not in written


def test_a_coach_asking_again_and_again_is_stopped_for_an_hour_whatever_the_numbers(
    english, coach, unit, elsewhere, monkeypatch
):
    monkeypatch.setattr(transfer_views, "REQUESTS_PER_HOUR", 2)
    english.force_login(coach)
    for serial in (600, 602):
        assert (
            english.post(ASK, {"personnummer": make_personnummer(BIRTH, serial)}).status_code == 302
        )

    response = english.post(ASK, {"personnummer": NUMBER})

    assert response.status_code == 429
    assert "You have sent many requests in a short time." in text(response)
    assert not TransferRequest.objects.exists()
    refused = AccessLogEntry.objects.get(action=Action.REFUSED)
    assert (refused.detail, refused.participant_id) == ("HTTP 429", None)
    # Another coach is not held back by this one.
    english.force_login(CoachFactory(unit=unit))
    assert english.post(ASK, {"personnummer": NUMBER}).status_code == 302
    assert TransferRequest.objects.count() == 1


# --- Nothing of the case before approval ---------------------------------------------------


def test_with_a_request_waiting_the_asker_finds_nothing_of_the_person(
    client, coach, unit, elsewhere
):
    client.force_login(coach)
    client.post(ASK, {"personnummer": NUMBER})
    assert TransferRequest.objects.filter(status=TransferStatus.PENDING).exists()

    pages = [
        client.get(f"/participants/{elsewhere.pk}/"),
        client.get(f"/participants/{elsewhere.pk}/timeline/", headers={"HX-Request": "true"}),
        client.get("/participants/", {"scope": "unit"}),
        client.post("/participants/", {"q": NUMBER}, follow=True),
        client.post("/participants/", {"q": SECRET_LAST}, follow=True),
        client.get("/followups/", {"scope": "unit"}),
        client.get(ASK),
        client.get(LIST),
    ]

    assert [page.status_code for page in pages] == [404, 404, 200, 200, 200, 200, 200, 403]
    for page in pages[2:5]:
        assert list(page.context["page"].object_list) == []
    # The name search shows the name typed in its own box; nothing else names the person.
    for page in (*pages[:4], *pages[5:]):
        assert SECRET_LAST not in page.content.decode()


def test_once_approved_the_person_is_in_the_askers_caseload(
    client, coach, unit, elsewhere, other_manager
):
    client.force_login(coach)
    client.post(ASK, {"personnummer": NUMBER})
    client.force_login(other_manager)
    client.post(decision_url(TransferRequest.objects.get()), {"decision": "approve"})

    client.force_login(coach)
    caseload = client.get("/participants/")

    assert SECRET_LAST in caseload.content.decode()
    assert client.get(f"/participants/{elsewhere.pk}/").status_code == 200


# --- The managers' list --------------------------------------------------------------------


def test_anonymous_user_is_sent_to_log_in_from_the_list(client):
    response = client.get(LIST)
    assert response.status_code == 302
    assert response.url.startswith("/accounts/login/?next=")


def test_a_coach_may_not_see_the_list(client, coach, waiting):
    client.force_login(coach)
    assert client.get(LIST).status_code == 403


def test_the_owning_units_manager_sees_who_asks_for_whom_and_why(
    english, other_manager, waiting, coach, unit
):
    english.force_login(other_manager)

    response = english.get(LIST)

    html = text(response)
    assert response.status_code == 200
    participant = waiting.participant
    assert f"{SECRET_FIRST} {SECRET_LAST}" in html
    assert participant.masked_personnummer in html
    assert not any(form in html for form in number_forms(NUMBER)[:2])
    assert unit.name in html
    assert coach.get_full_name() in html
    assert "Flyttat till Järva." in html
    assert (
        formats.date_format(timezone.localtime(waiting.requested_at), "SHORT_DATE_FORMAT") in html
    )
    assert f'action="{decision_url(waiting)}"' in html
    assert 'name="decision" value="approve"' in html
    assert 'name="decision" value="decline"' in html
    assert unlabelled_controls(html) == []
    [row] = AccessLogEntry.objects.filter(action=Action.VIEW, object_type="transferrequest")
    assert row.detail == "transfer requests, page 1, 1 rows"
    assert row.participant_id is None


def test_the_asking_units_manager_sees_nothing_of_the_request(client, manager, waiting):
    client.force_login(manager)

    response = client.get(LIST)

    assert response.status_code == 200
    assert SECRET_LAST not in response.content.decode()
    assert list(response.context["page"].object_list) == []


def test_an_admin_sees_every_units_requests_with_the_unit_now(english, waiting, other_unit):
    english.force_login(AdminFactory())

    response = english.get(LIST)

    html = text(response)
    assert SECRET_LAST in html
    assert "Unit now" in html and other_unit.name in html


def test_the_list_runs_the_same_queries_for_few_and_many_requests(client, other_manager, unit):
    def queries() -> int:
        client.force_login(other_manager)
        with CaptureQueriesContext(connection) as captured:
            assert client.get(LIST).status_code == 200
        return len(captured)

    TransferRequestFactory(participant=ParticipantFactory(unit=other_manager.unit), to_unit=unit)
    few = queries()
    for _ in range(6):
        TransferRequestFactory(
            participant=ParticipantFactory(unit=other_manager.unit),
            to_unit=UnitFactory(),
        )
    assert queries() == few


def test_the_navigation_shows_the_manager_how_many_requests_wait(
    client, other_manager, manager, coach, waiting, unit
):
    TransferRequestFactory(participant=ParticipantFactory(unit=other_manager.unit), to_unit=unit)

    client.force_login(other_manager)
    html = client.get("/participants/").content.decode()
    assert re.search(r'href="/transfers/"[^>]*>[^<]*<span class="badge[^"]*">2<', html)

    client.force_login(manager)
    html = client.get("/participants/").content.decode()
    assert 'href="/transfers/"' in html
    assert "transfers-waiting" not in html

    client.force_login(coach)
    html = client.get("/participants/").content.decode()
    assert 'href="/transfers/"' not in html
    assert "transfers-waiting" not in html


def test_the_badges_cost_does_not_grow_with_the_requests(client, other_manager, unit):
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            client.get("/workplaces/")
        return len(captured)

    client.force_login(other_manager)
    none_waiting = queries()
    for _ in range(3):
        TransferRequestFactory(
            participant=ParticipantFactory(unit=other_manager.unit), to_unit=UnitFactory()
        )
    assert queries() == none_waiting


# --- Deciding ------------------------------------------------------------------------------


def test_anonymous_user_cannot_decide(client, waiting):
    response = client.post(decision_url(waiting), {"decision": "approve"})
    assert response.status_code == 302
    assert response.url.startswith("/accounts/login/")
    waiting.refresh_from_db()
    assert waiting.is_pending


def test_a_coach_cannot_decide_not_even_their_own_units_request(client, coach, waiting):
    client.force_login(coach)

    assert client.post(decision_url(waiting), {"decision": "approve"}).status_code == 403

    waiting.refresh_from_db()
    assert waiting.is_pending


def test_a_decision_is_a_post(client, other_manager, waiting):
    client.force_login(other_manager)
    assert client.get(decision_url(waiting)).status_code == 405


def test_a_decision_needs_the_csrf_token(other_manager, waiting):
    client = Client(enforce_csrf_checks=True)
    client.force_login(other_manager)

    assert client.post(decision_url(waiting), {"decision": "approve"}).status_code == 403
    waiting.refresh_from_db()
    assert waiting.is_pending


def test_the_manager_approves_and_the_person_moves_to_the_askers_caseload(
    english, other_manager, waiting, coach, unit
):
    english.force_login(other_manager)

    response = english.post(decision_url(waiting), {"decision": "approve"}, follow=True)

    assert response.redirect_chain == [(LIST, 302)]
    assert f"{SECRET_FIRST} {SECRET_LAST} has been moved to {unit.name}." in text(response)
    participant = Participant.objects.get(pk=waiting.participant_id)
    assert (participant.unit, participant.coach) == (unit, coach)
    row = AccessLogEntry.objects.get(action=Action.CHANGE, object_type="transferrequest")
    assert (row.participant_id, row.object_id, row.username) == (
        participant.pk,
        waiting.pk,
        other_manager.username,
    )
    assert row.detail == f"transfer approved (request {waiting.pk})"


def test_the_manager_declines_and_nothing_of_the_case_changes(
    english, other_manager, waiting, other_unit, other_coach
):
    english.force_login(other_manager)
    before = Participant.objects.values().get(pk=waiting.participant_id)

    response = english.post(decision_url(waiting), {"decision": "decline"}, follow=True)

    assert "has been declined" in text(response)
    assert Participant.objects.values().get(pk=waiting.participant_id) == before
    waiting.refresh_from_db()
    assert waiting.status == TransferStatus.DECLINED
    row = AccessLogEntry.objects.get(action=Action.CHANGE, object_type="transferrequest")
    assert row.detail == f"transfer declined (request {waiting.pk})"


def test_a_manager_of_another_unit_gets_a_404_and_the_refusal_is_logged(client, manager, waiting):
    third = ManagerFactory(unit=UnitFactory(name="Jobbtorg Tredje"))
    for user in (manager, third):
        client.force_login(user)
        for decision in ("approve", "decline"):
            response = client.post(decision_url(waiting), {"decision": decision})
            assert response.status_code == 404
            assert SECRET_LAST not in response.content.decode()

    waiting.refresh_from_db()
    assert waiting.is_pending
    refusals = AccessLogEntry.objects.filter(action=Action.REFUSED)
    assert refusals.count() == 4
    assert set(refusals.values_list("participant_id", flat=True)) == {waiting.participant_id}


def test_a_decided_request_is_refused_clearly_when_decided_again(
    english, other_manager, waiting, other_unit
):
    colleague = ManagerFactory(unit=other_unit, first_name="Per", last_name="Persson")
    english.force_login(colleague)
    english.post(decision_url(waiting), {"decision": "decline"})
    decided = TransferRequest.objects.values().get(pk=waiting.pk)

    english.force_login(other_manager)
    response = english.post(decision_url(waiting), {"decision": "approve"}, follow=True)

    assert response.redirect_chain == [(LIST, 302)]
    assert "This request was already declined by Per Persson" in text(response)
    assert TransferRequest.objects.values().get(pk=waiting.pk) == decided
    assert Participant.objects.get(pk=waiting.participant_id).unit == other_unit


def test_an_unknown_decision_changes_nothing(english, other_manager, waiting):
    english.force_login(other_manager)

    response = english.post(decision_url(waiting), {"decision": "maybe"}, follow=True)

    assert "Choose whether to approve or decline the request." in text(response)
    waiting.refresh_from_db()
    assert waiting.is_pending


# --- Where a coach finds the page ----------------------------------------------------------


def test_registration_and_caseload_link_to_the_page_for_coaches(client, coach):
    client.force_login(coach)
    for page in ("/participants/new/", "/participants/"):
        assert f'href="{ASK}"' in client.get(page).content.decode(), page


def test_a_managers_caseload_does_not_offer_it(client, manager):
    client.force_login(manager)
    assert f'href="{ASK}"' not in client.get("/participants/").content.decode()


def test_the_registration_page_links_alike_after_any_number(client, coach, unit, elsewhere):
    """The link is there before and after a refusal: it says nothing about the number."""
    client.force_login(coach)
    refused = client.post(
        "/participants/new/",
        {
            "personnummer": NUMBER,
            "first_name": "A",
            "last_name": "B",
            "unit": unit.pk,
            "enrolled_on": "2021-02-01",
            "education_level": "okand",
        },
    )
    assert refused.status_code == 200
    assert refused.content.decode().count(f'href="{ASK}"') == 1
