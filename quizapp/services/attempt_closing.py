"""Closing attempts and moving deadlines: the deadline sweep, an organizer's round close, time extensions.

- An attempt left open is closed (status ``expired``) once it no longer accepts answers, that is after its
  deadline plus the round's grace (``quizapp.domain.timing``): it counts as submitted at its deadline, its
  duration is ``deadline − start``, and it is scored with the answers saved by then. This happens lazily (when
  the participant comes back, saves late or submits late) and in bulk (``close_expired``, run by
  ``quizapp attempts sweep`` every minute or so).
- When an organizer closes a round, its ``closed_at`` becomes now and every attempt still in progress is closed
  at once, at ``min(deadline, now)``, with its saved answers (no grace: the organizer ended the round).
- An extension gives one participant more time in one round (disability, technical incident): their attempts
  get ``time limit + extension`` (still capped by the round's close), including the one in progress.

All of it is set-based: closing any number of attempts is three statements.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, func, literal, select, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from quizapp.domain import timing
from quizapp.domain.attempts import AttemptError
from quizapp.extensions import db
from quizapp.models import Attempt, AttemptQuestion, AttemptStatus, Round, TimeExtension, User
from quizapp.models.attempts import in_progress
from quizapp.models.types import UTCDateTime
from quizapp.services import audit
from quizapp.services.rules_sql import chose_correct_option, closing_moment_sql, duration_ms_sql

IN_PROGRESS = AttemptStatus.IN_PROGRESS
MAX_EXTENSION_SECONDS = 24 * 3600


@dataclass(frozen=True, slots=True)
class RoundClosing:
    """What closing a round did: when the round now closes, how many attempts were closed, and whether the
    round had already closed before (on schedule or by an earlier close)."""

    round_id: int
    closed_at: datetime
    closed_attempts: int
    already_closed: bool


def close_attempts(criteria: Sequence[ColumnElement[bool]], *, now: datetime) -> int:
    """Close every in-progress attempt meeting ``criteria`` as expired, at ``min(deadline, now)``, and score it
    with its saved answers. Returns how many were closed. Three statements, whatever their number."""
    moment = literal(timing.to_millisecond(now), UTCDateTime())
    dialect = db.session.get_bind().dialect.name
    closed = db.session.execute(
        update(Attempt).where(in_progress(Attempt.status), *criteria)
        .values(status=AttemptStatus.EXPIRED, submitted_at=closing_moment_sql(Attempt.deadline_at, moment),
                duration_ms=duration_ms_sql(Attempt.started_at, Attempt.deadline_at, moment, dialect=dialect))
        .execution_options(synchronize_session=False)
    ).rowcount
    if closed:
        score_closed_attempts(criteria)
        forget_cached_attempts()
    return closed


def close_if_overdue(attempt_id: int, deadline: datetime, grace_seconds: int, now: datetime) -> bool:
    """Close the attempt ``attempt_id`` (deadline ``deadline``) with its saved answers if it no longer accepts
    answers at ``now`` (``timing.accepts_answers``); True when it does not, whether closed now or already (the
    UPDATE's own condition settles a race with a simultaneous submit). Every lazy closing goes through here: a
    start finding its attempt overdue, a late save or submit, a page showing an attempt."""
    if timing.accepts_answers(deadline, grace_seconds, now):
        return False
    close_attempts([Attempt.id == attempt_id], now=now)
    return True


def score_closed_attempts(criteria: Sequence[ColumnElement[bool]]) -> None:
    """Score the attempts meeting ``criteria`` that were just closed (closed, ``correct_count`` still empty):
    each question is correct when its saved option is the correct one (``rules_sql.chose_correct_option``), and
    ``correct_count`` is the number of correct questions. Two statements."""
    unscored = [Attempt.status != IN_PROGRESS, Attempt.correct_count.is_(None), *criteria]
    db.session.execute(
        update(AttemptQuestion).where(AttemptQuestion.attempt_id.in_(select(Attempt.id).where(*unscored)))
        .values(is_correct=chose_correct_option(AttemptQuestion.chosen_option_id)).execution_options(synchronize_session=False)
    )
    correct_count = (select(func.count()).select_from(AttemptQuestion)
                     .where(AttemptQuestion.attempt_id == Attempt.id, AttemptQuestion.is_correct.is_(True))
                     .scalar_subquery())
    db.session.execute(update(Attempt).where(*unscored).values(correct_count=correct_count)
                       .execution_options(synchronize_session=False))


def forget_cached_attempts(*, questions_only: bool = False) -> None:
    """Expire the attempts (or only their questions) held in the session after a bulk UPDATE, so that they are
    read again when used."""
    kinds = AttemptQuestion if questions_only else Attempt | AttemptQuestion
    for instance in list(db.session.identity_map.values()):
        if isinstance(instance, kinds):
            db.session.expire(instance)


def close_expired(now: datetime) -> int:
    """Close every in-progress attempt, of any round, whose deadline plus its round's grace has passed at ``now``.

    Returns how many were closed. One query for the rounds concerned, then three statements per round.
    """
    overdue = select(Attempt.round_id).where(in_progress(Attempt.status), Attempt.deadline_at < now)
    rounds = db.session.execute(select(Round.id, Round.grace_seconds).where(Round.id.in_(overdue))).all()
    return sum(close_attempts([Attempt.round_id == round_id,
                               Attempt.deadline_at < now - timedelta(seconds=grace_seconds)], now=now)
               for round_id, grace_seconds in rounds)


def close_round(round_: Round, *, actor: User | None, now: datetime) -> RoundClosing:
    """End a round now: ``closed_at`` becomes ``now`` (unless it had already closed), no attempt can start any
    more, and every attempt still in progress is closed with its saved answers. Recorded in the audit log."""
    moment = timing.to_millisecond(now)
    already_closed = round_.effective_close() <= moment
    if not already_closed:
        round_.closed_at = moment
    closed = close_attempts([Attempt.round_id == round_.id], now=moment)
    audit.record(actor=actor, action="round.close", object_type="round", object_id=round_.id, now=now,
                 details={"closed_at": round_.effective_close().isoformat(), "closed_attempts": closed,
                          "already_closed": already_closed})
    db.session.flush()
    return RoundClosing(round_id=round_.id, closed_at=round_.effective_close(), closed_attempts=closed,
                        already_closed=already_closed)


def grant_extension(round_: Round, user: User, seconds: int, reason: str, *, actor: User | None,
                    now: datetime) -> TimeExtension:
    """Give ``user`` a total extension of ``seconds`` in ``round_`` (granting again replaces the previous one),
    and move the deadline of their attempt in progress to ``start + limit + seconds`` (capped by the round's
    close). Needs 1..86400 seconds (``invalid_extension``) and a reason (``reason_required``). Audited with who,
    when, why, and the previous extension."""
    if isinstance(seconds, bool) or not isinstance(seconds, int) or not 0 < seconds <= MAX_EXTENSION_SECONDS:
        raise AttemptError("invalid_extension", {"max_seconds": MAX_EXTENSION_SECONDS})
    reason = (reason or "").strip()
    if not reason:
        raise AttemptError("reason_required")
    extension, previous = _upsert_extension(round_, user, seconds, reason, actor=actor, now=now)
    running = db.session.scalar(
        select(Attempt).where(Attempt.round_id == round_.id, Attempt.user_id == user.id, in_progress(Attempt.status))
        .execution_options(populate_existing=True)
    )
    if running is not None:
        running.deadline_at = timing.attempt_deadline(
            running.started_at, time_limit_seconds=round_.time_limit_seconds, extension_seconds=seconds,
            round_close=round_.effective_close())
    audit.record(actor=actor, action="round.extension", object_type="round", object_id=round_.id, now=now,
                 reason=reason, details={"user_id": user.id, "seconds": seconds, "previous_seconds": previous,
                                         "attempt_id": running.id if running else None,
                                         "deadline": running.deadline_at.isoformat() if running else None})
    db.session.flush()
    return extension


def _upsert_extension(round_: Round, user: User, seconds: int, reason: str, *, actor: User | None,
                      now: datetime) -> tuple[TimeExtension, int]:
    """The participant's extension row, created or replaced in one INSERT ... ON CONFLICT (so that two organizers
    granting at the same instant cannot collide); and the seconds it held before (0 if none)."""
    previous = db.session.scalar(select(TimeExtension.seconds).where(
        TimeExtension.round_id == round_.id, TimeExtension.user_id == user.id)) or 0
    dialect = db.session.get_bind().dialect.name
    insert = postgresql_insert if dialect == "postgresql" else sqlite_insert
    values = {"seconds": seconds, "reason": reason, "granted_by_id": actor.id if actor else None,
              "granted_at": now}
    statement = insert(TimeExtension).values(round_id=round_.id, user_id=user.id, **values)
    db.session.execute(statement.on_conflict_do_update(index_elements=["round_id", "user_id"], set_=values))
    extension = db.session.scalars(
        select(TimeExtension).where(TimeExtension.round_id == round_.id, TimeExtension.user_id == user.id)
        .execution_options(populate_existing=True)
    ).one()
    return extension, previous
