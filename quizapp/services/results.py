"""The judges' decisions on a round's results (SPEC rules 6, 7, 9 and 10): the manual prediction answer,
disqualifications, finalizing (ranking and prizes frozen in ``round_results``) and re-opening.

Every decision is recorded in the audit log with who, when and why. Decisions that would change frozen
results (a disqualification, a reinstatement, a new prediction answer) are refused on a finalized round: the
round is re-opened first, explicitly and with a reason, which deletes its frozen rows.
"""

from __future__ import annotations

import io
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import delete, exists, func, select, update

from quizapp.domain.ranking import ResultsInputError
from quizapp.extensions import db
from quizapp.models import Attempt, AttemptStatus, Disqualification, Round, RoundResult, User
from quizapp.services import audit
from quizapp.services.attempt_closing import close_round
from quizapp.services.standings import Standings, live_standings

MAX_PREDICTION_ACTUAL = 2**31 - 1
#: Columns of ``round_results`` written when a round is finalized, in this order.
RESULT_COLUMNS: tuple[str, ...] = (
    "round_id", "user_id", "rank", "attempt_id", "correct_count", "question_count", "duration_ms", "prediction",
    "prediction_gap", "submitted_at", "prize_tier_id", "prize_name",
)


class ResultsError(Exception):
    """A refused results decision: ``code`` and ``data`` (views and the CLI turn them into words).

    Codes: ``round_not_over`` (opens_at, accepts_until), ``already_finalized`` (finalized_at),
    ``not_finalized``, ``round_finalized`` (a change to a finalized round: re-open it first),
    ``prediction_actual_missing`` (manual mode without the organizer's figure), ``no_prediction_question``,
    ``prediction_not_manual`` (mode), ``invalid_prediction_actual`` (max), ``reason_required``,
    ``already_disqualified`` (user_id), ``not_disqualified`` (user_id), ``not_a_participant`` (user_id).
    """

    def __init__(self, code: str, **data: Any) -> None:
        super().__init__(code, data)
        self.code = code
        self.data = data


def _reason(reason: str | None, *, required: bool) -> str | None:
    text = (reason or "").strip()
    if required and not text:
        raise ResultsError("reason_required")
    return text or None


def _refuse_if_finalized(round_: Round) -> None:
    if round_.finalized_at is not None:
        raise ResultsError("round_finalized", finalized_at=round_.finalized_at.isoformat())


def accepts_entries_until(round_: Round) -> datetime:
    """When the round's last entry can still arrive: an organizer's early close ends it at once (attempts are
    closed then); a scheduled close leaves the network grace to attempts whose deadline is the close."""
    if round_.closed_at is not None and round_.closed_at <= round_.closes_at:
        return round_.closed_at
    return round_.closes_at + timedelta(seconds=round_.grace_seconds)


# --- the prediction answer (rule 6, manual mode) ------------------------------------------------------------

def set_prediction_actual(round_: Round, value: int, *, actor: User | None, now: datetime,
                          reason: str | None) -> None:
    """Enter the actual answer of a ``manual`` round's prediction question (a whole number 0..2^31-1); entering
    it again replaces it. Refused on a finalized round, a round without a prediction question or in an
    automatic mode. Audited with the previous figure."""
    _refuse_if_finalized(round_)
    if not round_.prediction_question:
        raise ResultsError("no_prediction_question")
    if round_.prediction_answer.value != "manual":
        raise ResultsError("prediction_not_manual", mode=round_.prediction_answer.value)
    if isinstance(value, bool) or not isinstance(value, int | np.integer) or not 0 <= value <= MAX_PREDICTION_ACTUAL:
        raise ResultsError("invalid_prediction_actual", max=MAX_PREDICTION_ACTUAL)
    previous = round_.prediction_actual
    round_.prediction_actual = int(value)
    audit.record(actor=actor, action="round.prediction_actual", object_type="round", object_id=round_.id, now=now,
                 reason=_reason(reason, required=False), details={"value": int(value), "previous": previous})
    db.session.flush()


# --- finalizing and re-opening (rule 9) ---------------------------------------------------------------------

def finalize_round(round_: Round, *, actor: User | None, now: datetime) -> Standings:
    """Freeze the round's ranking and prizes and return them.

    Refused while entries can still arrive (``round_not_over``: before the close, or within the network grace
    after a scheduled close), on a round already finalized, and in manual mode while the organizer has not
    entered the prediction answer. Otherwise: attempts still in progress are closed with their saved answers
    (``close_round``); the standings are computed (``quizapp.services.standings``: the prediction answer
    counted if automatic, the ranking, the prizes); the round is marked finalized (an atomic claim, so two
    judges finalizing at once cannot both write); one row per ranked participant is written to
    ``round_results`` in bulk; the decision is audited with the figures.
    """
    if round_.finalized_at is not None:
        raise ResultsError("already_finalized", finalized_at=round_.finalized_at.isoformat())
    until = accepts_entries_until(round_)
    if now < until:
        raise ResultsError("round_not_over", opens_at=round_.opens_at.isoformat(), accepts_until=until.isoformat())
    if round_.prediction_question and round_.prediction_answer.value == "manual" \
            and round_.prediction_actual is None:
        raise ResultsError("prediction_actual_missing")
    if db.session.scalar(select(exists().where(Attempt.round_id == round_.id,
                                               Attempt.status == AttemptStatus.IN_PROGRESS))):
        close_round(round_, actor=actor, now=now)
    try:
        standings = live_standings(round_, now=now)
    except ResultsInputError as error:  # a manual answer removed meanwhile, or bad stored data
        raise ResultsError(error.code, **error.data) from error
    claimed = db.session.execute(
        update(Round).where(Round.id == round_.id, Round.finalized_at.is_(None))
        .values(finalized_at=now, finalized_by_id=actor.id if actor else None,
                prediction_actual=standings.prediction_actual)
        .execution_options(synchronize_session="fetch")
    ).rowcount
    if not claimed:
        db.session.refresh(round_)
        raise ResultsError("already_finalized", finalized_at=round_.finalized_at.isoformat()
                           if round_.finalized_at else None)
    db.session.refresh(round_)
    write_round_results(round_.id, standings.frame)
    audit.record(actor=actor, action="round.finalize", object_type="round", object_id=round_.id, now=now,
                 details={"ranked": len(standings.frame), "excluded": len(standings.excluded),
                          "prediction_actual": standings.prediction_actual,
                          "prizes": dict(standings.prize_counts())})
    db.session.flush()
    return replace(standings, round=round_, frozen=True)


def reopen_round(round_: Round, *, actor: User | None, now: datetime, reason: str) -> None:
    """Undo a finalization, explicitly and with a reason: the frozen rows are deleted, the round is no longer
    finalized, and an automatically counted prediction answer is forgotten (counted again when it is
    finalized again; a manual one is kept). Audited with when it had been finalized and the prizes it gave."""
    text = _reason(reason, required=True)
    if round_.finalized_at is None:
        raise ResultsError("not_finalized")
    prizes = db.session.scalar(select(func.count()).select_from(RoundResult).where(
        RoundResult.round_id == round_.id, RoundResult.prize_name.is_not(None)))
    db.session.execute(delete(RoundResult).where(RoundResult.round_id == round_.id))
    details = {"finalized_at": round_.finalized_at.isoformat(), "finalized_by_id": round_.finalized_by_id,
               "prediction_actual": round_.prediction_actual, "prizes": prizes}
    round_.finalized_at = None
    round_.finalized_by_id = None
    if round_.prediction_answer.value != "manual":
        round_.prediction_actual = None
    audit.record(actor=actor, action="round.reopen", object_type="round", object_id=round_.id, now=now,
                 reason=text, details=details)
    db.session.flush()


# --- disqualifications (rules 7 and 10) ---------------------------------------------------------------------

def disqualify(round_: Round, user: User, *, actor: User | None, now: datetime, reason: str) -> None:
    """Set aside ``user``'s entry in the round (ranked nowhere, no prize), with a reason. Refused on a finalized
    round (re-open it first), for someone with no attempt in the round, and for someone already disqualified."""
    text = _reason(reason, required=True)
    _refuse_if_finalized(round_)
    if _active_disqualification(round_, user) is not None:
        raise ResultsError("already_disqualified", user_id=user.id)
    if not db.session.scalar(select(exists().where(Attempt.round_id == round_.id, Attempt.user_id == user.id))):
        raise ResultsError("not_a_participant", user_id=user.id)
    db.session.add(Disqualification(round_id=round_.id, user_id=user.id, reason=text,
                                    decided_by_id=actor.id if actor else None, decided_at=now))
    audit.record(actor=actor, action="round.disqualify", object_type="round", object_id=round_.id, now=now,
                 reason=text, details={"user_id": user.id})
    db.session.flush()


def reinstate(round_: Round, user: User, *, actor: User | None, now: datetime, reason: str) -> None:
    """Lift ``user``'s disqualification in the round, with a reason (the record is kept, with who lifted it).
    Refused on a finalized round and for someone not disqualified."""
    text = _reason(reason, required=True)
    _refuse_if_finalized(round_)
    found = _active_disqualification(round_, user)
    if found is None:
        raise ResultsError("not_disqualified", user_id=user.id)
    found.lifted_at = now
    found.lifted_by_id = actor.id if actor else None
    found.lift_reason = text
    audit.record(actor=actor, action="round.reinstate", object_type="round", object_id=round_.id, now=now,
                 reason=text, details={"user_id": user.id, "disqualification_id": found.id})
    db.session.flush()


def _active_disqualification(round_: Round, user: User) -> Disqualification | None:
    return db.session.scalar(select(Disqualification).where(
        Disqualification.round_id == round_.id, Disqualification.user_id == user.id,
        Disqualification.lifted_at.is_(None)))


# --- writing the frozen rows in bulk ------------------------------------------------------------------------

def write_round_results(round_id: int, frame: pd.DataFrame) -> None:
    """One ``round_results`` row per row of a standings frame: PostgreSQL COPY, SQLite one executemany."""
    if frame.empty:
        return
    columns = {
        "round_id": np.full(len(frame), round_id, dtype=np.int64),
        **{name: frame[name] for name in RESULT_COLUMNS[1:] if name != "submitted_at"},
    }
    connection = db.session.connection()
    if connection.dialect.name == "postgresql":
        table = pd.DataFrame(columns)
        table["submitted_at"] = np.char.add(_utc_text(frame["submitted_at"]), "+00")
        buffer = io.StringIO()
        table[list(RESULT_COLUMNS)].to_csv(buffer, header=False, index=False)
        with connection.connection.driver_connection.cursor() as cursor, cursor.copy(
                f"COPY round_results ({', '.join(RESULT_COLUMNS)}) FROM STDIN (FORMAT csv)") as copy:
            copy.write(buffer.getvalue())
        # fresh statistics: without them the planner takes the new rows for a handful when reading them back
        connection.exec_driver_sql("ANALYZE round_results")
        return
    # SQLite stores times as naive UTC text in SQLAlchemy's layout (see quizapp.models.types.UTCDateTime)
    columns["submitted_at"] = np.char.replace(_utc_text(frame["submitted_at"]), "T", " ")
    values = [_nullable_list(pd.Series(columns[name])) for name in RESULT_COLUMNS]
    placeholders = ", ".join("?" * len(RESULT_COLUMNS))
    connection.exec_driver_sql(
        f"INSERT INTO round_results ({', '.join(RESULT_COLUMNS)}) VALUES ({placeholders})",
        list(zip(*values, strict=True)))


def _utc_text(times: pd.Series) -> np.ndarray:
    """Aware times as ``YYYY-MM-DDTHH:MM:SS.ffffff`` in UTC (numpy's vectorised formatting)."""
    return np.datetime_as_string(times.dt.tz_convert(None).to_numpy(dtype="datetime64[us]"), unit="us")


def _nullable_list(series: pd.Series) -> list[Any]:
    """Python values of a column, NA as None (integers as int, not numpy scalars)."""
    if pd.api.types.is_integer_dtype(series.dtype) and not series.hasnans:
        return series.to_numpy(dtype=np.int64).tolist()
    values = series.astype(object)
    return values.where(series.notna(), None).tolist()
