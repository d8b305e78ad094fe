"""A manager in a real browser: the dashboard filtered by unit, and from the overdue
table into the list of one coach's follow-ups."""

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from reports.models import OutcomeSnapshot
from reports.snapshots import snapshot_compute
from tests.factories import FollowUpFactory, ParticipantFactory, PlacementFactory
from tests.helpers.browser import accessibility_violations, log_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

PASSWORD = "correct horse battery"


def ended_and_followed_up(unit, coach, count: int) -> None:
    end = timezone.localdate() - datetime.timedelta(days=200)
    for _ in range(count):
        placement = PlacementFactory(
            participant=ParticipantFactory(unit=unit, coach=coach),
            start_date=end - datetime.timedelta(days=300),
            planned_end_date=end,
            end_date=end,
            end_reason="completed",
        )
        FollowUpFactory(
            placement=placement,
            outcome="studier",
            performed_on=end + datetime.timedelta(days=92),
        )


def overdue(unit, coach, count: int) -> None:
    for _ in range(count):
        FollowUpFactory(
            placement__participant=ParticipantFactory(unit=unit, coach=coach),
            due_date=timezone.localdate() - datetime.timedelta(days=10),
        )


def test_a_manager_filters_by_unit_and_opens_a_coachs_overdue_follow_ups(
    browser_page, live_server, manager, unit, coach, other_unit, other_coach
):
    ended_and_followed_up(unit, coach, 6)
    ended_and_followed_up(other_unit, other_coach, 7)
    overdue(unit, coach, 2)
    overdue(other_unit, other_coach, 3)
    snapshot_compute(snapshot_id=OutcomeSnapshot.objects.create().pk)
    page = browser_page
    overdue_table = page.locator("section[aria-labelledby='table-overdue'] tbody")

    log_in(page, live_server, manager.username, PASSWORD)
    page.wait_for_url(f"{live_server.url}/dashboard/")
    # The unit filter starts on the manager's own unit: only their coach is listed.
    expect(page.locator("#id_unit")).to_have_value(str(unit.pk))
    expect(overdue_table.locator("tr")).to_have_count(1)
    assert accessibility_violations(page) == []

    # Every unit: both coaches, and the other unit's figures in the outcome tables.
    page.locator("#id_unit").select_option("all")
    with page.expect_navigation():
        page.locator("form:has(#id_unit) button[type='submit']").click()
    assert "unit=all" in page.url
    expect(page.locator("#id_unit")).to_have_value("all")
    expect(overdue_table.locator("tr")).to_have_count(2)
    # Another unit's coach is shown but not linked: their participants are not the manager's.
    expect(overdue_table.locator("tr", has_text=other_unit.name).locator("a")).to_have_count(0)
    assert accessibility_violations(page) == []

    # Back to the own unit, and from the table into the coach's overdue list.
    page.locator("#id_unit").select_option(str(unit.pk))
    with page.expect_navigation():
        page.locator("form:has(#id_unit) button[type='submit']").click()
    assert f"unit={unit.pk}" in page.url
    coach_link = overdue_table.get_by_role("link", name=f"{coach.first_name} {coach.last_name}")
    with page.expect_navigation() as navigation:
        coach_link.click()
    assert navigation.value.status == 200
    # The coach's overdue follow-ups in the unit: the rows the table counted.
    assert page.url == (
        f"{live_server.url}/followups/?coach={coach.pk}&unit={unit.pk}&within=overdue"
    )
    expect(page.locator("tbody tr")).to_have_count(2)
    expect(page.locator("h1")).to_be_visible()
    assert page.external_requests == []
