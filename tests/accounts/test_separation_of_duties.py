"""The programme's administrators cannot raise their own powers (issue 12, point 10)."""

import pytest
from django.contrib.auth.models import Group
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import User
from audit.models import AccessLogEntry, Action
from tests.factories import AdminFactory, CoachFactory
from tests.helpers import admin_url

pytestmark = pytest.mark.django_db


def user_form(user: User, **changes) -> dict:
    """The admin's change form of ``user`` as posted, with ``changes``."""
    data = {
        "username": user.username,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "email": user.email,
        "is_active": "on",
        "groups": [str(pk) for pk in user.groups.values_list("pk", flat=True)],
        "date_joined_0": user.date_joined.strftime("%Y-%m-%d"),
        "date_joined_1": user.date_joined.strftime("%H:%M:%S"),
        "unit": str(user.unit_id or ""),
    }
    data.update(changes)
    return data


@pytest.fixture
def programme_admin(client):
    admin = AdminFactory(username="forvaltare")
    client.force_login(admin)
    return admin


def test_an_admin_cannot_make_themself_superuser_or_staff(client, programme_admin):
    url = admin_url(User, "change", programme_admin.pk)

    response = client.post(url, user_form(programme_admin, is_superuser="on", is_staff="on"))

    assert response.status_code == 302  # saved, without the fields it may not change
    programme_admin.refresh_from_db()
    assert not programme_admin.is_superuser
    assert 'name="is_superuser"' not in client.get(url).content.decode()


def test_an_admin_cannot_add_someone_to_the_admin_group(client, programme_admin, unit):
    coach = CoachFactory(unit=unit)
    url = admin_url(User, "change", coach.pk)
    admin_group = Group.objects.get(name="admin")
    groups = [*user_form(coach)["groups"], str(admin_group.pk)]

    response = client.post(url, user_form(coach, groups=groups))

    assert response.status_code == 200
    assert "Only a superuser can add someone to the admin group" in response.content.decode() or (
        "Bara en superanvändare" in response.content.decode()
    )
    assert not coach.groups.filter(name="admin").exists()


def test_an_admin_cannot_change_the_roles_permissions(client, programme_admin):
    coach_group = Group.objects.get(name="coach")

    response = client.post(admin_url(Group, "change", coach_group.pk), {"name": "coach"})

    assert response.status_code == 403


def test_a_superuser_can(admin_client, unit):
    coach = CoachFactory(unit=unit)
    url = admin_url(User, "change", coach.pk)
    admin_group = Group.objects.get(name="admin")

    admin_client.post(url, user_form(coach, groups=[str(admin_group.pk)], is_staff="on"))

    assert coach.groups.filter(name="admin").exists()


def test_an_admin_resets_a_lost_phone_and_it_is_logged(client, programme_admin, unit):
    coach = CoachFactory(unit=unit)
    TOTPDevice.objects.create(user=coach, name="Telefon", confirmed=True)

    response = client.post(
        admin_url(User, "changelist"),
        {"action": "reset_second_factor", "_selected_action": [str(coach.pk)]},
    )

    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user=coach).exists()
    row = AccessLogEntry.objects.get(object_type="user", object_id=coach.pk)
    assert row.action == Action.CHANGE
    assert row.username == programme_admin.username


@pytest.mark.parametrize("kind", ["superuser", "another administrator"])
def test_an_admin_cannot_take_over_a_superuser_or_another_admin(client, programme_admin, kind):
    above = (
        User.objects.create_superuser("root", "root@example.se", "Ett-langt-losen-1")
        if kind == "superuser"
        else AdminFactory(username="annan_forvaltare")
    )
    TOTPDevice.objects.create(user=above, name="Telefon", confirmed=True)
    password_url = admin_url(User, "change", above.pk).replace("/change/", "/password/")

    set_password = client.post(
        password_url,
        {"usable_password": "true", "password1": "Kapad-2026-x!", "password2": "Kapad-2026-x!"},
    )
    changed = client.post(admin_url(User, "change", above.pk), user_form(above, first_name="X"))
    client.post(
        admin_url(User, "changelist"),
        {"action": "reset_second_factor", "_selected_action": [str(above.pk)]},
    )

    assert set_password.status_code == 403
    assert changed.status_code == 403
    above.refresh_from_db()
    assert not above.check_password("Kapad-2026-x!")
    assert above.first_name != "X"
    assert TOTPDevice.objects.filter(user=above).exists()
    # Still seen, still one's own to change.
    assert client.get(admin_url(User, "change", above.pk)).status_code == 200
    own_password_url = admin_url(User, "change", programme_admin.pk).replace(
        "/change/", "/password/"
    )
    assert client.get(own_password_url).status_code == 200
