"""Finding and mapping a sheet's header row: Vietnamese or English, any order, any case, accents optional."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from quizapp.domain.banks.model import Problem, on_sheet
from quizapp.domain.banks.package import column_letter
from quizapp.domain.banks.sheets import Sheet
from quizapp.domain.text import clean, fold

HEADER_SEARCH_ROWS = 10
_REQUIRED_MARK = re.compile(r"\(\s*\*\s*\)|\*")
_BRACKETS = re.compile(r"[()\[\]]")


def tidy(value: str) -> str:
    """``text.clean(value)``, without its cost for the common one-line cell that is already clean."""
    if not value:
        return ""
    if (
        value[0].isspace()
        or value[-1].isspace()
        or "  " in value
        or "\n" in value
        or "\r" in value
        or "\t" in value
        or "\u00a0" in value
        or not unicodedata.is_normalized("NFC", value)
    ):
        return clean(value)
    return value


def normalise_heading(value: str) -> str:
    """Comparison key of a heading: "  Đáp án đúng (*): " -> "dap an dung", "parent_code" -> "parent code"."""
    folded = fold(_BRACKETS.sub(" ", _REQUIRED_MARK.sub("", value.replace("_", " "))))
    return folded.strip(" :.-")


def build_aliases(fields: Mapping[str, Sequence[str]]) -> dict[str, str]:
    """Invert {field: headings} into {normalised heading: field}; a heading may name one field only."""
    aliases: dict[str, str] = {}
    for name, headings in fields.items():
        for heading in headings:
            key = normalise_heading(heading)
            if aliases.setdefault(key, name) != name:
                raise ValueError(f"heading {heading!r} names both {aliases[key]!r} and {name!r}")
    return aliases


@dataclass(frozen=True, slots=True)
class HeaderSpec:
    """The headings a kind of file accepts; ``anchor`` is the field whose heading marks the header row."""

    aliases: Mapping[str, str]
    anchor: str
    required: tuple[str, ...]

    def field_of(self, heading: str) -> str | None:
        return self.aliases.get(normalise_heading(heading)) if heading else None

    def score(self, row: Sequence[str]) -> int:
        """How many fields ``row`` names, when it names the anchor (0 otherwise)."""
        fields = {self.field_of(cell) for cell in row}
        return len(fields - {None}) if self.anchor in fields else 0


@dataclass(frozen=True, slots=True)
class Columns:
    """Where each field is on a sheet, and the headings as the organizer wrote them (for messages)."""

    header_index: int  # 0-based index of the header row in ``Sheet.rows``
    fields: dict[str, int]  # field -> 0-based column
    headings: dict[int, str]  # column -> heading as written
    field_headings: dict[str, str]  # field -> heading as written

    def heading(self, column: int) -> str:
        return self.headings.get(column) or column_letter(column)

    def heading_of(self, name: str) -> str | None:
        return self.field_headings.get(name)

    def values(self, row: Sequence[str]) -> dict[str, str]:
        """The cleaned cell of every mapped field ('' for a short row)."""
        width = len(row)
        return {name: tidy(row[column]) if column < width else "" for name, column in self.fields.items()}


def find_header_row(sheet: Sheet, spec: HeaderSpec) -> int | None:
    """Index of the first of the first ten rows holding the anchor heading (title rows may come before it)."""
    for index, row in enumerate(sheet.rows[:HEADER_SEARCH_ROWS]):
        if any(spec.field_of(cell) == spec.anchor for cell in row):
            return index
    return None


def map_columns(sheet: Sheet, header_index: int, spec: HeaderSpec) -> tuple[Columns, list[Problem]]:
    """Map the header row's headings to fields; problems: unknown, duplicated and missing required headings.

    An unknown heading over an entirely empty column is ignored (a leftover from a template).
    """
    line, label = header_index + 1, sheet.label
    fields: dict[str, int] = {}
    headings: dict[int, str] = {}
    problems: list[Problem] = []
    for column, raw in enumerate(sheet.rows[header_index]):
        heading = clean(raw)
        if not heading:
            continue
        headings[column] = heading
        name = spec.field_of(heading)
        if name is None:
            if _column_has_data(sheet, header_index, column):
                problems.append(Problem("unknown_header", line=line, column=heading, data=on_sheet(label)))
        elif name in fields:
            data = on_sheet(label, first_column=headings[fields[name]])
            problems.append(Problem("duplicate_header", line=line, column=heading, data=data))
        else:
            fields[name] = column
    problems += [
        Problem("missing_header", line=line, data=on_sheet(label, field=name))
        for name in spec.required
        if name not in fields
    ]
    field_headings = {name: headings[column] for name, column in fields.items()}
    return Columns(header_index, fields, headings, field_headings), problems


def _column_has_data(sheet: Sheet, header_index: int, column: int) -> bool:
    return any(column < len(row) and row[column].strip() for row in sheet.rows[header_index + 1 :])


def formula_problems(sheet: Sheet, columns: Columns, line: int, *, skip_number: bool) -> list[Problem]:
    """Formula cells of row ``line`` in the columns that are imported.

    ``skip_number`` exempts the STT column of data rows: "=ROW()-1" numbering is common and harmless.
    """
    if line not in sheet.formulas:
        return []
    mapped = set(columns.fields.values())
    number = columns.fields.get("number")
    return [
        Problem(
            "formula_cell",
            line=line,
            column=columns.heading(column),
            data=on_sheet(sheet.label, cell=f"{column_letter(column)}{line}"),
        )
        for column in sheet.formulas.get(line, ())
        if column in mapped and not (skip_number and column == number)
    ]
