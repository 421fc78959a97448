"""The organizer watches a round run: the dashboard on a desktop and on a phone (390 px), a participant (simulated
through the JSON API) starts and submits an attempt, and the figures change on the page by themselves (the page
polls its JSON) and after a reload; drill-down through the unit tree. Screenshots checked with axe-core."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from playwright.sync_api import expect

from quizapp.domain.banks import ImportLimits
from quizapp.extensions import db
from quizapp.models import Contest, Role, Round
from quizapp.models.types import utcnow
from quizapp.services.banks import import_bank
from tests.browser.conftest import screenshot
from tests.browser.test_bank_upload import sign_in
from tests.services.test_standings import add_units, entry, person

pytestmark = pytest.mark.browser

BANK = "Câu hỏi,A,B,C,D,Đáp án,Chủ đề\n" + "".join(
    f"Câu hỏi số {i}?,Một,Hai,Ba,Bốn,A,Chủ đề chung\n" for i in range(1, 6))


@pytest.fixture
def settings(settings):
    settings["QUIZAPP_DASHBOARD_POLL_SECONDS"] = 5
    return settings


@pytest.fixture
def running(app):
    """An open round of 5 questions; a province with two districts; 3 entries already."""
    import_bank(bank_name="Ngân hàng", filename="b.csv", data=BANK.encode(), actor=None, now=utcnow(),
                limits=ImportLimits())
    units = add_units((("T", "Tỉnh Thử Nghiệm", None, 1000), ("U1", "Huyện Một", "T", 10),
                       ("U2", "Huyện Hai", "T", 20), ("U1-X", "Xã Một A", "U1", 5)))
    now = utcnow()
    contest = Contest(title="Tìm hiểu tư tưởng Hồ Chí Minh", rules="")
    round_ = Round(contest=contest, position=1, name="Tuần 1", opens_at=now - timedelta(days=2),
                   closes_at=now + timedelta(days=1), question_count=5, time_limit_seconds=600, max_attempts=2,
                   prediction_question="Bao nhiêu người đúng hết?")
    db.session.add_all([contest, round_])
    db.session.commit()
    for code, score in (("U1-X", 4), ("U1-X", 5), ("U1", 3)):
        entry(round_, person(unit=units[code], category="Đảng viên"), score, at=timedelta(hours=30))
    return round_


def figure(page, name):
    return page.locator(f'[data-figure="{name}"]')


def test_the_organizer_watches_the_figures_change(desktop_page, running, make_user, app):
    page = desktop_page
    make_user(Role.ORGANIZER, email="btc@example.test")
    sign_in(page, "btc@example.test")
    page.get_by_role("link", name="Theo dõi", exact=True).click()
    page.get_by_role("link", name="Tuần 1").click()
    expect(figure(page, "entries")).to_have_text("3")
    expect(figure(page, "participants")).to_have_text("3")
    expect(figure(page, "in_progress")).to_have_text("0")
    assert page.locator("svg.chart-svg").count() == 4
    screenshot(page, "dashboard-round-desktop")

    participant = app.test_client()  # someone taking part meanwhile, through the API
    participant.post("/api/v1/auth/register", json={"full_name": "Trần Thị Mới", "phone": "0987654321",
                                                     "password": "mat-khau-1", "unit_code": "U2"})
    token = participant.post("/api/v1/auth/token", json={"login": "0987654321", "password": "mat-khau-1"})
    auth = {"Authorization": f"Bearer {token.get_json()['token']}"}
    started = participant.post(f"/api/v1/rounds/{running.id}/attempts", headers=auth)
    assert started.status_code == 201
    expect(figure(page, "in_progress")).to_have_text("1", timeout=15_000)  # the page's own refresh, no reload
    submitted = participant.post(f"/api/v1/attempts/{started.get_json()['attempt_id']}/submit", headers=auth,
                                 json={"prediction": 2})
    assert submitted.status_code == 200
    page.get_by_role("link", name="Tải lại").click()
    expect(figure(page, "entries")).to_have_text("4")
    expect(figure(page, "participants")).to_have_text("4")
    expect(figure(page, "in_progress")).to_have_text("0")

    # drill-down: the province, then its districts; Huyện Hai now has its participant
    page.locator("table.dashboard-units").get_by_role("link", name="Tỉnh Thử Nghiệm").click()
    table = page.locator("table.dashboard-units")
    expect(table.get_by_role("row", name=re.compile("Huyện Hai"))).to_contain_text("5,0%")  # 1 of 20
    expect(table.get_by_role("row", name=re.compile("Huyện Một"))).to_contain_text("30,0%")  # 3 of 10
    page.locator("details.chart-data").first.locator("summary").click()
    screenshot(page, "dashboard-drill-down-desktop")
    with page.expect_download() as download:
        page.get_by_role("link", name="Tải số liệu .xlsx").click()
    assert download.value.suggested_filename.endswith(".xlsx")


def test_the_dashboard_fits_a_phone(phone_page, running, make_user):
    page = phone_page
    make_user(Role.JUDGE, email="bgk@example.test")  # judges see it too
    sign_in(page, "bgk@example.test")
    page.goto(f"/organizer/dashboard/rounds/{running.id}")
    expect(figure(page, "entries")).to_have_text("3")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    widths = page.evaluate("[...document.querySelectorAll('svg.chart-svg')].map(s => s.getBoundingClientRect().width)")
    assert widths and all(0 < w <= 390 for w in widths)
    screenshot(page, "dashboard-round-phone")
