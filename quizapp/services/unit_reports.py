"""A unit's report of a contest (báo cáo của đơn vị): what the people registered in one unit's subtree did in a
contest, whoever organised it, in the shape a unit reports upward.

Scope is enforced here, not in the view: every query is bounded by the closure table ``unit_ancestors`` to the
subtree of the unit reported on, and that unit must lie inside the caller's scope (``services.scopes.scope_of``,
the one rule: a unit officer's unit, a scoped organizer's too; None for unscoped organizers and for admins, who
may open any unit). Nothing outside is ever returned.

What counts is what counts for collectives (``services.collectives.counted_entries``: finished attempts, not by
hidden accounts, not disqualified, admitted by the contest's audience); the people listed are the participants
registered in the subtree whom the audience admits (not hidden, not erased, not merged into another account). A
round's entries and who took part in it are given only when the public could see a board of the round (rule 12,
see ``_visible``); prizes only from finalized rounds' frozen results (``RoundResult``, ``CollectiveResult``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import and_, func, or_, select

from quizapp.domain.phones import mask_phone
from quizapp.domain.unit_reports import PrizeCount, highest_silent, prize_tally
from quizapp.extensions import db
from quizapp.models import (
    Attempt,
    CollectiveResult,
    Contest,
    PrizeTier,
    Role,
    Round,
    RoundResult,
    Unit,
    UnitAncestor,
    User,
)
from quizapp.services import scopes
from quizapp.services.collectives import counted_entries
from quizapp.services.contests import admitted_sql
from quizapp.services.disclosure import round_disclosure


@dataclass(frozen=True)
class UnitReportError(Exception):
    """A typed refusal: ``outside_scope`` (the unit is not under the caller's), ``round_not_in_contest``."""

    code: str


@dataclass(frozen=True, slots=True)
class UnitLine:
    id: int
    code: str
    name: str
    member_count: int
    participants: int
    entries: int
    has_children: bool = False

    @property
    def participation_rate(self) -> float | None:
        """Rule 8: distinct participants / member count; None without a member count."""
        return self.participants / self.member_count if self.member_count else None


@dataclass(frozen=True, slots=True)
class PersonLine:
    user_id: int
    full_name: str
    phone: str
    unit_code: str
    unit_name: str
    entries: int
    best_correct: int | None


@dataclass(frozen=True, slots=True)
class PrizeLine:
    round_name: str
    rank: int
    full_name: str
    unit_name: str
    prize_name: str
    correct_count: int
    question_count: int


@dataclass(frozen=True, slots=True)
class CollectiveLine:
    round_name: str | None
    rank: int
    unit_code: str
    unit_name: str
    prize_name: str


@dataclass
class UnitReport:
    contest: Contest
    round: Round | None
    unit: Unit
    counted_rounds: list[Round]
    withheld_rounds: list[Round]
    total: UnitLine
    children: list[UnitLine]
    direct: UnitLine | None
    silent: list[UnitLine]
    people: list[PersonLine]
    absent: list[PersonLine]
    prizes: list[PrizeLine]
    collectives: list[CollectiveLine]
    tally: list[PrizeCount] = field(default_factory=list)

    @property
    def figures_shown(self) -> bool:
        return bool(self.counted_rounds)


def scope_of(user: User) -> int | None:
    """The top unit of what a signed-in staff account may report on (``services.scopes.scope_of``: a unit
    officer's or a scoped organizer's or judge's unit); None (any unit) for unscoped ones and admins. Callers have
    already refused participants."""
    return scopes.scope_of(user).unit_id


def within_scope(unit_id: int, scope_unit_id: int | None) -> bool:
    """Whether ``unit_id`` is the scope unit or under it (always, without a scope). One index probe."""
    return scopes.unit_in_scope(scopes.Scope(scope_unit_id), unit_id)


def unit_report(contest: Contest, *, unit: Unit, scope_unit_id: int | None, round_: Round | None,
                now: datetime) -> UnitReport:
    """The report of ``unit``'s subtree for ``contest`` (or one ``round_`` of it) at ``now``. Raises
    ``outside_scope`` when ``unit`` is not inside ``scope_unit_id``'s subtree, ``round_not_in_contest``."""
    if not within_scope(unit.id, scope_unit_id):
        raise UnitReportError("outside_scope")
    if round_ is not None and round_.contest_id != contest.id:
        raise UnitReportError("round_not_in_contest")
    rounds = [round_] if round_ is not None else list(contest.rounds)
    counted = [r for r in rounds if _visible(r, now)]
    withheld = [r for r in rounds if not _visible(r, now)]
    figures = _unit_figures(contest, unit, [r.id for r in counted]) if counted else {}
    units = _subtree_units(unit)
    children = [_line(u, figures, has_children) for u, has_children in units if u.parent_id == unit.id]
    people, absent = _people(contest, unit, [r.id for r in counted]) if counted else ([], [])
    direct_people = [p for p in people if p.unit_code == unit.code]
    direct = None
    if children and any(p.unit_code == unit.code for p in (*people, *absent)):  # a leaf's people are its total
        direct = UnitLine(unit.id, unit.code, unit.name, 0, len(direct_people),
                          sum(p.entries for p in direct_people))
    participants = {unit_id: pair[0] for unit_id, pair in figures.items()}
    tree = [(u.id, u.parent_id) for u, _ in units]
    silent_ids = set(highest_silent(tree, participants, unit.id)) if counted else set()
    prizes, tiers = _prizes(contest, unit, round_)
    return UnitReport(
        contest=contest, round=round_, unit=unit, counted_rounds=counted, withheld_rounds=withheld,
        total=_line(unit, figures, bool(children)), children=children, direct=direct,
        silent=[_line(u, figures, has_children) for u, has_children in units if u.id in silent_ids],
        people=people, absent=absent, prizes=prizes, collectives=_collectives(contest, unit, round_),
        tally=prize_tally(tiers),
    )


def _visible(round_: Round, now: datetime) -> bool:
    """Whether the report may count ``round_`` at ``now`` (SPEC rule 12): exactly when the public may see a board
    of it (``domain.disclosure``: "live" or "public"), never while it is "hidden".

    A unit officer is staff but not an organizer or judge, and is often a participant too (with another account)
    or sits next to participants: the entries, participants or perfect scores of a subtree while entries can still
    arrive would help them work out the prediction's actual answer (perfect scores, participants or attempts), so
    a round whose answer is counted from the entries is counted here only once no entry can arrive any more (the
    close plus the network grace, or an early close), as for the public board. A round whose answer is entered by
    hand, or that has no prediction question, has a public live board anyway: its counts reveal nothing more."""
    return round_disclosure(round_, now).level != "hidden"


def _line(unit: Unit, figures: dict[int, tuple[int, int]], has_children: bool) -> UnitLine:
    participants, entries = figures.get(unit.id, (0, 0))
    return UnitLine(unit.id, unit.code, unit.name, unit.member_count, participants, entries, has_children)


def _counted_people(contest: Contest, unit: Unit, round_ids: list[int]):
    """One row per person of the subtree with a counted entry: user id, unit id, entries, best correct count."""
    return (select(User.id.label("user_id"), User.unit_id.label("unit_id"), func.count().label("entries"),
                   func.max(Attempt.correct_count).label("best"))
            .join(Attempt, Attempt.user_id == User.id)
            .join(UnitAncestor, and_(UnitAncestor.descendant_id == User.unit_id, UnitAncestor.ancestor_id == unit.id))
            .where(Attempt.round_id.in_(round_ids), *counted_entries(contest, None))
            .group_by(User.id, User.unit_id).subquery("counted_people"))


def _unit_figures(contest: Contest, unit: Unit, round_ids: list[int]) -> dict[int, tuple[int, int]]:
    """unit id -> (distinct participants, entries) for every unit of the subtree with someone counted, totalled
    up the closure table (ancestors at the unit's depth or deeper: inside the subtree). One query."""
    people = _counted_people(contest, unit, round_ids)
    rows = db.session.execute(
        select(UnitAncestor.ancestor_id, func.count(), func.sum(people.c.entries))
        .join(people, people.c.unit_id == UnitAncestor.descendant_id)
        .where(UnitAncestor.ancestor_depth >= unit.depth)
        .group_by(UnitAncestor.ancestor_id)).tuples()
    return {unit_id: (participants, int(entries)) for unit_id, participants, entries in rows}


def _subtree_units(unit: Unit) -> list[tuple[Unit, bool]]:
    """The units of the subtree, parents first, each with whether it has units below. One query."""
    child = Unit.__table__.alias("child")
    has_children = select(child.c.id).where(child.c.parent_id == Unit.id).exists()
    rows = db.session.execute(
        select(Unit, has_children).join(UnitAncestor, UnitAncestor.descendant_id == Unit.id)
        .where(UnitAncestor.ancestor_id == unit.id).order_by(Unit.depth, Unit.code)).tuples()
    return list(rows)


def _people(contest: Contest, unit: Unit, round_ids: list[int]) -> tuple[list[PersonLine], list[PersonLine]]:
    """The participants registered in the subtree whom the contest admits, by unit code then name: those with a
    counted entry and those without. Full names (the officer must know whom to remind) but phones masked: rule 11
    shows personal data in full to organizers and judges only, and a unit officer is neither. One query."""
    people = _counted_people(contest, unit, round_ids)
    rows = db.session.execute(
        select(User.id, User.full_name, User.phone, Unit.code, Unit.name, people.c.entries, people.c.best)
        .join(UnitAncestor, and_(UnitAncestor.descendant_id == User.unit_id, UnitAncestor.ancestor_id == unit.id))
        .join(Unit, Unit.id == User.unit_id)
        .outerjoin(people, people.c.user_id == User.id)
        .where(User.role == Role.PARTICIPANT, User.hidden.is_(False), User.erased_at.is_(None),
               User.merged_into_id.is_(None), admitted_sql(contest.id, User.unit_id, User.category))
        .order_by(Unit.code, User.name_key, User.id)).tuples()
    took_part: list[PersonLine] = []
    absent: list[PersonLine] = []
    for user_id, name, phone, code, unit_name, entries, best in rows:
        line = PersonLine(user_id, name, mask_phone(phone), code, unit_name, entries or 0, best)
        (took_part if entries else absent).append(line)
    return took_part, absent


def _prizes(contest: Contest, unit: Unit, round_: Round | None) -> tuple[list[PrizeLine], list[tuple[int, str]]]:
    """Individual prizes won in the subtree, from finalized rounds' frozen results, in round then rank order."""
    rows = db.session.execute(
        select(Round.name, RoundResult.rank, User.full_name, Unit.name, RoundResult.prize_name,
               RoundResult.correct_count, RoundResult.question_count, PrizeTier.position)
        .join(Round, Round.id == RoundResult.round_id)
        .join(User, User.id == RoundResult.user_id)
        .join(Unit, Unit.id == User.unit_id)
        .join(UnitAncestor, and_(UnitAncestor.descendant_id == User.unit_id, UnitAncestor.ancestor_id == unit.id))
        .outerjoin(PrizeTier, PrizeTier.id == RoundResult.prize_tier_id)
        .where(Round.contest_id == contest.id, Round.finalized_at.is_not(None), RoundResult.prize_name.is_not(None),
               *([Round.id == round_.id] if round_ is not None else []))
        .order_by(Round.position, RoundResult.rank)).tuples().all()
    lines = [PrizeLine(r[0], r[1], r[2], r[3], r[4], r[5], r[6]) for r in rows]
    return lines, [(position if position is not None else 99, name) for *_, name, _c, _q, position in rows]


def _collectives(contest: Contest, unit: Unit, round_: Round | None) -> list[CollectiveLine]:
    """Collective prizes of the subtree's units (the unit itself included): for ``round_``, or every round's and
    the whole contest's; rounds not finalized are left out."""
    rows = db.session.execute(
        select(Round.name, CollectiveResult.rank, Unit.code, Unit.name, CollectiveResult.prize_name)
        .join(Unit, Unit.id == CollectiveResult.unit_id)
        .join(UnitAncestor, and_(UnitAncestor.descendant_id == Unit.id, UnitAncestor.ancestor_id == unit.id))
        .outerjoin(Round, Round.id == CollectiveResult.round_id)
        .where(CollectiveResult.contest_id == contest.id, CollectiveResult.prize_name.is_not(None),
               or_(CollectiveResult.round_id.is_(None), Round.finalized_at.is_not(None)),
               *([CollectiveResult.round_id == round_.id] if round_ is not None else []))
        .order_by(CollectiveResult.round_id.is_(None), Round.position, CollectiveResult.rank)).tuples()
    return [CollectiveLine(*row) for row in rows]


def unit_path(unit: Unit, scope_unit_id: int | None) -> list[Unit]:
    """The units from the top of the caller's scope (the root without one) down to ``unit``, for the
    breadcrumb; nothing above the scope. One query."""
    top_depth = 1
    if scope_unit_id is not None:
        top_depth = db.session.scalar(select(Unit.depth).where(Unit.id == scope_unit_id)) or 1
    return list(db.session.scalars(
        select(Unit).join(UnitAncestor, UnitAncestor.ancestor_id == Unit.id)
        .where(UnitAncestor.descendant_id == unit.id, UnitAncestor.ancestor_depth >= top_depth)
        .order_by(Unit.depth)))


def find_unit(code: str, scope_unit_id: int | None) -> Unit | None:
    """The unit ``code`` when it lies inside the scope; None otherwise, whether or not it exists elsewhere (an
    officer learns nothing about units outside their own)."""
    return db.session.scalar(select(Unit).where(Unit.code == code,
                                                scopes.unit_clause(scopes.Scope(scope_unit_id), Unit.id)))
