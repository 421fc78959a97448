"""Guessing stopped, people helped: in Chromium, under the site's Content-Security-Policy, a participant who
mistyped their password five times and tries again gets the sign-in form back with their login, the reason and a
countdown that ticks (static/retry-wait.js) and ends by saying they may try again; then they sign in. Nothing on
the pages breaks the policy (the browser reports every violation), and the pages pass axe."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from quizapp.models import Role
from tests.browser.conftest import screenshot
from tests.conftest import TEST_PASSWORD
from tests.views.test_attempt_pages import load_bank, make_round

pytestmark = pytest.mark.browser


@pytest.fixture
def settings(settings):
    # a short first wait keeps the test short; the rule is the shipped one otherwise
    return {**settings, "CACHE_TYPE": "SimpleCache", "QUIZAPP_SIGNIN_BASE_DELAY": 3}


def test_a_mistyped_password_waits_a_few_seconds_with_a_countdown_then_signs_in(phone_page, make_user):
    page = phone_page
    violations: list[str] = []
    page.on("console", lambda message: violations.append(message.text)
            if "Content Security Policy" in message.text else None)
    make_user(Role.PARTICIPANT, phone="0912345678", full_name="Nguyễn Thị Hoa")
    load_bank()
    make_round()

    page.goto("/login")
    for n in range(6):  # five failures, then the sixth try is made to wait
        page.get_by_label("Số điện thoại hoặc email").fill("0912 345 678")
        page.get_by_label("Mật khẩu").fill(f"sai-mat-khau-{n}")
        page.get_by_role("button", name="Đăng nhập").click()
    expect(page.get_by_role("alert").first).to_contain_text("vừa bị nhập sai mật khẩu nhiều lần")
    expect(page.get_by_label("Số điện thoại hoặc email")).to_have_value("0912 345 678")
    expect(page.get_by_label("Mật khẩu")).to_have_value("")
    seconds = page.locator(".retry-seconds")
    expect(seconds).to_have_text("3")
    screenshot(page, "sign-in-wait-phone")
    expect(seconds).to_have_text("2", timeout=3_000)  # the script ticks
    expect(page.locator(".retry-line")).to_have_text("Bạn có thể thử lại ngay bây giờ.", timeout=5_000)

    page.get_by_label("Mật khẩu").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    expect(page).not_to_have_url(re.compile(r"/login"))
    expect(page.locator(".nav-user")).to_have_text("Nguyễn Thị Hoa")
    assert violations == []
