"""The organizer's console end to end, from an empty database, in a real browser: the unit tree and a question
bank imported through their previews, a contest of two rounds created in the form, a round copied, the contest
published; simulated participants take the first round through the JSON API; the dashboard's figures move; the
question whose key was typed wrong is flagged by the question statistics and fixed through the regrade preview,
and the participants' scores follow. Every screen checked with axe and kept as a screenshot."""

from __future__ import annotations

import random
import re
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect
from sqlalchemy import func, select

from quizapp.extensions import db
from quizapp.models import Attempt, AttemptQuestion, Question, Role, Round
from quizapp.models.types import utcnow
from tests.browser.conftest import screenshot
from tests.browser.test_bank_upload import sign_in

pytestmark = pytest.mark.browser

VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")
TREE = ("Mã,Tên đơn vị,Mã cấp trên,Số thành viên\n"
        "T,Tỉnh Thử,,400\n"
        "T-A,Huyện A,T,200\n"
        "T-B,Huyện B,T,200\n")
#: Five questions; the key of the first is typed wrong (B, where the sources say C: Bến Nhà Rồng).
BANK = ("STT,Câu hỏi,A,B,C,D,Đáp án,Chủ đề,Mức độ,Giải thích,Nguồn\n"
        "1,Ngày 5/6/1911 Nguyễn Tất Thành ra đi tìm đường cứu nước từ bến cảng nào?,Bến Cảng Hải Phòng,"
        "Bến Cảng Đà Nẵng,Bến Nhà Rồng,Bến Cảng Quy Nhơn,B,Lịch sử,,,Hồ Chí Minh Biên niên tiểu sử t.1\n"
        "2,Chủ tịch Hồ Chí Minh đọc Tuyên ngôn độc lập vào ngày nào?,2/9/1945,19/8/1945,6/1/1946,"
        "19/12/1946,A,Lịch sử,,,Hồ Chí Minh Toàn tập t.4\n"
        "3,Hội Việt Nam Cách mạng Thanh niên được thành lập năm nào?,1923,1925,1927,1930,B,Lịch sử,,,"
        "Hồ Chí Minh Biên niên tiểu sử t.1\n"
        "4,Đảng Cộng sản Việt Nam được thành lập năm nào?,1925,1929,1930,1945,C,Lịch sử,,,"
        "Văn kiện Đảng toàn tập t.2\n"
        "5,Tác phẩm «Đường Kách mệnh» xuất bản năm nào?,1925,1927,1930,1941,B,Lịch sử,,,"
        "Hồ Chí Minh Toàn tập t.2\n")
#: What a participant who knows the facts chooses (the true answers, not the typed keys).
TRUE_ANSWERS = ("Bến Nhà Rồng", "2/9/1945", "1925", "1930", "1927")
PARTICIPANTS = 24


@pytest.fixture
def playwright_api(browser, live_server):
    """An HTTP client for the JSON API of the live server (the participants', who need no browser here)."""
    context = browser.new_context(base_url=live_server)
    yield context.request
    context.close()


def _local(moment) -> str:
    return moment.astimezone(VIETNAM).strftime("%Y-%m-%dT%H:%M")


def _fill_round(page, index: int, name: str, opens, closes) -> None:
    prefix = f"#rounds-{index}-"
    page.fill(prefix + "name", name)
    page.fill(prefix + "opens_at", _local(opens))
    page.fill(prefix + "closes_at", _local(closes))
    page.fill(prefix + "question_count", "5")
    page.fill(prefix + "time_limit_seconds", "600")
    page.fill(prefix + "draw-0-topic", "Lịch sử")
    page.fill(prefix + "draw-0-count", "5")
    page.fill(prefix + "prizes-0-name", "Giải Nhất")
    page.fill(prefix + "prizes-0-count", "1")


def _take_round(api, round_id: int) -> dict[int, int]:
    """Each simulated participant registers, signs in, starts, answers and submits through the API: the second
    half know the facts (each answer with probability 0.95), the first half mostly guess. Every choice is drawn
    from a generator seeded by the participant and the question, so the run does not depend on the order the
    server drew. Returns the scores by participant."""
    scores = {}
    for k in range(PARTICIPANTS):
        phone = f"09000200{k:02d}"
        registered = api.post("/api/v1/auth/register", data={
            "full_name": f"Người Thử {k}", "phone": phone, "password": "mat-khau-thu-2026",
            "unit_code": "T-A" if k % 2 else "T-B"})
        assert registered.status == 201, registered.text()
        token = api.post("/api/v1/auth/token", data={"login": phone, "password": "mat-khau-thu-2026"}).json()["token"]
        headers = {"Authorization": f"Bearer {token}"}
        started = api.post(f"/api/v1/rounds/{round_id}/attempts", headers=headers)
        assert started.status == 201, started.text()
        attempt = started.json()
        answers = {}
        for question in attempt["questions"]:
            rng = random.Random(f"{k}:{question['text']}")
            options = sorted(question["options"], key=lambda option: option["text"])
            known = next(o for o in options if o["text"] in TRUE_ANSWERS)
            guess = rng.choice(options)
            knows = rng.random() < (0.95 if k >= PARTICIPANTS // 2 else 0.15)
            answers[str(question["id"])] = (known if knows else guess)["id"]
        submitted = api.post(f"/api/v1/attempts/{attempt['attempt_id']}/submit", headers=headers,
                             data={"answers": answers})
        assert submitted.status == 200, submitted.text()
        scores[k] = submitted.json()["correct_count"]
    return scores


def test_an_organizer_runs_a_contest_from_an_empty_database(desktop_page, make_user, tmp_path, playwright_api):
    make_user(Role.ORGANIZER, email="btc@example.test")
    make_user(Role.JUDGE, email="bgk@example.test")
    (tmp_path / "don_vi.csv").write_text(TREE, encoding="utf-8")
    (tmp_path / "lich_su.csv").write_text(BANK, encoding="utf-8")
    page = desktop_page
    sign_in(page, "btc@example.test")

    page.goto("/organizer/units")
    page.get_by_label("Tệp cây đơn vị (.xlsx hoặc .csv)").set_input_files(str(tmp_path / "don_vi.csv"))
    page.get_by_role("button", name="Xem trước").click()
    page.get_by_role("button", name="Xác nhận nhập").click()
    expect(page.get_by_text("Đã nhập cây đơn vị: 3 đơn vị mới")).to_be_visible()
    screenshot(page, "journey-units")

    page.goto("/organizer/banks")
    page.get_by_label("Tệp câu hỏi").set_input_files(str(tmp_path / "lich_su.csv"))
    page.get_by_label("Ngân hàng", exact=True).fill("Lịch sử Đảng và Bác Hồ")
    page.get_by_role("button", name="Xem trước").click()
    screenshot(page, "journey-bank-preview")
    page.get_by_role("button", name="Xác nhận nhập 5 câu").click()
    expect(page.get_by_role("status").first).to_contain_text("Đã nhập 5 câu hỏi mới")

    now = utcnow()
    page.get_by_role("link", name="Quản lý cuộc thi").click()
    page.get_by_role("link", name="Tạo cuộc thi").click()
    page.get_by_label("Tên cuộc thi").fill("Tìm hiểu lịch sử Đảng (thử)")
    page.get_by_label("Thể lệ").fill("Mỗi người được thi **một lượt** mỗi tuần.")
    _fill_round(page, 0, "Tuần 1", now - timedelta(hours=1), now + timedelta(days=6))
    page.get_by_role("button", name="Thêm đợt thi").click()
    _fill_round(page, 1, "Tuần 2", now + timedelta(days=6), now + timedelta(days=13))
    page.get_by_role("button", name="Tạo cuộc thi").click()
    expect(page.get_by_role("status").first).to_contain_text("Đã tạo cuộc thi «Tìm hiểu lịch sử Đảng (thử)»")
    page.locator("#rounds-1").get_by_role("button", name="Sao chép đợt này cho tuần sau").click()
    expect(page.get_by_role("status").first).to_contain_text("Đã thêm đợt «Tuần 3»")
    page.get_by_role("button", name="Công bố cuộc thi").click()
    expect(page.get_by_role("status").first).to_contain_text("Cuộc thi đã được công bố.")
    screenshot(page, "journey-contest-published")
    first = db.session.scalar(select(Round).where(Round.name == "Tuần 1"))
    assert db.session.scalar(select(func.count()).select_from(Round).where(
        Round.contest_id == first.contest_id)) == 3

    page.goto(f"/organizer/dashboard/rounds/{first.id}")
    expect(page.locator('[data-figure="entries"]').first).to_have_text("0")
    scores = _take_round(playwright_api, first.id)
    page.reload()
    expect(page.locator('[data-figure="entries"]').first).to_have_text(str(PARTICIPANTS))
    screenshot(page, "journey-dashboard")

    wrong_key = db.session.scalar(select(Question).where(Question.text.like("Ngày 5/6/1911%")))
    page.goto(f"/judge/rounds/{first.id}/questions")
    flagged = page.locator(f"#question-{wrong_key.id}")
    expect(flagged).to_have_class(re.compile("flagged"))
    screenshot(page, "journey-question-quality")
    flagged.get_by_role("link", name=re.compile("Xem trước chấm lại câu")).click()
    expect(page.get_by_role("heading", name="Xác nhận đổi đáp án thành C và chấm lại")).to_be_visible()
    expect(page.get_by_label("Xem trước với đáp án đúng khác")).to_have_value("C")  # what the strongest chose
    page.get_by_label("Lý do chấm lại").fill("Đáp án gốc nhầm: theo Biên niên tiểu sử, Bến Nhà Rồng (C)")
    screenshot(page, "journey-regrade-preview")
    page.get_by_role("button", name="Đổi đáp án và chấm lại").click()
    expect(page.get_by_role("status").first).to_be_visible()

    db.session.expire_all()
    after = dict(db.session.execute(select(Attempt.user_id, Attempt.correct_count)
                                    .where(Attempt.round_id == first.id)).tuples().all())
    chosen = db.session.scalars(select(AttemptQuestion.chosen_option_id).where(
        AttemptQuestion.question_id == wrong_key.id)).all()
    nha_rong = next(o.id for o in wrong_key.options if o.text == "Bến Nhà Rồng")
    old_key = next(o.id for o in wrong_key.options if o.text == "Bến Cảng Đà Nẵng")
    gained, lost = chosen.count(nha_rong), chosen.count(old_key)
    assert gained > lost  # those who knew Bến Nhà Rồng gain their mark, the few who chose the typo lose it
    assert sum(after.values()) == sum(scores.values()) + gained - lost
