"""The coach's week in a real browser: each kind of item leads to the form where it is done.

The browser asks for English (Accept-Language en), so the assertions read the
source text; links and forms are found by their URLs and ids.
"""

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from followup.models import FollowUp, Outcome
from participants.models import LearningGoal, Study
from placements.models import WageSubsidyCase
from tests.factories import FollowUpFactory, ParticipantFactory, PlacementFactory
from tests.helpers.browser import accessibility_violations, chromium_page, log_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.fixture
def browser_locale() -> str:
    return "en-GB"


def days(n: int) -> datetime.timedelta:
    return datetime.timedelta(days=n)


@pytest.fixture
def week(coach, unit):
    """One participant of the coach's with one item of each kind, and a closed case."""
    today = timezone.localdate()
    person = ParticipantFactory(
        unit=unit,
        coach=coach,
        first_name="Amina",
        last_name="Warsame",
        enrolled_on=today - days(400),
    )
    ended = PlacementFactory(
        participant=person,
        start_date=today - days(380),
        planned_end_date=today - days(100),
        end_date=today - days(100),
        end_reason="completed",
    )
    followup = FollowUpFactory(placement=ended, due_date=today - days(8))
    ongoing = PlacementFactory(
        participant=person, start_date=today - days(90), planned_end_date=today + days(20)
    )
    goal = LearningGoal.objects.create(
        participant=person,
        description="Truckkort",
        target_industry="Lager",
        status="in_progress",
        next_review_on=today + days(2),
    )
    study = Study.objects.create(
        participant=person,
        kind="sfi",
        course="Sfi D",
        start_date=today - days(120),
        end_date=today - days(3),
        extent_percent=20,
    )
    subsidy = WageSubsidyCase.objects.create(
        participant=person, applied_on=today - days(45), employer="Bageriet AB"
    )
    closed = ParticipantFactory(
        unit=unit,
        coach=coach,
        last_name="Stängd",
        closed_on=today - days(10),
        closed_reason="arbete",
    )
    FollowUpFactory(
        placement=PlacementFactory(
            participant=closed,
            start_date=today - days(300),
            planned_end_date=today - days(95),
            end_date=today - days(95),
        )
    )
    return {
        "person": person,
        "followup": followup,
        "ongoing": ongoing,
        "goal": goal,
        "study": study,
        "subsidy": subsidy,
    }


def test_coach_follows_each_item_of_the_week_to_where_it_is_done(browser_page, live_server, week):
    page = browser_page
    person = week["person"]
    case = f"/participants/{person.pk}"
    log_in(page, live_server, "coach1", "correct horse battery")
    page.wait_for_url(f"{live_server.url}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("My week")
    # The closed case has an overdue follow-up too, but is not in the week.
    expect(page.locator("main")).not_to_contain_text("Stängd")
    for key in ("followups", "placements", "goals", "studies", "subsidies", "quiet"):
        expect(page.locator(f"#week-{key} .week-count")).to_have_text("1")
    expect(page.locator("#week-subsidies")).to_contain_text("waiting 45 days")
    assert accessibility_violations(page) == []

    destinations = [
        (
            f"{case}/followups/{week['followup'].placement_id}/",
            f"#register-followup-{week['followup'].placement_id}-form",
            "Register the follow-up",
        ),
        (
            f"{case}/placements/{week['ongoing'].pk}/extend/",
            f"#extend-placement-{week['ongoing'].pk}-form",
            "Extend the placement",
        ),
        (
            f"{case}/placements/{week['ongoing'].pk}/end/",
            f"#end-placement-{week['ongoing'].pk}-form",
            "End the placement",
        ),
        (
            f"{case}/goals/{week['goal'].pk}/",
            f"#review-goal-{week['goal'].pk}-form",
            "Review the learning goal",
        ),
        (
            f"{case}/studies/{week['study'].pk}/",
            f"#update-study-{week['study'].pk}-form",
            "Update or end the study",
        ),
        (
            f"{case}/subsidies/{week['subsidy'].pk}/decision/",
            f"#decide-subsidy-{week['subsidy'].pk}-form",
            "Record the decision",
        ),
        (f"{case}/activities/", "#add-activity-form", "New support activity"),
    ]
    for href, form, heading in destinations:
        page.goto(f"{live_server.url}/")
        link = page.locator(f"main a.week-action[href='{href}']")
        expect(link).to_have_count(1)
        with page.expect_navigation():
            link.click()
        assert page.url == f"{live_server.url}{href}"
        expect(page.get_by_role("heading", level=1)).to_have_text(heading)
        expect(page.locator(form)).to_be_visible()
        expect(page.locator(f"{form} button[type='submit']")).to_be_visible()

    # The study is ended where the week sent the coach, and leaves the week.
    page.goto(f"{live_server.url}{case}/studies/{week['study'].pk}/")
    form = f"#update-study-{week['study'].pk}"
    page.locator(f"{form}-completed").select_option("true")
    with page.expect_navigation():
        page.locator(f"{form}-form button[type='submit']").click()
    expect(page.locator("main .messages")).to_contain_text("The study is ended.")
    week["study"].refresh_from_db()
    assert week["study"].completed is True
    page.goto(f"{live_server.url}/")
    expect(page.locator("#week-studies .week-count")).to_have_text("0")
    expect(page.locator("#week-studies")).to_contain_text("No study ends in the coming 30 days")
    assert page.console_errors == []
    assert page.external_requests == []


def test_the_week_fits_a_phone(chromium_path, live_server, monkeypatch, week):
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with chromium_page(
        chromium_path, live_server, locale="en-GB", viewport={"width": 390, "height": 844}
    ) as page:
        log_in(page, live_server, "coach1", "correct horse battery")
        page.wait_for_url(f"{live_server.url}/")
        for path in ("/", "/followups/?scope=unit"):
            page.goto(f"{live_server.url}{path}")
            # Tables scroll inside their own box: the page itself never scrolls sideways.
            assert page.evaluate("document.documentElement.scrollWidth") <= 390, path
            assert accessibility_violations(page) == [], path


def test_coach_closes_out_unreachable_follow_ups_from_the_list(browser_page, live_server, week):
    today = timezone.localdate()
    person = week["person"]
    old = [
        FollowUpFactory(
            placement=PlacementFactory(
                participant=person,
                start_date=today - days(1200 + 400 * n),
                planned_end_date=today - days(900 + 400 * n),
                end_date=today - days(900 + 400 * n),
            )
        )
        for n in range(2)
    ]
    page = browser_page
    log_in(page, live_server, "coach1", "correct horse battery")
    page.goto(f"{live_server.url}/followups/")
    boxes = page.locator("#not-reached-form input[name='followups']")
    # Only the two past the window can be chosen, and none is ticked to start with.
    expect(boxes).to_have_count(2)
    for index in range(2):
        expect(boxes.nth(index)).not_to_be_checked()
    page.locator("#not-reached-select-all").check()
    for index in range(2):
        expect(boxes.nth(index)).to_be_checked()
    page.locator("#id_reason").fill("Three calls and a letter, no answer")
    with page.expect_navigation():
        page.locator("#not-reached-form button[type='submit']").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Close out follow-ups as not reached")
    expect(page.locator("main tbody tr")).to_have_count(2)
    assert not FollowUp.objects.filter(outcome=Outcome.NOT_REACHED).exists()
    with page.expect_navigation():
        page.get_by_role("button", name="Confirm: close them out as not reached").click()
    expect(page.locator("main .messages")).to_contain_text(
        "2 follow-ups registered as not reached."
    )
    for followup in old:
        followup.refresh_from_db()
        assert followup.outcome == Outcome.NOT_REACHED
        assert followup.note == "Three calls and a letter, no answer"
    expect(page.locator("#not-reached-form input[name='followups']")).to_have_count(0)
    assert page.console_errors == []
