"""The organizer's participant console in a real browser: search, edit (a taken phone named), extra time, hide,
merge preview; every screen checked with axe and photographed."""

from datetime import timedelta

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from quizapp.extensions import db
from quizapp.models import Attempt, AttemptStatus, Contest, Role, Round, Unit, User
from quizapp.models.types import utcnow
from quizapp.services.units import rebuild_tree
from tests.browser.conftest import screenshot as checked_screenshot
from tests.conftest import TEST_PASSWORD

pytestmark = pytest.mark.browser


def screenshot(page, name):
    page.wait_for_load_state("load")
    checked_screenshot(page, name)


def sign_in(page, email):
    page.goto("/login")
    page.get_by_label("Số điện thoại hoặc email").fill(email)
    page.get_by_label("Mật khẩu").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_url(lambda url: "/login" not in url)


def setting(make_user):
    district = Unit(code="H01", name="Huyện Hòa Bình", name_key="huyen hoa binh")
    db.session.add(district)
    db.session.flush()
    commune = Unit(code="X01", name="Xã An Lạc", name_key="xa an lac", parent_id=district.id)
    db.session.add(commune)
    db.session.flush()
    rebuild_tree()
    now = utcnow()
    contest = Contest(title="Cuộc thi thử", rules="")
    round_ = Round(contest=contest, position=1, name="Tuần 1", opens_at=now - timedelta(days=1),
                   closes_at=now + timedelta(days=1), question_count=1, time_limit_seconds=600)
    db.session.add_all([contest, round_])
    db.session.commit()
    make_user(Role.ORGANIZER, email="btc@example.test")
    keep = make_user(phone="0912000001", full_name="Trần Văn An", unit_id=commune.id, category="Đoàn viên")
    other = make_user(phone="0912000002", full_name="Tran Van An", unit_id=commune.id)
    make_user(phone="0912000003", full_name="Lê Thị Bích", unit_id=commune.id)
    for user in (keep, other):
        started = now - timedelta(hours=2)
        db.session.add(Attempt(round_id=round_.id, user_id=user.id, number=1, started_at=started,
                               deadline_at=started + timedelta(minutes=10), question_count=1,
                               status=AttemptStatus.SUBMITTED, correct_count=1, submitted_at=started,
                               duration_ms=60_000))
    db.session.commit()
    return keep, other


def test_search_edit_extend_hide_and_merge_preview(desktop_page, make_user):
    keep, other = setting(make_user)
    page = desktop_page
    sign_in(page, "btc@example.test")
    page.goto("/organizer/participants")
    page.get_by_label("Họ tên, số điện thoại").fill("tran van an")
    page.get_by_label("Thuộc đơn vị").fill("H01")
    page.get_by_role("button", name="Tìm").click()
    expect(page.get_by_role("link", name="Trần Văn An")).to_be_visible()
    expect(page.get_by_role("link", name="Lê Thị Bích")).to_have_count(0)
    screenshot(page, "participants-search")

    page.get_by_role("link", name="Trần Văn An").click()
    page.get_by_label("Số điện thoại di động").fill("0912 000 003")
    page.get_by_role("button", name="Lưu thông tin").click()
    expect(page.get_by_text("Số điện thoại này đã thuộc về Lê Thị Bích.")).to_be_visible()
    expect(page.get_by_role("link", name="Mở tài khoản của Lê Thị Bích")).to_be_visible()
    screenshot(page, "participant-edit-taken-phone")
    page.get_by_label("Số điện thoại di động").fill("0912000009")
    page.get_by_label("Ngày sinh").fill("2001-02-03")
    page.get_by_role("button", name="Lưu thông tin").click()
    expect(page.get_by_text("Đã lưu thông tin của thí sinh.")).to_be_visible()

    page.get_by_label("Số phút gia hạn").fill("5")
    page.get_by_label("Lý do", exact=True).fill("Mất điện tại điểm thi")
    page.get_by_role("button", name="Gia hạn").click()
    expect(page.get_by_text("Đã gia hạn 5 phút")).to_be_visible()

    page.get_by_label("Lý do ẩn khỏi bảng xếp hạng").fill("Tài khoản thử")
    page.get_by_role("button", name="Ẩn khỏi bảng xếp hạng").click()
    expect(page.get_by_text("Lý do: Tài khoản thử")).to_be_visible()
    screenshot(page, "participant-hidden")
    page.get_by_role("button", name="Xếp hạng trở lại").click()
    expect(page.get_by_text("Thí sinh được xếp hạng trở lại.")).to_be_visible()

    page.get_by_label("Tài khoản trùng").fill("0912000002")
    page.get_by_role("button", name="Xem trước").click()
    expect(page.get_by_text("Lượt thi: 1")).to_be_visible()
    expect(page.get_by_text("Cả hai tài khoản đều có lượt thi trong Tuần 1")).to_be_visible()
    screenshot(page, "participant-merge-preview")
    page.get_by_role("button", name="Xác nhận gộp tài khoản").click()
    expect(page.get_by_text("Đã gộp tài khoản")).to_be_visible()
    db.session.expire_all()
    merged = db.session.get(User, other.id)
    assert merged.merged_into_id == keep.id and not merged.active
    assert db.session.scalar(select(User.phone).where(User.id == keep.id)) == "0912000009"


def test_import_preview_and_problems_on_a_phone(phone_page, make_user, tmp_path):
    setting(make_user)
    bad, good = tmp_path / "loi.csv", tmp_path / "tot.csv"
    bad.write_text("Họ và tên,Số điện thoại,Mã đơn vị\nNgô Văn Cường,12345,X01\nPhan Thị Dung,0912000009,KHONG\n",
                   encoding="utf-8")
    good.write_text("Họ và tên,Số điện thoại,Mã đơn vị\nNgô Văn Cường,0912000008,X01\n", encoding="utf-8")
    page = phone_page
    sign_in(page, "btc@example.test")
    page.goto("/organizer/participants")
    page.get_by_role("link", name="Nhập danh sách thí sinh từ tệp").click()
    page.get_by_label("Tệp danh sách thí sinh").set_input_files(str(bad))
    page.get_by_role("button", name="Kiểm tra tệp").click()
    problems = page.get_by_role("alert").inner_text()
    assert "Dòng 2, cột «Số điện thoại»" in problems and "Dòng 3, cột «Mã đơn vị»" in problems
    screenshot(page, "participants-import-problems-phone")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.get_by_label("Tệp danh sách thí sinh").set_input_files(str(good))
    page.get_by_role("button", name="Kiểm tra tệp").click()
    expect(page.get_by_text("Xem trước: 1 thí sinh mới")).to_be_visible()
    screenshot(page, "participants-import-preview-phone")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    with page.expect_download() as download:
        page.get_by_role("button", name="Xác nhận nhập và tải tệp mật khẩu").click()
    assert download.value.suggested_filename == "mat-khau-thi-sinh.xlsx"
    assert db.session.scalar(select(User.full_name).where(User.phone == "0912000008")) == "Ngô Văn Cường"
