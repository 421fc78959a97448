"""Saving answers while an attempt is in progress: each choice on the attempt page, or several at once."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Integer, Select, and_, bindparam, case, exists, null, or_, select, update

from quizapp.extensions import db
from quizapp.models import Attempt, AttemptQuestion
from quizapp.models.types import UTCDateTime
from quizapp.services.attempt_closing import forget_cached_attempts
from quizapp.services.attempts.locked import (
    check_accepting,
    check_prediction,
    checked_choices,
    given_ids,
    in_order,
    load_state,
    locked_attempt,
)
from quizapp.services.rules_sql import bank_option_sql

_aq, _attempts = AttemptQuestion.__table__, Attempt.__table__


@dataclass(frozen=True, slots=True)
class SavedAnswers:
    """What a save did: how many answers were given, and the attempt's deadline (for the time left)."""

    count: int
    deadline_at: datetime


# Rows whose answer is unchanged are not touched: their answered_at stays.
_WRITE_CHOICE = (update(_aq).where(_aq.c.attempt_id == bindparam("a_id"), _aq.c.question_id == bindparam("q_id"),
                                   _aq.c.chosen_option_id.is_distinct_from(bindparam("o_id")))
                 .values(chosen_option_id=bindparam("o_id"), answered_at=bindparam("at")))
# PostgreSQL: the save of one answer (each choice on the attempt page) in one statement, when all is in order:
# lock the attempt as the locked read does (the caller's, in progress, within deadline + grace, the token holds),
# then write the bank's option behind the id shown, if the question is the attempt's and the id one shown with it
# (an unchanged answer is not written: its answered_at stays). It returns the deadline and whether the answer was
# good; otherwise nothing is written and the save takes the checked path, which names the problem.
# Safe: the UPDATE joins the locked row, and a lock that waited for a submit re-reads the attempt, now submitted.
# One answer with scalar parameters, so that PostgreSQL keeps one generic plan (bench/README.md).
# No parameter is named after a column of attempt_questions: in an UPDATE, SQLAlchemy would make it a SET.
_NOW = bindparam("now", type_=UTCDateTime())


def _one_answer_save(*, token: bool) -> Select[Any]:
    locked = locked_attempt(token=token, user_param="user_id")
    accepting = and_(*in_order(locked, token=token, user_param="user_id", now=_NOW))
    shown = bindparam("o_id", type_=Integer)
    option = case((shown.is_(None), null()),
                  else_=bank_option_sql(_aq.c.shown_option_ids, _aq.c.option_order, shown))
    good = and_(_aq.c.attempt_id == bindparam("a_id"), _aq.c.question_id == bindparam("q_id"),
                or_(shown.is_(None), option.is_not(None)))
    written = (update(_aq).where(_aq.c.attempt_id == locked.c.id, accepting, good,
                                 _aq.c.chosen_option_id.is_distinct_from(option))
               .values(chosen_option_id=option, answered_at=_NOW)
               .returning(_aq.c.question_id).cte("written"))
    return select(locked.c.deadline_at, exists().where(good).label("good")).where(accepting).add_cte(written)


_SAVE_ONE = _one_answer_save(token=False)
_SAVE_ONE_FOR_TOKEN = _one_answer_save(token=True)
_SET_PREDICTION = (update(_attempts).where(_attempts.c.id == bindparam("attempt_id"))
                   .values(prediction=bindparam("new_prediction")))


def save_answers(attempt_id: int, answers: Mapping[Any, Any], *, user_id: int, now: datetime,
                 prediction: int | None = None, token_version: int | None = None) -> SavedAnswers:
    """Save some or all answers ({question id: option id as shown, or None to clear}) to the attempt
    ``attempt_id`` of the participant ``user_id``; returns how many were given, with the attempt's deadline.

    A ``prediction`` given here is kept with the attempt too, so that an attempt closed at its deadline without a
    submit still ranks with the prediction its participant typed.

    Only an existing attempt (``attempt_not_found``) of its owner (``not_your_attempt``); only while it accepts
    answers (deadline + grace): later, the attempt is closed with what was saved before and ``attempt_closed`` is
    raised, keeping that closing (``AttemptError.keeps_effect``). Every question must be one
    of the attempt's (``unknown_question``) and every option one shown with that question (``unknown_option``);
    on any unknown id nothing is saved.
    Changing an answer is allowed until the deadline; saving the same answer again changes nothing (its
    ``answered_at`` stays). ``token_version``: as for ``start_or_resume``, checked in the locked read.
    Statements: on PostgreSQL, one answer without a prediction (each choice on the attempt page) is one statement
    when all is in order (``_SAVE_ONE``); otherwise, and on SQLite, the locked read, then one write of the answers.
    """
    if prediction is None and db.session.connection().dialect.name == "postgresql":
        saved = _save_one(attempt_id, answers, user_id=user_id, now=now, token_version=token_version)
        if saved is not None:
            return saved
    state = load_state(attempt_id, user_id, token_version)
    check_prediction(prediction)
    check_accepting(attempt_id, state, now)
    choices = checked_choices(state, answers)
    _write_choices(attempt_id, choices, now)
    if prediction is not None:
        db.session.connection().execute(_SET_PREDICTION, {"attempt_id": attempt_id, "new_prediction": prediction})
    return SavedAnswers(count=len(choices), deadline_at=state.deadline_at)


def _save_one(attempt_id: int, answers: Mapping[Any, Any], *, user_id: int, now: datetime,
              token_version: int | None) -> SavedAnswers | None:
    """A save of one answer in one statement (PostgreSQL), or None when it is not that or not in order (then
    nothing was written)."""
    choices = given_ids(answers)
    if choices is None or len(answers) != 1:
        return None
    [(question_id, option_id)] = choices.items()
    row = db.session.connection().execute(
        _SAVE_ONE if token_version is None else _SAVE_ONE_FOR_TOKEN,
        {"a_id": attempt_id, "user_id": user_id, "token_version": token_version, "now": now, "q_id": question_id,
         "o_id": option_id}).first()
    if row is None or not row.good:
        return None
    forget_cached_attempts(questions_only=True)
    return SavedAnswers(count=1, deadline_at=row.deadline_at)


def _write_choices(attempt_id: int, choices: Mapping[int, int | None], now: datetime) -> None:
    """Store the answers, in question order, in one round trip (an executemany); the caller holds the attempt's
    lock and has checked that it is in progress."""
    if not choices:
        return
    db.session.connection().execute(_WRITE_CHOICE, [{"a_id": attempt_id, "q_id": q, "o_id": choices[q], "at": now}
                                                    for q in sorted(choices)])
    forget_cached_attempts(questions_only=True)
