"""A write is logged as a change only when something was saved (issue 12, point 5)."""

import datetime

import pytest
from django.urls import reverse

from audit.models import AccessLogEntry, Action
from participants.models import Participant
from placements.models import Placement
from tests.factories import (
    ManagerFactory,
    ParticipantFactory,
    PlacementFactory,
    WorkplaceFactory,
    job_type,
)
from tests.helpers import admin_url, change_page_data

pytestmark = pytest.mark.django_db

D = datetime.date


def actions(participant) -> list[str]:
    return list(
        AccessLogEntry.objects.filter(participant_id=participant.pk)
        .order_by("id")
        .values_list("action", flat=True)
    )


def placement_data(start: str) -> dict:
    return {
        "job_type": job_type("basanstallning").pk,
        "workplace": WorkplaceFactory().pk,
        "funding": "sdf",
        "start_date": start,
        "planned_end_date": "2022-02-28",
    }


@pytest.fixture
def person(unit, coach):
    return ParticipantFactory(unit=unit, coach=coach, birth_date=D(1980, 6, 15))


def test_a_placement_refused_for_an_overlap_is_logged_as_read_not_changed(client, coach, person):
    PlacementFactory(participant=person, start_date=D(2021, 1, 4), planned_end_date=None)
    client.force_login(coach)

    response = client.post(
        reverse("participants:placement_add", args=[person.pk]), placement_data("2021-03-01")
    )

    assert response.status_code in (200, 422)
    assert Placement.objects.filter(participant=person).count() == 1
    assert actions(person) == [Action.VIEW]


def test_a_saved_placement_is_logged_as_a_change(client, coach, person):
    client.force_login(coach)

    response = client.post(
        reverse("participants:placement_add", args=[person.pk]), placement_data("2021-03-01")
    )

    assert response.status_code == 302
    assert actions(person) == [Action.CHANGE]


def test_a_managers_refused_post_is_no_change(client, unit, person):
    client.force_login(ManagerFactory(unit=unit))

    response = client.post(reverse("participants:note_add", args=[person.pk]), {"text": "Hej"})

    assert response.status_code == 403
    assert Action.CHANGE not in actions(person)


def test_the_admin_logs_a_change_only_when_it_saved(admin_client, person):
    url = admin_url(Participant, "change", person.pk)
    data = change_page_data(admin_client.get(url))

    admin_client.post(url, {**data, "first_name": ""})  # refused: a name is required
    admin_client.post(url, {**data, "first_name": "Ny"})

    assert actions(person) == [Action.VIEW, Action.VIEW, Action.CHANGE]
