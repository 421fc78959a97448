"""A signed-in participant on the leaderboard, in real Chromium: the page is the one shared by everybody signed in
(kept by the page cache), and static/personal.js puts their nav (name, sign-out) and their place in it from a
private answer, announced politely; by keyboard they sign out. Without JavaScript, a link leads to their place.
Checked with axe-core; the security headers' policy (no inline script) holds: no violation is reported."""

from __future__ import annotations

from datetime import timedelta

import pytest
from playwright.sync_api import expect

from quizapp.models import Role
from tests.browser.conftest import screenshot
from tests.browser.test_bank_upload import sign_in
from tests.services.test_standings import entry
from tests.views.test_leaderboard import round_with_entries

pytestmark = pytest.mark.browser


@pytest.fixture
def settings(settings):
    return {**settings, "CACHE_TYPE": "SimpleCache"}  # the page is kept in front of the app, as in production


def test_the_shared_page_gets_the_participants_own_nav_and_place(desktop_page, make_user):
    round_ = round_with_entries(closes_in=-timedelta(days=1))
    me = make_user(Role.PARTICIPANT, email="dung@example.test", full_name="Phạm Thu Dung")
    entry(round_, me, 6, seconds=120, prediction=4)
    page = desktop_page
    violations: list[str] = []
    page.on("console", lambda message: violations.append(message.text)
            if "Content Security Policy" in message.text else None)

    sign_in(page, "dung@example.test")
    page.goto(f"/rounds/{round_.id}/leaderboard")
    nav = page.get_by_role("navigation", name="Điều hướng chính")
    expect(nav.locator(".nav-user")).to_have_text("Phạm Thu Dung")
    expect(nav.get_by_role("link", name="Kết quả của tôi")).to_be_visible()
    place = page.locator("[data-personal-place]")
    expect(place).to_have_attribute("aria-live", "polite")
    expect(page.locator("#my-place + p")).to_contain_text("Hạng 3 trên 4 người: 6/10 câu đúng, thời gian 2:00")
    expect(page.locator("#my-place + p")).to_contain_text("Số dự đoán của bạn: 4 (lệch 4).")
    expect(page.locator("table.ranking")).to_contain_text("Phạm T. D.")
    screenshot(page, "leaderboard-signed-in")
    assert violations == []

    # by keyboard: Tab to the sign-out button of the nav that arrived, Enter
    sign_out = nav.get_by_role("button", name="Đăng xuất")
    for _ in range(30):
        page.keyboard.press("Tab")
        if sign_out.evaluate("element => element === document.activeElement"):
            break
    else:
        pytest.fail("the sign-out button is not reachable by keyboard")
    page.keyboard.press("Enter")
    page.wait_for_url(lambda url: "/leaderboard" not in url)
    page.goto(f"/rounds/{round_.id}/leaderboard")
    expect(page.get_by_role("link", name="Đăng nhập")).to_be_visible()
    expect(page.locator("[data-personal-place]")).to_have_count(0)


def test_without_javascript_the_place_is_one_link_away(browser, live_server, make_user):
    round_ = round_with_entries(closes_in=-timedelta(days=1))
    me = make_user(Role.PARTICIPANT, email="dung@example.test", full_name="Phạm Thu Dung")
    entry(round_, me, 6, seconds=120, prediction=4)
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="vi-VN", base_url=live_server,
                                  java_script_enabled=False)
    page = context.new_page()
    page.set_default_timeout(10_000)
    try:
        sign_in(page, "dung@example.test")
        page.goto(f"/rounds/{round_.id}/leaderboard")
        expect(page.locator(".nav-user")).to_have_count(0)  # nobody's name on the shared page
        page.get_by_role("link", name="Xem vị trí của bạn trong bảng xếp hạng").click()
        expect(page.locator("#my-place + p")).to_contain_text("Hạng 3 trên 4 người")
        expect(page.locator(".nav-user")).to_have_text("Phạm Thu Dung")  # (axe needs JavaScript: not run here)
    finally:
        context.close()
