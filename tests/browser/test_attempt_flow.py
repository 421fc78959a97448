"""A participant on a phone: registers, takes an attempt through a lost connection, submits; and a timer that runs
out. Real Chromium through Playwright, against the live server."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from quizapp.extensions import db
from quizapp.models import Attempt, AttemptStatus, Role, User
from tests.browser.conftest import screenshot
from tests.conftest import TEST_PASSWORD
from tests.services.test_attempts import saved
from tests.views.test_attempt_pages import answer_keys, load_bank, make_round
from tests.views.test_register_page import load_units

pytestmark = pytest.mark.browser


def saved_answers(attempt_id: int) -> dict[int, int]:
    """{question id: option id as the page shows it} saved in the database, read in a new transaction (the server
    commits in its own)."""
    db.session.rollback()
    return saved(attempt_id)


def the_attempt(attempt_id: int) -> Attempt:
    db.session.rollback()
    return db.session.get(Attempt, attempt_id)


def choose(page, position: int, option: int = 0) -> tuple[int, int]:
    """Tap an option of the question at ``position`` (0-based); returns (question id, option id)."""
    question = page.locator("fieldset.question").nth(position)
    radio = question.locator("input[type=radio]").nth(option)
    question.locator("label.option").nth(option).click()
    expect(radio).to_be_checked()
    return int(question.get_attribute("data-question")), int(radio.get_attribute("value"))


def state_of(page, position: int):
    return page.locator("fieldset.question").nth(position).locator("[data-save-state]")


def snap(page, name: str) -> None:
    """A full-page screenshot from the top, where the sticky timer bar belongs."""
    page.evaluate("window.scrollTo(0, 0)")
    screenshot(page, name)


def register(page) -> None:
    page.goto("/register")
    page.get_by_label("Họ và tên").fill("Lê Thị Phương Thảo")
    page.get_by_label("Số điện thoại di động").fill("0912 345 678")
    page.get_by_role("combobox", name="Đơn vị").fill("ba dinh")
    page.get_by_role("option", name=re.compile("Phường Ba Đình")).click()
    expect(page.locator("[data-unit-path]")).to_have_text("Đã chọn: Thành phố Hà Nội › Phường Ba Đình")
    page.get_by_label("Mật khẩu", exact=True).fill("mat-khau-du-thi")
    page.get_by_label("Nhập lại mật khẩu").fill("mat-khau-du-thi")
    page.get_by_label("Đối tượng (không bắt buộc)").select_option("Đoàn viên")
    page.get_by_label("Tôi đã đọc và đồng ý").check()
    screenshot(page, "register-phone")
    page.get_by_role("button", name="Đăng ký").click()
    expect(page).to_have_url(re.compile(r"/contests$"))


def test_a_participant_registers_and_answers_through_a_lost_connection(phone_page, app):
    load_units()
    load_bank()
    round_ = make_round(question_count=5, time_limit=600)
    page = phone_page

    register(page)
    user = db.session.scalar(select(User).where(User.phone == "0912345678"))
    assert user.role is Role.PARTICIPANT and user.consent_at is not None

    page.goto(f"/contests/{round_.contest_id}")
    page.get_by_role("link", name="Vào thi").click()
    page.get_by_role("button", name="Bắt đầu làm bài").click()
    expect(page).to_have_url(re.compile(r"/attempts/\d+$"))
    attempt_id = int(page.url.rsplit("/", 1)[1])
    expect(page.locator("#attempt-timer")).to_have_text(re.compile(r"^(10:00|09:[0-5]\d)$"))

    chosen = dict([choose(page, 0, 1), choose(page, 1, 2)])
    expect(state_of(page, 0)).to_have_text("Đã lưu")
    expect(state_of(page, 1)).to_have_text("Đã lưu")
    expect(page.locator("#save-status")).to_have_text("Đã lưu tất cả câu trả lời")
    snap(page, "attempt-phone")

    page.context.set_offline(True)
    chosen.update([choose(page, 2, 0), choose(page, 3, 3)])
    expect(state_of(page, 3)).to_have_text("Chưa lưu – đang thử lại…")
    expect(page.locator("#save-status")).to_contain_text("chưa lưu")
    assert saved_answers(attempt_id) == {q: o for q, o in list(chosen.items())[:2]}
    expect(page.locator('[data-nav-for].answered')).to_have_count(4)
    snap(page, "attempt-offline")

    page.context.set_offline(False)
    expect(page.locator("#save-status")).to_have_text("Đã lưu tất cả câu trả lời")
    expect(state_of(page, 2)).to_have_text("Đã lưu")
    assert saved_answers(attempt_id) == chosen

    page.reload()
    expect(page.locator("input[type=radio]:checked")).to_have_count(4)
    for question_id, option_id in chosen.items():
        expect(page.locator(f'input[name="q{question_id}"][value="{option_id}"]')).to_be_checked()

    page.get_by_label("Câu hỏi dự đoán").fill("150")
    page.locator("#attempt-form").get_by_role("button", name="Nộp bài").click()
    dialog = page.locator("#submit-dialog")
    expect(dialog).to_be_visible()
    expect(dialog).to_contain_text("Bạn còn 1 câu chưa trả lời (trên tổng số 5 câu)")
    snap(page, "submit-confirmation")
    dialog.get_by_role("button", name="Nộp bài").click()

    expect(page).to_have_url(re.compile(rf"/attempts/{attempt_id}/result$"))
    right, _ = answer_keys(attempt_id)
    expected = sum(right[q] == o for q, o in chosen.items())
    expect(page.locator(".score")).to_have_text(f"{expected}/5")
    snap(page, "result-phone")
    attempt = the_attempt(attempt_id)
    assert attempt.status is AttemptStatus.SUBMITTED and attempt.prediction == 150
    assert attempt.correct_count == expected


def sign_in_and_start(page, make_user, round_) -> int:
    make_user(Role.PARTICIPANT, phone="0987654321", full_name="Phạm Văn Hết Giờ")
    page.goto("/login")
    page.get_by_label("Số điện thoại hoặc email").fill("0987 654 321")
    page.get_by_label("Mật khẩu").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    page.goto(f"/rounds/{round_.id}/start")
    page.get_by_role("button", name="Bắt đầu làm bài").click()
    expect(page).to_have_url(re.compile(r"/attempts/\d+$"))
    return int(page.url.rsplit("/", 1)[1])


def test_answers_chosen_offline_in_a_closed_tab_are_saved_when_it_is_opened_again(phone_page, app, make_user):
    load_bank()
    attempt_id = sign_in_and_start(phone_page, make_user, make_round(question_count=5))
    context = phone_page.context
    context.set_offline(True)
    chosen = dict([choose(phone_page, 0, 2), choose(phone_page, 4, 1)])
    expect(state_of(phone_page, 4)).to_have_text("Chưa lưu – đang thử lại…")
    phone_page.close()
    # The page's last chance at closing (a keepalive request) may or may not get past the browser's offline mode;
    # it carries the whole queue, so either nothing or everything chosen is saved by now.
    assert saved_answers(attempt_id) in ({}, chosen)

    context.set_offline(False)
    page = context.new_page()
    page.goto(f"/attempts/{attempt_id}")
    expect(page.locator("#save-status")).to_have_text("Đã lưu tất cả câu trả lời")
    assert saved_answers(attempt_id) == chosen
    for question_id, option_id in chosen.items():
        expect(page.locator(f'input[name="q{question_id}"][value="{option_id}"]')).to_be_checked()


def test_the_sheet_submits_itself_when_the_time_runs_out(phone_page, app, make_user):
    load_bank()
    page = phone_page
    attempt_id = sign_in_and_start(page, make_user, make_round(question_count=5, time_limit=3))
    right, _ = answer_keys(attempt_id)
    first = int(page.locator("fieldset.question").first.get_attribute("data-question"))
    page.locator(f'input[name="q{first}"][value="{right[first]}"]').click()
    expect(state_of(page, 0)).to_have_text("Đã lưu")

    expect(page).to_have_url(re.compile(rf"/attempts/{attempt_id}/result$"), timeout=10_000)
    expect(page.locator(".score")).to_have_text("1/5")
    snap(page, "timeout-result")
    attempt = the_attempt(attempt_id)
    assert attempt.status is not AttemptStatus.IN_PROGRESS
    assert attempt.correct_count == 1 and saved_answers(attempt_id) == {first: right[first]}
    assert attempt.duration_ms <= 3000
