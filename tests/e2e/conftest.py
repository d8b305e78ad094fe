from pathlib import Path

import pytest

AXE = Path(__file__).parent / "vendor" / "axe.min.js"


@pytest.fixture
def browser_page(chromium_path, live_server, monkeypatch):
    """A headless Chromium page (Debian's chromium, driven by Playwright)."""
    # Playwright's sync API runs an event loop in this thread; the test's own ORM
    # calls stay synchronous and safe.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
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
