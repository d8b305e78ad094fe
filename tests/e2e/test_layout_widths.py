"""Every page fits the screen: a laptop's 1366 x 768 and a phone's 390 x 844.

Each page, opened by the role that uses it on demo data (with a long name and
a long workplace name added), never scrolls sideways: tables scroll inside
their own box, forms and button rows wrap. At 1366 px the menu of someone who
is coach, manager and administrator at once (the most links), in Swedish (the
longer language), stays on one line. A page that fails is photographed into
the temporary directory named in the message.
"""

import datetime
import tempfile
from pathlib import Path

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.db.models import Count
from django.utils import timezone

from accounts.models import Role, User
from demo.organisation import DEMO_PASSWORD
from participants.models import Participant
from placements.models import follow_up_due_date
from tests.factories import (
    FollowUpFactory,
    ParticipantFactory,
    PlacementFactory,
    TransferRequestFactory,
    UnitFactory,
    UserFactory,
    WorkplaceFactory,
)
from tests.helpers.browser import chromium_page, log_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

LAPTOP = {"width": 1366, "height": 768}
PHONE = {"width": 390, "height": 844}
SHOTS = Path(tempfile.gettempdir()) / "layout-widths"

# The pages of each role ("{participant}": the demo coach's fullest case).
PAGES = {
    "coach": (
        "/",
        "/participants/",
        "/followups/",
        "/participants/{participant}/",
        "/workplaces/",
        "/survey/",
        "/dashboard/",
    ),
    "manager": (
        "/dashboard/",
        "/participants/",
        "/followups/",
        "/transfers/",
        "/participants/reassign/",
        "/survey/results/",
    ),
    "admin": ("/desk/", "/transfers/", "/reports/", "/reports/scb/", "/audit/", "/survey/"),
    None: ("/accessibility/", "/accounts/login/"),
}

OVERFLOW = """() => ({
    scrollWidth: document.documentElement.scrollWidth,
    innerWidth: window.innerWidth,
    wide: [...document.querySelectorAll('body *')]
        .filter(e => e.getBoundingClientRect().right > window.innerWidth + 1
                     && !e.closest('.table-responsive, table'))
        .slice(0, 5)
        .map(e => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '')
                  + (e.className && e.className.baseVal === undefined
                     ? '.' + e.className.trim().split(/\\s+/).join('.') : '')),
})"""

MENU = """() => {
    const nav = document.querySelector('header nav.navbar');
    const items = [...nav.querySelectorAll('#main-menu > .navbar-nav > .nav-item')];
    const links = [...nav.querySelectorAll('#main-menu .nav-link')];
    return {
        height: Math.round(nav.getBoundingClientRect().height),
        rows: new Set(items.map(e => Math.round(e.getBoundingClientRect().top))).size,
        items: items.length,
        // A link taller than one line of its text has broken inside.
        broken: links.filter(e => {
            const style = getComputedStyle(e);
            const text = e.getBoundingClientRect().height
                - parseFloat(style.paddingTop) - parseFloat(style.paddingBottom);
            return text > 1.5 * parseFloat(style.lineHeight);
        }).map(e => e.textContent.trim()),
    };
}"""


@pytest.fixture
def demo_world() -> dict:
    """Demo data of the last two years, and rows that make lists wide."""
    today = timezone.localdate()
    call_command("seed_demo", years=(today.year - 1, today.year), per_year=80, verbosity=0)
    coach = User.objects.get(username="coach")
    manager = User.objects.get(username="manager")
    # Long words: a name and a workplace that a table cannot break.
    long_name = ParticipantFactory(
        first_name="Maximiliana Josefina",
        last_name="Abdirahman-Wallenbergsdotter",
        unit=coach.unit,
        coach=coach,
        enrolled_on=today - datetime.timedelta(days=400),
    )
    ended = today - datetime.timedelta(days=80)
    placement = PlacementFactory(
        participant=long_name,
        workplace=WorkplaceFactory(
            name="Stadsdelsförvaltningen Hässelby-Vällingby, äldreomsorgens dagverksamhet"
        ),
        start_date=ended - datetime.timedelta(days=300),
        planned_end_date=ended,
        end_date=ended,
        end_reason="completed",
    )
    FollowUpFactory(placement=placement, due_date=follow_up_due_date(ended))
    # A request from another unit waits for the manager of the coach's unit.
    TransferRequestFactory(participant=long_name, to_unit=UnitFactory(name="Jobbtorg Söderort"))
    fullest = (
        Participant.objects.filter(coach=coach)
        .annotate(entries=Count("placements", distinct=True) + Count("notes", distinct=True))
        .order_by("-entries", "pk")
        .first()
    )
    assert manager.unit_id == coach.unit_id
    return {"participant": fullest.pk}


@pytest.fixture
def everyone() -> User:
    """Coach, manager and administrator at once: the longest menu there is."""
    user = UserFactory(
        username="alla",
        first_name="Alexandra",
        last_name="Lindqvist-Johansson",
        is_staff=True,
        password=DEMO_PASSWORD,
        unit=User.objects.get(username="coach").unit,
    )
    user.groups.set(Group.objects.filter(name__in=[Role.COACH, Role.MANAGER, Role.ADMIN]))
    return user


def _shoot(page, name: str) -> Path:
    SHOTS.mkdir(parents=True, exist_ok=True)
    path = SHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def _overflows(chromium_path, live_server, username, paths, viewport) -> dict[str, str]:
    found = {}
    with chromium_page(chromium_path, live_server, locale="sv-SE", viewport=viewport) as page:
        if username:
            log_in(page, live_server, username, DEMO_PASSWORD)
        for path in paths:
            response = page.goto(f"{live_server.url}{path}")
            assert response is not None and response.status == 200, path
            layout = page.evaluate(OVERFLOW)
            if layout["scrollWidth"] > layout["innerWidth"]:
                name = f"{username or 'anonymous'}-{viewport['width']}-{path.strip('/') or 'home'}"
                shot = _shoot(page, name.replace("/", "_"))
                found[path] = f"{layout['scrollWidth']} px wide; {layout['wide']}; see {shot}"
    return found


@pytest.mark.parametrize("role", list(PAGES), ids=lambda role: role or "anonymous")
@pytest.mark.parametrize("viewport", [LAPTOP, PHONE], ids=["1366", "390"])
def test_pages_do_not_scroll_sideways(
    chromium_path, live_server, monkeypatch, demo_world, role, viewport
):
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    paths = [path.format(**demo_world) for path in PAGES[role]]
    assert _overflows(chromium_path, live_server, role, paths, viewport) == {}


def test_menu_with_every_role_is_one_line_at_1366_in_swedish(
    chromium_path, live_server, monkeypatch, demo_world, everyone
):
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with chromium_page(chromium_path, live_server, locale="sv-SE", viewport=LAPTOP) as page:
        # One row: the menu of a visitor who is not logged in (the brand and the languages).
        page.goto(f"{live_server.url}/accounts/login/")
        one_row = page.evaluate(MENU)["height"]
        log_in(page, live_server, "alla", DEMO_PASSWORD)
        assert page.locator("html").get_attribute("lang") == "sv"
        for path in ("/", "/participants/", "/dashboard/", "/desk/", "/audit/"):
            page.goto(f"{live_server.url}{path}")
            menu = page.evaluate(MENU)
            if menu["height"] != one_row or menu["rows"] != 1 or menu["broken"]:
                shot = _shoot(page, f"menu-{path.strip('/') or 'home'}")
                pytest.fail(f"{path}: {menu}, one row is {one_row} px; see {shot}")
            # My week, the desk, caseload, follow-ups, transfers, workplaces, survey,
            # reports, and the user's own menu.
            assert menu["items"] == 9, menu


def test_reports_menu_opens_with_the_keyboard_and_holds_the_admins_report_pages(
    browser_page, live_server, demo_world
):
    page = browser_page
    log_in(page, live_server, "admin", DEMO_PASSWORD)
    toggle = page.locator("#main-menu .dropdown-toggle", has_text="Rapporter")
    menu = toggle.locator("xpath=following-sibling::ul[contains(@class, 'dropdown-menu')]")
    assert not menu.is_visible()
    toggle.focus()
    page.keyboard.press("Enter")
    menu.wait_for(state="visible")
    assert toggle.get_attribute("aria-expanded") == "true"
    hrefs = menu.locator("a.dropdown-item").evaluate_all("links => links.map(a => a.pathname)")
    assert hrefs == ["/dashboard/", "/survey/results/", "/reports/", "/reports/scb/", "/audit/"]
    page.keyboard.press("Escape")
    menu.wait_for(state="hidden")
