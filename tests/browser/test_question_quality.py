"""Question quality in a real browser: an organizer on a phone reads the flagged question first, nothing scrolls
off the 390 px screen, and the flag leads to the regrade preview; a judge on a desktop sorts by a column."""

import pytest

from quizapp.models import Role
from tests.browser.conftest import screenshot
from tests.browser.test_bank_upload import sign_in
from tests.views.test_question_quality_page import scene  # noqa: F401  (the fixture)

pytestmark = pytest.mark.browser


def test_an_organizer_on_a_phone_goes_from_the_flag_to_the_regrade_preview(phone_page, make_user, scene):  # noqa: F811
    make_user(Role.ORGANIZER, email="btc@example.test")
    page = phone_page
    sign_in(page, "btc@example.test")
    page.goto(f"/judge/rounds/{scene.round.id}/questions")

    first = page.locator("table.question-quality tbody tr").first
    assert "chọn phương án B nhiều hơn đáp án A" in first.inner_text()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot(page, "question-quality-phone")
    first.get_by_role("link", name="Xem trước chấm lại câu", exact=False).click()
    assert "Ảnh hưởng khi đổi đáp án từ A sang B" in page.content()


def test_a_judge_on_a_desktop_sorts_by_discrimination(desktop_page, make_user, scene):  # noqa: F811
    make_user(Role.JUDGE, email="bgk@example.test")
    page = desktop_page
    sign_in(page, "bgk@example.test")
    page.goto(f"/judge/rounds/{scene.round.id}")
    page.get_by_role("link", name="Chất lượng câu hỏi", exact=False).click()
    page.get_by_role("link", name="Độ phân biệt").click()
    assert page.locator("th[aria-sort]").inner_text().strip() == "Độ phân biệt"
    first = page.locator("table.question-quality tbody tr").first
    assert f"#{scene.questions[0].id}" in first.inner_text()  # r = -1: the lowest
    screenshot(page, "question-quality-desktop")
