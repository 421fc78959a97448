"""Contests and the judges' screens for staff scoped to a unit: a scoped organizer lists, creates and edits only
contests of their subtree (the audience prefilled with their unit; an audience outside or empty, and a draw that
would reach other units' private banks, refused beside the field with nothing saved); a scoped judge lists and
reads the audit log of their subtree's contests only, and may not regrade a question that rounds outside it used.
Unscoped staff see and do everything, as before."""

from __future__ import annotations

import csv
import io
import random
import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from quizapp.domain.attempts import AttemptError
from quizapp.domain.banks import ImportLimits
from quizapp.extensions import db
from quizapp.models import Attempt, AttemptStatus, AuditEntry, Bank, Contest, DrawRule, Role, Round
from quizapp.models.contests import ContestAudienceUnit
from quizapp.models.types import utcnow
from quizapp.services.attempts.start import start_or_resume
from quizapp.services.banks import import_bank
from quizapp.services.contests import contest_audience
from quizapp.services.regrade import correct_index
from tests.conftest import TEST_PASSWORD
from tests.services.test_flags import add_entry, build_scene, build_units
from tests.services.test_standings import person

BANK_CSV = "Câu hỏi,A,B,C,D,Đáp án,Chủ đề\n" + "".join(f"Câu {{bank}} số {n}?,1,2,3,4,A,Lịch sử\n"
                                                         for n in range(1, 7))


def add_bank(name: str, owner_id: int | None) -> Bank:
    """Six questions (topic Lịch sử) in a bank owned by the unit ``owner_id`` (None: shared)."""
    import_bank(bank_name=name, filename="b.csv", data=BANK_CSV.replace("{bank}", name).encode(), actor=None,
                now=utcnow(), limits=ImportLimits())
    bank = db.session.scalar(select(Bank).where(Bank.name == name))
    bank.scope_unit_id = owner_id
    db.session.commit()
    return bank


def add_contest(title: str, audience: list[int], *, opens_in: timedelta = timedelta(days=1)) -> Contest:
    """A published contest with one round (a week from ``opens_in``) for the units ``audience``."""
    now = utcnow()
    contest = Contest(title=title, collective_level=2, published=True, created_at=now)
    contest.rounds = [Round(position=1, name="Tuần 1", opens_at=now + opens_in, closes_at=now + opens_in
                            + timedelta(days=7), question_count=3, time_limit_seconds=600, max_attempts=2)]
    contest.audience_units = [ContestAudienceUnit(unit_id=unit_id, position=i)
                              for i, unit_id in enumerate(audience, start=1)]
    db.session.add(contest)
    db.session.commit()
    return contest


def signed_in(app, user):
    """A client of its own, signed in as ``user`` (several accounts in one test)."""
    client = app.test_client()
    response = client.post("/login", data={"login": user.email, "password": TEST_PASSWORD})
    assert response.status_code == 302
    return client


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def csrf(html: str) -> str:
    return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html)[1]


def errors_of(html: str, field_id: str) -> str:
    """The problems shown beside the field ``field_id`` ('' when none)."""
    found = re.search(rf'<ul class="errors" id="{re.escape(field_id)}-errors">(.*?)</ul>', html, re.S)
    return found[1] if found else ""


@pytest.fixture
def world(app):
    """Tỉnh Thử (P) › Huyện Một (D1) › Xã Một A (D1A); P › Huyện Hai (D2). Banks of D1, of D2 and a shared one;
    contests for D1A (inside D1), for D2, and for the whole tree."""
    units = build_units()
    banks = {"d1": add_bank("Ngân hàng Huyện Một", units["D1"].id),
             "d2": add_bank("Ngân hàng Huyện Hai", units["D2"].id), "shared": add_bank("Ngân hàng chung", None)}
    contests = {"d1a": add_contest("Cuộc thi của Xã Một A", [units["D1A"].id]),
                "d2": add_contest("Cuộc thi của Huyện Hai", [units["D2"].id]),
                "all": add_contest("Cuộc thi toàn tỉnh", [])}
    return {"units": units, "banks": banks, "contests": contests}


@pytest.fixture
def scoped_organizer(world, make_user, login):
    return login(make_user(Role.ORGANIZER, full_name="Tổ Chức Huyện Một", scope_unit_id=world["units"]["D1"].id))


def form(audience: str, **extra: str) -> dict[str, str]:
    """A contest of one round drawing three questions from the D1 bank, for ``audience``."""
    data = {"title": "Tìm hiểu lịch sử Huyện Một", "collective_level": "3", "collective_metric": "participants",
            "audience": audience, "rounds-0-name": "Tuần 1", "rounds-0-opens_at": "2030-11-23T00:00",
            "rounds-0-closes_at": "2030-11-30T00:00", "rounds-0-question_count": "3",
            "rounds-0-time_limit_seconds": "600", "rounds-0-grace_seconds": "10", "rounds-0-max_attempts": "1",
            "rounds-0-prediction_answer": "perfect_scores", "rounds-0-min_correct_for_prize": "0",
            "rounds-0-review": "after_close", "rounds-0-draw-0-bank": "Ngân hàng Huyện Một",
            "rounds-0-draw-0-count": "3", "rounds-0-prizes-0-name": "Giải Nhất", "rounds-0-prizes-0-count": "1"}
    data.update(extra)
    return data


def post_new(client, data: dict[str, str]):
    token = csrf(client.get("/organizer/contests/new").get_data(as_text=True))
    return client.post("/organizer/contests/new", data={"csrf_token": token, **data})


# --- the organizer's list and form -----------------------------------------------------------------------------

def test_a_scoped_organizer_lists_only_the_contests_of_their_subtree(world, scoped_organizer, app, make_user):
    html = scoped_organizer.get("/organizer/contests").get_data(as_text=True)
    assert "Cuộc thi của Xã Một A" in html
    assert "Cuộc thi của Huyện Hai" not in html and "Cuộc thi toàn tỉnh" not in html
    other = world["contests"]["d2"].id
    assert scoped_organizer.get(f"/organizer/contests/{other}/edit").status_code == 403

    everyone = signed_in(app, make_user(Role.ORGANIZER)).get("/organizer/contests").get_data(as_text=True)
    assert all(title in everyone for title in ("Cuộc thi của Xã Một A", "Cuộc thi của Huyện Hai",
                                               "Cuộc thi toàn tỉnh"))


def test_the_new_contest_form_starts_with_their_unit_and_offers_only_the_banks_they_may_read(scoped_organizer):
    html = scoped_organizer.get("/organizer/contests/new").get_data(as_text=True)
    assert re.search(r'id="audience"[^>]*value="D1"', html) or re.search(r'value="D1"[^>]*id="audience"', html)
    assert "Bạn phụ trách «Huyện Một» (mã D1)" in html
    banks = html.split('<datalist id="draw-banks">')[1].split("</datalist>")[0]
    assert "Ngân hàng Huyện Một" in banks and "Ngân hàng chung" in banks and "Ngân hàng Huyện Hai" not in banks
    counts = scoped_organizer.get("/organizer/contests/question-counts").get_json()["cells"]
    assert {cell["bank"] for cell in counts} == {"Ngân hàng Huyện Một", "Ngân hàng chung"}


def test_a_scoped_organizer_creates_a_contest_for_their_subtree(world, scoped_organizer):
    response = post_new(scoped_organizer, form("D1A"))
    assert response.status_code == 302, response.get_data(as_text=True)
    contest = db.session.scalar(select(Contest).where(Contest.title == "Tìm hiểu lịch sử Huyện Một"))
    assert [unit.code for unit in contest_audience(contest.id).units] == ["D1A"]
    assert [rule.bank_id for rule in contest.rounds[0].draw_rules] == [world["banks"]["d1"].id]
    listed = scoped_organizer.get("/organizer/contests").get_data(as_text=True)
    assert "Tìm hiểu lịch sử Huyện Một" in listed
    assert scoped_organizer.get(f"/organizer/contests/{contest.id}/edit").status_code == 200
    shared = post_new(scoped_organizer, form("D1", title="Cuộc thi ngân hàng chung",
                                             **{"rounds-0-draw-0-bank": "Ngân hàng chung"}))
    assert shared.status_code == 302


@pytest.mark.parametrize(("audience", "expected"), [
    ("D2", "Đơn vị «D2» không thuộc «Huyện Một»"),
    ("D1, P", "Đơn vị «P» không thuộc «Huyện Một»"),
    ("", "Hãy ghi mã đơn vị dự thi: «Huyện Một» hoặc các đơn vị trực thuộc."),
])
def test_an_audience_outside_the_subtree_or_empty_is_refused_beside_the_field(world, scoped_organizer, audience,
                                                                               expected):
    before = count(Contest), count(AuditEntry)
    response = post_new(scoped_organizer, form(audience))
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert expected in errors_of(html, "audience")
    assert "Chưa lưu được" in html
    assert (count(Contest), count(AuditEntry)) == before


def test_a_draw_that_would_reach_other_units_banks_is_refused_beside_the_field(world, scoped_organizer):
    before = count(Contest)
    no_bank = post_new(scoped_organizer, form("D1", **{"rounds-0-draw-0-bank": "",
                                                       "rounds-0-draw-0-topic": "Lịch sử"}))
    assert no_bank.status_code == 422
    assert "Chọn ngân hàng câu hỏi cho dòng này" in errors_of(no_bank.get_data(as_text=True),
                                                            "rounds-0-draw-0-bank")
    other_units = post_new(scoped_organizer, form("D1", **{"rounds-0-draw-0-bank": "Ngân hàng Huyện Hai"}))
    assert other_units.status_code == 422
    assert "Không có ngân hàng câu hỏi nào tên «Ngân hàng Huyện Hai»" in errors_of(
        other_units.get_data(as_text=True), "rounds-0-draw-0-bank")
    no_draw = post_new(scoped_organizer, form("D1", **{"rounds-0-draw-0-bank": "", "rounds-0-draw-0-count": ""}))
    assert no_draw.status_code == 422
    assert "Hãy thêm ít nhất một dòng rút câu hỏi có chọn ngân hàng" in errors_of(
        no_draw.get_data(as_text=True), "rounds-0-draw")
    assert count(Contest) == before


def test_a_scoped_organizer_edits_their_contest_but_not_its_audience_out_of_the_subtree(world, scoped_organizer):
    post_new(scoped_organizer, form("D1A"))
    contest = db.session.scalar(select(Contest).where(Contest.title == "Tìm hiểu lịch sử Huyện Một"))
    page = scoped_organizer.get(f"/organizer/contests/{contest.id}/edit").get_data(as_text=True)
    edited = form("D1A", title="Tìm hiểu lịch sử Huyện Một (sửa)", **{"rounds-0-id": str(contest.rounds[0].id)})
    saved = scoped_organizer.post(f"/organizer/contests/{contest.id}/edit", data={"csrf_token": csrf(page), **edited})
    assert saved.status_code == 302, saved.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Contest, contest.id).title == "Tìm hiểu lịch sử Huyện Một (sửa)"

    outside = {**edited, "audience": "D1A, D2", "title": "Không được lưu"}
    refused = scoped_organizer.post(f"/organizer/contests/{contest.id}/edit", data={"csrf_token": csrf(page),
                                                                                  **outside})
    assert refused.status_code == 422
    assert "Đơn vị «D2» không thuộc «Huyện Một»" in errors_of(refused.get_data(as_text=True), "audience")
    db.session.expire_all()
    assert db.session.get(Contest, contest.id).title == "Tìm hiểu lịch sử Huyện Một (sửa)"
    assert [unit.code for unit in contest_audience(contest.id).units] == ["D1A"]

    no_bank = {**edited, "rounds-0-draw-0-bank": "", "rounds-0-draw-0-topic": "Lịch sử"}
    refused = scoped_organizer.post(f"/organizer/contests/{contest.id}/edit", data={"csrf_token": csrf(page),
                                                                                  **no_bank})
    assert refused.status_code == 422
    assert db.session.scalar(select(DrawRule.bank_id).where(DrawRule.round_id == contest.rounds[0].id)) \
        == world["banks"]["d1"].id


def test_unscoped_organizers_still_create_contests_for_everyone_drawing_from_every_bank(world, make_user, login):
    client = login(make_user(Role.ORGANIZER))
    response = post_new(client, form("", **{"rounds-0-draw-0-bank": "", "rounds-0-draw-0-topic": "Lịch sử"}))
    assert response.status_code == 302, response.get_data(as_text=True)
    contest = db.session.scalar(select(Contest).where(Contest.title == "Tìm hiểu lịch sử Huyện Một"))
    assert not contest_audience(contest.id).limited


# --- the judges ------------------------------------------------------------------------------------------------

@pytest.fixture
def scoped_judge(world, make_user, login):
    return login(make_user(Role.JUDGE, full_name="Giám Khảo Huyện Một", scope_unit_id=world["units"]["D1"].id))


def test_a_scoped_judge_lists_only_their_subtrees_contests_and_their_audit_entries(world, app, make_user):
    units = world["units"]
    inside = build_scene(units=units, title="Cuộc thi của Huyện Một", round_name="Đợt trong")
    db.session.add(ContestAudienceUnit(contest_id=inside.contest.id, unit_id=units["D1"].id, position=1))
    outside = build_scene(units=units, title="Cuộc thi của cả tỉnh", round_name="Đợt ngoài")
    db.session.commit()
    add_entry(inside, "Người Trong", correct=2, unit="D1A")
    add_entry(outside, "Người Ngoài", correct=2, unit="D2")
    unscoped = signed_in(app, make_user(Role.JUDGE))
    for scene, name, reason in ((inside, "Người Trong", "Lý do trong huyện"),
                                (outside, "Người Ngoài", "Lý do ngoài huyện")):
        unscoped.post(f"/judge/rounds/{scene.round.id}/disqualify",
                      data={"user_id": scene.users[name].id, "reason": reason})

    judge = signed_in(app, make_user(Role.JUDGE, scope_unit_id=units["D1"].id))
    index = judge.get("/judge").get_data(as_text=True)
    assert "Cuộc thi của Huyện Một" in index and "Cuộc thi của Xã Một A" in index
    assert "Cuộc thi của cả tỉnh" not in index and "Cuộc thi của Huyện Hai" not in index
    log = judge.get("/judge/audit").get_data(as_text=True)
    assert "Lý do trong huyện" in log and "Người Trong" in log
    assert "Lý do ngoài huyện" not in log and "Người Ngoài" not in log and "Cuộc thi của cả tỉnh" not in log
    asked = judge.get("/judge/audit", query_string={"contest": outside.contest.id}).get_data(as_text=True)
    assert "Lý do ngoài huyện" not in asked
    assert judge.get(f"/judge/rounds/{outside.round.id}").status_code == 403

    everything = unscoped.get("/judge/audit").get_data(as_text=True)
    assert "Lý do trong huyện" in everything and "Lý do ngoài huyện" in everything


def test_a_scoped_judge_may_not_regrade_a_question_rounds_outside_their_subtree_used(world, app, make_user):
    """Even a question of their own unit's bank, once a contest of the level above drew it."""
    units = world["units"]
    inside = build_scene(units=units, title="Cuộc thi của Huyện Một")
    db.session.add(ContestAudienceUnit(contest_id=inside.contest.id, unit_id=units["D1"].id, position=1))
    db.session.get(Bank, inside.questions[0].bank_id).scope_unit_id = units["D1"].id
    db.session.commit()
    outside = build_scene(units=units, title="Cuộc thi toàn tỉnh khác")
    outside.questions = inside.questions  # the level above drew the same questions
    add_entry(inside, "Người Trong", correct=2, unit="D1A")
    add_entry(outside, "Người Ngoài", correct=2, unit="D2")
    question = inside.questions[0]
    judge = signed_in(app, make_user(Role.JUDGE, scope_unit_id=units["D1"].id))

    preview = judge.get(f"/judge/questions/{question.id}/regrade?answer=B")
    assert preview.status_code == 403
    html = preview.get_data(as_text=True)
    assert "đã được dùng trong 1 đợt thi ngoài phạm vi đơn vị bạn phụ trách" in html
    assert "Người Ngoài" not in html and "Cuộc thi toàn tỉnh khác" not in html
    before = count(AuditEntry)
    applied = judge.post(f"/judge/questions/{question.id}/regrade", data={"answer": "B", "reason": "Sai đáp án"})
    assert applied.status_code == 403
    db.session.expire_all()
    assert correct_index(db.session.get(type(question), question.id)) == 0 and count(AuditEntry) == before

    unscoped = signed_in(app, make_user(Role.JUDGE))
    assert unscoped.get(f"/judge/questions/{question.id}/regrade?answer=B").status_code == 200


def test_a_scoped_judge_regrades_a_question_only_their_rounds_used(world, make_user, login):
    units = world["units"]
    inside = build_scene(units=units, title="Cuộc thi của Huyện Một")
    db.session.add(ContestAudienceUnit(contest_id=inside.contest.id, unit_id=units["D1"].id, position=1))
    db.session.get(Bank, inside.questions[0].bank_id).scope_unit_id = units["D1"].id
    db.session.commit()
    add_entry(inside, "Người Trong", correct=2, unit="D1A")
    question = inside.questions[0]
    judge = login(make_user(Role.JUDGE, scope_unit_id=units["D1"].id))
    assert judge.get(f"/judge/questions/{question.id}/regrade?answer=B").status_code == 200
    done = judge.post(f"/judge/questions/{question.id}/regrade", data={"answer": "B", "reason": "Sai đáp án"})
    assert done.status_code == 302
    db.session.expire_all()
    assert correct_index(db.session.get(type(question), question.id)) == 1


def test_the_exports_of_a_scoped_contest_hold_only_its_audience(world, make_user, login):
    """Only the audience can start a round, so the judges' downloads of it name no one else."""
    units = world["units"]
    contest = world["contests"]["d1a"]
    round_ = contest.rounds[0]
    round_.opens_at = utcnow() - timedelta(hours=1)
    round_.draw_rules = [DrawRule(position=1, bank_id=world["banks"]["d1"].id, count=3)]
    db.session.commit()
    member = person("Thành Viên Xã Một A", units["D1A"])
    stranger = person("Người Huyện Hai", units["D2"])
    started = start_or_resume(round_.id, member.id, now=utcnow(), rng=random.Random(1))
    db.session.commit()
    with pytest.raises(AttemptError) as refused:
        start_or_resume(round_.id, stranger.id, now=utcnow(), rng=random.Random(2))
    assert refused.value.code == "outside_audience"
    db.session.rollback()
    attempt = db.session.get(Attempt, started.id)
    attempt.status, attempt.submitted_at, attempt.duration_ms, attempt.correct_count = (
        AttemptStatus.SUBMITTED, utcnow(), 60_000, 2)
    db.session.commit()

    judge = login(make_user(Role.JUDGE, scope_unit_id=units["D1"].id))
    exported = judge.get(f"/judge/rounds/{round_.id}/results.csv")
    assert exported.status_code == 200
    rows = list(csv.DictReader(io.StringIO(exported.get_data(as_text=True).lstrip("\ufeff"))))
    assert [row["full_name"] for row in rows] == ["Thành Viên Xã Một A"]


def test_a_scoped_judges_ranking_filter_finds_only_the_units_of_their_subtree(world, app, make_user):
    units = world["units"]
    inside = build_scene(units=units, title="Cuộc thi của Huyện Một")
    db.session.add(ContestAudienceUnit(contest_id=inside.contest.id, unit_id=units["D1"].id, position=1))
    db.session.commit()
    add_entry(inside, "Người Trong", correct=2, unit="D1A")
    judge = signed_in(app, make_user(Role.JUDGE, scope_unit_id=units["D1"].id))
    page = judge.get(f"/judge/rounds/{inside.round.id}", query_string={"unit": "D2"}).get_data(as_text=True)
    assert "Không có đơn vị nào có tên hoặc mã «D2»." in page
    page = judge.get(f"/judge/rounds/{inside.round.id}", query_string={"unit": "huyen"}).get_data(as_text=True)
    assert "Huyện Hai" not in page and "Người Trong" in page  # one unit of theirs matches: it is chosen
    unscoped = signed_in(app, make_user(Role.JUDGE))
    page = unscoped.get(f"/judge/rounds/{inside.round.id}", query_string={"unit": "huyen"}).get_data(as_text=True)
    assert "Có nhiều đơn vị khớp «huyen»" in page and "Huyện Hai" in page


def test_a_round_drawn_from_every_bank_by_the_level_above_is_not_copied_by_a_scoped_organizer(world, app,
                                                                                              make_user):
    contest = world["contests"]["d1a"]  # made above for Xã Một A; its round draws from every bank
    round_id = contest.rounds[0].id
    client = signed_in(app, make_user(Role.ORGANIZER, scope_unit_id=world["units"]["D1"].id))
    response = client.post(f"/organizer/contests/{contest.id}/rounds/{round_id}/copy", follow_redirects=True)
    html = response.get_data(as_text=True)
    assert "Không sao chép được đợt này: Hãy thêm ít nhất một dòng rút câu hỏi có chọn ngân hàng" in html
    db.session.expire_all()
    assert len(db.session.get(Contest, contest.id).rounds) == 1
