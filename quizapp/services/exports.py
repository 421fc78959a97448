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
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import IO, Any

import numpy as np
import pandas as pd
import xlsxwriter
from xlsxwriter.worksheet import Worksheet

from quizapp.domain.export_rows import (
    COLLECTIVE_XLSX_HEADINGS,
    ROUND_CSV_HEADER,
    ROUND_XLSX_HEADINGS,
    VIETNAM_OFFSET,
    Heading,
    collective_rows,
    excel_datetimes,
    excel_durations,
    iso_vietnam,
    round_rows,
)
from quizapp.models import Round
from quizapp.services.frozen_export import frozen_round_copy, frozen_round_rows
from quizapp.services.standings import Standings

# The PostgreSQL fast path of a finalized round's export mirrors, in SQL, the rules stated once in
# ``quizapp.domain.export_rows`` (formula neutralisation, Vietnam time); tests/services/test_exports.py compares
# the bytes of both paths, so a change to one must be made to the other.
#: ``export_rows.neutralise`` in PostgreSQL: an apostrophe after each semicolon followed by a formula start
#: (``export_rows.AFTER_SEMICOLON``), then before a formula start at the beginning; NULL stays NULL.
_PG_AFTER_SEMICOLON = "regexp_replace({0}, ';(?=\"*[-=+@' || chr(9) || chr(13) || '])', ';''', 'g')"
_PG_FORMULA_SAFE = ("CASE WHEN left({0}, 1) IN ('=', '+', '-', '@', chr(9), chr(13)) THEN '''' || {1} ELSE {1} END"
                    .replace("{1}", _PG_AFTER_SEMICOLON))
#: A text cell of a CSV export, in PostgreSQL: the same, and an empty text as NULL (both are an empty CSV cell).
_PG_TEXT = "NULLIF(" + _PG_FORMULA_SAFE + ", '')"
#: A time as ``quizapp.domain.export_rows.iso_vietnam`` writes it, in PostgreSQL.
_PG_ISO_VIETNAM = ("to_char({0}, 'YYYY-MM-DD\"T\"HH24:MI:SS') || CASE WHEN to_char({0}, 'US') = '000000' THEN '' "
                   "ELSE '.' || to_char({0}, 'US') END || '+07:00'")
#: Spreadsheet serials as ``excel_durations`` / ``excel_datetimes`` compute them (float64 of the same integers):
#: nanoseconds from the spreadsheet epoch (1899-12-30) to the Vietnam wall clock, over a day's nanoseconds.
_MS_PER_DAY = "CAST(86400000 AS float8)"
_NS_PER_DAY = "CAST(86400000000000 AS float8)"
_EXCEL_VIETNAM_NS = (25_569 * 86_400 + 7 * 3_600) * 10**9
_PG_VIETNAM_WALL = "(submitted_at AT TIME ZONE 'UTC') + interval '7 hours'"  # export_rows.VIETNAM_OFFSET

_FORMATS = {
    "integer": {"num_format": "0"},
    "text": {},
    # as the pages write a duration (``views.contests.duration_text``): 5:54, from an hour on 1:02:03, no tenths
    "duration": {"num_format": "[<0.0416666666666667][m]:ss;[h]:mm:ss"},
    "datetime": {"num_format": "dd/mm/yyyy hh:mm:ss"},
    "percent": {"num_format": "0.00%"},
    "decimal": {"num_format": "0.00"},
}
#: How a duration cell reads (5:54), for the other spreadsheets of people.
DURATION_FORMAT = _FORMATS["duration"]


def write_frozen_round_csv(round_id: int, stream: IO[Any], *, winners_only: bool) -> int | None:
    """A finalized round's export CSV written by PostgreSQL itself (``COPY ... TO STDOUT``) from its frozen rows,
    byte for byte what :func:`write_round_csv` writes from its frozen standings; returns the number of rows.
    None (nothing written) when the database is not PostgreSQL with UTF-8 text: use :func:`write_round_csv`.

    Same cells as the Python writer: text neutralised and empty text as an empty cell, times in Vietnam time
    (ISO 8601, the fraction of a second only when there is one), quotes only where the csv module puts them
    (a comma, a quote or a line feed inside; PostgreSQL would quote an empty text, which is why it is NULL, and
    a text holding a carriage return, which is why such a rare line is written again by the csv module).
    """
    text = {name: _PG_TEXT.format(name) for name in ("full_name", "phone", "unit_code", "unit_path", "prize_name")}
    columns = [
        "rank", text["full_name"], text["phone"], text["unit_code"], text["unit_path"], "correct_count",
        "question_count", "duration_ms", "prediction", "prediction_gap", _PG_ISO_VIETNAM.format(_PG_VIETNAM_WALL),
        "attempt_id", text["prize_name"],
    ]
    copy = frozen_round_copy(round_id, columns, winners_only=winners_only)
    if copy is None:
        return None
    binary = not isinstance(stream, io.TextIOBase)
    header = ",".join(ROUND_CSV_HEADER) + "\n"
    stream.write(header.encode() if binary else header)
    count = 0
    for chunk in copy:
        count += len(chunk)
        data = b"".join(chunk)
        if b"\r" in data:
            data = b"".join(_requoted(line) if b"\r" in line else line for line in chunk)
        stream.write(data if binary else data.decode("utf-8"))
    stream.flush()
    return count


def _requoted(line: bytes) -> bytes:
    """A CSV line from PostgreSQL as the csv module writes it (it does not quote a carriage return)."""
    cells = next(csv.reader(io.StringIO(line.decode("utf-8"), newline="")))
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerow(cells)
    return out.getvalue().encode("utf-8")


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
    rows = round_rows(standings.frame, winners_only=winners_only)
    lines = _round_title_lines(standings.round, now or standings.computed_at, frozen=standings.frozen,
                               winners_only=winners_only, count=len(rows),
                               prediction_actual=standings.prediction_actual)
    columns = [
        rows["rank"].to_numpy(), rows["full_name"].to_numpy(), rows["phone"].to_numpy(),
        rows["unit_code"].to_numpy(), rows["unit_path"].to_numpy(), rows["correct_count"].to_numpy(),
        rows["question_count"].to_numpy(), excel_durations(rows["duration_ms"]), _nullable(rows["prediction"]),
        _nullable(rows["prediction_gap"]), excel_datetimes(rows["submitted_at"]), rows["attempt_id"].to_numpy(),
        rows["prize"].to_numpy(),
    ]
    _write_workbook(path_or_stream, sheet_name="Kết quả", title=title, lines=lines, headings=ROUND_XLSX_HEADINGS,
                    rows=zip(*(column.tolist() for column in columns), strict=True), count=len(rows))


def write_frozen_round_xlsx(round_: Round, path_or_stream: str | IO[bytes], *, winners_only: bool, title: str,
                            now: datetime) -> int | None:
    """A finalized round's spreadsheet read straight from its frozen rows (PostgreSQL: the cells come from the
    database ready to write, never a frame), the same as :func:`write_round_xlsx` writes from its frozen
    standings; returns the number of rows. None (nothing written) on another database: use
    :func:`write_round_xlsx`."""
    text = {name: _PG_FORMULA_SAFE.format(name)
            for name in ("full_name", "phone", "unit_code", "unit_path", "prize_name")}
    columns = [
        "rank", text["full_name"], text["phone"], text["unit_code"], text["unit_path"], "correct_count",
        "question_count", f"CAST(duration_ms AS float8) / {_MS_PER_DAY}", "prediction", "prediction_gap",
        f"CAST(submitted_us * 1000 + {_EXCEL_VIETNAM_NS} AS float8) / {_NS_PER_DAY}", "attempt_id",
        text["prize_name"],
    ]
    frozen = frozen_round_rows(round_.id, columns, winners_only=winners_only)
    if frozen is None:
        return None
    count, chunks = frozen
    lines = _round_title_lines(round_, now, frozen=True, winners_only=winners_only, count=count,
                               prediction_actual=round_.prediction_actual)
    _write_workbook(path_or_stream, sheet_name="Kết quả", title=title, lines=lines, headings=ROUND_XLSX_HEADINGS,
                    rows=(row for chunk in chunks for row in chunk), count=count)
    return count


def _round_title_lines(round_: Round, now: datetime, *, frozen: bool, winners_only: bool, count: int,
                       prediction_actual: int | None) -> list[str]:
    """The lines under the title of a round's spreadsheet: when, export date, final or PROVISIONAL, how many."""
    state = (f"Kết quả chính thức: đợt thi đã được chốt lúc {_vietnam(round_.finalized_at)}."
             if round_.finalized_at is not None and frozen
             else "KẾT QUẢ TẠM THỜI: đợt thi chưa được chốt, thứ hạng và giải còn có thể thay đổi.")
    lines = [
        f"{round_.name}: từ {_vietnam(round_.opens_at)} đến {_vietnam(round_.effective_close())} (giờ Việt Nam)",
        f"Ngày xuất: {_vietnam(now)}",
        state,
        ("Danh sách người đoạt giải" if winners_only else "Danh sách tất cả người được xếp hạng")
        + f": {count} người.",
    ]
    if prediction_actual is not None:
        lines.append(f"Đáp án câu hỏi dự đoán: {prediction_actual}")
    return lines


def write_collectives_xlsx(frame: pd.DataFrame, path_or_stream: str | IO[bytes], *, title: str,
                           lines: list[str] | None = None) -> None:
    """Collective standings as a spreadsheet for people; ``title`` and ``lines`` form the title block."""
    rows = collective_rows(frame)
    columns = [rows[name].to_numpy() for name in rows.columns]
    _write_workbook(path_or_stream, sheet_name="Tập thể", title=title, lines=lines or [],
                    headings=COLLECTIVE_XLSX_HEADINGS, rows=zip(*(column.tolist() for column in columns), strict=True),
                    count=len(rows))


def _write_workbook(target: str | IO[bytes], *, sheet_name: str, title: str, lines: list[str],
                    headings: tuple[Heading, ...], rows: Iterable[Sequence[Any]], count: int) -> None:
    """A one-sheet workbook: the title block, the heading row (frozen, with an autofilter), then the ``count``
    ``rows`` (one value per heading) with each column's format (None cells left empty)."""
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
        _write_cells(sheet, header_row + 1, [heading.kind for heading in headings], rows, formats)
        sheet.freeze_panes(header_row + 1, 0)
        sheet.autofilter(header_row, 0, header_row + max(count, 1), len(headings) - 1)
        set_printing(sheet, header_row)
    finally:
        workbook.close()


def set_printing(sheet: Worksheet, header_row: int) -> None:
    """Print settings of a spreadsheet meant for people: A4 landscape, every column on the page's width (as many
    pages down as needed), the heading row repeated on each page, and "Trang N/M" in the footer."""
    sheet.set_landscape()
    sheet.set_paper(9)  # A4
    sheet.set_margins(left=0.4, right=0.4, top=0.5, bottom=0.6)
    sheet.fit_to_pages(1, 0)
    sheet.repeat_rows(header_row)
    sheet.set_footer("&CTrang &P/&N")


def _write_cells(sheet: Worksheet, first_row: int, kinds: list[str], rows: Iterable[Sequence[Any]],
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
    for row, values in enumerate(rows, start=first_row):
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
