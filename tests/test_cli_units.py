"""`quizapp units export -o FILE`: the tree in the import layout, which `quizapp units import` takes back with
nothing changed."""

from __future__ import annotations

import openpyxl
import pytest
from sqlalchemy import select

from quizapp.extensions import db
from quizapp.models import Unit, UnitAncestor

UNITS = ("Mã,Tên đơn vị,Mã cấp trên,Số thành viên\nHN,Hà Nội,,\"1.000\"\nBD,\"Ba Đình, Hà Nội\",HN,200\n"
         "CB1,Chi bộ 1,BD,30\n007,Đơn vị mã số,,0\n")


@pytest.fixture
def cli(app):
    return app.test_cli_runner()


def tree() -> list[tuple]:
    db.session.expire_all()
    return sorted(db.session.execute(select(Unit.code, Unit.name, Unit.parent_id, Unit.depth, Unit.member_count))
                  .tuples())


def closure() -> set[tuple]:
    return set(db.session.execute(select(UnitAncestor.ancestor_id, UnitAncestor.descendant_id,
                                         UnitAncestor.ancestor_depth)).tuples())


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_export_imports_again_unchanged(cli, tmp_path, suffix):
    source = tmp_path / "u.csv"
    source.write_text(UNITS, encoding="utf-8")
    assert cli.invoke(args=["units", "import", str(source)]).exit_code == 0
    before, links = tree(), closure()
    output = tmp_path / f"tree{suffix}"
    result = cli.invoke(args=["units", "export", "-o", str(output)])
    assert result.exit_code == 0, result.output
    assert result.stdout == f"4 đơn vị: đã xuất ra {output}\n"
    if suffix == ".xlsx":
        sheet = openpyxl.load_workbook(output).active
        assert [cell.value for cell in sheet[1]] == ["code", "name", "parent_code", "member_count"]
        assert [cell.value for cell in sheet[2]] == ["007", "Đơn vị mã số", None, 0]  # "007" stays text
    else:
        assert output.read_text(encoding="utf-8-sig").splitlines()[:2] == [
            "code,name,parent_code,member_count", "007,Đơn vị mã số,,0"]
    again = cli.invoke(args=["units", "import", str(output)])
    assert again.exit_code == 0
    assert again.stdout.startswith("0 đơn vị mới, 0 đơn vị cập nhật, 4 giữ nguyên")
    assert tree() == before and closure() == links


def test_export_refuses_another_file_type(cli, tmp_path):
    result = cli.invoke(args=["units", "export", "-o", str(tmp_path / "tree.pdf")])
    assert result.exit_code != 0 and ".csv hoặc .xlsx" in result.output
    assert not (tmp_path / "tree.pdf").exists()
