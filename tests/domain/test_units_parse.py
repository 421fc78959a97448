"""Unit-tree files: codes, names, parents, member counts; parents before children; every problem listed."""

from __future__ import annotations

import random

import pytest

from quizapp.domain.banks import BankFileError, ImportFileError, ImportLimits, Problem
from quizapp.domain.units import ParsedUnit, UnitFileError, check_tree, member_count, parse_units
from tests.domain._files import codes, csv_bytes, problems_of, workbook, xlsx

HEADER = ["Mã", "Tên đơn vị", "Mã cấp trên", "Số thành viên"]


def units(*rows: list[object], header: list[str] = HEADER) -> list[ParsedUnit]:
    return parse_units("units.xlsx", xlsx([header, *rows]))


def refused(*rows: list[object], header: list[str] = HEADER, **kwargs: object) -> list[Problem]:
    return problems_of(lambda: parse_units("units.xlsx", xlsx([header, *rows]), **kwargs), UnitFileError)


def test_a_tree_comes_out_parents_first_depth_first_in_file_order() -> None:
    parsed = units(
        ["XA01", "Xã Kim Liên", "HU01", 1200],
        ["TINH", "Tỉnh Nghệ An", None, "25.000"],
        ["HU01", "Huyện Nam Đàn", "TINH", "3 400"],
        ["HU02", "Huyện Thanh Chương", "TINH", None],
        ["XA02", "Xã Nam Giang", "HU01", 800.0],
    )
    assert [(u.code, u.parent_code) for u in parsed] == [
        ("TINH", None),
        ("HU01", "TINH"),
        ("XA01", "HU01"),
        ("XA02", "HU01"),
        ("HU02", "TINH"),
    ]
    assert parsed[2] == ParsedUnit(line=2, code="XA01", name="Xã Kim Liên", parent_code="HU01", member_count=1200)
    assert [u.member_count for u in parsed] == [25000, 3400, 1200, 800, 0]


@pytest.mark.parametrize(
    ("header", "row"),
    [
        (["Mã đơn vị", "Tên đơn vị", "Mã đơn vị cấp trên", "Số lượng"], ["HN", "Hà Nội", None, 100]),
        (["code", "name", "parent_code", "member_count"], ["HN", "Hà Nội", None, 100]),
        (["  MA ", "TEN DON VI", "ma cap tren", "so thanh vien"], ["HN", "Hà Nội", None, 100]),
        (["STT", "Số thành viên", "Tên đơn vị", "Mã cấp trên", "Mã"], [1, 100, "Hà Nội", None, "HN"]),
    ],
)
def test_heading_variants_in_any_order(header: list[str], row: list[object]) -> None:
    (unit,) = parse_units("units.xlsx", xlsx([header, row]))
    assert (unit.code, unit.name, unit.parent_code, unit.member_count) == ("HN", "Hà Nội", None, 100)


def test_a_semicolon_csv_with_a_title_block() -> None:
    rows = [["DANH SÁCH ĐƠN VỊ"], [], HEADER, ["T", "Tỉnh", "", "10"], ["H", "Huyện", "T", "1.200"]]
    parsed = parse_units("units.csv", csv_bytes(rows, delimiter=";", encoding="utf-8-sig"))
    assert [(u.line, u.code, u.member_count) for u in parsed] == [(4, "T", 10), (5, "H", 1200)]


def test_without_parent_or_count_columns_every_unit_is_a_root_with_no_members() -> None:
    parsed = units(["A", "Một"], ["B", "Hai"], header=["Mã", "Tên đơn vị"])
    assert [(u.code, u.parent_code, u.member_count) for u in parsed] == [("A", None, 0), ("B", None, 0)]


@pytest.mark.parametrize(
    ("cell", "count"),
    [("1200", 1200), ("1.200", 1200), ("1,200", 1200), ("1 200", 1200), ("1\u00a0200", 1200), ("1200.0", 1200),
     ("1.234.567", 1234567), ("", 0), ("0", 0), ("-5", None), ("1,5", None), ("12.34", None), ("abc", None),
     ("1.200,000", None)],
)
def test_member_counts(cell: str, count: int | None) -> None:
    assert member_count(cell) == count


def test_every_row_problem_is_listed_with_its_row_and_column() -> None:
    problems = refused(
        ["A", "Một", None, 10],
        [None, "Không mã", None, 1],
        ["A", "Trùng mã", None, 1],
        ["C", None, None, 1],
        ["D", "Âm", None, -3],
        ["E", "x" * 300, None, 1],
    )
    assert [(p.code, p.line, p.column) for p in problems] == [
        ("missing_code", 3, "Mã"),
        ("duplicate_code", 4, "Mã"),
        ("missing_name", 5, "Tên đơn vị"),
        ("bad_member_count", 6, "Số thành viên"),
        ("text_too_long", 7, "Tên đơn vị"),
    ]
    assert problems[1].data == {"code": "A", "first_line": 2}
    assert problems[3].data == {"value": "-3"}


def test_each_unit_on_a_parent_cycle_is_reported_and_units_below_it_are_not() -> None:
    problems = refused(
        ["ROOT", "Gốc", None, 1],
        ["A", "Một", "C", 1],
        ["B", "Hai", "A", 1],
        ["C", "Ba", "B", 1],
        ["UNDER", "Dưới vòng", "A", 1],
        ["SELF", "Tự trỏ", "SELF", 1],
    )
    assert [(p.code, p.line, p.column, p.data["cycle"]) for p in problems] == [
        ("parent_cycle", 3, "Mã cấp trên", "A → C → B → A"),
        ("parent_cycle", 4, "Mã cấp trên", "B → A → C → B"),
        ("parent_cycle", 5, "Mã cấp trên", "C → B → A → C"),
        ("parent_cycle", 7, "Mã cấp trên", "SELF → SELF"),
    ]


def test_cycles_are_listed_among_the_other_problems_in_row_order() -> None:
    problems = refused(["A", "Một", "B", 1], ["B", "Hai", "A", 1], ["C", None, None, 1])
    assert [(p.code, p.line) for p in problems] == [("parent_cycle", 2), ("parent_cycle", 3), ("missing_name", 4)]


def test_a_parent_outside_the_file_is_returned_and_left_to_check_tree() -> None:
    parsed = units(["XA", "Xã", "HUYEN-DA-CO", 5], ["XB", "Xã B", "KHONG-CO", 5], ["XC", "Xã C", "XA", 1])
    assert [u.code for u in parsed] == ["XA", "XC", "XB"]
    assert check_tree(parsed, known_codes={"HUYEN-DA-CO"}) == [
        Problem("unknown_parent", line=3, data={"parent_code": "KHONG-CO"})
    ]
    assert check_tree(parsed, known_codes={"HUYEN-DA-CO", "KHONG-CO"}) == []


def test_problems_on_a_second_sheet_name_it() -> None:
    data = workbook({"Tỉnh": [HEADER, ["T", "Tỉnh", None, 1]], "Huyện": [HEADER, ["H", None, "T", 1]]})
    (problem,) = problems_of(lambda: parse_units("units.xlsx", data), UnitFileError)
    assert (problem.code, problem.line, problem.data["sheet"]) == ("missing_name", 2, "Huyện")


def test_file_level_problems() -> None:
    assert codes(refused()) == ["no_units"]
    assert codes(refused(["A", "Một"], ["B", "Hai"], limits=ImportLimits(max_units=1))) == ["too_many_units"]
    (problem,) = problems_of(lambda: parse_units("units.txt", b"A,B"), UnitFileError)
    assert problem == Problem("unsupported_format", data={"extension": ".txt", "supported": ".xlsx, .csv"})


def test_missing_required_headings() -> None:
    problems = refused(["A", "Một"], header=["Mã", "Ghi chú"])
    assert [(p.code, p.column, p.data.get("field")) for p in problems] == [
        ("unknown_header", "Ghi chú", None),
        ("missing_header", None, "name"),
    ]


def test_the_error_is_caught_by_callers_that_catch_bank_file_errors() -> None:
    assert issubclass(UnitFileError, BankFileError) and issubclass(UnitFileError, ImportFileError)


def test_random_trees_come_out_parents_first_or_refused_naming_exactly_the_units_on_cycles() -> None:
    generator = random.Random(1975)
    for _ in range(300):
        names = [f"U{number}" for number in range(generator.randint(1, 12))]
        parent_of = {name: generator.choice([None, None, *names]) for name in names}
        rows = [[name, f"Đơn vị {name}", parent_of[name], 1] for name in generator.sample(names, len(names))]
        on_cycle = {name for name in names if _returns_to_itself(name, parent_of)}
        try:
            parsed = parse_units("units.csv", csv_bytes([HEADER, *rows]))
        except UnitFileError as error:
            assert {rows[problem.line - 2][0] for problem in error.problems} == on_cycle
            assert {problem.code for problem in error.problems} == {"parent_cycle"}
            continue
        assert not on_cycle and len(parsed) == len(names)
        placed: set[str] = set()
        for unit in parsed:
            assert unit.parent_code is None or unit.parent_code in placed
            placed.add(unit.code)


def _returns_to_itself(name: str, parent_of: dict[str, str | None]) -> bool:
    current = parent_of[name]
    for _ in range(len(parent_of)):
        if current is None:
            return False
        if current == name:
            return True
        current = parent_of[current]
    return False
