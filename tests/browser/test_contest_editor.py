"""An organizer sets up a contest in the browser: two rounds (the second added with the page's "Thêm đợt thi"),
the audience's unit picked by name, draw rows that say live how many questions match, a problem shown beside its
field, a round copied for the next week, the contest published, a round with an attempt locked; a visitor then
finds the contest with its rules. Real Chromium, screenshots checked with axe."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from quizapp.extensions import db
from quizapp.models import Role, Round
from tests.browser.conftest import screenshot
from tests.browser.test_bank_upload import sign_in
from tests.services.test_contests import add_questions
from tests.services.test_standings import make_units
from tests.views.test_contest_console import add_attempt

pytestmark = pytest.mark.browser


def fill_round(page, index: int, name: str, opens: str, closes: str) -> None:
    prefix = f"#rounds-{index}-"
    page.fill(prefix + "name", name)
    page.fill(prefix + "opens_at", opens)
    page.fill(prefix + "closes_at", closes)
    page.fill(prefix + "question_count", "5")
    page.fill(prefix + "time_limit_seconds", "600")
    page.fill(prefix + "draw-0-topic", "Lịch sử")
    page.fill(prefix + "draw-0-count", "3")
    page.fill(prefix + "draw-1-topic", "Pháp luật")
    page.fill(prefix + "draw-1-count", "2")
    page.fill(prefix + "prizes-0-name", "Giải Nhất")
    page.fill(prefix + "prizes-0-count", "1")


def test_an_organizer_sets_up_and_publishes_a_contest(desktop_page, app, make_user):
    make_user(Role.ORGANIZER, email="btc@example.test")
    add_questions("Ngân hàng A", "Lịch sử", 10)
    add_questions("Ngân hàng A", "Pháp luật", 6, difficulty="easy")
    make_units()
    page = desktop_page
    sign_in(page, "btc@example.test")
    page.get_by_role("link", name="Quản lý cuộc thi").click()
    page.get_by_role("link", name="Tạo cuộc thi").click()

    page.get_by_label("Tên cuộc thi").fill("Tìm hiểu Hiến pháp 2030")
    page.get_by_label("Thể lệ").fill("**Điều 1.** Mọi công dân Việt Nam đều được dự thi.\n\n- Mỗi tuần một đợt")
    page.get_by_label("Tìm đơn vị theo tên hoặc mã để thêm vào danh sách").fill("ba dinh")
    expect(page.locator("#unit-suggestions option")).to_have_count(1)
    page.get_by_label("Tìm đơn vị theo tên hoặc mã để thêm vào danh sách").fill("HN-BD")  # the option picked
    expect(page.locator("#audience")).to_have_value("HN-BD")
    fill_round(page, 0, "Tuần 1", "2030-11-23T00:00", "2030-11-30T00:00")
    expect(page.locator("#rounds-0-draw-0 [data-available]")).to_have_text("Có 10 câu đang dùng phù hợp.")
    page.fill("#rounds-0-draw-1-count", "7")
    expect(page.locator("#rounds-0-draw-1 [data-available]")).to_have_text(
        "Không đủ: cần 7 câu, chỉ có 6 câu phù hợp.")
    page.fill("#rounds-0-draw-1-count", "2")

    page.get_by_role("button", name="Thêm đợt thi").click()  # copied in the page, nothing sent
    expect(page.locator("#rounds-1-name")).to_have_value("")
    fill_round(page, 1, "Tuần 2", "2030-11-30T00:00", "2030-12-07T00:00")
    page.fill("#rounds-1-draw-1-count", "3")  # 3 + 3 questions for a 5-question round
    page.get_by_role("button", name="Tạo cuộc thi").click()
    expect(page.locator("#rounds-1-draw-errors")).to_contain_text("phải bằng question_count")
    screenshot(page, "contest-editor-problem")

    page.fill("#rounds-1-draw-1-count", "2")
    page.get_by_role("button", name="Tạo cuộc thi").click()
    expect(page.get_by_role("status").first).to_contain_text("Đã tạo cuộc thi «Tìm hiểu Hiến pháp 2030»")
    screenshot(page, "contest-editor-created")

    page.locator("#rounds-1").get_by_role("button", name="Sao chép đợt này cho tuần sau").click()
    expect(page.get_by_role("status").first).to_contain_text("Đã thêm đợt «Tuần 3»")
    expect(page.locator("#rounds-2-opens_at")).to_have_value("2030-12-07T00:00")
    page.get_by_role("button", name="Công bố cuộc thi").click()
    expect(page.get_by_role("status").first).to_contain_text("Cuộc thi đã được công bố.")
    page.get_by_label("Nội dung thông báo").fill("Đợt 2 có thể lùi lịch một ngày.")
    page.get_by_role("button", name="Đăng thông báo").click()
    screenshot(page, "contest-editor-published")

    first = db.session.scalar(select(Round).where(Round.name == "Tuần 1"))
    add_attempt(first, make_user())
    page.reload()
    expect(page.locator("#rounds-0-question_count")).to_be_disabled()
    expect(page.locator("#rounds-0-question_count-locked")).to_have_text(
        "Đã có 1 lượt thi: thay đổi trường này sẽ làm thay đổi kết quả.")
    expect(page.locator("#rounds-0").get_by_role("link", name="Chất lượng câu hỏi và chấm lại")).to_be_visible()
    page.fill("#rounds-0-name", "Tuần thứ nhất")
    page.get_by_role("button", name="Lưu cuộc thi").click()
    expect(page.get_by_role("status").first).to_contain_text("Đã lưu các thay đổi.")
    screenshot(page, "contest-editor-locked-round")

    page.context.clear_cookies()
    page.goto("/contests")
    page.get_by_role("link", name="Tìm hiểu Hiến pháp 2030").first.click()
    expect(page.locator(".contest-rules strong")).to_have_text("Điều 1.")
    expect(page.locator(".audience-line")).to_have_text("Dành cho: Phường Ba Đình")
    expect(page.locator(".contest-notices")).to_contain_text("Đợt 2 có thể lùi lịch một ngày.")
    expect(page.get_by_role("heading", name="Tuần 3")).to_be_visible()
    screenshot(page, "contest-editor-public-page")
