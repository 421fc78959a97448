"""The one standings computation: who is ranked, in which order, with which prize, and what it costs."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from itertools import count

import pandas as pd
import pytest
from sqlalchemy import func, select

from quizapp.domain.ranking import explain
from quizapp.domain.text import fold
from quizapp.extensions import db
from quizapp.models import (
    Attempt,
    AttemptStatus,
    CollectiveMetric,
    Contest,
    Disqualification,
    PredictionAnswer,
    PrizeKind,
    PrizeTier,
    Role,
    Round,
    Unit,
    User,
)
from quizapp.services.standings import EXCLUDED_COLUMNS, FRAME_COLUMNS, live_standings, round_standings
from quizapp.services.units import rebuild_tree
from tests.services.test_attempts import statements

NOW = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)
OPENS = NOW - timedelta(days=8)
CLOSES = NOW - timedelta(days=1)
TIERS = (("Giải Nhất", 1), ("Giải Nhì", 2))
_people = count(1)


# --- builders shared with the results, collectives, exports, CLI and page tests ------------------------------

def make_units() -> dict[str, Unit]:
    """HN (1000 members) › HN-BD (100) › HN-BD-CB1 (10); HN › HN-HK (50); a second root DN (200)."""
    layout = (("HN", "Thành phố Hà Nội", None, 1000), ("HN-BD", "Phường Ba Đình", "HN", 100),
              ("HN-BD-CB1", "Chi bộ Khu dân cư số 1", "HN-BD", 10), ("HN-HK", "Phường Hoàn Kiếm", "HN", 50),
              ("DN", "Thành phố Đà Nẵng", None, 200))
    return add_units(layout)


def add_units(layout) -> dict[str, Unit]:
    """Units from ``(code, name, parent code or None, members)`` rows, parents first, with their closure table."""
    units: dict[str, Unit] = {}
    for code, name, parent, members in layout:
        unit = Unit(code=code, name=name, name_key=fold(name), member_count=members,
                    parent_id=units[parent].id if parent else None)
        db.session.add(unit)
        db.session.flush()
        units[code] = unit
    rebuild_tree()
    db.session.commit()
    return units


def make_contest(*, rounds: int = 1, tiers=TIERS, prediction: PredictionAnswer | None = PredictionAnswer.PERFECT_SCORES,
                 one_prize_per_contest: bool = False, min_correct: int = 0, question_count: int = 10,
                 closes_at: datetime = CLOSES, collective_tiers=(), level: int = 2,
                 metric: CollectiveMetric = CollectiveMetric.PARTICIPATION_RATE,
                 title: str = "Tìm hiểu tư tưởng Hồ Chí Minh") -> Contest:
    """A contest whose rounds (a week apart, the last closing at ``closes_at``) each give ``tiers``."""
    contest = Contest(title=title, one_prize_per_contest=one_prize_per_contest, collective_level=level,
                      collective_metric=metric)
    for position in range(1, rounds + 1):
        close = closes_at - timedelta(days=7 * (rounds - position))
        contest.rounds.append(Round(
            position=position, name=f"Tuần {position}", opens_at=close - timedelta(days=7), closes_at=close,
            question_count=question_count, time_limit_seconds=600, grace_seconds=10, max_attempts=3,
            min_correct_for_prize=min_correct,
            prediction_question="Có bao nhiêu người trả lời đúng tất cả?" if prediction else None,
            prediction_answer=prediction or PredictionAnswer.PERFECT_SCORES))
    db.session.add(contest)
    db.session.flush()
    for round_ in contest.rounds:
        for position, (name, places) in enumerate(tiers, start=1):
            db.session.add(PrizeTier(contest_id=contest.id, round_id=round_.id, kind=PrizeKind.INDIVIDUAL,
                                     position=position, name=name, count=places))
    for position, (name, places) in enumerate(collective_tiers, start=1):
        db.session.add(PrizeTier(contest_id=contest.id, round_id=None, kind=PrizeKind.COLLECTIVE,
                                 position=position, name=name, count=places))
    db.session.commit()
    return contest


def person(full_name: str = "Nguyễn Văn An", unit: Unit | None = None, **columns) -> User:
    """A participant (no usable password: these tests never sign in as them)."""
    n = next(_people)
    columns.setdefault("phone", f"09000{n:05d}")
    user = User(role=Role.PARTICIPANT, full_name=full_name, name_key=fold(full_name), password_hash="-",
                unit_id=unit.id if unit else None, **columns)
    db.session.add(user)
    db.session.commit()
    return user


def entry(round_: Round, user: User, correct: int, *, seconds: float = 300, at: timedelta = timedelta(hours=1),
          prediction: int | None = None, status: AttemptStatus = AttemptStatus.SUBMITTED) -> Attempt:
    """A finished attempt of ``user`` in ``round_``: ``correct`` answers in ``seconds``, submitted ``at`` after
    the round opened (in progress when ``status`` says so)."""
    number = 1 + db.session.scalar(select(func.count()).select_from(Attempt).where(
        Attempt.round_id == round_.id, Attempt.user_id == user.id))
    submitted = round_.opens_at + at
    finished = status is not AttemptStatus.IN_PROGRESS
    attempt = Attempt(round_id=round_.id, user_id=user.id, number=number, status=status,
                      started_at=submitted - timedelta(seconds=seconds), deadline_at=submitted + timedelta(hours=1),
                      submitted_at=submitted if finished else None,
                      duration_ms=int(seconds * 1000) if finished else None,
                      question_count=round_.question_count, correct_count=correct if finished else None,
                      prediction=prediction)
    db.session.add(attempt)
    db.session.commit()
    return attempt


def names(frame: pd.DataFrame) -> list[str]:
    return frame["full_name"].tolist()


@pytest.fixture
def units(app):
    return make_units()


# --- who is ranked, in which order -------------------------------------------------------------------------

def test_only_each_participants_best_attempt_counts_in_the_order_of_rule_5(units):
    round_ = make_contest().rounds[0]
    an, binh, chi = (person(n, units["HN-BD-CB1"]) for n in ("Nguyễn Văn An", "Trần Thị Bình", "Lê Văn Chi"))
    entry(round_, an, 6, seconds=100)
    best_of_an = entry(round_, an, 9, seconds=400)
    entry(round_, binh, 9, seconds=300)
    entry(round_, chi, 9, seconds=300, at=timedelta(hours=2))
    frame = live_standings(round_, now=NOW).frame
    assert list(frame.columns) == list(FRAME_COLUMNS)
    assert names(frame) == ["Trần Thị Bình", "Lê Văn Chi", "Nguyễn Văn An"]
    assert frame["rank"].tolist() == [1, 2, 3]
    assert frame["reason"].tolist() == [None, "submitted", "duration"]
    assert frame.iloc[2]["attempt_id"] == best_of_an.id and frame.iloc[2]["correct_count"] == 9
    row = frame.iloc[0]
    assert (row["unit_code"], row["unit_name"]) == ("HN-BD-CB1", "Chi bộ Khu dân cư số 1")
    assert row["unit_path"] == "Thành phố Hà Nội › Phường Ba Đình › Chi bộ Khu dân cư số 1"
    assert row["phone"].startswith("09000") and row["question_count"] == 10
    assert row["submitted_at"] == round_.opens_at + timedelta(hours=1)


def test_the_prediction_answer_is_counted_and_breaks_ties(units):
    round_ = make_contest().rounds[0]
    perfect = [person(f"Người {i}") for i in range(3)]
    for user, guess in zip(perfect, (10, 3, 1), strict=True):
        entry(round_, user, 10, prediction=guess)
    tied = [person("Xa"), person("Gần")]
    entry(round_, tied[0], 7, prediction=50, seconds=10)
    entry(round_, tied[1], 7, prediction=2, seconds=500)
    standings = live_standings(round_, now=NOW)
    assert standings.prediction_actual == 3  # three people answered all 10 correctly
    assert names(standings.frame) == ["Người 1", "Người 2", "Người 0", "Gần", "Xa"]
    assert standings.frame["prediction_gap"].tolist() == [0, 2, 7, 1, 47]
    assert standings.frame["reason"].tolist()[1:] == ["gap", "gap", "correct", "gap"]


@pytest.mark.parametrize(("mode", "expected"), [(PredictionAnswer.PARTICIPANTS, 2), (PredictionAnswer.ATTEMPTS, 3),
                                                (PredictionAnswer.MANUAL, None)])
def test_the_other_prediction_modes(units, mode, expected):
    round_ = make_contest(prediction=mode).rounds[0]
    first, second = person(), person()
    entry(round_, first, 5, prediction=1)
    entry(round_, first, 6, prediction=2)
    entry(round_, second, 6, prediction=3)
    assert live_standings(round_, now=NOW).prediction_actual == expected
    if mode is PredictionAnswer.MANUAL:
        round_.prediction_actual = 3
        standings = live_standings(round_, now=NOW)
        assert standings.prediction_actual == 3 and standings.frame["prediction_gap"].tolist() == [0, 1]


def test_without_a_prediction_question_the_gap_is_empty_and_plays_no_part(units):
    round_ = make_contest(prediction=None).rounds[0]
    slow, fast = person("Chậm"), person("Nhanh")
    entry(round_, slow, 8, prediction=1, seconds=500)
    entry(round_, fast, 8, prediction=999, seconds=100)
    standings = live_standings(round_, now=NOW)
    assert standings.prediction_actual is None
    assert names(standings.frame) == ["Nhanh", "Chậm"] and standings.frame["prediction_gap"].isna().all()
    assert standings.frame["prediction"].tolist() == [999, 1]


def test_attempts_in_progress_are_not_entries(units):
    round_ = make_contest(closes_at=NOW + timedelta(days=1)).rounds[0]
    done, busy = person("Đã nộp"), person("Đang làm")
    entry(round_, done, 3)
    entry(round_, busy, 0, status=AttemptStatus.IN_PROGRESS)
    assert names(live_standings(round_, now=NOW).frame) == ["Đã nộp"]


def test_an_attempt_closed_at_its_deadline_is_an_entry(units):
    round_ = make_contest().rounds[0]
    entry(round_, person("Hết giờ"), 4, status=AttemptStatus.EXPIRED)
    assert names(live_standings(round_, now=NOW).frame) == ["Hết giờ"]


# --- who is set aside, and the prizes ----------------------------------------------------------------------

def test_disqualified_and_hidden_people_are_set_aside_and_the_next_ones_move_up(units, make_user):
    round_ = make_contest().rounds[0]
    cheat, tester, first, second, third = (person(n) for n in ("Gian lận", "Thử nghiệm", "Một", "Hai", "Ba"))
    tester.hidden = True
    for user, correct in ((cheat, 10), (tester, 10), (first, 9), (second, 8), (third, 7)):
        entry(round_, user, correct)
    judge = make_user(Role.JUDGE)
    db.session.add(Disqualification(round_id=round_.id, user_id=cheat.id, reason="Dùng nhiều tài khoản",
                                    decided_by_id=judge.id, decided_at=NOW))
    db.session.add(Disqualification(round_id=round_.id, user_id=first.id, reason="Nhầm", decided_at=NOW,
                                    lifted_at=NOW))  # lifted: counts again
    db.session.commit()
    standings = live_standings(round_, now=NOW)
    assert names(standings.frame) == ["Một", "Hai", "Ba"]
    assert standings.frame["prize_name"].tolist() == ["Giải Nhất", "Giải Nhì", "Giải Nhì"]
    excluded = standings.excluded.sort_values("full_name")
    assert list(excluded.columns) == list(EXCLUDED_COLUMNS)
    assert names(excluded) == ["Gian lận", "Thử nghiệm"]
    assert excluded["exclusion_reason"].tolist() == ["disqualified", "hidden"]
    assert excluded["exclusion_note"].tolist() == ["Dùng nhiều tài khoản", None]
    assert standings.prediction_actual == 0  # the two perfect scores were set aside


def test_prizes_need_the_minimum_score_and_stop_when_tiers_are_full(units):
    round_ = make_contest(min_correct=5, tiers=(("Giải Nhất", 1), ("Giải Nhì", 1), ("Giải Ba", 5))).rounds[0]
    for correct in (9, 8, 5, 4):
        entry(round_, person(f"Điểm {correct}"), correct)
    standings = live_standings(round_, now=NOW)
    assert standings.frame["prize_name"].tolist() == ["Giải Nhất", "Giải Nhì", "Giải Ba", None]
    assert standings.frame["prize_tier_id"].isna().tolist() == [False, False, False, True]
    assert standings.prize_counts() == [("Giải Nhất", 1), ("Giải Nhì", 1), ("Giải Ba", 1)]
    assert names(standings.winners) == ["Điểm 9", "Điểm 8", "Điểm 5"]


def test_one_prize_per_contest_skips_winners_of_other_finalized_rounds(units, make_user):
    from quizapp.services.results import finalize_round

    contest = make_contest(rounds=2, one_prize_per_contest=True, tiers=(("Giải Nhất", 1),))
    week1, week2 = contest.rounds
    star, runner = person("Ngôi sao"), person("Á quân")
    for round_ in (week1, week2):
        entry(round_, star, 10)
        entry(round_, runner, 9)
    assert live_standings(week2, now=NOW).winners["full_name"].tolist() == ["Ngôi sao"]  # week 1 not final yet
    finalize_round(week1, actor=make_user(Role.JUDGE), now=NOW)
    standings = live_standings(week2, now=NOW)
    assert names(standings.frame) == ["Ngôi sao", "Á quân"] and names(standings.winners) == ["Á quân"]


def test_an_empty_round_has_empty_frames_with_every_column(units):
    standings = live_standings(make_contest().rounds[0], now=NOW)
    assert standings.frame.empty and list(standings.frame.columns) == list(FRAME_COLUMNS)
    assert standings.excluded.empty and list(standings.excluded.columns) == list(EXCLUDED_COLUMNS)
    assert standings.prediction_actual == 0 and standings.prize_counts() == [("Giải Nhất", 0), ("Giải Nhì", 0)]


def test_a_participant_without_a_unit_is_ranked_with_empty_unit_cells(units):
    round_ = make_contest().rounds[0]
    entry(round_, person("Không đơn vị"), 3)
    row = live_standings(round_, now=NOW).frame.iloc[0]
    assert row["unit_code"] is None and row["unit_path"] is None and pd.isna(row["unit_id"])


# --- the reasons agree with the domain's explain ------------------------------------------------------------

def test_the_reason_column_is_what_explain_says_for_each_pair_of_neighbours(units):
    round_ = make_contest().rounds[0]
    shapes = [(9, 100, 5, 1), (9, 100, 5, 2), (9, 100, 7, 1), (9, 90, 9, 1), (8, 10, 3, 1), (8, 10, None, 1)]
    for correct, seconds, guess, hour in shapes:
        entry(round_, person(), correct, seconds=seconds, prediction=guess, at=timedelta(hours=hour))
    frame = live_standings(round_, now=NOW).frame
    for above, below in zip(frame.index[:-1], frame.index[1:], strict=True):
        assert frame.loc[below, "reason"] == explain(frame.loc[above].to_dict(), frame.loc[below].to_dict())


# --- frozen -------------------------------------------------------------------------------------------------

def test_a_finalized_round_reads_its_frozen_rows_not_the_attempts(units, make_user):
    from quizapp.services.results import finalize_round

    round_ = make_contest().rounds[0]
    first, second = person("Một", units["HN-HK"]), person("Hai")
    entry(round_, first, 9, prediction=0)
    entry(round_, second, 8)
    cheat = person("Gian lận")
    entry(round_, cheat, 10)
    db.session.add(Disqualification(round_id=round_.id, user_id=cheat.id, reason="Gian lận", decided_at=NOW))
    live = finalize_round(round_, actor=make_user(Role.JUDGE), now=NOW)
    db.session.commit()
    entry(round_, second, 10)  # arrives after the freeze (e.g. a late write): changes nothing
    frozen = round_standings(round_, now=NOW + timedelta(hours=1))
    assert frozen.frozen and live.frozen
    columns = [c for c in FRAME_COLUMNS if c != "submitted_at"]
    pd.testing.assert_frame_equal(frozen.frame[columns], live.frame[columns], check_dtype=False)
    assert frozen.frame["submitted_at"].tolist() == live.frame["submitted_at"].tolist()
    assert names(frozen.excluded) == ["Gian lận"] and frozen.excluded["exclusion_reason"].tolist() == ["disqualified"]
    assert frozen.prediction_actual == 0 == db.session.get(Round, round_.id).prediction_actual


# --- what it costs ------------------------------------------------------------------------------------------

def test_the_number_of_queries_does_not_grow_with_the_entries(units):
    round_ = make_contest().rounds[0]
    for i in range(3):
        entry(round_, person(unit=units["HN-BD"]), i)
    db.session.expire_all()
    round_ = db.session.get(Round, round_.id)
    with statements() as few:
        live_standings(round_, now=NOW)
    for i in range(30):
        entry(round_, person(unit=units["HN-HK"]), i % 10, prediction=i)
    db.session.expire_all()
    round_ = db.session.get(Round, round_.id)
    with statements() as many:
        standings = live_standings(round_, now=NOW)
    assert len(many) == len(few) <= 8 and len(standings.frame) == 33
