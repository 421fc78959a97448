"""The locked read of an attempt and the checks that its writes (a save, a submit) share.

Every participant saves each answer as they choose it, so these run on almost every request of a round: their
statements are built once, on the tables' columns (Core, no ORM rows), and each request needs as few as the rules
allow (bench/attempt_flow.py measures them). On PostgreSQL, a save of one answer and a submit are each one
statement when all is in order (``locked_attempt`` and ``in_order`` hold the lock and the checks for them);
otherwise, and on SQLite, the locked read (``load_state``), the checks, then the writes.

Why the answers are compared and scored in SQL, after the lock, and not from the locked read: on PostgreSQL a
SELECT ... FOR UPDATE that waited for the lock sees the locked row as it is now but the rows joined to it as
they were when it started, so the saved answers it read may predate a save that committed meanwhile. The
statements that follow the lock start afresh and see that save.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import CTE, BindParameter, ColumnElement, bindparam, select, update

from quizapp.domain.attempts import AttemptError
from quizapp.extensions import db
from quizapp.models import Attempt, AttemptQuestion, AttemptStatus, Role, Round, User
from quizapp.models.attempts import in_progress
from quizapp.services.attempt_closing import close_if_overdue
from quizapp.services.attempts.payload import option_ids
from quizapp.services.rules_sql import accepts_answers_sql

_aq, _attempts, _rounds = AttemptQuestion.__table__, Attempt.__table__, Round.__table__
IN_PROGRESS = AttemptStatus.IN_PROGRESS
MAX_PREDICTION = MAX_ID = 2**31 - 1  # the columns are 32-bit integers


@dataclass(frozen=True, slots=True)
class LockedState:
    status: AttemptStatus
    started_at: datetime
    deadline_at: datetime
    grace_seconds: int
    question_count: int
    correct_count: int | None
    duration_ms: int | None
    offered: dict[int, dict[int, int]]  # question id -> {id shown: the bank's option id} of its options


_STATE = (
    select(_aq.c.question_id, _aq.c.option_order, _aq.c.shown_option_ids, _attempts.c.user_id,
           _attempts.c.status, _attempts.c.started_at,
           _attempts.c.deadline_at, _attempts.c.question_count, _attempts.c.correct_count, _attempts.c.duration_ms,
           _rounds.c.grace_seconds)
    .select_from(_aq.join(_attempts, _attempts.c.id == _aq.c.attempt_id)
                 .join(_rounds, _rounds.c.id == _attempts.c.round_id))
    .where(_aq.c.attempt_id == bindparam("attempt_id"))
    .with_for_update(of=_attempts, key_share=True)  # FOR NO KEY UPDATE: its questions can still be read
)
_STATE_FOR_TOKEN = _STATE.add_columns(User.token_holds(Role.PARTICIPANT).label("token_holds"))
# SQLite has no row locks: a write that changes nothing takes the database's write lock before the read, so that
# the read is current and stays so until the commit, as the row lock makes it on PostgreSQL.
TAKE_WRITE_LOCK = (update(_attempts).where(_attempts.c.id == bindparam("attempt_id"))
                    .values(status=_attempts.c.status))


def load_state(attempt_id: int, user_id: int, token_version: int | None) -> LockedState:
    """The attempt's state, read in one query with the attempt locked until the commit; ``attempt_not_found``
    when there is no such attempt (with questions), ``token_refused`` when ``token_version`` is given and the
    account no longer holds it, ``not_your_attempt`` when it is not ``user_id``'s (the caller needs no read of its
    own first)."""
    connection = db.session.connection()
    if connection.dialect.name == "sqlite":
        connection.execute(TAKE_WRITE_LOCK, {"attempt_id": attempt_id})
    rows = connection.execute(_STATE if token_version is None else _STATE_FOR_TOKEN,
                              {"attempt_id": attempt_id, "user_id": user_id, "token_version": token_version}).all()
    if not rows:
        raise AttemptError("attempt_not_found", {"attempt_id": attempt_id})
    first = rows[0]
    if token_version is not None and not first.token_holds:
        raise AttemptError("token_refused")
    if first.user_id != user_id:
        raise AttemptError("not_your_attempt", {"attempt_id": attempt_id})
    return LockedState(status=first.status, started_at=first.started_at, deadline_at=first.deadline_at,
                       grace_seconds=first.grace_seconds, question_count=first.question_count,
                       correct_count=first.correct_count, duration_ms=first.duration_ms,
                       offered={row.question_id: dict(zip(option_ids(row.shown_option_ids),
                                                          option_ids(row.option_order), strict=True))
                                for row in rows})


def as_id(value: Any) -> int | None:
    """An id given as an int or as a string of digits (JSON object keys are strings); None for anything else,
    and for a number no row can have (the ids are positive 32-bit integers)."""
    if isinstance(value, str) and value.isascii() and value.isdigit() and len(value) <= 10:
        value = int(value)
    if isinstance(value, int) and not isinstance(value, bool) and 0 < value <= MAX_ID:
        return value
    return None


def given_ids(answers: Any) -> dict[int, int | None] | None:
    """``answers`` ({question id: shown option id, or None to clear}) with every id read by ``as_id``; None when
    ``answers`` is not a mapping or holds anything that is not an id, which the checked path then names
    (``checked_choices``). For the one-statement save and submit, which check the ids against the attempt in SQL."""
    if not isinstance(answers, Mapping):
        return None
    choices: dict[int, int | None] = {}
    for raw_question, raw_option in answers.items():
        question_id, option_id = as_id(raw_question), None if raw_option is None else as_id(raw_option)
        if question_id is None or (option_id is None and raw_option is not None):
            return None
        choices[question_id] = option_id
    return choices


def checked_choices(state: LockedState, answers: Mapping[Any, Any]) -> dict[int, int | None]:
    """{question id: the bank's option id or None} for ``answers`` ({question id: an option id as shown}), every
    id checked against what the attempt showed; raises on the first unknown one (so that nothing is saved);
    ``invalid_answers`` when ``answers`` is not a mapping at all."""
    if not isinstance(answers, Mapping):
        raise AttemptError("invalid_answers")
    choices: dict[int, int | None] = {}
    for raw_question, raw_option in answers.items():
        question_id = as_id(raw_question)
        if question_id is None or question_id not in state.offered:
            raise AttemptError("unknown_question", {"question_id": raw_question})
        shown_id = None if raw_option is None else as_id(raw_option)
        option_id = None if shown_id is None else state.offered[question_id].get(shown_id)
        if raw_option is not None and option_id is None:
            raise AttemptError("unknown_option", {"question_id": question_id, "option_id": raw_option})
        choices[question_id] = option_id
    return choices


def prediction_ok(prediction: Any) -> bool:
    """None (no prediction) or a whole number in 0..2^31-1."""
    return prediction is None or (isinstance(prediction, int) and not isinstance(prediction, bool)
                                  and 0 <= prediction <= MAX_PREDICTION)


def check_prediction(prediction: Any) -> None:
    if not prediction_ok(prediction):
        raise AttemptError("invalid_prediction", {"max": MAX_PREDICTION})


def check_accepting(attempt_id: int, state: LockedState, now: datetime) -> None:
    if state.status is not IN_PROGRESS:
        raise AttemptError("attempt_closed", {"attempt_id": attempt_id, "status": state.status.value})
    if close_if_overdue(attempt_id, state.deadline_at, state.grace_seconds, now):
        raise AttemptError("attempt_closed", {"attempt_id": attempt_id, "status": AttemptStatus.EXPIRED.value,
                                              "deadline": state.deadline_at}, keeps_effect=True)


# --- the same lock and checks inside one statement (PostgreSQL's one-statement save and submit) ----------------

def locked_attempt(*, token: bool, user_param: str) -> CTE:
    """A CTE locking the attempt ``:a_id`` as ``load_state`` does, with what must hold of it: its id, owner,
    status, start and deadline, its round's grace and, with ``token``, whether the account ``:<user_param>``
    still holds ``:token_version``. The lock finds the attempt by its primary key alone and the conditions
    (``in_order``) are checked on the locked row, as it is after any wait (with them in the lock's WHERE, a plan
    made on a small table went through another index: bench/README.md)."""
    facts = [_attempts.c.id, _attempts.c.user_id, _attempts.c.status, _attempts.c.started_at,
             _attempts.c.deadline_at, _rounds.c.grace_seconds]
    if token:
        facts.append(User.token_holds(Role.PARTICIPANT, user_param=user_param).label("token_holds"))
    return (select(*facts)
            .join_from(_attempts, _rounds, _rounds.c.id == _attempts.c.round_id)
            .where(_attempts.c.id == bindparam("a_id"))
            .with_for_update(of=_attempts, key_share=True)
            .cte("locked").prefix_with("MATERIALIZED"))


def in_order(locked: CTE, *, token: bool, user_param: str, now: BindParameter[Any]) -> list[ColumnElement[bool]]:
    """What ``load_state`` and ``check_accepting`` require, on the row of ``locked_attempt``: the caller's
    attempt, in progress, within deadline + grace at ``now``, and (``token``) the bearer token holds."""
    conditions = [locked.c.user_id == bindparam(user_param), in_progress(locked.c.status),
                  accepts_answers_sql(locked.c.deadline_at, locked.c.grace_seconds, now)]
    if token:
        conditions.append(locked.c.token_holds)
    return conditions
