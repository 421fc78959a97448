"""A live server in a thread and a headless Debian Chromium driven by Playwright.

Without Chromium the browser tests are skipped, unless QUIZAPP_REQUIRE_BROWSER=1 (CI), where they fail instead.
Screenshots of the key screens go to test-artifacts/screenshots/. Every screen a test takes a screenshot of, and
the page each test ends on, is checked with axe-core (axe-playwright-python, which ships axe's script): no serious
or critical accessibility violation.
"""

from __future__ import annotations

import os
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from werkzeug.serving import make_server

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--no-first-run", "--disable-sync", "--disable-quic"]


def assert_accessible(page, where: str) -> None:
    """axe-core over the page as it is now: no violation of serious or critical impact."""
    from axe_playwright_python.sync_playwright import Axe

    violations = Axe().run(page).response["violations"]
    serious = [f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:5]}"
               for v in violations if v.get("impact") in ("serious", "critical")]
    assert not serious, f"{where} ({page.url}):\n" + "\n".join(serious)


def _checked_at_the_end(page) -> None:
    if not page.is_closed() and page.url.startswith("http"):
        assert_accessible(page, "the page the test ended on")


def _chromium() -> str | None:
    return os.environ.get("QUIZAPP_CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.fixture(scope="session")
def browser():
    executable = _chromium()
    if executable is None:
        if os.environ.get("QUIZAPP_REQUIRE_BROWSER") == "1":
            pytest.fail("Chromium is required (QUIZAPP_REQUIRE_BROWSER=1) but was not found: apt-get install chromium")
        pytest.skip("Chromium not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=executable, headless=True, args=CHROMIUM_ARGS)
        yield instance
        instance.close()


@pytest.fixture
def live_server(app) -> Iterator[str]:
    """Serve ``app`` on a free loopback port for the length of one test."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=5)


@pytest.fixture
def phone_page(browser, live_server):
    """A phone-sized page (390×844, touch) on the live server."""
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True,
                                  locale="vi-VN", base_url=live_server)
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    try:
        _checked_at_the_end(page)
    finally:
        context.close()


@pytest.fixture
def desktop_page(browser, live_server):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="vi-VN", base_url=live_server)
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    try:
        _checked_at_the_end(page)
    finally:
        context.close()


def screenshot(page, name: str) -> None:
    """Keep a picture of the screen, after checking it with axe-core."""
    assert_accessible(page, name)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
