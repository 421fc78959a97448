"""Rule 3 under real concurrency: threads, each with its own app context and database session, released together.

On PostgreSQL the unique constraints decide the races; on SQLite the database lock serializes the writers (each
waits on the busy timeout), and the same outcomes must hold.
"""

from __future__ import annotations

import random
import threading
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from flask import Flask
from sqlalchemy import func, select, update

from quizapp.domain.attempts import AttemptError
from quizapp.extensions import db
from quizapp.models import Attempt, AttemptQuestion, AttemptStatus, User
from quizapp.services.attempts import save_answers, start_or_resume, submit
from tests.services.test_attempts import (
    NOW,
    bank_options_by_correctness,
    make_bank,
    make_round,
    options_by_correctness,
    saved,
)

THREADS = 8


def together(app: Flask, count: int, work: Callable[[int], Any]) -> list[Any]:
    """Run ``work(i)`` in ``count`` threads released at the same instant; each commits its own session.

    Returns what each returned; an exception in any thread fails the test with it.
    """
    barrier = threading.Barrier(count)
    results: list[Any] = [None] * count
    errors: list[BaseException] = []

    def run(index: int) -> None:
        with app.app_context():
            try:
                barrier.wait(timeout=30)
                results[index] = work(index)
                db.session.commit()
            except BaseException as error:  # noqa: BLE001 - reported to the test below
                db.session.rollback()
                errors.append(error)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads), "a thread is stuck"
    if errors:
        raise errors[0]
    return results


def start_in_thread(round_id: int, user_id: int, now=NOW) -> Callable[[int], tuple[int, bool]]:
    def work(index: int) -> tuple[int, bool]:
        started = start_or_resume(round_id, user_id, now=now, rng=random.Random(index), client_ip=None,
                                  client_agent=None, device_id=f"tab-{index}")
        return started.id, started.created

    return work


def attempts_of(user_id: int) -> list[Attempt]:
    db.session.expire_all()
    return db.session.scalars(select(Attempt).where(Attempt.user_id == user_id).order_by(Attempt.number)).all()


def test_simultaneous_starts_make_one_attempt_and_everyone_resumes_it(app, make_user):
    make_bank()
    round_id, user_id = make_round().id, make_user().id
    results = together(app, THREADS, start_in_thread(round_id, user_id))
    attempts = attempts_of(user_id)
    assert len(attempts) == 1
    assert {attempt_id for attempt_id, _ in results} == {attempts[0].id}
    assert sum(created for _, created in results) == 1
    assert db.session.scalar(select(func.count()).select_from(AttemptQuestion)) == attempts[0].question_count == 10


def test_simultaneous_starts_cannot_exceed_the_attempt_cap(app, make_user):
    make_bank()
    round_ = make_round(max_attempts=2)
    round_id, user_id = round_.id, make_user().id
    participant = db.session.get(User, user_id)
    first = start_or_resume(round_.id, participant.id, now=NOW, rng=random.Random(0))
    submit(first.id, user_id=participant.id, now=NOW + timedelta(minutes=1))
    db.session.commit()
    results = together(app, THREADS, start_in_thread(round_id, user_id, now=NOW + timedelta(minutes=2)))
    attempts = attempts_of(user_id)
    assert [(a.number, a.status) for a in attempts] == [(1, AttemptStatus.SUBMITTED), (2, AttemptStatus.IN_PROGRESS)]
    assert {attempt_id for attempt_id, _ in results} == {attempts[1].id}


def started_attempt(make_user) -> tuple[int, int, dict[int, int], dict[int, int]]:
    """A committed attempt in progress of a new participant: (attempt id, user id, right options, wrong options)."""
    make_bank()
    participant = make_user()
    attempt = start_or_resume(make_round().id, participant.id, now=NOW, rng=random.Random(0))
    db.session.commit()
    return attempt.id, participant.id, *options_by_correctness(attempt.id)


def test_two_simultaneous_submits_give_one_result(app, make_user):
    attempt_id, user_id, right, wrong = started_attempt(make_user)
    half = dict(list(right.items())[:5])
    answers_by_thread = [half, {**wrong, **dict(list(right.items())[:2])}]

    def work(index: int):
        result = submit(attempt_id, user_id=user_id,
                        answers=answers_by_thread[index], prediction=100 + index,
                        now=NOW + timedelta(minutes=5, seconds=index))
        return result

    first, second = together(app, 2, work)
    assert first == second
    stored = attempts_of(user_id)[0]
    assert stored.status is AttemptStatus.SUBMITTED
    assert (stored.correct_count, stored.duration_ms) == (first.correct_count, first.duration_ms)
    assert first.correct_count in (5, 2)
    winner = 0 if first.correct_count == 5 else 1
    assert stored.prediction == 100 + winner
    assert saved(attempt_id) == answers_by_thread[winner]


def test_an_answer_saved_during_a_submit_is_either_scored_or_refused(app, make_user):
    attempt_id, user_id, right, _ = started_attempt(make_user)
    bank_right, _ = bank_options_by_correctness(attempt_id)

    def work(index: int) -> str:
        user = db.session.get(User, user_id)
        if index == 0:
            submit(attempt_id, user_id=user.id, now=NOW + timedelta(minutes=5))
            return "submitted"
        try:
            save_answers(attempt_id, right, user_id=user.id, now=NOW + timedelta(minutes=5))
        except AttemptError as error:
            return error.code
        return "saved"

    for _ in range(5 if db.engine.dialect.name == "postgresql" else 2):
        outcome = together(app, 2, work)
        stored = attempts_of(user_id)[0]
        rows = db.session.execute(select(AttemptQuestion.question_id, AttemptQuestion.chosen_option_id,
                                         AttemptQuestion.is_correct)
                                  .where(AttemptQuestion.attempt_id == attempt_id)).all()
        assert all(is_correct == (chosen == bank_right[q]) for q, chosen, is_correct in rows)
        assert stored.correct_count == sum(is_correct for _, _, is_correct in rows)
        assert outcome[1] in ("saved", "attempt_closed")
        assert stored.correct_count == (10 if outcome[1] == "saved" else 0)
        reset_attempt(attempt_id)


def reset_attempt(attempt_id: int) -> None:
    """Put the attempt back in progress with no answer, to run the race again."""
    db.session.execute(update(Attempt).where(Attempt.id == attempt_id).values(
        status=AttemptStatus.IN_PROGRESS, submitted_at=None, duration_ms=None, correct_count=None))
    db.session.execute(update(AttemptQuestion).where(AttemptQuestion.attempt_id == attempt_id).values(
        chosen_option_id=None, answered_at=None, is_correct=None))
    db.session.commit()


def test_answers_saved_one_by_one_during_a_submit_are_each_scored_or_refused(app, make_user):
    """The one-answer save (one statement on PostgreSQL) against a submit: a save that reports success is in the
    score; one that does not left nothing behind."""
    attempt_id, user_id, right, _ = started_attempt(make_user)
    questions = sorted(right)[:THREADS - 1]

    def work(index: int) -> str:
        if index == 0:
            submit(attempt_id, user_id=user_id, now=NOW + timedelta(minutes=5))
            return "submitted"
        question = questions[index - 1]
        try:
            save_answers(attempt_id, {str(question): right[question]}, user_id=user_id, now=NOW + timedelta(minutes=5))
        except AttemptError as error:
            return error.code
        return "saved"

    for _ in range(5 if db.engine.dialect.name == "postgresql" else 2):
        outcome = together(app, THREADS, work)
        assert set(outcome[1:]) <= {"saved", "attempt_closed"}
        saved_now = {questions[i - 1] for i in range(1, THREADS) if outcome[i] == "saved"}
        stored = attempts_of(user_id)[0]
        assert saved(attempt_id) == {question: right[question] for question in saved_now}
        assert stored.status is AttemptStatus.SUBMITTED and stored.correct_count == len(saved_now)
        reset_attempt(attempt_id)
