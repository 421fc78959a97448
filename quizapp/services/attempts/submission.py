"""Submitting an attempt: the final answers, the score, the time; idempotent."""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Integer,
    bindparam,
    case,
    func,
    literal_column,
    null,
    or_,
    select,
    update,
)
from sqlalchemy.sql.dml import ReturningUpdate

from quizapp.domain import timing
from quizapp.domain.contests.parse import MAX_QUESTIONS
from quizapp.extensions import db
from quizapp.models import Attempt, AttemptQuestion, AttemptStatus
from quizapp.models.types import UTCDateTime
from quizapp.services.attempt_closing import close_if_overdue, forget_cached_attempts
from quizapp.services.attempts.locked import (
    IN_PROGRESS,
    check_prediction,
    checked_choices,
    given_ids,
    in_order,
    load_state,
    locked_attempt,
    prediction_ok,
)
from quizapp.services.rules_sql import bank_option_sql, chose_correct_option, duration_ms_sql

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

    @property
    def late(self) -> bool:
        """The attempt was closed at its deadline (rule 1), before this submit or because it came after the
        deadline plus grace: whatever answers the submit carried were not counted."""
        return self.status is AttemptStatus.EXPIRED

    def as_json(self) -> dict[str, int | bool]:
        """The JSON API's submit answer: ``{"correct_count", "question_count", "duration_ms"}``, and
        ``"late": true`` when the answers sent with the submit came too late to count."""
        answer: dict[str, int | bool] = {"correct_count": self.correct_count, "question_count": self.question_count,
                                         "duration_ms": self.duration_ms}
        if self.late:
            answer["late"] = True
        return answer


# SQLite's claim: the attempt ``:a_id``, still in progress, marked submitted at ``:at`` after ``:duration`` ms with
# ``:correct`` answers and the prediction ``:new_prediction`` (its earlier one when None). No parameter is named
# after a column of attempts: in an UPDATE, SQLAlchemy would make it a SET.
_CLAIM = (update(_attempts).where(_attempts.c.id == bindparam("a_id"), _attempts.c.status == IN_PROGRESS)
          .values(status=AttemptStatus.SUBMITTED, submitted_at=bindparam("at"), duration_ms=bindparam("duration"),
                  correct_count=bindparam("correct"),
                  prediction=func.coalesce(bindparam("new_prediction", type_=Integer), _attempts.c.prediction)))
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
    Statements: on PostgreSQL, one (``_one_statement_submit``) when all is in order; otherwise, and on SQLite,
    the locked read, one write of every question's final answer and mark (returning the marks, so the score needs
    no query of its own), and the claim storing status, time, prediction and score.
    """
    connection = db.session.connection()
    if connection.dialect.name == "postgresql":
        submitted = _submit_in_one(attempt_id, answers, user_id=user_id, prediction=prediction, now=now,
                                   token_version=token_version)
        if submitted is not None:
            return submitted
    state = load_state(attempt_id, user_id, token_version)
    check_prediction(prediction)
    if state.status is not IN_PROGRESS:
        return SubmitResult.of(state)
    if close_if_overdue(attempt_id, state.deadline_at, state.grace_seconds, now):
        return _stored_result(attempt_id)
    choices = checked_choices(state, answers or {})
    duration = timing.duration_ms(state.started_at, state.deadline_at, now)
    marks = connection.execute(_final_answers(len(choices)), _final_answer_parameters(attempt_id, choices, now))
    correct_count = sum(1 for marked in marks.scalars() if marked)
    connection.execute(_CLAIM, {"a_id": attempt_id, "at": now, "duration": duration, "correct": correct_count,
                                "new_prediction": prediction})
    forget_cached_attempts()
    return SubmitResult(correct_count=correct_count, question_count=state.question_count, duration_ms=duration,
                        status=AttemptStatus.SUBMITTED)


def _submit_in_one(attempt_id: int, answers: Mapping[Any, Any] | None, *, user_id: int, prediction: Any,
                   now: datetime, token_version: int | None) -> SubmitResult | None:
    """A submit in one statement (PostgreSQL), or None when it is not in order (then nothing was written, and
    the checked path says why, returns the stored result, or closes an attempt past its time)."""
    choices = given_ids({} if answers is None else answers)
    if choices is None or len(choices) > MAX_QUESTIONS or not prediction_ok(prediction):
        return None  # more answers than a round has questions: one at least is unknown, as the checked path says
    parameters = _final_answer_parameters(attempt_id, {q: o or 0 for q, o in choices.items()}, now)
    row = db.session.connection().execute(_one_statement_submit(len(choices), token=token_version is not None), {
        **parameters, "u_id": user_id, "token_version": token_version, "new_prediction": prediction}).first()
    if row is None:
        return None
    forget_cached_attempts()
    return SubmitResult(correct_count=row.correct_count, question_count=row.question_count,
                        duration_ms=row.duration_ms, status=AttemptStatus.SUBMITTED)


@functools.lru_cache(maxsize=128)
def _one_statement_submit(given: int, *, token: bool) -> ReturningUpdate[Any]:
    """PostgreSQL: lock the attempt ``:a_id`` as the locked read does; if it is the caller's, in progress, within
    deadline + grace at ``:at``, the token holds and each of the ``given`` answers (``:q0``/``:o0`` ..., the
    option's id as shown, 0 for no answer) is for one of its questions with an option shown with it: write the
    final answers (the bank's options behind the ids shown) with their marks and claim the attempt with its score
    and duration. Returns the stored result, or no row (and writes nothing) when anything is not in order.

    Safe as the one-answer save is: the writes join the locked row, and a lock that waited for a simultaneous
    submit sees the attempt submitted. The answers are written out once (the CTE ``answers``) and the constants
    are in the SQL, to keep the statement short enough for psycopg to keep it prepared (bench/README.md). No
    parameter is named after a column of attempts (``:u_id``): in an UPDATE, SQLAlchemy would make it a SET."""
    locked = locked_attempt(token=token, user_param="u_id")
    # per question of the attempt: the option given now, 0 for an answer cleared, -1 when not given
    cleared, not_given = literal_column("0", Integer), literal_column("-1", Integer)
    code = _given_answer(given, else_=not_given)
    given_now = (select(_aq.c.question_id, _aq.c.shown_option_ids, _aq.c.option_order, code.label("code"))
                 .where(_aq.c.attempt_id == bindparam("a_id")).subquery("given_now"))
    answers = select(given_now.c.question_id, given_now.c.code, bank_option_sql(
        given_now.c.shown_option_ids, given_now.c.option_order, given_now.c.code).label("option_id")).cte("answers")
    well_given = (select(func.count()).select_from(answers)
                  .where(answers.c.code != not_given,
                         or_(answers.c.code == cleared, answers.c.option_id.is_not(None)))
                  .scalar_subquery())
    at = bindparam("at", type_=UTCDateTime())
    ok = (select(locked.c.id, locked.c.started_at, locked.c.deadline_at)
          .where(*in_order(locked, token=token, user_param="u_id", now=at),
                 well_given == literal_column(str(given), Integer))
          .cte("ok"))
    final = case((answers.c.code == not_given, _aq.c.chosen_option_id), (answers.c.code == cleared, null()),
                 else_=answers.c.option_id)
    marks = (update(_aq)
             .where(_aq.c.attempt_id == ok.c.id, _aq.c.question_id == answers.c.question_id)
             .values(chosen_option_id=final,
                     answered_at=case((final.is_distinct_from(_aq.c.chosen_option_id), at), else_=_aq.c.answered_at),
                     is_correct=chose_correct_option(final))
             .returning(_aq.c.is_correct).cte("marks"))
    score = select(func.count()).select_from(marks).where(marks.c.is_correct.is_(True)).scalar_subquery()
    return (update(_attempts).where(_attempts.c.id == ok.c.id)
            .values(status=literal_column(f"'{AttemptStatus.SUBMITTED.value}'"), submitted_at=at,
                    duration_ms=duration_ms_sql(ok.c.started_at, ok.c.deadline_at, at, dialect="postgresql"),
                    correct_count=score,
                    prediction=func.coalesce(bindparam("new_prediction", type_=Integer), _attempts.c.prediction))
            .returning(_attempts.c.correct_count, _attempts.c.question_count, _attempts.c.duration_ms)
            .add_cte(marks))


@functools.lru_cache(maxsize=64)
def _final_answers(given: int) -> ReturningUpdate[tuple[bool]]:
    """One UPDATE of every question of the attempt ``:a_id``: the answer given now for ``given`` questions
    (``:q0``/``:o0`` ...), else the one saved before; its ``answered_at`` (``:at``) when it changed; its mark by
    the scoring rule. Returns the marks. The answers come in as a CASE on the question: one statement, where an
    executemany would update each row twice. Built once per number of answers given (the cached statement skips
    SQLAlchemy's construction and cache-key work on every submit)."""
    final = _given_answer(given, else_=_aq.c.chosen_option_id)
    return (update(_aq).where(_aq.c.attempt_id == bindparam("a_id"))
            .values(chosen_option_id=final,
                    answered_at=case((final.is_distinct_from(_aq.c.chosen_option_id),
                                      bindparam("at", type_=UTCDateTime())), else_=_aq.c.answered_at),
                    is_correct=chose_correct_option(final))
            .returning(_aq.c.is_correct))


def _given_answer(given: int, *, else_: ColumnElement[Any]) -> ColumnElement[Any]:
    """Per question of the attempt: the option ``:oN`` given now for the question ``:qN`` (N < ``given``), else
    ``else_``. The parameters come from ``_final_answer_parameters``."""
    if not given:
        return else_
    return case(*[(bindparam(f"q{i}", type_=Integer), bindparam(f"o{i}", type_=Integer)) for i in range(given)],
                value=_aq.c.question_id, else_=else_)


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
