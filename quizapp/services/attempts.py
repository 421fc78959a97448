"""The timed attempt: start or resume, what the participant sees, saving answers, submitting, and review.

The rules live in ``quizapp.domain.timing`` (deadline, grace, duration, review), ``quizapp.domain.draw`` (the draw)
and ``quizapp.domain.attempts`` (scoring); closing attempts (deadline sweep, round close) and time extensions are
in ``quizapp.services.attempt_closing``. Services flush and never commit; every refusal is an ``AttemptError``.

Concurrency: the database holds rule 3. ``attempts`` has UNIQUE(round_id, user_id, number) and a partial unique
index allowing one ``in_progress`` row per (round, user); a start inserts with ON CONFLICT DO NOTHING and, when a
simultaneous start won, resumes that one. A save or a submit first locks the attempt row (FOR NO KEY UPDATE on
PostgreSQL, the database's write lock on SQLite; every path locks the attempt before its questions, so they queue
instead of deadlocking) and writes only while it is in progress, so an answer cannot slip in after the scoring
and two simultaneous submits give one result (the second finds it submitted and returns that result).

Speed: start, save and submit are the requests of a round (bench/attempt_flow.py); their statements are built
once, run on the session's connection without ORM rows, and are as few as the rules allow. Other pages use the
ORM as usual.
"""

from __future__ import annotations

import functools
import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Connection,
    Integer,
    Row,
    Select,
    Text,
    and_,
    any_,
    bindparam,
    case,
    exists,
    func,
    insert,
    literal_column,
    or_,
    select,
    text,
    update,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.sql.dml import ReturningUpdate, Update

from quizapp.domain import timing
from quizapp.domain.attempts import AttemptError
from quizapp.domain.contests.status import effective_close, round_status
from quizapp.domain.draw import DrawnQuestion, PoolTooSmall, pick_questions, shuffle_options
from quizapp.extensions import db
from quizapp.models import (
    Attempt,
    AttemptQuestion,
    AttemptStatus,
    Contest,
    Option,
    Question,
    Role,
    Round,
    TimeExtension,
    User,
)
from quizapp.models.attempts import in_progress
from quizapp.models.types import UTCDateTime
from quizapp.services import draw_pool
from quizapp.services.attempt_closing import chose_correct_option, close_attempts, forget_cached_attempts

__all__ = ["AttemptError", "SavedAnswers", "StartedAttempt", "SubmitResult", "attempt_payload",
           "attempt_result", "review_payload", "save_answers", "start_or_resume", "start_refusal", "submit"]

_aq, _attempts, _rounds = AttemptQuestion.__table__, Attempt.__table__, Round.__table__
IN_PROGRESS = AttemptStatus.IN_PROGRESS
MAX_PREDICTION = MAX_ID = 2**31 - 1  # the columns are 32-bit integers
_START_TRIES = 3


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


@dataclass(frozen=True, slots=True)
class SavedAnswers:
    """What a save did: how many answers were given, and the attempt's deadline (for the time left)."""

    count: int
    deadline_at: datetime


# --- start or resume ----------------------------------------------------------------------------------------
#
# A start is the second request of every attempt, thousands of them when a round opens or is about to close.
# Its facts come in one query (the round, the participant's attempts in it, an extension, the content revision);
# the draw material comes from this process's ``draw_pool``; a new attempt is two INSERTs; the answer to the
# participant is built from what was just drawn, without reading it back.

_contests, _extensions = Contest.__table__, TimeExtension.__table__
_running = _attempts.alias("running")
_theirs = and_(_attempts.c.round_id == _rounds.c.id, _attempts.c.user_id == bindparam("user_id"))
_START_FACTS = (
    select(_rounds.c.id, _rounds.c.opens_at, _rounds.c.closes_at, _rounds.c.closed_at, _rounds.c.finalized_at,
           _rounds.c.question_count, _rounds.c.time_limit_seconds, _rounds.c.grace_seconds, _rounds.c.max_attempts,
           _rounds.c.prediction_question,
           select(func.count()).where(_theirs).scalar_subquery().label("used"),
           select(func.max(_attempts.c.number)).where(_theirs).scalar_subquery().label("last_number"),
           select(_extensions.c.seconds).where(_extensions.c.round_id == _rounds.c.id,
                                               _extensions.c.user_id == bindparam("user_id"))
           .scalar_subquery().label("extension_seconds"),
           draw_pool.content_revision().label("revision"),
           _running.c.id.label("running_id"), _running.c.number.label("running_number"),
           _running.c.started_at.label("running_started_at"), _running.c.deadline_at.label("running_deadline_at"))
    .select_from(_rounds.join(_contests, _contests.c.id == _rounds.c.contest_id)
                 .outerjoin(_running, and_(_running.c.round_id == _rounds.c.id,
                                           _running.c.user_id == bindparam("user_id"),
                                           in_progress(_running.c.status))))
    .where(_rounds.c.id == bindparam("round_id"), _contests.c.published.is_(True))
)
_START_FACTS_FOR_TOKEN = _START_FACTS.add_columns(User.token_holds(Role.PARTICIPANT).label("token_holds"))
# SQLite: a start writes after it reads, and a read transaction there cannot become a write transaction once
# another writer has committed; a write that changes nothing takes the write lock first (see _TAKE_WRITE_LOCK).
_TAKE_ROUND_WRITE_LOCK = (update(_rounds).where(_rounds.c.id == bindparam("round_id"))
                          .values(grace_seconds=_rounds.c.grace_seconds))
# A simultaneous start of the same participant breaks UNIQUE(round_id, user_id, number) or the one-in-progress
# index: the loser inserts nothing (no error, no savepoint needed), reads again and resumes the winner's attempt.
# Written as text: SQLAlchemy's dialect INSERT ... ON CONFLICT constructs are compiled afresh on every execution
# (not cacheable in 2.0), which a start cannot afford.
_ATTEMPT_COLUMNS = ("round_id", "user_id", "number", "status", "started_at", "deadline_at", "question_count",
                    "client_ip", "client_agent", "device_id")
_ATTEMPT_ROW = (f"INSERT INTO attempts ({', '.join(_ATTEMPT_COLUMNS)})"
                f" VALUES ({', '.join(':' + name for name in _ATTEMPT_COLUMNS)}) ON CONFLICT DO NOTHING RETURNING id")
_TIMES = (bindparam("started_at", type_=UTCDateTime()), bindparam("deadline_at", type_=UTCDateTime()))
# SQLite: the attempt, then its questions as one multi-row INSERT (RETURNING makes an executemany a single
# "insertmanyvalues" statement, compiled once and cached; the ids it returns are not needed).
_INSERT_ATTEMPT = text(_ATTEMPT_ROW).bindparams(*_TIMES)
_INSERT_QUESTIONS = insert(_aq).returning(_aq.c.position)
# PostgreSQL: both in one statement (one round trip), the questions passed as two space-separated lists (the
# question ids, and their option orders, which hold commas). Measured: psycopg caches the conversion of a query
# with at most 50 parameters only, so the multi-row INSERT's 80 parameters were parsed again on every start
# (~0.5 ms of the worker's CPU), and it dumps a Python list element by element; the second statement cost a
# round trip. The questions' INSERT inserts nothing when the attempt's did not (a lost race).
_INSERT_ATTEMPT_AND_QUESTIONS = text(
    f"WITH new_attempt AS ({_ATTEMPT_ROW}), drawn AS ("
    " INSERT INTO attempt_questions (attempt_id, position, question_id, option_order)"
    " SELECT new_attempt.id, drawn.position, drawn.question_id, drawn.option_order"
    " FROM new_attempt, unnest(CAST(string_to_array(:question_ids, ' ') AS integer[]),"
    " string_to_array(:option_orders, ' '))"
    " WITH ORDINALITY AS drawn (question_id, option_order, position))"
    " SELECT id FROM new_attempt"
).bindparams(*_TIMES)
_QUESTIONS_OF = (select(_aq.c.question_id, _aq.c.option_order, _aq.c.chosen_option_id)
                 .where(_aq.c.attempt_id == bindparam("attempt_id")).order_by(_aq.c.position))
_PAYLOAD_ROWS = (_QUESTIONS_OF.add_columns(_rounds.c.prediction_question)
                 .join_from(_aq, _attempts, _attempts.c.id == _aq.c.attempt_id)
                 .join(_rounds, _rounds.c.id == _attempts.c.round_id))


@dataclass(frozen=True, slots=True)
class StartedAttempt:
    """The attempt a start gave: resumed (``created`` False) or new, with what the participant sees
    (``payload``, as ``attempt_payload`` gives it)."""

    id: int
    round_id: int
    number: int
    started_at: datetime
    deadline_at: datetime
    created: bool
    payload: dict[str, Any]


def start_or_resume(round_id: int, user_id: int, *, now: datetime, rng: random.Random,
                    client_ip: str | None = None, client_agent: str | None = None, device_id: str | None = None,
                    token_version: int | None = None) -> StartedAttempt:
    """The participant's attempt in progress (``created`` False), or a new one with its questions drawn (True).

    ``round_not_found`` for no round ``round_id`` in a published contest. An attempt past its deadline and grace
    is closed first (with its saved answers). A new attempt needs the round open at ``now`` (``round_not_open``,
    ``round_closed``), fewer attempts than the cap (``attempt_cap_reached``) and pools large enough for the draw
    (``pool_too_small``). Two simultaneous calls for the same participant yield one attempt: the loser of the
    insert race resumes the winner's. ``token_version`` (the API's bearer token): the account must still be an
    active participant at that version, checked in the facts query (``token_refused``, before anything else).
    Statements: the facts, then either the resumed attempt's questions, or the INSERT of a new one (two on
    SQLite; plus the pool, when this process has none for the round at the current content revision).
    """
    connection = db.session.connection()
    dialect = connection.dialect.name
    client = (_clip(client_ip, 45), _clip(client_agent, 300), _clip(device_id, 64))
    for _ in range(_START_TRIES):
        if dialect == "sqlite":
            connection.execute(_TAKE_ROUND_WRITE_LOCK, {"round_id": round_id})
        facts = connection.execute(_START_FACTS if token_version is None else _START_FACTS_FOR_TOKEN,
                                   {"round_id": round_id, "user_id": user_id, "token_version": token_version}).first()
        if facts is None:
            raise AttemptError("round_not_found", {"round_id": round_id})
        if token_version is not None and not facts.token_holds:
            raise AttemptError("token_refused")
        if facts.running_id is not None:
            if timing.accepts_answers(facts.running_deadline_at, facts.grace_seconds, now):
                return _resumed(facts)
            # closed with what it saved; the UPDATE's own WHERE settles a race with a simultaneous submit
            close_attempts([Attempt.id == facts.running_id], now=now)
            continue
        refusal = start_refusal(facts, facts.used, now)
        if refusal is not None:
            raise refusal
        pool = draw_pool.pool_for(round_id, facts.question_count, facts.revision)
        drawn = _draw(round_id, pool, rng)
        started = timing.to_millisecond(now)
        deadline = timing.attempt_deadline(started, time_limit_seconds=facts.time_limit_seconds,
                                           extension_seconds=facts.extension_seconds or 0,
                                           round_close=effective_close(facts.closes_at, facts.closed_at))
        number = (facts.last_number or 0) + 1
        attempt_id = _insert_attempt(connection, drawn, {
            "round_id": round_id, "user_id": user_id, "number": number, "status": IN_PROGRESS.value,
            "started_at": started, "deadline_at": deadline, "question_count": len(drawn), "client_ip": client[0],
            "client_agent": client[1], "device_id": client[2]})
        if attempt_id is None:
            continue  # a simultaneous start won the race: read again, resume it (or report the cap)
        questions = [(q.question_id, q.option_ids, None) for q in drawn]
        return StartedAttempt(id=attempt_id, round_id=round_id, number=number, started_at=started,
                              deadline_at=deadline, created=True,
                              payload=_payload(attempt_id, deadline, facts.prediction_question, questions, pool))
    raise AttemptError("attempt_conflict", {"round_id": round_id})


def _insert_attempt(connection: Connection, drawn: Sequence[DrawnQuestion], attempt: dict[str, Any]) -> int | None:
    """Insert the attempt (``attempt``: its columns) and its ``drawn`` questions in their order; the new id, or
    None when a simultaneous start of the same participant won (then nothing is inserted)."""
    orders = [",".join(map(str, q.option_ids)) for q in drawn]
    if connection.dialect.name == "postgresql":
        return connection.execute(_INSERT_ATTEMPT_AND_QUESTIONS, {
            **attempt, "question_ids": " ".join(str(q.question_id) for q in drawn),
            "option_orders": " ".join(orders)}).scalar()
    attempt_id = connection.execute(_INSERT_ATTEMPT, attempt).scalar()
    if attempt_id is not None:
        connection.execute(_INSERT_QUESTIONS, [
            {"attempt_id": attempt_id, "position": position, "question_id": q.question_id, "option_order": order}
            for position, (q, order) in enumerate(zip(drawn, orders, strict=True), start=1)])
    return attempt_id


def _resumed(facts: Row[Any]) -> StartedAttempt:
    """The attempt in progress, with what it shows and what was saved: its questions in one query, their texts
    from the pool (a question retired since the draw is no longer there: read then)."""
    pool = draw_pool.pool_for(facts.id, facts.question_count, facts.revision)
    rows = db.session.connection().execute(_QUESTIONS_OF, {"attempt_id": facts.running_id}).all()
    questions = [(row.question_id, _option_ids(row.option_order), row.chosen_option_id) for row in rows]
    return StartedAttempt(id=facts.running_id, round_id=facts.id, number=facts.running_number,
                          started_at=facts.running_started_at, deadline_at=facts.running_deadline_at, created=False,
                          payload=_payload(facts.running_id, facts.running_deadline_at, facts.prediction_question,
                                           questions, pool))


def start_refusal(round_: Round | Row[Any], attempts_so_far: int, now: datetime) -> AttemptError | None:
    """Why a new attempt would be refused at ``now`` after ``attempts_so_far`` attempts, or None: the round not
    open yet (``round_not_open``), closed (``round_closed``), or the cap reached (``attempt_cap_reached``).
    ``round_`` is a ``Round`` (pages call this to say so before the participant presses the button) or the row of
    a start's facts, with the same names. ``start_or_resume`` raises it."""
    status = round_status(opens_at=round_.opens_at, closes_at=round_.closes_at, closed_at=round_.closed_at,
                          finalized_at=round_.finalized_at, now=now)
    if status == "upcoming":
        return AttemptError("round_not_open", {"round_id": round_.id, "opens_at": round_.opens_at})
    if status != "open":
        return AttemptError("round_closed", {"round_id": round_.id,
                                             "closed_at": effective_close(round_.closes_at, round_.closed_at)})
    if attempts_so_far >= round_.max_attempts:
        return AttemptError("attempt_cap_reached", {"round_id": round_.id, "max_attempts": round_.max_attempts})
    return None


def _clip(value: str | None, length: int) -> str | None:
    """What the client sent, cut to the column's length (a user agent can be very long); None when empty."""
    return value[:length] if value else None


def _draw(round_id: int, pool: draw_pool.DrawPool, rng: random.Random) -> list[DrawnQuestion]:
    """Draw by the round's rules (see ``quizapp.domain.draw``) from the pool."""
    try:
        picked = pick_questions(pool.quotas, rng)
    except PoolTooSmall as short:
        raise AttemptError("pool_too_small", {"round_id": round_id, "rule": short.rule, "needed": short.needed,
                                              "available": short.available}) from None
    return shuffle_options(picked, pool.options, rng)


# --- what the participant sees ------------------------------------------------------------------------------

def attempt_payload(attempt: Attempt) -> dict[str, Any]:
    """The attempt as the JSON API gives it, in its shuffled order, without any hint of the correct answers::

        {"attempt_id", "deadline" (ISO 8601, UTC offset), "questions": [{"id", "text", "options": [{"id", "text"}]}],
         "prediction_question", "answers": {"<question id>": option id}}

    ``answers`` holds the answers saved so far (keys are strings, as in JSON). Two queries.
    """
    rows = db.session.connection().execute(_PAYLOAD_ROWS, {"attempt_id": attempt.id}).all()
    questions = [(row.question_id, _option_ids(row.option_order), row.chosen_option_id) for row in rows]
    return _payload(attempt.id, attempt.deadline_at, rows[0].prediction_question if rows else None, questions, None)


def _payload(attempt_id: int, deadline: datetime, prediction_question: str | None,
             questions: Sequence[tuple[int, Sequence[int], int | None]], pool: draw_pool.DrawPool | None,
             ) -> dict[str, Any]:
    """``attempt_payload``'s answer for ``questions`` ((question id, option ids as shown, saved option)), with
    the texts taken from ``pool`` where it has them and read (one query) for the others."""
    question_texts, option_texts = (pool.question_texts, pool.option_texts) if pool else ({}, {})
    missing = [q for q, options, _ in questions
               if q not in question_texts or any(o not in option_texts for o in options)]
    if missing:
        question_texts, option_texts = dict(question_texts), dict(option_texts)
        for question_id, question_text, option_id, option_text in db.session.connection().execute(
                select(Question.id, Question.text, Option.id, Option.text)
                .join(Option, Option.question_id == Question.id).where(Question.id.in_(missing))):
            question_texts[question_id] = question_text
            option_texts[option_id] = option_text
    return {
        "attempt_id": attempt_id,
        "deadline": deadline.isoformat(timespec="milliseconds"),
        "questions": [{"id": q, "text": question_texts[q],
                       "options": [{"id": o, "text": option_texts[o]} for o in options]}
                      for q, options, _ in questions],
        "prediction_question": prediction_question,
        "answers": {str(q): chosen for q, _, chosen in questions if chosen is not None},
    }


def _option_ids(option_order: str) -> tuple[int, ...]:
    return tuple(int(part) for part in option_order.split(",") if part)


# --- saving and submitting ----------------------------------------------------------------------------------
#
# Every participant saves each answer as they choose it, so these run on almost every request of a round: their
# statements are built once, on the tables' columns (Core, no ORM rows), and each request needs as few as the
# rules allow (bench/attempt_flow.py measures them). Save: the locked read, one write of the answers (one round
# trip however many), commit; one answer on PostgreSQL: a single statement (``_SAVE_ONE``), commit. Submit: the
# locked read, one write of the final answers with their marks (which returns the score), the claim that stores it.
#
# Why the answers are compared and scored in SQL, after the lock, and not from the locked read: on PostgreSQL a
# SELECT ... FOR UPDATE that waited for the lock sees the locked row as it is now but the rows joined to it as
# they were when it started, so the saved answers it read may predate a save that committed meanwhile. The
# statements that follow the lock start afresh and see that save.

_STATE = (
    select(_aq.c.question_id, _aq.c.option_order, _attempts.c.user_id, _attempts.c.status, _attempts.c.started_at,
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
_TAKE_WRITE_LOCK = (update(_attempts).where(_attempts.c.id == bindparam("attempt_id"))
                    .values(status=_attempts.c.status))
# Rows whose answer is unchanged are not touched: their answered_at stays.
_WRITE_CHOICE = (update(_aq).where(_aq.c.attempt_id == bindparam("a_id"), _aq.c.question_id == bindparam("q_id"),
                                   _aq.c.chosen_option_id.is_distinct_from(bindparam("o_id")))
                 .values(chosen_option_id=bindparam("o_id"), answered_at=bindparam("at")))
# PostgreSQL: the save of one answer (what the attempt page sends at each choice) in one statement, when all is in
# order: lock the attempt as the locked read does (it is the caller's, in progress, within deadline + grace, the
# token holds), then write the answer if the question is one of the attempt's and the option one shown with it
# (an unchanged answer is not written: its answered_at stays). It returns the deadline and whether the answer was
# good; no row, or a bad answer, leaves everything as it was, and the save takes the checked path, which says
# exactly what is wrong (and closes an attempt past its time). Measured: a round trip less, and no reading of the
# attempt's twenty questions into Python.
# Why it is safe: the UPDATE joins the locked row, so the lock is taken before anything is written, and a lock that
# waited for a simultaneous submit re-reads the attempt, now submitted, so nothing is written.
# Why one answer and scalar parameters: PostgreSQL plans a prepared statement once (a generic plan) only when that
# plan's estimate is not worse than the plans made for the values; an array of answers (unnest) is estimated at
# ten rows, and every save was planned again (0.3 ms of the server's CPU, measured with pg_prepared_statements).
# No parameter is named after a column of attempt_questions: in an UPDATE, SQLAlchemy would make it a SET.
_NOW = bindparam("now", type_=UTCDateTime())
_ONE_SECOND = literal_column("interval '1 second'")


def _one_answer_save(*, token: bool) -> Select[Any]:
    # The lock finds the attempt by its primary key alone; what must hold of it is checked on the locked row (the
    # row as it is after any wait). With its conditions in the lock's WHERE, a plan made while the table was small
    # searched the partial index of attempts in progress for the user (measured: every save read that index).
    facts = [_attempts.c.id, _attempts.c.user_id, _attempts.c.status, _attempts.c.deadline_at, _rounds.c.grace_seconds]
    if token:
        facts.append(User.token_holds(Role.PARTICIPANT).label("token_holds"))
    locked = (select(*facts)
              .join_from(_attempts, _rounds, _rounds.c.id == _attempts.c.round_id)
              .where(_attempts.c.id == bindparam("a_id"))
              .with_for_update(of=_attempts, key_share=True)
              .cte("locked").prefix_with("MATERIALIZED"))
    in_order = and_(locked.c.user_id == bindparam("user_id"), in_progress(locked.c.status),
                    locked.c.deadline_at + locked.c.grace_seconds * _ONE_SECOND >= _NOW)
    if token:
        in_order = and_(in_order, locked.c.token_holds)
    option = bindparam("o_id", type_=Integer)
    shown = func.string_to_array(_aq.c.option_order, literal_column("','"), type_=ARRAY(Text)).cast(ARRAY(Integer))
    good = and_(_aq.c.attempt_id == bindparam("a_id"), _aq.c.question_id == bindparam("q_id"),
                or_(option.is_(None), option == any_(shown)))
    written = (update(_aq).where(_aq.c.attempt_id == locked.c.id, in_order, good,
                                 _aq.c.chosen_option_id.is_distinct_from(option))
               .values(chosen_option_id=option, answered_at=_NOW)
               .returning(_aq.c.question_id).cte("written"))
    return select(locked.c.deadline_at, exists().where(good).label("good")).where(in_order).add_cte(written)


_SAVE_ONE = _one_answer_save(token=False)
_SAVE_ONE_FOR_TOKEN = _one_answer_save(token=True)
_SET_PREDICTION = (update(_attempts).where(_attempts.c.id == bindparam("attempt_id"))
                   .values(prediction=bindparam("new_prediction")))


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


@dataclass(frozen=True, slots=True)
class _State:
    status: AttemptStatus
    started_at: datetime
    deadline_at: datetime
    grace_seconds: int
    question_count: int
    correct_count: int | None
    duration_ms: int | None
    offered: dict[int, frozenset[int]]  # question id -> the option ids shown with it


def save_answers(attempt_id: int, answers: Mapping[Any, Any], *, user_id: int, now: datetime,
                 prediction: int | None = None, token_version: int | None = None) -> SavedAnswers:
    """Save some or all answers ({question id: option id, or None to clear}) to the attempt ``attempt_id`` of the
    participant ``user_id``; returns how many were given, with the attempt's deadline.

    A ``prediction`` given here is kept with the attempt too, so that an attempt closed at its deadline without a
    submit still ranks with the prediction its participant typed.

    Only an existing attempt (``attempt_not_found``) of its owner (``not_your_attempt``); only while it accepts
    answers (deadline + grace): later, the attempt is closed with what was saved before and ``attempt_closed`` is
    raised (keep the closing by committing, or let the deadline sweep do it again). Every question must be one
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
    state = _load_state(attempt_id, user_id, token_version)
    _check_prediction(prediction)
    _check_accepting(attempt_id, state, now)
    choices = _checked_choices(state, answers)
    _write_choices(attempt_id, choices, now)
    if prediction is not None:
        db.session.connection().execute(_SET_PREDICTION, {"attempt_id": attempt_id, "new_prediction": prediction})
    return SavedAnswers(count=len(choices), deadline_at=state.deadline_at)


def _save_one(attempt_id: int, answers: Mapping[Any, Any], *, user_id: int, now: datetime,
              token_version: int | None) -> SavedAnswers | None:
    """A save of one answer in one statement (PostgreSQL), or None when it is not that or not in order (then
    nothing was written)."""
    if not isinstance(answers, Mapping) or len(answers) != 1:
        return None
    [(raw_question, raw_option)] = answers.items()
    question_id, option_id = _as_id(raw_question), None if raw_option is None else _as_id(raw_option)
    if question_id is None or (option_id is None and raw_option is not None):
        return None
    row = db.session.connection().execute(
        _SAVE_ONE if token_version is None else _SAVE_ONE_FOR_TOKEN,
        {"a_id": attempt_id, "user_id": user_id, "token_version": token_version, "now": now, "q_id": question_id,
         "o_id": option_id}).first()
    if row is None or not row.good:
        return None
    forget_cached_attempts(questions_only=True)
    return SavedAnswers(count=1, deadline_at=row.deadline_at)


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
    state = _load_state(attempt_id, user_id, token_version)
    _check_prediction(prediction)
    if state.status is not IN_PROGRESS:
        return SubmitResult.of(state)
    if not timing.accepts_answers(state.deadline_at, state.grace_seconds, now):
        close_attempts([Attempt.id == attempt_id], now=now)
        return _stored_result(attempt_id)
    choices = _checked_choices(state, answers or {})
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


def _check_prediction(prediction: int | None) -> None:
    if prediction is not None and (isinstance(prediction, bool) or not isinstance(prediction, int)
                                   or not 0 <= prediction <= MAX_PREDICTION):
        raise AttemptError("invalid_prediction", {"max": MAX_PREDICTION})


def attempt_result(attempt: Attempt) -> SubmitResult:
    """The stored result of a finished attempt, read afresh from the database."""
    forget_cached_attempts()
    db.session.refresh(attempt)
    return SubmitResult.of(attempt)


def _stored_result(attempt_id: int) -> SubmitResult:
    forget_cached_attempts()
    return SubmitResult.of(db.session.connection().execute(_RESULT, {"attempt_id": attempt_id}).one())


def _check_accepting(attempt_id: int, state: _State, now: datetime) -> None:
    if state.status is not IN_PROGRESS:
        raise AttemptError("attempt_closed", {"attempt_id": attempt_id, "status": state.status.value})
    if not timing.accepts_answers(state.deadline_at, state.grace_seconds, now):
        close_attempts([Attempt.id == attempt_id], now=now)
        raise AttemptError("attempt_closed", {"attempt_id": attempt_id, "status": AttemptStatus.EXPIRED.value,
                                              "deadline": state.deadline_at})


def _load_state(attempt_id: int, user_id: int, token_version: int | None) -> _State:
    """The attempt's state, read in one query with the attempt locked until the commit; ``attempt_not_found``
    when there is no such attempt (with questions), ``token_refused`` when ``token_version`` is given and the
    account no longer holds it, ``not_your_attempt`` when it is not ``user_id``'s (the caller needs no read of its
    own first)."""
    connection = db.session.connection()
    if connection.dialect.name == "sqlite":
        connection.execute(_TAKE_WRITE_LOCK, {"attempt_id": attempt_id})
    rows = connection.execute(_STATE if token_version is None else _STATE_FOR_TOKEN,
                              {"attempt_id": attempt_id, "user_id": user_id, "token_version": token_version}).all()
    if not rows:
        raise AttemptError("attempt_not_found", {"attempt_id": attempt_id})
    first = rows[0]
    if token_version is not None and not first.token_holds:
        raise AttemptError("token_refused")
    if first.user_id != user_id:
        raise AttemptError("not_your_attempt", {"attempt_id": attempt_id})
    return _State(status=first.status, started_at=first.started_at, deadline_at=first.deadline_at,
                  grace_seconds=first.grace_seconds, question_count=first.question_count,
                  correct_count=first.correct_count, duration_ms=first.duration_ms,
                  offered={row.question_id: frozenset(_option_ids(row.option_order)) for row in rows})


def _as_id(value: Any) -> int | None:
    """An id given as an int or as a string of digits (JSON object keys are strings); None for anything else,
    and for a number no row can have (the ids are positive 32-bit integers)."""
    if isinstance(value, str) and value.isascii() and value.isdigit() and len(value) <= 10:
        value = int(value)
    if isinstance(value, int) and not isinstance(value, bool) and 0 < value <= MAX_ID:
        return value
    return None


def _checked_choices(state: _State, answers: Mapping[Any, Any]) -> dict[int, int | None]:
    """{question id: option id or None}, every id checked against what the attempt showed; raises on the first
    unknown one (so that nothing is saved); ``invalid_answers`` when ``answers`` is not a mapping at all."""
    if not isinstance(answers, Mapping):
        raise AttemptError("invalid_answers")
    choices: dict[int, int | None] = {}
    for raw_question, raw_option in answers.items():
        question_id = _as_id(raw_question)
        if question_id is None or question_id not in state.offered:
            raise AttemptError("unknown_question", {"question_id": raw_question})
        option_id = None if raw_option is None else _as_id(raw_option)
        if raw_option is not None and option_id not in state.offered[question_id]:
            raise AttemptError("unknown_option", {"question_id": question_id, "option_id": raw_option})
        choices[question_id] = option_id
    return choices


def _write_choices(attempt_id: int, choices: Mapping[int, int | None], now: datetime) -> None:
    """Store the answers, in question order, in one round trip (an executemany); the caller holds the attempt's
    lock and has checked that it is in progress."""
    if not choices:
        return
    db.session.connection().execute(_WRITE_CHOICE, [{"a_id": attempt_id, "q_id": q, "o_id": choices[q], "at": now}
                                                    for q in sorted(choices)])
    forget_cached_attempts(questions_only=True)


# --- review -------------------------------------------------------------------------------------------------

def review_payload(attempt: Attempt, round_: Round, now: datetime) -> dict[str, Any] | None:
    """The finished attempt with, per question, the chosen and the correct option and the explanation; None while
    the round's ``review`` setting does not allow it yet (see ``quizapp.domain.timing.review_open``).

    The caller checks that the viewer owns the attempt (or is staff). Two queries.
    """
    if not timing.review_open(round_.review.value, attempt_finished=attempt.status is not IN_PROGRESS,
                              round_close=round_.effective_close(), grace_seconds=round_.grace_seconds, now=now):
        return None
    rows = db.session.execute(
        select(AttemptQuestion.question_id, AttemptQuestion.option_order, AttemptQuestion.chosen_option_id,
               AttemptQuestion.is_correct, Question.text, Question.explanation)
        .join(Question, Question.id == AttemptQuestion.question_id)
        .where(AttemptQuestion.attempt_id == attempt.id)
        .order_by(AttemptQuestion.position)
    ).all()
    options = {o.id: o for o in db.session.execute(
        select(Option.id, Option.text, Option.is_correct).where(Option.question_id.in_([r.question_id for r in rows]))
    )}
    questions = []
    for row in rows:
        shown = [options[o] for o in _option_ids(row.option_order)]
        questions.append({
            "id": row.question_id, "text": row.text,
            "options": [{"id": o.id, "text": o.text} for o in shown],
            "chosen_option_id": row.chosen_option_id,
            "correct_option_id": next((o.id for o in shown if o.is_correct), None),
            "is_correct": bool(row.is_correct), "explanation": row.explanation,
        })
    return {"attempt_id": attempt.id, "correct_count": attempt.correct_count or 0,
            "question_count": attempt.question_count, "duration_ms": attempt.duration_ms, "questions": questions}
