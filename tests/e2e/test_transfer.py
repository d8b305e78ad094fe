"""A transfer in a real browser: a coach asks, the owning unit's manager approves,
the person appears in the coach's caseload.

The browser asks for English (Accept-Language en), so the assertions read the
source text; controls are found by ids, names and URLs.
"""

import datetime

import pytest
from playwright.sync_api import expect

from participants.models import Participant
from tests.factories import ManagerFactory, ParticipantFactory, make_personnummer
from tests.helpers.browser import accessibility_violations, log_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

PASSWORD = "correct horse battery"
BIRTH = datetime.date(1985, 5, 20)
RECORDED = "Your request is recorded. If the person is registered in another unit"


@pytest.fixture
def browser_locale() -> str:
    return "en-GB"


def _ask(page, live_server, number: str, reason: str = "") -> str:
    """Ask for a number from the caseload's link; the text of the page that answers."""
    page.goto(f"{live_server.url}/participants/")
    with page.expect_navigation():
        page.locator("main a[href='/participants/take-over/']").click()
    page.locator("#id_personnummer").fill(f"{number[:8]}-{number[8:]}")
    page.locator("#id_reason").fill(reason)
    with page.expect_navigation():
        page.locator("form.take-over-form button[type='submit']").click()
    assert page.url == f"{live_server.url}/participants/take-over/"
    expect(page.locator("main .messages")).to_contain_text(RECORDED)
    return page.locator("main").inner_text()


def _log_in_as(page, live_server, username: str) -> None:
    page.context.clear_cookies()
    log_in(page, live_server, username, PASSWORD)


def test_a_coach_asks_the_manager_approves_and_the_person_appears_in_the_caseload(
    browser_page, live_server, coach, unit, other_unit, other_coach
):
    person = ParticipantFactory(
        unit=other_unit,
        coach=other_coach,
        first_name="Ebba",
        last_name="Flyttsson",
        personnummer=make_personnummer(BIRTH, 118),
        birth_date=BIRTH,
    )
    ManagerFactory(username="manager2", unit=other_unit)
    page = browser_page

    # --- The coach asks: for the person, and for a number nobody has ------------------------
    _log_in_as(page, live_server, coach.username)
    asked = _ask(page, live_server, person.personnummer, "Har flyttat till Järva.")
    assert accessibility_violations(page) == []
    unknown = _ask(page, live_server, make_personnummer(BIRTH, 120))
    assert asked == unknown
    assert "Flyttsson" not in asked and other_unit.name not in asked
    # Nothing of the person before approval: not in the caseload, not at their address.
    page.goto(f"{live_server.url}/participants/?scope=unit")
    expect(page.locator("main")).not_to_contain_text("Flyttsson")
    assert page.goto(f"{live_server.url}/participants/{person.pk}/").status == 404
    # The browser reports the 404 just asserted, and then the icon the plain 404
    # page does not name (/favicon.ico): wait for both before forgetting them.
    page.wait_for_load_state("networkidle")
    page.console_errors.clear()

    # --- The owning unit's manager sees the request waiting, and approves ------------------
    _log_in_as(page, live_server, "manager2")
    badge = page.locator("header a[href='/transfers/'] .badge")
    expect(badge).to_have_text("1 waiting for a decision")
    with page.expect_navigation():
        page.locator("header a[href='/transfers/']").click()
    row = page.locator(".transfer-requests tbody tr")
    expect(row).to_have_count(1)
    expect(row).to_contain_text("Ebba Flyttsson")
    expect(row).to_contain_text(person.masked_personnummer)
    expect(row).to_contain_text(unit.name)
    expect(row).to_contain_text("Har flyttat till Järva.")
    assert accessibility_violations(page) == []
    with page.expect_navigation():
        row.locator("button[name='decision'][value='approve']").click()
    expect(page.locator("main .messages")).to_contain_text(
        f"Ebba Flyttsson has been moved to {unit.name}."
    )
    expect(page.locator(".transfer-requests")).to_have_count(0)
    expect(badge).to_have_count(0)

    # --- The coach finds the person in their own caseload ----------------------------------
    _log_in_as(page, live_server, coach.username)
    page.goto(f"{live_server.url}/participants/")
    link = page.locator(f"main a[href='/participants/{person.pk}/']")
    expect(link).to_contain_text("Flyttsson")
    with page.expect_navigation():
        link.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Ebba Flyttsson")
    moved = Participant.objects.get(pk=person.pk)
    assert (moved.unit, moved.coach) == (unit, coach)
    assert page.console_errors == []
    assert page.external_requests == []
