"""A refusal after the access helper found the participant names them in its row.

A manager may read their unit's cases but not see a full personnummer or
change a case; a coach may not reach another case's study through their own
case's address. The refusal stays a 403 or 404 as before; its access-log row
now carries the participant, so a review of that person's log finds it, and
the monthly review flags it.
"""

import datetime

import pytest
from django.urls import reverse

from audit.models import AccessLogEntry, Action
from audit.selectors import log_for_review
from participants.models import Study
from tests.factories import ParticipantFactory

pytestmark = pytest.mark.django_db


def refused():
    return AccessLogEntry.objects.filter(action=Action.REFUSED).order_by("id")


def make_study(participant) -> Study:
    return Study.objects.create(
        participant=participant,
        kind="sfi",
        course="Sfi C",
        start_date=datetime.date(2020, 9, 1),
        end_date=datetime.date(2021, 2, 15),
        extent_percent=20,
    )


@pytest.mark.parametrize(
    ("method", "name"),
    [
        ("post", "participants:personnummer_show"),
        ("get", "participants:personnummer_correct"),
        ("post", "participants:personnummer_correct"),
        ("post", "participants:details_edit"),
        ("post", "participants:case_close"),
    ],
)
def test_a_managers_403_names_the_participant(client, manager, participant, method, name):
    client.force_login(manager)
    url = reverse(name, args=[participant.pk])

    response = getattr(client, method)(url)

    assert response.status_code == 403
    [row] = refused()
    assert (row.user, row.participant_id, row.object_type, row.object_id) == (
        manager,
        participant.pk,
        "participant",
        participant.pk,
    )
    assert (row.detail, row.path) == ("HTTP 403", url)
    assert {entry.pk for entry in log_for_review() if entry.flagged} >= {row.pk}
    # Nothing was shown: no reveal row.
    assert not AccessLogEntry.objects.filter(action=Action.REVEAL).exists()


def test_a_review_of_the_participant_finds_the_managers_attempt(client, manager, participant):
    client.force_login(manager)

    client.post(reverse("participants:personnummer_show", args=[participant.pk]))

    about_them = AccessLogEntry.objects.filter(participant_id=participant.pk)
    assert set(about_them.values_list("action", flat=True)) == {Action.VIEW, Action.REFUSED}


def test_another_cases_study_through_ones_own_case_names_the_case_asked_for(
    client, coach, participant, unit
):
    elsewhere = make_study(ParticipantFactory(unit=unit))
    client.force_login(coach)
    url = reverse("participants:study_update", args=[participant.pk, elsewhere.pk])

    assert client.get(url).status_code == 404

    assert list(refused().values_list("participant_id", "detail")) == [(participant.pk, "HTTP 404")]


def test_outside_reach_the_404_names_the_participant_asked_for_once(
    client, other_coach, participant
):
    client.force_login(other_coach)

    response = client.post(reverse("participants:personnummer_show", args=[participant.pk]))

    assert response.status_code == 404
    assert list(refused().values_list("participant_id", "detail")) == [(participant.pk, "HTTP 404")]


def test_a_refused_page_that_reached_no_participant_names_none(client, coach):
    client.force_login(coach)

    assert client.get(reverse("audit:review")).status_code == 403

    assert list(refused().values_list("participant_id", "object_type")) == [(None, "")]
