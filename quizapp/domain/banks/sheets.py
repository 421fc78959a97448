"""Spreadsheet uploads (.xlsx and .csv) read into rows of text, safely.

A cell comes out as the text the organizer sees: 1890 stays "1890" (never "1890.0"), a date is "1945-09-02".
Texts are not yet cleaned; the readers of banks and unit trees clean the cells they use.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import zipfile
import zlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from itertools import islice

from python_calamine import CalamineError, CalamineWorkbook, PasswordError, SheetTypeEnum, SheetVisibleEnum

from quizapp.domain.banks.files import check_size, check_text_file, check_workbook, decode_text, extension
from quizapp.domain.banks.model import ImportLimits, Problem, Refused
from quizapp.domain.banks.package import open_package, scan_sheet, sheet_parts

SPREADSHEET_EXTENSIONS = (".xlsx", ".xlsm", ".xls")
CSV_EXTENSIONS = (".csv",)
_DELIMITERS = (",", ";", "\t")
_SNIFF_ROWS = 10
# "=SUM(A1)", "=A1*2", "=1+1": an Excel formula saved as text. "= 5 người" or "=)" in a question is not one.
_CSV_FORMULA = re.compile(r"=\s*(?:[A-Za-z_][\w.]*\s*\(|\$?[A-Za-z]{1,3}\$?\d+\b|[-+]?\d[\d.,]*\s*[-+*/^&])")

HeaderScore = Callable[[Sequence[str]], int]
# What a damaged package raises somewhere between zipfile, zlib, defusedxml (ParseError is a SyntaxError)
# and calamine; each means the same to the organizer: this is not a workbook we can read.
_UNREADABLE = (
    CalamineError,
    zipfile.BadZipFile,
    zlib.error,
    ValueError,
    KeyError,
    SyntaxError,
    EOFError,
    OSError,
    NotImplementedError,  # zipfile: "zip file version 19.1"
)


@dataclass(frozen=True, slots=True)
class Sheet:
    """One sheet of an upload: ``rows[i]`` is the row Excel shows as i + 1, every cell as text."""

    name: str
    position: int  # among the sheets read; problems on the first one (0) do not name it
    rows: list[list[str]]
    formulas: dict[int, list[int]] = field(default_factory=dict)  # row number -> 0-based formula columns

    @property
    def label(self) -> str | None:
        return self.name if self.position > 0 else None

    def is_empty(self) -> bool:
        return not any(cell.strip() for row in self.rows for cell in row)


def read_sheets(filename: str, data: bytes, limits: ImportLimits, header_score: HeaderScore) -> list[Sheet]:
    """Read a spreadsheet upload (.xlsx or .csv) into sheets, or raise ``Refused`` with file-level problems.

    ``header_score`` rates a row as a header row; it picks the CSV delimiter (",", ";" or tab) that makes the
    header readable.
    """
    ext = extension(filename)
    if ext not in SPREADSHEET_EXTENSIONS + CSV_EXTENSIONS:
        supported = ", ".join((SPREADSHEET_EXTENSIONS[0], *CSV_EXTENSIONS))
        raise Refused([Problem("unsupported_format", data={"extension": ext, "supported": supported})])
    check_size(data, limits)
    if ext in CSV_EXTENSIONS:
        check_text_file(data, ext)
        return [read_csv(decode_text(data), header_score)]
    check_workbook(data, ext)
    return read_workbook(data, limits)


def read_workbook(data: bytes, limits: ImportLimits) -> list[Sheet]:
    """Every visible worksheet of an .xlsx package, after the package passed the safety checks.

    Hidden sheets are skipped: templates keep their drop-down lists there.
    """
    package = open_package(data, limits)
    try:
        return _visible_sheets(package, data, limits)
    except PasswordError:
        raise Refused([Problem("encrypted_file")]) from None
    except _UNREADABLE:
        raise Refused([Problem("not_a_spreadsheet", data={"extension": ".xlsx"})]) from None


def _visible_sheets(package: zipfile.ZipFile, data: bytes, limits: ImportLimits) -> list[Sheet]:
    parts = sheet_parts(package)
    sheets: list[Sheet] = []
    problems: list[Problem] = []
    with CalamineWorkbook.from_filelike(io.BytesIO(data)) as workbook:
        for meta in workbook.sheets_metadata:
            if meta.typ != SheetTypeEnum.WorkSheet or meta.visible != SheetVisibleEnum.Visible:
                continue
            if meta.name not in parts:
                raise Refused([Problem("unsafe_file", data={"reason": "unknown_layout"})])
            scan = scan_sheet(package, parts[meta.name])
            if scan.area > limits.max_sheet_cells:
                problems.append(Problem("sheet_too_large", data={"sheet": meta.name, "cell": scan.far_cell}))
                continue
            rows = workbook.get_sheet_by_name(meta.name).to_python(skip_empty_area=False)
            texts = [_texts(row) for row in rows]
            sheets.append(Sheet(meta.name, len(sheets), texts, _by_row(scan.formulas)))
    if problems:
        raise Refused(problems)
    return sheets


def _texts(row: list[object]) -> list[str]:
    return [value if isinstance(value, str) else cell_text(value) for value in row]


def _by_row(cells: frozenset[tuple[int, int]] | set[tuple[int, int]]) -> dict[int, list[int]]:
    rows: dict[int, list[int]] = {}
    for row, column in sorted(cells):
        rows.setdefault(row, []).append(column)
    return rows


def cell_text(value: object) -> str:
    """A typed cell as Excel's General format shows it: 1890.0 -> "1890", a date -> "1945-09-02"."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 1e15:
            return str(int(value))
        return f"{value:.15g}"  # Excel keeps 15 significant digits: 0.30000000000000004 is 0.3
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(sep=" ")
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    return str(value)


def read_csv(text: str, header_score: HeaderScore) -> Sheet:
    """Split decoded CSV text into a sheet; rows count records, as Excel numbers them on opening the file."""
    delimiter = sniff_delimiter(text, header_score)
    rows: list[list[str]] = []
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        rows.extend(reader)
    except csv.Error:  # a field over the csv module's size limit, after an unbalanced quote
        raise Refused([Problem("unreadable_row", line=len(rows) + 1)]) from None
    formulas = {
        (number, column)
        for number, row in enumerate(rows, start=1)
        for column, value in enumerate(row)
        if value.startswith("=") and _CSV_FORMULA.match(value)
    }
    return Sheet("CSV", 0, rows, _by_row(formulas))


def sniff_delimiter(text: str, header_score: HeaderScore) -> str:
    """The delimiter under which the best header row appears; else the one splitting the first row most."""
    best, best_rank = ",", (-1, -1)
    for delimiter in _DELIMITERS:
        try:
            rows = list(islice(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter), _SNIFF_ROWS))
        except csv.Error:
            continue
        first = next((row for row in rows if any(cell.strip() for cell in row)), [])
        rank = (max((header_score(row) for row in rows), default=0), len(first))
        if rank > best_rank:
            best, best_rank = delimiter, rank
    return best
