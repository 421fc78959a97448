"""Contests: create one from its spec (checked against the question banks and the unit tree), its audience,
where its rounds stand, the staff's list (a scoped account sees the contests of its subtree,
``services.scopes``), and the public listing that the pages and the JSON API share (a participant sees the
contests open to them)."""

from __future__ import annotations

import difflib
from collections import defaultdict
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any

from sqlalchemy import ColumnElement, and_, exists, func, or_, select
from sqlalchemy.orm import selectinload

from quizapp.domain.contests import (
    EVERYONE,
    Audience,
    AudienceUnit,
    ContestPhase,
    ContestSpec,
    ContestSpecError,
    DrawSpec,
    PrizeSpec,
    QuestionCell,
    RoundSpec,
    RoundStatus,
    SpecProblem,
    contest_phase,
    draw_problems,
)
from quizapp.domain.contests import round_status as status_at
from quizapp.domain.contests.toml_export import spec_toml
from quizapp.domain.registration import CATEGORIES
from quizapp.domain.text import fold
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
    Unit,
    UnitAncestor,
    User,
)
from quizapp.models.contests import ContestAudienceCategory, ContestAudienceUnit
from quizapp.services import audit
from quizapp.services.scopes import EVERYTHING, Scope, bank_clause, contest_clause

#: Vietnam's offset (no daylight saving): the JSON payload writes windows in it, as organizers write them.
VIETNAM = timezone(timedelta(hours=7))


def question_cells(scope: Scope = EVERYTHING) -> tuple[list[QuestionCell], dict[str, int]]:
    """Active (not retired) questions counted per (bank, topic, difficulty), and every bank's id by name: of
    the banks ``scope`` may read (its subtree's and the shared ones; every bank for an unscoped account).

    One GROUP BY query over banks outer-joined to their active questions (a bank without any has no cell).
    """
    rows = db.session.execute(
        select(Bank.id, Bank.name, Question.topic, Question.difficulty, func.count(Question.id))
        .outerjoin(Question, and_(Question.bank_id == Bank.id, Question.retired_at.is_(None)))
        .where(bank_clause(scope))
        .group_by(Bank.id, Bank.name, Question.topic, Question.difficulty)
    ).tuples()
    cells: list[QuestionCell] = []
    bank_ids: dict[str, int] = {}
    for bank_id, bank_name, topic, difficulty, count in rows:
        bank_ids[bank_name] = bank_id
        if count:
            cells.append(QuestionCell(bank=bank_name, topic=topic, difficulty=difficulty, count=count))
    return cells, bank_ids


def create_contest(spec: ContestSpec, *, actor: User | None, now: datetime, scope: Scope = EVERYTHING) -> Contest:
    """Write a contest, its audience, its rounds (positions 1..n), their draw rules and prize tiers, and an audit
    entry.

    Refused with ContestSpecError, before anything is written, for every problem :func:`contest_problems` finds.
    ``scope``: the banks the draws may name are those the account may read (the command line is unscoped).
    """
    problems, bank_ids, unit_ids = _checked(spec, scope)
    if problems:
        raise ContestSpecError(problems)
    contest = Contest(title=spec.title, rules=spec.rules, one_prize_per_contest=spec.one_prize_per_contest,
                      collective_level=spec.collective_level,
                      collective_metric=CollectiveMetric(spec.collective_metric), published=True,
                      created_at=now, created_by_id=actor.id if actor else None)
    contest.rounds = [_new_round(position, round_spec, bank_ids)
                      for position, round_spec in enumerate(spec.rounds, start=1)]
    contest.audience_units = [ContestAudienceUnit(unit_id=unit_ids[code], position=position)
                              for position, code in enumerate(spec.audience, start=1)]
    contest.audience_categories = [ContestAudienceCategory(category=category, position=position)
                                   for position, category in enumerate(spec.audience_categories, start=1)]
    db.session.add(contest)
    db.session.flush()
    db.session.add_all(_tiers(contest.id, None, PrizeKind.COLLECTIVE, spec.collective_prizes))
    for round_, round_spec in zip(contest.rounds, spec.rounds, strict=True):
        round_.prize_tiers.extend(_tiers(contest.id, round_.id, PrizeKind.INDIVIDUAL, round_spec.prizes))
    details: dict[str, Any] = {"title": spec.title, "rounds": [r.id for r in contest.rounds]}
    if spec.audience or spec.audience_categories:
        details.update(audience=list(spec.audience), audience_categories=list(spec.audience_categories))
    audit.record(actor=actor, action="contest.create", object_type="contest", object_id=contest.id, now=now,
                 details=details)
    db.session.flush()
    return contest


def contest_problems(spec: ContestSpec, scope: Scope = EVERYTHING) -> list[SpecProblem]:
    """What the question banks and the unit tree say against ``spec``: a round's draw that the active questions
    of the banks ``scope`` may read cannot satisfy (``quizapp.domain.contests.draw``: every shortfall, unknown
    bank, overlap), an audience unit code that is not in the tree, a category that is neither one registration
    offers nor one a participant registered with. A bank outside the scope is unknown to it, as in its lists."""
    return _checked(spec, scope)[0]


def _checked(spec: ContestSpec, scope: Scope) -> tuple[list[SpecProblem], dict[str, int], dict[str, int]]:
    """:func:`contest_problems`, with the ids of the banks (by name) and of the audience units (by code)."""
    cells, bank_ids = question_cells(scope)
    unit_ids, audience_problems = audience_units(spec)
    problems = [*draw_problems(spec, cells, bank_ids.keys()), *audience_problems,
                *category_problems(spec.audience_categories)]
    return problems, bank_ids, unit_ids


def audience_units(spec: ContestSpec) -> tuple[dict[str, int], list[SpecProblem]]:
    """The id of each unit code of ``spec.audience``, and an ``unknown_unit`` problem for each code that is not
    in the tree, with the nearest code, or the code of a unit whose name was written instead (one query; the
    whole tree is read only to suggest)."""
    if not spec.audience:
        return {}, []
    found = dict(db.session.execute(select(Unit.code, Unit.id).where(Unit.code.in_(spec.audience))).tuples().all())
    unknown = [(index, code) for index, code in enumerate(spec.audience) if code not in found]
    if not unknown:
        return found, []
    tree = db.session.execute(select(Unit.code, Unit.name)).tuples().all()
    by_name = {fold(name): code for code, name in tree}
    codes = [code for code, _name in tree]
    problems = []
    for index, code in unknown:
        close = difflib.get_close_matches(code, codes, n=1, cutoff=0.6)
        suggestion = by_name.get(fold(code)) or (close[0] if close else None)
        problems.append(SpecProblem("unknown_unit", f"contest.audience[{index}]",
                                    {"code": code, "suggestion": suggestion}))
    return found, problems


def category_problems(categories: Sequence[str]) -> list[SpecProblem]:
    """An ``unknown_category`` problem for each category that registration does not offer and no participant
    registered with (then nobody could match it: a misspelling), with the nearest known category."""
    others = [category for category in categories if category not in CATEGORIES]
    if not others:
        return []
    held = set(db.session.scalars(select(User.category).where(User.category.in_(others)).distinct()))
    folded = {fold(category): category for category in CATEGORIES}
    problems = []
    for index, category in enumerate(categories):
        if category in CATEGORIES or category in held:
            continue
        close = difflib.get_close_matches(fold(category), list(folded), n=1, cutoff=0.6)
        problems.append(SpecProblem("unknown_category", f"contest.audience_categories[{index}]",
                                    {"value": category, "suggestion": folded[close[0]] if close else None}))
    return problems


def audiences(contest_ids: Collection[int]) -> dict[int, Audience]:
    """The audience of each contest of ``contest_ids`` that has one (units in the organizer's order, with their
    code and name; categories); a contest open to everyone is absent. Two queries."""
    if not contest_ids:
        return {}
    ids = sorted(contest_ids)
    units: dict[int, list[AudienceUnit]] = defaultdict(list)
    for contest_id, unit_id, code, name in db.session.execute(
            select(ContestAudienceUnit.contest_id, Unit.id, Unit.code, Unit.name)
            .join(Unit, Unit.id == ContestAudienceUnit.unit_id)
            .where(ContestAudienceUnit.contest_id.in_(ids))
            .order_by(ContestAudienceUnit.contest_id, ContestAudienceUnit.position)).tuples():
        units[contest_id].append(AudienceUnit(unit_id, code, name))
    categories: dict[int, list[str]] = defaultdict(list)
    for contest_id, category in db.session.execute(
            select(ContestAudienceCategory.contest_id, ContestAudienceCategory.category)
            .where(ContestAudienceCategory.contest_id.in_(ids))
            .order_by(ContestAudienceCategory.contest_id, ContestAudienceCategory.position)).tuples():
        categories[contest_id].append(category)
    return {contest_id: Audience(tuple(units.get(contest_id, ())), tuple(categories.get(contest_id, ())))
            for contest_id in {*units, *categories}}


def staff_contests(scope: Scope) -> list[Contest]:
    """The contests a staff account works on, newest first, with their rounds: every contest for an unscoped
    account, those in ``scope`` otherwise (``services.scopes.contest_clause``: an audience all inside the
    subtree). Two queries."""
    return list(db.session.scalars(select(Contest).where(contest_clause(scope)).options(selectinload(Contest.rounds))
                                   .order_by(Contest.id.desc())).all())


def contest_audience(contest_id: int) -> Audience:
    return audiences([contest_id]).get(contest_id, EVERYONE)


def admitted_sql(contest_id: Any, unit_id: Any, category: Any) -> ColumnElement[bool]:
    """``quizapp.domain.contests.audience.Audience.admits`` in SQL: the audience of the contest ``contest_id``
    admits a participant of unit ``unit_id`` and ``category`` (columns or values). A contest without an audience
    costs two index probes that find nothing (the primary keys start with the contest)."""
    units, categories = ContestAudienceUnit.__table__, ContestAudienceCategory.__table__
    closure = UnitAncestor.__table__.alias("audience_closure")
    units_of_contest = units.c.contest_id == contest_id
    categories_of_contest = categories.c.contest_id == contest_id
    return and_(
        or_(~exists().where(units_of_contest),
            exists().where(units_of_contest, closure.c.ancestor_id == units.c.unit_id,
                           closure.c.descendant_id == unit_id)),
        or_(~exists().where(categories_of_contest),
            exists().where(categories_of_contest, categories.c.category == category)),
    )


def audience_units_sql(contest_id: Any, unit_id: Any) -> ColumnElement[bool]:
    """The unit ``unit_id`` shares a line of the tree with the audience of the contest ``contest_id``: it is one of
    its units, under one or above one (the collectives ranked for the contest); every unit when the contest lists
    none."""
    units = ContestAudienceUnit.__table__
    closure = UnitAncestor.__table__.alias("audience_line")
    units_of_contest = units.c.contest_id == contest_id
    return or_(~exists().where(units_of_contest),
               exists().where(units_of_contest, closure.c.ancestor_id == units.c.unit_id,
                              closure.c.descendant_id == unit_id),
               exists().where(units_of_contest, closure.c.descendant_id == units.c.unit_id,
                              closure.c.ancestor_id == unit_id))


@dataclass(frozen=True)
class Viewer:
    """What the audience rule needs of a participant: their unit and every unit above it, their category."""

    user_id: int
    unit_ancestor_ids: frozenset[int]
    category: str | None


def viewer(user_id: int) -> Viewer:
    """The participant ``user_id`` as the audience rule sees them (one query)."""
    rows = db.session.execute(
        select(User.category, UnitAncestor.ancestor_id)
        .outerjoin(UnitAncestor, UnitAncestor.descendant_id == User.unit_id).where(User.id == user_id)).all()
    category = rows[0][0] if rows else None
    return Viewer(user_id, frozenset(row[1] for row in rows if row[1] is not None), category)


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
    audience: Audience = field(default=EVERYONE)

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


def overview(contest: Contest, now: datetime, audience: Audience | None = None) -> ContestOverview:
    """The contest's phase and rounds at ``now``; its audience is read unless given."""
    rounds = [RoundOverview(r, round_status(r, now)) for r in contest.rounds]
    return ContestOverview(contest, contest_phase(r.status for r in rounds), rounds,
                           contest_audience(contest.id) if audience is None else audience)


def public_contests(now: datetime, participant: int | None = None) -> ContestListing:
    """Published contests grouped as open (soonest to close first), upcoming (soonest to open first) and past
    (most recently closed first), each with its rounds and audience; for the ``participant`` of that id, only the
    contests whose audience admits them (``quizapp.domain.contests.audience``). Two queries; when a contest has an
    audience, two more to read the audiences and one to read the participant."""
    has_audience = or_(exists().where(ContestAudienceUnit.contest_id == Contest.id),
                       exists().where(ContestAudienceCategory.contest_id == Contest.id))
    rows = db.session.execute(
        select(Contest, has_audience.label("limited")).where(Contest.published.is_(True))
        .options(selectinload(Contest.rounds)).order_by(Contest.id)
    ).all()
    contests = [contest for contest, _limited in rows]
    limited = audiences([contest.id for contest, is_limited in rows if is_limited])
    person = viewer(participant) if participant is not None and limited else None
    groups: dict[str, list[ContestOverview]] = defaultdict(list)
    for contest in contests:
        audience = limited.get(contest.id, EVERYONE)
        if person is not None and not audience.admits(person.unit_ancestor_ids, person.category):
            continue
        if contest.rounds:
            item = overview(contest, now, audience)
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


def contest_spec(contest: Contest) -> ContestSpec:
    """The contest as its organizer would describe it (the contest TOML's ContestSpec): creating a contest from it
    makes the same contest again. Three queries (the draw rules with their banks' names, the audience), besides
    the rounds and prize tiers when ``contest`` was not read by :func:`get_contest`."""
    draws: dict[int, list[DrawSpec]] = defaultdict(list)
    for rule, bank_name in db.session.execute(
            select(DrawRule, Bank.name).outerjoin(Bank, Bank.id == DrawRule.bank_id)
            .where(DrawRule.round_id.in_([r.id for r in contest.rounds]))
            .order_by(DrawRule.round_id, DrawRule.position)).tuples():
        draws[rule.round_id].append(DrawSpec(count=rule.count, topic=rule.topic, bank=bank_name,
                                             difficulty=rule.difficulty))
    audience = contest_audience(contest.id)
    rounds = tuple(
        RoundSpec(name=r.name, opens_at=r.opens_at.astimezone(VIETNAM), closes_at=r.closes_at.astimezone(VIETNAM),
                  question_count=r.question_count, time_limit_seconds=r.time_limit_seconds,
                  grace_seconds=r.grace_seconds, max_attempts=r.max_attempts, draw=tuple(draws.get(r.id, ())),
                  prediction_question=r.prediction_question, prediction_answer=r.prediction_answer.value,
                  min_correct_for_prize=r.min_correct_for_prize, review=r.review.value,
                  prizes=tuple(PrizeSpec(t.name, t.count) for t in r.prize_tiers))
        for r in contest.rounds)
    return ContestSpec(title=contest.title, rules=contest.rules, one_prize_per_contest=contest.one_prize_per_contest,
                       collective_level=contest.collective_level,
                       collective_metric=contest.collective_metric.value,
                       collective_prizes=tuple(PrizeSpec(t.name, t.count) for t in contest.prize_tiers),
                       rounds=rounds, audience=tuple(unit.code for unit in audience.units),
                       audience_categories=audience.categories)


def contest_toml(contest: Contest) -> str:
    """The contest in the contest TOML (``quizapp contests export``, the editor's download): ``contests create``
    on it makes the same contest again, with new ids."""
    return spec_toml(contest_spec(contest))


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


def contests_payload(now: datetime, participant: int | None = None) -> list[dict[str, Any]]:
    """The public listing as plain data for the JSON API: open, then upcoming, then past contests, each with
    ``id``, ``title``, ``status`` (open | upcoming | past) and its rounds (ISO 8601 windows in +07:00); for the
    ``participant`` of that id, only the contests open to them."""
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
        for item in public_contests(now, participant)
    ]
