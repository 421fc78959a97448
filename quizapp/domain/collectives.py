"""Collective ranking (SPEC rule 8): units at the contest's level, ranked by the participation under them.

Input, prepared by the service (the unit tree's closure table gives each participant's ancestor at the level):

- ``participants``: one row per participant counted, columns ``user_id``, ``unit_id`` (their unit's ancestor
  at the chosen level), ``attempts`` (their attempts in scope), ``best_correct`` (their best correct count in
  scope) and optionally ``question_count`` (checked: no best score above it).
- ``units``: one row per unit at that level, columns ``unit_id``, ``code``, ``name``, ``member_count``.

Who counts (disqualified or hidden people, a round or the whole contest, the contest's audience:
``quizapp.domain.contests.audience``) is the service's choice of rows: ``units`` are then the units that share a
line of the tree with the audience's units, ``participants`` the people it admits.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from quizapp.domain.prizes import fill_tiers
from quizapp.domain.ranking import ResultsInputError, check_unique, int_column, require_columns

METRICS: tuple[str, ...] = ("participants", "attempts", "participation_rate", "average_score")
#: Columns of :func:`rank_units`' result.
UNIT_COLUMNS: tuple[str, ...] = (
    "rank", "unit_id", "code", "name", "member_count",
    "participants", "attempts", "participation_rate", "average_score",
)
#: Tie-breaks after the contest's metric (the metric itself is left out), then the unit code.
TIE_BREAKS: tuple[str, ...] = ("participation_rate", "participants", "average_score", "attempts")


def rank_units(participants: pd.DataFrame, units: pd.DataFrame, metric: str) -> pd.DataFrame:
    """Figures and places of every unit (rule 8), best first, as :data:`UNIT_COLUMNS`.

    Per unit:

    - ``participants``: distinct participants counted under it;
    - ``attempts``: their attempts, in total;
    - ``participation_rate`` = participants / member_count, a fraction (0.25 is 25 %); 0 when the member count
      is 0 (a unit without a declared membership cannot show a rate); not capped at 1, so an out-of-date
      member count shows up instead of hiding;
    - ``average_score``: the average of its participants' best correct counts, in correct answers (not a
      percentage), rounded half up to 2 decimals; 0 when nobody took part.

    Units are ordered by the contest's ``metric``, larger first; then by :data:`TIE_BREAKS` in that order
    (larger first, the metric itself skipped); then by unit code, in code-point order. Codes are unique,
    so the order is total and ``rank`` runs 1..n with no shared place. Averages are compared as displayed
    (2 decimals); rates exactly as floats (equal fractions give equal floats). Units under which nobody
    took part are listed too, with zeros: organizers need to see them.
    """
    if metric not in METRICS:
        raise ResultsInputError("unknown_metric", metric=metric)
    figures = _unit_figures(participants, units)
    average_hundredths = figures.pop("average_hundredths")
    keys = {
        "participants": figures["participants"],
        "attempts": figures["attempts"],
        "participation_rate": figures["participation_rate"],
        "average_score": average_hundredths,
    }
    code_order = np.argsort(np.argsort(figures["code"].to_numpy(dtype=object), kind="stable"))
    criteria = [metric, *(c for c in TIE_BREAKS if c != metric)]
    sort_keys = [code_order, *(-np.asarray(keys[c]) for c in reversed(criteria))]
    order = np.lexsort(sort_keys)
    result = figures.take(order).reset_index(drop=True)
    result.insert(0, "rank", np.arange(1, len(result) + 1, dtype=np.int64))
    return result[list(UNIT_COLUMNS)]


def allocate_collective(ranked_units: pd.DataFrame, tiers: Sequence[Sequence[object]]) -> pd.DataFrame:
    """Collective prizes: the tiers filled in order by the best ranked units (rule 8, as rule 7 for people).

    A unit with no participant never wins; the other units take places in rank order. When fewer units
    qualify than places, the last tiers stay partly empty. Returns ``unit_id``, ``rank``, ``prize_tier_id``,
    ``prize_name``, one row per winning unit.
    """
    require_columns(ranked_units, ("unit_id", "rank", "participants"))
    check_unique(ranked_units["rank"], "duplicate_rank", "rank")
    ranks = int_column(ranked_units, "rank")
    order = np.argsort(ranks)
    chosen = order[int_column(ranked_units, "participants")[order] > 0]
    return fill_tiers(int_column(ranked_units, "unit_id")[chosen], ranks[chosen], tiers, id_column="unit_id")


def _unit_figures(participants: pd.DataFrame, units: pd.DataFrame) -> pd.DataFrame:
    """Per unit: the four figures (average also as integer hundredths, to rank as displayed)."""
    require_columns(participants, ("user_id", "unit_id", "attempts", "best_correct"))
    require_columns(units, ("unit_id", "code", "name", "member_count"))
    check_unique(units["unit_id"], "duplicate_unit", "unit_id")
    check_unique(participants["user_id"], "duplicate_participant", "user_id")
    best = int_column(participants, "best_correct")
    if "question_count" in participants.columns:
        above = best > int_column(participants, "question_count")
        if above.any():
            raise ResultsInputError("score_above_question_count",
                                    user_id=int(participants["user_id"].to_numpy()[above][0]))
    unit_ids = int_column(units, "unit_id")
    position = pd.Index(unit_ids).get_indexer(int_column(participants, "unit_id"))
    if (position < 0).any():
        unknown = participants["unit_id"].to_numpy()[position < 0][0]
        raise ResultsInputError("unknown_unit", unit_id=int(unknown))
    n = len(units)
    people = np.bincount(position, minlength=n).astype(np.int64)
    attempts = _sum_by(position, int_column(participants, "attempts"), n)
    score_sum = _sum_by(position, best, n)
    members = int_column(units, "member_count")
    rate = np.divide(people, members, out=np.zeros(n, dtype=np.float64), where=members > 0)
    # half-up rounding of 100 * sum / people, in integers: exact, unlike float rounding
    hundredths = np.where(people > 0, (200 * score_sum + people) // np.maximum(2 * people, 1), 0)
    return pd.DataFrame({
        "unit_id": unit_ids,
        "code": units["code"].to_numpy(dtype=object),
        "name": units["name"].to_numpy(dtype=object),
        "member_count": members,
        "participants": people,
        "attempts": attempts,
        "participation_rate": rate,
        "average_score": hundredths / 100,
        "average_hundredths": hundredths,
    })


def _sum_by(position: np.ndarray, values: np.ndarray, n: int) -> np.ndarray:
    """Integer sums of ``values`` per unit position (np.add.at keeps them exact, unlike float weights)."""
    sums = np.zeros(n, dtype=np.int64)
    np.add.at(sums, position, values)
    return sums

