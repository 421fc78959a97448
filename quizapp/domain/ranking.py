"""Ranking of individuals in a round (SPEC rules 5 and 6), vectorised over columnar attempts.

The big path takes a pandas DataFrame with one row per submitted attempt:

``attempt_id``     int, unique
``user_id``        int
``correct_count``  int
``duration_ms``    int, measured by the server
``submitted_at``   int64 epoch milliseconds, datetime64 (naive means UTC, or tz-aware) or datetime objects
``prediction``     nullable int (pandas ``Int64``, float with NaN, objects with None); may be absent
anything else      carried through unchanged (flags, question_count, unit, ...)

``standings(attempts, actual)`` is ``rank(best_attempts(attempts, actual), actual)``. The ordering exists
once, in :func:`sort_keys`; the dataclass path (:func:`standings_of`) and :func:`explain` use the same key
function, so the leaderboard, the judges' screens, the exports and the announcement cannot disagree.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, fields
from datetime import datetime
from typing import Any, NamedTuple

import numpy as np
import pandas as pd

#: The criteria of rule 5, in order; :func:`explain` answers with one of these codes.
CRITERIA: tuple[str, ...] = ("correct", "gap", "duration", "submitted", "attempt_id")
#: Columns an attempts frame must have (``prediction`` may be absent: nobody predicted).
ATTEMPT_COLUMNS: tuple[str, ...] = ("attempt_id", "user_id", "correct_count", "duration_ms", "submitted_at")
PREDICTION_MODES: tuple[str, ...] = ("perfect_scores", "participants", "attempts", "manual")

_NO_GAP = np.iinfo(np.int64).max  # sort key of a missing prediction: after every given one


class ResultsInputError(ValueError):
    """Input the results rules cannot work on; ``code`` names the problem, ``data`` carries the details.

    Codes (data): ``missing_columns`` (columns), ``null_values`` (column), ``bad_values`` (column),
    ``duplicate_attempt`` (attempt_id), ``duplicate_participant`` (user_id), ``duplicate_unit`` (unit_id),
    ``duplicate_rank`` (rank), ``same_entry`` (attempt_id), ``unknown_prediction_mode`` (mode),
    ``prediction_actual_missing``, ``bad_tier_count`` (tier), ``unknown_metric`` (metric),
    ``unknown_unit`` (unit_id), ``score_above_question_count`` (user_id).
    """

    def __init__(self, code: str, **data: Any) -> None:
        self.code = code
        self.data = data
        super().__init__(f"{code}: {data}" if data else code)


# --- rule 6: the actual answer of the prediction question --------------------------------------------------

class PredictionCounts(NamedTuple):
    perfect_scores: int
    participants: int
    attempts: int


def prediction_counts(attempts: pd.DataFrame) -> PredictionCounts:
    """Count what the automatic prediction answers count, over the attempts given (the service picks them).

    ``perfect_scores``: distinct participants with at least one attempt answering every question correctly
    (``correct_count == question_count``; the frame needs a ``question_count`` column). ``participants``:
    distinct participants. ``attempts``: rows.
    """
    require_columns(attempts, ("user_id", "correct_count", "question_count"))
    perfect = attempts["correct_count"].to_numpy() == attempts["question_count"].to_numpy()
    users = attempts["user_id"]
    return PredictionCounts(int(users[perfect].nunique()), int(users.nunique()), len(attempts))


def prediction_actual(mode: str, *, perfect_scores: int, participants: int, attempts: int,
                      manual: int | None) -> int:
    """The actual answer of a round's prediction question, by the round's mode (rule 6).

    Modes: ``perfect_scores``, ``participants``, ``attempts`` (counted when the round closes, see
    :func:`prediction_counts`) or ``manual`` (the figure the organizer entered). A manual round without a
    figure raises ``prediction_actual_missing``: finalizing must not silently drop a promised tie-break.
    A round with no prediction question ranks with ``prediction_actual=None`` and does not call this.
    """
    counted = {"perfect_scores": perfect_scores, "participants": participants, "attempts": attempts}
    if mode == "manual":
        if manual is None:
            raise ResultsInputError("prediction_actual_missing")
        return int(manual)
    if mode not in counted:
        raise ResultsInputError("unknown_prediction_mode", mode=mode)
    return int(counted[mode])


# --- rule 5: the one ordering ---------------------------------------------------------------------------

def prediction_gaps(frame: pd.DataFrame, prediction_actual: int | None) -> pd.Series:
    """``|prediction − actual|`` per row, nullable ``Int64``: NA without a prediction or without an actual."""
    n = len(frame)
    if prediction_actual is None or "prediction" not in frame.columns:
        return pd.Series(pd.arrays.IntegerArray(np.zeros(n, np.int64), np.ones(n, bool)), index=frame.index)
    values, missing = _nullable_ints(frame["prediction"], "prediction")
    gaps = np.abs(values - np.int64(prediction_actual))
    return pd.Series(pd.arrays.IntegerArray(gaps, missing), index=frame.index)


def sort_keys(frame: pd.DataFrame, gaps: pd.Series) -> tuple[np.ndarray, ...]:
    """The keys of rule 5, in :data:`CRITERIA` order, each ascending = better. The ONLY ranking key.

    1. more correct answers;
    2. smaller prediction gap ``|prediction − actual|``; a missing prediction ranks after every given one;
       when the actual answer is None every gap is missing, so this criterion separates nobody (skipped);
    3. shorter duration (milliseconds, measured by the server);
    4. earlier submission;
    5. lower attempt id.

    Attempt ids are unique, so the order is total: the same entries always give the same order whatever the
    order of the input rows, and no two entries ever share a place.
    """
    gap_values, gap_missing = _nullable_ints(gaps, "prediction_gap")
    return (
        -int_column(frame, "correct_count"),
        np.where(gap_missing, _NO_GAP, gap_values),
        int_column(frame, "duration_ms"),
        _epoch_ns(frame["submitted_at"]),
        int_column(frame, "attempt_id"),
    )


def ranking_order(frame: pd.DataFrame, gaps: pd.Series) -> np.ndarray:
    """Positions of ``frame``'s rows, best first, by :func:`sort_keys`."""
    keys = sort_keys(frame, gaps)
    if _is_sorted(keys):
        return np.arange(len(frame))
    return np.lexsort(keys[::-1])  # lexsort's primary key is its last


def best_attempts(attempts: pd.DataFrame, prediction_actual: int | None) -> pd.DataFrame:
    """Each participant's best attempt (rule 5): the first of their attempts in the ranking order.

    The prediction gap is a tie-break, so the best attempt depends on the actual answer. Returns one row per
    participant, best first, with every input column plus ``prediction_gap`` (nullable ``Int64``).
    """
    _check_attempts(attempts)
    gaps = prediction_gaps(attempts, prediction_actual)
    order = ranking_order(attempts, gaps)
    users_in_order = attempts["user_id"].to_numpy()[order]
    best = order[~pd.Series(users_in_order).duplicated().to_numpy()]
    result = attempts.take(best).reset_index(drop=True)
    result["prediction_gap"] = gaps.take(best).reset_index(drop=True)
    return result


def rank(frame: pd.DataFrame, prediction_actual: int | None) -> pd.DataFrame:
    """Order one entry per participant by rule 5 and number the places.

    Returns the rows best first with every input column plus ``prediction_gap`` (nullable ``Int64``) and
    ``rank`` (int64, 1..n: no gaps, no shared places). Every row given gets a place: leave out beforehand any
    entry that must not hold one.
    """
    _check_attempts(frame)
    check_unique(frame["user_id"], "duplicate_participant", "user_id")
    gaps = prediction_gaps(frame, prediction_actual)
    order = ranking_order(frame, gaps)
    result = frame.take(order).reset_index(drop=True)
    result["prediction_gap"] = gaps.take(order).reset_index(drop=True)
    result["rank"] = np.arange(1, len(result) + 1, dtype=np.int64)
    return result


def standings(attempts: pd.DataFrame, prediction_actual: int | None) -> pd.DataFrame:
    """Each participant's best attempt, ranked: ``rank(best_attempts(attempts, actual), actual)``."""
    return rank(best_attempts(attempts, prediction_actual), prediction_actual)


def explain(row_a: Mapping[str, Any], row_b: Mapping[str, Any]) -> str:
    """Which criterion of rule 5 separates two ranked entries: one of :data:`CRITERIA`.

    The rows are rows of :func:`rank`'s result (their ``prediction_gap`` already reflects the actual answer),
    so a judge sees why a place went one way, e.g. ``"gap"`` when both answered as many questions correctly
    and one predicted closer. Raises ``same_entry`` for two rows of the same attempt.
    """
    pair = pd.DataFrame([dict(row_a), dict(row_b)])
    keys = sort_keys(pair, pair["prediction_gap"])
    for criterion, key in zip(CRITERIA, keys, strict=True):
        if key[0] != key[1]:
            return criterion
    raise ResultsInputError("same_entry", attempt_id=int(keys[-1][0]))


# --- the dataclass path (tests, small rounds): the same columnar code --------------------------------------

@dataclass(frozen=True, slots=True)
class AttemptEntry:
    attempt_id: int
    user_id: int
    correct_count: int
    duration_ms: int
    submitted_at: datetime | int
    prediction: int | None = None


@dataclass(frozen=True, slots=True)
class Standing:
    rank: int
    attempt_id: int
    user_id: int
    correct_count: int
    duration_ms: int
    submitted_at: datetime | int
    prediction: int | None
    prediction_gap: int | None


def standings_of(entries: Iterable[AttemptEntry], prediction_actual: int | None) -> list[Standing]:
    """:func:`standings` over dataclass entries (a participant may have several attempts among them)."""
    entries = list(entries)
    names = [f.name for f in fields(AttemptEntry)]
    frame = pd.DataFrame({name: [getattr(e, name) for e in entries] for name in names}, columns=names)
    frame["prediction"] = frame["prediction"].astype("Int64")
    ranked = standings(frame, prediction_actual)
    by_attempt = {e.attempt_id: e for e in entries}
    return [
        Standing(rank=int(place), prediction_gap=None if pd.isna(gap) else int(gap),
                 **{name: getattr(by_attempt[attempt_id], name) for name in names})
        for place, attempt_id, gap in zip(ranked["rank"], ranked["attempt_id"], ranked["prediction_gap"],
                                          strict=True)
    ]


# --- input checks and conversions -------------------------------------------------------------------------

def require_columns(frame: pd.DataFrame, columns: Iterable[str]) -> None:
    """Raise ``missing_columns`` listing every column of ``columns`` that ``frame`` lacks."""
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise ResultsInputError("missing_columns", columns=missing)


def check_unique(column: pd.Series, code: str, field: str) -> None:
    """Raise ``code`` with the first repeated value of ``column`` as ``field``."""
    duplicated = column.duplicated()
    if duplicated.any():
        raise ResultsInputError(code, **{field: int(column[duplicated].iloc[0])})


def int_column(frame: pd.DataFrame, column: str) -> np.ndarray:
    """``frame[column]`` as int64, or ``null_values`` / ``bad_values`` naming the column."""
    series = frame[column]
    if series.isna().any():
        raise ResultsInputError("null_values", column=column)
    try:
        return series.to_numpy(dtype=np.int64)
    except (TypeError, ValueError) as error:
        raise ResultsInputError("bad_values", column=column) from error


def _check_attempts(frame: pd.DataFrame) -> None:
    require_columns(frame, ATTEMPT_COLUMNS)
    for column in ATTEMPT_COLUMNS:
        if frame[column].isna().any():
            raise ResultsInputError("null_values", column=column)
    check_unique(frame["attempt_id"], "duplicate_attempt", "attempt_id")


def _nullable_ints(series: pd.Series, column: str) -> tuple[np.ndarray, np.ndarray]:
    """(values, 0 where missing; missing mask) of a nullable integer column in any pandas form."""
    missing = series.isna().to_numpy()
    try:
        values = series.to_numpy(dtype=np.int64, na_value=0)
    except (TypeError, ValueError) as error:
        raise ResultsInputError("bad_values", column=column) from error
    return values, missing


def _epoch_ns(series: pd.Series) -> np.ndarray:
    """Submission times as int64 nanoseconds since the epoch; integers are epoch milliseconds."""
    if pd.api.types.is_integer_dtype(series.dtype):
        return series.to_numpy(dtype=np.int64) * 1_000_000
    if not pd.api.types.is_datetime64_any_dtype(series.dtype):
        try:
            series = pd.to_datetime(series, utc=True)
        except (TypeError, ValueError) as error:
            raise ResultsInputError("bad_values", column="submitted_at") from error
    if isinstance(series.dtype, pd.DatetimeTZDtype):
        series = series.dt.tz_convert(None)
    return series.to_numpy(dtype="datetime64[ns]").view(np.int64)


def _is_sorted(keys: tuple[np.ndarray, ...]) -> bool:
    """Whether the rows already are in key order: O(n), and spares the sort of rows that arrive ranked."""
    if len(keys[0]) < 2:
        return True
    decided = np.zeros(len(keys[0]) - 1, dtype=bool)
    for key in keys:
        before, after = key[:-1], key[1:]
        if np.any(~decided & (before > after)):
            return False
        decided |= before < after
    return bool(decided.all())
