"""Unit-tree files (.xlsx, .csv): the organization's units, one per row, each naming its parent by code.

Read with the same spreadsheet readers and the same all-or-nothing rule as question banks. A parent code
that is not in the file is not an error here: it may name a unit already stored. The service calls
``check_tree`` with the codes it has, which reports the parents found in neither place.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from quizapp.domain.banks.draft import Spot
from quizapp.domain.banks.headers import (
    Columns,
    HeaderSpec,
    build_aliases,
    find_header_row,
    formula_problems,
    map_columns,
)
from quizapp.domain.banks.model import (
    DEFAULT_LIMITS,
    BankFileError,
    ImportLimits,
    Problem,
    Refused,
    capped,
)
from quizapp.domain.banks.sheets import _CSV_FORMULA, Sheet, read_sheets
from quizapp.domain.text import MAX_COMBINING_MARKS, name_problem

MAX_CODE_LENGTH = 50  # the width of units.code
MAX_NAME_LENGTH = 255
#: Levels of the tree (the root is level 1). Real trees have 3 to 6 (province → district → commune → cell);
#: the ancestor table behind collective rankings holds one row per unit and level, so a chain of thousands of
#: levels (a file whose parent codes are shifted by one row) would ask for millions of rows.
MAX_DEPTH = 20

UNIT_HEADERS = HeaderSpec(
    aliases=build_aliases(
        {
            "number": ("STT", "TT", "No"),
            "code": ("Mã", "Mã đơn vị", "Mã ĐV", "Code", "Unit code"),
            "name": ("Tên đơn vị", "Tên", "Tên ĐV", "Name", "Unit name"),
            "parent_code": ("Mã cấp trên", "Mã đơn vị cấp trên", "Mã ĐV cấp trên", "Parent code", "Parent"),
            "member_count": (
                *("Số thành viên", "Số lượng", "Số cán bộ", "Số đảng viên", "Số hội viên", "Số đoàn viên"),
                *("Member count", "Members"),
            ),
        }
    ),
    anchor="code",
    required=("code", "name"),
)
# "1200", "1.200", "1,200", "1 200" (one separator throughout), and "1200.0" / "1200,0".
_WHOLE = re.compile(r"[0-9]+")
_GROUPED = re.compile(r"[0-9]{1,3}([., ])[0-9]{3}(?:\1[0-9]{3})*")
_ZERO_FRACTION = re.compile(r"([0-9]+)[.,]0+")


class UnitFileError(BankFileError):
    """A unit-tree file was refused; nothing from it may be saved.

    A kind of ``BankFileError`` so that the callers (CLI, views) that list a refused upload's problems catch
    both with one ``except``.
    """


@dataclass(frozen=True, slots=True)
class TreeProblem:
    """Why a change to the tree (add, edit, move, merge) was refused: ``code`` names the rule, ``field`` the form
    field it is about (None: the whole change), ``data`` what the sentence needs."""

    code: str
    field: str | None = None
    data: Mapping[str, object] | None = None


class TreeChangeRefused(Exception):
    """A change to the tree was refused; nothing of it was written. ``problems`` lists every reason found."""

    def __init__(self, problems: list[TreeProblem]) -> None:
        super().__init__([problem.code for problem in problems])
        self.problems = problems


def unit_field_problems(*, code: str | None, name: str | None) -> list[TreeProblem]:
    """The problems of a unit's code and name typed in a form, by the rules a file's rows follow (so that an
    exported tree imports again): both required, within the column widths, a name without invisible characters,
    neither one an Excel formula. ``code`` None: not asked (an edit keeps the code)."""
    problems: list[TreeProblem] = []
    for key, value, limit in (("code", code, MAX_CODE_LENGTH), ("name", name, MAX_NAME_LENGTH)):
        if value is None:
            continue
        if not value:
            problems.append(TreeProblem(f"missing_{key}", key))
        elif len(value) > limit:
            problems.append(TreeProblem("text_too_long", key, {"length": len(value), "limit": limit}))
        elif value.startswith("=") and _CSV_FORMULA.match(value):
            problems.append(TreeProblem("formula_text", key, {"value": value}))
    unusable = name_problem(name) if name else None
    if unusable is not None:
        problems.append(TreeProblem(unusable.code, "name", {"value": unusable.character, "count": unusable.count,
                                                            "limit": MAX_COMBINING_MARKS}))
    return problems


EXPORT_HEADER = ("code", "name", "parent_code", "member_count")


def export_rows(units: Iterable[tuple[str, str, str | None, int]]) -> Iterable[list[str]]:
    """The rows of a tree export under ``EXPORT_HEADER``, in the given order (parents before children, so the
    file reads top-down); a root's parent cell is empty."""
    for code, name, parent_code, member_count in units:
        yield [code, name, parent_code or "", str(member_count)]


@dataclass(frozen=True, slots=True)
class ParsedUnit:
    """A valid unit read from a file. ``member_count`` is 0 when the cell (or the column) is empty."""

    line: int
    code: str
    name: str
    parent_code: str | None
    member_count: int


@dataclass(frozen=True, slots=True)
class _Row:
    unit: ParsedUnit
    spot: Spot
    parent_heading: str | None


def parse_units(filename: str, data: bytes, *, limits: ImportLimits = DEFAULT_LIMITS,
                known_codes: set[str] | None = None,
                known_depths: Mapping[str, int] | None = None) -> list[ParsedUnit]:
    """Parse a unit-tree file, parents before children (depth first, file order), or raise ``UnitFileError``.

    Codes are required and unique in the file, names required, member counts whole numbers ≥ 0 ("1.200" and
    "1 200" are 1200). A parent code must not lead back to the unit (each unit of a cycle is reported). With
    ``known_codes`` (the codes already stored), a parent found neither in the file nor there is reported in the
    same pass as every other problem; without it, such units are returned as roots (see ``check_tree``).
    A unit deeper than ``MAX_DEPTH`` levels is refused (``tree_too_deep``, with its row), counting the levels
    above a stored parent from ``known_depths`` (stored code → depth). Names may not hold invisible or
    direction-changing characters (``domain.text.name_problem``).
    """
    try:
        sheets = read_sheets(filename, data, limits, UNIT_HEADERS.score)
        rows, problems = _read(sheets)
        if len(rows) > limits.max_units:
            raise Refused([Problem("too_many_units", data={"count": len(rows), "limit": limits.max_units})])
        if not rows and not problems:
            raise Refused([Problem("no_units")])
        ordered, cycles = _tree_order(rows, known_depths or {})
        if known_codes is not None:
            problems += check_tree([row.unit for row in rows], known_codes)
        if problems or cycles:
            raise Refused(_in_file_order(problems + cycles, sheets))
        return ordered
    except Refused as refused:
        raise UnitFileError(capped(refused.problems)) from None


def check_tree(units: Iterable[ParsedUnit], known_codes: set[str]) -> list[Problem]:
    """``unknown_parent`` for each unit whose parent code is neither in ``units`` nor in ``known_codes``
    (the codes already stored)."""
    units = list(units)
    codes = {unit.code for unit in units} | known_codes
    return [
        Problem("unknown_parent", line=unit.line, data={"parent_code": unit.parent_code})
        for unit in units
        if unit.parent_code is not None and unit.parent_code not in codes
    ]


def _read(sheets: list[Sheet]) -> tuple[list[_Row], list[Problem]]:
    rows: list[_Row] = []
    problems: list[Problem] = []
    first_lines: dict[str, Spot] = {}
    for sheet in sheets:
        header_index = find_header_row(sheet, UNIT_HEADERS)
        if header_index is None:
            if not sheet.is_empty():
                problems.append(Problem("no_header", data={"sheet": sheet.name, "anchor": "code"}))
            continue
        columns, found = map_columns(sheet, header_index, UNIT_HEADERS)
        problems += found + formula_problems(sheet, columns, header_index + 1, skip_number=False)
        if any(problem.code == "missing_header" for problem in found):
            continue
        for index in range(header_index + 1, len(sheet.rows)):
            row, row_problems = _unit(sheet, columns, index, first_lines)
            problems += row_problems
            if row is not None:
                rows.append(row)
    return rows, problems


def _unit(
    sheet: Sheet, columns: Columns, index: int, first_lines: dict[str, Spot]
) -> tuple[_Row | None, list[Problem]]:
    line = index + 1
    values = columns.values(sheet.rows[index])
    problems = formula_problems(sheet, columns, line, skip_number=True)
    if not any(value for name, value in values.items() if name != "number"):
        return None, problems
    spot = Spot(line, sheet.label, sheet.name)
    code, name = values["code"], values["name"]
    heading = columns.heading_of
    if not code:
        problems.append(spot.problem("missing_code", heading("code")))
    elif first_lines.setdefault(code, spot) is not spot:
        first = first_lines[code]
        problems.append(spot.problem("duplicate_code", heading("code"), code=code, first_line=first.line))
    if not name:
        problems.append(spot.problem("missing_name", heading("name")))
    elif (unusable := name_problem(name)) is not None:
        problems.append(spot.problem(unusable.code, heading("name"), value=unusable.character,
                                     count=unusable.count, limit=MAX_COMBINING_MARKS))
    for text, key, limit in ((code, "code", MAX_CODE_LENGTH), (name, "name", MAX_NAME_LENGTH)):
        if len(text) > limit:
            problems.append(spot.problem("text_too_long", heading(key), length=len(text), limit=limit))
    count = member_count(values.get("member_count", ""))
    if count is None:
        value = values["member_count"]
        problems.append(spot.problem("bad_member_count", heading("member_count"), value=value))
    if problems or count is None:
        return None, problems
    unit = ParsedUnit(line, code, name, values.get("parent_code") or None, count)
    return _Row(unit, spot, heading("parent_code")), []


def member_count(value: str) -> int | None:
    """A count from a cell: "" -> 0; "1200", "1.200", "1,200", "1 200", "1200.0" -> 1200; else None."""
    text = value.replace("\u00a0", " ").strip()
    if not text:
        return 0
    if _WHOLE.fullmatch(text):
        return int(text)
    if _GROUPED.fullmatch(text):
        return int(re.sub(r"[., ]", "", text))
    zero_fraction = _ZERO_FRACTION.fullmatch(text)
    return int(zero_fraction.group(1)) if zero_fraction else None


def _tree_order(rows: list[_Row], known_depths: Mapping[str, int]) -> tuple[list[ParsedUnit], list[Problem]]:
    """Units depth first from the roots, children in file order; a problem for each unit on a parent cycle and
    for the first unit of each branch deeper than ``MAX_DEPTH`` (its children are not walked: nothing in a
    refused file grows with the depth)."""
    by_code = {row.unit.code: row for row in rows}
    children: dict[str, list[_Row]] = defaultdict(list)
    roots: list[_Row] = []
    for row in rows:
        parent = row.unit.parent_code
        if parent in by_code:
            children[parent].append(row)
        else:
            roots.append(row)
    ordered: list[ParsedUnit] = []
    too_deep: list[Problem] = []
    reached: set[str] = set()
    stack = [(row, known_depths.get(row.unit.parent_code or "", 0) + 1) for row in reversed(roots)]
    while stack:
        row, depth = stack.pop()
        reached.add(row.unit.code)
        if depth > MAX_DEPTH:
            too_deep.append(row.spot.problem("tree_too_deep", row.parent_heading, value=row.unit.code, count=depth,
                                             limit=MAX_DEPTH))
            reached.update(_below(row.unit.code, children))
            continue
        ordered.append(row.unit)
        stack.extend((child, depth + 1) for child in reversed(children[row.unit.code]))
    # Every unit not reached from a root hangs from a cycle (or sits on one).
    cycles = _cycle_problems([row for row in rows if row.unit.code not in reached], by_code)
    return ordered, too_deep + cycles


def _below(code: str, children: Mapping[str, list[_Row]]) -> set[str]:
    """The codes of every unit under ``code`` (iteratively: a chain may be as long as the file)."""
    found: set[str] = set()
    stack = [code]
    while stack:
        for child in children.get(stack.pop(), ()):
            if child.unit.code not in found:
                found.add(child.unit.code)
                stack.append(child.unit.code)
    return found


def _cycle_problems(unreached: list[_Row], by_code: dict[str, _Row]) -> list[Problem]:
    on_cycle: set[str] = set()
    for row in unreached:
        path: list[str] = []
        code = row.unit.code
        while code not in path and code not in on_cycle:
            path.append(code)
            code = by_code[code].unit.parent_code or ""
        if code in path:
            on_cycle.update(path[path.index(code) :])
    problems = []
    for row in unreached:
        if row.unit.code in on_cycle:
            cycle = _cycle_text(row.unit.code, by_code)
            problems.append(row.spot.problem("parent_cycle", row.parent_heading, cycle=cycle))
    return problems


def _cycle_text(start: str, by_code: dict[str, _Row]) -> str:
    codes, code = [start], by_code[start].unit.parent_code
    while code != start and code is not None:
        codes.append(code)
        code = by_code[code].unit.parent_code
    return " → ".join([*codes, start])


def _in_file_order(problems: list[Problem], sheets: list[Sheet]) -> list[Problem]:
    # Cycles are only known once the whole file is read; put them back among the row problems.
    positions: dict[object, int] = {sheet.name: sheet.position for sheet in sheets}
    positions[None] = 0  # problems on the first sheet do not name it

    def key(problem: Problem) -> tuple[int, int]:
        return positions.get(problem.data.get("sheet"), 0), problem.line or 0

    return sorted(problems, key=key)
