"""What a staff account may see and change: the one place where scopes are decided.

An organizer, a judge or a unit officer may be scoped to a unit (``User.scope_unit_id``); they then see and act
only within that unit's subtree. Admins, and organizers and judges without a scope, see everything. The rules,
written once here and applied by every listing (the ``*_clause`` functions) and every page about one thing
(:func:`refuse_outside`, run before the view by the staff blueprints):

- a unit is in scope when it is the scope unit or below it;
- a participant (and an erasure request of theirs) is in scope when their unit is;
- a contest is in scope when it has an audience and every audience unit is in scope: a contest for the whole tree,
  or one reaching beyond the subtree, belongs to the level above (a unit officer still reports on their people's
  results in it, ``services.unit_reports``). Its rounds, notices, letterhead and certificates follow it;
- a bank is in scope when its owning unit (``Bank.scope_unit_id``) is in scope. A shared bank (no owner) can be
  read and drawn from by every organizer, but only unscoped staff change it; a question follows its bank.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, and_, exists, func, not_, or_, select, true

from quizapp.extensions import db
from quizapp.models import Role, User
from quizapp.models.banks import Bank, Question
from quizapp.models.contests import Contest, ContestAudienceUnit, Round
from quizapp.models.personal_data import ErasureRequest
from quizapp.models.units import Unit, UnitAncestor


@dataclass(frozen=True, slots=True)
class Scope:
    """The subtree a staff account works in: ``unit_id`` is its top unit; None means everything."""

    unit_id: int | None

    @property
    def everything(self) -> bool:
        return self.unit_id is None


EVERYTHING = Scope(None)


class ScopeError(Exception):
    """``outside_scope``: the thing asked for (``kind``: contest, round, bank, question, unit, participant,
    erasure_request) is not within the account's subtree; ``read_only``: a shared bank that only unscoped staff
    change."""

    def __init__(self, code: str, kind: str) -> None:
        super().__init__(code, kind)
        self.code = code
        self.kind = kind


def scope_of(user: User) -> Scope:
    """The scope of a signed-in account: an admin's is everything whatever the column says."""
    if user.role is Role.ADMIN:
        return EVERYTHING
    return Scope(user.scope_unit_id)


def _subtree(scope: Scope):
    return select(UnitAncestor.descendant_id).where(UnitAncestor.ancestor_id == scope.unit_id)


def unit_clause(scope: Scope, unit_id: Any) -> ColumnElement[bool]:
    """``unit_id`` (a column or a value) is in scope. A NULL unit is in no subtree."""
    if scope.everything:
        return true()
    return unit_id.in_(_subtree(scope)) if hasattr(unit_id, "in_") else exists().where(
        UnitAncestor.ancestor_id == scope.unit_id, UnitAncestor.descendant_id == unit_id)


def participant_clause(scope: Scope, user_unit_id: Any = User.unit_id) -> ColumnElement[bool]:
    """A participant (given by the column of their unit) is in scope."""
    return unit_clause(scope, user_unit_id)


def contest_clause(scope: Scope, contest_id: Any = Contest.id) -> ColumnElement[bool]:
    """The contest ``contest_id`` (a column or a value) has an audience, all of it inside the scope."""
    if scope.everything:
        return true()
    has_audience = exists().where(ContestAudienceUnit.contest_id == contest_id)
    reaches_outside = exists().where(ContestAudienceUnit.contest_id == contest_id,
                                     ContestAudienceUnit.unit_id.not_in(_subtree(scope)))
    return and_(has_audience, not_(reaches_outside))


def reaches_clause(scope: Scope, contest_id: Any = Contest.id) -> ColumnElement[bool]:
    """The contest ``contest_id`` may be taken by people of the scope: its audience is the whole tree, or one of
    its units is the scope unit, above it or below it. What a unit reports on (its people's results in contests of
    any level, ``services.unit_reports``); a contest for another district only is none of its business."""
    if scope.everything:
        return true()
    above = select(UnitAncestor.ancestor_id).where(UnitAncestor.descendant_id == scope.unit_id)
    whole_tree = not_(exists().where(ContestAudienceUnit.contest_id == contest_id))
    audience_unit = ContestAudienceUnit.unit_id
    overlaps = exists().where(ContestAudienceUnit.contest_id == contest_id,
                              or_(audience_unit.in_(above), audience_unit.in_(_subtree(scope))))
    return or_(whole_tree, overlaps)


def bank_clause(scope: Scope, bank_scope_unit_id: Any = Bank.scope_unit_id, *,
                writing: bool = False) -> ColumnElement[bool]:
    """A bank (given by the column of its owning unit) may be read (shared banks too) or, ``writing``, changed."""
    if scope.everything:
        return true()
    owned = bank_scope_unit_id.in_(_subtree(scope))
    return owned if writing else or_(bank_scope_unit_id.is_(None), owned)


def unit_in_scope(scope: Scope, unit_id: int | None) -> bool:
    if scope.everything:
        return True
    if unit_id is None:
        return False
    return bool(db.session.scalar(select(unit_clause(scope, unit_id))))


def contest_in_scope(scope: Scope, contest_id: int) -> bool:
    if scope.everything:
        return True
    return bool(db.session.scalar(select(contest_clause(scope, contest_id))))


def audience_in_scope(scope: Scope, unit_ids: list[int]) -> bool:
    """Whether a contest whose audience is ``unit_ids`` (empty: the whole tree) would be in scope."""
    if scope.everything:
        return True
    if not unit_ids:
        return False
    inside = db.session.scalar(select(func.count()).select_from(UnitAncestor).where(
        UnitAncestor.ancestor_id == scope.unit_id, UnitAncestor.descendant_id.in_(unit_ids)))
    return inside == len(set(unit_ids))


def scope_unit(scope: Scope) -> Unit | None:
    """The scope's top unit (None for everything)."""
    return None if scope.everything else db.session.get(Unit, scope.unit_id)


# --- one thing named in a URL ------------------------------------------------------------------------------------

def _contest_of_round(round_id: Any):
    return select(Round.contest_id).where(Round.id == round_id).scalar_subquery()


def _bank_owner(bank_id: Any):
    return select(Bank.scope_unit_id).where(Bank.id == bank_id).scalar_subquery()


def _question_bank_owner(question_id: Any):
    return (select(Bank.scope_unit_id).join(Question, Question.bank_id == Bank.id)
            .where(Question.id == question_id).scalar_subquery())


def _participant_unit(user_id: Any):
    return select(User.unit_id).where(User.id == user_id).scalar_subquery()


def _requester_unit(request_id: Any):
    return (select(User.unit_id).join(ErasureRequest, ErasureRequest.user_id == User.id)
            .where(ErasureRequest.id == request_id).scalar_subquery())


def _checks(scope: Scope, writing: bool) -> dict[str, Any]:
    """For each name a staff URL uses for one thing, the condition that it is in scope."""
    subtree = _subtree(scope)

    def bank(owner) -> ColumnElement[bool]:
        owned = owner.in_(subtree)
        return owned if writing else or_(owner.is_(None), owned)

    return {
        "contest_id": lambda value: contest_clause(scope, value),
        "round_id": lambda value: contest_clause(scope, _contest_of_round(value)),
        "bank_id": lambda value: bank(_bank_owner(value)),
        "question_id": lambda value: bank(_question_bank_owner(value)),
        "unit_id": lambda value: unit_clause(scope, value),
        "user_id": lambda value: _participant_unit(value).in_(subtree),
        "request_id": lambda value: _requester_unit(value).in_(subtree),
    }


#: The URL arguments :func:`refuse_outside` knows; a staff route naming something else must add it here.
CHECKED_VIEW_ARGS = frozenset({"contest_id", "round_id", "bank_id", "question_id", "unit_id", "user_id",
                               "request_id"})


def refuse_outside(scope: Scope, view_args: Mapping[str, Any] | None, *, writing: bool) -> None:
    """Raise :class:`ScopeError` unless everything the URL names (``view_args``) is in ``scope``: one query for
    all of them. Things that do not exist pass here (the view answers 404 as before). ``writing`` (a POST)
    refuses shared banks and their questions, which scoped staff may only read."""
    if scope.everything or not view_args:
        return
    checks = _checks(scope, writing)
    named = [(name, value) for name, value in view_args.items() if name in checks]
    if not named:
        return
    conditions = [checks[name](value) for name, value in named]
    answers = db.session.execute(select(*[c.label(f"c{i}") for i, c in enumerate(conditions)])).one()
    for (name, value), allowed in zip(named, answers, strict=True):
        if not allowed and _exists(name, value):
            kind = name.removesuffix("_id")
            if kind in ("bank", "question") and writing and _readable_shared(name, value):
                raise ScopeError("read_only", kind)
            raise ScopeError("outside_scope", kind)


_TABLES = {"contest_id": Contest.id, "round_id": Round.id, "bank_id": Bank.id, "question_id": Question.id,
           "unit_id": Unit.id, "user_id": User.id, "request_id": ErasureRequest.id}


def _exists(name: str, value: Any) -> bool:
    column = _TABLES[name]
    return db.session.scalar(select(exists().where(column == value)))


def _readable_shared(name: str, value: Any) -> bool:
    owner = _bank_owner(value) if name == "bank_id" else _question_bank_owner(value)
    return bool(db.session.scalar(select(owner.is_(None))))


__all__ = ["EVERYTHING", "CHECKED_VIEW_ARGS", "Scope", "ScopeError", "audience_in_scope", "bank_clause",
           "contest_clause", "contest_in_scope", "participant_clause", "reaches_clause", "refuse_outside", "scope_of",
           "scope_unit", "unit_clause", "unit_in_scope"]
