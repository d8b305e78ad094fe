"""The coach's day in a real browser: issue 4's "Done when" walk, step by step.

The browser asks for English (Accept-Language en), so the assertions read the
source text and do not depend on the Swedish translation; controls are found
by their ids, names and URLs.
"""

import datetime

import pytest
from dateutil.relativedelta import relativedelta
from django.utils import timezone
from playwright.sync_api import expect

from followup.models import FollowUp
from participants.models import CaseNote, Participant, Study
from participants.personnummer import parse
from placements.models import Placement, follow_up_due_date
from tests.factories import WorkplaceFactory, job_type, make_personnummer
from tests.helpers.browser import log_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

BIRTH_DATE = datetime.date(1991, 4, 23)


@pytest.fixture
def browser_locale() -> str:
    return "en-GB"


def _submit(page, form_id: str) -> None:
    page.locator(f"#{form_id} button[type='submit']").click()


def test_coach_registers_places_and_follows_up_a_participant_in_a_real_browser(
    browser_page, live_server, coach
):
    today = timezone.localdate()
    workplace = WorkplaceFactory(name="Stadsbiblioteket Kungsholmen", industry="Bibliotek")
    basanstallning = job_type("basanstallning")
    number = make_personnummer(BIRTH_DATE, 386)
    hyphenated = f"{number[:8]}-{number[8:]}"
    masked = f"{number[:8]}-****"
    page = browser_page

    # --- Log in: a coach starts on their week, the caseload is in the menu --------------
    log_in(page, live_server, "coach1", "correct horse battery")
    page.wait_for_url(f"{live_server.url}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("My week")
    assert page.locator("html").get_attribute("lang") == "en"
    page.locator("header a[href='/participants/']").click()
    page.wait_for_url(f"{live_server.url}/participants/")

    # --- Register a participant --------------------------------------------------------
    page.locator("main a[href='/participants/new/']").click()
    page.wait_for_url(f"{live_server.url}/participants/new/")
    page.locator("#id_personnummer").fill(hyphenated)
    page.locator("#id_first_name").fill("Amina")
    page.locator("#id_last_name").fill("Warsame")
    # No gender to choose: the legal gender comes with the number.
    assert page.locator("#id_gender").count() == 0
    # Unit and coach start as the coach's own; the enrolment date as today.
    assert page.locator("#id_unit").input_value() == str(coach.unit_id)
    assert page.locator("#id_coach").input_value() == str(coach.pk)
    assert page.locator("#id_enrolled_on").input_value() == today.isoformat()
    with page.expect_navigation():
        page.locator("form.register-form button[type='submit']").click()

    participant = Participant.objects.get(personnummer=number)
    detail_url = f"{live_server.url}/participants/{participant.pk}/"
    assert page.url == detail_url
    expect(page.get_by_role("heading", level=1)).to_have_text("Amina Warsame")
    expect(page.locator("main .messages")).to_contain_text("Amina Warsame has been registered.")
    expect(page.locator("#participant-summary .masked-number")).to_have_text(masked)
    content = page.content()
    assert number not in content
    assert hyphenated not in content
    assert participant.coach == coach
    assert participant.birth_date == BIRTH_DATE
    assert participant.gender == parse(number).legal_gender

    # --- A case note, then a correction of it --------------------------------------------
    notes = page.locator("#timeline article[id^='note-']")
    expect(notes).to_have_count(0)
    page.locator("#add-note-text").fill("Första träffen: vill arbeta med barn.")
    _submit(page, "add-note-form")
    expect(notes).to_have_count(1)
    expect(page.locator("#case-status")).to_contain_text("The note is saved.")
    original = CaseNote.objects.get(participant=participant)
    original_card = page.locator(f"#note-{original.pk}")
    expect(original_card).to_contain_text("Första träffen: vill arbeta med barn.")
    # The panel is ready for the next note.
    expect(page.locator("#add-note-text")).to_have_value("")

    page.locator(f"#note-{original.pk}-correct").click()
    correction_text = page.locator(f"#correct-{original.pk}-text")
    # The correction starts from the old wording.
    expect(correction_text).to_have_value("Första träffen: vill arbeta med barn.")
    correction_text.fill("Första träffen: vill arbeta med äldre.")
    _submit(page, f"correct-{original.pk}-form")
    expect(notes).to_have_count(2)
    expect(page.locator("#case-status")).to_contain_text("the original note is kept")
    correction = CaseNote.objects.get(participant=participant, corrects=original)
    correction_card = page.locator(f"#note-{correction.pk}")
    # Both are shown, each linked to the other.
    expect(original_card).to_contain_text("Första träffen: vill arbeta med barn.")
    expect(original_card).to_contain_text("Corrected")
    expect(correction_card).to_contain_text("Första träffen: vill arbeta med äldre.")
    expect(correction_card.locator(f"a[href='#note-{original.pk}']")).to_be_visible()
    expect(original_card.locator(f"a[href='#note-{correction.pk}']")).to_be_visible()

    # --- Plan a study: sfi, a quarter of working time -----------------------------------
    page.locator("#add-link-study").click()
    page.locator("#add-study-kind").select_option("sfi")
    page.locator("#add-study-course").fill("Sfi kurs C")
    page.locator("#add-study-provider").fill("Hermods")
    page.locator("#add-study-start_date").fill(today.isoformat())
    page.locator("#add-study-extent_percent").fill("25")
    _submit(page, "add-study-form")
    studies = page.locator("#timeline article[id^='study-']")
    expect(studies).to_have_count(1)
    expect(studies).to_contain_text("Swedish for immigrants (sfi): Sfi kurs C")
    expect(studies).to_contain_text("25 % of working time")
    expect(studies).to_contain_text("Hermods")

    # --- Place them: a Basanställning of twelve months, started a year ago -------------
    start = today - relativedelta(months=13)
    planned_end = start + relativedelta(months=12) - datetime.timedelta(days=1)
    page.locator("#add-link-placement").click()
    page.locator("#add-placement-job_type").select_option(str(basanstallning.pk))
    page.locator("#add-placement-workplace").select_option(str(workplace.pk))
    page.locator("#add-placement-funding").select_option("sdf")
    page.locator("#add-placement-start_date").fill(start.isoformat())
    page.locator("#add-placement-planned_end_date").fill(planned_end.isoformat())
    _submit(page, "add-placement-form")
    placements = page.locator("#timeline article[id^='placement-']")
    confirm = page.locator("#add-placement-form button[name='confirm']")
    expect(placements.or_(confirm)).to_have_count(1)
    if confirm.is_visible():
        # Age or length outside the job type's range: the coach confirms.
        confirm.click()
    expect(placements).to_have_count(1)
    expect(page.locator("#case-status")).to_contain_text("The placement is saved.")
    placement = Placement.objects.get(participant=participant)
    placement_card = page.locator(f"#placement-{placement.pk}")
    expect(placement_card).to_contain_text("Basanställning · Stadsbiblioteket Kungsholmen")
    expect(placement_card).to_contain_text("Ongoing")
    expect(placement_card).to_contain_text(start.isoformat())
    expect(placement_card).to_contain_text(planned_end.isoformat())

    # --- End the placement: they left for work; the follow-up is now overdue ----------
    end = today - relativedelta(months=4)
    due = follow_up_due_date(end)
    page.locator(f"#placement-{placement.pk}-end").click()
    page.locator(f"#end-placement-{placement.pk}-end_date").fill(end.isoformat())
    page.locator(f"#end-placement-{placement.pk}-end_reason").select_option("work")
    _submit(page, f"end-placement-{placement.pk}-form")
    followup_card = page.locator(f"#followup-{placement.pk}")
    expect(followup_card).to_be_visible()
    expect(page.locator("#case-status")).to_contain_text(
        f"its three-month follow-up is due {due.isoformat()}"
    )
    expect(placement_card).to_contain_text(f"{end.isoformat()} · Left for work")
    expect(placement_card.locator(".badge")).to_contain_text(["Placement", "Ended"])
    expect(followup_card.locator(".badge")).to_contain_text(["Follow-up", "Overdue"])
    expect(followup_card).to_contain_text(f"Due {due.isoformat()}")

    # The follow-ups page lists it as overdue, with a way to register it.
    page.locator("header a[href='/followups/']").click()
    page.wait_for_url(f"{live_server.url}/followups/")
    row = page.get_by_role("row").filter(has_text="Warsame, Amina")
    expect(row).to_have_count(1)
    expect(row).to_contain_text(end.isoformat())
    expect(row).to_contain_text(due.isoformat())
    expect(row).to_contain_text("Overdue")
    with page.expect_navigation():
        row.locator(f"a[href='/participants/{participant.pk}/#followup-{placement.pk}']").click()

    # --- Register the follow-up: working, unsubsidised ---------------------------------
    form_id = f"register-followup-{placement.pk}"
    page.locator(f"#{form_id}-outcome").select_option("arbete_osubventionerat")
    page.locator(f"#{form_id}-performed_on").fill(today.isoformat())
    page.locator(f"#{form_id}-employer_or_school").fill("Bageriet på hörnet AB")
    _submit(page, f"{form_id}-form")
    expect(page.locator("#case-status")).to_contain_text("The follow-up is registered.")
    expect(followup_card.locator(".badge")).to_contain_text(["Follow-up", "Done"])
    expect(followup_card).to_contain_text("Work, unsubsidised")
    expect(followup_card).to_contain_text("Bageriet på hörnet AB")
    expect(followup_card).to_contain_text(today.isoformat())
    expect(page.locator(f"#{form_id}-form")).to_have_count(0)

    # Nothing is due any more.
    page.goto(f"{live_server.url}/followups/")
    expect(page.get_by_role("row").filter(has_text="Warsame, Amina")).to_have_count(0)

    # --- And in the database ----------------------------------------------------------
    assert CaseNote.objects.filter(participant=participant).count() == 2
    assert list(
        CaseNote.objects.filter(participant=participant, corrects__isnull=False).values_list(
            "corrects", flat=True
        )
    ) == [original.pk]
    study = Study.objects.get(participant=participant)
    assert (study.kind, study.extent_percent) == ("sfi", 25)
    placement.refresh_from_db()
    assert (placement.job_type, placement.workplace) == (basanstallning, workplace)
    assert (placement.start_date, placement.planned_end_date) == (start, planned_end)
    assert (placement.end_date, placement.end_reason) == (end, "work")
    followup = FollowUp.objects.get(placement=placement)
    assert followup.outcome == "arbete_osubventionerat"
    assert followup.performed_on == today
    assert followup.employer_or_school == "Bageriet på hörnet AB"
    assert followup.performed_by == coach
    assert followup.due_date == due

    # Everything came from our own server, and nothing was refused or broke on the way.
    assert page.external_requests == []
    assert page.console_errors == []
