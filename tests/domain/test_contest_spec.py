"""The contest TOML: what it accepts, and every problem it names by its TOML path (no app, no database)."""

from __future__ import annotations

import copy
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
import tomli_w

from quizapp.domain.contests import (
    ContestSpecError,
    QuestionCell,
    contest_phase,
    decode_contest_file,
    draw_problems,
    parse_contest,
    round_status,
)

VN = timezone(timedelta(hours=7))
SPEC_EXAMPLE = Path(__file__).resolve().parents[2] / "quizapp" / "demo" / "contest.toml"


def base() -> dict:
    """A valid contest with two rounds, as the parsed TOML document."""
    return {
        "contest": {"title": "Cuộc thi thử", "rules": "Thể lệ"},
        "rounds": [
            {"name": "Tuần 1", "opens_at": datetime(2026, 11, 23, tzinfo=VN),
             "closes_at": datetime(2026, 11, 30, tzinfo=VN), "question_count": 20, "time_limit_seconds": 900,
             "draw": [{"topic": "A", "count": 12}, {"topic": "B", "count": 8}],
             "prizes": [{"name": "Giải Nhất", "count": 1}, {"name": "Giải Nhì", "count": 2}]},
            {"name": "Tuần 2", "opens_at": datetime(2026, 11, 30, tzinfo=VN),
             "closes_at": datetime(2026, 12, 7, tzinfo=VN), "question_count": 10, "time_limit_seconds": 600},
        ],
    }


def problems_of(document: dict) -> list[tuple[str, str]]:
    with pytest.raises(ContestSpecError) as caught:
        parse_contest(tomli_w.dumps(document))
    return [(p.code, p.key) for p in caught.value.problems]


def changed(path: str, value: object = ..., *, delete: bool = False) -> dict:
    """``base()`` with the value at ``path`` (``rounds.1.closes_at``) replaced or deleted."""
    document = copy.deepcopy(base())
    *parents, last = [int(p) if p.isdigit() else p for p in path.split(".")]
    target = document
    for part in parents:
        target = target[part]
    if delete:
        del target[last]
    else:
        target[last] = value
    return document


def test_the_spec_example_reads_with_every_value():
    spec = parse_contest(SPEC_EXAMPLE.read_text(encoding="utf-8"))
    assert spec.title == "Tìm hiểu tư tưởng, đạo đức, phong cách Hồ Chí Minh năm 2026"
    assert spec.collective_metric == "participation_rate" and spec.collective_level == 2
    assert [(p.name, p.count) for p in spec.collective_prizes] == [("Giải tập thể", 3)]
    (round_,) = spec.rounds
    assert round_.opens_at == datetime(2026, 11, 22, 17, tzinfo=UTC)
    assert (round_.question_count, round_.time_limit_seconds, round_.grace_seconds, round_.max_attempts) == \
        (20, 900, 10, 3)
    assert [(d.topic, d.count) for d in round_.draw] == [("Tư tưởng Hồ Chí Minh", 12), ("Chuyên đề năm 2023", 8)]
    assert [p.count for p in round_.prizes] == [1, 2, 3, 5]
    assert (round_.prediction_answer, round_.review) == ("perfect_scores", "after_close")


def test_defaults_for_what_the_organizer_leaves_out():
    spec = parse_contest(tomli_w.dumps(base()))
    assert (spec.one_prize_per_contest, spec.collective_level, spec.collective_metric) == \
        (False, 2, "participation_rate")
    second = spec.rounds[1]
    assert (second.grace_seconds, second.max_attempts, second.min_correct_for_prize) == (10, 1, 0)
    assert (second.prediction_question, second.prediction_answer, second.review) == \
        (None, "perfect_scores", "after_close")
    assert second.draw == () and second.prizes == ()


def test_times_may_be_quoted_iso_text_and_are_kept_with_their_offset():
    spec = parse_contest(tomli_w.dumps(changed("rounds.1.closes_at", "2026-12-07T00:00:00+07:00")))
    assert spec.rounds[1].closes_at == datetime(2026, 12, 6, 17, tzinfo=UTC)


@pytest.mark.parametrize(("value", "expected"), [("Khó", "hard"), ("trung bình", "medium"), ("DE", "easy"),
                                                 ("easy", "easy")])
def test_difficulty_accepts_english_and_vietnamese(value, expected):
    document = changed("rounds.0.draw", [{"topic": "A", "difficulty": value, "count": 20}])
    assert parse_contest(tomli_w.dumps(document)).rounds[0].draw[0].difficulty == expected


def test_a_syntax_error_gives_its_line_and_column():
    with pytest.raises(ContestSpecError) as caught:
        parse_contest('[contest]\ntitle = "x"\nrules = thể lệ\n')
    (problem,) = caught.value.problems
    assert problem.code == "toml_syntax" and (problem.data["line"], problem.data["column"]) == (3, 9)


def test_a_file_that_is_not_utf8_is_refused():
    with pytest.raises(ContestSpecError) as caught:
        decode_contest_file("title = 'Hồ Chí Minh'".encode("utf-16"))
    assert caught.value.problems[0].code == "bad_encoding"
    assert decode_contest_file(b"\xef\xbb\xbfa = 1") == "a = 1"


@pytest.mark.parametrize("path", ["contest.title", "rounds.0.name", "rounds.0.opens_at", "rounds.0.closes_at",
                                  "rounds.1.question_count", "rounds.1.time_limit_seconds"])
def test_required_keys(path):
    key = path.replace(".0.", "[0].").replace(".1.", "[1].")
    assert ("missing_key", key) in problems_of(changed(path, delete=True))


def test_rounds_are_required_and_not_empty():
    assert problems_of(changed("rounds", delete=True)) == [("missing_key", "rounds")]
    assert problems_of(changed("rounds", [])) == [("no_rounds", "rounds")]


@pytest.mark.parametrize(("path", "value", "code", "key"), [
    ("rounds.1.opens_at", datetime(2026, 11, 30), "naive_time", "rounds[1].opens_at"),
    ("rounds.1.closes_at", "7/12/2026", "not_a_datetime", "rounds[1].closes_at"),
    ("rounds.1.closes_at", datetime(2026, 12, 7).date(), "not_a_datetime", "rounds[1].closes_at"),
    ("rounds.1.closes_at", datetime(2026, 11, 30, tzinfo=VN), "window_reversed", "rounds[1].closes_at"),
    ("rounds.1.opens_at", datetime(2026, 11, 29, tzinfo=VN), "round_overlaps", "rounds[1].opens_at"),
    ("rounds.1.opens_at", datetime(2026, 11, 1, tzinfo=VN), "round_out_of_order", "rounds[1].opens_at"),
    ("rounds.1.name", "tuần 1", "duplicate_round_name", "rounds[1].name"),
    ("rounds.1.name", "  ", "empty_text", "rounds[1].name"),
    ("contest.title", "x" * 301, "text_too_long", "contest.title"),
    ("rounds.1.question_count", 0, "out_of_range", "rounds[1].question_count"),
    ("rounds.1.question_count", "10", "wrong_type", "rounds[1].question_count"),
    ("rounds.1.time_limit_seconds", -5, "out_of_range", "rounds[1].time_limit_seconds"),
    ("rounds.1.time_limit_seconds", 10**12, "out_of_range", "rounds[1].time_limit_seconds"),
    ("rounds.1.max_attempts", 0, "out_of_range", "rounds[1].max_attempts"),
    ("rounds.1.max_attempts", True, "wrong_type", "rounds[1].max_attempts"),
    ("rounds.1.grace_seconds", -1, "out_of_range", "rounds[1].grace_seconds"),
    ("rounds.1.min_correct_for_prize", 11, "min_correct_above_question_count", "rounds[1].min_correct_for_prize"),
    ("contest.collective_level", 0, "out_of_range", "contest.collective_level"),
    ("contest.one_prize_per_contest", "có", "wrong_type", "contest.one_prize_per_contest"),
    ("contest.collective_metric", "rate", "not_allowed", "contest.collective_metric"),
    ("rounds.1.prediction_answer", "exact", "not_allowed", "rounds[1].prediction_answer"),
    ("rounds.1.review", "always", "not_allowed", "rounds[1].review"),
    ("rounds.0.prizes.1.name", "giải nhất", "duplicate_prize_name", "rounds[0].prizes[1].name"),
    ("rounds.0.prizes.1.name", "", "empty_text", "rounds[0].prizes[1].name"),
    ("rounds.0.prizes.1.count", 0, "out_of_range", "rounds[0].prizes[1].count"),
    ("contest.collective_prizes", [{"name": "Tập thể"}], "missing_key", "contest.collective_prizes[0].count"),
    ("rounds.0.draw.1.count", 0, "out_of_range", "rounds[0].draw[1].count"),
    ("rounds.0.draw.1.count", 7, "draw_count_mismatch", "rounds[0].draw"),
    ("rounds.0.draw.1", {"count": 8}, "draw_without_selector", "rounds[0].draw[1]"),
    ("rounds.0.draw.1", {"topic": "", "count": 8}, "empty_text", "rounds[0].draw[1].topic"),
    ("rounds.0.draw.1", {"difficulty": "rất khó", "count": 8}, "not_allowed", "rounds[0].draw[1].difficulty"),
    ("rounds.0.draw", {"topic": "A", "count": 20}, "wrong_type", "rounds[0].draw"),
    ("contest", "Cuộc thi", "wrong_type", "contest"),
])
def test_each_rule_names_the_key_it_is_about(path, value, code, key):
    assert (code, key) in problems_of(changed(path, value))


def test_unknown_keys_suggest_the_nearest_and_where_a_key_belongs():
    document = changed("rounds.1.time_limit", 600)
    document["contest"]["titel"] = "x"
    document["contest"]["max_attempts"] = 3
    document["rounds"][0]["draw"][0]["topik"] = "A"
    with pytest.raises(ContestSpecError) as caught:
        parse_contest(tomli_w.dumps(document))
    found = {p.key: dict(p.data) for p in caught.value.problems if p.code == "unknown_key"}
    assert found["rounds[1].time_limit"]["suggestion"] == "time_limit_seconds"
    assert found["contest.titel"]["suggestion"] == "title"
    assert found["contest.max_attempts"]["belongs_to"] == "rounds"
    assert found["rounds[0].draw[0].topik"]["suggestion"] == "topic"


def test_every_problem_is_collected_not_just_the_first():
    document = changed("rounds.0.opens_at", datetime(2026, 11, 23))
    document["rounds"][1]["question_count"] = 0
    document["contest"]["collective_metric"] = "x"
    codes = problems_of(document)
    assert {("naive_time", "rounds[0].opens_at"), ("out_of_range", "rounds[1].question_count"),
            ("not_allowed", "contest.collective_metric")} <= set(codes)


def test_problems_inside_a_round_carry_the_round_name():
    with pytest.raises(ContestSpecError) as caught:
        parse_contest(tomli_w.dumps(changed("rounds.1.review", "x")))
    assert caught.value.problems[0].data["round"] == "Tuần 2"


# -- the draw against the banks --------------------------------------------------------------------------

def cells(*rows: tuple[str, str | None, str | None, int]) -> list[QuestionCell]:
    return [QuestionCell(bank=b, topic=t, difficulty=d, count=n) for b, t, d, n in rows]


def spec_with_draw(draw: list[dict], question_count: int):
    document = base()
    document["rounds"] = document["rounds"][:1]
    document["rounds"][0].update(draw=draw, question_count=question_count)
    return parse_contest(tomli_w.dumps(document))


def test_shortfall_names_the_entry_and_counts():
    spec = spec_with_draw([{"topic": "A", "count": 12}, {"topic": "B", "count": 8}], 20)
    (problem,) = draw_problems(spec, cells(("K", "A", None, 8), ("K", "B", None, 9)), {"K"})
    assert (problem.code, problem.key) == ("draw_shortfall", "rounds[0].draw[0]")
    assert (problem.data["topic"], problem.data["needed"], problem.data["available"]) == ("A", 12, 8)


def test_a_misspelt_topic_or_bank_gets_a_suggestion():
    spec = spec_with_draw([{"topic": "Chuyen de nam 2023", "count": 5}, {"bank": "Ngan hang 1", "count": 5}], 10)
    problems = draw_problems(spec, cells(("Ngân hàng 1", "Chuyên đề năm 2023", None, 50)), {"Ngân hàng 1"})
    assert [(p.code, p.key, p.data["suggestion"]) for p in problems] == [
        ("draw_shortfall", "rounds[0].draw[0]", "Chuyên đề năm 2023"),
        ("unknown_bank", "rounds[0].draw[1].bank", "Ngân hàng 1"),
    ]


def test_overlapping_pools_pass_when_they_can_share_out_and_fail_naming_the_group_when_not():
    draw = [{"topic": "A", "difficulty": "hard", "count": 3}, {"topic": "A", "count": 5}]
    spec = spec_with_draw(draw, 8)
    assert draw_problems(spec, cells(("K", "A", "hard", 4), ("K", "A", "easy", 4)), {"K"}) == []
    (problem,) = draw_problems(spec, cells(("K", "A", "hard", 4), ("K", "A", "easy", 3)), {"K"})
    assert problem.code == "draw_pools_overlap" and problem.key == "rounds[0].draw[0]"
    assert dict(problem.data) == {"others": ["rounds[0].draw[1]"], "shared": 4, "union": 7, "needed": 8,
                                 "round": "Tuần 1"}


def test_a_short_group_is_found_among_entries_that_each_have_enough():
    draw = [{"topic": "A", "count": 3}, {"difficulty": "easy", "count": 3}, {"topic": "C", "count": 2}]
    spec = spec_with_draw(draw, 8)
    bank = cells(("K", "A", "easy", 4), ("K", "C", "hard", 2))
    (problem,) = draw_problems(spec, bank, {"K"})
    assert problem.key == "rounds[0].draw[0]" and problem.data["others"] == ["rounds[0].draw[1]"]
    assert (problem.data["union"], problem.data["needed"]) == (4, 6)


def test_a_round_without_draw_needs_enough_questions_in_all():
    spec = spec_with_draw([], 20)
    (problem,) = draw_problems(spec, cells(("K", "A", None, 19)), {"K"})
    assert (problem.code, problem.key, problem.data["available"]) == \
        ("not_enough_questions", "rounds[0].question_count", 19)
    assert draw_problems(spec, cells(("K", "A", None, 12), ("L", None, None, 8)), {"K", "L"}) == []


# -- status -----------------------------------------------------------------------------------------------

OPENS = datetime(2026, 11, 23, tzinfo=VN)
CLOSES = datetime(2026, 11, 30, tzinfo=VN)


@pytest.mark.parametrize(("now", "closed_at", "finalized_at", "expected"), [
    (OPENS - timedelta(seconds=1), None, None, "upcoming"),
    (OPENS, None, None, "open"),
    (CLOSES - timedelta(seconds=1), None, None, "open"),
    (CLOSES, None, None, "closed"),
    (OPENS + timedelta(days=1), OPENS + timedelta(hours=1), None, "closed"),
    (OPENS + timedelta(days=1), None, OPENS + timedelta(hours=2), "finalized"),
])
def test_round_status(now, closed_at, finalized_at, expected):
    assert round_status(opens_at=OPENS, closes_at=CLOSES, closed_at=closed_at, finalized_at=finalized_at,
                        now=now) == expected


def test_contest_phase():
    assert contest_phase(["closed", "open", "upcoming"]) == "open"
    assert contest_phase(["finalized", "upcoming"]) == "upcoming"
    assert contest_phase(["closed", "finalized"]) == "past"
