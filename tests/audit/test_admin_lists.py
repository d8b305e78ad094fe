"""Admin lists of case records are reads, logged one row per page (issue 12, point 6)."""

import pytest
from django.contrib import admin

from audit.admin import AccessLoggedAdminMixin
from audit.models import AccessLogEntry, Action
from tests.factories import CaseNoteFactory, ParticipantFactory
from tests.helpers import admin_url

pytestmark = pytest.mark.django_db


def test_the_note_list_writes_a_row_naming_the_list_and_the_page(admin_client, unit):
    from participants.models import CaseNote

    person = ParticipantFactory(unit=unit)
    for _ in range(3):
        CaseNoteFactory(participant=person)

    response = admin_client.get(admin_url(CaseNote, "changelist"))

    assert response.status_code == 200
    [row] = AccessLogEntry.objects.filter(action=Action.VIEW, object_type="casenote")
    assert row.detail == "admin list, page 1, 3 rows"
    assert row.participant_id is None


def test_every_admin_of_case_records_logs_its_lists():
    import stockholmsjobb.urls  # noqa: F401 - the admin's registrations

    case_apps = {"participants", "placements", "followup", "survey", "casework", "privacy"}
    unlogged = [
        model._meta.label
        for model, model_admin in admin.site._registry.items()
        if model._meta.app_label in case_apps
        and "participant" in {field.name for field in model._meta.get_fields()}
        and not isinstance(model_admin, AccessLoggedAdminMixin)
    ]
    assert unlogged == []
