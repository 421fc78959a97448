"""An organizer uploads a bank in a real browser: preview, problems, confirm, browse."""

import pytest
from playwright.sync_api import expect
from sqlalchemy import func, select

from quizapp.extensions import db
from quizapp.models import Question, Role
from tests.browser.conftest import screenshot as checked_screenshot
from tests.conftest import TEST_PASSWORD

pytestmark = pytest.mark.browser

HEADER = "STT,Câu hỏi,A,B,C,D,Đáp án,Chủ đề,Mức độ,Giải thích,Nguồn\n"
GOOD = HEADER + (
    "1,Chủ tịch Hồ Chí Minh sinh năm nào?,1890,1891,1901,1911,A,Tiểu sử,Dễ,,Biên niên tiểu sử\n"
    "2,Bản Tuyên ngôn Độc lập được đọc ở đâu?,Quảng trường Ba Đình,Tân Trào,Pác Bó,Việt Bắc,A,Tác phẩm,Khó,,"
    "Tuyên ngôn Độc lập\n"
)
BAD = HEADER + "1,,a,b,c,d,A,,,,\n2,Câu hai?,a,b,,d,B,,,,\n"


def screenshot(page, name):
    """The picture once the page has loaded (its stylesheet applied: axe judges what is shown)."""
    page.wait_for_load_state("load")
    checked_screenshot(page, name)


def sign_in(page, email):
    page.goto("/login")
    page.get_by_label("Số điện thoại hoặc email").fill(email)
    page.get_by_label("Mật khẩu").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_url(lambda url: "/login" not in url)


def test_organizer_uploads_previews_and_confirms(desktop_page, make_user, tmp_path):
    make_user(Role.ORGANIZER, email="btc@example.test")
    bad, good = tmp_path / "loi.csv", tmp_path / "tot.csv"
    bad.write_text(BAD, encoding="utf-8")
    good.write_text(GOOD, encoding="utf-8")
    page = desktop_page
    sign_in(page, "btc@example.test")
    page.goto("/organizer/banks")

    page.get_by_label("Tệp câu hỏi").set_input_files(str(bad))
    page.get_by_label("Ngân hàng", exact=True).fill("Ngân hàng thử")
    page.get_by_role("button", name="Xem trước").click()
    problems = page.get_by_role("alert")
    assert "Dòng 2" in problems.inner_text() and "Dòng 3" in problems.inner_text()
    screenshot(page, "bank-upload-problems")
    assert page.get_by_role("button", name="Xác nhận").count() == 0

    page.goto("/organizer/banks")
    page.get_by_label("Tệp câu hỏi").set_input_files(str(good))
    page.get_by_label("Ngân hàng", exact=True).fill("Ngân hàng thử")
    page.get_by_role("button", name="Xem trước").click()
    screenshot(page, "bank-upload-preview")
    page.get_by_role("button", name="Xác nhận nhập 2 câu").click()
    expect(page.get_by_text("Đã nhập 2 câu hỏi mới")).to_be_visible()
    assert db.session.scalar(select(func.count()).select_from(Question)) == 2

    page.get_by_label("Tìm").fill("quang truong")
    page.get_by_role("button", name="Lọc").click()
    expect(page.get_by_text("1 câu hỏi phù hợp")).to_be_visible()
    screenshot(page, "bank-view-filtered")


EXISTING = HEADER + (
    "1,Chủ tịch Hồ Chí Minh sinh năm nào?,1890,1891,1901,1911,A,Tiểu sử,Dễ,,Biên niên tiểu sử\n"
    "2,Nguyễn Tất Thành ra đi tìm đường cứu nước năm nào?,1911,1917,1920,1925,A,Tiểu sử,Dễ,,Biên niên tiểu sử\n"
    "3,Chủ tịch Hồ Chí Minh mất năm nào?,1969,1968,1970,1975,A,Tiểu sử,Dễ,,Biên niên tiểu sử\n"
)
REPEATING = HEADER + (
    "1,Bác Hồ sinh vào năm nào?,Năm 1890,Năm 1891,Năm 1901,Năm 1911,A,Ôn tập,Dễ,,Biên niên tiểu sử\n"
    '2,"Năm 1911, Nguyễn Tất Thành ra đi tìm đường cứu nước từ bến cảng nào?",Bến Nhà Rồng,Hải Phòng,Đà Nẵng,'
    "Quy Nhơn,A,Ôn tập,Dễ,,Biên niên tiểu sử\n"
    "3,Chủ tịch Hồ Chí Minh mất năm nào?,1969,1968,1970,1975,A,Ôn tập,Dễ,,Biên niên tiểu sử\n"
)


def test_the_preview_warns_about_repeats_and_the_organizer_resolves_the_pairs(desktop_page, make_user, tmp_path,
                                                                              browser, live_server):
    from quizapp.domain.banks import ImportLimits
    from quizapp.models.types import utcnow
    from quizapp.services.banks import import_bank

    import_bank(bank_name="Tiểu sử Hồ Chí Minh", filename="tieu_su.csv", data=EXISTING.encode(), actor=None,
                now=utcnow(), limits=ImportLimits())
    db.session.commit()
    make_user(Role.ORGANIZER, email="btc@example.test")
    upload = tmp_path / "on_tap.csv"
    upload.write_text(REPEATING, encoding="utf-8")
    page = desktop_page
    sign_in(page, "btc@example.test")
    page.goto("/organizer/banks")
    page.get_by_label("Tệp câu hỏi").set_input_files(str(upload))
    page.get_by_label("Ngân hàng", exact=True).fill("Ôn tập")
    page.get_by_role("button", name="Xem trước").click()

    assert "chưa có ngân hàng nào tên “Ôn tập”" in page.locator(".target-bank").inner_text()
    identical = page.get_by_role("region", name="1 câu hỏi đã có y hệt trong ngân hàng khác")
    assert "Dòng 4:" in identical.inner_text() and "Tiểu sử Hồ Chí Minh" in identical.inner_text()
    near = page.get_by_role("region", name="2 câu hỏi gần trùng với câu hỏi đã có").inner_text()
    assert "Bác Hồ sinh vào năm nào?" in near and "nêu sẵn đáp án" in near
    sample = page.get_by_role("region", name="3 câu hỏi đầu tiên của tệp, như đã đọc")
    assert sample.locator("li.correct").first.inner_text().startswith("Năm 1890")
    screenshot(page, "bank-upload-preview-repeats")
    page.get_by_role("button", name="Xác nhận nhập 3 câu vào ngân hàng mới").click()
    expect(page.get_by_text("Đã nhập 3 câu hỏi mới")).to_be_visible()

    page.goto("/organizer/banks")  # the same file again: nothing new, nothing to confirm
    page.get_by_label("Tệp câu hỏi").set_input_files(str(upload))
    page.get_by_label("Ngân hàng", exact=True).fill("Ôn tập")
    page.get_by_role("button", name="Xem trước").click()
    expect(page.get_by_role("status").filter(has_text="Không có câu hỏi mới để nhập")).to_be_visible()
    assert page.get_by_role("button", name="Xác nhận").count() == 0

    page.goto("/organizer/banks")
    page.get_by_role("link", name="Câu hỏi gần trùng nhau").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Câu hỏi gần trùng nhau")
    pairs = page.locator("section.dup-pair")
    assert pairs.count() == 3  # the reworded one, the giveaway, and the identical copy
    screenshot(page, "near-duplicates")
    reworded = db.session.scalar(select(Question).where(Question.text == "Bác Hồ sinh vào năm nào?"))
    page.get_by_role("button", name=f"Ngừng dùng câu #{reworded.id}").click()
    expect(page.get_by_text("Đã ngừng dùng câu hỏi.")).to_be_visible()
    expect(pairs).to_have_count(2)
    giveaway = pairs.filter(has_text="bến cảng nào")
    giveaway.get_by_role("button", name="Không phải trùng lặp").click()
    expect(page.get_by_text("là hai câu hỏi khác nhau")).to_be_visible()
    expect(pairs).to_have_count(1)

    phone = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True,
                                locale="vi-VN", base_url=live_server).new_page()
    try:
        sign_in(phone, "btc@example.test")
        phone.goto("/organizer/near-duplicates")
        assert phone.locator("section.dup-pair").count() == 1
        screenshot(phone, "near-duplicates-phone")
    finally:
        phone.context.close()
