"""The rows of the results exports (``quizapp results export`` / ``results collectives``), built column-wise.

The CSV files are for machines and their first rows are a contract (SPEC, "Interfaces that are a contract"):
UTF-8, ISO 8601 times with the Vietnam offset, an empty cell where there is no value (no prize, no prediction).
The .xlsx files are for people: Vietnamese headings, times in Vietnam time as spreadsheet dates.

In both, a text cell that a spreadsheet would run as a formula (it starts with ``=``, ``+``, ``-``, ``@``, a tab
or a carriage return) gets an apostrophe in front (CSV injection); numbers stay numbers. So does every formula
start right after a semicolon inside a text: Excel set up for Vietnamese (and many European languages) takes
``;`` as the CSV separator, so ``Nguyễn Văn A;=HYPERLINK("x";"y")`` would open as a name and a formula cell,
whatever the quotes the comma-separated file puts around it.
"""

from __future__ import annotations

import re
from typing import NamedTuple

import numpy as np
import pandas as pd

ROUND_CSV_HEADER: tuple[str, ...] = (
    "rank", "full_name", "phone", "unit_code", "unit_path", "correct_count", "question_count", "duration_ms",
    "prediction", "prediction_gap", "submitted_at", "attempt_id", "prize",
)
COLLECTIVE_CSV_HEADER: tuple[str, ...] = (
    "rank", "unit_code", "unit_name", "member_count", "participants", "attempts", "participation_rate",
    "average_score", "prize",
)
#: The contest's collective metric in words, for the title block of a collectives spreadsheet.
METRIC_LABELS = {"participants": "số người dự thi", "attempts": "số lượt thi",
                 "participation_rate": "tỷ lệ tham gia (số người dự thi / số thành viên)",
                 "average_score": "điểm trung bình (số câu đúng)"}
FORMULA_STARTS = frozenset("=+-@\t\r")
#: A semicolon followed by a formula start (quotes in between are skipped, as a spreadsheet's CSV reader does).
AFTER_SEMICOLON = re.compile(r';(?="*[=+\-@\t\r])')
VIETNAM_OFFSET = pd.Timedelta(hours=7)  # Asia/Ho_Chi_Minh has no daylight saving
_EXCEL_EPOCH = np.datetime64("1899-12-30T00:00:00", "ns")
_NS_PER_DAY = 86_400 * 10**9


class Heading(NamedTuple):
    """A column of a people's spreadsheet: its Vietnamese heading, width (characters) and kind of value."""

    text: str
    width: float
    kind: str  # integer | text | duration | datetime | percent | decimal


ROUND_XLSX_HEADINGS: tuple[Heading, ...] = (
    Heading("Hạng", 7, "integer"), Heading("Họ và tên", 28, "text"), Heading("Số điện thoại", 14, "text"),
    Heading("Mã đơn vị", 14, "text"), Heading("Đơn vị", 48, "text"), Heading("Số câu đúng", 11, "integer"),
    Heading("Số câu", 8, "integer"), Heading("Thời gian làm bài (phút:giây)", 14, "duration"),
    Heading("Dự đoán", 10, "integer"), Heading("Chênh lệch dự đoán", 11, "integer"),
    Heading("Thời điểm nộp bài (giờ Việt Nam)", 21, "datetime"), Heading("Mã lượt thi", 11, "integer"),
    Heading("Giải", 20, "text"),
)
COLLECTIVE_XLSX_HEADINGS: tuple[Heading, ...] = (
    Heading("Hạng", 7, "integer"), Heading("Mã đơn vị", 14, "text"), Heading("Tên đơn vị", 44, "text"),
    Heading("Số thành viên", 13, "integer"), Heading("Số người dự thi", 14, "integer"),
    Heading("Số lượt thi", 12, "integer"), Heading("Tỷ lệ tham gia", 13, "percent"),
    Heading("Điểm trung bình (số câu đúng)", 15, "decimal"), Heading("Giải", 22, "text"),
)


def neutralise(values: pd.Series) -> pd.Series:
    """Text values with an apostrophe in front of those a spreadsheet would read as a formula, and after each
    semicolon followed by a formula start; None (or NaN) becomes None. ``"=1+1"`` → ``"'=1+1"``, ``"-5 điểm"``
    → ``"'-5 điểm"``, ``"A;=B"`` → ``"A;'=B"``, ``"Nguyễn Văn An"`` unchanged."""
    result = [
        neutralise_text(value) if isinstance(value, str) else None if value is None or value != value else value
        for value in values.to_numpy(dtype=object)
    ]
    return pd.Series(np.array(result, dtype=object), index=values.index, dtype=object)


def neutralise_text(value: str) -> str:
    """One text cell as :func:`neutralise` writes it."""
    if ";" in value:
        value = AFTER_SEMICOLON.sub(";'", value)
    return "'" + value if value[:1] in FORMULA_STARTS else value


def iso_vietnam(times: pd.Series) -> pd.Series:
    """Aware times as ISO 8601 in Vietnam time with the offset: ``2026-11-23T08:30:00+07:00``, with the
    fraction of a second written (in microseconds, as Python's ``isoformat``) only when there is one."""
    local = _vietnam_wall_ns(times).astype("datetime64[us]")
    full = np.datetime_as_string(local, unit="us")  # 2026-11-23T08:30:00.500000
    whole_second = (local.view(np.int64) % 1_000_000) == 0
    text = np.where(whole_second, full.astype("<U19"), full)
    return pd.Series(np.char.add(text, "+07:00").astype(object), index=times.index, dtype=object)


def excel_datetimes(times: pd.Series) -> np.ndarray:
    """Aware times as spreadsheet date serials (days since 1899-12-30) of the Vietnam wall clock."""
    return (_vietnam_wall_ns(times) - _EXCEL_EPOCH).view(np.int64) / _NS_PER_DAY


def excel_durations(milliseconds: pd.Series) -> np.ndarray:
    """Durations in milliseconds as spreadsheet time values (fractions of a day), shown as minutes:seconds."""
    return milliseconds.to_numpy(dtype=np.float64) / 86_400_000


def round_rows(frame: pd.DataFrame, *, winners_only: bool) -> pd.DataFrame:
    """The rows of a round export, :data:`ROUND_CSV_HEADER` columns, from a standings frame (best first): every
    ranked participant, or only the prize winners. Text neutralised; ``submitted_at`` still aware times;
    ``prediction`` and ``prediction_gap`` nullable integers; ``prize`` None without a prize."""
    if winners_only:
        frame = frame[frame["prize_name"].notna().to_numpy()]
    rows = pd.DataFrame({
        "rank": frame["rank"].to_numpy(dtype=np.int64),
        "full_name": neutralise(frame["full_name"]).to_numpy(),
        "phone": neutralise(frame["phone"]).to_numpy(),
        "unit_code": neutralise(frame["unit_code"]).to_numpy(),
        "unit_path": neutralise(frame["unit_path"]).to_numpy(),
        "correct_count": frame["correct_count"].to_numpy(dtype=np.int64),
        "question_count": frame["question_count"].to_numpy(dtype=np.int64),
        "duration_ms": frame["duration_ms"].to_numpy(dtype=np.int64),
        "prediction": frame["prediction"].astype("Int64").array,
        "prediction_gap": frame["prediction_gap"].astype("Int64").array,
        "submitted_at": frame["submitted_at"].array,
        "attempt_id": frame["attempt_id"].to_numpy(dtype=np.int64),
        "prize": neutralise(frame["prize_name"]).to_numpy(),
    })
    return rows[list(ROUND_CSV_HEADER)]


def collective_rows(frame: pd.DataFrame) -> pd.DataFrame:
    """The rows of a collectives export, :data:`COLLECTIVE_CSV_HEADER` columns, from a collective standings
    frame (``quizapp.domain.collectives.rank_units`` columns plus ``prize_name``)."""
    rows = pd.DataFrame({
        "rank": frame["rank"].to_numpy(dtype=np.int64),
        "unit_code": neutralise(frame["code"]).to_numpy(),
        "unit_name": neutralise(frame["name"]).to_numpy(),
        "member_count": frame["member_count"].to_numpy(dtype=np.int64),
        "participants": frame["participants"].to_numpy(dtype=np.int64),
        "attempts": frame["attempts"].to_numpy(dtype=np.int64),
        "participation_rate": frame["participation_rate"].to_numpy(dtype=np.float64),
        "average_score": frame["average_score"].to_numpy(dtype=np.float64),
        "prize": neutralise(frame["prize_name"]).to_numpy(),
    })
    return rows[list(COLLECTIVE_CSV_HEADER)]


def _vietnam_wall_ns(times: pd.Series) -> np.ndarray:
    """Aware (or naive UTC) times as naive datetime64[ns] of the Vietnam wall clock."""
    series = pd.to_datetime(times, utc=True)
    return (series.dt.tz_convert(None) + VIETNAM_OFFSET).to_numpy(dtype="datetime64[ns]")
