"""Each add-form opened on a page of its own saves and shows the result, in a real browser.

A coach who opens a form's address directly (a bookmark, a middle click, no
JavaScript) posts it plainly and lands on the participant page at the saved
entry: no htmx target to wait for, no console error.
"""

import datetime

import pytest
from dateutil.relativedelta import relativedelta
from django.utils import timezone

from participants.models import CaseNote, LearningGoal, Study, SupportActivity
from placements.models import Internship, Placement, WageSubsidyCase
from tests.factories import WorkplaceFactory, job_type
from tests.helpers.browser import log_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.fixture
def browser_locale() -> str:
    return "en-GB"


def _fills(key: str) -> dict[str, str]:
    today = timezone.localdate()
    return {
        "note": {"text": "Ringde om schemat"},
        "activity": {"note": "Samtal om jobbsökande"},
        "goal": {"description": "Truckkort", "target_industry": "Lager"},
        "study": {"start_date": today.isoformat(), "extent_percent": "25"},
        "placement": {
            "start_date": today.isoformat(),
            "planned_end_date": (today + relativedelta(months=12, days=-1)).isoformat(),
        },
        "internship": {
            "employer": "Lagerbolaget AB",
            "start_date": today.isoformat(),
            "end_date": (today + datetime.timedelta(days=13)).isoformat(),
        },
        "subsidy": {"employer": "Lagerbolaget AB", "applied_on": today.isoformat()},
    }[key]


SAVED = {
    "note": CaseNote,
    "activity": SupportActivity,
    "goal": LearningGoal,
    "study": Study,
    "placement": Placement,
    "internship": Internship,
    "subsidy": WageSubsidyCase,
}
PATHS = {
    "note": "notes",
    "activity": "activities",
    "goal": "goals",
    "study": "studies",
    "placement": "placements",
    "internship": "internships",
    "subsidy": "subsidies",
}


@pytest.mark.parametrize("key", list(SAVED))
def test_a_standalone_add_page_saves_and_shows_the_result(
    browser_page, live_server, coach, participant, key
):
    participant.birth_date = datetime.date(1990, 1, 1)
    participant.save(update_fields=["birth_date"])
    WorkplaceFactory(name="Stadsbiblioteket Kungsholmen")
    basanstallning = job_type("basanstallning")  # 18–64, 12 months: no warning to confirm
    page = browser_page
    log_in(page, live_server, "coach1", "correct horse battery")
    page.wait_for_url(f"{live_server.url}/")  # a coach starts on their week

    page.goto(f"{live_server.url}/participants/{participant.pk}/{PATHS[key]}/")
    form = page.locator(f"#add-{key}-form")
    for name, value in _fills(key).items():
        form.locator(f"[name='{name}']").fill(value)
    if key == "placement":
        form.locator("[name='job_type']").select_option(str(basanstallning.pk))
    # Every choice left empty takes its first option (an optional link may have none).
    for select in form.locator("select").all():
        options = select.locator("option").evaluate_all("options => options.map(o => o.value)")
        if not select.input_value() and any(options):
            select.select_option(next(value for value in options if value))
    with page.expect_navigation():
        form.locator("button[type='submit']").click()
    page.wait_for_load_state("networkidle")

    saved = SAVED[key].objects.get(participant=participant)
    assert page.url.startswith(f"{live_server.url}/participants/{participant.pk}/#")
    assert page.locator(f"[id$='-{saved.pk}']").first.is_visible()
    assert page.console_errors == []
