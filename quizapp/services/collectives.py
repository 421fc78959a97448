"""Collective standings (SPEC rule 8): the units at one level of the tree, ranked by the participation and
results of everyone registered under them, with the contest's collective prizes.

Who counts, and over what:

- a participant counts for the unit at ``level`` above (or equal to) the unit they registered with (the closure
  table ``unit_ancestors``); someone registered higher up than ``level`` counts for no unit at that level;
- only finished attempts (submitted, or closed at their deadline) count; a hidden account counts nowhere, and a
  participant's attempts in a round where they are disqualified do not count;
- a contest with an audience (``quizapp.domain.contests.audience``) counts only the participants its audience
  admits (under its units, of its categories), and ranks only the units that share a line of the tree with its
  units (inside an audience subtree, or above one when the level is higher than the audience's units: then the
  unit's member count is its whole membership); the participation rate is participants counted / member count;
- for one round: ``participants`` = distinct people with an entry, ``attempts`` = their entries,
  ``average_score`` = the mean of each participant's best correct count in the round;
- for the whole contest (no round given): ``participants`` = distinct people over all its rounds,
  ``attempts`` = all their entries, ``average_score`` = the mean over participants of their best correct count
  in any round;
- figures, order, tie-breaks and prizes are ``quizapp.domain.collectives`` (the contest's metric; prizes from the
  contest's collective tiers; a unit nobody under took part in never wins).
"""

from __future__ import annotations

from datetime import datetime

import numpy as np
import pandas as pd
from sqlalchemy import ColumnElement, and_, func, select

from quizapp.domain.collectives import allocate_collective, rank_units
from quizapp.domain.prizes import Tier, with_prizes
from quizapp.extensions import db
from quizapp.models import Attempt, Contest, Disqualification, Round, Unit, UnitAncestor, User
from quizapp.services.contests import admitted_sql, audience_units_sql
from quizapp.services.results import ResultsError
from quizapp.services.standings import ENTRY_STATUSES

#: Columns of :func:`collective_standings`' result.
COLLECTIVE_COLUMNS: tuple[str, ...] = (
    "rank", "unit_id", "code", "name", "member_count", "participants", "attempts", "participation_rate",
    "average_score", "prize_tier_id", "prize_name",
)


def collective_standings(contest: Contest, *, level: int, round_: Round | None, now: datetime) -> pd.DataFrame:
    """Every unit at ``level`` (root = 1) ranked, best first, as :data:`COLLECTIVE_COLUMNS` (see the module's
    rules); for ``round_`` or, when None, the whole contest. ``now`` is the moment of the computation (attempts
    still in progress then are not counted). Raises ``invalid_level`` (level below 1) or
    ``round_not_in_contest``. Three queries: the participants (aggregated by the database), the units, the tiers.
    """
    if isinstance(level, bool) or not isinstance(level, int) or level < 1:
        raise ResultsError("invalid_level", level=level)
    if round_ is not None and round_.contest_id != contest.id:
        raise ResultsError("round_not_in_contest", round_id=round_.id, contest_id=contest.id)
    ranked = rank_units(_participants(contest, level, round_), _units(contest, level),
                        contest.collective_metric.value)
    tiers = [Tier(tier.id, tier.name, tier.count) for tier in contest.prize_tiers]
    result = with_prizes(ranked, allocate_collective(ranked, tiers), id_column="unit_id")
    return result[list(COLLECTIVE_COLUMNS)]


def counted_entries(contest: Contest, round_: Round | None) -> list[ColumnElement[bool]]:
    """The attempts that count for collectives (see the module's rules), on ``Attempt`` joined to ``User``: finished
    and scored, in ``round_`` or any round of the contest, by someone the contest's audience admits, not by a
    hidden account, not in a round where their author is disqualified."""
    rounds = [Attempt.round_id == round_.id] if round_ is not None else [
        Attempt.round_id.in_(select(Round.id).where(Round.contest_id == contest.id))]
    disqualified = select(Disqualification.id).where(
        Disqualification.round_id == Attempt.round_id, Disqualification.user_id == Attempt.user_id,
        Disqualification.lifted_at.is_(None)).exists()
    return [*rounds, Attempt.status.in_(ENTRY_STATUSES), Attempt.correct_count.is_not(None),
            User.hidden.is_(False), ~disqualified, admitted_sql(contest.id, User.unit_id, User.category)]


def _participants(contest: Contest, level: int, round_: Round | None) -> pd.DataFrame:
    """One row per participant counted: their unit at ``level``, their entries and best correct count."""
    rows = db.session.execute(
        select(Attempt.user_id, UnitAncestor.ancestor_id, func.count(), func.max(Attempt.correct_count))
        .join(User, User.id == Attempt.user_id)
        .join(UnitAncestor, and_(UnitAncestor.descendant_id == User.unit_id, UnitAncestor.ancestor_depth == level))
        .where(*counted_entries(contest, round_))
        .group_by(Attempt.user_id, UnitAncestor.ancestor_id)
    ).all()
    matrix = np.array(rows, dtype=np.int64) if rows else np.zeros((0, 4), dtype=np.int64)
    return pd.DataFrame({"user_id": matrix[:, 0], "unit_id": matrix[:, 1], "attempts": matrix[:, 2],
                         "best_correct": matrix[:, 3]})


def participants_by_unit(contest: Contest) -> dict[int, int]:
    """unit id → the distinct participants counted for the whole contest under the unit, at every level of the
    tree at once (the unit itself and everything below it); units nobody under took part in are absent. One
    query: each participant counted once, then totalled up the closure table."""
    people = (select(User.unit_id).join(Attempt, Attempt.user_id == User.id)
              .where(User.unit_id.is_not(None), *counted_entries(contest, None))
              .group_by(User.id, User.unit_id).subquery())
    rows = db.session.execute(
        select(UnitAncestor.ancestor_id, func.count())
        .join(people, people.c.unit_id == UnitAncestor.descendant_id)
        .group_by(UnitAncestor.ancestor_id))
    return dict(rows.tuples().all())


def _units(contest: Contest, level: int) -> pd.DataFrame:
    rows = db.session.execute(
        select(Unit.id, Unit.code, Unit.name, Unit.member_count)
        .where(Unit.depth == level, audience_units_sql(contest.id, Unit.id)).order_by(Unit.code)
    ).all()
    return pd.DataFrame({
        "unit_id": np.array([row.id for row in rows], dtype=np.int64),
        "code": np.array([row.code for row in rows], dtype=object),
        "name": np.array([row.name for row in rows], dtype=object),
        "member_count": np.array([row.member_count for row in rows], dtype=np.int64),
    })
