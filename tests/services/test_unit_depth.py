"""The unit import refuses a tree deeper than MAX_DEPTH, from the file alone or with the stored units, all or
nothing; a refused 3,000-level file costs neither memory nor time."""

from __future__ import annotations

import time
import tracemalloc

import pytest
from sqlalchemy import func, select

from quizapp.domain.banks import BankFileError, ImportLimits
from quizapp.domain.units import MAX_DEPTH
from quizapp.extensions import db
from quizapp.messages.files import describe
from quizapp.models import Unit, UnitAncestor
from quizapp.models.types import utcnow
from quizapp.services.units import import_units


def chain_csv(levels: int, prefix: str, *, first_parent: str = "") -> bytes:
    lines = ["Mã,Tên đơn vị,Mã cấp trên,Số thành viên"]
    for level in range(1, levels + 1):
        parent = f"{prefix}{level - 1}" if level > 1 else first_parent
        lines.append(f"{prefix}{level},Đơn vị {prefix} cấp {level},{parent},1")
    return ("\n".join(lines) + "\n").encode()


def load(data: bytes):
    return import_units(filename="units.csv", data=data, actor=None, now=utcnow(), limits=ImportLimits())


def stored() -> tuple[int, int]:
    return (db.session.scalar(select(func.count()).select_from(Unit)),
            db.session.scalar(select(func.count()).select_from(UnitAncestor)))


def test_a_3000_level_file_is_refused_quickly_and_nothing_is_saved(app):
    tracemalloc.start()
    started = time.perf_counter()
    with pytest.raises(BankFileError) as refused:
        load(chain_csv(3000, "C"))
    elapsed = time.perf_counter() - started
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    db.session.rollback()
    (problem,) = refused.value.problems
    assert problem.code == "tree_too_deep" and problem.line == MAX_DEPTH + 2
    assert "C21" in describe(problem)
    assert stored() == (0, 0)
    assert elapsed < 5 and peak < 50 * 1024 * 1024


def test_a_file_that_hangs_stored_units_too_low_is_refused_all_or_nothing(app):
    load(chain_csv(12, "S"))  # stored: S1 (root) ... S12
    db.session.commit()
    before = stored()
    # the file puts the stored root S1 under a new chain of 10 levels: S12 would be at level 22
    moving = chain_csv(10, "N").decode() + "S1,Đơn vị S cấp 1,N10,1\n"
    with pytest.raises(BankFileError) as refused:
        load(moving.encode())
    db.session.rollback()
    (problem,) = refused.value.problems
    assert problem.code == "tree_too_deep" and problem.data["value"] == "S11"  # level 21: the first too deep
    assert stored() == before
    assert db.session.scalar(select(Unit.parent_id).where(Unit.code == "S1")) is None


def test_a_tree_of_the_maximum_depth_is_imported(app):
    result = load(chain_csv(MAX_DEPTH, "M"))
    db.session.commit()
    assert result.added == MAX_DEPTH
    assert stored() == (MAX_DEPTH, MAX_DEPTH * (MAX_DEPTH + 1) // 2)
    assert db.session.scalar(select(func.max(Unit.depth))) == MAX_DEPTH
