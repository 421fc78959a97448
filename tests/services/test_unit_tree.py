"""Changing the unit tree by hand (add, edit, move, merge): after each change the closure table and the depths are
exactly what a recomputation from the parent links gives; each refusal is named and writes nothing."""

from __future__ import annotations

import pytest
from sqlalchemy import delete, func, select

from quizapp.domain.banks import ImportLimits
from quizapp.domain.units import MAX_DEPTH, TreeChangeRefused
from quizapp.extensions import db
from quizapp.messages.units import describe_tree_problem
from quizapp.models import AuditEntry, CollectiveResult, RoundUnitFigure, Unit, UnitAncestor, User
from quizapp.models.contests import ContestAudienceUnit
from quizapp.models.types import utcnow
from quizapp.services.unit_tree import (
    add_unit,
    edit_unit,
    export_csv,
    export_xlsx,
    merge_units,
    move_unit,
    tree_rows,
    unit_by_code,
)
from quizapp.services.units import import_units, plan_units_import
from tests.services.test_attempts import statements
from tests.services.test_standings import add_units, make_contest, make_units, person


def closure() -> set[tuple[str, str, int]]:
    """(ancestor code, descendant code, ancestor depth) as stored."""
    ancestor, descendant = db.aliased(Unit), db.aliased(Unit)
    return set(db.session.execute(
        select(ancestor.code, descendant.code, UnitAncestor.ancestor_depth)
        .join(ancestor, ancestor.id == UnitAncestor.ancestor_id)
        .join(descendant, descendant.id == UnitAncestor.descendant_id)).tuples())


def recomputed() -> tuple[set[tuple[str, str, int]], dict[str, int]]:
    """The closure table and depths computed from the parent links alone (the reference)."""
    units = db.session.execute(select(Unit.id, Unit.code, Unit.parent_id)).all()
    parent = {row.id: row.parent_id for row in units}
    code = {row.id: row.code for row in units}
    rows, depths = set(), {}
    for unit_id in parent:
        chain, node = [], unit_id
        while node is not None:
            chain.append(node)
            node = parent[node]
        chain.reverse()
        depths[code[unit_id]] = len(chain)
        rows |= {(code[a], code[unit_id], depth) for depth, a in enumerate(chain, start=1)}
    return rows, depths


def assert_consistent() -> None:
    db.session.expire_all()
    rows, depths = recomputed()
    assert closure() == rows
    assert dict(db.session.execute(select(Unit.code, Unit.depth)).tuples().all()) == depths


def codes(refused: pytest.ExceptionInfo[TreeChangeRefused]) -> list[str]:
    return [problem.code for problem in refused.value.problems]


def test_add_edit_move_merge_keep_the_closure_table_exact(app):
    units = make_units()  # HN › HN-BD › HN-BD-CB1; HN › HN-HK; DN
    now = utcnow()
    add_unit(code="HN-BD-CB2", name="Chi bộ số 2", parent_code="HN-BD", member_count=12, actor=None, now=now)
    assert_consistent()
    assert edit_unit(units["HN-HK"], name="Phường Hoàn Kiếm mới", member_count=70, actor=None, now=now)
    assert not edit_unit(units["HN-HK"], name="Phường Hoàn Kiếm mới", member_count=70, actor=None, now=now)
    # HN-BD and its two cells move under DN: depths stay, ancestors change
    assert move_unit(unit_by_code("HN-BD"), parent_code="DN", actor=None, now=now) == 3
    assert_consistent()
    # one level deeper, then to the top
    assert move_unit(unit_by_code("HN-BD"), parent_code="HN-HK", actor=None, now=now) == 3
    assert_consistent()
    assert unit_by_code("HN-BD-CB2").depth == 4
    move_unit(unit_by_code("HN-BD"), parent_code="", actor=None, now=now)
    assert_consistent()
    assert unit_by_code("HN-BD-CB1").depth == 2
    # HN-BD merges into HN-HK: its cells and people follow, it is gone
    someone = person("An", unit_by_code("HN-BD"))
    result = merge_units(unit_by_code("HN-BD"), target_code="HN-HK", actor=None, now=now)
    assert (result.children, result.people) == (2, 1)
    assert_consistent()
    assert unit_by_code("HN-BD") is None
    assert db.session.get(User, someone.id).unit_id == unit_by_code("HN-HK").id
    assert unit_by_code("HN-HK").member_count == 70 + 100
    assert unit_by_code("HN-BD-CB1").depth == 3
    actions = db.session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)).all()
    assert actions == ["unit.create", "unit.edit", "unit.move", "unit.move", "unit.move", "unit.merge"]


def test_moves_and_merges_that_would_break_the_tree_are_refused_and_named(app):
    make_units()
    before = closure()
    now = utcnow()
    with pytest.raises(TreeChangeRefused) as refused:
        move_unit(unit_by_code("HN"), parent_code="HN-BD-CB1", actor=None, now=now)
    assert codes(refused) == ["move_under_descendant"]
    assert "HN-BD-CB1" in describe_tree_problem(refused.value.problems[0])
    with pytest.raises(TreeChangeRefused) as refused:
        move_unit(unit_by_code("HN"), parent_code="HN", actor=None, now=now)
    assert codes(refused) == ["move_under_itself"]
    with pytest.raises(TreeChangeRefused) as refused:
        move_unit(unit_by_code("HN"), parent_code="KHONG-CO", actor=None, now=now)
    assert codes(refused) == ["unknown_parent"] and refused.value.problems[0].field == "parent_code"
    with pytest.raises(TreeChangeRefused) as refused:
        merge_units(unit_by_code("HN"), target_code="HN-BD", actor=None, now=now)
    assert codes(refused) == ["merge_into_descendant"]
    with pytest.raises(TreeChangeRefused) as refused:
        merge_units(unit_by_code("DN"), target_code="DN", actor=None, now=now)
    assert codes(refused) == ["merge_into_itself"]
    assert closure() == before


def test_the_depth_cap_holds_for_the_whole_moved_subtree(app):
    chain = [(f"C{level}", f"Cấp {level}", f"C{level - 1}" if level > 1 else None, 1)
             for level in range(1, MAX_DEPTH + 1)]
    add_units([*chain, ("X1", "Nhánh 1", None, 1), ("X2", "Nhánh 2", "X1", 1)])
    before = closure()
    now = utcnow()
    with pytest.raises(TreeChangeRefused) as refused:
        move_unit(unit_by_code("X1"), parent_code=f"C{MAX_DEPTH - 1}", actor=None, now=now)
    assert codes(refused) == ["tree_too_deep"]
    assert f"cấp {MAX_DEPTH + 1}" in describe_tree_problem(refused.value.problems[0])
    with pytest.raises(TreeChangeRefused) as refused:
        add_unit(code="Y", name="Quá sâu", parent_code=f"C{MAX_DEPTH}", member_count=0, actor=None, now=now)
    assert codes(refused) == ["tree_too_deep"]
    assert closure() == before
    move_unit(unit_by_code("X1"), parent_code=f"C{MAX_DEPTH - 2}", actor=None, now=now)  # exactly at the cap
    assert_consistent()
    assert unit_by_code("X2").depth == MAX_DEPTH


def test_add_refuses_every_bad_field_at_once(app):
    make_units()
    with pytest.raises(TreeChangeRefused) as refused:
        add_unit(code="HN", name="=SUM(A1)", parent_code="ZZ", member_count=0, actor=None, now=utcnow())
    assert {(p.code, p.field) for p in refused.value.problems} == {
        ("code_taken", "code"), ("formula_text", "name"), ("unknown_parent", "parent_code")}
    with pytest.raises(TreeChangeRefused) as refused:
        add_unit(code="X" * 51, name="Tên\u200bẩn", parent_code="", member_count=0, actor=None, now=utcnow())
    assert {(p.code, p.field) for p in refused.value.problems} == {
        ("text_too_long", "code"), ("invisible_character", "name")}
    assert db.session.scalar(select(func.count()).select_from(Unit)) == 5


def test_merge_is_refused_while_frozen_results_or_an_audience_name_the_unit(app):
    units = make_units()
    contest = make_contest(title="Cuộc thi 2025")
    db.session.add(CollectiveResult(contest_id=contest.id, round_id=contest.rounds[0].id, level=2, rank=1,
                                    unit_id=units["HN-HK"].id, member_count=50, participants=3, attempts=3,
                                    participation_rate=0.06, average_score=5.0, computed_at=utcnow()))
    db.session.add(ContestAudienceUnit(contest_id=contest.id, unit_id=units["HN-HK"].id, position=1))
    db.session.commit()
    with pytest.raises(TreeChangeRefused) as refused:
        merge_units(units["HN-HK"], target_code="HN-BD", actor=None, now=utcnow())
    assert codes(refused) == ["merge_in_results", "merge_in_audience"]
    assert all("Cuộc thi 2025" in describe_tree_problem(p) for p in refused.value.problems)
    assert unit_by_code("HN-HK") is not None


def test_merge_adds_the_live_dashboard_counters_to_the_target(app):
    units = make_units()
    contest = make_contest()
    round_id = contest.rounds[0].id
    db.session.add_all([
        RoundUnitFigure(round_id=round_id, unit_id=units["HN-HK"].id, category="", entries=3, participants=2),
        RoundUnitFigure(round_id=round_id, unit_id=units["HN-HK"].id, category="sv", entries=1, participants=1),
        RoundUnitFigure(round_id=round_id, unit_id=units["HN-BD"].id, category="", entries=5, participants=4),
    ])
    db.session.commit()
    merge_units(units["HN-HK"], target_code="HN-BD", actor=None, now=utcnow())
    figures = db.session.execute(select(RoundUnitFigure.unit_id, RoundUnitFigure.category, RoundUnitFigure.entries,
                                        RoundUnitFigure.participants)).tuples().all()
    target = unit_by_code("HN-BD").id
    assert sorted(figures) == sorted([(target, "", 8, 6), (target, "sv", 1, 1)])


def test_the_export_imports_again_changing_nothing(app):
    make_units()
    add_unit(code="007", name="Đơn vị, có dấu phẩy \"và ngoặc\"", parent_code="DN", member_count=1200,
             actor=None, now=utcnow())
    rows = tree_rows()
    before = closure()
    for name, data in (("tree.csv", export_csv(rows)), ("tree.xlsx", export_xlsx(rows))):
        plan = plan_units_import(filename=name, data=data, limits=ImportLimits(), now=utcnow())
        assert (len(plan.added), len(plan.changed), plan.unchanged) == (0, 0, 6)
        result = import_units(filename=name, data=data, actor=None, now=utcnow(), limits=ImportLimits())
        assert (result.added, result.updated, result.unchanged) == (0, 0, 6)
        assert tree_rows() == rows and closure() == before


def test_the_import_preview_names_what_changes_and_writes_nothing(app):
    make_units()
    data = ("code,name,parent_code,member_count\nHN-HK,Phường Hoàn Kiếm,DN,50\nNEW,Đơn vị mới,HN,5\n"
            "HN,Thành phố Hà Nội,,1000\n").encode()
    before = closure()
    plan = plan_units_import(filename="u.csv", data=data, limits=ImportLimits(), now=utcnow())
    assert [unit.code for unit in plan.added] == ["NEW"]
    assert [(change.code, change.fields) for change in plan.changed] == [("HN-HK", {"parent_code": ("HN", "DN")})]
    assert plan.unchanged == 1
    assert closure() == before and unit_by_code("NEW") is None
    assert db.session.scalar(select(func.count()).select_from(AuditEntry)) == 0


def test_move_and_merge_cost_the_same_statements_for_a_small_or_a_large_subtree(app):
    """Set-based: no statement per unit moved (N+1)."""
    def costs(width: int, prefix: str) -> tuple[int, int]:
        layout = [(f"{prefix}A", "Gốc A", None, 1), (f"{prefix}B", "Gốc B", None, 1),
                  (f"{prefix}S", "Nguồn", f"{prefix}A", 1)]
        layout += [(f"{prefix}S{n}", f"Con {n}", f"{prefix}S", 1) for n in range(width)]
        layout += [(f"{prefix}S{n}x", f"Cháu {n}", f"{prefix}S{n}", 1) for n in range(width)]
        add_units(layout)
        with statements() as moving:
            move_unit(unit_by_code(f"{prefix}S"), parent_code=f"{prefix}B", actor=None, now=utcnow())
        for n in range(width):
            person(f"Người {n}", unit_by_code(f"{prefix}S"))
        with statements() as merging:
            merge_units(unit_by_code(f"{prefix}S"), target_code=f"{prefix}A", actor=None, now=utcnow())
        assert_consistent()
        return len(moving), len(merging)

    assert costs(2, "small") == costs(40, "large")


def test_two_crossed_moves_at_once_cannot_make_a_cycle(app):
    """X under Y and Y under X at the same instant: one is done, the other refused (PostgreSQL's tree lock; on
    SQLite one writer at a time)."""
    if db.engine.dialect.name != "postgresql":
        pytest.skip("the race needs concurrent writers (PostgreSQL)")
    import threading

    make_units()
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def run(code: str, parent_code: str) -> None:
        with app.app_context():
            try:
                barrier.wait(timeout=30)
                move_unit(unit_by_code(code), parent_code=parent_code, actor=None, now=utcnow())
                db.session.commit()
                outcomes.append("moved")
            except TreeChangeRefused as refused:
                db.session.rollback()
                outcomes.append(refused.problems[0].code)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=run, args=pair) for pair in (("HN-BD", "HN-HK"), ("HN-HK", "HN-BD"))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(outcomes) == ["move_under_descendant", "moved"]
    assert_consistent()


def test_a_unit_merged_away_meanwhile_is_refused_in_words(app):
    make_units()
    stale = unit_by_code("HN-HK")
    db.session.execute(delete(UnitAncestor).where(UnitAncestor.descendant_id == stale.id))
    db.session.execute(delete(Unit).where(Unit.id == stale.id).execution_options(synchronize_session=False))
    with pytest.raises(TreeChangeRefused) as refused:
        move_unit(stale, parent_code="DN", actor=None, now=utcnow())
    assert codes(refused) == ["unit_gone"] and "tải lại" in describe_tree_problem(refused.value.problems[0])
