"""`quizapp rounds finalize`, `quizapp results export` and `quizapp results collectives` (the real clock)."""

from __future__ import annotations

import csv
from datetime import timedelta

import openpyxl
import pytest

from quizapp.extensions import db
from quizapp.models import Round, RoundResult
from quizapp.models.types import utcnow
from tests.services.test_exports import COLLECTIVE_HEADER, ROUND_HEADER
from tests.services.test_standings import entry, make_contest, make_units, person


@pytest.fixture
def cli(app):
    return app.test_cli_runner()


@pytest.fixture
def finished(app):
    """A round closed yesterday: four participants, tiers Nhất 1 / Nhì 2, collective prize for one unit."""
    units = make_units()
    contest = make_contest(closes_at=utcnow() - timedelta(days=1), collective_tiers=(("Giải tập thể", 1),))
    round_ = contest.rounds[0]
    for name, correct, unit in (("Nguyễn Văn An", 10, "HN-BD"), ("Trần Thị Bình", 9, "HN-HK"),
                                ("Lê Văn Chi", 8, "HN-BD-CB1"), ("Phạm Thu Dung", 3, "HN-HK")):
        entry(round_, person(name, units[unit]), correct, prediction=1)
    return round_


def test_finalize_prints_the_summary_and_freezes(cli, finished):
    result = cli.invoke(args=["rounds", "finalize", str(finished.id)])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].startswith(f"Đợt thi {finished.id} (Tuần 1) đã được chốt kết quả: 4 người được xếp hạng")
    assert "  Đáp án câu hỏi dự đoán: 1" in lines
    assert "  Giải Nhất: 1 giải" in lines and "  Giải Nhì: 2 giải" in lines
    db.session.expire_all()
    assert db.session.get(Round, finished.id).finalized_at is not None
    assert db.session.query(RoundResult).count() == 4
    again = cli.invoke(args=["rounds", "finalize", str(finished.id)])
    assert again.exit_code == 1 and "đã được chốt kết quả lúc" in again.output


def test_finalize_refuses_a_round_still_open_with_a_clear_message(cli, app):
    make_units()
    round_ = make_contest(closes_at=utcnow() + timedelta(days=2)).rounds[0]
    result = cli.invoke(args=["rounds", "finalize", str(round_.id)])
    assert result.exit_code == 1 and "Đợt thi chưa kết thúc" in result.output
    assert "Traceback" not in result.output
    db.session.expire_all()
    assert db.session.get(Round, round_.id).finalized_at is None


@pytest.mark.parametrize("command", [["rounds", "finalize", "999"],
                                     ["results", "export", "999", "--all", "-o", "x.csv"],
                                     ["results", "export", "abc", "--winners", "-o", "x.xlsx"]])
def test_an_unknown_round_exits_1_with_a_clear_message(cli, app, command, tmp_path, monkeypatch):
    tmp_path = tmp_path / "out"
    tmp_path.mkdir()
    monkeypatch.chdir(tmp_path)
    result = cli.invoke(args=command)
    assert result.exit_code == 1 and f"không có đợt thi nào có mã '{command[2]}'" in result.output
    assert not (tmp_path / "x.csv").exists() and not (tmp_path / "x.xlsx").exists()


def test_export_all_to_csv_before_and_after_finalizing(cli, finished, tmp_path):
    out = tmp_path / "tat-ca.csv"
    provisional = cli.invoke(args=["results", "export", str(finished.id), "--all", "-o", str(out)])
    assert provisional.exit_code == 0, provisional.output
    assert "4 người được xếp hạng" in provisional.output and "TẠM THỜI" in provisional.output
    before = out.read_bytes()
    assert before.decode("utf-8").splitlines()[0] == ROUND_HEADER
    rows = list(csv.DictReader(before.decode("utf-8").splitlines()))
    assert [(r["rank"], r["full_name"], r["prize"]) for r in rows] == [
        ("1", "Nguyễn Văn An", "Giải Nhất"), ("2", "Trần Thị Bình", "Giải Nhì"), ("3", "Lê Văn Chi", "Giải Nhì"),
        ("4", "Phạm Thu Dung", "")]
    assert cli.invoke(args=["rounds", "finalize", str(finished.id)]).exit_code == 0
    final = cli.invoke(args=["results", "export", str(finished.id), "--all", "-o", str(out)])
    assert "kết quả chính thức" in final.output and out.read_bytes() == before


def test_export_winners_to_xlsx(cli, finished, tmp_path):
    out = tmp_path / "doat-giai.XLSX"
    result = cli.invoke(args=["results", "export", str(finished.id), "--winners", "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert "đã xuất 3 người đoạt giải" in result.output
    sheet = openpyxl.load_workbook(out).active
    assert sheet["A1"].value == finished.contest.title
    names = [sheet.cell(row, 2).value for row in range(1, sheet.max_row + 1)]
    assert names[-3:] == ["Nguyễn Văn An", "Trần Thị Bình", "Lê Văn Chi"]


def test_export_needs_winners_or_all_and_a_known_extension(cli, finished, tmp_path):
    tmp_path = tmp_path / "out"
    tmp_path.mkdir()
    neither = cli.invoke(args=["results", "export", str(finished.id), "-o", str(tmp_path / "a.csv")])
    assert neither.exit_code == 2 and "--winners" in neither.output and "--all" in neither.output
    bad = cli.invoke(args=["results", "export", str(finished.id), "--all", "-o", str(tmp_path / "a.pdf")])
    assert bad.exit_code == 1 and "đuôi .csv hoặc .xlsx" in bad.output
    missing_folder = cli.invoke(args=["results", "export", str(finished.id), "--all",
                                      "-o", str(tmp_path / "no" / "a.csv")])
    assert missing_folder.exit_code == 1 and "không ghi được tệp" in missing_folder.output
    assert list(tmp_path.iterdir()) == []


def test_collectives_export(cli, finished, tmp_path):
    out = tmp_path / "tap-the.csv"
    result = cli.invoke(args=["results", "collectives", str(finished.contest_id), "--level", "2", "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert "đã xuất 2 đơn vị cấp 2 (cả cuộc thi)" in result.output
    lines = out.read_text(encoding="utf-8").splitlines()
    assert lines[0] == COLLECTIVE_HEADER
    assert lines[1].startswith("1,HN-HK,Phường Hoàn Kiếm,50,2,2,0.04,") and lines[1].endswith(",Giải tập thể")
    by_round = cli.invoke(args=["results", "collectives", str(finished.contest_id), "--round", str(finished.id),
                                "--level", "1", "-o", str(tmp_path / "tinh.xlsx")])
    assert by_round.exit_code == 0 and "cấp 1 (đợt thi Tuần 1)" in by_round.output
    assert openpyxl.load_workbook(tmp_path / "tinh.xlsx").active["A1"].value == finished.contest.title


def test_collectives_refuse_unknown_contests_and_rounds_of_another_contest(cli, finished, tmp_path):
    tmp_path = tmp_path / "out"
    tmp_path.mkdir()
    other = make_contest(title="Cuộc thi khác").rounds[0]
    out = str(tmp_path / "x.csv")
    unknown = cli.invoke(args=["results", "collectives", "999", "--level", "2", "-o", out])
    assert unknown.exit_code == 1 and "không có cuộc thi nào có mã '999'" in unknown.output
    foreign = cli.invoke(args=["results", "collectives", str(finished.contest_id), "--round", str(other.id),
                               "--level", "2", "-o", out])
    assert foreign.exit_code == 1 and "không thuộc cuộc thi" in foreign.output
    bad_level = cli.invoke(args=["results", "collectives", str(finished.contest_id), "--level", "0", "-o", out])
    assert bad_level.exit_code == 2
    assert list(tmp_path.iterdir()) == []


def test_the_demo_has_a_finalized_round_with_simulated_entries_once(cli, app):
    from sqlalchemy import func, select

    from quizapp.models import Attempt, User
    from quizapp.services.demo_results import DEMO_PAST_ROUND, DEMO_SIMULATED

    first = cli.invoke(args=["demo"])
    assert first.exit_code == 0, first.output
    assert f"{DEMO_SIMULATED} người dự thi (mô phỏng)" in first.output and "đã chốt kết quả" in first.output
    past = db.session.scalars(select(Round).where(Round.name == DEMO_PAST_ROUND)).one()
    assert past.finalized_at is not None and past.closes_at < utcnow() - timedelta(days=7)
    assert db.session.scalar(select(func.count()).select_from(RoundResult).where(
        RoundResult.round_id == past.id)) == DEMO_SIMULATED
    phones = db.session.scalars(select(User.phone).join(Attempt, Attempt.user_id == User.id)
                                .where(Attempt.round_id == past.id).distinct()).all()
    assert len(phones) == DEMO_SIMULATED and all(p.startswith("09000") for p in phones)
    counts = (db.session.scalar(select(func.count()).select_from(User)),
              db.session.scalar(select(func.count()).select_from(Attempt)))
    again = cli.invoke(args=["demo"])
    assert again.exit_code == 0 and f"Đợt thi thử (đợt {past.id}): đã có." in again.output
    assert (db.session.scalar(select(func.count()).select_from(User)),
            db.session.scalar(select(func.count()).select_from(Attempt))) == counts
    client = app.test_client()
    assert client.get(f"/rounds/{past.id}/winners").status_code == 200
    assert "Giải Nhất" in client.get(f"/rounds/{past.id}/winners").get_data(as_text=True)


def test_ids_beyond_the_id_columns_are_a_clear_error_not_a_traceback(app):
    runner = app.test_cli_runner()
    for args in (["rounds", "finalize", "99999999999"], ["rounds", "close", "99999999999"],
                 ["results", "collectives", "99999999999", "-o", "x.csv"]):
        result = runner.invoke(args=args)
        assert result.exit_code == 1 and "99999999999" in result.output, args
