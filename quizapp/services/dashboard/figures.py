"""What the dashboard of a round shows, read from its counters plus the attempts above their watermark
(``summary.py``): entries, distinct participants, attempts in progress now, entries by day and by hour (Vietnam's
time), the score distribution, and every unit's participants totalled up the tree with rule 8's participation rate
(participants / member count). For staff only: these are the live counts rule 12 keeps from the public."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from quizapp.domain.text import fold
from quizapp.extensions import db
from quizapp.models import (
    Attempt,
    Round,
    RoundHourFigure,
    RoundScoreFigure,
    RoundSummary,
    RoundUnitFigure,
    Unit,
    UnitAncestor,
    User,
)
from quizapp.models.attempts import in_progress
from quizapp.models.summaries import NO_CATEGORY, NO_UNIT
from quizapp.services.dashboard.summary import Counts, range_counts, refresh_round
from quizapp.services.scopes import EVERYTHING, Scope

VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")
#: The hourly chart covers this many hours up to now (or the round's close).
HOURS_SHOWN = 48
#: The daily chart covers at most this many days up to now (or the round's close).
DAYS_SHOWN = 62


@dataclass(frozen=True)
class UnitFigures:
    """A unit with the round's figures of everyone registered in it or below it."""

    id: int
    code: str
    name: str
    parent_id: int | None
    depth: int
    member_count: int
    participants: int
    entries: int
    has_children: bool

    @property
    def participation_rate(self) -> float | None:
        """Rule 8: distinct participants / member count; None without a member count."""
        return self.participants / self.member_count if self.member_count else None


@dataclass
class RoundFigures:
    round: Round
    category: str | None
    entries: int
    participants: int
    in_progress: int
    refreshed_at: datetime
    by_day: list[tuple[date, int]] = field(default_factory=list)
    by_hour: list[tuple[datetime, int]] = field(default_factory=list)
    scores: list[tuple[int, int]] = field(default_factory=list)
    units: dict[int, UnitFigures] = field(default_factory=dict)
    unplaced: int = 0  # participants registered in no unit
    categories: list[str] = field(default_factory=list)
    _children: dict[int | None, list[UnitFigures]] | None = field(default=None, repr=False)

    @property
    def units_by_code(self) -> dict[str, UnitFigures]:
        return {u.code: u for u in self.units.values()}

    def children(self, unit_id: int | None) -> list[UnitFigures]:
        """The units right below ``unit_id`` (the roots for None), by code."""
        if self._children is None:
            self._children = {}
            for unit in sorted(self.units.values(), key=lambda u: u.code):
                self._children.setdefault(unit.parent_id, []).append(unit)
        return list(self._children.get(unit_id, []))

    def path(self, unit_id: int | None) -> list[UnitFigures]:
        """``unit_id`` and its ancestors, root first."""
        path = []
        while unit_id is not None and unit_id in self.units:
            path.append(self.units[unit_id])
            unit_id = self.units[unit_id].parent_id
        return path[::-1]

    def silent(self, unit_id: int | None = None) -> list[UnitFigures]:
        """Units under ``unit_id`` (the whole tree for None) nobody under which has taken part, the highest only
        (a silent unit's silent children are not listed again), by code."""
        found, stack = [], self.children(unit_id)
        while stack:
            unit = stack.pop()
            if unit.participants == 0:
                found.append(unit)
            else:
                stack.extend(self.children(unit.id))
        return sorted(found, key=lambda u: u.code)


def round_figures(round_: Round, *, now: datetime, category: str | None = None, max_age_seconds: int = 60,
                  with_units: bool = True, scope: Scope = EVERYTHING) -> RoundFigures:
    """The dashboard of ``round_`` at ``now`` (people of ``category`` only when given). Moves the counters'
    watermark first when it is older than ``max_age_seconds``. A fixed number of queries: the counters, the range
    above the watermark, the attempts in progress, and (``with_units``) the units with the closure table.

    For a viewer with a ``scope`` (``services.scopes``), the units are those of its subtree only, its top unit
    being the root of the drill-down: nothing of the tree outside is listed, silent or not. (A round whose
    contest is in scope has its audience inside the subtree, so its totals are of the subtree's people.)"""
    summary = fresh_summary(round_, now=now, max_age_seconds=max_age_seconds)
    counts = _stored(round_.id, category)
    counts.add(range_counts(round_, summary.counted_through, None, category))
    people_by_unit = Counter[int]()
    for (unit_id, _cat), n in counts.unit_people.items():
        people_by_unit[unit_id] += n
    figures = RoundFigures(
        round=round_, category=category, entries=sum(counts.unit_entries.values()),
        participants=sum(people_by_unit.values()), in_progress=_in_progress(round_, now, category),
        refreshed_at=summary.refreshed_at, unplaced=people_by_unit[NO_UNIT], categories=_categories(round_.id, counts))
    if not with_units:
        return figures
    figures.by_day, figures.by_hour = _timelines(round_, counts, now)
    scores = Counter[int]()
    for (correct, _cat), n in counts.scores.items():
        scores[correct] += n
    top = max([round_.question_count, *scores])
    figures.scores = [(correct, scores[correct]) for correct in range(top + 1)]
    entries_by_unit = Counter[int]()
    for (unit_id, _cat), n in counts.unit_entries.items():
        entries_by_unit[unit_id] += n
    figures.units = _units(people_by_unit, entries_by_unit, scope)
    return figures


def fresh_summary(round_: Round, *, now: datetime, max_age_seconds: int) -> RoundSummary:
    """The round's counters, their watermark moved first when older than ``max_age_seconds``."""
    summary = db.session.get(RoundSummary, round_.id)
    if summary is None or summary.refreshed_at <= now - timedelta(seconds=max_age_seconds):
        summary = refresh_round(round_, now=now)
    return summary


def _stored(round_id: int, category: str | None) -> Counts:
    counts = Counts()
    tables = ((RoundUnitFigure, (RoundUnitFigure.unit_id, RoundUnitFigure.entries, RoundUnitFigure.participants)),
              (RoundHourFigure, (RoundHourFigure.hour, RoundHourFigure.entries)),
              (RoundScoreFigure, (RoundScoreFigure.correct_count, RoundScoreFigure.entries)))
    for model, columns in tables:
        query = select(*columns, model.category).where(model.round_id == round_id)
        if category is not None:
            query = query.where(model.category == category)
        for row in db.session.execute(query):
            if model is RoundUnitFigure:
                counts.unit_entries[(row[0], row[3])] += row[1]
                counts.unit_people[(row[0], row[3])] += row[2]
            elif model is RoundHourFigure:
                counts.hours[(row[0], row[2])] += row[1]
            else:
                counts.scores[(row[0], row[2])] += row[1]
    return counts


def _in_progress(round_: Round, now: datetime, category: str | None) -> int:
    """Attempts being taken now: in progress and before their deadline, by people who count (not hidden)."""
    query = (select(func.count()).select_from(Attempt).join(User, User.id == Attempt.user_id)
             .where(Attempt.round_id == round_.id, in_progress(Attempt.status), Attempt.deadline_at > now,
                    User.hidden.is_(False)))
    if category is not None:
        query = query.where(func.coalesce(User.category, NO_CATEGORY) == category)
    return db.session.scalar(query) or 0


def _timelines(round_: Round, counts: Counts, now: datetime) -> tuple[list[tuple[date, int]],
                                                                    list[tuple[datetime, int]]]:
    """Entries by day over the round up to now (at most :data:`DAYS_SHOWN` days), and by hour over the last
    :data:`HOURS_SHOWN` hours, in Vietnam's time, days and hours without entries included."""
    by_hour = Counter[int]()
    for (hour, _cat), n in counts.hours.items():
        by_hour[hour] += n
    end = min(now, round_.closes_at)
    last_hour = int(end.timestamp() // 3600)
    first_hour = max(int(round_.opens_at.timestamp() // 3600), last_hour - HOURS_SHOWN + 1)
    hours = [(datetime.fromtimestamp(h * 3600, UTC).astimezone(VIETNAM), by_hour[h])
             for h in range(first_hour, last_hour + 1)]
    by_day = Counter[date]()
    for hour, n in by_hour.items():
        by_day[datetime.fromtimestamp(hour * 3600, UTC).astimezone(VIETNAM).date()] += n
    first_day, last_day = round_.opens_at.astimezone(VIETNAM).date(), end.astimezone(VIETNAM).date()
    first_day = max(first_day, last_day - timedelta(days=DAYS_SHOWN - 1))
    days = [(first_day + timedelta(days=i), by_day[first_day + timedelta(days=i)])
            for i in range((last_day - first_day).days + 1)]
    return days, hours


def _units(people: Counter[int], entries: Counter[int], scope: Scope) -> dict[int, UnitFigures]:
    """Every unit of the scope (the whole tree for everything) with the figures of the people registered in it or
    below it (the closure table); the scope's top unit has no parent here, so the drill-down starts at it."""
    pairs = select(UnitAncestor.ancestor_id, UnitAncestor.descendant_id)
    units = select(Unit.id, Unit.code, Unit.name, Unit.parent_id, Unit.depth, Unit.member_count)
    if not scope.everything:  # an ancestor inside the subtree has all its descendants inside
        subtree = select(UnitAncestor.descendant_id).where(UnitAncestor.ancestor_id == scope.unit_id)
        pairs = pairs.where(UnitAncestor.ancestor_id.in_(subtree))
        units = units.where(Unit.id.in_(subtree))
    people_under, entries_under = Counter[int](), Counter[int]()
    for ancestor, descendant in db.session.execute(pairs):
        if descendant in people:
            people_under[ancestor] += people[descendant]
            entries_under[ancestor] += entries[descendant]
    rows = db.session.execute(units).all()
    parents = {row.parent_id for row in rows}
    return {row.id: UnitFigures(id=row.id, code=row.code, name=row.name,
                                parent_id=None if row.id == scope.unit_id else row.parent_id, depth=row.depth,
                                member_count=row.member_count, participants=people_under[row.id],
                                entries=entries_under[row.id], has_children=row.id in parents) for row in rows}


def _categories(round_id: int, counts: Counts) -> list[str]:
    """The categories of the people who took part in the round: those of its counters and those read above their
    watermark, in alphabetical order (accents after the letter: Đảng before Đoàn)."""
    found = set(db.session.scalars(select(RoundUnitFigure.category).where(RoundUnitFigure.round_id == round_id)
                                   .distinct()))
    found.update(category for _unit, category in counts.unit_entries)
    found.discard(NO_CATEGORY)
    return sorted(found, key=lambda name: (fold(name), name))
