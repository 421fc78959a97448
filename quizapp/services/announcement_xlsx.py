"""The judges' list of winners as a spreadsheet, to verify each winner before prizes are given: every finalized
round's winners by tier with phone, category, birth date and citizen ID. Not for publication (it says so)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import IO
from zoneinfo import ZoneInfo

import pandas as pd
import xlsxwriter

from quizapp.domain.export_rows import neutralise
from quizapp.services.announcement import Announcement
from quizapp.services.exports import DURATION_FORMAT, set_printing

VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")
HEADINGS = (("Đợt thi", 16), ("Giải", 18), ("Hạng", 7), ("Họ và tên", 26), ("Điện thoại", 14),
            ("Đối tượng", 14), ("Ngày sinh", 12), ("Số căn cước", 15), ("Đơn vị", 44), ("Số câu đúng", 10),
            ("Thời gian làm bài (phút:giây)", 13))


TEXT_COLUMNS = ("round", "prize", "name", "phone", "category", "id_number", "unit")


def _rows(announcement: Announcement, category_label: Callable[[str | None], str]) -> pd.DataFrame:
    """One row per winner of the finalized rounds, text made safe for a spreadsheet (no formula runs)."""
    rows = pd.DataFrame([
        {"round": item.round.name, "prize": tier.name, "rank": winner.rank, "name": winner.name,
         "phone": winner.phone, "category": category_label(winner.category), "birth_date": winner.birth_date,
         "id_number": winner.id_number, "unit": winner.unit_path, "correct": winner.correct_count,
         "duration_ms": winner.duration_ms}
        for item in announcement.finalized_rounds for tier in item.tiers for winner in tier.winners],
        columns=[*TEXT_COLUMNS, "rank", "birth_date", "correct", "duration_ms"])
    for name in TEXT_COLUMNS:
        rows[name] = neutralise(rows[name])
    return rows


def write_winners_xlsx(announcement: Announcement, target: str | IO[bytes], *,
                       category_label: Callable[[str | None], str], now: datetime) -> int:
    """Write the workbook; returns the number of winners listed."""
    workbook = xlsxwriter.Workbook(target, {"in_memory": True, "strings_to_formulas": False,
                                            "strings_to_numbers": False, "strings_to_urls": False})
    try:
        sheet = workbook.add_worksheet("Đoạt giải")
        bold = workbook.add_format({"bold": True, "font_size": 14})
        heading = workbook.add_format({"bold": True, "text_wrap": True, "valign": "vcenter", "bg_color": "#E8EEF7",
                                       "border": 1})
        day = workbook.add_format({"num_format": "dd/mm/yyyy"})
        duration = workbook.add_format(DURATION_FORMAT)
        sheet.write_string(0, 0, announcement.contest.title, bold)
        sheet.write_string(1, 0, "Danh sách người đoạt giải để Ban Giám khảo xác minh: có thông tin cá nhân, "
                                 "không dùng để công bố.")
        state = ("Mọi đợt thi trong danh sách đã được chốt kết quả." if announcement.complete
                 else "BẢN NHÁP: còn đợt thi chưa chốt kết quả; các đợt đó không có trong danh sách.")
        sheet.write_string(2, 0, state)
        sheet.write_string(3, 0, f"Ngày xuất: {now.astimezone(VIETNAM).strftime('%d/%m/%Y %H:%M')}")
        header_row = 5
        for col, (text, width) in enumerate(HEADINGS):
            sheet.set_column(col, col, width)
            sheet.write_string(header_row, col, text, heading)
        rows = _rows(announcement, category_label)
        for row, winner in enumerate(rows.itertuples(index=False), start=header_row + 1):
            for col, name in enumerate(("round", "prize")):
                sheet.write_string(row, col, getattr(winner, name) or "")
            sheet.write_number(row, 2, winner.rank)
            for col, name in ((3, "name"), (4, "phone"), (5, "category")):
                sheet.write_string(row, col, getattr(winner, name) or "")
            if isinstance(winner.birth_date, date):
                sheet.write_datetime(row, 6, datetime.combine(winner.birth_date, datetime.min.time()), day)
            sheet.write_string(row, 7, winner.id_number or "")
            sheet.write_string(row, 8, winner.unit or "")
            sheet.write_number(row, 9, winner.correct)
            sheet.write_number(row, 10, winner.duration_ms / 86_400_000, duration)
        sheet.freeze_panes(header_row + 1, 0)
        set_printing(sheet, header_row)
    finally:
        workbook.close()
    return len(rows)
