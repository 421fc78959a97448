"""The timed attempt through its services: start/resume, payload, saving, submitting, closing, extension, review."""

from __future__ import annotations

import hashlib
import json
import random
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import delete, event, func, select
from sqlalchemy.exc import IntegrityError

from quizapp.domain.attempts import AttemptError
from quizapp.extensions import db
from quizapp.models import (
    Attempt,
    AttemptQuestion,
    AttemptStatus,
    AuditEntry,
    Bank,
    Contest,
    DrawRule,
    Option,
    Question,
    Review,
    Role,
    Round,
)
from quizapp.services.attempt_closing import close_expired, close_round, grant_extension
from quizapp.services.attempts import (
    attempt_payload,
    review_payload,
    save_answers,
    start_or_resume,
    start_refusal,
    submit,
)

NOW = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)
MS = timedelta(milliseconds=1)
TOPICS = {"Tư tưởng Hồ Chí Minh": 15, "Chuyên đề năm 2023": 10}


# --- builders shared with the concurrency and CLI tests ---------------------------------------------------------

def make_bank(topics: dict[str, int] = TOPICS, name: str = "Ngân hàng thử") -> Bank:
    """A bank with ``count`` questions per topic, 4 options each, the first (position 0) correct."""
    bank = Bank(name=name)
    db.session.add(bank)
    db.session.flush()
    for topic, count in topics.items():
        for n in range(1, count + 1):
            text = f"{topic}: câu hỏi số {n}?"
            question = Question(bank_id=bank.id, text=text, text_hash=hashlib.sha256(text.encode()).hexdigest(),
                                topic=topic, explanation=f"Giải thích câu {n}.")
            question.options = [Option(position=p, text=f"Phương án {'ABCD'[p]} của câu {n}", is_correct=p == 0)
                                for p in range(4)]
            db.session.add(question)
    db.session.commit()
    return bank


def make_round(*, draw: list[tuple[str, int]] | None = None, question_count: int | None = None,
               time_limit: int = 900, grace: int = 10, max_attempts: int = 1, review: Review = Review.AFTER_CLOSE,
               opens_at: datetime = NOW - timedelta(hours=1), closes_at: datetime = NOW + timedelta(days=7),
               name: str = "Tuần 1") -> Round:
    draw = draw if draw is not None else [("Tư tưởng Hồ Chí Minh", 6), ("Chuyên đề năm 2023", 4)]
    contest = Contest(title="Tìm hiểu tư tưởng, đạo đức, phong cách Hồ Chí Minh")
    round_ = Round(position=1, name=name, opens_at=opens_at, closes_at=closes_at,
                   question_count=question_count or sum(count for _, count in draw), time_limit_seconds=time_limit,
                   grace_seconds=grace, max_attempts=max_attempts, review=review,
                   prediction_question="Có bao nhiêu người trả lời đúng tất cả các câu hỏi?")
    round_.draw_rules = [DrawRule(position=i, topic=topic, count=count) for i, (topic, count) in enumerate(draw)]
    contest.rounds = [round_]
    db.session.add(contest)
    db.session.commit()
    return round_


def options_by_correctness(attempt_id: int) -> tuple[dict[int, int], dict[int, int]]:
    """({question id: correct option id}, {question id: a wrong option id}) for the attempt's questions, as the
    attempt shows them (the ids its participant answers with)."""
    right, wrong = bank_options_by_correctness(attempt_id)
    shown = shown_ids_of(attempt_id)
    return ({q: shown[o] for q, o in right.items()}, {q: shown[o] for q, o in wrong.items()})


def bank_options_by_correctness(attempt_id: int) -> tuple[dict[int, int], dict[int, int]]:
    """``options_by_correctness`` with the bank's option ids (as stored in ``chosen_option_id``)."""
    rows = db.session.execute(
        select(Option.question_id, Option.id, Option.is_correct)
        .join(AttemptQuestion, AttemptQuestion.question_id == Option.question_id)
        .where(AttemptQuestion.attempt_id == attempt_id)
    ).all()
    right = {q: o for q, o, ok in rows if ok}
    wrong = {q: o for q, o, ok in rows if not ok}
    return right, wrong


def shown_ids_of(attempt_id: int) -> dict[int, int]:
    """{the bank's option id: the id the attempt shows it under} for every option of the attempt."""
    shown: dict[int, int] = {}
    for order, shown_ids in db.session.execute(
            select(AttemptQuestion.option_order, AttemptQuestion.shown_option_ids)
            .where(AttemptQuestion.attempt_id == attempt_id)):
        shown.update(zip(map(int, order.split(",")), map(int, shown_ids.split(",")), strict=True))
    return shown


@contextmanager
def statements():
    """The SQL statements run inside the block (SAVEPOINTs and PRAGMAs left out)."""
    seen: list[str] = []

    def record(_conn, _cursor, statement, _params, _context, _many):
        if not statement.lstrip().upper().startswith(("SAVEPOINT", "RELEASE", "PRAGMA")):
            seen.append(statement)

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(db.engine, "before_cursor_execute", record)


@pytest.fixture
def bank(app):
    return make_bank()


@pytest.fixture
def participant(make_user):
    return make_user(Role.PARTICIPANT, full_name="Trần Thị Thí Sinh")


def start(round_, user, now=NOW, seed=1):
    """Start (or resume) through the service; the attempt as the ORM reads it now, and whether it is new."""
    started = start_or_resume(round_.id, user.id, now=now, rng=random.Random(seed), client_ip="203.0.113.7",
                              client_agent="Mozilla/5.0 (Android)", device_id="dev-1")
    return db.session.get(Attempt, started.id, populate_existing=True), started.created


def keys_anywhere(value) -> set[str]:
    if isinstance(value, dict):
        return set(value) | {k for v in value.values() for k in keys_anywhere(v)}
    if isinstance(value, list):
        return {k for v in value for k in keys_anywhere(v)}
    return set()


# --- start, draw, resume ----------------------------------------------------------------------------------------

def test_start_draws_the_quotas_and_sets_the_deadline(bank, participant):
    round_ = make_round()
    attempt, created = start(round_, participant, now=NOW + timedelta(microseconds=123_456))
    assert created and attempt.number == 1 and attempt.status is AttemptStatus.IN_PROGRESS
    assert attempt.started_at == NOW + timedelta(milliseconds=123)
    assert attempt.deadline_at == attempt.started_at + timedelta(seconds=900)
    topics = db.session.scalars(select(Question.topic).join(AttemptQuestion).where(
        AttemptQuestion.attempt_id == attempt.id)).all()
    assert len(topics) == len(set(db.session.scalars(select(AttemptQuestion.question_id))))
    assert sorted(topics) == sorted(["Tư tưởng Hồ Chí Minh"] * 6 + ["Chuyên đề năm 2023"] * 4)
    assert attempt.question_count == 10 and attempt.client_agent == "Mozilla/5.0 (Android)"


def test_payload_has_the_contract_shape_and_no_correct_answer(bank, participant):
    attempt, _ = start(make_round(), participant)
    payload = attempt_payload(attempt)
    assert set(payload) == {"attempt_id", "deadline", "questions", "prediction_question", "answers"}
    assert datetime.fromisoformat(payload["deadline"]) == attempt.deadline_at
    assert datetime.fromisoformat(payload["deadline"]).utcoffset() is not None
    assert not any("correct" in key for key in keys_anywhere(payload))
    assert "is_correct" not in json.dumps(payload) and "Giải thích" not in json.dumps(payload)
    question = payload["questions"][0]
    assert set(question) == {"id", "text", "options"} and len(question["options"]) == 4
    assert all(set(option) == {"id", "text"} for option in question["options"])
    assert payload["prediction_question"].startswith("Có bao nhiêu")
    assert payload["answers"] == {}


def test_options_are_shown_shuffled(bank, participant):
    attempt, _ = start(make_round(), participant)
    orders = [[o["id"] for o in q["options"]] for q in attempt_payload(attempt)["questions"]]
    assert any(order != sorted(order) for order in orders)


def test_resume_gives_the_same_attempt_questions_order_and_saved_answers(bank, participant):
    round_ = make_round()
    attempt, _ = start(round_, participant)
    first = attempt_payload(attempt)
    question = first["questions"][3]
    save_answers(attempt.id, {question["id"]: question["options"][2]["id"]}, user_id=participant.id, now=NOW)
    again, created = start(round_, participant, now=NOW + timedelta(minutes=5), seed=99)
    assert not created and again.id == attempt.id
    second = attempt_payload(again)
    assert second["questions"] == first["questions"]
    assert second["answers"] == {str(question["id"]): question["options"][2]["id"]}
    assert db.session.scalar(select(func.count()).select_from(Attempt)) == 1


def test_what_a_start_shows_is_what_was_stored_in_the_same_order(bank, participant):
    round_ = make_round()
    started = start_or_resume(round_.id, participant.id, now=NOW, rng=random.Random(5))
    db.session.commit()
    stored = db.session.execute(select(AttemptQuestion.position, AttemptQuestion.question_id,
                                       AttemptQuestion.option_order, AttemptQuestion.shown_option_ids)
                                .where(AttemptQuestion.attempt_id == started.id)
                                .order_by(AttemptQuestion.position)).all()
    shown = started.payload["questions"]
    assert [row.position for row in stored] == list(range(1, len(shown) + 1))
    assert [(row.question_id, row.shown_option_ids) for row in stored] == [
        (q["id"], ",".join(str(o["id"]) for o in q["options"])) for q in shown]
    texts = dict(db.session.execute(select(Option.id, Option.text)).tuples().all())
    assert [[texts[int(o)] for o in row.option_order.split(",")] for row in stored] == [
        [o["text"] for o in q["options"]] for q in shown]
    assert attempt_payload(db.session.get(Attempt, started.id)) == started.payload


def test_payload_takes_two_queries(bank, participant):
    attempt, _ = start(make_round(), participant)
    with statements() as seen:
        attempt_payload(attempt)
    assert len(seen) <= 2


def test_starting_before_the_round_opens_or_after_it_closes_is_refused(bank, participant):
    round_ = make_round()
    with pytest.raises(AttemptError) as early:
        start(round_, participant, now=round_.opens_at - MS)
    with pytest.raises(AttemptError) as late:
        start(round_, participant, now=round_.closes_at)
    assert (early.value.code, late.value.code) == ("round_not_open", "round_closed")
    assert db.session.scalar(select(func.count()).select_from(Attempt)) == 0


def test_the_deadline_stops_at_the_round_close(bank, participant):
    round_ = make_round(closes_at=NOW + timedelta(minutes=5))
    attempt, _ = start(round_, participant)
    assert attempt.deadline_at == round_.closes_at


def test_attempt_cap_is_reported_once_used_up(bank, participant):
    round_ = make_round(max_attempts=2)
    for number in (1, 2):
        attempt, created = start(round_, participant)
        assert created and attempt.number == number
        submit(attempt.id, user_id=participant.id, now=NOW + timedelta(minutes=1))
    with pytest.raises(AttemptError) as caught:
        start(round_, participant)
    assert caught.value.code == "attempt_cap_reached" and caught.value.data["max_attempts"] == 2


def test_an_overdue_attempt_is_closed_with_its_saved_answers_before_starting_again(bank, participant):
    round_ = make_round(max_attempts=2)
    attempt, _ = start(round_, participant)
    right, _wrong = options_by_correctness(attempt.id)
    saved = dict(list(right.items())[:3])
    save_answers(attempt.id, saved, user_id=participant.id, now=NOW + timedelta(minutes=2))
    later = attempt.deadline_at + timedelta(seconds=10) + MS
    second, created = start(round_, participant, now=later)
    assert created and second.number == 2
    db.session.refresh(attempt)
    assert attempt.status is AttemptStatus.EXPIRED and attempt.correct_count == 3
    assert attempt.submitted_at == attempt.deadline_at and attempt.duration_ms == 900_000


def test_an_attempt_in_its_grace_is_resumed_not_replaced(bank, participant):
    round_ = make_round(max_attempts=2)
    attempt, _ = start(round_, participant)
    again, created = start(round_, participant, now=attempt.deadline_at + timedelta(seconds=10))
    assert not created and again.id == attempt.id


def test_resuming_with_nothing_overdue_writes_nothing_on_postgresql(bank, participant):
    round_ = make_round(max_attempts=2)
    attempt, _ = start(round_, participant)
    db.session.commit()
    with statements() as seen:
        again, created = start(round_, participant, now=NOW + timedelta(minutes=1))
    assert not created and again.id == attempt.id
    writes = [s for s in seen if s.lstrip().upper().startswith(("UPDATE", "INSERT"))]
    assert len(writes) == (0 if db.engine.dialect.name == "postgresql" else 1)  # SQLite: the write that nests


def test_start_refusal_says_why_before_the_button_and_start_raises_the_same(bank, participant):
    round_ = make_round(max_attempts=1)
    assert start_refusal(round_, 0, NOW) is None
    assert start_refusal(round_, 1, NOW).code == "attempt_cap_reached"
    assert start_refusal(round_, 0, round_.opens_at - MS).code == "round_not_open"
    assert start_refusal(round_, 0, round_.closes_at).code == "round_closed"
    attempt, _ = start(round_, participant)
    submit(attempt.id, user_id=participant.id, now=NOW + timedelta(minutes=1))
    with pytest.raises(AttemptError) as caught:
        start(round_, participant, now=NOW + timedelta(minutes=2))
    assert caught.value.code == start_refusal(round_, 1, NOW).code


def test_a_pool_emptied_since_the_round_was_made_is_a_clear_error(bank, participant):
    round_ = make_round()
    yearly = db.session.scalars(select(Question.id).where(Question.topic == "Chuyên đề năm 2023")).all()
    db.session.execute(Question.__table__.update().where(Question.id.in_(yearly[2:])).values(retired_at=NOW))
    with pytest.raises(AttemptError) as caught:
        start(round_, participant)
    assert caught.value.code == "pool_too_small"
    assert (caught.value.data["rule"], caught.value.data["needed"], caught.value.data["available"]) == (1, 4, 2)
    assert db.session.scalar(select(func.count()).select_from(Attempt)) == 0


def test_without_rules_the_round_draws_from_every_active_question(bank, participant):
    db.session.execute(Question.__table__.update().where(Question.topic == "Chuyên đề năm 2023")
                       .values(retired_at=NOW))
    round_ = make_round(draw=[], question_count=15)
    attempt, _ = start(round_, participant)
    topics = set(db.session.scalars(select(Question.topic).join(AttemptQuestion).where(
        AttemptQuestion.attempt_id == attempt.id)))
    assert topics == {"Tư tưởng Hồ Chí Minh"} and attempt.question_count == 15


def test_a_start_is_undone_by_the_callers_rollback(bank, participant):
    round_ = make_round()
    start(round_, participant)
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(Attempt)) == 0
    assert db.session.scalar(select(func.count()).select_from(AttemptQuestion)) == 0


# --- saving answers ---------------------------------------------------------------------------------------------

@pytest.fixture
def running(bank, participant):
    """(round, attempt, {question: correct option}, {question: a wrong option}) with an attempt just started."""
    round_ = make_round(max_attempts=2)
    attempt, _ = start(round_, participant)
    right, wrong = options_by_correctness(attempt.id)
    return round_, attempt, right, wrong


def saved(attempt_id: int) -> dict[int, int]:
    """{question id: the saved option}, in the ids the attempt shows (the stored ones are the bank's)."""
    shown = shown_ids_of(attempt_id)
    return {q: shown[o] for q, o in db.session.execute(
        select(AttemptQuestion.question_id, AttemptQuestion.chosen_option_id).where(
            AttemptQuestion.attempt_id == attempt_id, AttemptQuestion.chosen_option_id.is_not(None)))}


def test_answers_can_be_saved_changed_and_cleared(running, participant):
    _, attempt, right, wrong = running
    first, second = list(right)[:2]
    save_answers(attempt.id, {first: wrong[first], second: right[second]}, user_id=participant.id, now=NOW)
    save_answers(attempt.id, {str(first): str(right[first])}, user_id=participant.id, now=NOW + timedelta(seconds=5))
    assert saved(attempt.id) == {first: right[first], second: right[second]}
    save_answers(attempt.id, {second: None}, user_id=participant.id, now=NOW + timedelta(seconds=6))
    assert saved(attempt.id) == {first: right[first]}


def test_saving_takes_the_same_few_statements_whatever_the_number_of_answers(running, participant):
    _, attempt, right, _ = running
    with statements() as seen:
        save_answers(attempt.id, right, user_id=participant.id, now=NOW)
    assert len(seen) == (2 if db.engine.dialect.name == "postgresql" else 3)  # SQLite: a status check too
    assert saved(attempt.id) == right


def test_only_the_owner_may_save(running, make_user):
    _, attempt, right, _ = running
    with pytest.raises(AttemptError) as caught:
        save_answers(attempt.id, right, user_id=make_user().id, now=NOW)
    assert caught.value.code == "not_your_attempt" and saved(attempt.id) == {}


def test_saving_to_an_unknown_attempt_is_a_clear_error(running, participant):
    _, attempt, right, _ = running
    with pytest.raises(AttemptError) as caught:
        save_answers(attempt.id + 1000, right, user_id=participant.id, now=NOW)
    assert caught.value.code == "attempt_not_found" and saved(attempt.id) == {}


def test_an_option_of_another_question_is_refused_and_nothing_is_saved(running, participant):
    _, attempt, right, _ = running
    first, second = list(right)[:2]
    with pytest.raises(AttemptError) as caught:
        save_answers(attempt.id, {first: right[first], second: right[first]}, user_id=participant.id, now=NOW)
    assert caught.value.code == "unknown_option"
    assert caught.value.data == {"question_id": second, "option_id": right[first]}
    assert saved(attempt.id) == {}


def test_a_question_not_in_the_attempt_is_refused_and_nothing_is_saved(running, participant):
    _, attempt, right, _ = running
    outsider = db.session.scalar(select(Question.id).where(Question.id.not_in(list(right))))
    for bad in (outsider, "abc", 10**30):
        with pytest.raises(AttemptError) as caught:
            save_answers(attempt.id, {**right, bad: 1}, user_id=participant.id, now=NOW)
        assert caught.value.code == "unknown_question" and caught.value.data == {"question_id": bad}
    with pytest.raises(AttemptError) as caught:
        save_answers(attempt.id, list(right.items()), user_id=participant.id, now=NOW)
    assert caught.value.code == "invalid_answers"
    assert saved(attempt.id) == {}


def test_a_submit_with_more_answers_than_any_round_has_questions_is_refused_and_nothing_is_saved(running,
                                                                                                  participant):
    """Forty thousand answers (80,000 statement parameters: beyond what PostgreSQL's protocol carries) get the
    same clear error as one unknown question, and the attempt stays as it was."""
    _, attempt, right, _ = running
    flood = {**{str(100_000 + n): 1 for n in range(40_000)}, **right}
    with pytest.raises(AttemptError) as caught:
        submit(attempt.id, user_id=participant.id, answers=flood, now=NOW + timedelta(minutes=1))
    assert caught.value.code == "unknown_question"
    db.session.refresh(attempt)
    assert attempt.status is AttemptStatus.IN_PROGRESS and saved(attempt.id) == {}


def test_answers_are_accepted_until_deadline_plus_grace_to_the_millisecond(running, participant):
    _, attempt, right, _ = running
    first, second = list(right)[:2]
    last_moment = attempt.deadline_at + timedelta(seconds=10)
    save_answers(attempt.id, {first: right[first]}, user_id=participant.id, now=last_moment)
    with pytest.raises(AttemptError) as caught:
        save_answers(attempt.id, {second: right[second]}, user_id=participant.id, now=last_moment + MS)
    assert caught.value.code == "attempt_closed"
    assert saved(attempt.id) == {first: right[first]}
    db.session.refresh(attempt)
    assert attempt.status is AttemptStatus.EXPIRED and attempt.correct_count == 1
    assert attempt.duration_ms == 900_000 and attempt.submitted_at == attempt.deadline_at


# --- submitting -------------------------------------------------------------------------------------------------

def test_submit_scores_marks_each_question_and_measures_the_duration(running, participant):
    _, attempt, right, wrong = running
    questions = list(right)
    save_answers(attempt.id, {q: right[q] for q in questions[:4]}, user_id=participant.id, now=NOW)
    final = {questions[3]: wrong[questions[3]], questions[4]: right[questions[4]], questions[5]: wrong[questions[5]]}
    result = submit(attempt.id, user_id=participant.id, answers=final, prediction=1234,
                    now=attempt.started_at + timedelta(seconds=312, microseconds=456_789))
    assert (result.correct_count, result.question_count, result.duration_ms) == (4, 10, 312_456)
    assert result.as_json() == {"correct_count": 4, "question_count": 10, "duration_ms": 312_456}
    marks = dict(db.session.execute(select(AttemptQuestion.question_id, AttemptQuestion.is_correct).where(
        AttemptQuestion.attempt_id == attempt.id)).tuples().all())
    assert [q for q, ok in marks.items() if ok] == [q for q in marks if q in {*questions[:3], questions[4]}]
    assert all(ok is False for q, ok in marks.items() if q not in {*questions[:3], questions[4]})
    assert attempt.status is AttemptStatus.SUBMITTED and attempt.prediction == 1234


def test_a_repeated_submit_returns_the_same_result_and_changes_nothing(running, participant):
    _, attempt, right, wrong = running
    first = submit(attempt.id, user_id=participant.id, answers=right, prediction=7, now=NOW + timedelta(minutes=3))
    second = submit(attempt.id, user_id=participant.id, answers=wrong, prediction=99, now=NOW + timedelta(minutes=4))
    assert first == second and first.correct_count == 10
    assert attempt.prediction == 7 and saved(attempt.id) == right
    assert attempt.submitted_at == NOW + timedelta(minutes=3)


def test_a_submit_in_the_grace_counts_the_time_only_up_to_the_deadline(running, participant):
    _, attempt, right, _ = running
    result = submit(attempt.id, user_id=participant.id, answers=right, now=attempt.deadline_at + timedelta(seconds=10))
    assert result.correct_count == 10 and result.duration_ms == 900_000
    assert result.status is AttemptStatus.SUBMITTED


def test_a_late_submit_closes_the_attempt_with_what_was_saved_in_time(running, participant):
    _, attempt, right, _ = running
    first = list(right)[0]
    save_answers(attempt.id, {first: right[first]}, user_id=participant.id, now=NOW)
    result = submit(attempt.id, user_id=participant.id, answers=right, prediction=5,
                    now=attempt.deadline_at + timedelta(seconds=10) + MS)
    assert (result.correct_count, result.duration_ms, result.status) == (1, 900_000, AttemptStatus.EXPIRED)
    assert saved(attempt.id) == {first: right[first]} and attempt.prediction is None


def test_submitting_an_attempt_closed_at_its_deadline_returns_its_result(running, participant):
    _, attempt, right, _ = running
    save_answers(attempt.id, dict(list(right.items())[:2]), user_id=participant.id, now=NOW)
    close_expired(attempt.deadline_at + timedelta(minutes=1))
    result = submit(attempt.id, user_id=participant.id, answers=right, now=attempt.deadline_at + timedelta(minutes=2))
    assert (result.correct_count, result.status) == (2, AttemptStatus.EXPIRED)


def test_a_bad_submit_saves_nothing_and_leaves_the_attempt_open(running, participant):
    _, attempt, right, _ = running
    first, second = list(right)[:2]
    with pytest.raises(AttemptError) as caught:
        submit(attempt.id, user_id=participant.id, answers={first: right[first], second: right[first]}, now=NOW)
    assert caught.value.code == "unknown_option"
    for prediction in (-1, 2**31, "12", True):
        with pytest.raises(AttemptError) as caught:
            submit(attempt.id, user_id=participant.id, answers=right, prediction=prediction, now=NOW)
        assert caught.value.code == "invalid_prediction"
    assert saved(attempt.id) == {} and attempt.status is AttemptStatus.IN_PROGRESS


# --- closing ----------------------------------------------------------------------------------------------------

def test_the_sweep_closes_only_attempts_past_their_grace_and_scores_their_saved_answers(bank, make_user):
    strict = make_round(grace=0, name="Tuần 1")
    lenient = make_round(grace=60, name="Tuần 2")
    people = [make_user() for _ in range(3)]
    late, in_grace, fresh = (start(strict, people[0])[0], start(lenient, people[1])[0],
                             start(strict, people[2], now=NOW + timedelta(minutes=10))[0])
    right, _ = options_by_correctness(late.id)
    save_answers(late.id, dict(list(right.items())[:5]), user_id=people[0].id, now=NOW + timedelta(minutes=14))
    now = NOW + timedelta(seconds=900 + 30)
    assert close_expired(now) == 1
    db.session.refresh(late)
    assert (late.status, late.correct_count, late.duration_ms) == (AttemptStatus.EXPIRED, 5, 900_000)
    assert late.submitted_at == late.deadline_at
    assert db.session.scalar(select(func.count()).select_from(AttemptQuestion).where(
        AttemptQuestion.attempt_id == late.id, AttemptQuestion.is_correct.is_(None))) == 0
    for attempt in (in_grace, fresh):
        db.session.refresh(attempt)
        assert attempt.status is AttemptStatus.IN_PROGRESS
    assert close_expired(NOW + timedelta(hours=1)) == 2


def test_closing_a_round_closes_its_running_attempts_now_and_refuses_new_ones(bank, participant, make_user):
    round_ = make_round()
    organizer = make_user(Role.ORGANIZER)
    attempt, _ = start(round_, participant)
    right, _ = options_by_correctness(attempt.id)
    save_answers(attempt.id, dict(list(right.items())[:2]), user_id=participant.id, now=NOW + timedelta(minutes=1))
    closing = close_round(round_, actor=organizer, now=NOW + timedelta(minutes=4, microseconds=500))
    assert closing.closed_attempts == 1 and not closing.already_closed
    assert round_.closed_at == closing.closed_at == NOW + timedelta(minutes=4)
    db.session.refresh(attempt)
    assert (attempt.status, attempt.correct_count, attempt.duration_ms) == (AttemptStatus.EXPIRED, 2, 240_000)
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "round.close"))
    assert entry.actor_id == organizer.id and entry.details["closed_attempts"] == 1
    with pytest.raises(AttemptError) as caught:
        start(round_, make_user(), now=NOW + timedelta(minutes=5))
    assert caught.value.code == "round_closed"
    again = close_round(round_, actor=organizer, now=NOW + timedelta(minutes=9))
    assert again.already_closed and again.closed_attempts == 0 and round_.closed_at == NOW + timedelta(minutes=4)


# --- extensions -------------------------------------------------------------------------------------------------

def test_an_extension_moves_the_running_deadline_and_the_next_attempts(running, participant, make_user):
    round_, attempt, _, _ = running
    organizer = make_user(Role.ORGANIZER)
    grant_extension(round_, participant, 300, "Mất điện khi đang làm bài", actor=organizer, now=NOW)
    assert attempt.deadline_at == attempt.started_at + timedelta(seconds=1200)
    grant_extension(round_, participant, 120, "Điều chỉnh lại", actor=organizer, now=NOW + timedelta(minutes=1))
    assert attempt.deadline_at == attempt.started_at + timedelta(seconds=1020)
    submit(attempt.id, user_id=participant.id, now=NOW + timedelta(minutes=2))
    second, _ = start(round_, participant, now=NOW + timedelta(minutes=3))
    assert second.deadline_at == second.started_at + timedelta(seconds=1020)
    entries = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "round.extension")
                                 .order_by(AuditEntry.id)).all()
    assert [(e.actor_id, e.reason, e.details["seconds"], e.details["previous_seconds"]) for e in entries] == [
        (organizer.id, "Mất điện khi đang làm bài", 300, 0), (organizer.id, "Điều chỉnh lại", 120, 300)]


def test_an_extension_needs_sensible_seconds_and_a_reason(running, participant):
    round_, attempt, _, _ = running
    for seconds, reason, code in ((0, "x", "invalid_extension"), (10**6, "x", "invalid_extension"),
                                  (60, "   ", "reason_required")):
        with pytest.raises(AttemptError) as caught:
            grant_extension(round_, participant, seconds, reason, actor=None, now=NOW)
        assert caught.value.code == code
    assert attempt.deadline_at == attempt.started_at + timedelta(seconds=900)


def test_an_extension_still_stops_at_the_round_close(bank, participant):
    round_ = make_round(closes_at=NOW + timedelta(minutes=16))
    attempt, _ = start(round_, participant)
    grant_extension(round_, participant, 600, "Khiếm thị", actor=None, now=NOW)
    assert attempt.deadline_at == round_.closes_at


# --- review -----------------------------------------------------------------------------------------------------

KEY_FIELDS = {"correct_option_id", "is_correct", "explanation"}


@pytest.mark.parametrize("review", list(Review))
def test_review_follows_the_round_setting(bank, participant, review):
    """One attempt allowed: the participant sees their choices at once in every mode, and the key as the round's
    setting says (after the submit, after the close, never)."""
    round_ = make_round(review=review, closes_at=NOW + timedelta(hours=2))
    attempt, _ = start(round_, participant)
    right, wrong = options_by_correctness(attempt.id)
    assert review_payload(attempt, round_, NOW + timedelta(days=30)) is None  # still in progress
    first = list(right)[0]
    submit(attempt.id, user_id=participant.id, answers={first: wrong[first]}, now=NOW + timedelta(minutes=1))
    just_after = review_payload(attempt, round_, NOW + timedelta(minutes=2))
    after_close = review_payload(attempt, round_, round_.closes_at + timedelta(seconds=11))
    assert just_after["key_shown"] == (review is Review.AFTER_SUBMIT)
    assert after_close["key_shown"] == (review is not Review.NEVER)
    for payload in (just_after, after_close):
        question = next(q for q in payload["questions"] if q["id"] == first)
        assert question["chosen_option_id"] == wrong[first]
        assert [q["id"] for q in payload["questions"]] == [q["id"] for q in attempt_payload(attempt)["questions"]]
        if not payload["key_shown"]:
            assert not KEY_FIELDS & {key for q in payload["questions"] for key in q}
            assert "Giải thích" not in json.dumps(payload, ensure_ascii=False)
    if after_close["key_shown"]:
        question = next(q for q in after_close["questions"] if q["id"] == first)
        assert question["correct_option_id"] == right[first]
        assert question["is_correct"] is False and question["explanation"].startswith("Giải thích")


def test_the_key_of_an_attempt_waits_until_no_attempt_is_left(bank, participant):
    """``after_submit`` with three attempts: the key of attempt 1 would answer attempt 2. It shows after the
    last attempt, or when the round is over; a running attempt hides the key of the earlier ones."""
    round_ = make_round(review=Review.AFTER_SUBMIT, max_attempts=3, closes_at=NOW + timedelta(hours=2))
    first, _ = start(round_, participant)
    submit(first.id, user_id=participant.id, answers={}, now=NOW + timedelta(minutes=1))
    review = review_payload(first, round_, NOW + timedelta(minutes=2))
    assert review["key_shown"] is False and review["correct_count"] == 0
    assert not KEY_FIELDS & {key for q in review["questions"] for key in q}
    assert review_payload(first, round_, round_.closes_at + timedelta(seconds=11))["key_shown"] is True

    second, _ = start(round_, participant, now=NOW + timedelta(minutes=3))
    submit(second.id, user_id=participant.id, answers={}, now=NOW + timedelta(minutes=4))
    third, _ = start(round_, participant, now=NOW + timedelta(minutes=5))
    # the last attempt is running: the earlier ones keep their key hidden
    assert review_payload(second, round_, NOW + timedelta(minutes=6))["key_shown"] is False
    submit(third.id, user_id=participant.id, answers={}, now=NOW + timedelta(minutes=7))
    for attempt in (first, second, third):
        db.session.refresh(attempt)
        assert review_payload(attempt, round_, NOW + timedelta(minutes=8))["key_shown"] is True


# --- what the database guards -----------------------------------------------------------------------------------

def test_the_database_refuses_to_delete_an_option_of_a_question_an_attempt_showed(bank, participant):
    """Not only the chosen option: every option an attempt showed stays, or its review and resume would break.
    Options of questions no attempt has shown can still be deleted."""
    attempt, _ = start(make_round(), participant)
    shown = db.session.scalar(select(AttemptQuestion.question_id).where(AttemptQuestion.attempt_id == attempt.id)
                              .limit(1))
    never_shown = db.session.scalar(select(Question.id).where(Question.id.not_in(
        select(AttemptQuestion.question_id))).limit(1))
    db.session.commit()

    def options_of(question_id):
        return db.session.scalar(select(func.count()).select_from(Option).where(Option.question_id == question_id))

    before = options_of(shown)
    refused = pytest.raises(IntegrityError, match="options of a question that attempts have shown")
    with refused, db.session.begin_nested():
        db.session.execute(delete(Option).where(Option.question_id == shown, Option.is_correct.is_(False)))
    assert options_of(shown) == before
    db.session.execute(delete(Option).where(Option.question_id == never_shown, Option.is_correct.is_(False)))
    assert options_of(never_shown) == 1
