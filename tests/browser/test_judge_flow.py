"""A judge in a real browser: disqualify with a reason, finalize, fill the letterhead, print the announcement on
A4 in the form of a notice, find a unit by its name in the ranking."""

import re

import pytest
from playwright.sync_api import expect

from quizapp.models import Role
from tests.browser.conftest import screenshot
from tests.browser.test_bank_upload import sign_in
from tests.services.test_flags import add_entry
from tests.views.test_judge_pages import _closed_scene

pytestmark = pytest.mark.browser


def test_judge_disqualifies_finalizes_and_prints_the_announcement(desktop_page, make_user):
    scene = _closed_scene(prizes=(("Giải Nhất", 1), ("Giải Nhì", 1)))
    add_entry(scene, "Nguyễn Văn An", correct=4, duration_ms=3_000, unit="D1A")  # 0.75 s a question
    add_entry(scene, "Trần Thị Bình", correct=3, duration_ms=100_000, unit="D1")
    add_entry(scene, "Lê Văn Cường", correct=3, duration_ms=150_000, unit="D2")
    make_user(Role.JUDGE, email="bgk@example.test")
    page = desktop_page
    sign_in(page, "bgk@example.test")

    page.goto(f"/judge/rounds/{scene.round.id}/flags")
    fast = page.locator("#fast")
    assert "Nguyễn Văn An" in fast.inner_text()
    fast.get_by_text("Loại", exact=True).first.click()
    fast.get_by_label("Lý do (bắt buộc)").fill("Làm 4 câu trong 3 giây")
    screenshot(page, "judge-flags")
    fast.get_by_role("button", name="Loại").click()
    expect(page.locator(".flash-success")).to_contain_text("Đã loại Nguyễn Văn An")

    page.goto(f"/judge/rounds/{scene.round.id}")
    ranking = page.locator("table.judge-ranking tbody tr")
    assert "Trần Thị Bình" in ranking.nth(0).inner_text() and "Giải Nhất" in ranking.nth(0).inner_text()
    page.get_by_label(re.compile("Tôi xác nhận chốt kết quả")).check()
    page.get_by_role("button", name="Chốt kết quả").click()
    expect(page.locator(".flash-success")).to_contain_text("Đã chốt kết quả")
    screenshot(page, "judge-round-finalized")

    page.goto(f"/judge/contests/{scene.contest.id}/announcement")
    assert "Trần Thị Bình" in page.content()
    page.get_by_role("link", name="Thông tin văn bản").first.click()
    page.get_by_label("Cơ quan cấp trên (nếu có)").fill("Tỉnh ủy Tỉnh Thử")
    page.get_by_label("Cơ quan ban hành").fill("Ban Tuyên giáo và Dân vận")
    page.get_by_label(re.compile("ĐẢNG CỘNG SẢN VIỆT NAM")).check()
    page.get_by_label("Số, ký hiệu").fill("05-TB/BTGDV")
    page.get_by_label("Địa danh").fill("Thử")
    page.get_by_label("Nơi nhận (mỗi dòng một nơi)").fill("- Thường trực Tỉnh ủy (để b/c);\n- Lưu VP.")
    page.get_by_label("Chức vụ người ký").fill("Trưởng ban")
    page.get_by_label("Họ và tên người ký").fill("Nguyễn Thị Mẫu")
    screenshot(page, "judge-letterhead")
    page.get_by_role("button", name="Lưu").click()
    expect(page.locator(".document-issuer")).to_contain_text("BAN TUYÊN GIÁO VÀ DÂN VẬN")
    expect(page.locator(".document-signature")).to_contain_text("Nguyễn Thị Mẫu")
    screenshot(page, "judge-announcement")
    page.goto(f"/contests/{scene.contest.id}/announcement")
    assert "Trần T. B." in page.content() and "Trần Thị Bình" not in page.content()
    page.emulate_media(media="print")
    assert not page.locator(".site-header").is_visible()
    screenshot(page, "announcement-print")
    pdf = page.pdf(format="A4", print_background=True)
    pages = len(re.findall(rb"/Type\s*/Page[^s]", pdf))
    assert pages == 2  # the round's winners, then the collectives on a page of their own

    page.emulate_media(media="screen")
    page.goto(f"/judge/rounds/{scene.round.id}")
    page.get_by_role("combobox", name="Đơn vị (tên hoặc mã, mọi cấp)").fill("xa mot")
    page.get_by_role("option", name=re.compile("Xã Một A")).click()
    page.get_by_role("button", name="Lọc").click()
    expect(page.locator("table.judge-ranking tbody")).not_to_contain_text("Lê Văn Cường")
    expect(page.get_by_text("Đơn vị: Xã Một A và mọi đơn vị trực thuộc.")).to_be_visible()

    page.goto("/judge/audit")
    log = page.locator("table.audit-table tbody")
    expect(log).to_contain_text("Chốt kết quả")
    expect(log).to_contain_text("Các mục đã sửa: cơ quan cấp trên, cơ quan ban hành")
    expect(log).not_to_contain_text("issuing_body")
    screenshot(page, "judge-audit-log")
