"""Collective standings from the database: who counts under which unit, for a round or the whole contest."""

from __future__ import annotations

import pytest

from quizapp.extensions import db
from quizapp.models import CollectiveMetric, Disqualification, Round
from quizapp.services.collectives import COLLECTIVE_COLUMNS, collective_standings
from quizapp.services.results import ResultsError
from tests.services.test_attempts import statements
from tests.services.test_standings import NOW, entry, make_contest, make_units, person


@pytest.fixture
def units(app):
    return make_units()


def by_code(frame) -> dict[str, dict]:
    return {row["code"]: row for row in frame.to_dict("records")}


def test_everyone_registered_under_a_unit_counts_for_it_at_the_chosen_level(units):
    contest = make_contest(collective_tiers=(("Giải tập thể", 1),))
    round_ = contest.rounds[0]
    deep, direct, other = person(unit=units["HN-BD-CB1"]), person(unit=units["HN-BD"]), person(unit=units["HN-HK"])
    province = person(unit=units["HN"])  # registered above level 2: counts for no unit at that level
    entry(round_, deep, 8)
    entry(round_, deep, 6)
    entry(round_, direct, 4)
    entry(round_, other, 10)
    entry(round_, province, 10)
    frame = collective_standings(contest, level=2, round_=round_, now=NOW)
    assert list(frame.columns) == list(COLLECTIVE_COLUMNS)
    rows = by_code(frame)
    assert set(rows) == {"HN-BD", "HN-HK"}
    assert (rows["HN-BD"]["participants"], rows["HN-BD"]["attempts"]) == (2, 3)
    assert rows["HN-BD"]["average_score"] == 6.0  # best 8 and best 4
    assert rows["HN-BD"]["participation_rate"] == pytest.approx(2 / 100)
    assert rows["HN-HK"]["participation_rate"] == pytest.approx(1 / 50)
    # equal rates (0.02): more participants ranks first, and wins the one collective prize
    assert frame["code"].tolist() == ["HN-BD", "HN-HK"] and frame["rank"].tolist() == [1, 2]
    assert frame["prize_name"].tolist() == ["Giải tập thể", None]
    roots = collective_standings(contest, level=1, round_=round_, now=NOW)
    assert by_code(roots)["HN"]["participants"] == 4 and by_code(roots)["DN"]["participants"] == 0


def test_the_contest_metric_orders_the_units(units):
    contest = make_contest(metric=CollectiveMetric.AVERAGE_SCORE)
    round_ = contest.rounds[0]
    for score in (2, 3):
        entry(round_, person(unit=units["HN-BD"]), score)
    entry(round_, person(unit=units["HN-HK"]), 9)
    frame = collective_standings(contest, level=2, round_=round_, now=NOW)
    assert frame["code"].tolist() == ["HN-HK", "HN-BD"]
    assert frame["average_score"].tolist() == [9.0, 2.5]


def test_hidden_people_and_disqualified_entries_do_not_count(units):
    contest = make_contest(rounds=2)
    week1, week2 = contest.rounds
    tester = person(unit=units["HN-BD"], hidden=True)
    cheat = person(unit=units["HN-BD"])
    entry(week1, tester, 10)
    entry(week1, cheat, 10)
    entry(week2, cheat, 3)
    db.session.add(Disqualification(round_id=week1.id, user_id=cheat.id, reason="Thi hộ", decided_at=NOW))
    db.session.commit()
    assert by_code(collective_standings(contest, level=2, round_=week1, now=NOW))["HN-BD"]["participants"] == 0
    whole = by_code(collective_standings(contest, level=2, round_=None, now=NOW))["HN-BD"]
    assert (whole["participants"], whole["attempts"], whole["average_score"]) == (1, 1, 3.0)


def test_for_the_whole_contest_people_count_once_with_their_best_round(units):
    contest = make_contest(rounds=2)
    week1, week2 = contest.rounds
    regular = person(unit=units["HN-HK"])
    entry(week1, regular, 4)
    entry(week2, regular, 7)
    entry(week2, regular, 5)
    entry(week2, person(unit=units["HN-HK"]), 1)
    row = by_code(collective_standings(contest, level=2, round_=None, now=NOW))["HN-HK"]
    assert (row["participants"], row["attempts"], row["average_score"]) == (2, 4, 4.0)


def test_a_unit_nobody_took_part_in_is_listed_but_wins_nothing(units):
    contest = make_contest(collective_tiers=(("Giải tập thể", 3),))
    entry(contest.rounds[0], person(unit=units["HN-HK"]), 5)
    frame = collective_standings(contest, level=2, round_=contest.rounds[0], now=NOW)
    assert frame["code"].tolist() == ["HN-HK", "HN-BD"] and frame["prize_name"].tolist() == ["Giải tập thể", None]


def test_bad_level_or_a_round_of_another_contest_is_refused(units):
    contest, other = make_contest(), make_contest(title="Cuộc thi khác")
    for call, code in ((lambda: collective_standings(contest, level=0, round_=None, now=NOW), "invalid_level"),
                       (lambda: collective_standings(contest, level=2, round_=other.rounds[0], now=NOW),
                        "round_not_in_contest")):
        with pytest.raises(ResultsError) as refused:
            call()
        assert refused.value.code == code


def test_a_level_below_the_tree_gives_an_empty_ranking(units):
    contest = make_contest()
    frame = collective_standings(contest, level=9, round_=None, now=NOW)
    assert frame.empty and list(frame.columns) == list(COLLECTIVE_COLUMNS)


def test_the_queries_do_not_grow_with_the_participants(units):
    contest = make_contest()
    round_ = contest.rounds[0]
    entry(round_, person(unit=units["HN-BD"]), 3)
    db.session.expire_all()
    contest = db.session.get(Round, round_.id).contest
    with statements() as few:
        collective_standings(contest, level=2, round_=None, now=NOW)
    for n in range(20):
        entry(round_, person(unit=units["HN-HK" if n % 2 else "HN-BD-CB1"]), n % 10)
    db.session.expire_all()
    contest = db.session.get(Round, round_.id).contest
    with statements() as many:
        collective_standings(contest, level=2, round_=None, now=NOW)
    assert len(few) == len(many) <= 4
