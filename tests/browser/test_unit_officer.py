"""A unit officer signs in, lands on their workspace, opens a contest and reads their district's report: exactly
their units' figures (against an independent count of the database), nothing of the neighbouring district, drills
down, downloads the .xlsx; the same on a 390 px phone, nothing wider than the screen. Screenshots checked with
axe-core."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from quizapp.extensions import db
from quizapp.models import Attempt, Role, UnitAncestor, User
from tests.browser.conftest import screenshot
from tests.browser.test_bank_upload import sign_in
from tests.services.test_unit_reports import scene  # noqa: F401  (fixture)

pytestmark = pytest.mark.browser


@pytest.fixture
def officer(scene, make_user):  # noqa: F811
    _contest, units, _people = scene
    return make_user(Role.UNIT_OFFICER, email="cbpt@example.test", full_name="Cán Bộ Huyện A",
                     scope_unit_id=units["A"].id)


def _independent_count(units, contest, people) -> tuple[int, int]:
    """Entries and participants of round 1 (the only closed one) under A, counted straight from the tables."""
    under_a = select(UnitAncestor.descendant_id).where(UnitAncestor.ancestor_id == units["A"].id)
    where = (User.unit_id.in_(under_a), User.hidden.is_(False), Attempt.round_id == contest.rounds[0].id,
             Attempt.user_id != people["cheat"].id, Attempt.correct_count.is_not(None))
    base = select(Attempt).join(User, User.id == Attempt.user_id).where(*where).subquery()
    return (db.session.scalar(select(func.count()).select_from(base)),
            db.session.scalar(select(func.count(func.distinct(base.c.user_id)))))


def test_an_officer_reads_and_downloads_their_report(desktop_page, scene, officer):  # noqa: F811
    contest, units, people = scene
    page = desktop_page
    sign_in(page, "cbpt@example.test")
    assert page.url.endswith("/officer/")
    screenshot(page, "officer-index")
    page.get_by_role("link", name=contest.title).click()
    entries, participants = _independent_count(units, contest, people)
    assert page.locator("#total-entries").inner_text() == str(entries)
    assert page.locator("#total-participants").inner_text() == str(participants)
    summary = page.locator("#summary").inner_text()
    assert summary.startswith(f"{entries} lượt dự thi của {participants} người thuộc Huyện A")
    text = page.locator("main").inner_text()
    assert "Lê Văn An" in text and "Trần Thị Bình" in text
    for outsider in ("Đỗ C", "Ngô B", "Huyện B", "Tỉnh C", "Ẩn Danh"):
        assert outsider not in text
    assert page.locator("#units tr[data-unit]").count() == 2
    assert "Xã A2" in page.locator("#silent").inner_text()
    screenshot(page, "officer-report")
    with page.expect_download() as download:
        page.get_by_role("link", name="Tải báo cáo .xlsx").click()
    assert download.value.suggested_filename.endswith(".xlsx")
    book = load_workbook(io.BytesIO(download.value.path().read_bytes()))
    row = next(r for r in book["Đơn vị"].iter_rows(values_only=True) if r[0] == "A")
    assert row[3:5] == (participants, entries)
    page.emulate_media(media="print")  # the printed report: no navigation, no form, no buttons
    assert not page.locator(".site-header").is_visible() and not page.locator("form.filters").is_visible()
    assert page.locator("#summary").is_visible()
    screenshot(page, "officer-report-print")
    page.emulate_media(media="screen")
    page.get_by_label("Đợt thi").select_option(label=contest.rounds[1].name)
    page.get_by_role("button", name="Xem", exact=True).click()
    assert "Chưa tính số liệu của Tuần 2" in page.locator("main").inner_text()
    assert page.locator("#total-entries").count() == 0  # rule 12: the open round's counts are withheld


def test_the_report_on_a_phone(phone_page, scene, officer):  # noqa: F811
    contest, _units, _people = scene
    page = phone_page
    sign_in(page, "cbpt@example.test")
    page.goto(f"/officer/contests/{contest.id}")
    assert page.locator("#summary").is_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot(page, "officer-report-phone")
    page.goto(f"/officer/contests/{contest.id}?unit=C")
    assert "Không tìm thấy đơn vị này" in page.locator("main").inner_text()
