"""Names that print what they say: no invisible or direction-changing characters, no towers of combining marks;
unit trees of a sane depth. One rule (``domain.text.name_problem``) for registration, staff accounts and units."""

from __future__ import annotations

import unicodedata
from datetime import date

import pytest

from quizapp.domain.registration import RegistrationError, check_registration
from quizapp.domain.text import clean, name_problem
from quizapp.domain.units import MAX_DEPTH, UnitFileError, parse_units
from tests.domain._files import codes, csv_bytes, problems_of

VIETNAMESE_NAMES = ("Nguyễn Thị Minh Khai", "Đặng Thùy Trâm", "Hồ Chí Minh", "Võ Nguyên Giáp",
                    "Chi bộ Khu dân cư số 1 – Phường Ba Đình", "Trường THPT Phan Bội Châu (Nghệ An)",
                    "Ông Ích Khiêm", "O'Neil Smith-Trần", "Hà Nội · 2026")


@pytest.mark.parametrize("name", VIETNAMESE_NAMES)
def test_vietnamese_names_pass_in_nfc_and_in_nfd(name):
    assert name_problem(name) is None
    assert name_problem(unicodedata.normalize("NFD", name)) is None  # a tone and a vowel mark: two marks


@pytest.mark.parametrize(("name", "character"), [
    ("Nguyễn\u200bVăn An", "U+200B"),       # zero-width space
    ("Nguyễn Văn\u200d An", "U+200D"),      # zero-width joiner
    ("\u202eNaV nễyugN", "U+202E"),         # right-to-left override: shows reversed
    ("Trần \u2066Bình\u2069", "U+2066"),    # left-to-right isolate
    ("Lê\u200f Lợi", "U+200F"),             # right-to-left mark
    ("Phạm\u00adHùng", "U+00AD"),           # soft hyphen
    ("\ufeffTô Hiến Thành", "U+FEFF"),      # byte order mark
    ("Ngô\nQuyền", "U+000A"),               # a name is one line
    ("\u3164", "U+3164"),                   # Hangul filler: a "blank" name
    ("Lý\ue000Thường Kiệt", "U+E000"),      # private use
])
def test_invisible_and_direction_changing_characters_are_refused(name, character):
    problem = name_problem(name)
    assert problem is not None and problem.code == "invisible_character" and problem.character == character


def test_more_combining_marks_than_vietnamese_needs_are_refused():
    assert name_problem("Nguye\u0302\u0303n") is None  # ê + tilde, decomposed: two marks
    zalgo = name_problem("Tra\u0300\u0301\u0303\u0309\u0323\u0306n")
    assert zalgo is not None and zalgo.code == "too_many_marks" and zalgo.count == 5  # à composed, 5 left
    # NFC first: a precomposed letter and one mark more is still within what Vietnamese typing can produce
    assert name_problem("ế\u0323") is None


def test_the_existing_text_functions_are_unchanged():
    assert clean(" Nguyễn\u200bVăn ") == "Nguyễn\u200bVăn"  # clean() normalises, it does not judge


def registration(**changes):
    raw = {"full_name": "Nguyễn Văn An", "phone": "0912345678", "password": "mat-khau-du", "unit_code": "HN"}
    return check_registration({**raw, **changes}, today=date(2026, 12, 3))


def test_registration_names_the_full_name_field():
    assert registration().full_name == "Nguyễn Văn An"
    with pytest.raises(RegistrationError) as refused:
        registration(full_name="Nguyễn\u202e Văn An")
    assert refused.value.problems == {"full_name": "invisible_character"}
    with pytest.raises(RegistrationError) as refused:
        registration(full_name="A\u0300\u0301\u0302\u0303")
    assert refused.value.problems == {"full_name": "too_many_marks"}


HEADER = ["Mã", "Tên đơn vị", "Mã cấp trên", "Số thành viên"]


def test_unit_names_are_checked_with_the_row_and_column():
    data = csv_bytes([HEADER, ["HN", "Hà Nội", "", "10"], ["BD", "Ba\u200b Đình", "HN", "5"],
                      ["HK", "Hoàn Kiếm", "HN", "5"]])
    problems = problems_of(lambda: parse_units("units.csv", data), UnitFileError)
    assert [(p.code, p.line, p.column, p.data["value"]) for p in problems] == [
        ("invisible_character", 3, "Tên đơn vị", "U+200B")]


def chain(levels: int, *, first_parent: str = "") -> list[list[str]]:
    rows = [HEADER]
    for level in range(1, levels + 1):
        rows.append([f"U{level}", f"Đơn vị cấp {level}", f"U{level - 1}" if level > 1 else first_parent, "1"])
    return rows


def test_a_tree_of_the_maximum_depth_is_taken():
    assert len(parse_units("units.csv", csv_bytes(chain(MAX_DEPTH)))) == MAX_DEPTH


def test_a_tree_3000_levels_deep_is_refused_at_the_first_unit_too_deep_and_nothing_is_built():
    problems = problems_of(lambda: parse_units("units.csv", csv_bytes(chain(3000))), UnitFileError)
    assert codes(problems) == ["tree_too_deep"]
    (problem,) = problems
    assert problem.line == MAX_DEPTH + 2 and problem.column == "Mã cấp trên"
    assert problem.data == {"value": f"U{MAX_DEPTH + 1}", "count": MAX_DEPTH + 1, "limit": MAX_DEPTH}


def test_the_depth_counts_the_stored_levels_above_the_file():
    data = csv_bytes(chain(5, first_parent="STORED"))
    assert len(parse_units("units.csv", data, known_codes={"STORED"}, known_depths={"STORED": MAX_DEPTH - 5})) == 5
    problems = problems_of(lambda: parse_units("units.csv", data, known_codes={"STORED"},
                                               known_depths={"STORED": MAX_DEPTH - 4}), UnitFileError)
    assert [(p.code, p.data["value"]) for p in problems] == [("tree_too_deep", "U5")]


def test_the_message_names_the_unit_and_the_limit(app):
    from quizapp.domain.banks import Problem
    from quizapp.messages.files import describe

    text = describe(Problem("tree_too_deep", line=23, column="Mã cấp trên",
                            data={"value": "U21", "count": 21, "limit": 20}))
    assert "U21" in text and "cấp 21" in text and "20 cấp" in text and "23" in text
