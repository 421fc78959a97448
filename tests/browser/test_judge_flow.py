"""A judge in a real browser: disqualify with a reason, finalize, print the announcement on A4."""

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
    screenshot(page, "judge-announcement")
    page.goto(f"/contests/{scene.contest.id}/announcement")
    assert "Trần T. B." in page.content() and "Trần Thị Bình" not in page.content()
    page.emulate_media(media="print")
    assert not page.locator(".site-header").is_visible()
    screenshot(page, "announcement-print")
    pdf = page.pdf(format="A4", print_background=True)
    pages = len(re.findall(rb"/Type\s*/Page[^s]", pdf))
    assert pages == 2  # the round's winners, then the collectives on a page of their own
