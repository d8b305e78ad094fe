"""The Django admin shows a recorded personnummer masked, never in full.

The full number is shown in one place: on the participant's page, on
request, with an access-log row of its own ("reveal"). The admin's change
form links there; its list and search results mask the number, and a search
by number still finds the person.
"""

import datetime

import pytest
from django.urls import reverse

from audit.models import AccessLogEntry, Action
from participants.models import Participant
from tests.factories import ParticipantFactory, make_personnummer
from tests.helpers import admin_url

pytestmark = pytest.mark.django_db

NUMBER = make_personnummer(datetime.date(1985, 7, 9), 123)


def full_forms(number: str) -> list[str]:
    """Every way a page could print the whole number."""
    return [number, f"{number[:8]}-{number[8:]}", f"{number[2:8]}-{number[8:]}"]


@pytest.fixture
def person() -> Participant:
    return ParticipantFactory(personnummer=NUMBER)


def test_the_change_form_shows_the_number_masked_with_a_link_to_reveal_it(admin_client, person):
    response = admin_client.get(admin_url(Participant, "change", person.pk))

    html = response.content.decode()
    assert response.status_code == 200
    assert not any(form in html for form in full_forms(NUMBER))
    assert "19850709-****" in html
    assert f'href="{reverse("participants:detail", args=[person.pk])}#participant-summary"' in html
    # Opening the admin page is a view, not a reveal.
    assert not AccessLogEntry.objects.filter(action=Action.REVEAL).exists()
    assert AccessLogEntry.objects.filter(
        action=Action.VIEW, participant_id=person.pk, object_type="participant"
    ).exists()


def test_the_link_leads_to_the_logged_reveal(admin_client, superuser, person):
    response = admin_client.post(reverse("participants:personnummer_show", args=[person.pk]))

    assert f"{NUMBER[:8]}-{NUMBER[8:]}" in response.content.decode()
    [reveal] = AccessLogEntry.objects.filter(action=Action.REVEAL)
    assert (reveal.user, reveal.participant_id) == (superuser, person.pk)


def test_the_recorded_number_stays_read_only(admin_client, person):
    response = admin_client.get(admin_url(Participant, "change", person.pk))
    form = response.context["adminform"].form

    assert "personnummer" not in form.fields
    assert 'name="personnummer"' not in response.content.decode()


def test_the_add_form_still_takes_a_number(admin_client):
    response = admin_client.get(admin_url(Participant, "add"))

    assert 'name="personnummer"' in response.content.decode()


def test_the_list_masks_the_number(admin_client, person):
    html = admin_client.get(admin_url(Participant, "changelist")).content.decode()

    assert "19850709-****" in html
    assert not any(form in html for form in full_forms(NUMBER))


def test_a_search_by_number_finds_the_person_and_shows_the_number_masked(admin_client, person):
    ParticipantFactory(personnummer=make_personnummer(datetime.date(1985, 7, 10), 123))
    # The ten-digit form is typed: the search field shows it back, nothing else may.
    typed = f"{NUMBER[2:8]}-{NUMBER[8:]}"

    response = admin_client.post(
        admin_url(Participant, "changelist"), {"q": typed, "_search": "1"}, follow=True
    )

    assert list(response.context["cl"].result_list) == [person]
    html = response.content.decode()
    assert "19850709-****" in html
    assert NUMBER not in html
    assert f"{NUMBER[:8]}-{NUMBER[8:]}" not in html
