"""Helpers for the end-to-end tests in headless Chromium (Playwright)."""

from contextlib import contextmanager
from pathlib import Path

AXE = Path(__file__).parent.parent / "e2e" / "vendor" / "axe.min.js"


@contextmanager
def chromium_page(chromium_path: str, live_server, **context_options):
    """A headless Chromium page (Debian's chromium, driven by Playwright).

    `context_options` go to `browser.new_context` (locale, viewport, touch...).
    `page.external_requests` lists requests that left for another host;
    `page.console_errors` the console errors and uncaught exceptions (a
    Content-Security-Policy violation is reported as a console error).
    """
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
        context = browser.new_context(**context_options)
        page = context.new_page()
        external: list[str] = []
        page.on(
            "request",
            lambda request: (
                None if request.url.startswith(live_server.url) else external.append(request.url)
            ),
        )
        page.external_requests = external
        console_errors: list[str] = []
        page.on(
            "console",
            lambda message: (
                console_errors.append(message.text) if message.type == "error" else None
            ),
        )
        page.on("pageerror", lambda error: console_errors.append(str(error)))
        page.console_errors = console_errors
        try:
            yield page
        finally:
            context.close()
            browser.close()


def log_in(page, live_server, username: str, password: str) -> None:
    """Log in through the form, by field ids: works whatever the page's language."""
    page.goto(f"{live_server.url}/accounts/login/")
    page.locator("#id_username").fill(username)
    page.locator("#id_password").fill(password)
    with page.expect_navigation():
        page.locator("#id_password").press("Enter")


def accessibility_violations(page, *, impacts: tuple[str, ...] = ("serious", "critical")) -> list:
    """axe-core's WCAG 2.1 A/AA violations of the page, as (rule, impact, first target)."""
    # Evaluated through the DevTools protocol: an injected <script> tag would be
    # inline script, which our Content-Security-Policy rightly blocks.
    page.evaluate(AXE.read_text(encoding="utf-8"))
    result = page.evaluate(
        """async () => await axe.run(document, {
            runOnly: {type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}
        })"""
    )
    return [
        (v["id"], v["impact"], v["nodes"][0]["target"] if v["nodes"] else None)
        for v in result["violations"]
        if v["impact"] in impacts
    ]
