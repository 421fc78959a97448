"""An organizer uploads a bank in a real browser: preview, problems, confirm, browse."""

import pytest
from sqlalchemy import func, select

from quizapp.extensions import db
from quizapp.models import Question, Role
from tests.browser.conftest import screenshot
from tests.conftest import TEST_PASSWORD

pytestmark = pytest.mark.browser

HEADER = "STT,Câu hỏi,A,B,C,D,Đáp án,Chủ đề,Mức độ,Giải thích,Nguồn\n"
GOOD = HEADER + (
    "1,Chủ tịch Hồ Chí Minh sinh năm nào?,1890,1891,1901,1911,A,Tiểu sử,Dễ,,Biên niên tiểu sử\n"
    "2,Bản Tuyên ngôn Độc lập được đọc ở đâu?,Quảng trường Ba Đình,Tân Trào,Pác Bó,Việt Bắc,A,Tác phẩm,Khó,,"
    "Tuyên ngôn Độc lập\n"
)
BAD = HEADER + "1,,a,b,c,d,A,,,,\n2,Câu hai?,a,b,,d,B,,,,\n"


def sign_in(page, email):
    page.goto("/login")
    page.get_by_label("Số điện thoại hoặc email").fill(email)
    page.get_by_label("Mật khẩu").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()


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
    assert "Đã nhập 2 câu hỏi mới" in page.content()
    assert db.session.scalar(select(func.count()).select_from(Question)) == 2

    page.get_by_label("Tìm").fill("quang truong")
    page.get_by_role("button", name="Lọc").click()
    assert "1 câu hỏi phù hợp" in page.content()
    screenshot(page, "bank-view-filtered")
