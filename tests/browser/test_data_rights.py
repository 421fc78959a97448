"""Data rights in a real browser: a participant downloads their data and asks for erasure on their phone; the
organizer erases it once the round is finalized; the public ranking then shows the anonymous entry."""

import json
from datetime import timedelta

import pytest
from playwright.sync_api import expect

from quizapp.domain.personal_data import ANONYMOUS_NAME
from quizapp.extensions import db
from quizapp.models import Role, Round
from quizapp.models.types import utcnow
from quizapp.services.results import finalize_round
from tests.browser.conftest import screenshot
from tests.browser.test_bank_upload import sign_in
from tests.services.test_standings import entry, make_contest, make_units

pytestmark = pytest.mark.browser


def test_a_participant_downloads_and_asks_for_erasure_the_organizer_erases_once_final(
        phone_page, desktop_page, make_user, tmp_path):
    units = make_units()
    round_ = make_contest(closes_at=utcnow() - timedelta(days=1)).rounds[0]
    an = make_user(phone="0912345678", full_name="Nguyễn Văn An", unit_id=units["HN-BD"].id)
    entry(round_, an, 10, prediction=1)
    entry(round_, make_user(phone="0912345679", full_name="Trần Thị Bình", unit_id=units["HN-HK"].id), 9)
    make_user(Role.ORGANIZER, email="btc@example.test")

    page = phone_page
    sign_in(page, "0912 345 678")
    page.goto("/account")
    expect(page.get_by_role("heading", name="Tài khoản của tôi")).to_be_visible()
    assert "0912345678" in page.content()
    with page.expect_download() as download:
        page.get_by_role("link", name="Tải về (JSON)").click()
    data = json.loads(download.value.path().read_text(encoding="utf-8"))
    assert data["account"]["full_name"] == "Nguyễn Văn An" and data["attempts"][0]["correct_count"] == 10
    with page.expect_download() as workbook:
        page.get_by_role("link", name="Tải về (Excel .xlsx)").click()
    assert workbook.value.suggested_filename.endswith(".xlsx")
    screenshot(page, "data-rights-account")
    page.get_by_role("button", name="Gửi yêu cầu xóa dữ liệu").click()
    expect(page.locator(".field-error")).to_contain_text("Cần ghi lý do.")
    page.get_by_label("Lý do").fill("Tôi không muốn lưu dữ liệu cá nhân sau cuộc thi")
    page.get_by_role("button", name="Gửi yêu cầu xóa dữ liệu").click()
    expect(page.locator(".flash-success")).to_contain_text("Đã gửi yêu cầu xóa dữ liệu")
    expect(page.get_by_text("Đang chờ xử lý")).to_be_visible()
    screenshot(page, "data-rights-requested")

    organizer = desktop_page
    sign_in(organizer, "btc@example.test")
    organizer.get_by_role("link", name="Yêu cầu xóa dữ liệu").click()
    expect(organizer.get_by_text("Chưa thể xóa")).to_be_visible()
    assert "Tuần 1" in organizer.content()
    screenshot(organizer, "data-rights-organizer-not-final")

    finalize_round(db.session.get(Round, round_.id), actor=None, now=utcnow())
    db.session.commit()
    organizer.reload()
    organizer.get_by_role("button", name="Xóa dữ liệu").click()
    expect(organizer.locator(".flash-success")).to_contain_text(f"{ANONYMOUS_NAME} #{an.id}")
    expect(organizer.get_by_text("Đã xóa dữ liệu", exact=True)).to_be_visible()
    screenshot(organizer, "data-rights-organizer-erased")

    organizer.goto(f"/rounds/{round_.id}/leaderboard")
    board = organizer.locator("main").inner_text()
    assert ANONYMOUS_NAME in board and f"#{an.id}" not in board and "Nguyễn" not in board
    screenshot(organizer, "data-rights-public-ranking")
