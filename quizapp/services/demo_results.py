"""The demo's finished and finalized round: invented participants whose attempts hold per-question answers, so that
the review, the question statistics, the flags and the regrade can be explored with something to show.

What the simulation puts there on purpose:

- each participant has an ability and each question an easiness, so a strong participant answers more questions
  correctly (questions discriminate, as real ones do);
- one question behaves like a question with a wrong key: the stronger a participant, the likelier they choose the
  same distractor; its discrimination is negative and the strongest prefer a distractor, which the question
  statistics flag and which an organizer can fix through the regrade preview;
- a few attempts flagged for the judges: three submitted in about one second a question, two accounts sharing a
  device, and a burst of attempts from one network address.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import insert, select

from quizapp.domain.draw import DrawnQuestion, draw
from quizapp.domain.text import fold
from quizapp.extensions import db
from quizapp.models import (
    Attempt,
    AttemptQuestion,
    AttemptStatus,
    Contest,
    DrawRule,
    Option,
    PrizeKind,
    PrizeTier,
    Role,
    Round,
    Unit,
    User,
)
from quizapp.services import draw_pool
from quizapp.services.contests import VIETNAM
from quizapp.services.results import finalize_round

DEMO_PAST_ROUND = "Đợt thi thử (đã kết thúc)"
DEMO_SIMULATED = 300
#: Simulated participants' phones: 0900000001, 0900000002, …: clearly not real subscribers' numbers.
DEMO_PHONE_PREFIX = "09000"
#: Documentation addresses (RFC 5737): no real network.
DEMO_ADDRESS = "192.0.2.{}"
DEMO_BURST_ADDRESS = "198.51.100.7"
_FAMILY = ("Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Đặng", "Bùi", "Đỗ", "Hồ", "Ngô", "Dương")
_MIDDLE = ("Văn", "Thị", "Minh", "Ngọc", "Thanh", "Đức", "Thu", "Quốc", "Hồng", "Xuân")
_GIVEN = ("An", "Bình", "Chi", "Dũng", "Giang", "Hà", "Hải", "Hùng", "Lan", "Linh", "Mai", "Nam", "Phương",
          "Quân", "Sơn", "Tâm", "Thảo", "Trang", "Tuấn", "Yến")
_CATEGORIES = ("Đảng viên", "Đoàn viên", "Hội viên", "Cán bộ, công chức", "Học sinh")


def load_demo_results(contest_title: str, *, now: datetime, seed: int = 2026) -> str:
    """Once: a round of the demo contest (found by ``contest_title``) that closed a week before ``now``, with
    :data:`DEMO_SIMULATED` invented participants (registered under the demo units, phones ``09000xxxxx``, no
    usable password) and their 1–3 attempts each with their answers, inserted in bulk and then finalized through
    ``quizapp.services.results.finalize_round``."""
    contest = db.session.scalar(select(Contest).where(Contest.title == contest_title))
    if contest is None or not contest.rounds:
        return "Đợt thi thử: chưa tạo vì chưa có cuộc thi mẫu."
    existing = next((r for r in contest.rounds if r.name == DEMO_PAST_ROUND), None)
    if existing is not None:
        return f"Đợt thi thử (đợt {existing.id}): đã có."
    unit_ids = list(db.session.scalars(select(Unit.id).where(Unit.depth >= 2).order_by(Unit.id)))
    if not unit_ids:
        return "Đợt thi thử: chưa tạo vì chưa có cây đơn vị."
    rng = random.Random(seed)
    round_ = _past_round(contest, now)
    user_ids = _simulated_people(rng, unit_ids, round_.opens_at)
    entries = _simulated_attempts(rng, round_, user_ids)
    standings = finalize_round(round_, actor=None, now=now)
    prizes = ", ".join(f"{name} {count}" for name, count in standings.prize_counts())
    return (f"Đợt thi thử «{round_.name}» (đợt {round_.id}): {len(user_ids)} người dự thi (mô phỏng), {entries} "
            f"lượt thi, đã chốt kết quả; đáp án dự đoán {standings.prediction_actual}; giải: {prizes}.")


def _past_round(contest: Contest, now: datetime) -> Round:
    """The demo's past round, before every other round (position below theirs), with the demo's prize tiers."""
    first = contest.rounds[0]
    closes = now.astimezone(VIETNAM).replace(minute=0, second=0, microsecond=0) - timedelta(days=8)
    round_ = Round(contest_id=contest.id, position=min(r.position for r in contest.rounds) - 1,
                   name=DEMO_PAST_ROUND, opens_at=closes - timedelta(days=7), closes_at=closes,
                   question_count=first.question_count, time_limit_seconds=first.time_limit_seconds,
                   grace_seconds=first.grace_seconds, max_attempts=3, prediction_question=first.prediction_question,
                   prediction_answer=first.prediction_answer, review=first.review,
                   draw_rules=[DrawRule(position=r.position, topic=r.topic, bank_id=r.bank_id,
                                        difficulty=r.difficulty, count=r.count) for r in first.draw_rules])
    db.session.add(round_)
    db.session.flush()
    db.session.add_all([PrizeTier(contest_id=contest.id, round_id=round_.id, kind=PrizeKind.INDIVIDUAL,
                                  position=tier.position, name=tier.name, count=tier.count)
                        for tier in first.prize_tiers])
    db.session.flush()
    db.session.refresh(round_)
    return round_


def _simulated_people(rng: random.Random, unit_ids: list[int], registered_at: datetime) -> list[int]:
    """The simulated participants (made once, reused if their phones are already there): ids."""
    phones = [f"{DEMO_PHONE_PREFIX}{n:05d}" for n in range(1, DEMO_SIMULATED + 1)]
    known = dict(db.session.execute(select(User.phone, User.id).where(User.phone.in_(phones))).tuples().all())
    names = [f"{rng.choice(_FAMILY)} {rng.choice(_MIDDLE)} {rng.choice(_GIVEN)}" for _ in phones]
    new = [{"role": Role.PARTICIPANT, "full_name": name, "name_key": fold(name), "phone": phone,
            "password_hash": "!", "unit_id": rng.choice(unit_ids), "category": rng.choice(_CATEGORIES),
            "consent_at": registered_at, "created_at": registered_at, "active": True, "hidden": False,
            "token_version": 0}
           for name, phone in zip(names, phones, strict=True) if phone not in known]
    if new:
        ids = db.session.scalars(insert(User).returning(User.id, sort_by_parameter_order=True), new).all()
        known.update(zip((row["phone"] for row in new), ids, strict=True))
    return [known[phone] for phone in phones]


@dataclass(frozen=True)
class _Bank:
    """What the simulation needs of the round's questions: each one's key, its easiness, and the trap question
    (answered like a question whose key is wrong) with the distractor the strong choose."""

    keys: dict[int, int]
    easiness: dict[int, float]
    trap: int
    trap_distractor: int


def _bank(rng: random.Random, round_: Round) -> tuple[draw_pool.DrawPool, _Bank]:
    revision = db.session.scalar(select(draw_pool.content_revision()))
    pool = draw_pool.pool_for(round_.id, round_.question_count, revision)
    keys = dict(db.session.execute(select(Option.question_id, Option.id).where(
        Option.question_id.in_(list(pool.options)), Option.is_correct.is_(True))).tuples().all())
    easiness = {question_id: rng.gauss(0, 0.12) for question_id in sorted(pool.options)}
    trap = min(pool.quotas, key=lambda quota: len(quota.candidates)).candidates
    trap_id = sorted(trap)[0]
    distractor = next(option for option in pool.options[trap_id] if option != keys.get(trap_id))
    return pool, _Bank(keys=keys, easiness=easiness, trap=trap_id, trap_distractor=distractor)


def _answer(rng: random.Random, bank: _Bank, question: DrawnQuestion, ability: float) -> int | None:
    """The bank's option chosen by a participant of ``ability`` (None: left unanswered)."""
    key = bank.keys.get(question.question_id)
    if question.question_id == bank.trap:  # the stronger, the likelier the same distractor
        return bank.trap_distractor if rng.random() < ability else rng.choice(question.option_ids)
    if rng.random() < 0.03:
        return None
    if rng.random() < min(0.97, max(0.05, ability + bank.easiness[question.question_id])):
        return key
    return rng.choice([option for option in question.option_ids if option != key] or [key])


def _simulated_attempts(rng: random.Random, round_: Round, user_ids: list[int]) -> int:
    """1–3 finished attempts per simulated participant with their answers, in two bulk inserts; returns how many
    attempts. The first three participants answer in about a second a question, the next two share a device and
    the next ten start within minutes from one address (the judges' flags)."""
    pool, bank = _bank(rng, round_)
    window_ms = int((round_.closes_at - round_.opens_at).total_seconds() * 1000) - 3_600_000
    limit_ms = round_.time_limit_seconds * 1000
    burst_start = round_.opens_at + timedelta(days=2)
    attempts, answers = [], []
    for index, user_id in enumerate(user_ids):
        ability = min(0.98, max(0.1, rng.gauss(0.68, 0.18)))
        for number in range(1, rng.choice((1, 1, 2, 3)) + 1):
            questions = draw(pool.quotas, pool.options, rng)
            chosen = [_answer(rng, bank, q, 0.98 if index < 3 else ability) for q in questions]
            correct = [c is not None and c == bank.keys.get(q.question_id) for q, c in zip(questions, chosen,
                                                                                          strict=True)]
            duration = rng.randint(9_000, 12_000) if index < 3 else rng.randint(45_000, limit_ms)
            started = (burst_start + timedelta(seconds=30 * index) if 5 <= index < 15
                       else round_.opens_at + timedelta(milliseconds=rng.randint(0, window_ms)))
            attempts.append({
                "round_id": round_.id, "user_id": user_id, "number": number, "status": AttemptStatus.SUBMITTED,
                "started_at": started, "deadline_at": started + timedelta(milliseconds=limit_ms),
                "submitted_at": started + timedelta(milliseconds=duration), "duration_ms": duration,
                "question_count": round_.question_count, "correct_count": sum(correct),
                "prediction": rng.randint(20, 100) if rng.random() < 0.9 else None,
                "client_ip": DEMO_BURST_ADDRESS if 5 <= index < 15 else DEMO_ADDRESS.format(index % 250 + 1),
                "device_id": "demo-thiet-bi-dung-chung" if index in (3, 4) else f"demo-thiet-bi-{user_id}-{number}",
            })
            answers.append([(q, c, ok) for q, c, ok in zip(questions, chosen, correct, strict=True)])
    ids = db.session.scalars(insert(Attempt).returning(Attempt.id, sort_by_parameter_order=True), attempts).all()
    rows = [{"attempt_id": attempt_id, "position": position, "question_id": question.question_id,
             "option_order": ",".join(map(str, question.option_ids)),
             "shown_option_ids": ",".join(map(str, question.shown_ids)), "chosen_option_id": chosen,
             "answered_at": None if chosen is None else attempt["started_at"], "is_correct": ok}
            for attempt_id, attempt, questions in zip(ids, attempts, answers, strict=True)
            for position, (question, chosen, ok) in enumerate(questions, start=1)]
    db.session.execute(insert(AttemptQuestion), rows)
    return len(attempts)
