"""A participant's data (``personal_data.export_data``) as a workbook for people: one sheet per section."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import IO, Any

import xlsxwriter

#: The sections of the export that are lists of records, each on its own sheet, in this order.
LIST_SECTIONS = ("attempts", "answers", "results", "disqualifications", "time_extensions", "erasure_requests",
                 "audit")


def write_personal_data_xlsx(data: Mapping[str, Any], target: str | IO[bytes], *,
                             label: Callable[[str], str]) -> None:
    """The account, unit and consent as (field, value) rows on the first sheet, then one sheet per list section
    (every attempt's answers on a sheet of their own), headings and sheet names in words from ``label``."""
    workbook = xlsxwriter.Workbook(target, {"in_memory": True, "strings_to_formulas": False,
                                            "strings_to_numbers": False, "strings_to_urls": False})
    bold = workbook.add_format({"bold": True, "bg_color": "#E8EEF7", "border": 1, "text_wrap": True})
    wrap = workbook.add_format({"text_wrap": True, "valign": "top"})
    try:
        sheet = workbook.add_worksheet(label("account")[:31])
        sheet.set_column(0, 0, 28)
        sheet.set_column(1, 1, 60, wrap)
        row = 0
        for section in ("account", "unit", "consent"):
            for key, value in (data.get(section) or {}).items():
                sheet.write_string(row, 0, label(key), bold)
                sheet.write_string(row, 1, _cell(value))
                row += 1
        sections = {name: data.get(name) or [] for name in LIST_SECTIONS}
        sections["answers"] = [{"attempt_id": attempt["id"], **answer}
                               for attempt in data.get("attempts") or [] for answer in attempt["answers"]]
        sections["attempts"] = [{k: v for k, v in attempt.items() if k != "answers"}
                                for attempt in data.get("attempts") or []]
        for name in LIST_SECTIONS:
            _list_sheet(workbook.add_worksheet(label(name)[:31]), sections[name], label, bold, wrap)
    finally:
        workbook.close()


def _list_sheet(sheet: Any, records: list[Mapping[str, Any]], label: Callable[[str], str], bold: Any,
                wrap: Any) -> None:
    if not records:
        sheet.write_string(0, 0, "—")
        return
    keys = list(records[0])
    for col, key in enumerate(keys):
        sheet.set_column(col, col, 40 if key in ("question", "chosen_option", "reason", "details") else 18, wrap)
        sheet.write_string(0, col, label(key), bold)
    for row, record in enumerate(records, start=1):
        for col, key in enumerate(keys):
            sheet.write_string(row, col, _cell(record.get(key)))
    sheet.freeze_panes(1, 0)


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "✓" if value else "—"
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False) if value else ""
    return str(value)
