"""An attempt ended by the organizer's closing of its round is told apart from one that ran out of time."""

from datetime import UTC, datetime, timedelta

import pytest

from quizapp.domain.timing import closed_by_round_close

START = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)
DEADLINE = START + timedelta(minutes=15)
CLOSE = START + timedelta(minutes=5)


@pytest.mark.parametrize(("status", "submitted_at", "round_closed_at", "expected"), [
    ("expired", CLOSE, CLOSE, True),            # closed with the round, ten minutes before its deadline
    ("expired", DEADLINE, None, False),         # ran out of time, the round never closed early
    ("expired", DEADLINE, DEADLINE, False),     # the round closed exactly at its deadline: its own time ran out
    ("expired", DEADLINE, DEADLINE + timedelta(minutes=1), False),  # closed before the round was
    ("submitted", CLOSE, CLOSE, False),         # submitted by the participant as the round closed
    ("in_progress", None, CLOSE, False),
])
def test_closed_by_round_close(status, submitted_at, round_closed_at, expected):
    assert closed_by_round_close(status=status, submitted_at=submitted_at, deadline=DEADLINE,
                                 round_closed_at=round_closed_at) is expected
