"""The dashboard's figures of a round, against counts made by hand: a small tree with member counts, people in
two categories, finished, expired, hidden, disqualified and unfinished attempts; and the counters' watermark
(counted once, never twice, whatever the order of refreshes and submissions)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from quizapp.extensions import db
from quizapp.models import AttemptStatus, Disqualification, RoundSummary
from quizapp.services.dashboard import refresh_round, round_figures
from quizapp.services.dashboard.figures import VIETNAM
from tests.services.test_standings import NOW, add_units, entry, make_contest, person

PARTY, YOUTH = "Đảng viên", "Đoàn viên"
# T (1000) › A (100) › A1 (10), A2 (20); T › B (50) › B1 (no member count); C (200) › C1 (30)
LAYOUT = (("T", "Tỉnh T", None, 1000), ("A", "Huyện A", "T", 100), ("A1", "Xã A1", "A", 10),
          ("A2", "Xã A2", "A", 20), ("B", "Huyện B", "T", 50), ("B1", "Xã B1", "B", 0), ("C", "Tỉnh C", None, 200),
          ("C1", "Huyện C1", "C", 30))


@pytest.fixture
def scene(app):
    """A round open at NOW (it opened 6 days before) with the people below; returns (round, units, people)."""
    units = add_units(LAYOUT)
    round_ = make_contest(closes_at=NOW + timedelta(days=1), question_count=10).rounds[0]
    people = {
        "p1": person(unit=units["A1"], category=PARTY), "p2": person(unit=units["A2"], category=YOUTH),
        "p3": person(unit=units["B"]), "hidden": person(unit=units["A1"], hidden=True),
        "cheat": person(unit=units["B1"]), "nowhere": person(category=PARTY),
        "p7": person(unit=units["A1"], category=PARTY),
    }
    day = timedelta(days=1)
    entry(round_, people["p1"], 8, at=timedelta(hours=1))                       # day 1
    entry(round_, people["p1"], 6, at=day + timedelta(hours=2), status=AttemptStatus.EXPIRED)   # day 2
    entry(round_, people["p2"], 10, at=day + timedelta(hours=3))                # day 2
    entry(round_, people["p3"], 5, at=2 * day)                                  # day 3
    entry(round_, people["hidden"], 9, at=2 * day)
    entry(round_, people["cheat"], 7, at=2 * day)
    entry(round_, people["nowhere"], 3, at=3 * day)                             # day 4
    entry(round_, people["p3"], 0, at=6 * day, status=AttemptStatus.IN_PROGRESS)   # started 5 minutes ago
    entry(round_, people["p7"], 0, at=6 * day, status=AttemptStatus.IN_PROGRESS)
    db.session.add(Disqualification(round_id=round_.id, user_id=people["cheat"].id, reason="Thi hộ",
                                    decided_at=NOW))
    db.session.commit()
    return round_, units, people


def by_code(figures) -> dict[str, tuple[int, int, float | None]]:
    return {u.code: (u.participants, u.entries, u.participation_rate) for u in figures.units.values()}


def test_every_figure_of_a_round_counted_by_hand(scene):
    round_, _units, _people = scene
    figures = round_figures(round_, now=NOW)
    # counted: p1 twice (submitted, expired), p2, p3, nowhere; not the hidden account, the disqualified entry,
    # or the two attempts in progress (which are the 2 "in progress now")
    assert (figures.entries, figures.participants, figures.in_progress, figures.unplaced) == (5, 4, 2, 1)
    assert by_code(figures) == {
        "T": (3, 4, 3 / 1000), "A": (2, 3, 2 / 100), "A1": (1, 2, 1 / 10), "A2": (1, 1, 1 / 20),
        "B": (1, 1, 1 / 50), "B1": (0, 0, None), "C": (0, 0, 0.0), "C1": (0, 0, 0.0)}
    assert [u.code for u in figures.children(None)] == ["C", "T"]
    assert [u.code for u in figures.children(figures.units_by_code["T"].id)] == ["A", "B"]
    assert [u.code for u in figures.silent()] == ["B1", "C"]  # C1 is under C, already listed
    assert [u.code for u in figures.silent(figures.units_by_code["A"].id)] == []
    assert dict(figures.scores) == {0: 0, 1: 0, 2: 0, 3: 1, 4: 0, 5: 1, 6: 1, 7: 0, 8: 1, 9: 0, 10: 1}
    opened = round_.opens_at.astimezone(VIETNAM).date()  # 25/11 07:00 in Vietnam: entries at 08:00, 09:00...
    days = dict(figures.by_day)
    assert list(days)[0] == opened and list(days)[-1] == NOW.astimezone(VIETNAM).date() and len(days) == 7
    assert [days[opened + timedelta(days=i)] for i in range(7)] == [1, 2, 1, 1, 0, 0, 0]
    assert len(figures.by_hour) == 48 and sum(n for _, n in figures.by_hour) == 0  # nothing in the last 48 h
    assert figures.categories == [PARTY, YOUTH]


def test_a_category_keeps_its_people_only(scene):
    round_, _units, _people = scene
    party = round_figures(round_, now=NOW, category=PARTY)
    assert (party.entries, party.participants, party.in_progress, party.unplaced) == (3, 2, 1, 1)
    assert by_code(party)["A1"] == (1, 2, 1 / 10) and by_code(party)["A2"] == (0, 0, 0.0)
    assert by_code(party)["B"] == (0, 0, 0.0)
    youth = round_figures(round_, now=NOW, category=YOUTH)
    assert (youth.entries, youth.participants, youth.in_progress) == (1, 1, 0)
    nobody = round_figures(round_, now=NOW, category="Hội viên")
    assert (nobody.entries, nobody.participants) == (0, 0) and sum(n for _, n in nobody.by_day) == 0


def test_the_watermark_stops_below_an_attempt_in_progress_and_counts_it_once_finished(scene):
    round_, _units, people = scene
    summary = refresh_round(round_, now=NOW)
    db.session.commit()
    assert summary.counted_through == min(a.id for a in _in_progress(round_)) - 1
    # p1 takes a third attempt after the refresh: counted above the watermark, p1 still counted once
    entry(round_, people["p1"], 9, at=timedelta(days=5))
    figures = round_figures(round_, now=NOW, max_age_seconds=3600)  # no refresh: the new one is read live
    assert (figures.entries, figures.participants) == (6, 4)
    # the attempts in progress finish; refreshing again (and again) counts everything exactly once
    for attempt in _in_progress(round_):
        attempt.status, attempt.correct_count, attempt.submitted_at = AttemptStatus.SUBMITTED, 4, NOW
        attempt.duration_ms = 1000
    db.session.commit()
    for _ in range(2):
        figures = round_figures(round_, now=NOW + timedelta(minutes=5), max_age_seconds=0)
        db.session.commit()
        assert (figures.entries, figures.participants, figures.in_progress) == (8, 5, 0)
        assert by_code(figures)["A1"] == (2, 4, 2 / 10) and by_code(figures)["B"] == (1, 2, 1 / 50)
    assert db.session.get(RoundSummary, round_.id).counted_through == max(a.id for a in _all(round_))
    rebuilt = refresh_round(round_, now=NOW + timedelta(minutes=5), full=True)
    db.session.commit()
    assert rebuilt.counted_through == max(a.id for a in _all(round_))
    again = round_figures(round_, now=NOW + timedelta(minutes=5), max_age_seconds=3600)
    assert (again.entries, again.participants, by_code(again)) == (8, 5, by_code(figures))


def test_an_attempt_whose_start_may_not_be_committed_yet_is_not_counted_under_the_watermark(scene):
    round_, _units, people = scene
    for attempt in _in_progress(round_):
        db.session.delete(attempt)
    db.session.commit()
    late = entry(round_, people["p2"], 7, at=timedelta(days=6), seconds=10)  # started 10 s before NOW
    summary = refresh_round(round_, now=NOW)
    assert summary.counted_through == max(a.id for a in _all(round_) if a.id != late.id) < late.id
    assert round_figures(round_, now=NOW, max_age_seconds=3600).entries == 6  # read live above the watermark


def test_a_round_nobody_took_part_in(app):
    units = add_units(LAYOUT)
    round_ = make_contest(closes_at=NOW + timedelta(days=1)).rounds[0]
    figures = round_figures(round_, now=NOW)
    assert (figures.entries, figures.participants, figures.in_progress) == (0, 0, 0)
    assert [u.code for u in figures.silent()] == ["C", "T"]
    assert figures.units[units["A"].id].participation_rate == 0.0
    assert all(isinstance(d, date) for d, _ in figures.by_day)


def _all(round_):
    from quizapp.models import Attempt

    return db.session.scalars(db.select(Attempt).where(Attempt.round_id == round_.id)).all()


def _in_progress(round_):
    return [a for a in _all(round_) if a.status is AttemptStatus.IN_PROGRESS]
