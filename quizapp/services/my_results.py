"""A participant's own results across contests ("Kết quả của tôi"): every round they entered, their attempts,
their best result in each, and, once a round is finalized, their place and prize.

Rule 12 holds here as on the public pages: while a round is open, a participant sees their own attempts and
best result only, never a place or a count. A place and a prize come from the frozen results of a finalized
round; the provisional ranking of a closed round is the public leaderboard's. Two queries whatever the number of
rounds: the attempts with their rounds and contests, and the participant's frozen rows.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from quizapp.domain import ranking
from quizapp.domain.contests import RoundStatus
from quizapp.extensions import db
from quizapp.models import Attempt, AttemptStatus, Contest, Round, RoundResult
from quizapp.services.contests import round_status
from quizapp.services.standings import ENTRY_STATUSES


@dataclass(frozen=True)
class Placing:
    """A participant's place in a finalized round, the attempt that earned it and its prize (None: no prize)."""

    rank: int
    attempt_id: int
    prize: str | None


@dataclass(frozen=True)
class RoundEntries:
    """One round as its participant sees it: their attempts in order, their best finished one and, once the
    round is finalized and they are ranked in it, their placing."""

    round: Round
    status: RoundStatus
    attempts: list[Attempt]
    best: Attempt | None
    placing: Placing | None

    @property
    def in_progress(self) -> Attempt | None:
        return next((a for a in self.attempts if a.status is AttemptStatus.IN_PROGRESS), None)


@dataclass(frozen=True)
class ContestEntries:
    contest: Contest
    rounds: list[RoundEntries]


def final_placings(user_id: int, round_ids: Iterable[int]) -> dict[int, Placing]:
    """The participant's placing in each of ``round_ids`` that is finalized and ranks them, by round id (one
    query over the frozen results, which exist only while a round is finalized)."""
    ids = list(round_ids)
    if not ids:
        return {}
    rows = db.session.execute(
        select(RoundResult.round_id, RoundResult.rank, RoundResult.attempt_id, RoundResult.prize_name)
        .where(RoundResult.user_id == user_id, RoundResult.round_id.in_(ids)))
    return {round_id: Placing(rank, attempt_id, prize) for round_id, rank, attempt_id, prize in rows}


def my_results(user_id: int, now: datetime) -> list[ContestEntries]:
    """Every published contest the participant entered, the one they last started an attempt in first, with the
    rounds they entered in the contest's order (see :class:`RoundEntries`).

    The best attempt of a round not yet finalized is chosen by rule 5 without the prediction's gap (its actual
    answer is not the participant's to know before the round is finalized): more correct answers, then the
    shorter time, then the earlier submission; in a finalized round it is the attempt the ranking counted.
    """
    rows = db.session.execute(
        select(Attempt, Round, Contest).join(Round, Round.id == Attempt.round_id)
        .join(Contest, Contest.id == Round.contest_id)
        .where(Attempt.user_id == user_id, Contest.published.is_(True))
        .order_by(Attempt.round_id, Attempt.number)).all()
    attempts: dict[int, list[Attempt]] = {}
    rounds: dict[int, Round] = {}
    for attempt, round_, _contest in rows:
        attempts.setdefault(round_.id, []).append(attempt)
        rounds[round_.id] = round_
    placings = final_placings(user_id, [r.id for r in rounds.values() if r.finalized_at is not None])
    best = _best_by_round([a for found in attempts.values() for a in found])
    by_contest: dict[int, list[RoundEntries]] = {}
    for round_id, round_ in rounds.items():
        placing = placings.get(round_id)
        counted = next((a for a in attempts[round_id] if a.id == placing.attempt_id), None) if placing else None
        by_contest.setdefault(round_.contest_id, []).append(RoundEntries(
            round=round_, status=round_status(round_, now), attempts=attempts[round_id],
            best=counted or best.get(round_id), placing=placing))
    entries = [ContestEntries(contest=found[0].round.contest, rounds=sorted(found, key=lambda r: r.round.position))
               for found in by_contest.values()]
    return sorted(entries, key=lambda e: max(a.started_at for r in e.rounds for a in r.attempts), reverse=True)


def _best_by_round(attempts: list[Attempt]) -> dict[int, Attempt]:
    """The best finished attempt of each round (rule 5 without the gap): each round's attempts of this one
    participant are ranked as the attempts of one participant, so ``ranking`` picks the best of each."""
    finished = [a for a in attempts if a.status in ENTRY_STATUSES and a.correct_count is not None
                and a.duration_ms is not None and a.submitted_at is not None]
    if not finished:
        return {}
    by_id = {a.id: a for a in finished}
    best = ranking.standings_of(
        (ranking.AttemptEntry(attempt_id=a.id, user_id=a.round_id, correct_count=a.correct_count,
                              duration_ms=a.duration_ms, submitted_at=a.submitted_at) for a in finished), None)
    return {standing.user_id: by_id[standing.attempt_id] for standing in best}
