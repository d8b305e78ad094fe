"""The participant page at a laptop's 1366 px and a phone's 390 px: the "Change details"
form's selects show their whole choice, the history's values never break inside a word,
and the page never scrolls sideways."""

import pytest
from django.db.models.functions import Length

from participants.models import District, EducationLevel
from participants.services import participant_update
from tests.factories import ParticipantFactory
from tests.helpers.browser import accessibility_violations, chromium_page, log_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

LAPTOP = {"width": 1366, "height": 768}
PHONE = {"width": 390, "height": 844}

# Each select of the details form: whether its chosen text fits inside it.
CLIPPED_SELECTS = """() => {
    const canvas = document.createElement('canvas').getContext('2d');
    return [...document.querySelectorAll('#participant-details select')].filter(select => {
        const style = getComputedStyle(select);
        canvas.font = `${style.fontWeight} ${style.fontSize} ${style.fontFamily}`;
        const text = select.options[select.selectedIndex].text;
        const room = select.clientWidth - parseFloat(style.paddingLeft)
            - parseFloat(style.paddingRight);
        return canvas.measureText(text).width > room;
    }).map(select => select.name);
}"""

# Every word of the history's values on one line (a hyphen may end a line): a word broken
# in two has two boxes.
BROKEN_WORDS = """() => {
    const broken = [];
    for (const cell of document.querySelectorAll('#participant-history tbody td')) {
        const walker = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
        for (let node = walker.nextNode(); node; node = walker.nextNode()) {
            for (const match of node.data.matchAll(/[^\\s-]+/g)) {
                const range = document.createRange();
                range.setStart(node, match.index);
                range.setEnd(node, match.index + match[0].length);
                const lines = new Set([...range.getClientRects()].map(r => Math.round(r.top)));
                if (lines.size > 1) broken.push(match[0]);
            }
        }
    }
    return broken;
}"""


@pytest.fixture
def person(coach, unit):
    district = District.objects.order_by(Length("name").desc(), "pk").first()
    # The longest district's name and education level: what a narrow select cut short.
    person = ParticipantFactory(
        unit=unit, coach=coach, district=district, education_level=EducationLevel.TERTIARY
    )
    participant_update(participant=person, changed_by=coach, street_address="Storgatan 1")
    person.refresh_from_db()
    participant_update(
        participant=person,
        changed_by=coach,
        street_address="Hässelby-Vällingbyvägen 123 B, lägenhet 1102",
        email="maximiliana.abdirahman-wallenbergsdotter@example.com",
    )
    return person


@pytest.mark.parametrize("viewport", [LAPTOP, PHONE], ids=["1366", "390"])
def test_details_form_and_history_read_whole_and_fit_the_screen(
    chromium_path, live_server, monkeypatch, person, viewport
):
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with chromium_page(chromium_path, live_server, locale="sv-SE", viewport=viewport) as page:
        log_in(page, live_server, "coach1", "correct horse battery")
        page.goto(f"{live_server.url}/participants/{person.pk}/")
        page.locator("#details-change").click()
        page.locator("#details-slot select").first.wait_for()
        assert page.evaluate(CLIPPED_SELECTS) == []
        assert page.evaluate(BROKEN_WORDS) == []
        assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
        assert accessibility_violations(page) == []
        if viewport is LAPTOP:
            # In the wide column, beside the summary rather than under it.
            summary = page.locator("#participant-summary").bounding_box()
            details = page.locator("#participant-details").bounding_box()
            history = page.locator("#participant-history").bounding_box()
            assert details["x"] > summary["x"] + summary["width"]
            assert history["width"] == pytest.approx(details["width"], abs=1)
            assert details["width"] > 2 * summary["width"]


def test_a_saved_change_updates_the_details_and_history_where_they_now_are(
    chromium_path, live_server, monkeypatch, person
):
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with chromium_page(chromium_path, live_server, locale="en-GB", viewport=LAPTOP) as page:
        log_in(page, live_server, "coach1", "correct horse battery")
        page.goto(f"{live_server.url}/participants/{person.pk}/")
        page.locator("#details-change").click()
        page.locator("#details-slot input[name='phone']").fill("08-508 000 00")
        page.locator("#details-slot button[type='submit']").click()
        page.locator("#participant-phone", has_text="08-508 000 00").wait_for()
        assert page.locator("#participant-details").count() == 1
        assert page.locator("#participant-history").count() == 1
        assert "08-508 000 00" in page.locator("#participant-history tbody tr").first.inner_text()
        # Still in the wide column, not back under the summary.
        summary = page.locator("#participant-summary").bounding_box()
        history = page.locator("#participant-history").bounding_box()
        assert history["x"] > summary["x"] + summary["width"]
