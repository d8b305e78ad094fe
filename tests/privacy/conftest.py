import datetime

import pytest
import time_machine
from django.contrib.auth.models import Permission

from accounts.models import User
from tests.factories import (
    AdminFactory,
)


@pytest.fixture
def admin_user(db) -> User:
    return AdminFactory(username="sysadmin", first_name="Sys", last_name="Förvaltare")


@pytest.fixture
def sensitive_admin(db) -> User:
    """An administrator who may see special-category data: the one who may produce extracts."""
    user = AdminFactory(username="utredare", first_name="Ulla", last_name="Utredare")
    user.user_permissions.add(
        Permission.objects.get(content_type__app_label="participants", codename="view_sensitive")
    )
    return user


@pytest.fixture
def frozen():
    """Travel to a moment, frozen: ``with frozen(datetime): ...``."""

    def travel(moment: datetime.datetime):
        return time_machine.travel(moment, tick=False)

    return travel
