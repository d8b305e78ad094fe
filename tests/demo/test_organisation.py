"""The demo's organisation: who may see disability among the demo users."""

import pytest
from django.contrib.auth.models import Group, Permission

from demo.organisation import ensure_demo_users, ensure_units
from participants.selectors import can_see_sensitive
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_demo_grants_the_permission_per_user_to_coach_and_admin_only():
    users = ensure_demo_users(ensure_units())
    other = UserFactory()

    fresh = {name: type(user).objects.get(pk=user.pk) for name, user in users.items()}
    assert can_see_sensitive(fresh["coach"])
    assert can_see_sensitive(fresh["admin"])
    assert not can_see_sensitive(fresh["manager"])
    assert not can_see_sensitive(other)
    # Granted to the users themselves, never to a role's group.
    assert not Permission.objects.filter(
        codename="view_sensitive", group__in=Group.objects.all()
    ).exists()
    assert fresh["coach"].user_permissions.filter(codename="view_sensitive").exists()
