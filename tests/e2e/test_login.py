import pytest

from tests.factories import ParticipantFactory
from tests.helpers.browser import log_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_coach_logs_in_and_sees_their_caseload_in_a_real_browser(browser_page, live_server, coach):
    participant = ParticipantFactory(unit=coach.unit, coach=coach, last_name="Lindqvist")
    page = browser_page
    log_in(page, live_server, "coach1", "correct horse battery")
    # A coach starts on their week; the caseload is in the menu.
    page.wait_for_url(f"{live_server.url}/")
    page.locator("header a[href='/participants/']").click()
    page.wait_for_url(f"{live_server.url}/participants/")
    row = page.get_by_role("row").filter(has_text="Lindqvist")
    assert row.count() == 1
    assert participant.masked_personnummer in row.inner_text()
    assert participant.personnummer not in page.content()
    # Every asset came from our own server: nothing leaves for a CDN.
    assert page.external_requests == []
    # Bootstrap and htmx loaded from our static files.
    assert page.evaluate("typeof window.htmx") == "object"
    assert page.evaluate("typeof window.bootstrap") == "object"


def test_wrong_password_keeps_the_user_on_the_login_page(browser_page, live_server, coach):
    page = browser_page
    log_in(page, live_server, "coach1", "fel lösenord")
    assert "/accounts/login/" in page.url
    assert page.get_by_role("alert").count() >= 1
