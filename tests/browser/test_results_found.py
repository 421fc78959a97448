"""A participant on a phone (390 px) finds their results: "Kết quả của tôi" from the header, the ranking of the
round that has just closed (every column on screen, each row one or two lines, with the predictions and gaps),
the winners of the finalized round, and their prize on their result page. Real Chromium, screenshots checked with
axe-core."""

from __future__ import annotations

import random
import re
from datetime import timedelta

import pytest
from playwright.sync_api import expect

from quizapp.extensions import db
from quizapp.models import Role
from quizapp.models.types import utcnow
from quizapp.services.results import finalize_round
from tests.browser.conftest import screenshot
from tests.browser.test_bank_upload import sign_in
from tests.services.test_standings import add_units, entry, make_contest, person

pytestmark = pytest.mark.browser

FAMILY = ("Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Võ", "Đặng", "Bùi", "Đỗ")
GIVEN = ("Văn Minh", "Thị Thu Hương", "Quang Huy", "Thị Ngọc Ánh", "Đức Thắng", "Thị Bích Ngọc", "Hữu Phước")


def build() -> tuple[object, object]:
    """Two rounds of 20 questions, 25 people each with long unit names and predictions up to five digits: the
    first finalized (the participant "Phạm Thu Dung" wins Giải Nhì), the second closed yesterday."""
    units = add_units((
        ("HN", "Thành phố Hà Nội", None, 100_000),
        ("HN-BD", "Đảng bộ phường Ba Đình, quận Ba Đình", "HN", 5_000),
        ("HN-BD-CB1", "Chi bộ Khu dân cư số 1, phường Ba Đình, quận Ba Đình", "HN-BD", 120),
    ))
    contest = make_contest(rounds=2, closes_at=utcnow() - timedelta(days=1), question_count=20,
                           title="Tìm hiểu tư tưởng, đạo đức, phong cách Hồ Chí Minh năm 2026",
                           tiers=(("Giải Nhất", 1), ("Giải Nhì", 2), ("Giải Ba", 3), ("Giải Khuyến khích", 5)))
    rng = random.Random(7)
    people = [person(f"{rng.choice(FAMILY)} {rng.choice(GIVEN)}", rng.choice(list(units.values())))
              for _ in range(25)]
    for round_ in contest.rounds:
        for someone in people:
            entry(round_, someone, rng.randint(12, 19), seconds=rng.uniform(60, 899),
                  prediction=rng.choice([rng.randint(0, 40), rng.randint(10_000, 99_999)]))
    return contest, units


def no_column_off_screen_and_rows_of_two_lines(page) -> None:
    """Nothing wider than the phone, no table scrolled sideways, no cell spilling over, no row over two lines."""
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    checks = page.evaluate("""() => [...document.querySelectorAll('table.ranking')].map(table => {
        const wrap = table.closest('.table-wrap');
        const rows = [...table.tBodies[0].rows].map(tr => [...tr.cells].filter(td => td.offsetParent !== null)
            .map(td => {
                const s = getComputedStyle(td);
                const inner = td.clientHeight - parseFloat(s.paddingTop) - parseFloat(s.paddingBottom);
                return {lines: Math.round(inner / parseFloat(s.lineHeight)),
                        spills: td.scrollWidth > td.clientWidth + 1};
            }));
        return {scrolls: wrap.scrollWidth > wrap.clientWidth + 1,
                lines: Math.max(...rows.flat().map(c => c.lines)), spills: rows.flat().some(c => c.spills),
                headers: [...table.tHead.rows[0].cells].filter(th => th.offsetParent !== null).map(th => th.innerText)};
    })""")
    assert checks, "no ranking table on the page"
    for table in checks:
        assert not table["scrolls"] and not table["spills"] and table["lines"] <= 2, table


def test_a_participant_finds_their_results_on_a_phone(phone_page, make_user):
    contest, units = build()
    first, second = contest.rounds
    me = make_user(Role.PARTICIPANT, email="dung@example.test", full_name="Phạm Thu Dung",
                   unit_id=units["HN-BD-CB1"].id)
    mine = entry(first, me, 20, seconds=354, prediction=2)  # the only perfect score: a prize
    entry(second, me, 17, seconds=120, prediction=20_000)
    finalize_round(first, actor=make_user(Role.JUDGE), now=utcnow())
    db.session.commit()
    page = phone_page

    sign_in(page, "dung@example.test")
    page.goto("/")
    page.locator("label.nav-toggle-label").click()
    page.get_by_role("link", name="Kết quả của tôi").click()
    expect(page.get_by_role("heading", name="Kết quả của tôi", level=1)).to_be_visible()
    finalized = page.locator("article.my-round", has=page.get_by_role("heading", name=re.compile(first.name)))
    expect(finalized.locator(".placing")).to_contain_text("Chúc mừng! Bạn đạt Giải")
    expect(finalized).to_contain_text("Kết quả cao nhất của bạn: 20/20 câu đúng, thời gian 5:54.")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot(page, "results-found-my-results-phone")

    # the round closed yesterday: its public ranking, with each entry's prediction and gap
    closed = page.locator("article.my-round", has=page.get_by_role("heading", name=re.compile(second.name)))
    expect(closed).to_contain_text("Ban Giám khảo chưa chốt kết quả")
    closed.get_by_role("link", name="Xem bảng xếp hạng").click()
    expect(page.get_by_role("heading", name=re.compile("Bảng xếp hạng"), level=1)).to_be_visible()
    expect(page.locator("#my-place + p")).to_contain_text("câu đúng, thời gian 2:00")
    headers = page.locator("table.ranking thead th:visible")
    expect(headers).to_have_text(["Hạng", "Họ và tên, đơn vị", "Số câu đúng, thời gian", "Dự đoán, độ lệch"])
    ranking = page.locator("table.ranking").inner_text()
    assert "Phạm T. D." in ranking and "Phạm Thu Dung" not in ranking  # masked, like everybody
    no_column_off_screen_and_rows_of_two_lines(page)
    screenshot(page, "results-found-ranking-phone")

    # the finalized round: its winners, tier by tier
    page.goto("/my-results")
    finalized.get_by_role("link", name="Xem danh sách đoạt giải").click()
    expect(page.get_by_role("heading", name=re.compile("Kết quả"), level=1)).to_be_visible()
    tier = page.locator("section.card", has=page.locator("table.ranking", has_text="Phạm T. D."))
    expect(tier.get_by_role("heading", level=2)).to_have_text(re.compile("Giải (Nhất|Nhì)"))
    no_column_off_screen_and_rows_of_two_lines(page)
    screenshot(page, "results-found-winners-phone")

    # their own result page says the prize too, and links back to the results
    page.goto("/my-results")
    finalized.get_by_role("link", name=re.compile("^Lượt 1:")).click()
    expect(page).to_have_url(re.compile(f"/attempts/{mine.id}/result$"))
    expect(page.locator(".result-card .placing")).to_contain_text("Chúc mừng! Bạn đạt Giải")
    expect(page.locator(".result-card time")).to_have_text("5:54")
    expect(page.locator(".result-card .results-links a")).to_have_count(2)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot(page, "results-found-result-prize-phone")
