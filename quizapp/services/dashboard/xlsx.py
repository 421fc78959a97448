"""The dashboard of a round as an .xlsx for people: one sheet per figure, Vietnamese headings (as in the other
exports, the workbook is in the contest's language), column widths set, printed landscape on the page's width
with the heading row repeated on every page."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import IO, Any

import xlsxwriter

from quizapp.services.dashboard.figures import VIETNAM, RoundFigures
from quizapp.services.exports import set_printing

#: (heading, width, number format or None) per column of each sheet.
Column = tuple[str, int, str | None]
SUMMARY = (("Chỉ số", 34, None), ("Giá trị", 18, "#,##0"))
DAYS = (("Ngày", 14, "dd/mm/yyyy"), ("Số lượt thi", 16, "#,##0"))
HOURS = (("Giờ (giờ Việt Nam)", 20, "dd/mm/yyyy hh:mm"), ("Số lượt thi", 16, "#,##0"))
SCORES = (("Số câu đúng", 14, "0"), ("Số lượt thi", 16, "#,##0"))
UNITS = (("Mã đơn vị", 14, None), ("Tên đơn vị", 40, None), ("Mã cấp trên", 14, None), ("Cấp", 8, "0"),
         ("Số thành viên", 16, "#,##0"), ("Số người dự thi", 18, "#,##0"), ("Số lượt thi", 16, "#,##0"),
         ("Tỷ lệ tham gia", 16, "0.0%"))


def write_dashboard_xlsx(figures: RoundFigures, target: str | IO[bytes], *, title: str, now: datetime) -> None:
    """Sheets: the totals, by day, by hour, by score, every unit with its participation rate (tree order by
    code), and the units nobody under which took part."""
    workbook = xlsxwriter.Workbook(target, {"in_memory": True, "strings_to_formulas": False,
                                            "strings_to_numbers": False, "strings_to_urls": False})
    lines = [f"Số liệu lúc {now.astimezone(VIETNAM):%H:%M %d/%m/%Y} (giờ Việt Nam)"]
    if figures.category is not None:
        lines.append(f"Đối tượng: {figures.category}")
    try:
        summary = [("Số lượt thi", figures.entries), ("Số người dự thi", figures.participants),
                   ("Đang làm bài", figures.in_progress),
                   ("Người dự thi không thuộc đơn vị nào", figures.unplaced)]
        _sheet(workbook, "Tổng quan", title, lines, SUMMARY, summary)
        _sheet(workbook, "Theo ngày", title, lines, DAYS, [(datetime(d.year, d.month, d.day), n)
                                                            for d, n in figures.by_day])
        _sheet(workbook, "Theo giờ", title, lines, HOURS, [(h.replace(tzinfo=None), n) for h, n in figures.by_hour])
        _sheet(workbook, "Theo điểm", title, lines, SCORES, figures.scores)
        units = sorted(figures.units.values(), key=lambda u: (u.depth, u.code))
        _sheet(workbook, "Đơn vị", title, lines, UNITS, [_unit_row(figures, u) for u in units])
        _sheet(workbook, "Chưa tham gia", title, lines, UNITS, [_unit_row(figures, u) for u in figures.silent()])
    finally:
        workbook.close()


def _unit_row(figures: RoundFigures, unit) -> tuple[Any, ...]:
    parent = figures.units.get(unit.parent_id) if unit.parent_id is not None else None
    return (unit.code, unit.name, parent.code if parent else "", unit.depth, unit.member_count, unit.participants,
            unit.entries, unit.participation_rate)


def _sheet(workbook, name: str, title: str, lines: list[str], columns: Sequence[Column],
           rows: Sequence[Sequence[Any]]) -> None:
    sheet = workbook.add_worksheet(name)
    sheet.write_string(0, 0, title, workbook.add_format({"bold": True, "font_size": 14}))
    for offset, line in enumerate(lines, start=1):
        sheet.write_string(offset, 0, line)
    header_row = len(lines) + 2
    heading = workbook.add_format({"bold": True, "text_wrap": True, "valign": "vcenter", "bg_color": "#E8EEF7",
                                   "border": 1})
    formats = [workbook.add_format({"num_format": fmt}) if fmt else None for _, _, fmt in columns]
    for col, (text, width, _) in enumerate(columns):
        sheet.set_column(col, col, width)
        sheet.write_string(header_row, col, text, heading)
    for row, values in enumerate(rows, start=header_row + 1):
        for col, value in enumerate(values):
            if value is None:
                continue
            if isinstance(value, str):
                sheet.write_string(row, col, value)
            elif isinstance(value, datetime):
                sheet.write_datetime(row, col, value, formats[col])
            else:
                sheet.write_number(row, col, value, formats[col])
    sheet.freeze_panes(header_row + 1, 0)
    set_printing(sheet, header_row)
