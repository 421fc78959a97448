"""Collectives of a contest with an audience: only the units that share a line with its units are ranked, and only
the participants it admits are counted (checked against a count made independently, person by person)."""

from __future__ import annotations

import random

import pytest

from quizapp.extensions import db
from quizapp.models import Contest
from quizapp.models.contests import ContestAudienceCategory, ContestAudienceUnit
from quizapp.services.collectives import collective_standings, participants_by_unit
from tests.services.test_standings import NOW, entry, make_contest, make_units, person

CATEGORIES = ("Đảng viên", "Đoàn viên", None)


@pytest.fixture
def scene(app):
    """A contest for Phường Ba Đình's Đảng viên, and 60 people spread over the tree and the categories, each with
    one to three finished entries; also the people (unit code, category, entries) to count from."""
    units = make_units()
    contest = make_contest(collective_tiers=(("Giải tập thể", 1),))
    db.session.add(ContestAudienceUnit(contest_id=contest.id, unit_id=units["HN-BD"].id, position=1))
    db.session.add(ContestAudienceCategory(contest_id=contest.id, category="Đảng viên", position=1))
    db.session.commit()
    rng = random.Random(7)
    people = []
    for n in range(60):
        code = rng.choice(sorted(units))
        category = rng.choice(CATEGORIES)
        someone = person(f"Người {n}", unit=units[code], category=category)
        entries = rng.randint(1, 3)
        for _ in range(entries):
            entry(contest.rounds[0], someone, rng.randint(0, 10))
        people.append((code, category, entries))
    return units, db.session.get(Contest, contest.id), people


def admitted(code: str, category: str | None) -> bool:
    """The audience of the scene, written out: in Phường Ba Đình or its cell, and a Đảng viên."""
    return code in ("HN-BD", "HN-BD-CB1") and category == "Đảng viên"


def test_only_the_audience_is_counted_and_only_its_units_are_ranked(scene):
    units, contest, people = scene
    expected_people = sum(1 for code, category, _ in people if admitted(code, category))
    expected_attempts = sum(entries for code, category, entries in people if admitted(code, category))
    assert 0 < expected_people < len(people)

    level2 = collective_standings(contest, level=2, round_=None, now=NOW)
    assert level2["code"].tolist() == ["HN-BD"]  # not Hoàn Kiếm, not the other root
    row = level2.iloc[0]
    assert (row["participants"], row["attempts"]) == (expected_people, expected_attempts)
    assert row["participation_rate"] == pytest.approx(expected_people / 100)
    assert row["prize_name"] == "Giải tập thể"

    in_cell = sum(1 for code, category, _ in people if code == "HN-BD-CB1" and admitted(code, category))
    level3 = collective_standings(contest, level=3, round_=contest.rounds[0], now=NOW)
    assert level3["code"].tolist() == ["HN-BD-CB1"] and level3.iloc[0]["participants"] == in_cell

    level1 = collective_standings(contest, level=1, round_=None, now=NOW)  # above the audience: its line only
    assert level1["code"].tolist() == ["HN"] and level1.iloc[0]["participants"] == expected_people

    by_unit = participants_by_unit(contest)
    assert by_unit.get(units["HN"].id) == expected_people
    assert units["HN-HK"].id not in by_unit and units["DN"].id not in by_unit


def test_without_an_audience_everyone_counts(scene):
    units, contest, people = scene
    db.session.query(ContestAudienceUnit).delete()
    db.session.query(ContestAudienceCategory).delete()
    db.session.commit()
    frame = collective_standings(contest, level=1, round_=None, now=NOW)
    totals = dict(zip(frame["code"], frame["participants"], strict=True))
    assert totals == {"HN": sum(1 for code, _, _ in people if code != "DN"),
                      "DN": sum(1 for code, _, _ in people if code == "DN")}
