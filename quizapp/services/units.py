"""The unit tree: import from a file, search, the closure table behind collective rankings, and the figures of
the organizer's tree page (registrations and participation totalled up the tree).

The console's functions take the account's ``scope`` (``services.scopes``): a scoped organizer's tree, search,
figures and import stay within their subtree (an import row outside it is refused with its row, nothing saved)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from itertools import islice

from sqlalchemy import case, delete, func, insert, or_, select, update
from sqlalchemy.orm import aliased

from quizapp.domain.banks import BankFileError, ImportLimits, Problem
from quizapp.domain.text import escape_like, fold
from quizapp.domain.units import MAX_DEPTH, ParsedUnit, parse_units
from quizapp.extensions import db
from quizapp.models import Contest, Role, Unit, UnitAncestor, User
from quizapp.services import audit
from quizapp.services.collectives import participants_by_unit
from quizapp.services.scopes import EVERYTHING, Scope, contest_clause, unit_clause
from quizapp.services.unit_tree import lock_tree

_BATCH = 10_000  # ancestor rows per INSERT: memory stays flat whatever the size of the tree


@dataclass(frozen=True)
class UnitImportResult:
    """What an import did: units added, units whose name, parent or member count changed, units the file
    repeated as they were; ``total`` units stored after it."""

    added: int
    updated: int
    total: int
    unchanged: int = 0


@dataclass(frozen=True)
class UnitChange:
    """A stored unit the file changes: its code and, per field changed, (old, new)."""

    code: str
    name: str
    fields: dict[str, tuple[object, object]]


@dataclass(frozen=True)
class UnitImportPlan:
    """What importing a file would do, found by importing it and undoing that (so every refusal is the
    import's own): the units it adds, the stored units it changes, how many it repeats unchanged."""

    added: list[ParsedUnit]
    changed: list[UnitChange]
    unchanged: int


@dataclass(frozen=True)
class ScopeRow:
    """A row of a scoped organizer's import that would land outside their subtree: ``reason`` is
    ``outside_unit`` (the row's code is a unit outside it), ``outside_parent`` (its parent is), ``root`` (no
    parent) or ``top_unit`` (it changes their own top unit, which the level above keeps)."""

    line: int
    code: str
    reason: str
    parent_code: str | None = None


class ImportOutsideScope(Exception):
    """Rows of an import that would land outside the importer's subtree (every one, in row order); nothing is
    written. ``top`` is the code of the subtree's top unit."""

    def __init__(self, rows: list[ScopeRow], top: str) -> None:
        super().__init__([row.line for row in rows])
        self.rows = rows
        self.top = top


def plan_units_import(*, filename: str, data: bytes, limits: ImportLimits, now: datetime,
                      scope: Scope = EVERYTHING) -> UnitImportPlan:
    """The preview of ``import_units`` for the same file: nothing stays written. Raises its errors."""
    parent = aliased(Unit)
    stored = {row.code: row for row in db.session.execute(
        select(Unit.code, Unit.name, Unit.member_count, parent.code.label("parent_code"))
        .outerjoin(parent, parent.id == Unit.parent_id))}
    savepoint = db.session.begin_nested()
    try:
        import_units(filename=filename, data=data, actor=None, now=now, limits=limits, scope=scope)
    finally:
        savepoint.rollback()
    parsed = parse_units(filename, data, limits=limits, known_codes=set(stored))
    added, changed = [], []
    for item in parsed:
        old = stored.get(item.code)
        if old is None:
            added.append(item)
            continue
        fields = {field: (before, after) for field, before, after in (
            ("name", old.name, item.name), ("parent_code", old.parent_code, item.parent_code),
            ("member_count", old.member_count, item.member_count)) if before != after}
        if fields:
            changed.append(UnitChange(code=item.code, name=item.name, fields=fields))
    return UnitImportPlan(added=added, changed=changed, unchanged=len(parsed) - len(added) - len(changed))


def import_units(*, filename: str, data: bytes, actor: User | None, now: datetime,
                 limits: ImportLimits, scope: Scope = EVERYTHING) -> UnitImportResult:
    """Add new units and update existing ones (matched by code) from a file: all of it, or nothing.

    A parent may be in the file or already stored. Raises the parser's error with every problem found, and
    ``tree_too_deep`` when the file hangs stored units so low that the tree passes ``MAX_DEPTH`` levels. For a
    scoped organizer every row must land inside their subtree (``_refuse_outside_scope``), else ``ImportOutsideScope``.
    """
    lock_tree()
    parent = aliased(Unit)
    stored = db.session.execute(select(Unit.code, Unit.id, Unit.depth, Unit.name, Unit.member_count,
                                       parent.code.label("parent_code"))
                                .outerjoin(parent, parent.id == Unit.parent_id)).all()
    id_of = {row.code: row.id for row in stored}
    as_stored = {row.code: (row.name, row.parent_code, row.member_count) for row in stored}
    parsed = parse_units(filename, data, limits=limits, known_codes=set(id_of),
                         known_depths={row.code: row.depth for row in stored})
    if not scope.everything:
        _refuse_outside_scope(parsed, as_stored, scope)
    new = [item for item in parsed if item.code not in id_of]
    if new:
        ids = db.session.scalars(
            insert(Unit).returning(Unit.id, sort_by_parameter_order=True),
            [{"code": item.code, "name": item.name, "name_key": fold(item.name), "member_count": item.member_count,
              "depth": 1, "created_at": now} for item in new],
        ).all()
        id_of.update(zip((item.code for item in new), ids, strict=True))
    changed = [item for item in parsed
               if as_stored.get(item.code) != (item.name, item.parent_code, item.member_count)]
    if changed:
        db.session.execute(update(Unit), [
            {"id": id_of[item.code], "name": item.name, "name_key": fold(item.name),
             "member_count": item.member_count,
             "parent_id": id_of[item.parent_code] if item.parent_code else None}
            for item in changed
        ])
    added = len(new)
    updated = len(changed) - added
    if changed:
        rebuild_tree()
    audit.record(actor=actor, action="units.import", object_type="unit", object_id=None, now=now,
                 details={"filename": filename, "added": added, "updated": updated})
    return UnitImportResult(added=added, updated=updated, total=len(id_of),
                            unchanged=len(parsed) - len(changed))


def _refuse_outside_scope(parsed: list[ParsedUnit], as_stored: dict[str, tuple], scope: Scope) -> None:
    """Every row of a scoped organizer's file lands inside their subtree: its code is new or a unit below their
    top unit, and its parent is a unit of the subtree or another row of the file (checked the same way). Their
    top unit may be repeated unchanged (an export of the subtree imports again), not changed."""
    inside = set(db.session.scalars(select(Unit.code).where(unit_clause(scope, Unit.id))))
    top = db.session.scalar(select(Unit.code).where(Unit.id == scope.unit_id)) or ""
    in_file = {item.code for item in parsed}
    refused: list[ScopeRow] = []
    for item in parsed:
        if item.code == top:
            if as_stored[top] != (item.name, item.parent_code, item.member_count):
                refused.append(ScopeRow(item.line, item.code, "top_unit"))
        elif item.code in as_stored and item.code not in inside:
            refused.append(ScopeRow(item.line, item.code, "outside_unit"))
        elif item.parent_code is None:
            refused.append(ScopeRow(item.line, item.code, "root"))
        elif item.parent_code not in inside and item.parent_code not in in_file:
            refused.append(ScopeRow(item.line, item.code, "outside_parent", item.parent_code))
    if refused:
        raise ImportOutsideScope(sorted(refused, key=lambda row: row.line), top)


def rebuild_tree() -> None:
    """Recompute every unit's depth and the ancestor closure table from parent links (a few set-based writes).

    Refuses (``parent_cycle``) a tree whose stored links now loop, e.g. a file that moved a unit under one of
    its own descendants already stored, and (``tree_too_deep``) one deeper than ``MAX_DEPTH`` levels, before
    anything that grows with the depth is built. The ancestor rows are written in batches.
    """
    rows = db.session.execute(select(Unit.id, Unit.parent_id, Unit.code)).all()
    parent_of = {row.id: row.parent_id for row in rows}
    code_of = {row.id: row.code for row in rows}
    chains: dict[int, list[int]] = {}
    for start in parent_of:
        path: list[int] = []
        node: int | None = start
        while node is not None and node not in chains:
            if node in path:
                cycle = " → ".join(code_of[unit] for unit in path[path.index(node):] + [node])
                raise BankFileError([Problem("parent_cycle", data={"cycle": cycle})])
            path.append(node)
            node = parent_of[node]
        prefix = chains[node] if node is not None else []
        if len(prefix) + len(path) > MAX_DEPTH:
            too_deep = path[len(path) - (MAX_DEPTH - len(prefix)) - 1]  # the first unit below the limit
            raise BankFileError([Problem("tree_too_deep", data={
                "value": code_of[too_deep], "count": MAX_DEPTH + 1, "limit": MAX_DEPTH})])
        for unit in reversed(path):
            prefix = prefix + [unit]
            chains[unit] = prefix
    db.session.execute(delete(UnitAncestor))
    closure = (
        {"ancestor_id": ancestor, "descendant_id": unit_id, "ancestor_depth": depth}
        for unit_id, path in chains.items()
        for depth, ancestor in enumerate(path, start=1)
    )
    while batch := list(islice(closure, _BATCH)):
        db.session.execute(insert(UnitAncestor), batch)
    depths = [{"id": unit_id, "depth": len(path)} for unit_id, path in chains.items()]
    if depths:
        db.session.execute(update(Unit), depths)


def search_units(query: str, *, limit: int = 20, scope: Scope = EVERYTHING) -> list[Unit]:
    """Units of ``scope`` whose code or name matches ``query``, accent-insensitive ("ha noi" finds "Hà Nội")."""
    needle = escape_like(fold(query))
    if not needle:
        return []
    return list(db.session.scalars(
        select(Unit).where(or_(Unit.name_key.like(f"%{needle}%", escape="\\"),
                               Unit.code.ilike(f"{escape_like(query.strip())}%", escape="\\")),
                           unit_clause(scope, Unit.id))
        .order_by(Unit.depth, Unit.name_key).limit(limit)
    ))


def unit_paths(unit_ids: list[int], separator: str = " › ") -> dict[int, str]:
    """unit id → "Root › … › Unit" names, for all ``unit_ids`` in one query over the closure table."""
    if not unit_ids:
        return {}
    rows = db.session.execute(
        select(UnitAncestor.descendant_id, Unit.name)
        .join(Unit, Unit.id == UnitAncestor.ancestor_id)
        .where(UnitAncestor.descendant_id.in_(unit_ids))
        .order_by(UnitAncestor.descendant_id, UnitAncestor.ancestor_depth)
    ).all()
    paths: dict[int, list[str]] = {}
    for descendant_id, name in rows:
        paths.setdefault(descendant_id, []).append(name)
    return {unit_id: separator.join(names) for unit_id, names in paths.items()}


@dataclass(frozen=True)
class UnitFigures:
    """A unit of the tree page: the participants registered in it (``registered_here``) and in it or anywhere
    below it (``registered``), and, for a contest, the distinct people under it who took part (rule 8's count)."""

    unit: Unit
    registered_here: int
    registered: int
    participants: int | None

    @property
    def participation_rate(self) -> float | None:
        """Participants / member count, rule 8's participation rate (not capped: an out-of-date member count
        shows); None without a contest or without a declared member count."""
        if self.participants is None or not self.unit.member_count:
            return None
        return self.participants / self.unit.member_count


def tree_figures(contest: Contest | None, scope: Scope = EVERYTHING) -> list[UnitFigures]:
    """Every unit of ``scope`` in tree order (depth-first by code) with its registrations and, for ``contest``,
    its participants, totalled up the tree (a subtree's figures count only the people in it). Registrations
    count participants' accounts that are not hidden (test accounts). Three queries whatever the size of the
    tree: the units, the registrations totalled over the closure table, and the participants
    (``quizapp.services.collectives.participants_by_unit``)."""
    here = func.sum(case((UnitAncestor.descendant_id == UnitAncestor.ancestor_id, 1), else_=0))
    registered = {unit_id: (int(own), int(total)) for unit_id, own, total in db.session.execute(
        select(UnitAncestor.ancestor_id, here, func.count())
        .join(User, User.unit_id == UnitAncestor.descendant_id)
        .where(User.role == Role.PARTICIPANT, User.hidden.is_(False), unit_clause(scope, UnitAncestor.ancestor_id))
        .group_by(UnitAncestor.ancestor_id))}
    took_part = participants_by_unit(contest) if contest is not None else None
    units = db.session.scalars(select(Unit).where(unit_clause(scope, Unit.id))).all()
    ids = {unit.id for unit in units}
    children: dict[int | None, list[Unit]] = {}
    for unit in units:
        children.setdefault(unit.parent_id if unit.parent_id in ids else None, []).append(unit)
    ordered: list[UnitFigures] = []
    stack = sorted(children.get(None, []), key=lambda u: u.code, reverse=True)
    while stack:
        unit = stack.pop()
        own, total = registered.get(unit.id, (0, 0))
        ordered.append(UnitFigures(unit=unit, registered_here=own, registered=total,
                                   participants=None if took_part is None else took_part.get(unit.id, 0)))
        stack.extend(sorted(children.get(unit.id, []), key=lambda u: u.code, reverse=True))
    return ordered


def figure_contests(scope: Scope = EVERYTHING) -> list[tuple[int, str]]:
    """(id, title) of the contests whose participation the tree page can show, newest first: those in ``scope``
    (``scopes.contest_clause``: for a scoped organizer, a contest of the whole tree or reaching beyond their
    subtree belongs to the level above and is not offered)."""
    statement = select(Contest.id, Contest.title).where(contest_clause(scope, Contest.id)).order_by(Contest.id.desc())
    return [(row.id, row.title) for row in db.session.execute(statement)]


def ancestor_ids(unit_id: int) -> set[int]:
    """The ids of ``unit_id`` and every unit above it (one query over the closure table)."""
    return set(db.session.scalars(select(UnitAncestor.ancestor_id).where(UnitAncestor.descendant_id == unit_id)))
