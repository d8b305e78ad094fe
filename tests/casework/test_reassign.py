import datetime
import re
from datetime import date

import pytest
import time_machine
from django.contrib.messages import get_messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from participants.models import Participant, SupportActivity
from participants.services import caseload_reassign
from placements.models import JobType
from tests.factories import (
    AdminFactory,
    CaseNoteFactory,
    CoachFactory,
    ManagerFactory,
    ParticipantFactory,
    PlacementFactory,
    UserFactory,
)
from tests.helpers import unlabelled_controls

pytestmark = pytest.mark.django_db

URL = "/participants/reassign/"


@pytest.fixture
def leaving(unit):
    return CoachFactory(unit=unit, first_name="Lena", last_name="Lämnar")


@pytest.fixture
def staying(unit):
    return CoachFactory(unit=unit, first_name="Stina", last_name="Stannar")


@pytest.fixture
def caseload(unit, leaving):
    return ParticipantFactory.create_batch(3, unit=unit, coach=leaving)


def coaches(*people: Participant) -> list:
    return [Participant.objects.get(pk=p.pk).coach for p in people]


# --- Access -----------------------------------------------------------------


def test_anonymous_user_is_sent_to_log_in(client):
    response = client.get(URL)
    assert response.status_code == 302
    assert response.url.startswith("/accounts/login/?next=")


def test_coach_may_not_reassign(client, coach, caseload, staying, leaving):
    client.force_login(coach)
    assert client.get(URL).status_code == 403
    response = client.post(
        URL,
        {
            "from_coach": leaving.pk,
            "participants": [p.pk for p in caseload],
            "to_coach": staying.pk,
        },
    )
    assert response.status_code == 403
    assert coaches(*caseload) == [leaving] * 3


def test_user_without_a_role_may_not_reassign(client, unit):
    client.force_login(UserFactory(unit=unit))
    assert client.get(URL).status_code == 403


# --- The page ---------------------------------------------------------------


def test_manager_sees_the_coachs_participants_none_ticked(client, manager, caseload, leaving):
    client.force_login(manager)

    response = client.get(URL, {"coach": leaving.pk})

    html = response.content.decode()
    assert response.status_code == 200
    for person in caseload:
        assert f'value="{person.pk}"' in html
        assert person.masked_personnummer in html
        assert person.personnummer not in html
    # Nothing is ticked to start with: moving part of a caseload means ticking that part.
    assert " checked" not in html
    assert unlabelled_controls(html) == []


def test_manager_moves_the_chosen_participants_only(client, manager, caseload, leaving, staying):
    client.force_login(manager)
    chosen, kept = caseload[:2], caseload[2]

    response = client.post(
        URL,
        {"from_coach": leaving.pk, "participants": [p.pk for p in chosen], "to_coach": staying.pk},
    )

    assert response.status_code == 302
    assert coaches(*chosen) == [staying, staying]
    assert coaches(kept) == [leaving]
    messages = [str(m) for m in get_messages(response.wsgi_request)]
    assert len(messages) == 1
    assert "2" in messages[0]
    assert "Lena Lämnar" in messages[0]
    assert "Stina Stannar" in messages[0]


def test_a_deactivated_coachs_caseload_can_be_moved(client, manager, caseload, leaving, staying):
    leaving.is_active = False
    leaving.save()
    client.force_login(manager)
    response = client.post(
        URL,
        {
            "from_coach": leaving.pk,
            "participants": [p.pk for p in caseload],
            "to_coach": staying.pk,
        },
    )
    assert response.status_code == 302
    assert coaches(*caseload) == [staying] * 3


def test_refuses_a_target_who_is_not_a_coach(client, manager, caseload, leaving, unit):
    not_a_coach = ManagerFactory(unit=unit)
    client.force_login(manager)
    response = client.post(
        URL,
        {
            "from_coach": leaving.pk,
            "participants": [p.pk for p in caseload],
            "to_coach": not_a_coach.pk,
        },
    )
    assert response.status_code == 200
    assert "to_coach" in response.context["form"].errors
    assert coaches(*caseload) == [leaving] * 3


def test_refuses_an_inactive_target(client, manager, caseload, leaving, staying):
    staying.is_active = False
    staying.save()
    client.force_login(manager)
    response = client.post(
        URL,
        {
            "from_coach": leaving.pk,
            "participants": [p.pk for p in caseload],
            "to_coach": staying.pk,
        },
    )
    assert "to_coach" in response.context["form"].errors
    assert coaches(*caseload) == [leaving] * 3


def test_manager_cannot_move_to_a_coach_of_another_unit(
    client, manager, caseload, leaving, other_coach
):
    client.force_login(manager)
    response = client.post(
        URL,
        {
            "from_coach": leaving.pk,
            "participants": [p.pk for p in caseload],
            "to_coach": other_coach.pk,
        },
    )
    assert "to_coach" in response.context["form"].errors
    assert coaches(*caseload) == [leaving] * 3


def test_manager_cannot_touch_another_units_participants(client, manager, other_unit, other_coach):
    elsewhere = ParticipantFactory(unit=other_unit, coach=other_coach)
    colleague = CoachFactory(unit=other_unit)
    client.force_login(manager)
    response = client.get(URL, {"from_coach": other_coach.pk})
    assert elsewhere.last_name not in response.content.decode()
    response = client.post(
        URL,
        {"from_coach": other_coach.pk, "participants": [elsewhere.pk], "to_coach": colleague.pk},
    )
    assert response.status_code == 200
    assert coaches(elsewhere) == [other_coach]


def test_admin_reassigns_within_any_unit(client, other_unit, other_coach):
    elsewhere = ParticipantFactory.create_batch(2, unit=other_unit, coach=other_coach)
    colleague = CoachFactory(unit=other_unit)
    client.force_login(AdminFactory())
    response = client.post(
        URL,
        {
            "from_coach": other_coach.pk,
            "participants": [p.pk for p in elsewhere],
            "to_coach": colleague.pk,
        },
    )
    assert response.status_code == 302
    assert coaches(*elsewhere) == [colleague, colleague]


def test_admin_cannot_move_participants_to_a_coach_of_another_unit(
    client, caseload, leaving, other_coach
):
    client.force_login(AdminFactory())
    response = client.post(
        URL,
        {
            "from_coach": leaving.pk,
            "participants": [p.pk for p in caseload],
            "to_coach": other_coach.pk,
        },
    )
    assert "to_coach" in response.context["form"].errors
    assert coaches(*caseload) == [leaving] * 3


def test_nothing_chosen_says_what_to_do(client, manager, caseload, leaving, staying):
    client.force_login(manager)
    response = client.post(URL, {"from_coach": leaving.pk, "to_coach": staying.pk})
    assert "participants" in response.context["form"].errors
    assert 'class="invalid-feedback d-block"' in response.content.decode()


# --- The service --------------------------------------------------------------


def test_service_moves_in_one_update(manager, caseload, staying):
    with CaptureQueriesContext(connection) as queries:
        moved = caseload_reassign(participants=caseload, to_coach=staying, by_user=manager)
    assert moved == 3
    assert sum(q["sql"].startswith("UPDATE") for q in queries) == 1
    assert coaches(*caseload) == [staying] * 3


def test_service_refuses_a_non_coach_target(manager, caseload, unit, leaving):
    with pytest.raises(ValidationError) as error:
        caseload_reassign(
            participants=caseload, to_coach=ManagerFactory(unit=unit), by_user=manager
        )
    assert "to_coach" in error.value.message_dict
    assert coaches(*caseload) == [leaving] * 3


def test_service_refuses_a_coach_as_the_one_who_moves(coach, caseload, staying):
    with pytest.raises(PermissionDenied):
        caseload_reassign(participants=caseload, to_coach=staying, by_user=coach)


# --- The list: active cases, their status, filters ------------------------------------------


def close(participant: Participant) -> None:
    Participant.objects.filter(pk=participant.pk).update(
        closed_on=datetime.date(2021, 3, 1), closed_reason="arbete"
    )


def test_only_active_cases_are_listed_and_a_closed_one_cannot_be_moved(
    client, manager, caseload, leaving, staying
):
    closed = caseload[0]
    close(closed)
    client.force_login(manager)

    html = client.get(URL).content.decode()
    assert f'value="{closed.pk}"' not in html
    assert all(f'value="{p.pk}"' in html for p in caseload[1:])

    response = client.post(URL, {"participants": [closed.pk], "to_coach": staying.pk})
    assert response.status_code == 200
    assert "participants" in response.context["form"].errors
    assert coaches(closed) == [leaving]


def test_each_case_shows_its_status_latest_placement_and_last_activity(
    client, manager, unit, leaving
):
    placed = ParticipantFactory(unit=unit, coach=leaving)
    PlacementFactory(
        participant=placed,
        job_type=JobType.objects.get(code="stockholmsvard"),
        start_date=datetime.date(2021, 2, 1),
        planned_end_date=datetime.date(2021, 12, 31),
    )
    met = ParticipantFactory(unit=unit, coach=leaving)
    for person in (placed, met):
        SupportActivity.objects.create(
            participant=person, phase="before", kind="coaching_talk", date=date(2021, 5, 20)
        )
    client.force_login(manager)
    with time_machine.travel(datetime.date(2021, 6, 15)):
        CaseNoteFactory(participant=placed)  # written today, after the talk
        response = client.get(URL, {"coach": leaving.pk})
    rows = {case.pk: case for case in response.context["page"].object_list}
    assert rows[placed.pk].case_status == "ongoing"
    assert rows[met.pk].case_status == "not_placed"
    html = response.content.decode()
    assert "Stockholmsvärd" in html and "2021-02-01" in html
    assert rows[placed.pk].last_activity == date(2021, 6, 15)
    assert rows[met.pk].last_activity == date(2021, 5, 20)
    assert "2021-05-20" in html


def test_the_status_filter_narrows_the_list(client, manager, unit, leaving):
    placed = ParticipantFactory(unit=unit, coach=leaving)
    PlacementFactory(
        participant=placed,
        start_date=datetime.date(2021, 2, 1),
        planned_end_date=datetime.date(2021, 12, 31),
    )
    waiting = ParticipantFactory(unit=unit, coach=leaving)
    client.force_login(manager)
    with time_machine.travel(datetime.date(2021, 6, 15)):
        ongoing = client.get(URL, {"status": "ongoing"}).context["page"].object_list
        not_placed = client.get(URL, {"status": "not_placed"}).context["page"].object_list
    assert [p.pk for p in ongoing] == [placed.pk]
    assert [p.pk for p in not_placed] == [waiting.pk]


def test_the_coach_filter_narrows_the_list(client, manager, unit, caseload, leaving, staying):
    someone_else = ParticipantFactory(unit=unit, coach=staying)
    client.force_login(manager)
    listed = {p.pk for p in client.get(URL, {"coach": leaving.pk}).context["page"].object_list}
    assert listed == {p.pk for p in caseload}
    everyone = {p.pk for p in client.get(URL).context["page"].object_list}
    assert everyone == listed | {someone_else.pk}


def test_select_all_shown_is_there_for_javascript_only(client, manager, caseload):
    client.force_login(manager)
    html = client.get(URL).content.decode()
    # Hidden until the script shows it: without JavaScript each box is ticked by hand.
    assert re.search(r"<div[^>]*data-select-all-wrap[^>]*hidden", html)
    assert 'id="select-all-shown"' in html
    assert "/static/js/select-all.js" in html


def test_a_refused_move_keeps_the_ticks_and_the_filters(
    client, manager, caseload, leaving, staying
):
    client.force_login(manager)
    chosen = caseload[0]
    response = client.post(
        f"{URL}?coach={leaving.pk}", {"participants": [chosen.pk], "to_coach": leaving.pk}
    )
    assert response.status_code == 200
    assert "har redan den här jobbcoachen" in " ".join(response.context["form"].errors["to_coach"])
    html = response.content.decode()
    assert re.search(rf'value="{chosen.pk}" id="move-{chosen.pk}" checked', html)
    assert html.count(" checked") == 1
    assert coaches(*caseload) == [leaving] * 3


def test_after_a_move_the_list_keeps_its_filters(client, manager, caseload, leaving, staying):
    client.force_login(manager)
    response = client.post(
        f"{URL}?coach={leaving.pk}&status=not_placed",
        {"participants": [caseload[0].pk], "to_coach": staying.pk},
    )
    assert response.status_code == 302
    assert response.url == f"{URL}?coach={leaving.pk}&status=not_placed"


def test_cases_of_several_coaches_move_in_one_go(client, manager, unit, leaving, staying):
    other = CoachFactory(unit=unit, first_name="Olle", last_name="Annan")
    mine, theirs = (
        ParticipantFactory(unit=unit, coach=leaving),
        ParticipantFactory(unit=unit, coach=other),
    )
    client.force_login(manager)
    response = client.post(URL, {"participants": [mine.pk, theirs.pk], "to_coach": staying.pk})
    assert response.status_code == 302
    assert coaches(mine, theirs) == [staying, staying]
    (message,) = [str(m) for m in get_messages(response.wsgi_request)]
    assert "2" in message and "Stina Stannar" in message
