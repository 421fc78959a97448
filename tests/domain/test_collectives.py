"""Rule 8: units ranked by the participation and results of the people under them, and collective prizes."""

import pandas as pd
import pytest

from quizapp.domain.collectives import UNIT_COLUMNS, allocate_collective, rank_units
from quizapp.domain.ranking import ResultsInputError

# code: (unit_id, name, member_count)
UNITS = {
    "HD": (1, "Huyện Hoài Đức", 100),
    "DA": (2, "Huyện Đông Anh", 10),
    "SS": (3, "Huyện Sóc Sơn", 40),
    "BV": (4, "Huyện Ba Vì", 0),
    "MD": (5, "Huyện Mỹ Đức", 50),
}


def units():
    return pd.DataFrame([{"unit_id": uid, "code": code, "name": name, "member_count": members}
                         for code, (uid, name, members) in UNITS.items()])


def participants(*rows):
    """rows: (unit code, attempts, best correct) for one participant each."""
    return pd.DataFrame([{"user_id": i, "unit_id": UNITS[code][0], "attempts": attempts, "best_correct": best,
                          "question_count": 20}
                         for i, (code, attempts, best) in enumerate(rows, start=1)])


PEOPLE = participants(
    ("HD", 3, 20), ("HD", 1, 10), ("HD", 1, 12), ("HD", 2, 15), ("HD", 1, 11),   # 5 of 100, 8 attempts, avg 13.6
    ("DA", 4, 18), ("DA", 4, 19),                                                 # 2 of 10, 8 attempts, avg 18.5
    ("SS", 1, 9), ("SS", 1, 8), ("SS", 1, 7), ("SS", 1, 6),                      # 4 of 40, 4 attempts, avg 7.5
    ("BV", 2, 20),                                                                # 1 of 0 members, avg 20
)


def codes(frame):
    return list(frame["code"])


def by_code(frame, column):
    return dict(zip(frame["code"], frame[column], strict=True))


def test_figures_per_unit():
    result = rank_units(PEOPLE, units(), "participants")
    assert list(result.columns) == list(UNIT_COLUMNS)
    assert by_code(result, "participants") == {"HD": 5, "SS": 4, "DA": 2, "BV": 1, "MD": 0}
    assert by_code(result, "attempts") == {"HD": 8, "SS": 4, "DA": 8, "BV": 2, "MD": 0}
    assert by_code(result, "participation_rate") == {"HD": 0.05, "SS": 0.1, "DA": 0.2, "BV": 0.0, "MD": 0.0}
    assert by_code(result, "average_score") == {"HD": 13.6, "SS": 7.5, "DA": 18.5, "BV": 20.0, "MD": 0.0}
    assert list(result["rank"]) == [1, 2, 3, 4, 5]


@pytest.mark.parametrize(("metric", "expected"), [
    ("participants", ["HD", "SS", "DA", "BV", "MD"]),
    ("participation_rate", ["DA", "SS", "HD", "BV", "MD"]),
    ("average_score", ["BV", "DA", "HD", "SS", "MD"]),
    # HD and DA both have 8 attempts: DA's higher participation rate breaks the tie
    ("attempts", ["DA", "HD", "SS", "BV", "MD"]),
])
def test_units_are_ranked_by_the_contests_metric(metric, expected):
    assert codes(rank_units(PEOPLE, units(), metric)) == expected


def test_a_unit_without_participants_is_listed_with_zeros():
    result = rank_units(participants(("HD", 1, 5)), units(), "participation_rate")
    silent = result[result["code"] == "MD"].iloc[0]
    assert (silent["participants"], silent["attempts"], silent["participation_rate"], silent["average_score"]) \
        == (0, 0, 0.0, 0.0)
    assert len(result) == len(UNITS)


def test_full_ties_fall_back_to_the_unit_code():
    people = participants(("SS", 1, 10), ("MD", 1, 10))
    tied = units().assign(member_count=[100, 10, 10, 0, 10])
    assert codes(rank_units(people, tied, "participation_rate"))[:2] == ["MD", "SS"]


def test_tie_breaks_follow_rate_then_participants_then_average():
    tied = units().assign(member_count=[20, 10, 20, 0, 40])
    people = participants(("HD", 1, 10), ("HD", 1, 10), ("DA", 1, 12),                  # rates 0.1 and 0.1
                          ("SS", 1, 20), ("SS", 1, 20), ("SS", 1, 20), ("SS", 1, 20),  # 4 people...
                          ("MD", 1, 1), ("MD", 1, 1), ("MD", 1, 1), ("MD", 2, 1))      # ...4 people
    result = rank_units(people, tied, "attempts")
    # attempts: MD 5; then HD, DA, SS... SS 4 attempts; HD 2 and DA 1
    assert codes(result)[:2] == ["MD", "SS"]
    result = rank_units(people, tied, "participants")
    # SS and MD have 4 people; SS's rate 0.2 beats MD's 0.1
    assert codes(result)[:2] == ["SS", "MD"]
    result = rank_units(people, tied, "participation_rate")
    # SS 0.2; HD, DA and MD 0.1: MD has 4 people, HD 2, DA 1
    assert codes(result)[:4] == ["SS", "MD", "HD", "DA"]


def test_average_score_is_rounded_half_up_to_two_decimals_and_ranked_as_shown():
    people = participants(("HD", 1, 10), ("HD", 1, 10), ("HD", 1, 10), ("HD", 1, 11),   # 41/4 = 10.25
                          ("HD", 1, 0), ("HD", 1, 0), ("HD", 1, 0), ("HD", 1, 0),       # 41/8 = 5.125
                          ("DA", 1, 5), ("DA", 1, 5), ("DA", 1, 5), ("DA", 1, 6),       # 21/4 = 5.25
                          ("SS", 1, 2), ("SS", 1, 2), ("SS", 1, 3))                      # 7/3 = 2.333...
    result = rank_units(people, units(), "average_score")
    assert by_code(result, "average_score")["HD"] == 5.13
    assert by_code(result, "average_score")["SS"] == 2.33


def test_collective_prizes_skip_units_without_participants():
    result = rank_units(participants(("HD", 1, 5), ("DA", 1, 5)), units(), "participation_rate")
    prizes = allocate_collective(result, [(1, "Bằng khen", 1), (2, "Giấy khen", 3)])
    assert list(zip(prizes["unit_id"], prizes["prize_name"], strict=True)) == [
        (UNITS["DA"][0], "Bằng khen"), (UNITS["HD"][0], "Giấy khen")]


@pytest.mark.parametrize(("people", "metric", "code"), [
    (PEOPLE, "popularity", "unknown_metric"),
    (pd.concat([PEOPLE, PEOPLE.iloc[[0]]]), "participants", "duplicate_participant"),
    (PEOPLE.assign(unit_id=99), "participants", "unknown_unit"),
    (PEOPLE.assign(best_correct=21), "participants", "score_above_question_count"),
    (PEOPLE.drop(columns=["attempts"]), "participants", "missing_columns"),
])
def test_inconsistent_input_is_refused(people, metric, code):
    with pytest.raises(ResultsInputError) as caught:
        rank_units(people, units(), metric)
    assert caught.value.code == code
