"""Regrading after an answer key is fixed: the preview shows who moves and who gains or loses a prize, writes
nothing; applying re-scores every finished attempt in the database, refuses finalized rounds, and is audited."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from quizapp.extensions import db
from quizapp.models import Attempt, AttemptQuestion, AttemptStatus, AuditEntry, Question, Role
from quizapp.services.regrade import RegradeError, apply_regrade, correct_index, preview_regrade
from quizapp.services.results import finalize_round, reopen_round
from quizapp.services.standings import live_standings
from tests.services.test_flags import NOW, add_entry, build_scene

B = 1  # option B


@pytest.fixture
def scene(app):
    """Question 1's key is A, but B is right. Before the fix: Bình 4 (Nhất), Cường 3 (Nhì), An 3 (none)."""
    scene = build_scene(prizes=(("Giải Nhất", 1), ("Giải Nhì", 1)), question_count=4)
    add_entry(scene, "Nguyễn Văn An", correct=3, duration_ms=300_000, chosen=[B, 0, 0, 0])
    add_entry(scene, "Trần Thị Bình", correct=4, duration_ms=250_000, chosen=[0, 0, 0, 0])
    add_entry(scene, "Lê Văn Cường", correct=3, duration_ms=200_000, chosen=[2, 0, 0, 0])
    return scene


def _question(scene) -> Question:
    return db.session.get(Question, scene.questions[0].id)


def _correct_counts(scene) -> dict[str, int | None]:
    names = {user.id: name for name, user in scene.users.items()}
    rows = db.session.execute(select(Attempt.user_id, Attempt.correct_count)
                              .where(Attempt.round_id == scene.round.id)).all()
    return {names[user_id]: correct for user_id, correct in rows}


def _prizes(scene) -> dict[str, str]:
    frame = live_standings(scene.round, now=NOW).frame
    return {row.full_name: row.prize_name for row in frame.itertuples() if row.prize_name}


def test_the_preview_shows_who_moves_and_the_prize_changes_and_writes_nothing(scene):
    preview = preview_regrade(_question(scene), B, now=NOW)

    assert (preview.old_letter, preview.new_letter) == ("A", "B")
    [round_change] = preview.rounds
    assert (round_change.attempts_gaining, round_change.attempts_losing) == (1, 1)
    by_name = {change.full_name: change for change in round_change.changes}
    assert (by_name["Nguyễn Văn An"].old_rank, by_name["Nguyễn Văn An"].new_rank) == (3, 1)
    assert (by_name["Nguyễn Văn An"].old_prize, by_name["Nguyễn Văn An"].new_prize) == (None, "Giải Nhất")
    assert (by_name["Trần Thị Bình"].old_prize, by_name["Trần Thị Bình"].new_prize) == ("Giải Nhất", None)
    assert (by_name["Trần Thị Bình"].old_correct, by_name["Trần Thị Bình"].new_correct) == (4, 3)
    assert "Lê Văn Cường" not in by_name  # 2nd before and after, still Giải Nhì
    assert {c.full_name for c in round_change.prize_changes} == {"Nguyễn Văn An", "Trần Thị Bình"}
    # nothing was written
    db.session.rollback()
    assert correct_index(_question(scene)) == 0
    assert _correct_counts(scene) == {"Nguyễn Văn An": 3, "Trần Thị Bình": 4, "Lê Văn Cường": 3}
    assert _prizes(scene) == {"Trần Thị Bình": "Giải Nhất", "Lê Văn Cường": "Giải Nhì"}


def test_applying_moves_the_key_and_rescores_the_attempts_in_the_database(scene, make_user):
    organizer = make_user(Role.ORGANIZER)

    result = apply_regrade(_question(scene), B, actor=organizer, now=NOW, reason="Đáp án gốc bị nhầm")
    db.session.commit()

    assert (result.attempts_gaining, result.attempts_losing) == (1, 1)
    assert correct_index(_question(scene)) == B
    assert _correct_counts(scene) == {"Nguyễn Văn An": 4, "Trần Thị Bình": 3, "Lê Văn Cường": 3}
    flags = db.session.execute(select(AttemptQuestion.is_correct).where(
        AttemptQuestion.question_id == scene.questions[0].id).order_by(AttemptQuestion.attempt_id)).scalars().all()
    assert flags == [True, False, False]
    assert _prizes(scene) == {"Nguyễn Văn An": "Giải Nhất", "Lê Văn Cường": "Giải Nhì"}
    entries = db.session.scalars(select(AuditEntry).order_by(AuditEntry.id)).all()
    assert [(e.action, e.object_type, e.reason) for e in entries] == [
        ("question.regrade", "question", "Đáp án gốc bị nhầm"), ("round.regrade", "round", "Đáp án gốc bị nhầm")]
    assert entries[0].details["old_answer"] == "A" and entries[0].details["new_answer"] == "B"
    assert entries[0].actor_id == organizer.id


def test_attempts_in_progress_are_left_to_be_scored_at_submission(scene):
    running = add_entry(scene, "Đang Thi", correct=0, status=AttemptStatus.IN_PROGRESS, chosen=[B, 0, 0, 0])
    db.session.execute(Attempt.__table__.update().where(Attempt.id == running.id).values(correct_count=None))
    db.session.commit()

    apply_regrade(_question(scene), B, actor=None, now=NOW, reason="Sửa đáp án")
    db.session.commit()

    assert _correct_counts(scene)["Đang Thi"] is None


def test_a_finalized_round_is_named_and_refused_until_reopened(scene, make_user):
    judge = make_user(Role.JUDGE)
    finalize_round(scene.round, actor=judge, now=NOW)
    db.session.commit()

    preview = preview_regrade(_question(scene), B, now=NOW)
    assert [r.round.name for r in preview.finalized_rounds] == ["Tuần 1"]
    with pytest.raises(RegradeError) as refused:
        apply_regrade(_question(scene), B, actor=judge, now=NOW, reason="Sửa đáp án")
    assert refused.value.code == "finalized_rounds"
    assert [r["name"] for r in refused.value.data["rounds"]] == ["Tuần 1"]
    db.session.rollback()
    assert correct_index(_question(scene)) == 0
    assert _correct_counts(scene)["Nguyễn Văn An"] == 3

    reopen_round(scene.round, actor=judge, now=NOW + timedelta(minutes=5), reason="Chấm lại câu 1")
    apply_regrade(_question(scene), B, actor=judge, now=NOW + timedelta(minutes=6), reason="Sửa đáp án")
    db.session.commit()
    assert _correct_counts(scene)["Nguyễn Văn An"] == 4


@pytest.mark.parametrize(("index", "reason", "code"), [
    (B, "  ", "reason_required"),
    (0, "Sửa", "answer_unchanged"),
    (7, "Sửa", "option_out_of_range"),
])
def test_bad_regrades_are_refused_and_change_nothing(scene, index, reason, code):
    with pytest.raises(RegradeError) as refused:
        apply_regrade(_question(scene), index, actor=None, now=NOW, reason=reason)
    assert refused.value.code == code
    db.session.rollback()
    assert correct_index(_question(scene)) == 0
    assert db.session.scalar(select(AuditEntry.id)) is None


def test_a_question_used_in_two_rounds_reports_both(scene):
    other = build_scene(prizes=(("Giải Nhất", 1),), question_count=4, units=scene.units, contest=scene.contest,
                        round_name="Tuần 2")
    # Tuần 2 drew the same first question
    other.questions[0] = scene.questions[0]
    add_entry(other, "Phạm Thị Dung", correct=0, duration_ms=100_000, chosen=[B, 1, 1, 1])
    add_entry(other, "Võ Văn Em", correct=1, duration_ms=200_000, chosen=[2, 0, 1, 1])

    preview = preview_regrade(_question(scene), B, now=NOW)

    assert [r.round.name for r in preview.rounds] == ["Tuần 1", "Tuần 2"]
    assert preview.attempts_changing == 3
    assert [(c.full_name, c.new_prize) for c in preview.rounds[1].prize_changes] == [
        ("Phạm Thị Dung", "Giải Nhất"), ("Võ Văn Em", None)]
