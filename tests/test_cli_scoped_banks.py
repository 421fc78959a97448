"""`quizapp banks import FILE --bank NAME --unit CODE`: the bank belongs to the unit, as if its organizers had
uploaded it; without --unit, a new bank is shared (the documented contract, unchanged)."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from quizapp.extensions import db
from quizapp.models import Bank, BankImport, Question
from tests.services.test_standings import make_units
from tests.test_cli_banks import GOOD_CSV, write

OTHER_CSV = GOOD_CSV.replace("Chủ tịch Hồ Chí Minh sinh năm nào?", "Bác Hồ sinh ở làng nào?")


@pytest.fixture
def cli(app):
    return app.test_cli_runner()


def owner_of(name: str) -> int | None:
    return db.session.scalar(select(Bank.scope_unit_id).where(Bank.name == name))


def test_unit_owns_the_new_bank_and_the_summary_stays_one_line(app, cli, tmp_path):
    units = make_units()
    result = cli.invoke(args=["banks", "import", write(tmp_path, "a.csv", GOOD_CSV), "--bank", "Ba Đình",
                              "--unit", "HN-BD"])
    assert result.exit_code == 0, result.output
    assert result.stdout.strip().splitlines() == [
        f"Ba Đình: 2 câu hỏi mới, 0 câu đã có (ngân hàng {db.session.scalar(select(Bank.id))}, thuộc đơn vị "
        "HN-BD)."]
    assert owner_of("Ba Đình") == units["HN-BD"].id
    # again, from the unit above: the bank is in its subtree, the owner does not change
    again = cli.invoke(args=["banks", "import", write(tmp_path, "b.csv", OTHER_CSV), "--bank", "Ba Đình",
                             "--unit", "HN"])
    assert again.exit_code == 0, again.output
    assert owner_of("Ba Đình") == units["HN-BD"].id
    assert db.session.scalar(select(func.count()).select_from(Question)) == 3


def test_without_unit_a_new_bank_is_shared(app, cli, tmp_path):
    make_units()
    result = cli.invoke(args=["banks", "import", write(tmp_path, "a.csv", GOOD_CSV), "--bank", "Chung"])
    assert result.exit_code == 0 and "thuộc đơn vị" not in result.output
    assert db.session.scalar(select(func.count()).select_from(Bank).where(Bank.scope_unit_id.is_(None))) == 1


def test_a_bank_the_unit_may_not_change_is_refused_and_nothing_saved(app, cli, tmp_path):
    make_units()
    path = write(tmp_path, "a.csv", GOOD_CSV)
    assert cli.invoke(args=["banks", "import", path, "--bank", "Hoàn Kiếm", "--unit", "HN-HK"]).exit_code == 0
    assert cli.invoke(args=["banks", "import", path, "--bank", "Chung"]).exit_code == 0
    other = write(tmp_path, "b.csv", OTHER_CSV)
    for name, said in (("Hoàn Kiếm", "đã được một đơn vị khác dùng"), ("Chung", "ngân hàng dùng chung")):
        result = cli.invoke(args=["banks", "import", other, "--bank", name, "--unit", "HN-BD"])
        assert result.exit_code == 1
        assert said in result.stderr and "--unit HN-BD" in result.stderr
    assert db.session.scalar(select(func.count()).select_from(BankImport)) == 2
    assert db.session.scalar(select(func.count()).select_from(Question)) == 4


def test_an_unknown_unit_is_named_and_nothing_saved(app, cli, tmp_path):
    result = cli.invoke(args=["banks", "import", write(tmp_path, "a.csv", GOOD_CSV), "--unit", "KHONG-CO"])
    assert result.exit_code == 1 and "không có đơn vị nào mã 'KHONG-CO'" in result.stderr
    assert db.session.scalar(select(func.count()).select_from(Bank)) == 0
