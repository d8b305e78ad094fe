import os

import pytest


@pytest.fixture
def browser_page(chromium_path, live_server):
    """A headless Chromium page (Debian's chromium, driven by Playwright)."""
    # Playwright's sync API runs an event loop in this thread; the test's own ORM
    # calls stay synchronous and safe.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=chromium_path,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        context = browser.new_context(locale="sv-SE")
        page = context.new_page()
        external: list[str] = []
        page.on(
            "request",
            lambda request: (
                None if request.url.startswith(live_server.url) else external.append(request.url)
            ),
        )
        page.external_requests = external
        yield page
        context.close()
        browser.close()


def log_in(page, live_server, username: str, password: str) -> None:
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Användarnamn").fill(username)
    page.get_by_label("Lösenord").fill(password)
    page.get_by_role("button", name="Logga in").click()
