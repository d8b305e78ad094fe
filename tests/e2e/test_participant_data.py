"""A participant's own data in a real browser: a coach corrects a phone number and sees
the history, closes and reopens the case and sees both in the timeline, and shows the
full personnummer (logged).

The browser asks for English, so the assertions read the source text; controls are
found by their ids.
"""

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from audit.models import AccessLogEntry, Action
from participants.models import CaseStatusChange, Participant, ParticipantChange
from tests.factories import ParticipantFactory, make_personnummer
from tests.helpers.browser import accessibility_violations, log_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

BIRTH = datetime.date(1990, 10, 3)
NUMBER = make_personnummer(BIRTH, 532)
FULL = f"{NUMBER[:8]}-{NUMBER[8:]}"


@pytest.fixture
def browser_locale() -> str:
    return "en-GB"


def _submit(page, form_id: str) -> None:
    page.locator(f"#{form_id} button[type='submit']").click()


def _settled_violations(page) -> list:
    """axe's findings once htmx has settled and Bootstrap's transitions have run: halfway
    through a fade a button's text can be paler than it will be."""
    page.wait_for_function(
        """() => !document.querySelector('.htmx-request, .htmx-settling, .htmx-swapping')
            && document.getAnimations().every(a => a.playState !== 'running')"""
    )
    return accessibility_violations(page)


def test_coach_corrects_details_closes_and_reopens_and_shows_the_number(
    browser_page, live_server, coach, unit
):
    today = timezone.localdate()
    person = ParticipantFactory(
        unit=unit,
        coach=coach,
        personnummer=NUMBER,
        birth_date=BIRTH,
        first_name="Ayaan",
        last_name="Osman",
        enrolled_on=today - datetime.timedelta(days=200),
        phone="08-123 456 78",
    )
    page = browser_page
    log_in(page, live_server, "coach1", "correct horse battery")
    page.goto(f"{live_server.url}/participants/{person.pk}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Ayaan Osman")
    assert FULL not in page.content()
    assert _settled_violations(page) == []

    # --- Correct the phone number; the history shows who changed what -----------------
    details = page.locator("#participant-details")
    expect(details.locator("#participant-phone")).to_have_text("08-123 456 78")
    page.locator("#details-change").click()
    phone = page.locator("#details-phone")
    expect(phone).to_have_value("08-123 456 78")
    phone.fill("070 12")
    _submit(page, "details-form")
    expect(page.locator("#details-phone_error")).to_contain_text(
        "Enter a phone number of 7 to 15 digits"
    )
    page.locator("#details-phone").fill("070-765 43 21")
    _submit(page, "details-form")
    expect(page.locator("#case-status")).to_contain_text("The participant's details are saved.")
    expect(page.locator("#participant-phone")).to_have_text("070-765 43 21")
    change = ParticipantChange.objects.get(participant=person)
    row = page.locator(f"#change-{change.pk}")
    expect(row).to_contain_text("Phone")
    expect(row.locator(".old-value")).to_have_text("08-123 456 78")
    expect(row.locator(".new-value")).to_have_text("070-765 43 21")
    expect(row).to_contain_text(coach.get_full_name())
    assert Participant.objects.get(pk=person.pk).phone == "070-765 43 21"

    # --- Close the case: a banner, and the closing in the timeline ----------------------
    closed_on = today - datetime.timedelta(days=2)
    page.locator("#case-status-change").click()
    page.locator("#case-close-closed_on").fill(closed_on.isoformat())
    page.locator("#case-close-reason").select_option("avbojt")
    _submit(page, "case-close-form")
    expect(page.locator("#case-status")).to_contain_text("The case is closed.")
    expect(page.locator("#case-closed-banner")).to_contain_text(
        f"Closed on {closed_on.isoformat()} (No longer wants support)"
    )
    closing = CaseStatusChange.objects.get(participant=person)
    expect(page.locator(f"#status-{closing.pk}")).to_contain_text("Case closed")
    expect(page.locator("#summary-case-status")).to_have_attribute("data-state", "closed")

    # --- Reopen it: both events stay in the timeline, the banner goes -------------------
    page.locator("#case-status-change").click()
    page.locator("#case-reopen-on").fill(today.isoformat())
    _submit(page, "case-reopen-form")
    expect(page.locator("#case-status")).to_contain_text("The case is reopened.")
    expect(page.locator("#case-closed-banner")).to_have_text("")
    reopening = CaseStatusChange.objects.get(participant=person, kind="reopen")
    expect(page.locator(f"#status-{reopening.pk}")).to_contain_text("Case reopened")
    expect(page.locator(f"#status-{closing.pk}")).to_contain_text("Case closed")
    page.locator("#timeline-show-status").click()
    expect(page.locator("#timeline article[id^='status-']")).to_have_count(2)
    assert not Participant.objects.get(pk=person.pk).is_closed

    # --- Show the full personnummer: a button, a log row, nothing in the address -------
    assert not AccessLogEntry.objects.filter(action=Action.REVEAL).exists()
    page.locator("#personnummer-show").click()
    expect(page.locator("#personnummer-full")).to_have_text(FULL)
    assert NUMBER not in page.url and FULL not in page.url
    [shown] = AccessLogEntry.objects.filter(action=Action.REVEAL)
    assert (shown.participant_id, shown.user_id) == (person.pk, coach.pk)

    assert _settled_violations(page) == []

    # On a phone the page does not scroll sideways: the history table scrolls in its box.
    page.set_viewport_size({"width": 390, "height": 844})
    page.reload()
    expect(page.locator(f"#change-{change.pk}")).to_be_attached()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    box = page.locator("#participant-history .table-responsive").bounding_box()
    assert box is not None and box["x"] + box["width"] <= 390

    assert page.console_errors == []
    assert page.external_requests == []
