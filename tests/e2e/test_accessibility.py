"""Swedish public services must meet WCAG 2.1 AA: axe-core finds nothing serious on our pages."""

import pytest

from tests.factories import FollowUpFactory, ParticipantFactory, PlacementFactory
from tests.helpers.browser import accessibility_violations, log_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_login_caseload_participant_and_dashboard_pages_have_no_serious_violations(
    browser_page, live_server, coach
):
    participant = ParticipantFactory(unit=coach.unit, coach=coach)
    placement = PlacementFactory(participant=participant)
    FollowUpFactory(placement__participant=ParticipantFactory(unit=coach.unit, coach=coach))
    page = browser_page
    page.goto(f"{live_server.url}/accounts/login/")
    assert accessibility_violations(page) == []
    log_in(page, live_server, "coach1", "correct horse battery")
    for path in (
        "/participants/",
        "/participants/?scope=unit",
        f"/participants/{participant.pk}/",
        "/dashboard/",
    ):
        page.goto(f"{live_server.url}{path}")
        assert accessibility_violations(page) == [], path
    assert placement.pk
