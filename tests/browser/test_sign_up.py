"""A newcomer on a phone: from the home page through registration back to the round, then a forgotten password
recovered through the mailed link (a local SMTP server, aiosmtpd); and the submit dialog's warning about an empty
prediction, used from the keyboard. Real Chromium through Playwright, against the live server."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from quizapp.models import Role
from tests.browser.conftest import screenshot
from tests.conftest import TEST_PASSWORD
from tests.views.test_attempt_pages import load_bank, make_round
from tests.views.test_register_page import load_units

pytestmark = pytest.mark.browser

PASSWORD = "mat-khau-du-thi"
NEW_PASSWORD = "mat-khau-moi-2026"


@pytest.fixture
def settings(settings, smtp_server):
    return {**settings, "MAIL_SERVER": "127.0.0.1", "MAIL_PORT": smtp_server[1],
            "MAIL_DEFAULT_SENDER": "Ban tổ chức cuộc thi <btc@example.test>"}


def open_menu(page) -> None:
    """On a phone the menu folds behind its button."""
    toggle = page.locator("label.nav-toggle-label")
    if toggle.is_visible():
        toggle.click()


def test_a_newcomer_registers_comes_back_to_the_round_and_recovers_a_forgotten_password(phone_page, smtp_server):
    inbox, _port = smtp_server
    load_units()
    load_bank()
    round_ = make_round()
    start = re.compile(rf"/rounds/{round_.id}/start$")
    page = phone_page

    page.goto("/")
    expect(page.get_by_text("Lần đầu tham gia?")).to_be_visible()
    screenshot(page, "sign-up-1-home")
    page.locator(".hero").get_by_role("link", name="Đăng ký dự thi").click()

    expect(page).to_have_url(re.compile(r"/register\?next="))
    page.get_by_label("Họ và tên").fill("Lê Thị Phương Thảo")
    page.get_by_label("Số điện thoại di động").fill("0912 345 678")
    page.get_by_role("combobox", name="Đơn vị").fill("ba dinh")
    page.get_by_role("option", name=re.compile("Phường Ba Đình")).click()
    page.get_by_label("Mật khẩu", exact=True).fill(PASSWORD)
    page.get_by_label("Nhập lại mật khẩu").fill(PASSWORD)
    page.get_by_label("Email (không bắt buộc)").fill("thao@example.vn")
    page.get_by_label("Tôi đã đọc và đồng ý").check()
    screenshot(page, "sign-up-2-form")
    page.get_by_role("button", name="Đăng ký").click()

    expect(page).to_have_url(start)
    expect(page.get_by_role("status")).to_contain_text("Đăng ký thành công. Chào mừng Lê Thị Phương Thảo")
    expect(page.get_by_role("button", name="Bắt đầu làm bài")).to_be_visible()
    screenshot(page, "sign-up-3-back-at-the-round")

    open_menu(page)
    page.get_by_role("button", name="Đăng xuất").click()
    page.goto(f"/rounds/{round_.id}/start")
    expect(page).to_have_url(re.compile(r"/login\?next="))
    expect(page.get_by_role("link", name="Đăng ký dự thi")).to_be_visible()
    screenshot(page, "sign-up-4-sign-in")
    page.get_by_role("link", name="Quên mật khẩu?").click()

    expect(page.get_by_role("heading", name="Tài khoản không có email?")).to_be_visible()
    page.get_by_label("Số điện thoại hoặc email").fill("0912 345 678")
    screenshot(page, "sign-up-5-forgot-password")
    page.get_by_role("button", name="Gửi đường dẫn đặt lại mật khẩu").click()
    expect(page.get_by_role("heading", name="Kiểm tra email")).to_be_visible()
    screenshot(page, "sign-up-6-check-your-mail")

    [message] = inbox.wait_for()
    assert message["To"] == "thao@example.vn"
    link = re.search(r"(http://127\.0\.0\.1:\d+/password/reset/\S+)",
                     message.get_body(("plain",)).get_content()).group(1)
    page.goto(link)
    page.get_by_label("Mật khẩu mới", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("Nhập lại mật khẩu mới").fill(NEW_PASSWORD)
    screenshot(page, "sign-up-7-new-password")
    page.get_by_role("button", name="Đặt mật khẩu mới").click()

    expect(page.get_by_role("status")).to_contain_text("Đã đặt mật khẩu mới")
    page.get_by_label("Số điện thoại hoặc email").fill("0912345678")
    page.get_by_label("Mật khẩu", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    expect(page.get_by_role("alert")).to_contain_text("mật khẩu không đúng")  # the old password no longer works
    page.get_by_label("Mật khẩu", exact=True).fill(NEW_PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    expect(page).to_have_url(start)  # next survived the whole round trip
    screenshot(page, "sign-up-8-signed-in-with-the-new-password")

    page.goto(link)
    expect(page.get_by_role("alert")).to_contain_text("đã được dùng")


def test_the_submit_dialog_warns_about_an_empty_prediction(desktop_page, make_user):
    load_bank()
    round_ = make_round(question_count=3)
    make_user(Role.PARTICIPANT, phone="0912345678")
    page = desktop_page
    page.goto(f"/login?next=/rounds/{round_.id}/start")
    page.get_by_label("Số điện thoại hoặc email").fill("0912345678")
    page.get_by_label("Mật khẩu", exact=True).fill(TEST_PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    page.get_by_role("button", name="Bắt đầu làm bài").click()
    expect(page).to_have_url(re.compile(r"/attempts/\d+$"))
    for position in range(3):
        page.locator("fieldset.question").nth(position).locator("label.option").first.click()

    page.locator("#attempt-form").get_by_role("button", name="Nộp bài").click()
    dialog = page.get_by_role("dialog", name="Nộp bài?")
    expect(dialog).to_be_visible()
    expect(dialog).to_contain_text("Bạn đã trả lời đủ 3 câu")
    expect(dialog).to_contain_text("Bạn chưa trả lời câu hỏi dự đoán")
    expect(page.locator("#submit-dialog")).to_have_attribute("aria-describedby", re.compile("submit-dialog-prediction"))
    page.evaluate("window.scrollTo(0, 0)")
    screenshot(page, "submit-dialog-empty-prediction")

    go_to_prediction = dialog.get_by_role("button", name="Trả lời câu dự đoán")
    expect(dialog.get_by_role("button", name="Làm tiếp")).to_be_focused()
    page.keyboard.press("Shift+Tab")
    expect(go_to_prediction).to_be_focused()
    page.keyboard.press("Enter")
    expect(dialog).to_be_hidden()
    prediction = page.get_by_label("Câu hỏi dự đoán")
    expect(prediction).to_be_focused()
    page.keyboard.type("150")

    page.locator("#attempt-form").get_by_role("button", name="Nộp bài").click()
    expect(dialog).to_be_visible()
    expect(page.locator("#submit-dialog-prediction")).to_be_hidden()
    expect(dialog).not_to_contain_text("chưa trả lời câu hỏi dự đoán")
    expect(go_to_prediction).to_be_hidden()
    dialog.get_by_role("button", name="Nộp bài").click()
    expect(page).to_have_url(re.compile(r"/attempts/\d+/result$"))
