import datetime
from html import unescape

import pytest
from django.conf import settings
from django.contrib.messages import get_messages
from django.urls import reverse

from audit.models import AccessLogEntry, Action
from audit.selectors import log_for_review
from casework.forms import fold_name
from participants.models import Participant
from participants.personnummer import luhn_check_digit
from tests.factories import (
    AdminFactory,
    CoachFactory,
    ParticipantFactory,
    UserFactory,
    make_personnummer,
)
from tests.helpers import unlabelled_controls

pytestmark = pytest.mark.django_db

URL = "/participants/new/"
BIRTH = datetime.date(1990, 4, 12)
NUMBER = make_personnummer(BIRTH, 457)


def form_data(unit, coach, **overrides) -> dict:
    data = {
        "personnummer": f"{NUMBER[:8]}-{NUMBER[8:]}",
        "first_name": "Åsa",
        "last_name": "Öberg",
        "district": "",
        "unit": unit.pk,
        "coach": coach.pk if coach else "",
        "enrolled_on": "2021-02-01",
        "foreign_born": "unknown",
        "education_level": "gymnasial",
        "months_social_assistance_before": "14",
        "months_unemployed_before": "",
        # Months of social assistance are recorded only with district consent.
        "consent_district": "given",
    }
    data.update(overrides)
    return data


def test_url_name():
    assert reverse("participants:register") == URL


def test_anonymous_user_is_sent_to_log_in(client):
    response = client.get(URL)
    assert response.status_code == 302
    assert response.url.startswith("/accounts/login/?next=")


def test_manager_may_not_register(client, manager, unit):
    client.force_login(manager)
    assert client.get(URL).status_code == 403
    assert client.post(URL, form_data(unit, None)).status_code == 403
    assert not Participant.objects.exists()


def test_user_without_a_role_may_not_register(client, unit):
    client.force_login(UserFactory(unit=unit))
    assert client.get(URL).status_code == 403


def test_form_defaults_to_the_coachs_unit_and_themselves(client, coach, unit):
    client.force_login(coach)
    response = client.get(URL)
    assert response.status_code == 200
    form = response.context["form"]
    assert form["unit"].value() == unit.pk
    assert form["coach"].value() == coach.pk
    assert list(form.fields["unit"].queryset) == [unit]
    html = response.content.decode()
    assert unlabelled_controls(html) == []
    assert "disability" not in html


def test_coach_registers_a_participant_and_lands_on_their_page(client, coach, unit):
    client.force_login(coach)

    response = client.post(URL, form_data(unit, coach))

    participant = Participant.objects.get()
    assert response.status_code == 302
    assert response.url == f"/participants/{participant.pk}/"
    assert participant.personnummer == NUMBER
    assert participant.birth_date == BIRTH
    assert participant.unit == unit
    assert participant.coach == coach
    assert participant.months_social_assistance_before == 14
    assert participant.foreign_born is None
    assert participant.disability is None
    messages = [str(message) for message in get_messages(response.wsgi_request)]
    assert len(messages) == 1
    assert "Åsa Öberg" in messages[0]


@pytest.mark.parametrize(
    "written",
    [NUMBER, f"{NUMBER[:8]}-{NUMBER[8:]}", f"{NUMBER[2:8]}-{NUMBER[8:]}"],
    ids=["12-digit", "hyphenated", "10-digit"],
)
def test_personnummer_in_any_form_is_stored_as_12_digits(client, coach, unit, written):
    client.force_login(coach)
    client.post(URL, form_data(unit, coach, personnummer=written))
    assert Participant.objects.get().personnummer == NUMBER


def test_bad_check_digit_is_shown_next_to_the_field_and_nothing_is_saved(client, coach, unit):
    client.force_login(coach)
    bad = NUMBER[:11] + str((int(NUMBER[11]) + 1) % 10)

    response = client.post(URL, form_data(unit, coach, personnummer=bad), HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 200
    assert response.context["form"].errors["personnummer"] == ["Invalid check digit."]
    assert 'class="invalid-feedback d-block">' in response.content.decode()
    assert not Participant.objects.exists()


def test_missing_fields_are_reported_each_next_to_its_field(client, coach, unit):
    client.force_login(coach)
    response = client.post(URL, form_data(unit, coach, first_name="", last_name=""))
    assert set(response.context["form"].errors) == {"first_name", "last_name"}
    assert not Participant.objects.exists()


def test_coach_cannot_register_into_another_unit(client, coach, other_unit):
    client.force_login(coach)
    response = client.post(URL, form_data(other_unit, coach))
    assert "unit" in response.context["form"].errors
    assert not Participant.objects.exists()


def test_admin_registers_into_any_unit_but_the_coach_must_belong_to_it(
    client, coach, other_unit, other_coach
):
    client.force_login(AdminFactory())
    response = client.post(URL, form_data(other_unit, coach))
    assert "coach" in response.context["form"].errors
    response = client.post(URL, form_data(other_unit, other_coach))
    assert response.status_code == 302
    assert Participant.objects.get().unit == other_unit


# --- Duplicate check --------------------------------------------------------


def test_same_personnummer_in_own_unit_links_to_the_person_and_blocks(client, coach, unit):
    existing = ParticipantFactory(
        unit=unit, personnummer=NUMBER, birth_date=BIRTH, first_name="Åsa", last_name="Öberg"
    )
    client.force_login(coach)

    response = client.post(URL, form_data(unit, coach, different_person="on"))

    assert response.status_code == 200
    assert f'href="/participants/{existing.pk}/"' in response.content.decode()
    assert "personnummer" in response.context["form"].errors
    assert Participant.objects.count() == 1


def test_a_personnummer_of_another_unit_is_refused_neutrally_and_logged(
    client, coach, unit, other_unit
):
    existing = ParticipantFactory(
        unit=other_unit,
        personnummer=NUMBER,
        birth_date=BIRTH,
        first_name="Hemlig",
        last_name="Hemligsson",
    )
    client.force_login(coach)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"

    response = client.post(URL, form_data(unit, coach, different_person="on"))

    html = unescape(response.content.decode())
    assert response.status_code == 200
    assert response.context["form"].errors["personnummer"] == [
        "This person cannot be registered here. Contact the system administrator "
        "(systemförvaltaren)."
    ]
    for secret in (
        other_unit.name,
        "Hemlig",
        f"/participants/{existing.pk}/",
        "already registered",
    ):
        assert secret not in html
    assert Participant.objects.count() == 1
    row = AccessLogEntry.objects.get(action=Action.COLLISION)
    assert row.participant_id == existing.pk
    assert row.username == coach.username
    assert log_for_review().get(pk=row.pk).flagged


def test_near_match_needs_an_explicit_confirmation(client, coach, unit):
    # Same birth date, same name written without diacritics: another number (samordningsnummer).
    nine = f"{BIRTH:%y%m}{BIRTH.day + 60}458"
    other_number = f"{BIRTH:%Y%m}{BIRTH.day + 60}458{luhn_check_digit(nine)}"
    existing = ParticipantFactory(
        unit=unit,
        personnummer=other_number,
        birth_date=BIRTH,
        first_name="asa",
        last_name="OBERG",
    )
    client.force_login(coach)

    response = client.post(URL, form_data(unit, coach))

    assert response.status_code == 200
    assert "different_person" in response.context["form"].errors
    assert f'href="/participants/{existing.pk}/"' in response.content.decode()
    assert Participant.objects.count() == 1

    response = client.post(URL, form_data(unit, coach, different_person="on"))

    assert response.status_code == 302
    assert Participant.objects.count() == 2


def test_a_near_match_in_another_unit_is_not_looked_at(client, coach, unit, other_unit):
    ParticipantFactory(
        unit=other_unit,
        birth_date=BIRTH,
        personnummer=make_personnummer(BIRTH, 777),
        first_name="Karin",
        last_name="Öberg",
    )
    client.force_login(coach)

    response = client.post(URL, form_data(unit, coach))

    # Registered as if nobody else existed: the page said nothing about the other unit.
    assert response.status_code == 302
    assert Participant.objects.filter(unit=unit).count() == 1
    assert not AccessLogEntry.objects.filter(action=Action.COLLISION).exists()


def test_same_name_with_another_birth_date_is_not_a_match(client, coach, unit):
    ParticipantFactory(unit=unit, first_name="Åsa", last_name="Öberg")
    client.force_login(coach)
    assert client.post(URL, form_data(unit, coach)).status_code == 302


def test_names_are_compared_without_case_diacritics_or_spacing():
    assert fold_name("  Åsa-Lena  ÖBERG ") == fold_name("asa lena oberg")
    assert fold_name("José") == fold_name("jose")


def test_coach_without_a_unit_is_told_why_nothing_can_be_registered(client):
    client.force_login(CoachFactory(unit=None))
    response = client.get(URL)
    assert response.status_code == 200
    assert 'role="alert"' in response.content.decode()
