"""Submitting an attempt: the final answers, the score, the time; idempotent."""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Integer, bindparam, case, func, select, update
from sqlalchemy.sql.dml import ReturningUpdate, Update

from quizapp.domain import timing
from quizapp.extensions import db
from quizapp.models import Attempt, AttemptQuestion, AttemptStatus
from quizapp.models.types import UTCDateTime
from quizapp.services.attempt_closing import chose_correct_option, close_attempts, forget_cached_attempts
from quizapp.services.attempts.locked import IN_PROGRESS, check_prediction, checked_choices, load_state

_aq, _attempts = AttemptQuestion.__table__, Attempt.__table__


@dataclass(frozen=True, slots=True)
class SubmitResult:
    """The outcome of an attempt. ``status`` says whether it was submitted or closed at its deadline."""

    correct_count: int
    question_count: int
    duration_ms: int
    status: AttemptStatus

    @classmethod
    def of(cls, stored: Any) -> SubmitResult:
        """The result as stored on an attempt (a row, an ``Attempt``): its score, question count, duration and
        status."""
        return cls(correct_count=stored.correct_count or 0, question_count=stored.question_count,
                   duration_ms=stored.duration_ms or 0, status=stored.status)

    def as_json(self) -> dict[str, int]:
        """The JSON API's submit answer: ``{"correct_count", "question_count", "duration_ms"}``."""
        return {"correct_count": self.correct_count, "question_count": self.question_count,
                "duration_ms": self.duration_ms}


def _claim(correct_count: ColumnElement[int]) -> Update:
    """The attempt ``:a_id``, still in progress, marked submitted at ``:at`` after ``:duration`` ms with
    ``correct_count`` and the prediction ``:new_prediction`` (its earlier one when None). No parameter is named
    after a column of attempts: in an UPDATE, SQLAlchemy would make it a SET."""
    return (update(_attempts).where(_attempts.c.id == bindparam("a_id"), _attempts.c.status == IN_PROGRESS)
            .values(status=AttemptStatus.SUBMITTED, submitted_at=bindparam("at"), duration_ms=bindparam("duration"),
                    correct_count=correct_count,
                    prediction=func.coalesce(bindparam("new_prediction", type_=Integer), _attempts.c.prediction)))


_CLAIM = _claim(bindparam("correct"))
_RESULT = select(_attempts.c.correct_count, _attempts.c.question_count, _attempts.c.duration_ms,
                 _attempts.c.status).where(_attempts.c.id == bindparam("attempt_id"))


def submit(attempt_id: int, *, user_id: int, answers: Mapping[Any, Any] | None = None,
           prediction: int | None = None, now: datetime, token_version: int | None = None) -> SubmitResult:
    """Save the final answers and the prediction, score the attempt, and return its result.

    Accepted up to the deadline plus grace; the duration counts only up to the deadline. Idempotent: a repeated
    submit, or one that waited for a simultaneous submit, returns the stored result and changes nothing. An
    attempt already closed at its deadline returns its result; one past its grace is closed now with the answers
    saved by its deadline (what arrives with the late submit is ignored) and its result returned with ``status``
    expired. Unknown questions or options (or a prediction outside 0..2^31-1) raise before anything is written;
    ``attempt_not_found`` / ``not_your_attempt`` / ``token_refused`` as for a save.
    Statements: the locked read, one write of every question's final answer and mark (returning the marks, so
    the score needs no query of its own), the claim storing status, time, prediction and score; on PostgreSQL the
    last two are one statement.
    """
    state = load_state(attempt_id, user_id, token_version)
    check_prediction(prediction)
    if state.status is not IN_PROGRESS:
        return SubmitResult.of(state)
    if not timing.accepts_answers(state.deadline_at, state.grace_seconds, now):
        close_attempts([Attempt.id == attempt_id], now=now)
        return _stored_result(attempt_id)
    choices = checked_choices(state, answers or {})
    connection = db.session.connection()
    duration = timing.duration_ms(state.started_at, state.deadline_at, now)
    parameters = _final_answer_parameters(attempt_id, choices, now)
    if connection.dialect.name == "postgresql":
        correct_count = connection.execute(_final_answers_and_claim(len(choices)), {
            **parameters, "duration": duration, "new_prediction": prediction}).scalar_one()
    else:
        marks = connection.execute(_final_answers(len(choices)), parameters).scalars()
        correct_count = sum(1 for marked in marks if marked)
        connection.execute(_CLAIM, {"a_id": attempt_id, "at": now, "duration": duration,
                                    "correct": correct_count, "new_prediction": prediction})
    forget_cached_attempts()
    return SubmitResult(correct_count=correct_count, question_count=state.question_count, duration_ms=duration,
                        status=AttemptStatus.SUBMITTED)


@functools.lru_cache(maxsize=64)
def _final_answers_and_claim(given: int) -> ReturningUpdate[tuple[int]]:
    """PostgreSQL: ``_final_answers`` and the claim in one statement (a round trip less; SQLite has no UPDATE in
    a WITH); the claim counts the marks the first returns and returns that score."""
    marks = _final_answers(given).cte("marks")
    score = select(func.count()).select_from(marks).where(marks.c.is_correct.is_(True)).scalar_subquery()
    return _claim(score).returning(_attempts.c.correct_count).add_cte(marks)


@functools.lru_cache(maxsize=64)
def _final_answers(given: int) -> ReturningUpdate[tuple[bool]]:
    """One UPDATE of every question of the attempt ``:a_id``: the answer given now for ``given`` questions
    (``:q0``/``:o0`` ...), else the one saved before; its ``answered_at`` (``:at``) when it changed; its mark by
    the scoring rule. Returns the marks. The answers come in as a CASE on the question: one statement, where an
    executemany would update each row twice. Built once per number of answers given (the cached statement skips
    SQLAlchemy's construction and cache-key work on every submit)."""
    final: ColumnElement[int | None] = _aq.c.chosen_option_id
    if given:
        final = case(*[(bindparam(f"q{i}", type_=Integer), bindparam(f"o{i}", type_=Integer)) for i in range(given)],
                     value=_aq.c.question_id, else_=final)
    return (update(_aq).where(_aq.c.attempt_id == bindparam("a_id"))
            .values(chosen_option_id=final,
                    answered_at=case((final.is_distinct_from(_aq.c.chosen_option_id),
                                      bindparam("at", type_=UTCDateTime())), else_=_aq.c.answered_at),
                    is_correct=chose_correct_option(final))
            .returning(_aq.c.is_correct))


def _final_answer_parameters(attempt_id: int, choices: Mapping[int, int | None], now: datetime) -> dict[str, Any]:
    parameters: dict[str, Any] = {"a_id": attempt_id, "at": now}
    for i, question_id in enumerate(sorted(choices)):
        parameters[f"q{i}"], parameters[f"o{i}"] = question_id, choices[question_id]
    return parameters


def attempt_result(attempt: Attempt) -> SubmitResult:
    """The stored result of a finished attempt, read afresh from the database."""
    forget_cached_attempts()
    db.session.refresh(attempt)
    return SubmitResult.of(attempt)


def _stored_result(attempt_id: int) -> SubmitResult:
    forget_cached_attempts()
    return SubmitResult.of(db.session.connection().execute(_RESULT, {"attempt_id": attempt_id}).one())
