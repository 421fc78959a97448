"""A unit's report as the .xlsx a unit sends upward: a sheet per part (units, people who took part, people who
did not, prizes), each with the title block, Vietnamese headings, set widths and the print settings of every
spreadsheet for people (``services.exports.set_printing``). The words come from the caller (``messages.officers``)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import IO, Any

import xlsxwriter

from quizapp.services.exports import set_printing
from quizapp.services.unit_reports import UnitReport


@dataclass(frozen=True)
class ReportWords:
    """Everything written in words: the title block's lines, each sheet's name and headings."""

    title: str
    lines: Sequence[str]
    sheets: Sequence[str]          # units, took part, did not, prizes
    unit_headings: Sequence[str]
    people_headings: Sequence[str]
    prize_headings: Sequence[str]
    collective_headings: Sequence[str]
    collective_title: str


_UNIT_WIDTHS = (12, 40, 14, 14, 14, 14)
_PEOPLE_WIDTHS = (6, 30, 16, 12, 36, 12, 14)
_PRIZE_WIDTHS = (16, 8, 30, 36, 20, 12)


def write_unit_report_xlsx(report: UnitReport, target: str | IO[bytes], words: ReportWords) -> None:
    """The workbook of ``report``; figures withheld by rule 12 are absent (the title block says which rounds)."""
    book = xlsxwriter.Workbook(target, {"strings_to_formulas": False, "strings_to_numbers": False,
                                        "strings_to_urls": False})
    try:
        styles = _Styles(book)
        units = [(u.code, u.name, u.member_count, u.participants, u.entries, u.participation_rate)
                 for u in (report.total, *report.children)]
        _sheet(book, styles, words.sheets[0], words, words.unit_headings, _UNIT_WIDTHS, units, percent_col=5)
        for name, people in ((words.sheets[1], report.people), (words.sheets[2], report.absent)):
            rows = [(n, p.full_name, p.phone, p.unit_code, p.unit_name, p.entries, p.best_correct)
                    for n, p in enumerate(people, start=1)]
            _sheet(book, styles, name, words, words.people_headings, _PEOPLE_WIDTHS, rows)
        prizes = [(p.round_name, p.rank, p.full_name, p.unit_name, p.prize_name,
                   f"{p.correct_count}/{p.question_count}") for p in report.prizes]
        sheet, row = _sheet(book, styles, words.sheets[3], words, words.prize_headings, _PRIZE_WIDTHS, prizes)
        row += 2
        sheet.write_string(row, 0, words.collective_title, styles.bold)
        _table(sheet, styles, row + 1, words.collective_headings, None,
               [(c.round_name or "", c.rank, c.unit_code, c.unit_name, c.prize_name) for c in report.collectives])
    finally:
        book.close()


class _Styles:
    def __init__(self, book: Any) -> None:
        self.title = book.add_format({"bold": True, "font_size": 14})
        self.bold = book.add_format({"bold": True})
        self.heading = book.add_format({"bold": True, "text_wrap": True, "valign": "vcenter", "bg_color": "#E8EEF7",
                                        "border": 1})
        self.cell = book.add_format({"border": 1, "valign": "top", "text_wrap": True})
        self.percent = book.add_format({"border": 1, "num_format": "0.0%"})


def _sheet(book: Any, styles: _Styles, name: str, words: ReportWords, headings: Sequence[str],
           widths: Sequence[int], rows: Sequence[Sequence[Any]], percent_col: int | None = None) -> tuple[Any, int]:
    """A sheet with the title block and one table; returns the sheet and its last row."""
    sheet = book.add_worksheet(name[:31])
    sheet.write_string(0, 0, words.title, styles.title)
    for offset, line in enumerate(words.lines, start=1):
        sheet.write_string(offset, 0, line)
    header_row = len(words.lines) + 2
    last = _table(sheet, styles, header_row, headings, widths, rows, percent_col)
    sheet.freeze_panes(header_row + 1, 0)
    set_printing(sheet, header_row)
    return sheet, last


def _table(sheet: Any, styles: _Styles, header_row: int, headings: Sequence[str], widths: Sequence[int] | None,
           rows: Sequence[Sequence[Any]], percent_col: int | None = None) -> int:
    """Headings at ``header_row`` then ``rows``, bordered; column widths set when given. Returns the last row."""
    for col, heading in enumerate(headings):
        if widths is not None:
            sheet.set_column(col, col, widths[col])
        sheet.write_string(header_row, col, str(heading), styles.heading)
    sheet.set_row(header_row, 32)
    row = header_row
    for row, values in enumerate(rows, start=header_row + 1):
        for col, value in enumerate(values):
            if value is None:
                sheet.write_blank(row, col, None, styles.cell)
            elif isinstance(value, (int, float)):
                sheet.write_number(row, col, value, styles.percent if col == percent_col else styles.cell)
            else:
                sheet.write_string(row, col, str(value), styles.cell)
    return row
