"""`quizapp rounds close ROUND_ID` and `quizapp attempts sweep` through the command line (the real clock)."""

from __future__ import annotations

import random
from datetime import timedelta

import pytest
from sqlalchemy import select

from quizapp.extensions import db
from quizapp.models import Attempt, AttemptStatus, AuditEntry, Round, User
from quizapp.models.types import utcnow
from quizapp.services.attempts import save_answers, start_or_resume
from tests.services.test_attempts import make_bank, make_round, options_by_correctness


@pytest.fixture
def cli(app):
    return app.test_cli_runner()


def started(round_: Round, user: User, now) -> Attempt:
    attempt = db.session.get(Attempt, start_or_resume(round_.id, user.id, now=now, rng=random.Random(1)).id)
    right, _ = options_by_correctness(attempt.id)
    save_answers(attempt.id, dict(list(right.items())[:3]), user_id=user.id, now=now)
    db.session.commit()
    return attempt


def test_rounds_close_closes_open_attempts_with_their_answers_and_says_so(cli, make_user):
    now = utcnow()
    make_bank()
    round_ = make_round(opens_at=now - timedelta(hours=1), closes_at=now + timedelta(days=1))
    attempts = [started(round_, make_user(), now - timedelta(minutes=2)) for _ in range(2)]
    result = cli.invoke(args=["rounds", "close", str(round_.id)])
    assert result.exit_code == 0, result.output
    assert f"Đợt thi {round_.id}" in result.output and "2 lượt thi" in result.output
    db.session.expire_all()
    assert round_.closed_at is not None and now <= round_.closed_at <= utcnow()
    for attempt in attempts:
        assert (attempt.status, attempt.correct_count) == (AttemptStatus.EXPIRED, 3)
        assert 120_000 <= attempt.duration_ms < 900_000
    assert db.session.scalar(select(AuditEntry.action)) == "round.close"


def test_closing_a_round_again_says_it_was_already_closed(cli, make_user):
    now = utcnow()
    make_bank()
    round_ = make_round(opens_at=now - timedelta(hours=1), closes_at=now + timedelta(days=1))
    cli.invoke(args=["rounds", "close", str(round_.id)])
    again = cli.invoke(args=["rounds", "close", str(round_.id)])
    assert again.exit_code == 0 and "đã đóng từ trước" in again.output and "0 lượt thi" in again.output


@pytest.mark.parametrize("round_id", ["999", "abc", "1" * 30])
def test_an_unknown_round_exits_1_with_a_clear_message(cli, round_id):
    result = cli.invoke(args=["rounds", "close", round_id])
    assert result.exit_code == 1
    assert f"không có đợt thi nào có mã '{round_id}'" in result.output
    assert "Traceback" not in result.output


def test_the_sweep_closes_only_overdue_attempts(cli, make_user):
    now = utcnow()
    make_bank()
    round_ = make_round(opens_at=now - timedelta(hours=3), closes_at=now + timedelta(days=1))
    overdue = started(round_, make_user(), now - timedelta(hours=2))
    running = started(round_, make_user(), now - timedelta(minutes=1))
    result = cli.invoke(args=["attempts", "sweep"])
    assert result.exit_code == 0 and result.output.startswith("1 lượt thi")
    db.session.expire_all()
    assert (overdue.status, overdue.correct_count, overdue.duration_ms) == (AttemptStatus.EXPIRED, 3, 900_000)
    assert running.status is AttemptStatus.IN_PROGRESS
