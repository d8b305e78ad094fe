"""A participant answers the survey on a phone: tap, send, thank-you; the link then refuses."""

import datetime

import pytest
from django.utils import timezone

from followup.models import STATEMENTS, Agreement, SurveyResponse
from survey.models import SurveyInvitation, SurveyRound, hash_token
from tests.factories import ParticipantFactory, PlacementFactory, job_type
from tests.helpers.browser import accessibility_violations, chromium_page

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

TOKEN = "phone-test-token-0123456789abcdef"
PHONE = {"width": 390, "height": 844}
# WCAG 2.5.5 asks 44 × 44 CSS pixels for a target.
MIN_TARGET = 44


@pytest.fixture
def phone_page(chromium_path, live_server, monkeypatch):
    """A headless Chromium as a phone: small screen, touch, Swedish; see `chromium_page`."""
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with chromium_page(
        chromium_path,
        live_server,
        viewport=PHONE,
        device_scale_factor=3,
        is_mobile=True,
        has_touch=True,
        locale="sv-SE",
    ) as page:
        yield page


@pytest.fixture
def invitation():
    participant = ParticipantFactory(first_name="Fatima", last_name="Telefonsson")
    placement = PlacementFactory(
        participant=participant,
        job_type=job_type("serviceassistent"),
        start_date=datetime.date(2026, 1, 1),
        planned_end_date=None,
    )
    today = timezone.localdate()
    survey_round = SurveyRound.objects.create(
        name="Telefonrundan",
        opens_on=today - datetime.timedelta(days=2),
        closes_on=today + datetime.timedelta(days=14),
    )
    return SurveyInvitation.objects.create(
        survey_round=survey_round,
        participant=participant,
        job_type=placement.job_type,
        token_hash=hash_token(TOKEN),
        link_made_at=timezone.now(),
    )


def test_a_participant_answers_on_a_phone_and_the_link_then_refuses(
    phone_page, live_server, invitation
):
    page = phone_page
    link = f"{live_server.url}/survey/{TOKEN}/"

    opened = page.goto(link)
    assert opened.status == 200
    assert "no-store" in opened.headers["cache-control"]
    body = page.content()
    for secret in ("Fatima", "Telefonsson", "Serviceassistent", invitation.participant.unit.name):
        assert secret not in body
    assert page.locator('meta[name="robots"]').get_attribute("content").startswith("noindex")
    # The page fits the phone: nothing wider than the screen.
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    assert accessibility_violations(page) == []

    # Every answer is a label to tap, large enough for a finger.
    choices = {code: Agreement.values.index(Agreement.SOMEWHAT_AGREE) for code in STATEMENTS}
    choices["feel_better"] = Agreement.values.index(Agreement.AGREE)
    choices["know_next_steps"] = Agreement.values.index(Agreement.DONT_KNOW)
    for code, index in choices.items():
        label = page.locator(f'label[for="id_{code}_{index}"]')
        box = label.bounding_box()
        assert box["height"] >= MIN_TARGET and box["width"] >= MIN_TARGET, code
        label.tap()
        assert page.locator(f"#id_{code}_{index}").is_checked(), code
    page.locator('label[for="id_studied_during_placement_0"]').tap()  # ja
    # Changing one's mind is a tap too.
    page.locator(f'label[for="id_staff_listen_{Agreement.values.index(Agreement.AGREE)}"]').tap()
    assert not page.locator("#id_staff_listen_1").is_checked()

    with page.expect_navigation():
        page.locator("button.survey-submit").tap()

    assert page.url == f"{live_server.url}/survey/thanks/"
    assert page.locator("h1").count() == 1
    assert accessibility_violations(page) == []
    response = SurveyResponse.objects.get()
    assert response.participant_id is None
    assert response.feel_better == Agreement.AGREE
    assert response.know_next_steps == Agreement.DONT_KNOW
    assert response.staff_listen == Agreement.AGREE
    assert response.staff_support == Agreement.SOMEWHAT_AGREE
    assert response.studied_during_placement is True

    assert page.console_errors == []

    again = page.goto(link)
    assert again.status == 410
    assert page.locator('input[type="radio"]').count() == 0
    assert accessibility_violations(page) == []
    assert SurveyResponse.objects.count() == 1
    # Chromium reports the refused page's own status; nothing else went wrong.
    assert page.console_errors == [
        "Failed to load resource: the server responded with a status of 410 (Gone)"
    ]
    assert page.external_requests == []
