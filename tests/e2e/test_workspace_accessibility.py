"""axe-core on every page of the coaches' workspace (issue 4): nothing serious or critical.

Swedish public services must meet WCAG 2.1 AA. Each page is checked in the
states a coach meets: lists with filters, searches and pages; forms empty,
opened with htmx and showing their errors; a timeline holding every kind of
entry. Controls are found by ids and URLs, so the Swedish wording may change.
"""

import datetime

import pytest
from dateutil.relativedelta import relativedelta
from django.utils import timezone
from playwright.sync_api import expect

from participants.models import LearningGoal, Study, SupportActivity
from placements.models import Internship, WageSubsidyCase
from tests.factories import (
    CaseNoteFactory,
    CoachFactory,
    FollowUpFactory,
    ParticipantFactory,
    PlacementFactory,
    WorkplaceFactory,
    job_type,
    make_personnummer,
)
from tests.helpers.browser import accessibility_violations, log_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

PASSWORD = "correct horse battery"
ADD_FORMS = ("note", "activity", "goal", "study", "placement", "internship", "subsidy")


def settle(page) -> None:
    """Wait until htmx has swapped and settled and Bootstrap's transitions have run."""
    page.wait_for_function(
        """() => !document.querySelector('.htmx-request, .htmx-settling, .htmx-swapping')
            && document.getAnimations().every(a => a.playState !== 'running')"""
    )


def assert_accessible(page, live_server, state: str = "") -> None:
    # Colours are measured once settled: halfway through a fade a button's text
    # can be paler than it will be.
    settle(page)
    path = page.url.removeprefix(live_server.url)
    violations = accessibility_violations(page)
    assert violations == [], f"{path} {state}: {violations}"


def _goto(page, live_server, path: str) -> None:
    response = page.goto(f"{live_server.url}{path}")
    assert response is not None and response.status == 200, path


def _fill_registration(page, personnummer: str, first_name: str, last_name: str) -> None:
    page.locator("#id_personnummer").fill(personnummer)
    page.locator("#id_first_name").fill(first_name)
    page.locator("#id_last_name").fill(last_name)
    page.locator("#id_enrolled_on").fill(timezone.localdate().isoformat())
    with page.expect_navigation():
        page.locator("form.register-form button[type='submit']").click()


def _sibling_number(participant) -> str:
    """Another valid personnummer with the participant's birth date."""
    return make_personnummer(participant.birth_date, int(participant.personnummer[8:11]) + 1)


def full_case(coach, *, workplace=None):
    """A participant whose timeline holds an entry of every kind.

    Three placements: one ended and followed up, one ended with its follow-up
    overdue, one ongoing; notes with a correction; a support activity, a
    learning goal due for review, a study, an internship, and two wage-subsidy
    applications (one pending, one decided).
    """
    today = timezone.localdate()
    workplace = workplace or WorkplaceFactory(name="Äldreboendet Solgläntan")
    participant = ParticipantFactory(
        unit=coach.unit, coach=coach, first_name="Leyla", last_name="Hosseini"
    )
    first_start = today - relativedelta(years=3)
    first = PlacementFactory(
        participant=participant,
        workplace=workplace,
        start_date=first_start,
        planned_end_date=first_start + relativedelta(months=12, days=-1),
        end_date=first_start + relativedelta(months=12, days=-1),
        end_reason="completed",
    )
    FollowUpFactory(
        placement=first,
        outcome="studier",
        performed_on=first.end_date + relativedelta(months=3),
        employer_or_school="Komvux Kista",
        performed_by=coach,
    )
    second_start = today - relativedelta(months=20)
    second = PlacementFactory(
        participant=participant,
        job_type=job_type("stockholmsvard"),
        workplace=workplace,
        start_date=second_start,
        planned_end_date=second_start + relativedelta(months=10, days=-1),
        end_date=today - relativedelta(months=10),
        end_reason="illness",
    )
    FollowUpFactory(placement=second)
    current = PlacementFactory(
        participant=participant,
        workplace=workplace,
        start_date=today - relativedelta(months=2),
        planned_end_date=today + relativedelta(months=10),
        funding="amf",
    )
    note = CaseNoteFactory(participant=participant, author=coach, text="Vill bli undersköterska.")
    CaseNoteFactory(
        participant=participant, author=coach, text="Vill bli barnskötare.", corrects=note
    )
    SupportActivity.objects.create(
        participant=participant,
        placement=current,
        phase="during",
        kind="coaching_talk",
        date=today - datetime.timedelta(days=3),
        note="Trivs på arbetsplatsen.",
        recorded_by=coach,
    )
    LearningGoal.objects.create(
        participant=participant,
        placement=current,
        description="Klara språkkraven för vårdbiträde.",
        target_industry="Vård och omsorg",
        target_date=today + relativedelta(months=6),
        status="in_progress",
        reviewed_on=today - relativedelta(months=2),
        next_review_on=today - datetime.timedelta(days=1),
    )
    Study.objects.create(
        participant=participant,
        placement=current,
        kind="sfi",
        course="Sfi kurs D",
        provider="Folkuniversitetet",
        start_date=today - relativedelta(months=1),
        extent_percent=25,
    )
    Internship.objects.create(
        participant=participant,
        placement=current,
        employer="Apotek Hjärtat",
        occupation="Lagerarbetare",
        start_date=today - datetime.timedelta(days=20),
        end_date=today - datetime.timedelta(days=7),
    )
    WageSubsidyCase.objects.create(
        participant=participant,
        placement=second,
        employer="Hemtjänst Norr AB",
        applied_on=today - relativedelta(months=9),
        decided_on=today - relativedelta(months=7),
        outcome="granted",
    )
    WageSubsidyCase.objects.create(
        participant=participant,
        placement=current,
        kind="nystartsjobb",
        employer="Café Linnea",
        applied_on=today - datetime.timedelta(days=12),
    )
    return participant, {"first": first, "second": second, "current": current, "note": note}


def test_caseload_register_followups_and_workplace_pages_are_accessible_for_a_coach(
    browser_page, live_server, coach, other_coach
):
    participant, placements = full_case(coach)
    colleague = CoachFactory(username="coach3", unit=coach.unit, first_name="Kim")
    # More than a page, so the pagination is checked too.
    ParticipantFactory.create_batch(27, unit=coach.unit, coach=coach)
    ParticipantFactory.create_batch(3, unit=coach.unit, coach=colleague)
    # A placement of another unit's participant at the same workplace: shown without a name.
    stranger = ParticipantFactory(
        unit=other_coach.unit, coach=other_coach, first_name="Sara", last_name="Lind"
    )
    PlacementFactory(
        participant=stranger,
        workplace=placements["current"].workplace,
        start_date=timezone.localdate() - relativedelta(months=1),
        planned_end_date=timezone.localdate() + relativedelta(months=11),
    )
    WorkplaceFactory.create_batch(3)
    page = browser_page
    log_in(page, live_server, "coach1", PASSWORD)
    # A coach starts on their week; the caseload is in the menu.
    page.wait_for_url(f"{live_server.url}/")
    assert_accessible(page, live_server, "my week")
    page.locator("header a[href='/participants/']").click()
    page.wait_for_url(f"{live_server.url}/participants/")

    # Caseload: mine (the default), the whole unit, a second page, sorted, filtered.
    assert_accessible(page, live_server, "my caseload")
    expect(page.locator("main .pagination")).to_be_visible()
    for path in (
        "/participants/?scope=unit",
        "/participants/?scope=unit&page=2",
        "/participants/?scope=mine&sort=-followup",
    ):
        _goto(page, live_server, path)
        assert_accessible(page, live_server)
    _goto(page, live_server, "/participants/?scope=unit")
    page.locator("#id_status").select_option("ongoing")
    page.locator("#id_coach").select_option(str(coach.pk))
    with page.expect_navigation():
        page.locator("form:has(#id_status) button[type='submit']").click()
    assert "status=ongoing" in page.url
    expect(page.locator("main tbody tr")).to_have_count(1)
    assert_accessible(page, live_server, "filtered")
    _goto(page, live_server, "/participants/?followup_due=7")
    assert_accessible(page, live_server, "filtered, nothing matches")

    # Search: by name, by personnummer (kept out of the URL), and a mistyped number.
    _goto(page, live_server, "/participants/?scope=unit")
    search = page.locator("#id_q")
    for query, state in (
        ("Hosseini", "searched by name"),
        (participant.personnummer, "searched by personnummer"),
        ("Nobody", "search without results"),
    ):
        search.fill(query)
        with page.expect_navigation():
            search.press("Enter")
        assert participant.personnummer not in page.url
        assert_accessible(page, live_server, state)
    expect(page.locator("main")).not_to_contain_text("Hosseini")
    search.fill("19800101-0000")
    with page.expect_navigation():
        search.press("Enter")
    expect(page.locator("#id_q_error")).to_be_visible()
    assert_accessible(page, live_server, "mistyped personnummer")

    # Register a participant: empty, with every required field missing, with a duplicate.
    _goto(page, live_server, "/participants/new/")
    assert_accessible(page, live_server, "empty")
    page.locator("#id_enrolled_on").fill("")
    with page.expect_navigation():
        page.locator("form.register-form button[type='submit']").click()
    expect(page.locator("#id_personnummer_error")).to_be_visible()
    expect(page.locator("#id_first_name_error")).to_be_visible()
    assert_accessible(page, live_server, "with validation errors")
    # Someone another unit has registered: a neutral refusal at the field, no unit named.
    # (A match the coach may read is linked; see the test below.)
    _fill_registration(page, stranger.personnummer, "Sara", "Lind")
    expect(page.locator("#id_personnummer_error")).to_be_visible()
    expect(page.locator("#duplicates-heading")).to_have_count(0)
    expect(page.locator("main")).not_to_contain_text("Söderort")
    assert_accessible(page, live_server, "a number registered in another unit")

    # Follow-ups: mine, the unit's, further ahead.
    for path in ("/followups/", "/followups/?scope=unit", "/followups/?within=90"):
        _goto(page, live_server, path)
        assert_accessible(page, live_server)
    expect(page.locator(f"main a[href$='#followup-{placements['second'].pk}']")).to_be_visible()

    # Workplaces: the list, a search, a filter, one workplace's page.
    workplace = placements["current"].workplace
    for path in (
        "/workplaces/",
        "/workplaces/?q=Solgl%C3%A4ntan",
        "/workplaces/?q=finns-inte",
        "/workplaces/?organisation_kind=city_department&shortage=no",
        f"/workplaces/{workplace.pk}/",
    ):
        _goto(page, live_server, path)
        assert_accessible(page, live_server)
    expect(page.locator("main")).to_contain_text("Hosseini, Leyla")
    expect(page.locator("main")).not_to_contain_text("Lind, Sara")

    assert page.external_requests == []
    assert page.console_errors == []


def test_register_page_linking_a_possible_duplicate_in_the_unit_is_accessible(
    browser_page, live_server, coach
):
    registered = ParticipantFactory(
        unit=coach.unit, coach=coach, first_name="Leyla", last_name="Hosseini"
    )
    page = browser_page
    log_in(page, live_server, "coach1", PASSWORD)
    _goto(page, live_server, "/participants/new/")
    _fill_registration(page, registered.personnummer, "Leyla", "Hosseini")
    expect(page.locator(f"#main a[href='/participants/{registered.pk}/']")).to_be_visible()
    assert_accessible(page, live_server, "already registered in the unit")
    _fill_registration(page, _sibling_number(registered), "Leyla", "Hosseini")
    expect(page.locator("#id_different_person")).to_be_visible()
    assert_accessible(page, live_server, "possibly registered in the unit")


def test_participant_page_with_every_kind_of_entry_and_every_form_is_accessible(
    browser_page, live_server, coach
):
    participant, placements = full_case(coach)
    first, second, current = placements["first"], placements["second"], placements["current"]
    note = placements["note"]
    goal = participant.learning_goals.get()
    pending = participant.wage_subsidy_cases.get(outcome="pending")
    page = browser_page
    log_in(page, live_server, "coach1", PASSWORD)
    detail = f"/participants/{participant.pk}/"
    _goto(page, live_server, detail)

    # Every kind is on the page, and the open follow-up's form is shown in place.
    for selector in (
        f"#note-{note.pk}",
        "article[id^='activity-']",
        f"#goal-{goal.pk}",
        "article[id^='study-']",
        f"#placement-{current.pk}",
        "article[id^='internship-']",
        f"#subsidy-{pending.pk}",
        f"#followup-{first.pk}",
        f"#register-followup-{second.pk}-form",
    ):
        expect(page.locator(selector)).to_be_visible()
    assert_accessible(page, live_server, "full timeline")

    # The timeline filtered by kind (htmx swaps it in place).
    for kind in ("notes", "placements", "followups"):
        page.locator(f"#timeline-show-{kind}").click()
        expect(page.locator(f"#timeline-show-{kind}")).to_have_attribute("aria-current", "true")
        assert_accessible(page, live_server, f"timeline showing {kind}")
    page.locator("#timeline-show-all").click()
    expect(page.locator("#timeline-show-all")).to_have_attribute("aria-current", "true")
    _goto(page, live_server, f"{detail}?show=studies")
    assert_accessible(page, live_server, "timeline loaded showing studies")
    _goto(page, live_server, detail)

    # Each form of the "add" panel, opened with its button.
    for key in ADD_FORMS:
        page.locator(f"#add-link-{key}").click()
        expect(page.locator(f"#add-{key}-form")).to_be_visible()
        assert_accessible(page, live_server, f"{key} form open")

    # Forms showing their errors and warnings next to the fields.
    page.locator("#add-link-study").click()
    page.locator("#add-study-extent_percent").fill("80")
    page.locator("#add-study-form button[type='submit']").click()
    expect(page.locator("#add-study-extent_percent_error")).to_be_visible()
    assert_accessible(page, live_server, "study form with errors")
    page.locator("#add-link-placement").click()
    page.locator("#add-placement-job_type").select_option(str(job_type("ungdomsanstallning").pk))
    page.locator("#add-placement-workplace").select_option(str(current.workplace_id))
    # A new placement is open-ended until it ends, so it overlaps the later ones.
    earlier = first.start_date - relativedelta(years=3)
    page.locator("#add-placement-start_date").fill(earlier.isoformat())
    page.locator("#add-placement-planned_end_date").fill(
        (earlier + relativedelta(months=12)).isoformat()
    )
    page.locator("#add-placement-form button[type='submit']").click()
    expect(page.locator("#add-placement-start_date_error")).to_be_visible()
    assert_accessible(page, live_server, "placement form with an overlap error")
    page.locator("#add-link-note").click()
    page.locator("#add-note-form button[type='submit']").click()
    expect(page.locator("#add-note-text_error")).to_be_visible()
    assert_accessible(page, live_server, "note form with errors")

    # The forms that open inside a timeline entry.
    for button, form in (
        (f"#note-{note.pk}-correct", f"#correct-{note.pk}-form"),
        (f"#goal-{goal.pk}-review", f"#review-goal-{goal.pk}-form"),
        (f"#placement-{current.pk}-extend", f"#extend-placement-{current.pk}-form"),
        (f"#placement-{current.pk}-end", f"#end-placement-{current.pk}-form"),
        (f"#placement-{second.pk}-end", f"#end-placement-{second.pk}-form"),
        (f"#subsidy-{pending.pk}-decide", f"#decide-subsidy-{pending.pk}-form"),
        (f"#followup-{first.pk}-change", f"#register-followup-{first.pk}-form"),
    ):
        page.locator(button).click()
        expect(page.locator(form)).to_be_visible()
        assert_accessible(page, live_server, f"{form} open")
    # Extended far beyond the job type's twelve months: the coach is asked to confirm.
    page.locator(f"#placement-{current.pk}-extend").click()
    page.locator(f"#extend-placement-{current.pk}-planned_end_date").fill(
        (current.start_date + relativedelta(months=30)).isoformat()
    )
    page.locator(f"#extend-placement-{current.pk}-form button[type='submit']").click()
    expect(
        page.locator(f"#extend-placement-{current.pk}-form button[name='confirm']")
    ).to_be_visible()
    assert_accessible(page, live_server, "extension asking to confirm a warning")
    page.locator(f"#register-followup-{second.pk}-form button[type='submit']").click()
    expect(page.locator(f"#register-followup-{second.pk}-outcome_error")).to_be_visible()
    assert_accessible(page, live_server, "follow-up form with errors")

    # A saved entry: the timeline, summary and status line swapped in.
    page.locator("#add-link-note").click()
    # The link reloads the form: typing before the swap lands would be wiped by it.
    page.wait_for_timeout(100)
    settle(page)
    page.locator("#add-note-text").fill("Ringde arbetsplatsen.")
    page.locator("#add-note-form button[type='submit']").click()
    expect(page.locator("#case-status .alert")).to_be_visible()
    assert_accessible(page, live_server, "after saving a note")

    # Without JavaScript each form is a page of its own.
    for path in (
        f"{detail}notes/",
        f"{detail}placements/",
        f"{detail}placements/{current.pk}/end/",
        f"{detail}followups/{second.pk}/",
    ):
        _goto(page, live_server, path)
        assert_accessible(page, live_server, "form page")

    assert page.external_requests == []
    assert page.console_errors == []


def test_manager_pages_and_reassigning_a_caseload_are_accessible(
    browser_page, live_server, coach, manager
):
    participant, placements = full_case(coach)
    CoachFactory(username="coach3", unit=coach.unit, first_name="Kim", last_name="Berg")
    ParticipantFactory.create_batch(4, unit=coach.unit, coach=coach)
    page = browser_page
    log_in(page, live_server, "manager1", PASSWORD)
    # A manager lands on the dashboard; the caseload is a click away.
    page.wait_for_url(f"{live_server.url}/dashboard/")
    _goto(page, live_server, "/participants/")

    # The unit's caseload (a manager has no "mine"), filtered by coach.
    assert_accessible(page, live_server, "manager's caseload")
    page.locator("#id_coach").select_option(str(coach.pk))
    with page.expect_navigation():
        page.locator("form:has(#id_status) button[type='submit']").click()
    assert f"coach={coach.pk}" in page.url
    assert_accessible(page, live_server, "filtered by coach")

    # A participant's record, read-only; follow-ups and workplaces.
    for path in (
        f"/participants/{participant.pk}/",
        "/followups/",
        "/workplaces/",
        f"/workplaces/{placements['current'].workplace_id}/",
    ):
        _goto(page, live_server, path)
        assert_accessible(page, live_server)
    _goto(page, live_server, f"/participants/{participant.pk}/")
    expect(page.locator("#case-form")).to_have_count(0)

    # Reassign: choose the coach, see the participants (none ticked), tick them all with
    # "select all shown", miss a field, move them.
    _goto(page, live_server, "/participants/reassign/")
    assert_accessible(page, live_server, "no coach chosen")
    page.locator("#id_coach").select_option(str(coach.pk))
    with page.expect_navigation():
        page.locator("form:has(#id_coach) button[type='submit']").click()
    checkboxes = page.locator("input[name='participants']")
    expect(checkboxes).to_have_count(5)
    expect(page.locator("input[name='participants']:checked")).to_have_count(0)
    page.locator("#select-all-shown").check()
    expect(page.locator("input[name='participants']:checked")).to_have_count(5)
    assert_accessible(page, live_server, "participants listed")
    # Moving them to the coach they already have is refused, next to the field.
    page.locator("#id_to_coach").select_option(str(coach.pk))
    with page.expect_navigation():
        page.locator("form:has(#id_to_coach) button[type='submit']").click()
    expect(page.locator("#id_to_coach_error")).to_be_visible()
    assert_accessible(page, live_server, "with validation errors")
    page.locator("#id_to_coach").select_option(label="Kim Berg")
    with page.expect_navigation():
        page.locator("form:has(#id_to_coach) button[type='submit']").click()
    expect(page.locator("main .messages [role='status']")).to_be_visible()
    assert_accessible(page, live_server, "after moving")

    assert page.external_requests == []
    assert page.console_errors == []
