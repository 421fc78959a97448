"""An administrator creates a unit officer in a real browser, sees a problem beside its field, and turns an
account off; the pages checked with axe."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from quizapp.extensions import db
from quizapp.models import Role
from tests.browser.conftest import screenshot
from tests.browser.test_bank_upload import sign_in
from tests.services.test_flags import build_units

pytestmark = pytest.mark.browser


def test_an_admin_manages_staff_accounts(desktop_page, make_user):
    build_units()
    db.session.commit()
    make_user(Role.ADMIN, email="quantri@example.test")
    make_user(Role.JUDGE, email="bgk@example.test")
    page = desktop_page
    sign_in(page, "quantri@example.test")
    page.get_by_role("link", name="Tài khoản cán bộ").click()
    page.get_by_label("Vai trò").select_option("unit_officer")
    page.get_by_label("Họ và tên").fill("Cán Bộ Huyện Một")
    page.get_by_label("Email (dùng để đăng nhập)").fill("canbo@example.test")
    page.get_by_label("Mật khẩu ban đầu").fill("mat-khau-dai-du")
    page.get_by_label("Mã đơn vị phụ trách").fill("KHONG-CO")
    page.get_by_role("button", name="Tạo tài khoản").click()
    expect(page.locator("#unit-errors")).to_contain_text("Không tìm thấy đơn vị này.")
    screenshot(page, "admin-accounts-problem")
    page.get_by_label("Mã đơn vị phụ trách").fill("D1")
    page.get_by_label("Mật khẩu ban đầu").fill("mat-khau-dai-du")
    page.get_by_role("button", name="Tạo tài khoản").click()
    expect(page.get_by_role("status").first).to_contain_text("Đã tạo tài khoản canbo@example.test")
    page.get_by_role("button", name="Khóa tài khoản bgk@example.test").click()
    expect(page.get_by_role("status").first).to_contain_text("Đã khóa tài khoản bgk@example.test")
    screenshot(page, "admin-accounts")
