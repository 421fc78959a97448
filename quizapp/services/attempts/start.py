"""Start or resume an attempt.

A start is the second request of every attempt, thousands of them when a round opens or is about to close. Its
facts come in one query (the round, the participant's attempts in it, an extension, the content revision, whether
the contest's audience leaves the participant out); the
draw material comes from this process's ``draw_pool``; a new attempt is two INSERTs (one statement on PostgreSQL);
the answer to the participant is built from what was just drawn, without reading it back.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Row, and_, bindparam, func, insert, select, text, update

from quizapp.domain import timing
from quizapp.domain.attempts import AttemptError
from quizapp.domain.contests.status import effective_close, round_status
from quizapp.domain.draw import DrawnQuestion, PoolTooSmall, pick_questions, shuffle_options
from quizapp.extensions import db
from quizapp.models import Attempt, AttemptQuestion, Contest, Role, Round, TimeExtension, User
from quizapp.models.attempts import in_progress
from quizapp.models.types import UTCDateTime
from quizapp.services import draw_pool
from quizapp.services.attempt_closing import close_if_overdue
from quizapp.services.attempts.locked import IN_PROGRESS
from quizapp.services.attempts.payload import QUESTIONS_OF, ShownQuestion, build_payload, shown_questions
from quizapp.services.contests import admitted_sql, contest_audience

_aq, _attempts, _rounds = AttemptQuestion.__table__, Attempt.__table__, Round.__table__
_START_TRIES = 3

_contests, _extensions = Contest.__table__, TimeExtension.__table__
_users = User.__table__
# the contest's audience leaves the participant :user_id out (``services.contests.admitted_sql``)
_OUTSIDE_AUDIENCE_SQL = ~admitted_sql(
    _contests.c.id, select(_users.c.unit_id).where(_users.c.id == bindparam("user_id")).scalar_subquery(),
    select(_users.c.category).where(_users.c.id == bindparam("user_id")).scalar_subquery())
_OUTSIDE_AUDIENCE = select(_OUTSIDE_AUDIENCE_SQL.label("outside")).where(_contests.c.id == bindparam("contest_id"))
_running = _attempts.alias("running")
_theirs = and_(_attempts.c.round_id == _rounds.c.id, _attempts.c.user_id == bindparam("user_id"))
_START_FACTS = (
    select(_rounds.c.id, _rounds.c.opens_at, _rounds.c.closes_at, _rounds.c.closed_at, _rounds.c.finalized_at,
           _rounds.c.question_count, _rounds.c.time_limit_seconds, _rounds.c.grace_seconds, _rounds.c.max_attempts,
           _rounds.c.prediction_question, _rounds.c.contest_id, _OUTSIDE_AUDIENCE_SQL.label("outside_audience"),
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
# another writer has committed; a write that changes nothing takes the write lock first (see
# ``locked.TAKE_WRITE_LOCK``).
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
# PostgreSQL: both in one statement, the questions passed as three space-separated lists (question ids, option
# orders, shown ids; the last two hold commas): a few parameters, so psycopg keeps the statement prepared
# (bench/README.md). The questions' INSERT inserts nothing when the attempt's did not (a lost race).
_INSERT_ATTEMPT_AND_QUESTIONS = text(
    f"WITH new_attempt AS ({_ATTEMPT_ROW}), drawn AS ("
    " INSERT INTO attempt_questions (attempt_id, position, question_id, option_order, shown_option_ids)"
    " SELECT new_attempt.id, drawn.position, drawn.question_id, drawn.option_order, drawn.shown_option_ids"
    " FROM new_attempt, unnest(CAST(string_to_array(:question_ids, ' ') AS integer[]),"
    " string_to_array(:option_orders, ' '), string_to_array(:shown_orders, ' '))"
    " WITH ORDINALITY AS drawn (question_id, option_order, shown_option_ids, position))"
    " SELECT id FROM new_attempt"
).bindparams(*_TIMES)


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

    ``round_not_found`` for no round ``round_id`` in a published contest; ``outside_audience`` (neither started
    nor resumed) when the contest's audience leaves the participant out. An attempt past its deadline and grace
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
        if facts.outside_audience:
            raise outside_audience(facts.contest_id)
        if facts.running_id is not None:
            if not close_if_overdue(facts.running_id, facts.running_deadline_at, facts.grace_seconds, now):
                return _resumed(facts)
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
        questions = [ShownQuestion(q.question_id, q.option_ids, q.shown_ids, None) for q in drawn]
        return StartedAttempt(id=attempt_id, round_id=round_id, number=number, started_at=started,
                              deadline_at=deadline, created=True,
                              payload=build_payload(attempt_id, deadline, facts.prediction_question, questions, pool))
    raise AttemptError("attempt_conflict", {"round_id": round_id})


def _insert_attempt(connection: Connection, drawn: Sequence[DrawnQuestion], attempt: dict[str, Any]) -> int | None:
    """Insert the attempt (``attempt``: its columns) and its ``drawn`` questions in their order; the new id, or
    None when a simultaneous start of the same participant won (then nothing is inserted)."""
    orders = [",".join(map(str, q.option_ids)) for q in drawn]
    shown = [",".join(map(str, q.shown_ids)) for q in drawn]
    if connection.dialect.name == "postgresql":
        return connection.execute(_INSERT_ATTEMPT_AND_QUESTIONS, {
            **attempt, "question_ids": " ".join(str(q.question_id) for q in drawn),
            "option_orders": " ".join(orders), "shown_orders": " ".join(shown)}).scalar()
    attempt_id = connection.execute(_INSERT_ATTEMPT, attempt).scalar()
    if attempt_id is not None:
        connection.execute(_INSERT_QUESTIONS, [
            {"attempt_id": attempt_id, "position": position, "question_id": q.question_id, "option_order": order,
             "shown_option_ids": shown_ids}
            for position, (q, order, shown_ids) in enumerate(zip(drawn, orders, shown, strict=True), start=1)])
    return attempt_id


def _resumed(facts: Row[Any]) -> StartedAttempt:
    """The attempt in progress, with what it shows and what was saved: its questions in one query, their texts
    from the pool (a question retired since the draw is no longer there: read then)."""
    pool = draw_pool.pool_for(facts.id, facts.question_count, facts.revision)
    rows = db.session.connection().execute(QUESTIONS_OF, {"attempt_id": facts.running_id}).all()
    questions = shown_questions(rows)
    return StartedAttempt(id=facts.running_id, round_id=facts.id, number=facts.running_number,
                          started_at=facts.running_started_at, deadline_at=facts.running_deadline_at, created=False,
                          payload=build_payload(facts.running_id, facts.running_deadline_at,
                                                facts.prediction_question, questions, pool))


def audience_refusal(contest_id: int, user_id: int) -> AttemptError | None:
    """``outside_audience`` when the contest's audience leaves the participant out (for the start page, which
    says so before the participant presses the button), else None. One query; two more to name the audience."""
    outside = db.session.connection().execute(_OUTSIDE_AUDIENCE, {"contest_id": contest_id,
                                                                  "user_id": user_id}).scalar()
    return outside_audience(contest_id) if outside else None


def outside_audience(contest_id: int) -> AttemptError:
    """The refusal of someone outside the contest's audience, with the audience it names (unit names,
    categories)."""
    audience = contest_audience(contest_id)
    return AttemptError("outside_audience", {"contest_id": contest_id,
                                             "audience_units": tuple(unit.name for unit in audience.units),
                                             "audience_categories": audience.categories})


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
