"""Changing the unit tree by hand: add, edit, move, merge; and its export in the import layout.

Each change is one set of set-based writes in the caller's transaction (flushed, never committed) and one audit
entry. The closure table (``unit_ancestors``) and ``units.depth`` are kept equal to what ``rebuild_tree`` would
compute from the parent links, by moving whole subtrees with a handful of statements whatever their size.

A scoped organizer (``services.scopes``) changes only the units below their own top unit: they add units under
units in their subtree, and edit, move and merge only units below the top one, into places inside the subtree.
The top unit itself (its name, member count, place, and what is merged into it) belongs to the level above.

Merging a unit into another moves its child units and its people to the other and removes it. It is refused
while the unit is named by something that must stay as it was decided: a frozen collective result (a finalized
round's or a contest's ranking), a certificate issued to it, a contest's audience, or a unit officer's scope;
those are listed, and the organizer edits them first (an audience) or keeps the unit. People's own frozen results
(rank, score, prize) do not name a unit and stay as they are; the unit shown beside them is, as always, the one
they are in now. A live round's dashboard counters of the merged unit are added to the other's.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

import xlsxwriter
from sqlalchemy import and_, delete, exists, func, insert, literal, select, true, update
from sqlalchemy.exc import InvalidRequestError
from sqlalchemy.orm import aliased

from quizapp.domain.text import clean, fold
from quizapp.domain.units import (
    EXPORT_HEADER,
    MAX_DEPTH,
    TreeChangeRefused,
    TreeProblem,
    export_rows,
    unit_field_problems,
)
from quizapp.extensions import db
from quizapp.models import CollectiveResult, Contest, Unit, UnitAncestor, User
from quizapp.models.certificates import IssuedCertificate
from quizapp.models.contests import ContestAudienceUnit
from quizapp.models.summaries import RoundUnitFigure
from quizapp.services import audit
from quizapp.services.scopes import EVERYTHING, Scope, unit_clause

#: the key of the PostgreSQL advisory lock that serialises changes to the tree's shape
TREE_LOCK_KEY = 0x756E697473  # "units"


def lock_tree(*units: Unit) -> None:
    """Serialise changes to the tree's shape (adds, moves, merges, imports) for the rest of the transaction, then
    re-read ``units``: two organizers moving X under Y and Y under X at once cannot both pass the cycle check,
    and depths are those of the tree as it is now. PostgreSQL: an advisory transaction lock; SQLite writes one
    transaction at a time already. A unit removed meanwhile (merged by someone else) is refused as ``unit_gone``."""
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(select(func.pg_advisory_xact_lock(TREE_LOCK_KEY)))
    for unit in units:
        try:
            db.session.refresh(unit)
        except InvalidRequestError:
            raise TreeChangeRefused([TreeProblem("unit_gone")]) from None


def unit_by_code(code: str | None) -> Unit | None:
    code = clean(code)
    return db.session.scalar(select(Unit).where(Unit.code == code)) if code else None


def _parent(code: str | None, field: str = "parent_code") -> Unit | None:
    """The unit of a typed parent code: None for an empty code (a root); refused when no unit has it."""
    if not clean(code):
        return None
    parent = unit_by_code(code)
    if parent is None:
        raise TreeChangeRefused([TreeProblem("unknown_parent", field, {"parent_code": clean(code)})])
    return parent


def _top_code(scope: Scope) -> str:
    return db.session.scalar(select(Unit.code).where(Unit.id == scope.unit_id)) or ""


def _in_scope(scope: Scope, unit_id: int) -> bool:
    return scope.everything or bool(db.session.scalar(select(unit_clause(scope, unit_id))))


def _place_problem(scope: Scope, parent: Unit | None, field: str) -> TreeProblem | None:
    """Why a scoped organizer may not hang units under ``parent`` (None: as a root), or None when they may."""
    if scope.everything:
        return None
    if parent is None:
        return TreeProblem("scope_root", field, {"top": _top_code(scope)})
    if not _in_scope(scope, parent.id):
        return TreeProblem("outside_scope_parent", field, {"parent_code": parent.code, "top": _top_code(scope)})
    return None


def _refuse_unless_below_top(scope: Scope, unit: Unit) -> None:
    """A scoped organizer changes only units strictly below their top unit (``scope_top_unit``)."""
    if scope.everything:
        return
    if unit.id == scope.unit_id:
        raise TreeChangeRefused([TreeProblem("scope_top_unit", None, {"code": unit.code})])
    if not _in_scope(scope, unit.id):
        raise TreeChangeRefused([TreeProblem("outside_scope_unit", None, {"code": unit.code,
                                                                          "top": _top_code(scope)})])


def add_unit(*, code: str, name: str, parent_code: str | None, member_count: int, actor: User | None,
             now: datetime, scope: Scope = EVERYTHING) -> Unit:
    """A new unit under ``parent_code`` (empty: a new root), by the rules of an imported row; refused with every
    problem: code already used, unknown parent, too deep (``MAX_DEPTH``), the field rules of the import, and for
    a scoped organizer a parent outside their subtree (or none)."""
    code, name = clean(code), clean(name)
    lock_tree()
    problems = unit_field_problems(code=code, name=name)
    if code and unit_by_code(code) is not None:
        problems.append(TreeProblem("code_taken", "code", {"code": code}))
    try:
        parent = _parent(parent_code)
    except TreeChangeRefused as refused:
        problems += refused.problems
        parent = None
    else:
        outside = _place_problem(scope, parent, "parent_code")
        if outside is not None:
            problems.append(outside)
    depth = parent.depth + 1 if parent else 1
    if depth > MAX_DEPTH:
        problems.append(TreeProblem("tree_too_deep", "parent_code", {"value": code, "count": depth,
                                                                     "limit": MAX_DEPTH}))
    if problems:
        raise TreeChangeRefused(problems)
    unit = Unit(code=code, name=name, name_key=fold(name), member_count=member_count, depth=depth,
                parent_id=parent.id if parent else None, created_at=now)
    db.session.add(unit)
    db.session.flush()
    db.session.execute(insert(UnitAncestor).from_select(
        ["ancestor_id", "descendant_id", "ancestor_depth"],
        select(UnitAncestor.ancestor_id, literal(unit.id), UnitAncestor.ancestor_depth)
        .where(UnitAncestor.descendant_id == unit.parent_id)
        .union_all(select(literal(unit.id), literal(unit.id), literal(depth))),
    ))
    audit.record(actor=actor, action="unit.create", object_type="unit", object_id=unit.id, now=now,
                 details={"code": code, "name": name, "parent_code": parent.code if parent else None,
                          "member_count": member_count})
    return unit


def edit_unit(unit: Unit, *, name: str, member_count: int, actor: User | None, now: datetime,
              scope: Scope = EVERYTHING) -> bool:
    """Rename a unit and set its member count; False (and no audit entry) when nothing changed. A scoped
    organizer edits only units below their top unit."""
    _refuse_unless_below_top(scope, unit)
    name = clean(name)
    problems = unit_field_problems(code=None, name=name)
    if problems:
        raise TreeChangeRefused(problems)
    changes = [{"field": field, "old": old, "new": new} for field, old, new in
               (("name", unit.name, name), ("member_count", unit.member_count, member_count)) if old != new]
    if not changes:
        return False
    unit.name, unit.name_key, unit.member_count = name, fold(name), member_count
    db.session.flush()
    audit.record(actor=actor, action="unit.edit", object_type="unit", object_id=unit.id, now=now,
                 details={"code": unit.code, "changes": changes})
    return True


def move_unit(unit: Unit, *, parent_code: str | None, actor: User | None, now: datetime,
              scope: Scope = EVERYTHING) -> int:
    """Hang ``unit`` and everything below it under ``parent_code`` (empty: make it a root); the number of units
    moved. Refused under itself or one of its descendants, and when the subtree would pass ``MAX_DEPTH``; for a
    scoped organizer, for their top unit and for a new place outside their subtree."""
    lock_tree(unit)
    _refuse_unless_below_top(scope, unit)
    parent = _parent(parent_code)
    outside = _place_problem(scope, parent, "parent_code")
    if outside is not None:
        raise TreeChangeRefused([outside])
    old_parent = db.session.get(Unit, unit.parent_id) if unit.parent_id else None
    if parent is not None and _is_below(parent.id, unit.id):
        code = "move_under_itself" if parent.id == unit.id else "move_under_descendant"
        raise TreeChangeRefused([TreeProblem(code, "parent_code", {"code": unit.code, "parent_code": parent.code})])
    if (parent.id if parent else None) == unit.parent_id:
        return 0
    tops = select(literal(unit.id))
    delta = (parent.depth + 1 if parent else 1) - unit.depth
    moved = _graft(tops, parent, delta, subject=unit.code)
    unit_id = unit.id
    db.session.execute(update(Unit).where(Unit.id == unit_id).values(parent_id=parent.id if parent else None)
                       .execution_options(synchronize_session=False))
    db.session.expire_all()
    audit.record(actor=actor, action="unit.move", object_type="unit", object_id=unit_id, now=now,
                 details={"code": unit.code, "from": old_parent.code if old_parent else None,
                          "to": parent.code if parent else None, "units": moved})
    return moved


@dataclass(frozen=True)
class MergeResult:
    children: int
    people: int
    target: Unit


def merge_units(source: Unit, *, target_code: str | None, actor: User | None, now: datetime,
                scope: Scope = EVERYTHING) -> MergeResult:
    """Move ``source``'s child units and people to the unit ``target_code`` and remove ``source``; its member
    count is added to the target's. Refused (every reason named) into itself or one of its own descendants,
    past ``MAX_DEPTH``, and while frozen results, certificates, audiences or officers name ``source``. A scoped
    organizer merges only units below their top unit, into units below it too (merging into the top unit would
    change its member count, which the level above keeps)."""
    lock_tree(source)
    _refuse_unless_below_top(scope, source)
    target = _parent(target_code, "target_code")
    if target is None:
        raise TreeChangeRefused([TreeProblem("missing_target", "target_code")])
    if not scope.everything and target.id == scope.unit_id:
        raise TreeChangeRefused([TreeProblem("merge_into_scope_top", "target_code", {"target": target.code})])
    if not _in_scope(scope, target.id):
        raise TreeChangeRefused([TreeProblem("outside_scope_target", "target_code",
                                             {"target": target.code, "top": _top_code(scope)})])
    if _is_below(target.id, source.id):
        code = "merge_into_itself" if target.id == source.id else "merge_into_descendant"
        raise TreeChangeRefused([TreeProblem(code, "target_code", {"code": source.code, "target": target.code})])
    _refuse_if_named(source)
    source_id, target_id, source_code = source.id, target.id, source.code
    children = select(Unit.id).where(Unit.parent_id == source_id)
    child_count = db.session.scalar(select(func.count()).select_from(children.subquery())) or 0
    if child_count:
        _graft(children, target, target.depth - source.depth, subject=source_code)
    people = db.session.execute(update(User).where(User.unit_id == source_id).values(unit_id=target_id)
                                .execution_options(synchronize_session=False)).rowcount
    _merge_counters(source_id, target_id)
    db.session.execute(update(Unit).where(Unit.parent_id == source_id).values(parent_id=target_id)
                       .execution_options(synchronize_session=False))
    db.session.execute(update(Unit).where(Unit.id == target_id)
                       .values(member_count=Unit.member_count + source.member_count)
                       .execution_options(synchronize_session=False))
    details = {"code": source_code, "name": source.name, "target": target.code, "children": child_count,
               "people": people, "member_count": source.member_count}
    db.session.execute(delete(UnitAncestor).where(UnitAncestor.descendant_id == source_id))
    db.session.execute(delete(Unit).where(Unit.id == source_id).execution_options(synchronize_session=False))
    db.session.expire_all()
    audit.record(actor=actor, action="unit.merge", object_type="unit", object_id=target_id, now=now,
                 details=details)
    return MergeResult(children=child_count, people=people, target=db.session.get(Unit, target_id))


def _is_below(unit_id: int, top_id: int) -> bool:
    """Whether ``unit_id`` is ``top_id`` or under it (one lookup in the closure table)."""
    return db.session.scalar(select(exists().where(UnitAncestor.ancestor_id == top_id,
                                                   UnitAncestor.descendant_id == unit_id))) or False


def _graft(tops, parent: Unit | None, delta: int, *, subject: str) -> int:
    """Re-hang the subtrees whose roots ``tops`` selects under ``parent`` (None: as roots), ``delta`` levels
    lower: their links to their old ancestors go, links to ``parent``'s chain come, their depths shift. Refuses
    (``tree_too_deep``) before writing when the deepest of them would pass ``MAX_DEPTH``. The units moved."""
    moved = select(UnitAncestor.descendant_id).where(UnitAncestor.ancestor_id.in_(tops))
    count, deepest = db.session.execute(
        select(func.count(), func.max(Unit.depth)).where(Unit.id.in_(moved))).one()
    if deepest is not None and deepest + delta > MAX_DEPTH:
        raise TreeChangeRefused([TreeProblem("tree_too_deep", None, {"value": subject, "count": deepest + delta,
                                                                     "limit": MAX_DEPTH})])
    db.session.execute(delete(UnitAncestor).where(UnitAncestor.descendant_id.in_(moved),
                                                  UnitAncestor.ancestor_id.not_in(moved)))
    if delta:
        db.session.execute(update(UnitAncestor).where(UnitAncestor.ancestor_id.in_(moved))
                           .values(ancestor_depth=UnitAncestor.ancestor_depth + delta)
                           .execution_options(synchronize_session=False))
        db.session.execute(update(Unit).where(Unit.id.in_(moved)).values(depth=Unit.depth + delta)
                           .execution_options(synchronize_session=False))
    if parent is not None:
        above = aliased(UnitAncestor)
        below = aliased(UnitAncestor)
        db.session.execute(insert(UnitAncestor).from_select(
            ["ancestor_id", "descendant_id", "ancestor_depth"],
            select(above.ancestor_id, below.descendant_id, above.ancestor_depth)
            .join(below, true())
            .where(above.descendant_id == parent.id, below.ancestor_id.in_(tops)),
        ))
    return int(count)


def _refuse_if_named(source: Unit) -> None:
    """``merge_named`` for each thing that names ``source`` and must stay as decided (see the module)."""
    problems: list[TreeProblem] = []
    named = (
        ("merge_in_results", select(Contest.title).join(CollectiveResult, CollectiveResult.contest_id == Contest.id)
         .where(CollectiveResult.unit_id == source.id)),
        ("merge_in_certificates", select(Contest.title)
         .join(IssuedCertificate, IssuedCertificate.contest_id == Contest.id)
         .where(IssuedCertificate.unit_id == source.id)),
        ("merge_in_audience", select(Contest.title).join(ContestAudienceUnit,
                                                         ContestAudienceUnit.contest_id == Contest.id)
         .where(ContestAudienceUnit.unit_id == source.id)),
    )
    for code, query in named:
        titles = db.session.scalars(query.distinct().order_by(Contest.title)).all()
        if titles:
            problems.append(TreeProblem(code, None, {"code": source.code, "contests": "; ".join(titles)}))
    scope = getattr(User, "scope_unit_id", None)  # unit officers: a column of the officers' work (0011)
    if scope is not None:
        officers = db.session.scalars(select(User.email).where(scope == source.id).order_by(User.email)).all()
        if officers:
            problems.append(TreeProblem("merge_has_officers", None,
                                        {"code": source.code, "officers": ", ".join(map(str, officers))}))
    if problems:
        raise TreeChangeRefused(problems)


def _merge_counters(source_id: int, target_id: int) -> None:
    """Add the dashboard's counters of ``source_id`` to ``target_id``'s (round and category alike), so a live
    round's figures keep counting the people who moved; three statements."""
    mine = aliased(RoundUnitFigure)
    same = and_(mine.unit_id == source_id, mine.round_id == RoundUnitFigure.round_id,
                mine.category == RoundUnitFigure.category)
    db.session.execute(update(RoundUnitFigure)
                       .where(RoundUnitFigure.unit_id == target_id, exists().where(same))
                       .values(entries=RoundUnitFigure.entries + select(mine.entries).where(same).scalar_subquery(),
                               participants=RoundUnitFigure.participants
                               + select(mine.participants).where(same).scalar_subquery())
                       .execution_options(synchronize_session=False))
    theirs = aliased(RoundUnitFigure)
    db.session.execute(update(RoundUnitFigure)
                       .where(RoundUnitFigure.unit_id == source_id,
                              ~exists().where(theirs.unit_id == target_id, theirs.round_id == RoundUnitFigure.round_id,
                                              theirs.category == RoundUnitFigure.category))
                       .values(unit_id=target_id).execution_options(synchronize_session=False))
    db.session.execute(delete(RoundUnitFigure).where(RoundUnitFigure.unit_id == source_id)
                       .execution_options(synchronize_session=False))


def tree_rows(scope: Scope = EVERYTHING) -> list[tuple[str, str, str | None, int]]:
    """Every unit of ``scope`` as (code, name, parent code, member count), parents first (by depth, then code):
    one query. A subtree's top row keeps its parent's code, so the file imports again unchanged (by the scoped
    organizer too: an unchanged top row is accepted) and never turns the top unit into a root."""
    parent = aliased(Unit)
    return [tuple(row) for row in db.session.execute(
        select(Unit.code, Unit.name, parent.code, Unit.member_count)
        .outerjoin(parent, parent.id == Unit.parent_id).where(unit_clause(scope, Unit.id))
        .order_by(Unit.depth, Unit.code))]


def export_csv(rows: Iterable[tuple[str, str, str | None, int]]) -> bytes:
    """The tree as UTF-8 CSV with a BOM (Excel reads the diacritics right), in the import layout."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(EXPORT_HEADER)
    writer.writerows(export_rows(rows))
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def export_xlsx(rows: Iterable[tuple[str, str, str | None, int]]) -> bytes:
    """The tree as .xlsx in the import layout; codes as text (a code "007" stays "007"), counts as numbers."""
    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_formulas": False,
                                            "strings_to_numbers": False, "strings_to_urls": False})
    sheet = workbook.add_worksheet("Đơn vị")
    bold = workbook.add_format({"bold": True, "bg_color": "#E8EEF7", "border": 1})
    sheet.write_row(0, 0, EXPORT_HEADER, bold)
    for index, (code, name, parent_code, count) in enumerate(export_rows(rows), start=1):
        sheet.write_string(index, 0, code)
        sheet.write_string(index, 1, name)
        if parent_code:
            sheet.write_string(index, 2, parent_code)
        sheet.write_number(index, 3, int(count))
    sheet.freeze_panes(1, 0)
    sheet.set_column(0, 0, 16)
    sheet.set_column(1, 1, 48)
    sheet.set_column(2, 2, 16)
    sheet.set_column(3, 3, 14)
    workbook.close()
    return buffer.getvalue()
