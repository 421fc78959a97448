"""An organizer manages the unit tree in a real browser: imports a file (preview, confirm), searches "ba dinh",
opens the tree, adds a unit, moves one (and is refused a move under its own descendant), merges two, exports
the tree and imports the export again to find nothing to confirm. Screens checked with axe."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from quizapp.extensions import db
from quizapp.models import Role, Unit
from tests.browser.conftest import screenshot as checked_screenshot
from tests.browser.test_bank_upload import sign_in

pytestmark = pytest.mark.browser

TREE = (
    "Mã,Tên đơn vị,Mã cấp trên,Số thành viên\n"
    "HN,Thành phố Hà Nội,,1.000\n"
    "HN-BD,Phường Ba Đình,HN,120\n"
    "HN-BD-CB1,Chi bộ Khu dân cư số 1,HN-BD,30\n"
    "HN-HK,Phường Hoàn Kiếm,HN,80\n"
    "HN-HK-CB1,Chi bộ Hàng Bạc,HN-HK,20\n"
    "DN,Thành phố Đà Nẵng,,500\n"
)


def screenshot(page, name):
    page.wait_for_load_state("load")
    checked_screenshot(page, name)


def unit(code: str) -> Unit | None:
    db.session.expire_all()
    return db.session.scalar(select(Unit).where(Unit.code == code))


def test_organizer_manages_the_unit_tree(desktop_page, make_user, tmp_path):
    make_user(Role.ORGANIZER, email="btc@example.test")
    source = tmp_path / "don_vi.csv"
    source.write_text(TREE, encoding="utf-8")
    page = desktop_page
    sign_in(page, "btc@example.test")

    page.goto("/organizer/units")
    page.get_by_label("Tệp cây đơn vị (.xlsx hoặc .csv)").set_input_files(str(source))
    page.get_by_role("button", name="Xem trước").click()
    expect(page.get_by_role("heading", name="Đơn vị mới")).to_be_visible()
    screenshot(page, "units-import-preview")
    page.get_by_role("button", name="Xác nhận nhập").click()
    expect(page.get_by_text("Đã nhập cây đơn vị: 6 đơn vị mới")).to_be_visible()
    screenshot(page, "units-tree")

    page.get_by_label("Tìm theo tên hoặc mã").fill("ba dinh")
    page.get_by_role("button", name="Tìm", exact=True).click()
    hits = page.locator(".unit-hits")
    expect(hits).to_contain_text("HN-BD — Phường Ba Đình")
    expect(hits).to_contain_text("Thành phố Hà Nội › Phường Ba Đình")
    screenshot(page, "units-search")

    page.get_by_label("Mã đơn vị", exact=True).fill("HN-BD-CB2")
    page.get_by_label("Tên đơn vị", exact=True).fill("Chi bộ Khu dân cư số 2")
    page.get_by_label("Mã đơn vị cấp trên", exact=True).fill("HN-BD")
    page.get_by_label("Số thành viên").fill("25")
    page.get_by_role("button", name="Thêm", exact=True).click()
    expect(page.get_by_text("Đã thêm đơn vị HN-BD-CB2")).to_be_visible()
    assert unit("HN-BD-CB2").depth == 3

    # a move under its own descendant is refused beside the field; a move elsewhere is done
    page.goto(f"/organizer/units/{unit('HN-BD').id}")
    page.get_by_label("Mã đơn vị cấp trên mới").fill("HN-BD-CB1")
    page.get_by_role("button", name="Chuyển", exact=True).click()
    expect(page.locator("#parent_code-errors")).to_contain_text("là đơn vị cấp dưới của nó")
    screenshot(page, "units-move-refused")
    page.get_by_label("Mã đơn vị cấp trên mới").fill("DN")
    page.get_by_role("button", name="Chuyển", exact=True).click()
    expect(page.get_by_text("Đã chuyển đơn vị HN-BD (cùng 3 đơn vị")).to_be_visible()
    assert unit("HN-BD").parent_id == unit("DN").id and unit("HN-BD-CB2").depth == 3

    # Hoàn Kiếm merges into Ba Đình: its cell follows, it is gone
    page.goto(f"/organizer/units/{unit('HN-HK').id}")
    page.get_by_label("Mã đơn vị nhận").fill("HN-BD")
    page.get_by_role("button", name="Gộp và xóa đơn vị HN-HK").click()
    expect(page.get_by_text("Đã gộp đơn vị HN-HK vào HN-BD")).to_be_visible()
    screenshot(page, "units-after-merge")
    assert unit("HN-HK") is None and unit("HN-HK-CB1").parent_id == unit("HN-BD").id
    assert unit("HN-HK-CB1").depth == 3

    page.goto("/organizer/units")
    with page.expect_download() as download:
        page.get_by_role("link", name="Tải về (.xlsx)").click()
    exported = tmp_path / "xuat.xlsx"
    download.value.save_as(exported)
    page.get_by_label("Tệp cây đơn vị (.xlsx hoặc .csv)").set_input_files(str(exported))
    page.get_by_role("button", name="Xem trước").click()
    expect(page.get_by_text("Không có gì cần xác nhận")).to_be_visible()
    screenshot(page, "units-reimport-unchanged")


def test_the_tree_fits_a_phone(phone_page, make_user):
    from tests.services.test_standings import make_units

    make_user(Role.ORGANIZER, email="btc@example.test")
    units = make_units()
    page = phone_page
    sign_in(page, "btc@example.test")
    page.goto(f"/organizer/units?q=ba+dinh&open={units['HN-BD-CB1'].id}")
    expect(page.locator(".unit-asked")).to_contain_text("Chi bộ Khu dân cư số 1")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    screenshot(page, "units-tree-phone")
    page.goto(f"/organizer/units/{units['HN-BD'].id}")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    screenshot(page, "units-unit-phone")
