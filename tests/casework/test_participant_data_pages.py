"""The participant page: their own data and its history, the full personnummer on request,
an administrator's correction of it, and closing and reopening the case."""

import datetime
import html
import re

import pytest
import time_machine
from django.conf import settings
from django.contrib.auth.models import Permission
from django.urls import reverse

from audit.models import AccessLogEntry, Action
from participants.models import CaseStatusChange, Participant, ParticipantChange
from participants.services import participant_set_sensitive
from tests.factories import (
    AdminFactory,
    CoachFactory,
    ParticipantFactory,
    PlacementFactory,
    make_personnummer,
)
from tests.helpers import (
    admin_url,
    change_page_data,
    formset_management_data,
    unlabelled_controls,
)

pytestmark = pytest.mark.django_db

D = datetime.date
HTMX = {"HX-Request": "true"}
NUMBER = make_personnummer(D(1984, 2, 29), 481)
FULL = f"{NUMBER[:8]}-{NUMBER[8:]}"
OTHER_NUMBER = make_personnummer(D(1984, 3, 29), 493)

URL_NAMES = [
    "details_edit",
    "personnummer_show",
    "personnummer_correct",
    "case_close",
    "case_reopen",
]


@pytest.fixture(autouse=True)
def today():
    with time_machine.travel(datetime.datetime(2021, 6, 15, 10, tzinfo=datetime.UTC)):
        yield


@pytest.fixture
def person(unit, coach):
    return ParticipantFactory(
        unit=unit,
        coach=coach,
        personnummer=NUMBER,
        birth_date=D(1984, 2, 29),
        enrolled_on=D(2021, 1, 11),
        first_name="Hodan",
        last_name="Farah",
    )


def english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def url(name: str, participant: Participant) -> str:
    return reverse(f"participants:{name}", kwargs={"pk": participant.pk})


def text(response) -> str:
    return html.unescape(response.content.decode())


def hidden_values(response) -> dict[str, str]:
    return dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', text(response)))


def details_data(participant: Participant, **changes: str) -> dict[str, str]:
    data = {
        "first_name": participant.first_name,
        "last_name": participant.last_name,
        "district": str(participant.district_id or ""),
        "phone": participant.phone,
        "email": participant.email,
        "street_address": participant.street_address,
        "postal_code": participant.postal_code,
        "city": participant.city,
        "preferred_language": participant.preferred_language,
        "education_level": participant.education_level,
        "foreign_born": "unknown",
        "months_social_assistance_before": "",
        "months_unemployed_before": "",
    }
    data.update(changes)
    return data


def post_form(client, name: str, participant: Participant, headers=None, **values):
    form = client.get(url(name, participant), headers=headers or {})
    assert form.status_code == 200
    return client.post(
        url(name, participant), {**hidden_values(form), **values}, headers=headers or {}
    )


# --- Who may do what ---------------------------------------------------------------------


@pytest.mark.parametrize("name", URL_NAMES)
def test_another_units_coach_gets_404_on_every_new_url(client, other_coach, person, name):
    client.force_login(other_coach)

    assert client.get(url(name, person)).status_code in (404, 405)
    assert client.post(url(name, person), {"phone": "070-123 45 67"}).status_code == 404
    assert Participant.objects.get(pk=person.pk).phone == ""
    assert not AccessLogEntry.objects.filter(action=Action.REVEAL).exists()


@pytest.mark.parametrize("name", ["details_edit", "case_close", "case_reopen"])
def test_manager_reads_but_cannot_change(client, manager, person, name):
    client.force_login(manager)

    page = client.get(url(name, person), headers=HTMX)
    refused = client.post(
        url(name, person), {"phone": "070-123 45 67", "reason": "arbete"}, headers=HTMX
    )

    assert page.status_code == 200
    assert "hx-post" not in page.content.decode()
    assert refused.status_code == 403
    assert not ParticipantChange.objects.exists()
    assert not CaseStatusChange.objects.exists()


def test_manager_page_offers_no_change_no_show_and_no_closing(client, manager, person):
    client.force_login(manager)

    page = text(client.get(url("detail", person)))

    assert 'id="details-change"' not in page
    assert 'id="personnummer-show"' not in page
    assert 'id="case-status-change"' not in page
    assert 'method="post" action="/participants/' not in page


def test_manager_is_not_shown_the_full_number(client, manager, person):
    client.force_login(manager)

    response = client.post(url("personnummer_show", person))

    assert response.status_code == 403
    assert FULL not in text(response)
    assert not AccessLogEntry.objects.filter(action=Action.REVEAL).exists()


@pytest.mark.parametrize("name", URL_NAMES)
def test_anonymous_visitor_is_sent_to_log_in(client, person, name):
    response = client.post(url(name, person))

    assert response.status_code == 302
    assert response.url.startswith("/accounts/login/")


# --- The participant's own data ---------------------------------------------------------------


def test_page_shows_the_contact_details(client, coach, person):
    Participant.objects.filter(pk=person.pk).update(
        phone="070-123 45 67",
        email="hodan@example.se",
        street_address="Hagbyplan 3",
        postal_code="163 70",
        city="Spånga",
        preferred_language="Somaliska",
        interpreter_needed=True,
    )
    client.force_login(coach)

    page = text(english(client).get(url("detail", person)))

    details = re.search(
        r'<section class="card mt-4" id="participant-details".*?</section>', page, re.S
    )
    for value in ("070-123 45 67", "hodan@example.se", "Hagbyplan 3", "163 70 Spånga", "Somaliska"):
        assert value in details.group(0)
    assert re.search(r'id="participant-interpreter">Yes<', details.group(0))


def test_coach_changes_a_phone_number_and_the_history_shows_it(client, coach, person):
    Participant.objects.filter(pk=person.pk).update(phone="08-123 456 78")
    person.refresh_from_db()
    client.force_login(coach)
    english(client)

    response = post_form(
        client, "details_edit", person, headers=HTMX, **details_data(person, phone="070 765 43 21")
    )

    assert response.status_code == 200
    assert Participant.objects.get(pk=person.pk).phone == "070 765 43 21"
    change = ParticipantChange.objects.get(participant=person)
    assert (change.field, change.old_value, change.new_value, change.changed_by) == (
        "phone",
        "08-123 456 78",
        "070 765 43 21",
        coach,
    )
    # The cards come back out of band: the new number, and the change in the history.
    answer = text(response)
    assert "The participant's details are saved." in answer
    history = re.search(r'id="participant-history".*?</section>', answer, re.S).group(0)
    row = re.search(rf'<tr id="change-{change.pk}".*?</tr>', history, re.S).group(0)
    assert "Phone" in row
    assert "08-123 456 78" in row and "070 765 43 21" in row
    assert coach.get_full_name() in row


def test_saving_the_form_unchanged_says_so_and_writes_no_history(client, coach, person):
    client.force_login(coach)
    english(client)

    response = post_form(client, "details_edit", person, headers=HTMX, **details_data(person))

    assert "Nothing was changed." in text(response)
    assert not ParticipantChange.objects.exists()


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("phone", "070-12", "Enter a phone number of 7 to 15 digits"),
        ("email", "hodan.example.se", "Enter an e-mail address such as namn@example.se."),
        ("postal_code", "1637", "Enter a Swedish postal code of five digits"),
        ("first_name", "", "Enter the first name."),
    ],
)
def test_bad_details_show_a_message_next_to_the_field(client, coach, person, field, value, message):
    client.force_login(coach)
    english(client)

    response = post_form(
        client, "details_edit", person, headers=HTMX, **details_data(person, **{field: value})
    )

    answer = text(response)
    assert response.status_code == 200
    error = re.search(rf'id="details-{field}_error"[^>]*>([^<]*)<', answer)
    assert error is not None and message in error.group(1), answer
    assert not ParticipantChange.objects.exists()


def test_months_of_social_assistance_without_consent_are_refused_next_to_the_field(
    client, coach, person
):
    client.force_login(coach)
    english(client)

    response = post_form(
        client,
        "details_edit",
        person,
        headers=HTMX,
        **details_data(person, months_social_assistance_before="14"),
    )

    error = re.search(
        r'id="details-months_social_assistance_before_error"[^>]*>([^<]*)<', text(response)
    )
    assert error is not None and "consented" in error.group(1)
    assert Participant.objects.get(pk=person.pk).months_social_assistance_before is None


def test_a_save_from_an_old_form_is_refused_and_shows_the_current_version(client, coach, person):
    client.force_login(coach)
    english(client)
    form = client.get(url("details_edit", person), headers=HTMX)
    with time_machine.travel(datetime.datetime(2021, 6, 15, 11, tzinfo=datetime.UTC)):
        Participant.objects.filter(pk=person.pk).update(
            city="Kista", updated_at=datetime.datetime(2021, 6, 15, 11, tzinfo=datetime.UTC)
        )

    response = client.post(
        url("details_edit", person),
        {**hidden_values(form), **details_data(person, phone="070 765 43 21")},
        headers=HTMX,
    )

    assert "Someone else changed this since you opened it" in text(response)
    assert Participant.objects.get(pk=person.pk).phone == ""


def test_the_plain_form_saves_and_returns_to_the_page_with_the_history(client, coach, person):
    client.force_login(coach)
    english(client)

    response = post_form(client, "details_edit", person, **details_data(person, city="Rinkeby"))

    assert response.status_code == 302
    page = text(client.get(response.url))
    assert "The participant's details are saved." in page
    history = re.search(r'id="participant-history".*?</section>', page, re.S).group(0)
    assert "City" in history and "Rinkeby" in history


def test_sensitive_changes_stay_out_of_the_history_of_a_coach_without_permission(
    client, coach, person, unit
):
    sensitive = CoachFactory(unit=unit)
    sensitive.user_permissions.add(
        Permission.objects.get(content_type__app_label="participants", codename="view_sensitive")
    )
    sensitive = type(sensitive).objects.get(pk=sensitive.pk)
    participant_set_sensitive(participant=person, changed_by=sensitive, disability=True)
    client.force_login(coach)

    page = text(english(client).get(url("detail", person)))

    history = re.search(r'id="participant-history".*?</section>', page, re.S).group(0)
    assert "isability" not in history
    assert "No changes since registration." in history
    client.force_login(sensitive)
    history = re.search(
        r'id="participant-history".*?</section>', text(client.get(url("detail", person))), re.S
    ).group(0)
    assert "Disability" in history


def test_the_details_form_labels_every_control(client, coach, person):
    client.force_login(coach)

    form = client.get(url("details_edit", person), headers=HTMX)

    assert unlabelled_controls(form.content.decode()) == []


# --- The full personnummer ---------------------------------------------------------------


def test_the_page_shows_the_number_masked_and_a_show_button(client, coach, person):
    client.force_login(coach)

    page = text(client.get(url("detail", person)))

    assert NUMBER not in page and FULL not in page
    assert "19840229-****" in page
    assert re.search(rf'<form[^>]*method="post" action="{url("personnummer_show", person)}"', page)


def test_showing_the_number_writes_a_log_row_and_answers_with_it(client, coach, person):
    client.force_login(coach)

    response = client.post(url("personnummer_show", person), headers=HTMX)

    assert response.status_code == 200
    assert FULL in text(response)
    [row] = AccessLogEntry.objects.filter(action=Action.REVEAL)
    assert (row.participant_id, row.user, row.object_type) == (person.pk, coach, "personnummer")
    assert NUMBER not in row.detail and NUMBER[2:] not in row.detail and FULL not in row.path
    assert "no-store" in response["Cache-Control"]


def test_each_showing_is_logged(client, coach, person):
    client.force_login(coach)

    client.post(url("personnummer_show", person), headers=HTMX)
    client.post(url("personnummer_show", person), headers=HTMX)

    assert (
        AccessLogEntry.objects.filter(action=Action.REVEAL, participant_id=person.pk).count() == 2
    )


def test_without_javascript_the_page_comes_back_with_the_number(client, coach, person):
    client.force_login(coach)

    response = client.post(url("personnummer_show", person))

    page = text(response)
    assert response.status_code == 200
    assert '<h1 class="h2 mb-0">Hodan Farah</h1>' in page
    assert f'id="personnummer-full">{FULL}<' in page
    assert AccessLogEntry.objects.filter(action=Action.REVEAL).count() == 1


def test_the_number_is_never_shown_for_a_get(client, coach, person):
    client.force_login(coach)

    response = client.get(url("personnummer_show", person))

    assert response.status_code == 405
    assert not AccessLogEntry.objects.filter(action=Action.REVEAL).exists()


# --- The administrator's correction ------------------------------------------------------


def test_the_correction_link_is_on_the_page_for_admins_only(client, coach, person):
    client.force_login(coach)
    assert 'id="personnummer-correct"' not in text(client.get(url("detail", person)))

    client.force_login(AdminFactory())
    assert 'id="personnummer-correct"' in text(client.get(url("detail", person)))


def test_a_coach_may_not_open_the_correction(client, coach, person):
    client.force_login(coach)

    assert client.get(url("personnummer_correct", person)).status_code == 403
    response = client.post(
        url("personnummer_correct", person), {"personnummer": OTHER_NUMBER, "reason": "x"}
    )

    assert response.status_code == 403
    assert Participant.objects.get(pk=person.pk).personnummer == NUMBER


def test_an_admin_corrects_the_number_and_sees_it_in_the_history(client, person):
    admin = AdminFactory(first_name="Greta", last_name="Registrator")
    client.force_login(admin)
    english(client)

    response = post_form(
        client,
        "personnummer_correct",
        person,
        personnummer=f"{OTHER_NUMBER[2:8]}-{OTHER_NUMBER[8:]}",
        reason="Fel månad vid registreringen.",
    )

    assert response.status_code == 302
    stored = Participant.objects.get(pk=person.pk)
    assert (stored.personnummer, stored.birth_date) == (OTHER_NUMBER, D(1984, 3, 29))
    page = text(client.get(response.url))
    assert "The personal identity number is corrected." in page
    history = re.search(r'id="participant-history".*?</section>', page, re.S).group(0)
    assert "19840229-****" in history and "19840329-****" in history
    assert "Fel månad vid registreringen." in history
    assert OTHER_NUMBER not in page and NUMBER not in page
    assert AccessLogEntry.objects.filter(
        action=Action.CHANGE, object_type="personnummer", participant_id=person.pk
    ).exists()


def test_a_correction_to_a_taken_number_shows_the_refusal(client, person):
    ParticipantFactory(personnummer=OTHER_NUMBER, last_name="Annansson")
    client.force_login(AdminFactory())
    english(client)

    response = post_form(
        client, "personnummer_correct", person, personnummer=OTHER_NUMBER, reason="Fel."
    )

    answer = text(response)
    assert response.status_code == 200
    assert "Another participant is already registered with this number" in answer
    assert "Annansson" not in answer
    assert Participant.objects.get(pk=person.pk).personnummer == NUMBER


def test_the_django_admin_does_not_edit_the_number(admin_client, person):
    change = admin_url(Participant, "change", person.pk)
    data = change_page_data(admin_client.get(change))
    data["personnummer"] = OTHER_NUMBER
    data["phone"] = "070-222 33 44"

    response = admin_client.post(change, data)

    assert response.status_code == 302
    stored = Participant.objects.get(pk=person.pk)
    assert stored.personnummer == NUMBER
    # The admin saves through the service: the change is in the history.
    row = ParticipantChange.objects.get(participant=person)
    assert (row.field, row.new_value) == ("phone", "070-222 33 44")


def test_the_django_admin_registers_through_the_service(admin_client, unit):
    add = admin_url(Participant, "add")
    data = formset_management_data(admin_client.get(add))
    data.update(
        personnummer=NUMBER,
        first_name="Sara",
        last_name="Lind",
        unit=str(unit.pk),
        enrolled_on="2021-03-01",
        education_level="okand",
        postal_code="16370",
    )

    response = admin_client.post(add, data)

    assert response.status_code == 302
    # The service's own form of the postal code.
    assert Participant.objects.get(personnummer=NUMBER).postal_code == "163 70"


# --- Closing and reopening ---------------------------------------------------------------


def test_coach_closes_the_case_and_the_page_says_so(client, coach, person):
    client.force_login(coach)
    english(client)

    response = post_form(client, "case_close", person, closed_on="2021-06-14", reason="flyttat")

    assert response.status_code == 302
    stored = Participant.objects.get(pk=person.pk)
    assert (stored.closed_on, stored.closed_reason) == (D(2021, 6, 14), "flyttat")
    page = text(client.get(url("detail", person)))
    banner = re.search(r'<div id="case-closed-banner">.*?</div>\s*</div>', page, re.S).group(0)
    assert "Closed on 2021-06-14 (Moved)" in banner
    event = CaseStatusChange.objects.get(participant=person)
    assert re.search(rf'id="status-{event.pk}".*?Case closed.*?2021-06-14', page, re.S)
    assert 'id="case-status-change"' in page  # now the reopen link


def test_closing_by_htmx_swaps_in_the_banner_and_the_timeline(client, coach, person):
    client.force_login(coach)
    english(client)

    response = post_form(
        client, "case_close", person, headers=HTMX, closed_on="2021-06-14", reason="arbete"
    )

    answer = text(response)
    assert 'id="case-closed-banner" hx-swap-oob="true"' in answer
    assert "Closed on 2021-06-14 (Work)" in answer
    event = CaseStatusChange.objects.get(participant=person)
    assert f'id="status-{event.pk}"' in answer


def test_coach_reopens_and_the_timeline_keeps_both(client, coach, person):
    client.force_login(coach)
    english(client)
    post_form(client, "case_close", person, closed_on="2021-06-01", reason="avbojt")

    response = post_form(client, "case_reopen", person, on="2021-06-15")

    assert response.status_code == 302
    assert not Participant.objects.get(pk=person.pk).is_closed
    page = text(client.get(url("detail", person) + "?show=status"))
    assert "Closed on" not in re.search(r'<div id="case-closed-banner">.*?</div>', page, re.S)[0]
    closing, reopening = CaseStatusChange.objects.order_by("date")
    assert f'id="status-{closing.pk}"' in page and f'id="status-{reopening.pk}"' in page
    assert page.index(f'id="status-{reopening.pk}"') < page.index(f'id="status-{closing.pk}"')


@pytest.mark.parametrize(
    ("values", "field", "message"),
    [
        ({"closed_on": "2021-06-16", "reason": "arbete"}, "closed_on", "cannot be in the future"),
        ({"closed_on": "2021-01-10", "reason": "arbete"}, "closed_on", "before the participant"),
        ({"closed_on": "2021-06-14", "reason": ""}, "reason", "Choose why the case is closed."),
    ],
)
def test_a_bad_closing_shows_a_message_next_to_the_field(
    client, coach, person, values, field, message
):
    client.force_login(coach)
    english(client)

    response = post_form(client, "case_close", person, headers=HTMX, **values)

    error = re.search(rf'id="case-close-{field}_error"[^>]*>([^<]*)<', text(response))
    assert error is not None and message in error.group(1)
    assert not Participant.objects.get(pk=person.pk).is_closed


def test_a_case_with_an_ongoing_placement_is_refused_with_the_reason(client, coach, person):
    PlacementFactory(participant=person, start_date=D(2021, 2, 1), planned_end_date=D(2022, 1, 31))
    client.force_login(coach)
    english(client)

    response = post_form(
        client, "case_close", person, headers=HTMX, closed_on="2021-06-14", reason="arbete"
    )

    assert "has not ended: end it before closing the case." in text(response)
    assert not Participant.objects.get(pk=person.pk).is_closed
