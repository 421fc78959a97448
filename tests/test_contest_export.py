"""`quizapp contests export CONTEST_ID -o FILE.toml`: the contest in the contest TOML, every key, so that
`contests create` on the file makes the same contest again (new ids); errors are clear and write nothing."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import select

from quizapp.domain.contests import parse_contest
from quizapp.domain.contests.toml_export import spec_toml
from quizapp.extensions import db
from quizapp.models import Contest, DrawRule, PrizeTier, Round
from quizapp.models.contests import ContestAudienceCategory, ContestAudienceUnit
from quizapp.services.contests import contest_spec, get_contest
from tests.services.test_contests import add_questions
from tests.services.test_standings import make_units

EVERY_KEY = '''
[contest]
title = "Tìm hiểu Nghị quyết Đại hội \\"XIV\\" của Đảng"
rules = """Thể lệ cuộc thi:
1. Mỗi người thi tối đa 3 lượt; đường dẫn C:\\\\thu-muc không phải là lỗi.

2. Đoạn thứ hai, có ""ngoặc kép"" và dấu ''."""
one_prize_per_contest = true
collective_level = 3
collective_metric = "average_score"
collective_prizes = [{ name = "Giải tập thể Nhất", count = 1 }, { name = "Giải tập thể Nhì", count = 2 }]
audience = ["HN-BD", "DN"]
audience_categories = ["Đảng viên", "đoàn viên"]

[[rounds]]
name = "Tuần 1"
opens_at = 2026-11-23T00:00:00+07:00
closes_at = "2026-11-29T23:59:59+07:00"
question_count = 8
time_limit_seconds = 900
grace_seconds = 15
max_attempts = 3
draw = [{ topic = "Chủ đề 1", count = 3 }, { bank = "Ngân hàng B", count = 2 },
        { difficulty = "Trung bình", count = 2 },
        { topic = "Chủ đề 3", bank = "Ngân hàng C", difficulty = "medium", count = 1 }]
prediction_question = "Có bao nhiêu người trả lời đúng tất cả?"
prediction_answer = "participants"
min_correct_for_prize = 5
review = "after_submit"
prizes = [{ name = "Giải Nhất", count = 1 }, { name = "Giải Nhì", count = 2 }]

[[rounds]]
name = "Tuần 2"
opens_at = 2026-11-30T00:00:00Z
closes_at = 2026-12-07T00:00:00+07:00
question_count = 5
time_limit_seconds = 600
prediction_answer = "manual"
review = "never"
'''


@pytest.fixture
def cli(app):
    make_units()
    add_questions("Ngân hàng A", "Chủ đề 1", 10, difficulty="easy")
    add_questions("Ngân hàng B", "Chủ đề 2", 10, difficulty="hard")
    add_questions("Ngân hàng C", "Chủ đề 3", 10, difficulty="medium")
    return app.test_cli_runner()


def create(cli, path: Path) -> Contest:
    result = cli.invoke(args=["contests", "create", str(path), "--json"])
    assert result.exit_code == 0, result.output
    db.session.expire_all()
    return get_contest(json.loads(result.stdout)["contest_id"])


def rows(model, where, leave_out=("id", "contest_id", "round_id", "created_at")) -> list[dict]:
    """Every column of the rows, but their ids and creation moment, in a stable order."""
    columns = [c for c in model.__table__.columns if c.name not in leave_out]
    found = db.session.execute(select(*columns).where(where).order_by(*model.__table__.primary_key.columns))
    return [dict(row._mapping) for row in found]


def everything(contest: Contest) -> dict:
    """The contest as the database holds it, without ids: the contest row, its rounds, their draw rules and
    prize tiers, the collective tiers and the audience."""
    round_ids = [r.id for r in contest.rounds]
    return {
        "contest": rows(Contest, Contest.id == contest.id, ("id", "created_at", "created_by_id")),
        "rounds": rows(Round, Round.contest_id == contest.id),
        "draw": [rows(DrawRule, DrawRule.round_id == round_id) for round_id in round_ids],
        "prizes": [rows(PrizeTier, PrizeTier.round_id == round_id) for round_id in round_ids],
        "collective": rows(PrizeTier, (PrizeTier.contest_id == contest.id) & PrizeTier.round_id.is_(None)),
        "audience": rows(ContestAudienceUnit, ContestAudienceUnit.contest_id == contest.id),
        "categories": rows(ContestAudienceCategory, ContestAudienceCategory.contest_id == contest.id),
    }


def test_export_then_create_makes_the_same_contest_again(cli, tmp_path):
    source = tmp_path / "source.toml"
    source.write_text(EVERY_KEY, encoding="utf-8")
    first = create(cli, source)
    assert contest_spec(first) == parse_contest(EVERY_KEY)  # everything the file said is held, and given back

    exported = tmp_path / "exported.toml"
    result = cli.invoke(args=["contests", "export", str(first.id), "-o", str(exported)])
    assert result.exit_code == 0, result.output
    assert f"cuộc thi {first.id}" in result.stdout and str(exported) in result.stdout
    text = exported.read_text("utf-8")
    assert "opens_at = 2026-11-30T07:00:00+07:00" in text  # a time given in UTC, written in Vietnam's offset
    assert 'rules = """\nThể lệ cuộc thi:\n1. Mỗi người' in text
    assert 'audience = [\n    "HN-BD",\n    "DN",\n]' in text and '"Đoàn viên"' in text
    assert "prediction_question" in text.split("[[rounds]]")[1] and "prediction_question" not in \
        text.split("[[rounds]]")[2]

    second = create(cli, exported)
    assert second.id != first.id and {r.id for r in second.rounds}.isdisjoint(r.id for r in first.rounds)
    first_rows, second_rows = everything(first), everything(second)
    assert second_rows == first_rows
    assert len(first_rows["draw"][0]) == 4 and len(first_rows["categories"]) == 2
    assert first_rows["draw"][0][3]["bank_id"] is not None and first_rows["draw"][0][2]["difficulty"] == "medium"
    again = tmp_path / "again.toml"
    assert cli.invoke(args=["contests", "export", str(second.id), "-o", str(again)]).exit_code == 0
    assert again.read_text("utf-8") == text


def test_a_contest_with_defaults_only_round_trips_too(cli, tmp_path):
    source = tmp_path / "plain.toml"
    source.write_text('[contest]\ntitle = "Cuộc thi ngắn"\n\n[[rounds]]\nname = "Đợt duy nhất"\n'
                      'opens_at = 2026-11-23T08:00:00+07:00\ncloses_at = 2026-11-23T20:00:00+07:00\n'
                      'question_count = 3\ntime_limit_seconds = 120\n', encoding="utf-8")
    first = create(cli, source)
    exported = tmp_path / "plain-out.toml"
    assert cli.invoke(args=["contests", "export", str(first.id), "-o", str(exported)]).exit_code == 0
    text = exported.read_text("utf-8")
    assert 'rules = ""' in text and "audience = []" in text and "draw = []" in text
    assert everything(create(cli, exported)) == everything(first)


def test_spec_toml_gives_back_the_spec_it_was_given():
    spec = parse_contest(EVERY_KEY)
    assert parse_contest(spec_toml(spec)) == spec


@pytest.mark.parametrize("contest_id", ["999", "abc", "99999999999999999999999"])
def test_an_unknown_contest_is_a_clear_error_and_writes_nothing(cli, tmp_path, contest_id):
    tmp_path = tmp_path / "xuat"  # the app's instance folder is in tmp_path
    tmp_path.mkdir()
    target = tmp_path / "out.toml"
    target.write_text("giữ nguyên", encoding="utf-8")
    result = cli.invoke(args=["contests", "export", contest_id, "-o", str(target)])
    assert result.exit_code == 1
    assert f"không có cuộc thi nào có mã '{contest_id}'" in result.output
    assert target.read_text("utf-8") == "giữ nguyên"
    assert list(tmp_path.iterdir()) == [target]


def test_an_unwritable_path_or_another_suffix_is_a_clear_error(cli, tmp_path):
    tmp_path = tmp_path / "xuat"
    tmp_path.mkdir()
    source = tmp_path / "source.toml"
    source.write_text(EVERY_KEY, encoding="utf-8")
    contest = create(cli, source)
    missing_folder = tmp_path / "không-có" / "out.toml"
    result = cli.invoke(args=["contests", "export", str(contest.id), "-o", str(missing_folder)])
    assert result.exit_code == 1 and f"không ghi được tệp {missing_folder}" in result.output
    result = cli.invoke(args=["contests", "export", str(contest.id), "-o", str(tmp_path / "out.json")])
    assert result.exit_code == 1 and "phải có đuôi .toml" in result.output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["source.toml"]


def test_a_failed_write_leaves_no_half_file(cli, tmp_path, monkeypatch):
    tmp_path = tmp_path / "xuat"
    tmp_path.mkdir()
    source = tmp_path / "source.toml"
    source.write_text(EVERY_KEY, encoding="utf-8")
    contest = create(cli, source)
    target = tmp_path / "out.toml"
    target.write_text("bản cũ", encoding="utf-8")

    def full_disk(self, data, encoding=None):
        Path.write_bytes(self, data.encode()[:10])
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(Path, "write_text", full_disk)
    result = cli.invoke(args=["contests", "export", str(contest.id), "-o", str(target)])
    assert result.exit_code == 1 and "No space left on device" in result.output
    assert target.read_bytes() == "bản cũ".encode()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.toml", "source.toml"]
