"""`quizapp contests create FILE.toml [--json]`: the contest is created whole, or every problem is printed in
Vietnamese with its TOML key and nothing is saved."""

from __future__ import annotations

import copy
import json
from datetime import datetime, timedelta, timezone

import pytest
import tomli_w
from sqlalchemy import func, select

from quizapp.extensions import db
from quizapp.models import AuditEntry, Contest, DrawRule, PrizeTier, Round
from tests.services.test_contests import SPEC_EXAMPLE, add_questions

VN = timezone(timedelta(hours=7))


@pytest.fixture
def cli(app):
    return app.test_cli_runner()


@pytest.fixture
def banks(app):
    add_questions("Tư tưởng", "Tư tưởng Hồ Chí Minh", 15)
    add_questions("Chuyên đề 2023", "Chuyên đề năm 2023", 8)


def write(tmp_path, text: str | bytes, name: str = "contest.toml") -> str:
    path = tmp_path / name
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return str(path)


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_json_output_is_one_object_matching_the_database(cli, tmp_path, banks):
    result = cli.invoke(args=["contests", "create", write(tmp_path, SPEC_EXAMPLE), "--json"])
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    contest = db.session.get(Contest, payload["contest_id"])
    assert contest.title == "Tìm hiểu tư tưởng, đạo đức, phong cách Hồ Chí Minh năm 2026"
    assert payload["rounds"] == [{"id": r.id, "name": r.name} for r in contest.rounds] == \
        [{"id": contest.rounds[0].id, "name": "Tuần 1"}]
    assert count(DrawRule) == 2 and count(PrizeTier) == 5


def test_plain_output_names_the_contest_and_its_rounds(cli, tmp_path, banks):
    result = cli.invoke(args=["contests", "create", write(tmp_path, SPEC_EXAMPLE)])
    assert result.exit_code == 0, result.output
    contest = db.session.scalar(select(Contest))
    assert f"Cuộc thi {contest.id}:" in result.stdout and f"đợt {contest.rounds[0].id}: Tuần 1" in result.stdout


def base() -> dict:
    return {
        "contest": {"title": "Cuộc thi thử"},
        "rounds": [
            {"name": "Tuần 1", "opens_at": datetime(2026, 11, 23, tzinfo=VN),
             "closes_at": datetime(2026, 11, 30, tzinfo=VN), "question_count": 20, "time_limit_seconds": 900,
             "draw": [{"topic": "Tư tưởng Hồ Chí Minh", "count": 12}, {"topic": "Chuyên đề năm 2023", "count": 8}],
             "prizes": [{"name": "Giải Nhất", "count": 1}]},
            {"name": "Tuần 2", "opens_at": datetime(2026, 11, 30, tzinfo=VN),
             "closes_at": datetime(2026, 12, 7, tzinfo=VN), "question_count": 5, "time_limit_seconds": 600},
        ],
    }


def edit(change) -> str:
    document = copy.deepcopy(base())
    change(document)
    return tomli_w.dumps(document)


def first_round(**values):
    return lambda d: d["rounds"][0].update(values)


def second_round(**values):
    return lambda d: d["rounds"][1].update(values)


CASES = [
    ("syntax", '[contest]\ntitle = "x"\n[[rounds]\n', "dòng 3", "Lỗi cú pháp TOML"),
    ("missing title", edit(lambda d: d["contest"].pop("title")), "contest.title", "bắt buộc"),
    ("empty title", edit(lambda d: d["contest"].update(title=" ")), "contest.title", "không được để trống"),
    ("no rounds", edit(lambda d: d.update(rounds=[])), "rounds", "chưa có đợt thi nào"),
    ("naive time", edit(second_round(opens_at=datetime(2026, 11, 30))), "rounds[1].opens_at",
     "hãy thêm +07:00"),
    ("date only", edit(second_round(closes_at=datetime(2026, 12, 7).date())), "rounds[1].closes_at",
     "không phải một thời điểm"),
    ("reversed", edit(second_round(closes_at=datetime(2026, 11, 29, tzinfo=VN))), "rounds[1].closes_at",
     "phải sau thời điểm mở"),
    ("overlap", edit(second_round(opens_at=datetime(2026, 11, 29, tzinfo=VN))), "rounds[1].opens_at",
     "không được chồng lên nhau"),
    ("order", edit(second_round(opens_at=datetime(2026, 11, 1, tzinfo=VN))), "rounds[1].opens_at",
     "thứ tự thời gian"),
    ("same name", edit(second_round(name="Tuần 1")), "rounds[1].name", "trùng với rounds[0].name"),
    ("count zero", edit(second_round(question_count=0)), "rounds[1].question_count", "từ 1 đến 500"),
    ("attempts", edit(second_round(max_attempts=0)), "rounds[1].max_attempts", "từ 1 đến 1000"),
    ("grace", edit(second_round(grace_seconds=-1)), "rounds[1].grace_seconds", "từ 0 đến 600"),
    ("type", edit(second_round(time_limit_seconds="900")), "rounds[1].time_limit_seconds",
     "phải là số nguyên, nhưng đang là chuỗi văn bản"),
    ("metric", edit(lambda d: d["contest"].update(collective_metric="rate")), "contest.collective_metric",
     "participants, attempts, participation_rate, average_score"),
    ("review", edit(second_round(review="always")), "rounds[1].review", "never, after_submit, after_close"),
    ("prediction", edit(second_round(prediction_answer="x")), "rounds[1].prediction_answer",
     "perfect_scores, participants, attempts, manual"),
    ("prize name", edit(first_round(prizes=[{"name": "Giải Nhất", "count": 1}, {"name": "Giải Nhất", "count": 2}])),
     "rounds[0].prizes[1].name", "trùng với rounds[0].prizes[0].name"),
    ("prize count", edit(first_round(prizes=[{"name": "Giải Nhất", "count": 0}])), "rounds[0].prizes[0].count",
     "từ 1 đến"),
    ("draw sum", edit(first_round(question_count=21)), "rounds[0].draw", "(20) phải bằng question_count (21)"),
    ("draw selector", edit(first_round(draw=[{"count": 20}])), "rounds[0].draw[0]", "ít nhất một điều kiện"),
    ("difficulty", edit(first_round(draw=[{"difficulty": "rất khó", "count": 20}])), "rounds[0].draw[0].difficulty",
     "easy, medium, hard, Dễ, Trung bình, Khó"),
    ("unknown key", edit(second_round(time_limit=5)), "rounds[1].time_limit",
     "có phải bạn muốn viết «time_limit_seconds»?"),
    ("misplaced key", edit(lambda d: d["contest"].update(max_attempts=3)), "contest.max_attempts",
     "thuộc bảng [[rounds]]"),
    ("shortfall", edit(first_round(draw=[{"topic": "Chuyên đề năm 2023", "count": 12},
                                         {"topic": "Tư tưởng Hồ Chí Minh", "count": 8}])),
     "rounds[0].draw[0] (đợt «Tuần 1», chủ đề «Chuyên đề năm 2023»)", "cần 12 câu, ngân hàng chỉ có 8 câu"),
    ("unknown bank", edit(first_round(draw=[{"bank": "Tu tuong", "count": 20}])), "rounds[0].draw[0].bank",
     "không có ngân hàng câu hỏi nào tên «Tu tuong»; có phải «Tư tưởng»?"),
    ("pools overlap", edit(first_round(draw=[{"topic": "Tư tưởng Hồ Chí Minh", "count": 10},
                                             {"bank": "Tư tưởng", "count": 10}])),
     "rounds[0].draw[0]", "cùng với rounds[0].draw[1] chọn từ những câu hỏi chung (15 câu"),
    ("no draw", edit(second_round(question_count=50)), "rounds[1].question_count",
     "cần 50 câu nhưng các ngân hàng chỉ có 23 câu"),
]


@pytest.mark.parametrize(("text", "key", "words"), [case[1:] for case in CASES], ids=[case[0] for case in CASES])
def test_each_problem_is_printed_with_its_key_in_vietnamese_and_nothing_is_saved(cli, tmp_path, banks, text, key,
                                                                                 words):
    result = cli.invoke(args=["contests", "create", write(tmp_path, text), "--json"])
    assert result.exit_code == 1
    assert result.stdout == ""
    assert "không có gì được lưu" in result.stderr
    assert any(key in line and words in line for line in result.stderr.splitlines()), result.stderr
    assert "Traceback" not in result.output
    assert count(Contest) == count(Round) == count(AuditEntry) == 0


def test_every_problem_of_a_file_is_listed(cli, tmp_path, banks):
    def several(d):
        d["contest"]["collective_metric"] = "rate"
        d["rounds"][1].update(question_count=0, review="x")

    result = cli.invoke(args=["contests", "create", write(tmp_path, edit(several))])
    assert result.exit_code == 1
    assert "3 lỗi" in result.stderr
    problems = [line for line in result.stderr.splitlines() if line.startswith("  - ")]
    assert len(problems) == 3


def test_a_file_that_is_not_utf8_or_missing_is_refused_plainly(cli, tmp_path):
    result = cli.invoke(args=["contests", "create", write(tmp_path, SPEC_EXAMPLE.encode("utf-16"))])
    assert result.exit_code == 1 and "UTF-8" in result.stderr
    missing = cli.invoke(args=["contests", "create", str(tmp_path / "nope.toml")])
    assert missing.exit_code != 0 and "không đọc được tệp" in missing.stderr and "Traceback" not in missing.output
