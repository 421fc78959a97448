"""Prize allocation (SPEC rule 7): tiers filled in order by the best remaining eligible entries.

The same tier filling serves individual prizes (:func:`allocate`, by participant) and collective prizes
(:func:`quizapp.domain.collectives.allocate_collective`, by unit), through :func:`fill_tiers`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import NamedTuple

import numpy as np
import pandas as pd

from quizapp.domain.ranking import ResultsInputError, check_unique, int_column, require_columns

#: Columns of :func:`allocate`'s result; :func:`with_prizes` adds the last two to a ranked frame.
PRIZE_COLUMNS: tuple[str, ...] = ("user_id", "rank", "prize_tier_id", "prize_name")


class Tier(NamedTuple):
    """A prize tier in order: ``count`` places named ``name`` (``tier_id`` None before it is stored)."""

    tier_id: int | None
    name: str
    count: int


def fill_tiers(candidate_ids: np.ndarray, candidate_ranks: np.ndarray, tiers: Sequence[Sequence[object]],
               *, id_column: str) -> pd.DataFrame:
    """Give the tiers' places, in tier order, to the candidates in the order given (already best first).

    The first tier's ``count`` candidates get it, the next ``count`` the next tier, and so on; when candidates
    run out, the remaining places stay empty (no error). Returns one row per winner: ``id_column``, ``rank``,
    ``prize_tier_id`` (nullable ``Int64``), ``prize_name``, in order of award.
    """
    parsed = [_tier(t) for t in tiers]
    counts = np.array([t.count for t in parsed], dtype=np.int64)
    winners = min(int(counts.sum()), len(candidate_ids))
    tier_of_place = np.repeat(np.arange(len(parsed)), counts)[:winners]
    tier_ids = [t.tier_id for t in parsed]
    names = np.array([t.name for t in parsed], dtype=object)
    return pd.DataFrame({
        id_column: np.asarray(candidate_ids[:winners], dtype=np.int64),
        "rank": np.asarray(candidate_ranks[:winners], dtype=np.int64),
        "prize_tier_id": pd.array([tier_ids[i] for i in tier_of_place], dtype="Int64"),
        "prize_name": names[tier_of_place],
    })


def allocate(ranked: pd.DataFrame, tiers: Sequence[Sequence[object]], *,
             excluded_user_ids: Iterable[int] = (), already_won_user_ids: Iterable[int] = (),
             min_correct: int = 0) -> pd.DataFrame:
    """Individual prizes of one round (rule 7), from :func:`quizapp.domain.ranking.rank`'s result.

    ``ranked`` needs ``user_id``, ``rank`` and ``correct_count``, one row per participant. Tiers are given in
    order (e.g. Nhất 1, Nhì 2, Ba 3, Khuyến khích 5) and filled one after the other by the best remaining
    eligible participants, in rank order. An entry is skipped when its participant is in
    ``excluded_user_ids`` (disqualified or hidden), in ``already_won_user_ids`` (a winner of an earlier round
    of a contest that gives at most one prize per contest) or has fewer than ``min_correct`` correct answers.
    A skipped entry takes no place: the next eligible one moves up. A person wins at most one prize per round.
    When fewer eligible participants remain than places, the last tiers stay partly or wholly empty.

    Ties at a cut-off cannot happen: the ranking is total (its last tie-break is the unique attempt id), so
    every place goes to exactly one entry.

    Returns :data:`PRIZE_COLUMNS`, one row per winner, in order of award.
    """
    require_columns(ranked, ("user_id", "rank", "correct_count"))
    check_unique(ranked["user_id"], "duplicate_participant", "user_id")
    check_unique(ranked["rank"], "duplicate_rank", "rank")
    ranks = int_column(ranked, "rank")
    order = np.arange(len(ranks)) if np.all(ranks[:-1] < ranks[1:]) else np.argsort(ranks)
    users = ranked["user_id"]
    skipped = users.isin(_id_set(excluded_user_ids)) | users.isin(_id_set(already_won_user_ids))
    eligible = ~skipped.to_numpy() & (int_column(ranked, "correct_count") >= min_correct)
    chosen = order[eligible[order]]
    return fill_tiers(int_column(ranked, "user_id")[chosen], ranks[chosen], tiers, id_column="user_id")


def with_prizes(ranked: pd.DataFrame, prizes: pd.DataFrame, *, id_column: str = "user_id") -> pd.DataFrame:
    """``ranked`` with ``prize_tier_id`` (nullable) and ``prize_name`` (None without a prize), order kept."""
    joined = ranked.merge(prizes[[id_column, "prize_tier_id", "prize_name"]], on=id_column, how="left",
                          validate="one_to_one")
    joined["prize_name"] = joined["prize_name"].astype(object).where(joined["prize_name"].notna(), None)
    return joined


def _tier(raw: Sequence[object]) -> Tier:
    tier = Tier(*raw)
    if not isinstance(tier.count, int | np.integer) or tier.count < 0:
        raise ResultsInputError("bad_tier_count", tier=tier.name)
    return tier


def _id_set(ids: Iterable[int]) -> list[int]:
    return list({int(i) for i in ids})

