"""A contest for one party committee's members, on a phone (390 px): a visitor reads who it is for, a participant
outside it does not find it in the list and is told on the start page why they cannot start, one inside starts.
Real Chromium, screenshots checked with axe-core."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from quizapp.models import Role
from tests.browser.conftest import screenshot
from tests.browser.test_bank_upload import sign_in
from tests.test_audience import contest_from, units_and_bank

pytestmark = pytest.mark.browser


@pytest.fixture
def scene(app, make_user):
    tree = units_and_bank()
    contest = contest_from(audience=["HN-BD"], categories=["Đảng viên"],
                           title="Tìm hiểu Nghị quyết của Đảng bộ phường")
    everyone = contest_from(title="Tìm hiểu tư tưởng Hồ Chí Minh")
    outsider = make_user(Role.PARTICIPANT, phone="0912000101", unit_id=tree["DN"].id, category="Đảng viên")
    insider = make_user(Role.PARTICIPANT, phone="0912000102", unit_id=tree["HN-BD-CB1"].id, category="Đảng viên")
    return contest, everyone, outsider, insider


def test_who_a_contest_is_for_on_a_phone(phone_page, scene):
    contest, everyone, outsider, insider = scene
    page = phone_page
    page.goto("/contests")
    card = page.locator("article", has_text=contest.title)
    expect(card.locator(".audience-line")).to_have_text("Dành cho: Phường Ba Đình; đối tượng: Đảng viên")
    screenshot(page, "audience-visitor-list")

    sign_in(page, outsider.phone)
    page.goto("/contests")
    expect(page.get_by_role("link", name=everyone.title)).to_be_visible()
    expect(page.get_by_role("link", name=contest.title)).to_have_count(0)
    page.goto(f"/rounds/{contest.rounds[0].id}/start")
    expect(page.get_by_role("alert")).to_contain_text(
        "Cuộc thi này chỉ dành cho: Phường Ba Đình; đối tượng: Đảng viên.")
    expect(page.get_by_role("button", name="Bắt đầu làm bài")).to_have_count(0)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot(page, "audience-start-refused")
    page.goto(f"/contests/{contest.id}")
    expect(page.get_by_role("status")).to_contain_text("không dành cho đơn vị hoặc đối tượng bạn đã đăng ký")
    expect(page.get_by_role("link", name="Vào thi")).to_have_count(0)
    screenshot(page, "audience-contest-not-open")

    page.context.clear_cookies()
    sign_in(page, insider.phone)
    page.goto("/contests")
    page.locator("article", has_text=contest.title).get_by_role("link", name="Vào thi").click()
    page.get_by_role("button", name="Bắt đầu làm bài").click()
    page.wait_for_url("**/attempts/**")
