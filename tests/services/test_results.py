"""The judges' decisions: finalize, re-open, disqualify, reinstate, the manual prediction answer; all audited."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from quizapp.extensions import db
from quizapp.models import (
    Attempt,
    AttemptStatus,
    AuditEntry,
    Disqualification,
    PredictionAnswer,
    Role,
    Round,
    RoundResult,
)
from quizapp.services.results import (
    ResultsError,
    disqualify,
    finalize_round,
    reinstate,
    reopen_round,
    set_prediction_actual,
)
from quizapp.services.standings import round_standings
from tests.services.test_standings import CLOSES, NOW, entry, make_contest, names, person


@pytest.fixture
def judge(make_user):
    return make_user(Role.JUDGE, full_name="Giám khảo")


def frozen_rows(round_: Round) -> list[tuple]:
    return db.session.execute(
        select(RoundResult.rank, RoundResult.user_id, RoundResult.attempt_id, RoundResult.correct_count,
               RoundResult.prediction_gap, RoundResult.prize_name)
        .where(RoundResult.round_id == round_.id).order_by(RoundResult.rank)).tuples().all()


def audit_actions() -> list[str]:
    return db.session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)).all()


def code_of(call) -> str:
    with pytest.raises(ResultsError) as refused:
        call()
    return refused.value.code


# --- finalize -----------------------------------------------------------------------------------------------

def test_finalizing_freezes_ranking_prizes_and_the_prediction_answer(app, judge):
    round_ = make_contest().rounds[0]
    first, second, third = person("Một"), person("Hai"), person("Ba")
    a1 = entry(round_, first, 10, prediction=1)
    entry(round_, first, 7)
    a2 = entry(round_, second, 9, prediction=5)
    a3 = entry(round_, third, 9, prediction=2)
    standings = finalize_round(round_, actor=judge, now=NOW)
    db.session.commit()
    assert standings.frozen and standings.prediction_actual == 1
    assert frozen_rows(round_) == [(1, first.id, a1.id, 10, 0, "Giải Nhất"), (2, third.id, a3.id, 9, 1, "Giải Nhì"),
                                   (3, second.id, a2.id, 9, 4, "Giải Nhì")]
    stored = db.session.get(Round, round_.id)
    assert stored.finalized_at == NOW and stored.finalized_by_id == judge.id and stored.prediction_actual == 1
    entry_ = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "round.finalize")).one()
    assert entry_.actor_id == judge.id and entry_.object_id == round_.id
    assert entry_.details == {"ranked": 3, "excluded": 0, "prediction_actual": 1,
                              "prizes": {"Giải Nhất": 1, "Giải Nhì": 2}}


def test_finalizing_is_refused_while_entries_can_still_arrive(app, judge):
    round_ = make_contest(closes_at=NOW).rounds[0]
    entry(round_, person(), 5)
    assert code_of(lambda: finalize_round(round_, actor=judge, now=NOW - timedelta(seconds=1))) == "round_not_over"
    # the network grace after a scheduled close still lets submits in flight arrive
    assert code_of(lambda: finalize_round(round_, actor=judge, now=NOW + timedelta(seconds=9))) == "round_not_over"
    assert db.session.get(Round, round_.id).finalized_at is None and frozen_rows(round_) == []
    finalize_round(round_, actor=judge, now=NOW + timedelta(seconds=10))
    assert len(frozen_rows(round_)) == 1


def test_a_round_closed_early_by_an_organizer_can_be_finalized_at_once(app, judge):
    from quizapp.services.attempt_closing import close_round

    round_ = make_contest(closes_at=NOW + timedelta(days=3)).rounds[0]
    entry(round_, person("Xong"), 5)
    close_round(round_, actor=judge, now=NOW)
    finalize_round(round_, actor=judge, now=NOW + timedelta(milliseconds=1))
    assert names(round_standings(round_, now=NOW).frame) == ["Xong"]


def test_finalizing_closes_attempts_still_open_with_their_saved_answers(app, judge):
    round_ = make_contest().rounds[0]
    busy = person("Đang làm")
    entry(round_, busy, 0, status=AttemptStatus.IN_PROGRESS)
    standings = finalize_round(round_, actor=judge, now=NOW)
    attempt = db.session.scalars(select(Attempt)).one()
    db.session.refresh(attempt)
    assert attempt.status is AttemptStatus.EXPIRED and attempt.correct_count == 0
    assert names(standings.frame) == ["Đang làm"]
    assert audit_actions() == ["round.close", "round.finalize"]


def test_finalizing_twice_is_refused_and_changes_nothing(app, judge):
    round_ = make_contest().rounds[0]
    entry(round_, person(), 5)
    finalize_round(round_, actor=judge, now=NOW)
    db.session.commit()
    before = frozen_rows(round_)
    assert code_of(lambda: finalize_round(round_, actor=judge, now=NOW + timedelta(hours=1))) == "already_finalized"
    assert frozen_rows(round_) == before and audit_actions() == ["round.finalize"]


def test_a_second_judge_finalizing_at_the_same_time_loses_the_claim(app, judge):
    round_ = make_contest().rounds[0]
    entry(round_, person(), 5)
    db.session.execute(Round.__table__.update().where(Round.id == round_.id).values(finalized_at=NOW))
    # this judge's session still believes the round is not finalized
    assert round_.finalized_at is None
    assert code_of(lambda: finalize_round(round_, actor=judge, now=NOW)) == "already_finalized"
    assert frozen_rows(round_) == []


def test_a_manual_prediction_answer_must_be_entered_before_finalizing(app, judge):
    round_ = make_contest(prediction=PredictionAnswer.MANUAL).rounds[0]
    entry(round_, person("Gần"), 8, prediction=40)
    entry(round_, person("Xa"), 8, prediction=10)
    assert code_of(lambda: finalize_round(round_, actor=judge, now=NOW)) == "prediction_actual_missing"
    set_prediction_actual(round_, 42, actor=judge, now=NOW, reason="Số liệu của Ban Tổ chức")
    standings = finalize_round(round_, actor=judge, now=NOW)
    assert standings.prediction_actual == 42 and names(standings.frame) == ["Gần", "Xa"]
    recorded = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "round.prediction_actual")).one()
    assert recorded.details == {"value": 42, "previous": None} and recorded.reason == "Số liệu của Ban Tổ chức"


@pytest.mark.parametrize("value", [-1, 2**31, 1.5, True, "12"])
def test_a_bad_manual_answer_is_refused(app, judge, value):
    round_ = make_contest(prediction=PredictionAnswer.MANUAL).rounds[0]
    assert code_of(lambda: set_prediction_actual(round_, value, actor=judge, now=NOW, reason=None)) \
        == "invalid_prediction_actual"
    assert round_.prediction_actual is None and audit_actions() == []


def test_the_manual_answer_is_only_for_manual_rounds_with_a_question(app, judge):
    automatic = make_contest().rounds[0]
    without = make_contest(prediction=None).rounds[0]
    assert code_of(lambda: set_prediction_actual(automatic, 3, actor=judge, now=NOW, reason=None)) \
        == "prediction_not_manual"
    assert code_of(lambda: set_prediction_actual(without, 3, actor=judge, now=NOW, reason=None)) \
        == "no_prediction_question"


# --- re-open ------------------------------------------------------------------------------------------------

def test_reopening_needs_a_reason_deletes_the_frozen_rows_and_is_audited(app, judge):
    round_ = make_contest().rounds[0]
    entry(round_, person(), 10)
    finalize_round(round_, actor=judge, now=NOW)
    assert code_of(lambda: reopen_round(round_, actor=judge, now=NOW, reason="   ")) == "reason_required"
    reopen_round(round_, actor=judge, now=NOW + timedelta(hours=1), reason="Khiếu nại của thí sinh")
    db.session.commit()
    stored = db.session.get(Round, round_.id)
    assert stored.finalized_at is None and stored.prediction_actual is None and frozen_rows(round_) == []
    reopened = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "round.reopen")).one()
    assert reopened.reason == "Khiếu nại của thí sinh" and reopened.actor_id == judge.id
    assert reopened.details["prizes"] == 1 and reopened.details["prediction_actual"] == 1
    assert not round_standings(stored, now=NOW).frozen


def test_reopening_keeps_a_manual_answer_and_refuses_a_round_not_finalized(app, judge):
    round_ = make_contest(prediction=PredictionAnswer.MANUAL).rounds[0]
    assert code_of(lambda: reopen_round(round_, actor=judge, now=NOW, reason="Thử")) == "not_finalized"
    set_prediction_actual(round_, 7, actor=judge, now=NOW, reason=None)
    finalize_round(round_, actor=judge, now=NOW)
    reopen_round(round_, actor=judge, now=NOW, reason="Sửa")
    assert round_.prediction_actual == 7


# --- disqualify / reinstate ---------------------------------------------------------------------------------

def test_disqualifying_sets_the_entry_aside_with_a_reason_and_reinstating_brings_it_back(app, judge):
    round_ = make_contest().rounds[0]
    cheat, honest = person("Gian lận"), person("Trung thực")
    entry(round_, cheat, 10)
    entry(round_, honest, 9)
    assert code_of(lambda: disqualify(round_, cheat, actor=judge, now=NOW, reason="")) == "reason_required"
    disqualify(round_, cheat, actor=judge, now=NOW, reason="Thi hộ")
    assert code_of(lambda: disqualify(round_, cheat, actor=judge, now=NOW, reason="Lần nữa")) \
        == "already_disqualified"
    standings = round_standings(round_, now=NOW)
    assert names(standings.frame) == ["Trung thực"] and names(standings.winners) == ["Trung thực"]
    assert standings.excluded["exclusion_note"].tolist() == ["Thi hộ"]
    reinstate(round_, cheat, actor=judge, now=NOW + timedelta(hours=1), reason="Đã xác minh")
    assert names(round_standings(round_, now=NOW).frame) == ["Gian lận", "Trung thực"]
    record = db.session.scalars(select(Disqualification)).one()
    assert (record.decided_by_id, record.lifted_by_id, record.lift_reason) == (judge.id, judge.id, "Đã xác minh")
    assert audit_actions() == ["round.disqualify", "round.reinstate"]
    assert code_of(lambda: reinstate(round_, cheat, actor=judge, now=NOW, reason="x")) == "not_disqualified"


def test_a_finalized_round_refuses_changes_until_it_is_reopened(app, judge):
    round_ = make_contest().rounds[0]
    cheat = person("Gian lận")
    entry(round_, cheat, 10)
    finalize_round(round_, actor=judge, now=NOW)
    assert code_of(lambda: disqualify(round_, cheat, actor=judge, now=NOW, reason="Muộn")) == "round_finalized"
    assert db.session.scalar(select(func.count()).select_from(Disqualification)) == 0
    reopen_round(round_, actor=judge, now=NOW, reason="Phát hiện gian lận")
    disqualify(round_, cheat, actor=judge, now=NOW, reason="Thi hộ")
    standings = finalize_round(round_, actor=judge, now=NOW + timedelta(minutes=5))
    assert standings.frame.empty and frozen_rows(round_) == []
    assert round_standings(round_, now=NOW).excluded["full_name"].tolist() == ["Gian lận"]


def test_only_people_with_an_attempt_can_be_disqualified(app, judge):
    round_ = make_contest().rounds[0]
    assert code_of(lambda: disqualify(round_, person(), actor=judge, now=NOW, reason="?")) == "not_a_participant"


def test_finalizing_an_empty_round_freezes_an_empty_ranking(app, judge):
    round_ = make_contest(closes_at=CLOSES).rounds[0]
    standings = finalize_round(round_, actor=judge, now=NOW)
    assert standings.frame.empty and standings.prize_counts() == [("Giải Nhất", 0), ("Giải Nhì", 0)]
    assert db.session.get(Round, round_.id).finalized_at == NOW
