"""Results exports: the contract CSVs (first rows, UTF-8, ISO times, empty cells) and the people's .xlsx."""

from __future__ import annotations

import csv
import io
from datetime import datetime, timedelta

import openpyxl
import pytest

from quizapp.domain.export_rows import COLLECTIVE_CSV_HEADER, ROUND_CSV_HEADER, iso_vietnam, neutralise
from quizapp.extensions import db
from quizapp.models import Role
from quizapp.services.collectives import collective_standings
from quizapp.services.exports import (
    write_collectives_csv,
    write_collectives_xlsx,
    write_round_csv,
    write_round_xlsx,
)
from quizapp.services.results import finalize_round
from quizapp.services.standings import live_standings, round_standings
from tests.services.test_standings import NOW, entry, make_contest, make_units, person

ROUND_HEADER = ("rank,full_name,phone,unit_code,unit_path,correct_count,question_count,duration_ms,prediction,"
                "prediction_gap,submitted_at,attempt_id,prize")
COLLECTIVE_HEADER = "rank,unit_code,unit_name,member_count,participants,attempts,participation_rate,average_score,prize"


@pytest.fixture
def ranked(app):
    """A round of three people: a winner (with a formula-looking name), a runner-up, and one without a prize."""
    units = make_units()
    contest = make_contest(tiers=(("Giải Nhất", 1), ("Giải Nhì", 1)), collective_tiers=(("Giải tập thể", 1),))
    round_ = contest.rounds[0]
    winner = person("=HYPERLINK(\"http://x\")", units["HN-BD-CB1"], phone="0900012345")
    second = person("Trần Thị Bình", units["HN-HK"], phone="0900054321")
    third = person("Lê Văn Chi", None, phone="0900099999")
    entry(round_, winner, 10, seconds=61.25, prediction=1, at=timedelta(hours=1, milliseconds=500))
    entry(round_, second, 9, seconds=70, prediction=None)
    entry(round_, third, 2)
    return round_


def csv_text(standings, *, winners_only: bool) -> str:
    stream = io.StringIO()
    write_round_csv(standings, stream, winners_only=winners_only)
    return stream.getvalue()


def test_the_round_csv_has_the_contract_first_row_and_one_row_per_ranked_participant(ranked):
    text = csv_text(live_standings(ranked, now=NOW), winners_only=False)
    assert text.splitlines()[0] == ROUND_HEADER == ",".join(ROUND_CSV_HEADER)
    rows = list(csv.DictReader(io.StringIO(text)))
    assert [r["rank"] for r in rows] == ["1", "2", "3"]
    first = rows[0]
    assert first["full_name"] == "'=HYPERLINK(\"http://x\")"  # a spreadsheet must not run it
    assert first["phone"] == "0900012345" and first["unit_code"] == "HN-BD-CB1"
    assert first["unit_path"] == "Thành phố Hà Nội › Phường Ba Đình › Chi bộ Khu dân cư số 1"
    assert (first["correct_count"], first["question_count"], first["duration_ms"]) == ("10", "10", "61250")
    assert (first["prediction"], first["prediction_gap"], first["prize"]) == ("1", "0", "Giải Nhất")
    submitted = ranked.opens_at + timedelta(hours=1, milliseconds=500)
    assert first["submitted_at"] == submitted.astimezone(datetime.fromisoformat("2026-01-01T00:00+07:00").tzinfo) \
        .isoformat() == "2026-11-23T16:00:00.500000+07:00"
    assert datetime.fromisoformat(first["submitted_at"]) == submitted
    assert (rows[1]["prediction"], rows[1]["prediction_gap"]) == ("", "")
    assert (rows[2]["unit_code"], rows[2]["unit_path"], rows[2]["prize"]) == ("", "", "")
    assert rows[2]["attempt_id"].isdigit()


def test_the_winners_csv_lists_only_prize_winners(ranked):
    rows = list(csv.DictReader(io.StringIO(csv_text(live_standings(ranked, now=NOW), winners_only=True))))
    assert [(r["rank"], r["prize"]) for r in rows] == [("1", "Giải Nhất"), ("2", "Giải Nhì")]


def test_the_csv_is_utf8_without_bom_on_a_binary_stream_too(ranked):
    stream = io.BytesIO()
    write_round_csv(live_standings(ranked, now=NOW), stream, winners_only=False)
    data = stream.getvalue()
    assert data.startswith(b"rank,full_name,") and "Trần Thị Bình".encode() in data
    assert not stream.closed


def test_an_empty_round_exports_the_header_alone(app):
    make_units()
    text = csv_text(live_standings(make_contest().rounds[0], now=NOW), winners_only=True)
    assert text == ROUND_HEADER + "\n"


def test_the_round_xlsx_is_for_people(ranked, tmp_path):
    path = tmp_path / "ket-qua.xlsx"
    write_round_xlsx(live_standings(ranked, now=NOW), str(path), winners_only=False, title="Cuộc thi thử")
    sheet = openpyxl.load_workbook(path).active
    title_block = [sheet.cell(row, 1).value for row in range(1, 6)]
    assert title_block[0] == "Cuộc thi thử" and title_block[1].startswith("Tuần 1: từ ")
    assert "Ngày xuất: 15:00 01/12/2026" in title_block
    assert any("TẠM THỜI" in (line or "") for line in title_block)
    header_row = next(row for row in range(1, 10) if sheet.cell(row, 1).value == "Hạng")
    headings = [sheet.cell(header_row, col).value for col in range(1, 14)]
    assert headings[:7] == ["Hạng", "Họ và tên", "Số điện thoại", "Mã đơn vị", "Đơn vị", "Số câu đúng", "Số câu"]
    assert headings[-1] == "Giải" and "Thời điểm nộp bài (giờ Việt Nam)" in headings
    first = [sheet.cell(header_row + 1, col) for col in range(1, 14)]
    assert first[0].value == 1 and first[1].value == "'=HYPERLINK(\"http://x\")" and first[1].data_type == "s"
    assert first[5].value == 10 and first[12].value == "Giải Nhất"
    assert first[7].number_format == "[<0.0416666666666667][m]:ss;[h]:mm:ss"  # 5:54, 1:02:03: as on the pages
    assert abs(first[7].value - timedelta(seconds=61.25)) < timedelta(microseconds=1)  # shown as minutes:seconds
    assert first[10].value == datetime(2026, 11, 23, 16, 0, 0, 500000)  # Vietnam wall clock
    assert first[10].number_format == "dd/mm/yyyy hh:mm:ss"
    assert sheet.cell(header_row + 2, 9).value is None  # no prediction: an empty cell
    assert sheet.freeze_panes == f"A{header_row + 1}"
    assert sheet.auto_filter.ref == f"A{header_row}:M{header_row + 3}"
    assert sheet.column_dimensions["E"].width > 40


def test_a_finalized_round_is_marked_official_in_the_xlsx_and_the_csv_does_not_change(ranked, make_user, tmp_path):
    before = csv_text(live_standings(ranked, now=NOW), winners_only=False)
    finalize_round(ranked, actor=make_user(Role.JUDGE), now=NOW)
    db.session.commit()
    frozen = round_standings(ranked, now=NOW)
    assert csv_text(frozen, winners_only=False) == before
    stream = io.BytesIO()
    write_round_xlsx(frozen, stream, winners_only=True, title="Cuộc thi thử")
    sheet = openpyxl.load_workbook(io.BytesIO(stream.getvalue())).active
    lines = [sheet.cell(row, 1).value or "" for row in range(1, 7)]
    assert any(line.startswith("Kết quả chính thức") for line in lines)
    assert not any("TẠM THỜI" in line for line in lines)
    assert "Danh sách người đoạt giải: 2 người." in lines


def test_the_collectives_csv_and_xlsx(ranked, tmp_path):
    frame = collective_standings(ranked.contest, level=2, round_=None, now=NOW)
    stream = io.StringIO()
    write_collectives_csv(frame, stream)
    lines = stream.getvalue().splitlines()
    assert lines[0] == COLLECTIVE_HEADER == ",".join(COLLECTIVE_CSV_HEADER)
    assert lines[1] == "1,HN-HK,Phường Hoàn Kiếm,50,1,1,0.02,9.00,Giải tập thể"
    assert lines[2] == "2,HN-BD,Phường Ba Đình,100,1,1,0.01,10.00,"
    path = tmp_path / "tap-the.xlsx"
    write_collectives_xlsx(frame, path, title="Cuộc thi thử", lines=["Xếp hạng tập thể cấp 2"])
    sheet = openpyxl.load_workbook(path).active
    assert sheet["A1"].value == "Cuộc thi thử" and sheet["A2"].value == "Xếp hạng tập thể cấp 2"
    assert [sheet.cell(4, col).value for col in range(1, 4)] == ["Hạng", "Mã đơn vị", "Tên đơn vị"]
    assert sheet.cell(5, 7).value == 0.02 and sheet.cell(5, 7).number_format == "0.00%"


@pytest.mark.parametrize(("value", "expected"), [
    ("=1+1", "'=1+1"), ("+84912", "'+84912"), ("-5", "'-5"), ("@SUM(A1)", "'@SUM(A1)"), ("\tx", "'\tx"),
    ("\rx", "'\rx"), ("Nguyễn Văn An", "Nguyễn Văn An"), ("a=b", "a=b"), (None, None), ("", ""),
])
def test_formula_looking_text_is_neutralised(value, expected):
    import pandas as pd

    assert neutralise(pd.Series([value], dtype=object)).tolist() == [expected]


def test_iso_times_have_the_vietnam_offset_and_a_fraction_only_when_there_is_one():
    import pandas as pd

    times = pd.Series(pd.to_datetime(["2026-11-23T01:30:00Z", "2026-11-23T01:30:00.25Z"], utc=True, format="ISO8601"))
    assert iso_vietnam(times).tolist() == ["2026-11-23T08:30:00+07:00", "2026-11-23T08:30:00.250000+07:00"]


@pytest.mark.parametrize("winners_only", [False, True])
def test_postgresql_copy_path_writes_the_same_bytes_as_the_standings_path(ranked, make_user, winners_only):
    """The fast export of a finalized round (PostgreSQL COPY) must be byte for byte the one standings computation's
    export: same neutralised text, same empty cells, same quoting, same Vietnam times."""
    from quizapp.services.exports import write_frozen_round_csv

    tricky = person('Tab\tđầu, "ngoặc"\r\nxuống dòng', None, phone="0900077777")
    entry(ranked, tricky, 9, seconds=61)
    finalize_round(ranked, actor=make_user(Role.JUDGE), now=NOW)
    db.session.commit()
    expected = io.BytesIO()
    write_round_csv(round_standings(ranked, now=NOW), expected, winners_only=winners_only)
    fast = io.BytesIO()
    written = write_frozen_round_csv(ranked.id, fast, winners_only=winners_only)
    if db.engine.dialect.name != "postgresql":
        assert written is None and fast.getvalue() == b""
        return
    assert fast.getvalue() == expected.getvalue()
