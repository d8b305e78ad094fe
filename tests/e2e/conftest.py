import pytest

from tests.helpers.browser import chromium_page


@pytest.fixture
def browser_locale() -> str:
    """The browser's language: Swedish, the UI's default. Override it in a module:
    `en-GB` sends Accept-Language en, so LocaleMiddleware serves the English source text
    (tests then do not depend on the Swedish wording)."""
    return "sv-SE"


@pytest.fixture
def browser_page(chromium_path, live_server, monkeypatch, browser_locale):
    """A desktop page in the browser's language; see `chromium_page`."""
    # Playwright's sync API runs an event loop in this thread; the test's own ORM
    # calls stay synchronous and safe.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with chromium_page(chromium_path, live_server, locale=browser_locale) as page:
        yield page
