"""Flags worth a judge's look: fast attempts, shared devices, citizen-ID patterns, IP bursts.

The builders at the top (a closed round with prize tiers, a small unit tree, a bank and finished attempts written
directly) are shared with the regrade, judges' pages and announcement tests.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from itertools import count

import pytest
from sqlalchemy import event

from quizapp.extensions import db
from quizapp.models import (
    Attempt,
    AttemptQuestion,
    AttemptStatus,
    Bank,
    Contest,
    Disqualification,
    Option,
    PredictionAnswer,
    PrizeKind,
    PrizeTier,
    Question,
    Role,
    Round,
    Unit,
    User,
)
from quizapp.services.flags import FlagSettings, round_flags
from tests.services.test_standings import add_units

NOW = datetime(2026, 11, 30, 8, 0, tzinfo=UTC)
_serial = count(1)


# --- builders shared with the other judges' tests -------------------------------------------------------------

@dataclass
class Scene:
    contest: Contest
    round: Round
    questions: list[Question]
    units: dict[str, Unit]
    users: dict[str, User] = field(default_factory=dict)


def build_units() -> dict[str, Unit]:
    """Tỉnh Thử (P) → Huyện Một (D1) → Xã Một A (D1A); Tỉnh Thử → Huyện Hai (D2)."""
    return add_units([("P", "Tỉnh Thử", None, 1000), ("D1", "Huyện Một", "P", 100), ("D2", "Huyện Hai", "P", 200),
                      ("D1A", "Xã Một A", "D1", 50)])


def build_bank(question_count: int) -> list[Question]:
    """``question_count`` questions of 4 options, option A (position 0) correct."""
    bank = Bank(name=f"Ngân hàng giám khảo {next(_serial)}")
    db.session.add(bank)
    db.session.flush()
    questions = []
    for n in range(1, question_count + 1):
        text = f"Câu hỏi thử số {n} của {bank.name}?"
        question = Question(bank_id=bank.id, text=text, text_hash=hashlib.sha256(text.encode()).hexdigest(),
                            topic="Tư tưởng Hồ Chí Minh")
        question.options = [Option(position=p, text=f"Phương án {'ABCD'[p]} câu {n}", is_correct=p == 0)
                            for p in range(4)]
        db.session.add(question)
        questions.append(question)
    db.session.commit()
    return questions


def build_scene(*, prizes=(("Giải Nhất", 1), ("Giải Nhì", 1), ("Giải Ba", 1)), question_count: int = 4,
                collective_prizes=(("Giải tập thể", 1),), prediction_answer=PredictionAnswer.PARTICIPANTS,
                title: str = "Tìm hiểu tư tưởng, đạo đức, phong cách Hồ Chí Minh năm 2026",
                round_name: str = "Tuần 1", units: dict[str, Unit] | None = None,
                contest: Contest | None = None) -> Scene:
    """A contest with one round that closed an hour before NOW, prize tiers, and a bank for its questions."""
    units = units or build_units()
    questions = build_bank(question_count)
    if contest is None:
        contest = Contest(title=title, collective_level=2, rules="Thể lệ thử.")
        db.session.add(contest)
        db.session.flush()
        for position, (name, number) in enumerate(collective_prizes, start=1):
            db.session.add(PrizeTier(contest_id=contest.id, kind=PrizeKind.COLLECTIVE, position=position,
                                     name=name, count=number))
    round_ = Round(contest_id=contest.id, position=len(contest.rounds) + 1, name=round_name,
                   opens_at=NOW - timedelta(days=7), closes_at=NOW - timedelta(hours=1),
                   question_count=question_count, time_limit_seconds=900, max_attempts=3,
                   prediction_question="Có bao nhiêu người dự thi?", prediction_answer=prediction_answer)
    db.session.add(round_)
    db.session.flush()
    for position, (name, number) in enumerate(prizes, start=1):
        db.session.add(PrizeTier(contest_id=contest.id, round_id=round_.id, kind=PrizeKind.INDIVIDUAL,
                                 position=position, name=name, count=number))
    db.session.commit()
    return Scene(contest=contest, round=round_, questions=questions, units=units)


def make_participant(scene: Scene, name: str, *, unit: str = "D1", **columns) -> User:
    n = next(_serial)
    columns.setdefault("phone", f"09{n:08d}")
    user = User(role=Role.PARTICIPANT, full_name=name, name_key=name.lower(), password_hash="x",
                unit_id=scene.units[unit].id, created_at=NOW - timedelta(days=30), **columns)
    db.session.add(user)
    db.session.commit()
    scene.users[name] = user
    return user


def add_entry(scene: Scene, name: str, *, correct: int, duration_ms: int = 300_000, prediction: int | None = None,
              started_at: datetime | None = None, device_id: str | None = None, client_ip: str | None = None,
              unit: str = "D1", status: AttemptStatus = AttemptStatus.SUBMITTED,
              chosen: list[int] | None = None, **columns) -> Attempt:
    """A finished attempt of participant ``name`` (created on first use) over all the scene's questions.

    ``chosen`` gives the option position picked per question; by default the first ``correct`` questions are
    answered A (correct) and the others B.
    """
    user = scene.users.get(name) or make_participant(scene, name, unit=unit, **columns)
    number = db.session.query(Attempt).filter_by(round_id=scene.round.id, user_id=user.id).count() + 1
    started = started_at or scene.round.closes_at - timedelta(hours=3) + timedelta(seconds=next(_serial))
    chosen = chosen if chosen is not None else [0 if i < correct else 1 for i in range(len(scene.questions))]
    attempt = Attempt(round_id=scene.round.id, user_id=user.id, number=number, status=status, started_at=started,
                      deadline_at=started + timedelta(seconds=900), submitted_at=started + timedelta(
                          milliseconds=duration_ms), duration_ms=duration_ms, question_count=len(scene.questions),
                      correct_count=sum(1 for c in chosen if c == 0), prediction=prediction, client_ip=client_ip,
                      device_id=device_id)
    db.session.add(attempt)
    db.session.flush()
    for position, (question, option_position) in enumerate(zip(scene.questions, chosen, strict=True), start=1):
        option = question.options[option_position]
        db.session.add(AttemptQuestion(attempt_id=attempt.id, position=position, question_id=question.id,
                                       option_order=",".join(str(o.id) for o in question.options),
                                       shown_option_ids=",".join(str(900 + o.id) for o in question.options),
                                       chosen_option_id=option.id, answered_at=started, is_correct=option.is_correct))
    db.session.commit()
    return attempt


# --- the flags --------------------------------------------------------------------------------------------------

@pytest.fixture
def scene(app) -> Scene:
    return build_scene(question_count=10)


def _flag_user_ids(groups) -> list[set[int]]:
    return [{account.user_id for account in group.accounts} for group in groups]


def test_a_planted_fast_attempt_is_flagged_and_an_ordinary_one_is_not(scene):
    fast = add_entry(scene, "Trần Văn Nhanh", correct=10, duration_ms=12_000)      # 1.2 s a question
    add_entry(scene, "Lê Thị Thường", correct=9, duration_ms=240_000)               # 24 s a question
    add_entry(scene, "Phạm Văn Vừa", correct=8, duration_ms=20_000)                 # exactly 2 s: not below
    add_entry(scene, "Hết Giờ", correct=1, duration_ms=5_000, status=AttemptStatus.EXPIRED)

    flags = round_flags(scene.round)

    assert [f.attempt_id for f in flags.fast] == [fast.id]
    assert flags.fast[0].seconds_per_question == pytest.approx(1.2)
    assert flags.fast[0].full_name == "Trần Văn Nhanh"


def test_the_fast_threshold_follows_the_settings(scene):
    add_entry(scene, "Phạm Văn Vừa", correct=8, duration_ms=20_000)

    assert round_flags(scene.round, FlagSettings(fast_seconds_per_question=2)).fast == []
    assert len(round_flags(scene.round, FlagSettings(fast_seconds_per_question=2.5)).fast) == 1


def test_accounts_sharing_a_device_are_grouped(scene):
    one = add_entry(scene, "Nguyễn Văn Một", correct=5, device_id="dev-shared")
    add_entry(scene, "Nguyễn Văn Một", correct=6, device_id="dev-shared")
    two = add_entry(scene, "Nguyễn Văn Hai", correct=7, device_id="dev-shared")
    add_entry(scene, "Người Riêng", correct=7, device_id="dev-own")  # one account, two attempts: ordinary
    add_entry(scene, "Người Riêng", correct=8, device_id="dev-own")

    groups = round_flags(scene.round).shared_devices

    assert [g.key for g in groups] == ["dev-shared"]
    assert _flag_user_ids(groups) == [{one.user_id, two.user_id}]
    assert {a.full_name: a.attempts for a in groups[0].accounts} == {"Nguyễn Văn Một": 2, "Nguyễn Văn Hai": 1}


def test_citizen_ids_differing_only_in_the_last_two_digits_are_grouped(scene):
    a = add_entry(scene, "Giả Một", correct=5, id_number="001090012301")
    b = add_entry(scene, "Giả Hai", correct=5, id_number="001090012302")
    add_entry(scene, "Cùng Năm Sinh", correct=5, id_number="001090987602")  # same province and year: ordinary
    add_entry(scene, "Không Khai", correct=5)
    outsider = make_participant(scene, "Không Dự Thi", id_number="001090012303")  # no attempt in the round

    groups = round_flags(scene.round).id_patterns

    assert _flag_user_ids(groups) == [{a.user_id, b.user_id}]
    assert outsider.id not in _flag_user_ids(groups)[0]
    assert [acc.id_number for acc in groups[0].accounts] == ["001090012301", "001090012302"]


def test_a_burst_of_attempts_from_one_address_is_flagged(scene):
    start = NOW - timedelta(hours=2)
    burst_ids = {add_entry(scene, f"Thí sinh {i}", correct=5, client_ip="203.0.113.7",
                           started_at=start + timedelta(seconds=30 * i)).id for i in range(4)}
    # the same number of attempts from another address, spread over an hour: ordinary
    for i in range(4):
        add_entry(scene, f"Người ở nhà {i}", correct=5, client_ip="198.51.100.9",
                  started_at=start + timedelta(minutes=20 * i))

    bursts = round_flags(scene.round, FlagSettings(burst_attempts=3, burst_minutes=10)).ip_bursts

    assert [b.client_ip for b in bursts] == ["203.0.113.7"]
    assert bursts[0].attempt_count == len(burst_ids) == 4
    assert bursts[0].last_started_at - bursts[0].first_started_at == timedelta(seconds=90)
    assert len(bursts[0].accounts) == 4
    # exactly N attempts in the window is not "more than N"
    assert round_flags(scene.round, FlagSettings(burst_attempts=4, burst_minutes=10)).ip_bursts == []


def test_disqualified_accounts_are_marked(scene):
    fast = add_entry(scene, "Trần Văn Nhanh", correct=10, duration_ms=5_000)
    db.session.add(Disqualification(round_id=scene.round.id, user_id=fast.user_id, reason="Gian lận",
                                    decided_at=NOW))
    db.session.commit()

    assert round_flags(scene.round).fast[0].disqualified is True


def test_each_kind_of_flag_is_one_query(scene):
    add_entry(scene, "A", correct=10, duration_ms=5_000, device_id="d", client_ip="203.0.113.1",
              id_number="001090012301")
    add_entry(scene, "B", correct=10, duration_ms=5_000, device_id="d", client_ip="203.0.113.1",
              id_number="001090012302")
    assert scene.round.id  # loaded before counting
    statements: list[str] = []

    def count_statement(*args):
        statements.append(args[2])

    event.listen(db.engine, "before_cursor_execute", count_statement)
    try:
        flags = round_flags(scene.round, FlagSettings(burst_attempts=1))
    finally:
        event.remove(db.engine, "before_cursor_execute", count_statement)

    assert flags.total == 2 + 1 + 1 + 1
    assert len(statements) == 4
