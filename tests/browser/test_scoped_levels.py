"""Every level runs its own contest (issue 15, Proof), in Chromium: an organizer scoped to Huyện Trong (an account
made by the staff service, as `quizapp users create --unit` and the admins' page make it) creates a contest in the
console, whose audience starts as their district, and publishes it; a participant of the neighbouring district
does not find it in the list and is refused at its start (403, with the reason); one of the district takes it; the
district's unit officer reads exactly the district's figures of the province's contest, as counted in the test
straight from the tables; a winner of the province's finalized round downloads their certificate, and the QR code
printed on it leads to the page that verifies it. Screenshots checked with axe-core."""

from __future__ import annotations

import io
import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pypdf
import pytest
from playwright.sync_api import expect
from sqlalchemy import func, select

from quizapp.auth import hash_password
from quizapp.extensions import db
from quizapp.models import Attempt, AttemptStatus, Contest, Role, UnitAncestor, User
from quizapp.models.types import utcnow
from quizapp.services.accounts import create_staff
from tests.browser.conftest import screenshot
from tests.browser.test_bank_upload import sign_in
from tests.conftest import TEST_PASSWORD
from tests.services.test_certificates import qr_texts
from tests.views.scope_fixtures import World, build_world

pytestmark = pytest.mark.browser

VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")
TITLE = "Tìm hiểu lịch sử Đảng bộ Huyện Trong năm 2026"


@pytest.fixture
def world(app, make_user) -> World:
    found = build_world(make_user)
    a = found.units["A"]
    create_staff(role=Role.ORGANIZER, email="btc-huyen@scope.test", password=TEST_PASSWORD,
                 full_name="Ban Tổ Chức Cấp Huyện", actor=None, now=utcnow(), scope=(a.id, a.code))
    for key in ("inside", "outside"):  # the fixtures' participants get a password to sign in with
        found.people[key].password_hash = hash_password(TEST_PASSWORD)
    db.session.commit()
    return found


def _local(moment: datetime) -> str:
    return moment.astimezone(VIETNAM).strftime("%Y-%m-%dT%H:%M")


def _create_and_publish(page) -> None:
    sign_in(page, "btc-huyen@scope.test")
    page.get_by_role("link", name="Quản lý cuộc thi").click()
    expect(page.locator("main")).not_to_contain_text("Cuộc thi ngoài phạm vi")
    page.get_by_role("link", name="Tạo cuộc thi").click()
    expect(page.locator("#audience")).to_have_value("A")  # the district, before anything is typed
    page.get_by_label("Tên cuộc thi").fill(TITLE)
    page.get_by_label("Thể lệ").fill("Mỗi người được thi hai lần.")
    now = utcnow()
    page.fill("#rounds-0-name", "Đợt 1")
    page.fill("#rounds-0-opens_at", _local(now - timedelta(hours=1)))
    page.fill("#rounds-0-closes_at", _local(now + timedelta(days=7)))
    page.fill("#rounds-0-question_count", "3")
    page.fill("#rounds-0-time_limit_seconds", "600")
    page.fill("#rounds-0-max_attempts", "2")
    page.fill("#rounds-0-draw-0-bank", "Ngân hàng trong")
    page.fill("#rounds-0-draw-0-count", "3")
    expect(page.locator("#rounds-0-draw-0 [data-available]")).to_have_text("Có 3 câu đang dùng phù hợp.")
    page.fill("#rounds-0-prizes-0-name", "Giải Nhất")
    page.fill("#rounds-0-prizes-0-count", "1")
    screenshot(page, "scoped-1-new-contest")
    page.get_by_role("button", name="Tạo cuộc thi").click()
    expect(page.get_by_role("status").first).to_contain_text(f"Đã tạo cuộc thi «{TITLE}»")
    page.get_by_role("button", name="Công bố cuộc thi").click()
    expect(page.get_by_role("status").first).to_contain_text("Cuộc thi đã được công bố.")
    screenshot(page, "scoped-2-published")


def _the_contest() -> Contest:
    db.session.rollback()
    contest = db.session.scalar(select(Contest).where(Contest.title == TITLE))
    assert contest is not None and contest.published
    assert [a.unit_id for a in contest.audience_units] == [db.session.scalar(
        select(User.scope_unit_id).where(User.email == "btc-huyen@scope.test"))]
    return contest


def _outsider_cannot_see_or_start(page, world: World, round_id: int) -> None:
    page.context.clear_cookies()
    sign_in(page, world.people["outside"].email)
    page.goto("/contests")
    expect(page.get_by_role("link", name="Cuộc thi toàn tỉnh")).to_be_visible()
    expect(page.get_by_role("link", name=TITLE)).to_have_count(0)
    response = page.goto(f"/rounds/{round_id}/start")
    assert response.status == 403
    expect(page.get_by_role("alert")).to_contain_text("Cuộc thi này chỉ dành cho: Huyện Trong")
    expect(page.get_by_role("button", name="Bắt đầu làm bài")).to_have_count(0)
    screenshot(page, "scoped-3-outsider-refused")


def _insider_takes_it(page, make_user, world: World) -> int:
    taker = make_user(Role.PARTICIPANT, email="du-thi@scope.test", full_name="Phạm Thị Dự Thi",
                      unit_id=world.units["A2"].id)
    page.context.clear_cookies()
    sign_in(page, taker.email)
    page.goto("/contests")
    page.locator("article", has_text=TITLE).get_by_role("link", name="Vào thi").click()
    page.get_by_role("button", name="Bắt đầu làm bài").click()
    page.wait_for_url(re.compile(r"/attempts/\d+$"))
    questions = page.locator("fieldset.question")
    expect(questions).to_have_count(3)
    for position in range(3):
        questions.nth(position).locator("label.option", has_text="1945").click()  # the key of every question
    screenshot(page, "scoped-4-insider-answers")
    page.locator("#attempt-form").get_by_role("button", name="Nộp bài").click()
    dialog = page.locator("#submit-dialog")
    expect(dialog).to_be_visible()
    dialog.get_by_role("button", name="Nộp bài").click()
    page.wait_for_url(re.compile(r"/attempts/\d+/result$"))
    expect(page.locator(".score")).to_have_text("3/3")
    db.session.rollback()
    attempt = db.session.scalar(select(Attempt).where(Attempt.user_id == taker.id))
    assert attempt.status is AttemptStatus.SUBMITTED and attempt.correct_count == 3
    return attempt.round_id


def test_a_scoped_organizer_runs_a_contest_for_their_district(desktop_page, world, make_user):
    page = desktop_page
    _create_and_publish(page)
    contest = _the_contest()
    _outsider_cannot_see_or_start(page, world, contest.rounds[0].id)
    assert _insider_takes_it(page, make_user, world) == contest.rounds[0].id


def _district_count(world: World) -> tuple[int, int]:
    """Entries and participants of the province's finalized round under Huyện Trong, from the tables."""
    under_a = select(UnitAncestor.descendant_id).where(UnitAncestor.ancestor_id == world.units["A"].id)
    finished = (select(Attempt).join(User, User.id == Attempt.user_id)
                .where(User.unit_id.in_(under_a), User.hidden.is_(False),
                       Attempt.round_id == world.contests["whole"].rounds[0].id,
                       Attempt.correct_count.is_not(None)).subquery())
    return (db.session.scalar(select(func.count()).select_from(finished)),
            db.session.scalar(select(func.count(func.distinct(finished.c.user_id)))))


def test_the_unit_officer_reads_exactly_their_districts_figures(desktop_page, world):
    page = desktop_page
    sign_in(page, world.staff["officer_a"].email)
    assert page.url.endswith("/officer/")
    screenshot(page, "scoped-5-officer-index")
    page.get_by_role("link", name="Cuộc thi toàn tỉnh").click()
    page.get_by_label("Đợt thi").select_option(label="Đợt toàn tỉnh 1")
    page.get_by_role("button", name="Xem", exact=True).click()
    entries, participants = _district_count(world)
    assert (entries, participants) == (2, 2)  # the district's two people, one entry each
    expect(page.locator("#total-entries")).to_have_text(str(entries))
    expect(page.locator("#total-participants")).to_have_text(str(participants))
    text = page.locator("main").inner_text()
    assert "Lê Văn Trong" in text
    for outside in ("Người Ngoài", "Huyện Ngoài Phạm Vi", "Xã Ngoài", "OUT-B"):
        assert outside not in text, outside
    screenshot(page, "scoped-6-officer-report")


def test_a_winner_downloads_the_certificate_and_its_qr_code_verifies_it(desktop_page, world):
    page = desktop_page
    winner = world.people["inside"]
    sign_in(page, winner.email)
    page.goto("/my-results")
    section = page.locator("section.my-contest").filter(has=page.get_by_role("heading", name="Cuộc thi toàn tỉnh"))
    row = section.locator("article.my-round").filter(has=page.get_by_role("link", name="Tải giấy chứng nhận"))
    expect(row).to_have_count(1)
    screenshot(page, "scoped-7-my-results")
    with page.expect_download() as download:
        row.get_by_role("link", name="Tải giấy chứng nhận").click()
    pdf = pypdf.PdfReader(io.BytesIO(download.value.path().read_bytes()))
    text = pdf.pages[0].extract_text()
    assert "Lê Văn Trong" in text and "Giải Nhất" in text
    [address] = qr_texts(pdf.pages[0])
    base = page.url.split("/my-results")[0]
    assert re.fullmatch(rf"{re.escape(base)}/xac-minh/[A-Z0-9]+", address), address
    page.goto(address)
    expect(page.get_by_role("heading", level=1)).to_contain_text("Giấy chứng nhận hợp lệ")
    expect(page.locator(".certificate-facts")).to_contain_text("Giải Nhất")
    expect(page.locator(".certificate-facts")).to_contain_text("Cuộc thi toàn tỉnh")
    screenshot(page, "scoped-8-certificate-verified")
