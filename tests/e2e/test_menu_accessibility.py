"""axe-core on the menu with its drop-downs open, and on the accessibility statement."""

import pytest

from tests.factories import AdminFactory
from tests.helpers.browser import accessibility_violations, log_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

PASSWORD = "correct horse battery"


def test_accessibility_statement_has_no_serious_violations(browser_page, live_server):
    page = browser_page
    response = page.goto(f"{live_server.url}/accessibility/")
    assert response is not None and response.status == 200
    assert accessibility_violations(page) == []
    assert page.console_errors == []


def test_open_drop_down_menus_have_no_serious_violations(browser_page, live_server):
    AdminFactory(username="admin1", password=PASSWORD)
    page = browser_page
    log_in(page, live_server, "admin1", PASSWORD)
    page.goto(f"{live_server.url}/audit/")
    for toggle in ("#main-menu .dropdown-toggle >> nth=0", "#main-menu .dropdown-toggle >> nth=1"):
        page.locator(toggle).click()
        page.locator(f"{toggle} >> xpath=following-sibling::ul").wait_for(state="visible")
        assert accessibility_violations(page) == [], toggle
    page.locator("#user-menu").click()
    page.locator("#user-menu + .dropdown-menu").wait_for(state="visible")
    assert accessibility_violations(page) == []
    # The language switch in the user's menu works: the page comes back in English.
    with page.expect_navigation():
        page.locator("#user-menu + .dropdown-menu button[name='language'][value='en']").click()
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.url == f"{live_server.url}/audit/"
    assert page.console_errors == []
