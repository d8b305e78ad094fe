"""A refusal is logged even when the view's transaction rolls back (issue 12, point 3)."""

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from audit.models import AccessLogEntry, Action
from tests.factories import AdminFactory, ParticipantFactory, PlacementFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("method", ["get", "post"])
def test_another_units_follow_up_page_is_a_logged_404(client, coach, other_unit, method):
    theirs = PlacementFactory(participant=ParticipantFactory(unit=other_unit))
    url = reverse(
        "participants:followup_register",
        kwargs={"pk": theirs.participant_id, "placement_pk": theirs.pk},
    )
    client.force_login(coach)

    response = getattr(client, method)(url, {"outcome": "studier"} if method == "post" else {})

    assert response.status_code == 404
    refused = AccessLogEntry.objects.filter(action=Action.REFUSED, username=coach.username)
    assert list(refused.values_list("participant_id", "detail")) == [
        (theirs.participant_id, "HTTP 404")
    ]


def test_the_extract_of_an_unknown_participant_is_a_logged_404(client):
    admin = AdminFactory()
    admin.user_permissions.add(
        Permission.objects.get(content_type__app_label="participants", codename="view_sensitive")
    )
    client.force_login(admin)

    response = client.post(reverse("privacy:participant_extract", args=[999_999]))

    assert response.status_code == 404
    assert (
        AccessLogEntry.objects.filter(action=Action.REFUSED, username=admin.username).count() == 1
    )
