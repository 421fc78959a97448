"""PostgreSQL saves one answer and submits in one statement when all is in order, and takes the checked path (the
locked read, the checks in Python, the writes) otherwise. Both must leave the same rows: random sequences of saves
and submits, on time and late, with good and bad ids, run through each path on two attempts drawn alike, and the
stored attempts, answers, marks and outcomes are compared."""

from __future__ import annotations

import random
from datetime import timedelta
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select, update

from quizapp.domain.attempts import AttemptError
from quizapp.extensions import db
from quizapp.models import Attempt, AttemptQuestion, AttemptStatus
from quizapp.services.attempts import save, save_answers, start_or_resume, submission, submit
from tests.services.test_attempts import NOW, make_bank, make_round, options_by_correctness

QUESTIONS = 4

# One step: ("save", question index, option index or None to clear or -1 for an id not shown, seconds after start)
# or ("submit", {question index: option index}, prediction, seconds after start). Times run past the deadline
# (600 s) and its grace (10 s), so that late saves and submits are drawn too.
seconds = st.integers(min_value=0, max_value=640)
option = st.one_of(st.none(), st.integers(min_value=-1, max_value=3))
save_step = st.tuples(st.just("save"), st.integers(0, QUESTIONS - 1), option, seconds)
submit_step = st.tuples(st.just("submit"), st.dictionaries(st.integers(0, QUESTIONS - 1), st.integers(0, 3),
                                                           max_size=QUESTIONS),
                        st.one_of(st.none(), st.integers(0, 50)), seconds)
sequences = st.lists(st.one_of(save_step, submit_step), min_size=1, max_size=6)


@pytest.fixture
def pair(app, make_user):
    """Two participants, each with an attempt drawn from the same seed (same questions, order and shown ids)."""
    if db.engine.dialect.name != "postgresql":
        pytest.skip("the one-statement save and submit are PostgreSQL's")
    make_bank({"T": QUESTIONS})
    round_ = make_round(draw=[("T", QUESTIONS)], time_limit=600, grace=10)
    people = [make_user(), make_user()]
    attempts = [start_or_resume(round_.id, person.id, now=NOW, rng=random.Random(3)).id for person in people]
    db.session.commit()
    return list(zip(attempts, [person.id for person in people], strict=True))


def reset(attempt_id: int) -> None:
    db.session.execute(update(Attempt).where(Attempt.id == attempt_id).values(
        status=AttemptStatus.IN_PROGRESS, submitted_at=None, duration_ms=None, correct_count=None, prediction=None))
    db.session.execute(update(AttemptQuestion).where(AttemptQuestion.attempt_id == attempt_id).values(
        chosen_option_id=None, answered_at=None, is_correct=None))
    db.session.commit()


def run(steps: list[tuple[Any, ...]], attempt_id: int, user_id: int) -> list[Any]:
    """Apply ``steps`` to the attempt, each in its own transaction as a request would; their outcomes."""
    questions = sorted(options_by_correctness(attempt_id)[0])
    shown = {row.question_id: [int(i) for i in row.shown_option_ids.split(",")] for row in db.session.execute(
        select(AttemptQuestion.question_id, AttemptQuestion.shown_option_ids)
        .where(AttemptQuestion.attempt_id == attempt_id))}

    def shown_id(question: int, index: int | None) -> int | None:
        return None if index is None else (987_654 if index < 0 else shown[question][index])

    outcomes: list[Any] = []
    for step in steps:
        now = NOW + timedelta(seconds=step[-1])
        try:
            if step[0] == "save":
                question = questions[step[1]]
                saved = save_answers(attempt_id, {str(question): shown_id(question, step[2])}, user_id=user_id,
                                     now=now)
                outcomes.append(("saved", saved.count))
            else:
                answers = {str(questions[q]): shown_id(questions[q], o) for q, o in step[1].items()}
                result = submit(attempt_id, user_id=user_id, answers=answers, prediction=step[2], now=now)
                outcomes.append(result.as_json() | {"status": result.status.value})
            db.session.commit()
        except AttemptError as error:
            outcomes.append(("refused", error.code))
            if error.code == "attempt_closed":
                db.session.commit()  # the closing of an overdue attempt is kept, as the request handler keeps it
            else:
                db.session.rollback()
    return outcomes


def stored(attempt_id: int) -> tuple[Any, ...]:
    db.session.expire_all()
    attempt = db.session.get(Attempt, attempt_id)
    questions = db.session.execute(
        select(AttemptQuestion.position, AttemptQuestion.chosen_option_id, AttemptQuestion.answered_at,
               AttemptQuestion.is_correct).where(AttemptQuestion.attempt_id == attempt_id)
        .order_by(AttemptQuestion.position)).all()
    return (attempt.status, attempt.submitted_at - attempt.started_at if attempt.submitted_at else None,
            attempt.duration_ms, attempt.correct_count, attempt.prediction,
            [(p, c, a - attempt.started_at if a else None, m) for p, c, a, m in questions])


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=sequences)
def test_one_statement_and_checked_paths_store_the_same(pair, monkeypatch, steps):
    (fast_attempt, fast_user), (checked_attempt, checked_user) = pair
    for attempt_id in (fast_attempt, checked_attempt):
        reset(attempt_id)
    fast = run(steps, fast_attempt, fast_user)
    with monkeypatch.context() as patched:  # the one-statement paths step aside: everything takes the checked path
        patched.setattr(save, "_save_one", lambda *args, **kwargs: None)
        patched.setattr(submission, "_submit_in_one", lambda *args, **kwargs: None)
        checked = run(steps, checked_attempt, checked_user)
    assert fast == checked
    assert stored(fast_attempt) == stored(checked_attempt)
