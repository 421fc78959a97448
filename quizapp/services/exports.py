"""Results exports: a round's ranking (winners or everyone ranked) and the collectives, as CSV for machines and
.xlsx for people. The rows come from the one standings computation (``quizapp.services.standings``) through
``quizapp.domain.export_rows``.

- CSV: UTF-8 without BOM, ``\\n`` line ends, the contract's first row, ISO 8601 times with ``+07:00``, empty cells
  for missing values. Identical whether or not the round is finalized.
- .xlsx: written row by row (xlsxwriter ``constant_memory``: memory stays flat whatever the size), a title block
  (title, round, export date, finalized or PROVISIONAL, prediction answer), Vietnamese headings, widths, number,
  duration and date formats, a frozen header row and an autofilter.
"""

from __future__ import annotations

import csv
import io
from datetime import datetime
from typing import IO, Any

import numpy as np
import pandas as pd
import xlsxwriter
from xlsxwriter.worksheet import Worksheet

from quizapp.domain.export_rows import (
    COLLECTIVE_XLSX_HEADINGS,
    ROUND_XLSX_HEADINGS,
    VIETNAM_OFFSET,
    Heading,
    collective_rows,
    excel_datetimes,
    excel_durations,
    iso_vietnam,
    round_rows,
)
from quizapp.services.standings import Standings

_FORMATS = {
    "integer": {"num_format": "0"},
    "text": {},
    "duration": {"num_format": "[mm]:ss.0"},
    "datetime": {"num_format": "dd/mm/yyyy hh:mm:ss"},
    "percent": {"num_format": "0.00%"},
    "decimal": {"num_format": "0.00"},
}


def write_round_csv(standings: Standings, stream: IO[Any], *, winners_only: bool) -> None:
    """The round's ranked participants (or only its prize winners), best first, as the contract CSV."""
    rows = round_rows(standings.frame, winners_only=winners_only)
    rows["submitted_at"] = iso_vietnam(rows["submitted_at"])
    _write_csv(rows, stream)


def write_collectives_csv(frame: pd.DataFrame, stream: IO[Any]) -> None:
    """Collective standings (``quizapp.services.collectives.collective_standings``) as the contract CSV."""
    rows = collective_rows(frame)
    rows["participation_rate"] = [repr(float(value)) for value in rows["participation_rate"]]
    rows["average_score"] = [f"{value:.2f}" for value in rows["average_score"]]
    _write_csv(rows, stream)


def _write_csv(rows: pd.DataFrame, stream: IO[Any]) -> None:
    """``rows`` with their header, to a text stream or (encoded UTF-8) a binary one: integers as digits, missing
    values as empty cells, text quoted only when it must be."""
    text = stream if isinstance(stream, io.TextIOBase) else io.TextIOWrapper(
        stream, encoding="utf-8", newline="", write_through=True)
    try:
        writer = csv.writer(text, lineterminator="\n")
        writer.writerow(rows.columns)
        writer.writerows(zip(*(_cells(rows[name]) for name in rows.columns), strict=True))
        text.flush()
    finally:
        if text is not stream:
            text.detach()


def _cells(column: pd.Series) -> list[Any]:
    """A column as Python values for the csv module: NA as None (an empty cell), integers as int."""
    if isinstance(column.dtype, pd.Int64Dtype):
        return column.astype(object).where(column.notna(), None).tolist()
    return column.tolist()


def write_round_xlsx(standings: Standings, path_or_stream: str | IO[bytes], *, winners_only: bool, title: str,
                     now: datetime | None = None) -> None:
    """The round's ranked participants (or only its winners) as a spreadsheet for people; ``title`` heads the
    title block (usually the contest's title); ``now`` (default: when the standings were computed) is the export
    date shown. A round not yet finalized is marked provisional."""
    round_ = standings.round
    rows = round_rows(standings.frame, winners_only=winners_only)
    state = (f"Kết quả chính thức: đợt thi đã được chốt lúc {_vietnam(round_.finalized_at)}."
             if round_.finalized_at is not None and standings.frozen
             else "KẾT QUẢ TẠM THỜI: đợt thi chưa được chốt, thứ hạng và giải còn có thể thay đổi.")
    lines = [
        f"{round_.name}: từ {_vietnam(round_.opens_at)} đến {_vietnam(round_.effective_close())} (giờ Việt Nam)",
        f"Ngày xuất: {_vietnam(now or standings.computed_at)}",
        state,
        ("Danh sách người đoạt giải" if winners_only else "Danh sách tất cả người được xếp hạng")
        + f": {len(rows)} người.",
    ]
    if standings.prediction_actual is not None:
        lines.append(f"Đáp án câu hỏi dự đoán: {standings.prediction_actual}")
    columns = [
        rows["rank"].to_numpy(), rows["full_name"].to_numpy(), rows["phone"].to_numpy(),
        rows["unit_code"].to_numpy(), rows["unit_path"].to_numpy(), rows["correct_count"].to_numpy(),
        rows["question_count"].to_numpy(), excel_durations(rows["duration_ms"]), _nullable(rows["prediction"]),
        _nullable(rows["prediction_gap"]), excel_datetimes(rows["submitted_at"]), rows["attempt_id"].to_numpy(),
        rows["prize"].to_numpy(),
    ]
    _write_workbook(path_or_stream, sheet_name="Kết quả", title=title, lines=lines,
                    headings=ROUND_XLSX_HEADINGS, columns=columns)


def write_collectives_xlsx(frame: pd.DataFrame, path_or_stream: str | IO[bytes], *, title: str,
                           lines: list[str] | None = None) -> None:
    """Collective standings as a spreadsheet for people; ``title`` and ``lines`` form the title block."""
    rows = collective_rows(frame)
    columns = [rows[name].to_numpy() for name in rows.columns]
    _write_workbook(path_or_stream, sheet_name="Tập thể", title=title, lines=lines or [],
                    headings=COLLECTIVE_XLSX_HEADINGS, columns=columns)


def _write_workbook(target: str | IO[bytes], *, sheet_name: str, title: str, lines: list[str],
                    headings: tuple[Heading, ...], columns: list[np.ndarray]) -> None:
    """A one-sheet workbook: the title block, the heading row (frozen, with an autofilter), then the columns
    written row by row with each column's format (None cells left empty)."""
    workbook = xlsxwriter.Workbook(target, {"constant_memory": True, "strings_to_formulas": False,
                                            "strings_to_numbers": False, "strings_to_urls": False})
    try:
        sheet = workbook.add_worksheet(sheet_name)
        sheet.write_string(0, 0, title, workbook.add_format({"bold": True, "font_size": 14}))
        for offset, line in enumerate(lines, start=1):
            sheet.write_string(offset, 0, line)
        header_row = len(lines) + 2
        heading_format = workbook.add_format({"bold": True, "text_wrap": True, "valign": "vcenter",
                                              "bg_color": "#E8EEF7", "border": 1})
        formats = [workbook.add_format(_FORMATS[heading.kind]) for heading in headings]
        for col, heading in enumerate(headings):
            sheet.set_column(col, col, heading.width, formats[col])
        sheet.set_row(header_row, 32)
        for col, heading in enumerate(headings):
            sheet.write_string(header_row, col, heading.text, heading_format)
        count = len(columns[0])
        _write_cells(sheet, header_row + 1, [heading.kind for heading in headings], columns, formats)
        sheet.freeze_panes(header_row + 1, 0)
        sheet.autofilter(header_row, 0, header_row + max(count, 1), len(headings) - 1)
    finally:
        workbook.close()


def _write_cells(sheet: Worksheet, first_row: int, kinds: list[str], columns: list[np.ndarray],
                 formats: list[Any]) -> None:
    """Every cell, row by row (constant_memory needs rows in order); numbers as numbers, None left empty.

    Five million cells make this the export's hot loop: the worksheet's ``_write_number``/``_write_string`` are
    called directly (the public methods add only the parsing of "A1" cell names), and only durations and times
    carry a cell format (integers and text look the same in the default one).
    """
    write_number = getattr(sheet, "_write_number", sheet.write_number)
    write_string = getattr(sheet, "_write_string", sheet.write_string)
    plan = [(col, write_string if kind == "text" else write_number,
             formats[col] if kind in ("duration", "datetime", "percent", "decimal") else None)
            for col, kind in enumerate(kinds)]
    for row, values in enumerate(zip(*(column.tolist() for column in columns), strict=True), start=first_row):
        for col, write, cell_format in plan:
            value = values[col]
            if value is not None:
                write(row, col, value, cell_format)


def _nullable(values: pd.Series) -> np.ndarray:
    """A nullable integer column as objects: int, or None where missing."""
    return np.array(values.astype(object).where(values.notna(), None).tolist(), dtype=object)


def _vietnam(moment: datetime | None) -> str:
    if moment is None:
        return ""
    local = pd.Timestamp(moment).tz_convert(None) + VIETNAM_OFFSET
    return local.strftime("%H:%M %d/%m/%Y")
