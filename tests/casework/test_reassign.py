import pytest
from django.contrib.messages import get_messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from participants.models import Participant
from participants.services import caseload_reassign
from tests.factories import (
    AdminFactory,
    CoachFactory,
    ManagerFactory,
    ParticipantFactory,
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


def test_manager_sees_the_coachs_participants_all_ticked(client, manager, caseload, leaving):
    client.force_login(manager)

    response = client.get(URL, {"from_coach": leaving.pk})

    html = response.content.decode()
    assert response.status_code == 200
    for person in caseload:
        assert f'value="{person.pk}"' in html
        assert person.masked_personnummer in html
        assert person.personnummer not in html
    assert html.count("checked") == 3
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
