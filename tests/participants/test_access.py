import pytest
from django.http import Http404
from django.urls import reverse

from participants.selectors import (
    can_edit_participant,
    participant_for_user,
    participants_for_user,
)
from tests.factories import AdminFactory, CoachFactory, ParticipantFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_coach_reads_a_participant_of_their_unit(coach, participant):
    assert participant_for_user(coach, participant.pk) == participant


def test_coach_of_another_unit_gets_404(other_coach, participant):
    with pytest.raises(Http404):
        participant_for_user(other_coach, participant.pk)


def test_manager_reads_but_does_not_edit_their_units_participants(manager, participant):
    assert participant_for_user(manager, participant.pk) == participant
    assert not can_edit_participant(manager, participant)


def test_coach_edits_their_units_participants(coach, participant, other_coach):
    assert can_edit_participant(coach, participant)
    assert not can_edit_participant(other_coach, participant)


def test_admin_reads_every_participant(participant, other_unit):
    admin = AdminFactory()
    elsewhere = ParticipantFactory(unit=other_unit)
    assert set(participants_for_user(admin)) == {participant, elsewhere}


def test_user_without_a_role_reads_nobody(participant, unit):
    nobody = UserFactory(unit=unit)
    assert not participants_for_user(nobody).exists()
    with pytest.raises(Http404):
        participant_for_user(nobody, participant.pk)


def test_coach_without_a_unit_reads_nobody(participant):
    assert not participants_for_user(CoachFactory(unit=None)).exists()


def test_deactivated_coach_reads_nobody(coach, participant):
    coach.is_active = False
    coach.save()
    assert not participants_for_user(coach).exists()


def test_caseload_page_lists_the_coachs_own_participants(client, coach, participant, unit):
    colleague = CoachFactory(unit=unit)
    colleagues_participant = ParticipantFactory(unit=unit, coach=colleague, last_name="Kollega")
    client.force_login(coach)
    response = client.get(reverse("participants:caseload"))
    assert response.status_code == 200
    assert list(response.context["page"]) == [participant]
    response = client.get(reverse("participants:caseload"), {"scope": "unit"})
    assert set(response.context["page"]) == {participant, colleagues_participant}


def test_caseload_never_lists_another_units_participants(client, other_coach, participant):
    client.force_login(other_coach)
    response = client.get(reverse("participants:caseload"), {"scope": "unit"})
    assert response.status_code == 200
    assert participant not in list(response.context["page"])


def test_caseload_search_by_name(client, coach, participant, unit):
    other = ParticipantFactory(unit=unit, coach=coach, first_name="Bertil", last_name="Berg")
    client.force_login(coach)
    response = client.post(reverse("participants:caseload"), {"q": "bertil berg"}, follow=True)
    assert list(response.context["page"]) == [other]


def test_anonymous_user_is_sent_to_the_login_page(client, participant):
    for url in (
        reverse("participants:caseload"),
        reverse("participants:detail", args=[participant.pk]),
    ):
        response = client.get(url)
        assert response.status_code == 302
        assert response.url.startswith("/accounts/login/?next=")


def test_participant_page_for_own_unit_coach(client, coach, participant):
    client.force_login(coach)
    response = client.get(reverse("participants:detail", args=[participant.pk]))
    assert response.status_code == 200
    assert response.context["participant"] == participant


def test_participant_page_is_404_for_another_units_coach(client, other_coach, participant):
    client.force_login(other_coach)
    response = client.get(reverse("participants:detail", args=[participant.pk]))
    assert response.status_code == 404


def test_home_sends_each_role_to_its_start_page(client, coach, manager):
    client.force_login(coach)
    response = client.get("/")
    assert response.status_code == 200
    assert "participants/week.html" in [t.name for t in response.templates]
    client.force_login(manager)
    assert client.get("/").url == reverse("reports:dashboard")
    client.force_login(AdminFactory())
    assert client.get("/").url == reverse("desk:index")


def test_home_for_a_user_without_role_is_refused(client, unit):
    client.force_login(UserFactory(unit=unit))
    assert client.get("/").status_code == 403


def test_login_with_the_right_password_starts_a_new_session(client, coach):
    client.get(reverse("login"))
    before = client.cookies.get("sessionid")
    response = client.post(
        reverse("login"), {"username": "coach1", "password": "correct horse battery"}
    )
    assert response.status_code == 302
    assert client.cookies["sessionid"].value != (before.value if before else None)
    assert client.get(reverse("participants:caseload")).status_code == 200


def test_login_with_a_wrong_password_is_refused(client, coach):
    response = client.post(reverse("login"), {"username": "coach1", "password": "fel"})
    assert response.status_code == 200
    assert response.context["form"].errors
    assert client.get(reverse("participants:caseload")).status_code == 302


def test_logout_ends_the_session(client, coach):
    client.force_login(coach)
    response = client.post(reverse("logout"))
    assert response.status_code == 302
    assert client.get(reverse("participants:caseload")).status_code == 302
