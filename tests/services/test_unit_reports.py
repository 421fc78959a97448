"""A unit's report against counts made by hand: a tree, people inside and outside the subtree, a finalized round
with prizes and collective prizes, an open round whose figures rule 12 withholds, and the scope (nothing of a
unit outside the caller's subtree, whatever is asked)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from quizapp.domain.unit_reports import highest_silent, prize_tally, short_prize_name
from quizapp.extensions import db
from quizapp.models import CollectiveResult, Disqualification, PredictionAnswer, PrizeTier, RoundResult
from quizapp.services.unit_reports import UnitReportError, find_unit, unit_path, unit_report
from tests.services.test_standings import NOW, add_units, entry, make_contest, person

# T › A (100) › A1 (10), A2 (20); T › B (50) › B1; C (200), another root
LAYOUT = (("T", "Tỉnh T", None, 1000), ("A", "Huyện A", "T", 100), ("A1", "Xã A1", "A", 10),
          ("A2", "Xã A2", "A", 20), ("B", "Huyện B", "T", 50), ("B1", "Xã B1", "B", 5), ("C", "Tỉnh C", None, 200))


@pytest.fixture
def scene(app):
    """Round 1 closed and finalized; round 2 open now with an automatic prediction."""
    units = add_units(LAYOUT)
    contest = make_contest(rounds=2, closes_at=NOW + timedelta(days=3), tiers=(("Giải Nhất", 1), ("Giải Nhì", 2)))
    first, second = contest.rounds
    people = {
        "an": person("Lê Văn An", unit=units["A1"]), "binh": person("Trần Thị Bình", unit=units["A1"]),
        "cheat": person("Phạm Gian", unit=units["A2"]), "dir": person("Võ Trực Tiếp", unit=units["A"]),
        "hidden": person("Ẩn Danh", unit=units["A1"], hidden=True), "bee": person("Ngô B", unit=units["B1"]),
        "cee": person("Đỗ C", unit=units["C"]),
    }
    for key, correct in (("an", 7), ("an", 9), ("dir", 5), ("cheat", 10), ("hidden", 10), ("bee", 8), ("cee", 10)):
        entry(first, people[key], correct)
    entry(second, people["an"], 10)  # counted nowhere while round 2 is open
    db.session.add(Disqualification(round_id=first.id, user_id=people["cheat"].id, reason="Thi hộ", decided_at=NOW))
    tiers = {t.name: t.id for t in db.session.scalars(db.select(PrizeTier).where(PrizeTier.round_id == first.id))}
    for rank, (key, prize) in enumerate((("cee", "Giải Nhất"), ("an", "Giải Nhì"), ("bee", "Giải Nhì")), start=1):
        db.session.add(RoundResult(round_id=first.id, user_id=people[key].id, rank=rank, attempt_id=rank,
                                   correct_count=10, question_count=10, duration_ms=1000, submitted_at=NOW,
                                   prize_tier_id=tiers[prize], prize_name=prize))
    for rank, code in enumerate(("A1", "C"), start=1):
        db.session.add(CollectiveResult(contest_id=contest.id, round_id=None, level=2, rank=rank,
                                        unit_id=units[code].id, member_count=1, participants=1, attempts=1,
                                        participation_rate=1.0, average_score=1.0, prize_name="Giải tập thể"))
    first.finalized_at = NOW - timedelta(days=1)
    first.closes_at = NOW - timedelta(days=2)
    first.opens_at = first.closes_at - timedelta(days=7)
    db.session.commit()
    return contest, units, people


def test_the_subtree_of_a_district_counted_by_hand(scene):
    contest, units, people = scene
    report = unit_report(contest, unit=units["A"], scope_unit_id=units["A"].id, round_=None, now=NOW)
    first, second = contest.rounds
    assert report.counted_rounds == [first] and report.withheld_rounds == [second]
    # an twice, dir once; not the hidden account, not the disqualified entry, nothing of round 2 (open)
    assert (report.total.participants, report.total.entries) == (2, 3)
    assert report.total.participation_rate == 2 / 100
    assert [(u.code, u.participants, u.entries, u.participation_rate) for u in report.children] == [
        ("A1", 1, 2, 1 / 10), ("A2", 0, 0, 0.0)]
    assert (report.direct.participants, report.direct.entries) == (1, 1)
    assert [u.code for u in report.silent] == ["A2"]
    assert [(p.full_name, p.entries, p.best_correct) for p in report.people] == [
        ("Võ Trực Tiếp", 1, 5), ("Lê Văn An", 2, 9)]
    assert [p.full_name for p in report.absent] == ["Trần Thị Bình", "Phạm Gian"]
    people["binh"].merged_into_id = people["an"].id  # a duplicate account merged away is nobody to remind
    db.session.commit()
    again = unit_report(contest, unit=units["A"], scope_unit_id=units["A"].id, round_=None, now=NOW)
    assert [p.full_name for p in again.absent] == ["Phạm Gian"]
    assert all("xxx" in p.phone for p in (*report.people, *report.absent))  # masked (rule 11)
    assert [(p.full_name, p.prize_name) for p in report.prizes] == [("Lê Văn An", "Giải Nhì")]
    assert [(c.unit_code, c.prize_name) for c in report.collectives] == [("A1", "Giải tập thể")]
    assert [(t.name, t.count) for t in report.tally] == [("Nhì", 1)]


def test_an_open_round_with_an_automatic_prediction_shows_no_count(scene):
    contest, units, _people = scene
    second = contest.rounds[1]
    report = unit_report(contest, unit=units["A"], scope_unit_id=None, round_=second, now=NOW)
    assert not report.figures_shown and report.withheld_rounds == [second]
    assert (report.total.participants, report.total.entries, report.people, report.absent) == (0, 0, [], [])
    second.prediction_answer = PredictionAnswer.MANUAL  # the public could see a live board: so may the officer
    report = unit_report(contest, unit=units["A"], scope_unit_id=None, round_=second, now=NOW)
    assert (report.total.participants, report.total.entries) == (1, 1)
    second.prediction_answer = PredictionAnswer.PERFECT_SCORES
    second.closes_at = NOW - timedelta(seconds=5)  # closed, but an entry may still arrive within the grace
    in_grace = unit_report(contest, unit=units["A"], scope_unit_id=None, round_=second, now=NOW)
    assert not in_grace.figures_shown
    after = unit_report(contest, unit=units["A"], scope_unit_id=None, round_=None, now=NOW + timedelta(seconds=6))
    assert (after.total.participants, after.total.entries, after.withheld_rounds) == (2, 4, [])


def test_nothing_outside_the_scope_whatever_is_asked(scene):
    contest, units, _people = scene
    scope = units["A"].id
    for outside in ("C", "T", "B", "B1"):
        with pytest.raises(UnitReportError) as refused:
            unit_report(contest, unit=units[outside], scope_unit_id=scope, round_=None, now=NOW)
        assert refused.value.code == "outside_scope"
        assert find_unit(outside, scope) is None
    assert find_unit("A1", scope).code == "A1" and find_unit("nope", None) is None
    assert [u.code for u in unit_path(units["A1"], scope)] == ["A", "A1"]
    assert [u.code for u in unit_path(units["A1"], None)] == ["T", "A", "A1"]
    inner = unit_report(contest, unit=units["A1"], scope_unit_id=scope, round_=None, now=NOW)
    assert {p.unit_code for p in (*inner.people, *inner.absent)} == {"A1"}
    assert [p.full_name for p in inner.prizes] == ["Lê Văn An"] and inner.direct is None
    whole = unit_report(contest, unit=units["T"], scope_unit_id=None, round_=None, now=NOW)
    assert (whole.total.participants, whole.total.entries) == (3, 4)  # an, dir, bee; C is another root
    assert sorted(p.full_name for p in whole.prizes) == ["Lê Văn An", "Ngô B"]


def test_a_round_of_another_contest_is_refused(scene):
    contest, units, _people = scene
    other = make_contest(title="Khác").rounds[0]
    with pytest.raises(UnitReportError) as refused:
        unit_report(contest, unit=units["A"], scope_unit_id=None, round_=other, now=NOW)
    assert refused.value.code == "round_not_in_contest"


def test_pure_rules():
    assert short_prize_name("Giải Khuyến khích") == "Khuyến khích" and short_prize_name("Nhất") == "Nhất"
    tally = prize_tally([(3, "Giải Ba"), (2, "Giải Nhì"), (3, "Giải Ba"), (4, "Giải Khuyến khích")])
    assert [(t.name, t.count) for t in tally] == [("Nhì", 1), ("Ba", 2), ("Khuyến khích", 1)]
    tree = [(1, None), (2, 1), (3, 2), (4, 1), (5, 4)]
    assert highest_silent(tree, {1: 1, 4: 1, 5: 1}, top=1) == [2]
