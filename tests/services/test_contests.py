"""Creating contests from their spec against the banks, round status, and the public listing."""

from __future__ import annotations

import hashlib
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import event, func, insert, select

from quizapp.domain.contests import ContestSpecError, parse_contest
from quizapp.extensions import db
from quizapp.models import (
    Attempt,
    AttemptStatus,
    AuditEntry,
    Bank,
    Contest,
    DrawRule,
    PrizeKind,
    PrizeTier,
    Question,
    Role,
    Round,
)
from quizapp.services.contests import (
    attempts_by_round,
    contests_payload,
    create_contest,
    get_contest,
    public_contests,
    round_status,
)
from quizapp.services.demo import DEMO_CONTEST_TITLE, load_demo_contest

pytestmark = pytest.mark.usefixtures("app")

NOW = datetime(2026, 11, 20, 3, 0, tzinfo=UTC)
SPEC_EXAMPLE = (Path(__file__).resolve().parents[2] / "quizapp" / "demo" / "contest.toml").read_text("utf-8")


def add_questions(bank_name: str, topic: str | None, count: int, *, difficulty: str | None = None,
                  retired: bool = False) -> Bank:
    """``count`` questions in a bank (created if new); only what the draw counts: bank, topic, difficulty."""
    bank = db.session.scalar(select(Bank).where(Bank.name == bank_name))
    if bank is None:
        bank = Bank(name=bank_name, created_at=NOW)
        db.session.add(bank)
        db.session.flush()
    start = db.session.scalar(select(func.count(Question.id))) or 0
    db.session.execute(insert(Question), [
        {"bank_id": bank.id, "text": f"Câu hỏi {start + i}", "text_hash": hashlib.sha256(f"{start + i}".encode())
         .hexdigest(), "topic": topic, "difficulty": difficulty, "created_at": NOW,
         "retired_at": NOW if retired else None}
        for i in range(count)
    ])
    db.session.commit()
    return bank


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


@contextmanager
def counted_queries():
    statements: list[str] = []

    def record(conn, cursor, statement, *args):
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(db.engine, "before_cursor_execute", record)


def spec_toml(*rounds: str, title: str = "Cuộc thi thử") -> str:
    return f'[contest]\ntitle = "{title}"\n' + "".join(rounds)


def round_toml(name: str, opens: str, closes: str, question_count: int = 10, draw: str = "", extra: str = "") -> str:
    text = (f'[[rounds]]\nname = "{name}"\nopens_at = {opens}\ncloses_at = {closes}\n'
            f"question_count = {question_count}\ntime_limit_seconds = 600\n{extra}")
    return text + (f"draw = [{draw}]\n" if draw else "")


def test_the_spec_example_creates_every_row(make_user):
    organizer = make_user(Role.ORGANIZER)
    add_questions("Tư tưởng", "Tư tưởng Hồ Chí Minh", 15)
    add_questions("Chuyên đề", "Chuyên đề năm 2023", 8)
    contest = create_contest(parse_contest(SPEC_EXAMPLE), actor=organizer, now=NOW)
    db.session.commit()
    db.session.expire_all()

    contest = get_contest(contest.id)
    assert contest.title == "Tìm hiểu tư tưởng, đạo đức, phong cách Hồ Chí Minh năm 2026"
    assert contest.created_by_id == organizer.id and contest.published
    (round_,) = contest.rounds
    assert (round_.position, round_.name, round_.question_count, round_.max_attempts, round_.grace_seconds) == \
        (1, "Tuần 1", 20, 3, 10)
    assert round_.opens_at == datetime(2026, 11, 22, 17, tzinfo=UTC)
    assert [(r.position, r.topic, r.count) for r in round_.draw_rules] == \
        [(1, "Tư tưởng Hồ Chí Minh", 12), (2, "Chuyên đề năm 2023", 8)]
    assert [(t.name, t.count, t.kind) for t in round_.prize_tiers] == [
        ("Giải Nhất", 1, PrizeKind.INDIVIDUAL), ("Giải Nhì", 2, PrizeKind.INDIVIDUAL),
        ("Giải Ba", 3, PrizeKind.INDIVIDUAL), ("Giải Khuyến khích", 5, PrizeKind.INDIVIDUAL)]
    assert [(t.name, t.count, t.round_id) for t in contest.prize_tiers] == [("Giải tập thể", 3, None)]
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "contest.create"))
    assert (entry.actor_id, entry.object_id, entry.details["rounds"]) == (organizer.id, contest.id, [round_.id])


def test_a_shortfall_is_refused_naming_topic_and_counts_and_nothing_is_saved():
    add_questions("Tư tưởng", "Tư tưởng Hồ Chí Minh", 8)
    add_questions("Tư tưởng", "Tư tưởng Hồ Chí Minh", 5, retired=True)
    add_questions("Chuyên đề", "Chuyên đề năm 2023", 8)
    with pytest.raises(ContestSpecError) as caught:
        create_contest(parse_contest(SPEC_EXAMPLE), actor=None, now=NOW)
    db.session.rollback()
    (problem,) = caught.value.problems
    assert (problem.key, problem.data["topic"], problem.data["needed"], problem.data["available"]) == \
        ("rounds[0].draw[0]", "Tư tưởng Hồ Chí Minh", 12, 8)
    assert count(Contest) == count(Round) == count(DrawRule) == count(PrizeTier) == count(AuditEntry) == 0


def test_bank_and_difficulty_criteria_are_resolved_and_stored():
    bank = add_questions("Ngân hàng A", "A", 6, difficulty="hard")
    add_questions("Ngân hàng B", "A", 6, difficulty="easy")
    text = spec_toml(round_toml("Tuần 1", "2026-11-23T00:00:00+07:00", "2026-11-30T00:00:00+07:00",
                                draw='{ bank = "Ngân hàng A", difficulty = "Khó", count = 5 }, '
                                     '{ topic = "A", difficulty = "easy", count = 5 }'))
    contest = create_contest(parse_contest(text), actor=None, now=NOW)
    rules = contest.rounds[0].draw_rules
    assert [(r.bank_id, r.topic, r.difficulty, r.count) for r in rules] == \
        [(bank.id, None, "hard", 5), (None, "A", "easy", 5)]


def test_unknown_bank_and_overlapping_pools_are_named():
    add_questions("Ngân hàng A", "A", 6)
    text = spec_toml(round_toml("Tuần 1", "2026-11-23T00:00:00+07:00", "2026-11-30T00:00:00+07:00",
                                draw='{ bank = "Ngân hàng X", count = 5 }, { topic = "A", count = 5 }'),
                     round_toml("Tuần 2", "2026-11-30T00:00:00+07:00", "2026-12-07T00:00:00+07:00",
                                draw='{ bank = "Ngân hàng A", count = 5 }, { topic = "A", count = 5 }'))
    with pytest.raises(ContestSpecError) as caught:
        create_contest(parse_contest(text), actor=None, now=NOW)
    assert [(p.code, p.key) for p in caught.value.problems] == [
        ("unknown_bank", "rounds[0].draw[0].bank"), ("draw_pools_overlap", "rounds[1].draw[0]")]
    overlap = caught.value.problems[1].data
    assert (overlap["shared"], overlap["union"], overlap["needed"]) == (6, 6, 10)


def test_counting_is_one_query_whatever_the_number_of_rules():
    for topic in "ABCDE":
        add_questions("K", topic, 4)

    def queries_for(draw: str, question_count: int) -> int:
        text = spec_toml(round_toml("Tuần 1", "2026-11-23T00:00:00+07:00", "2026-11-30T00:00:00+07:00",
                                    question_count=question_count, draw=draw))
        spec = parse_contest(text)
        with counted_queries() as statements, pytest.raises(ContestSpecError):
            create_contest(spec, actor=None, now=NOW)
        return len([s for s in statements if s.lstrip().upper().startswith("SELECT")])

    assert queries_for('{ topic = "A", count = 9 }', 9) == 1
    assert queries_for(", ".join(f'{{ topic = "{t}", count = 9 }}' for t in "ABCDE"), 45) == 1


def make_round(contest: Contest, position: int, opens: datetime, closes: datetime, **columns) -> Round:
    round_ = Round(contest_id=contest.id, position=position, name=f"Tuần {position}", opens_at=opens,
                   closes_at=closes, question_count=10, time_limit_seconds=600, **columns)
    db.session.add(round_)
    return round_


def make_contest(title: str, *windows: tuple[timedelta, timedelta], published: bool = True, **columns) -> Contest:
    contest = Contest(title=title, published=published, created_at=NOW)
    db.session.add(contest)
    db.session.flush()
    for position, (opens, closes) in enumerate(windows, start=1):
        make_round(contest, position, NOW + opens, NOW + closes, **columns)
    db.session.commit()
    return contest


DAY = timedelta(days=1)


def test_round_status_follows_the_clock_an_early_close_and_finalization():
    contest = make_contest("C", (-DAY, DAY))
    round_ = contest.rounds[0]
    assert round_status(round_, NOW - 2 * DAY) == "upcoming"
    assert round_status(round_, NOW) == "open"
    assert round_status(round_, NOW + DAY) == "closed"
    round_.closed_at = NOW - timedelta(hours=1)
    assert round_status(round_, NOW) == "closed"
    round_.finalized_at = NOW
    assert round_status(round_, NOW) == "finalized"


def test_public_contests_are_grouped_and_ordered_in_two_queries():
    make_contest("Đã xong cũ", (-30 * DAY, -20 * DAY))
    make_contest("Đã xong gần", (-10 * DAY, -2 * DAY))
    make_contest("Đang mở, đóng muộn", (-DAY, 9 * DAY))
    make_contest("Đang mở, đóng sớm", (-DAY, 2 * DAY), (2 * DAY, 9 * DAY))
    make_contest("Giữa hai đợt", (-5 * DAY, -DAY), (DAY, 3 * DAY))
    make_contest("Sắp mở", (5 * DAY, 6 * DAY))
    make_contest("Chưa công bố", (-DAY, DAY), published=False)
    db.session.expire_all()
    with counted_queries() as statements:
        listing = public_contests(NOW)
    assert len(statements) == 2
    assert [c.contest.title for c in listing.open] == ["Đang mở, đóng sớm", "Đang mở, đóng muộn"]
    assert [c.contest.title for c in listing.upcoming] == ["Giữa hai đợt", "Sắp mở"]
    assert [c.contest.title for c in listing.past] == ["Đã xong gần", "Đã xong cũ"]
    between = listing.upcoming[0]
    assert [r.status for r in between.rounds] == ["closed", "upcoming"] and between.current.round.name == "Tuần 2"


def test_contests_payload_is_plain_json_data():
    contest = make_contest("Đang mở", (-DAY, DAY), (DAY, 2 * DAY), max_attempts=3)
    (item,) = contests_payload(NOW)
    first, second = contest.rounds
    assert item == {"id": contest.id, "title": "Đang mở", "status": "open", "rounds": [
        {"id": first.id, "name": "Tuần 1", "opens_at": "2026-11-19T10:00:00+07:00",
         "closes_at": "2026-11-21T10:00:00+07:00", "status": "open", "question_count": 10,
         "time_limit_seconds": 600, "max_attempts": 3},
        {"id": second.id, "name": "Tuần 2", "opens_at": "2026-11-21T10:00:00+07:00",
         "closes_at": "2026-11-22T10:00:00+07:00", "status": "upcoming", "question_count": 10,
         "time_limit_seconds": 600, "max_attempts": 3},
    ]}
    assert datetime.fromisoformat(item["rounds"][0]["opens_at"]) == NOW - DAY


def test_attempts_by_round_gives_only_that_participant_in_order(make_user):
    one, other = make_user(), make_user()
    contest = make_contest("C", (-DAY, DAY), (DAY, 2 * DAY))
    first = contest.rounds[0]
    for user, number in ((one, 2), (one, 1), (other, 1)):
        db.session.add(Attempt(round_id=first.id, user_id=user.id, number=number, started_at=NOW,
                               deadline_at=NOW + timedelta(minutes=10), question_count=10,
                               status=AttemptStatus.SUBMITTED, correct_count=7))
    db.session.commit()
    found = attempts_by_round(one.id, [r.id for r in contest.rounds])
    assert list(found) == [first.id] and [a.number for a in found[first.id]] == [1, 2]
    assert attempts_by_round(one.id, []) == {}


def test_the_demo_contest_has_an_open_and_an_upcoming_round_and_is_created_once():
    for topic in ("Tiểu sử Hồ Chí Minh", "Tác phẩm Hồ Chí Minh", "Chuyên đề năm 2025"):
        add_questions("Mẫu", topic, 4)
    for year in range(2021, 2025):
        add_questions("Mẫu", f"Chuyên đề năm {year}", 2)
    load_demo_contest(now=NOW)
    assert "đã có" in load_demo_contest(now=NOW + DAY)
    db.session.commit()
    (contest,) = db.session.scalars(select(Contest)).all()
    assert contest.title == DEMO_CONTEST_TITLE and "ĐỐI TƯỢNG DỰ THI" in contest.rules
    first, second = contest.rounds
    assert [round_status(r, NOW) for r in contest.rounds] == ["open", "upcoming"]
    assert first.opens_at <= NOW - DAY + timedelta(hours=1) and first.closes_at > NOW + 29 * DAY
    assert (first.question_count, first.time_limit_seconds, first.max_attempts) == (10, 600, 3)
    assert first.prediction_question and [t.count for t in first.prize_tiers] == [1, 2, 3, 5]
    assert sum(r.count for r in first.draw_rules) == 10
    assert {r.topic for r in first.draw_rules} == {"Tiểu sử Hồ Chí Minh", "Tác phẩm Hồ Chí Minh",
                                                   "Chuyên đề năm 2025"}
    assert [t.kind for t in contest.prize_tiers] == [PrizeKind.COLLECTIVE] * 3
