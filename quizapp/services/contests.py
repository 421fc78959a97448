"""Contests: create one from its spec (checked against the question banks), where its rounds stand, and the
public listing that the pages and the JSON API share."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any

from sqlalchemy import and_, func, select
from sqlalchemy.orm import selectinload

from quizapp.domain.contests import (
    ContestPhase,
    ContestSpec,
    ContestSpecError,
    PrizeSpec,
    QuestionCell,
    RoundSpec,
    RoundStatus,
    contest_phase,
    draw_problems,
)
from quizapp.domain.contests import round_status as status_at
from quizapp.extensions import db
from quizapp.models import (
    Attempt,
    Bank,
    CollectiveMetric,
    Contest,
    DrawRule,
    PredictionAnswer,
    PrizeKind,
    PrizeTier,
    Question,
    Review,
    Round,
    User,
)
from quizapp.services import audit

#: Vietnam's offset (no daylight saving): the JSON payload writes windows in it, as organizers write them.
VIETNAM = timezone(timedelta(hours=7))


def question_cells() -> tuple[list[QuestionCell], dict[str, int]]:
    """Active (not retired) questions counted per (bank, topic, difficulty), and every bank's id by name.

    One GROUP BY query over banks outer-joined to their active questions (a bank without any has no cell).
    """
    rows = db.session.execute(
        select(Bank.id, Bank.name, Question.topic, Question.difficulty, func.count(Question.id))
        .outerjoin(Question, and_(Question.bank_id == Bank.id, Question.retired_at.is_(None)))
        .group_by(Bank.id, Bank.name, Question.topic, Question.difficulty)
    ).tuples()
    cells: list[QuestionCell] = []
    bank_ids: dict[str, int] = {}
    for bank_id, bank_name, topic, difficulty, count in rows:
        bank_ids[bank_name] = bank_id
        if count:
            cells.append(QuestionCell(bank=bank_name, topic=topic, difficulty=difficulty, count=count))
    return cells, bank_ids


def create_contest(spec: ContestSpec, *, actor: User | None, now: datetime) -> Contest:
    """Write a contest, its rounds (positions 1..n), their draw rules and prize tiers, and an audit entry.

    Refused with ContestSpecError, before anything is written, when a round's draw cannot be satisfied by
    the active questions (``quizapp.domain.contests.draw``): every shortfall, unknown bank and overlap is
    listed.
    """
    cells, bank_ids = question_cells()
    problems = draw_problems(spec, cells, bank_ids.keys())
    if problems:
        raise ContestSpecError(problems)
    contest = Contest(title=spec.title, rules=spec.rules, one_prize_per_contest=spec.one_prize_per_contest,
                      collective_level=spec.collective_level,
                      collective_metric=CollectiveMetric(spec.collective_metric), published=True,
                      created_at=now, created_by_id=actor.id if actor else None)
    contest.rounds = [_new_round(position, round_spec, bank_ids)
                      for position, round_spec in enumerate(spec.rounds, start=1)]
    db.session.add(contest)
    db.session.flush()
    db.session.add_all(_tiers(contest.id, None, PrizeKind.COLLECTIVE, spec.collective_prizes))
    for round_, round_spec in zip(contest.rounds, spec.rounds, strict=True):
        round_.prize_tiers.extend(_tiers(contest.id, round_.id, PrizeKind.INDIVIDUAL, round_spec.prizes))
    audit.record(actor=actor, action="contest.create", object_type="contest", object_id=contest.id, now=now,
                 details={"title": spec.title, "rounds": [r.id for r in contest.rounds]})
    db.session.flush()
    return contest


def _new_round(position: int, spec: RoundSpec, bank_ids: dict[str, int]) -> Round:
    return Round(
        position=position, name=spec.name, opens_at=spec.opens_at, closes_at=spec.closes_at,
        question_count=spec.question_count, time_limit_seconds=spec.time_limit_seconds,
        grace_seconds=spec.grace_seconds, max_attempts=spec.max_attempts,
        prediction_question=spec.prediction_question,
        prediction_answer=PredictionAnswer(spec.prediction_answer),
        min_correct_for_prize=spec.min_correct_for_prize, review=Review(spec.review),
        draw_rules=[DrawRule(position=i, topic=d.topic, bank_id=bank_ids[d.bank] if d.bank else None,
                             difficulty=d.difficulty, count=d.count)
                    for i, d in enumerate(spec.draw, start=1)],
    )


def _tiers(contest_id: int, round_id: int | None, kind: PrizeKind,
           prizes: Sequence[PrizeSpec]) -> list[PrizeTier]:
    return [PrizeTier(contest_id=contest_id, round_id=round_id, kind=kind, position=i, name=p.name,
                      count=p.count)
            for i, p in enumerate(prizes, start=1)]


def round_status(round_: Round, now: datetime) -> RoundStatus:
    """"upcoming", "open", "closed" or "finalized" at ``now`` (an early close counts as closed); the rule is
    ``quizapp.domain.contests.round_status``."""
    return status_at(opens_at=round_.opens_at, closes_at=round_.closes_at, closed_at=round_.closed_at,
                     finalized_at=round_.finalized_at, now=now)


@dataclass(frozen=True)
class RoundOverview:
    round: Round
    status: RoundStatus


@dataclass(frozen=True)
class ContestOverview:
    """A contest with the status of each of its rounds at one moment."""

    contest: Contest
    phase: ContestPhase
    rounds: list[RoundOverview]

    @property
    def current(self) -> RoundOverview | None:
        """The round to show first: the open one, else the next to open, else the last one."""
        for wanted in ("open", "upcoming"):
            found = next((r for r in self.rounds if r.status == wanted), None)
            if found:
                return found
        return self.rounds[-1] if self.rounds else None


@dataclass(frozen=True)
class ContestListing:
    open: list[ContestOverview]
    upcoming: list[ContestOverview]
    past: list[ContestOverview]

    def __iter__(self):
        return iter((*self.open, *self.upcoming, *self.past))


def overview(contest: Contest, now: datetime) -> ContestOverview:
    rounds = [RoundOverview(r, round_status(r, now)) for r in contest.rounds]
    return ContestOverview(contest, contest_phase(r.status for r in rounds), rounds)


def public_contests(now: datetime) -> ContestListing:
    """Published contests grouped as open (soonest to close first), upcoming (soonest to open first) and past
    (most recently closed first), each with its rounds; two queries in all."""
    contests = db.session.scalars(
        select(Contest).where(Contest.published.is_(True)).options(selectinload(Contest.rounds))
        .order_by(Contest.id)
    ).all()
    groups: dict[str, list[ContestOverview]] = defaultdict(list)
    for contest in contests:
        if contest.rounds:
            item = overview(contest, now)
            groups[item.phase].append(item)

    def soonest_close(item: ContestOverview) -> datetime:
        return min(r.round.effective_close() for r in item.rounds if r.status == "open")

    def soonest_open(item: ContestOverview) -> datetime:
        return min(r.round.opens_at for r in item.rounds if r.status == "upcoming")

    def last_close(item: ContestOverview) -> datetime:
        return max(r.round.effective_close() for r in item.rounds)

    return ContestListing(open=sorted(groups["open"], key=soonest_close),
                          upcoming=sorted(groups["upcoming"], key=soonest_open),
                          past=sorted(groups["past"], key=last_close, reverse=True))


def get_contest(contest_id: int) -> Contest | None:
    """The contest with its rounds and every prize tier loaded (three queries), or None."""
    return db.session.scalar(
        select(Contest).where(Contest.id == contest_id)
        .options(selectinload(Contest.rounds).selectinload(Round.prize_tiers),
                 selectinload(Contest.prize_tiers))
    )


def attempts_by_round(user_id: int, round_ids: Sequence[int]) -> dict[int, list[Attempt]]:
    """A participant's attempts in the given rounds, by round id, in the order started (one query)."""
    if not round_ids:
        return {}
    attempts = db.session.scalars(
        select(Attempt).where(Attempt.user_id == user_id, Attempt.round_id.in_(list(round_ids)))
        .order_by(Attempt.round_id, Attempt.number)
    ).all()
    found: dict[int, list[Attempt]] = defaultdict(list)
    for attempt in attempts:
        found[attempt.round_id].append(attempt)
    return dict(found)


def _iso(moment: datetime) -> str:
    return moment.astimezone(VIETNAM).isoformat()


def contests_payload(now: datetime) -> list[dict[str, Any]]:
    """The public listing as plain data for the JSON API: open, then upcoming, then past contests, each with
    ``id``, ``title``, ``status`` (open | upcoming | past) and its rounds (ISO 8601 windows in +07:00)."""
    return [
        {
            "id": item.contest.id,
            "title": item.contest.title,
            "status": item.phase,
            "rounds": [
                {"id": r.round.id, "name": r.round.name, "opens_at": _iso(r.round.opens_at),
                 "closes_at": _iso(r.round.closes_at), "status": r.status,
                 "question_count": r.round.question_count, "time_limit_seconds": r.round.time_limit_seconds,
                 "max_attempts": r.round.max_attempts}
                for r in item.rounds
            ],
        }
        for item in public_contests(now)
    ]
