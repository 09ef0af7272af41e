"""Browser tests: Playwright driving Debian's Chromium (never a downloaded browser), with axe-core."""

import os
import shutil

import pytest
from axe_playwright_python.sync_playwright import Axe

CHROMIUM = os.environ.get("DOORSTROOM_CHROMIUM", shutil.which("chromium") or "/usr/bin/chromium")
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]

# Playwright's sync API runs an event loop in this thread; Django's ORM calls in the test itself
# are still synchronous and safe here.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    if not os.path.exists(CHROMIUM):
        pytest.fail(f"Debian's chromium is not installed at {CHROMIUM}; `make test` installs it.")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(base_url=live_server.url, locale="nl-NL")
    page = context.new_page()
    page.set_default_timeout(20_000)
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    csp_violations: list[str] = []
    page.on(
        "console",
        lambda message: csp_violations.append(message.text) if "Content Security Policy" in message.text else None,
    )
    yield page
    context.close()
    assert dialogs == [], f"unexpected dialogs: {dialogs}"
    assert csp_violations == [], f"the page broke its Content-Security-Policy: {csp_violations}"


class AxeChecker:
    def __init__(self) -> None:
        self.axe = Axe()
        self.pages: list[str] = []

    def check(self, page) -> None:
        """Fail on any WCAG 2.1 A/AA violation on the page as it is now.

        A click on a link returns before the next page has loaded; axe on a page still navigating
        finds no document, so the check waits for the page to have loaded first."""
        page.wait_for_load_state("load")
        results = self.axe.run(page, options={"runOnly": {"type": "tag", "values": WCAG_TAGS}})
        self.pages.append(page.url)
        assert results.violations_count == 0, f"{page.url}\n{results.generate_report()}"
        assert page.locator("html").get_attribute("lang") in ("nl", "en")


@pytest.fixture
def axe():
    return AxeChecker()
