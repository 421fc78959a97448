"""The clock of an attempt (rule 1 of the contest). The server owns it; ``now`` is always an argument.

- An attempt's deadline is ``started_at + time limit + the participant's extension``, but never later than the
  round's close: nobody answers after the round has closed. The close is the effective one when the attempt
  starts (the scheduled close, or an organizer's earlier manual close).
- Answers are accepted up to ``deadline + grace`` inclusive (the grace absorbs network delay); one millisecond
  later they are refused. An attempt left open is closed once it no longer accepts answers, as of its
  deadline, with the answers saved by then.
- The duration is measured by the server in whole milliseconds: ``min(submitted_at, deadline) − started_at``,
  rounded down, so it never exceeds the time limit plus the extension.
- Start times are kept to the millisecond, so that a deadline and a duration are exact in milliseconds.
"""

from __future__ import annotations

from datetime import datetime, timedelta

MILLISECOND = timedelta(milliseconds=1)


def to_millisecond(now: datetime) -> datetime:
    """``now`` truncated to the millisecond: how an attempt's start (and a manual close) is stored."""
    return now.replace(microsecond=now.microsecond // 1000 * 1000)


def attempt_deadline(started_at: datetime, *, time_limit_seconds: int, extension_seconds: int,
                     round_close: datetime) -> datetime:
    """``started_at + time limit + extension``, capped by the round's (effective) close."""
    return min(started_at + timedelta(seconds=time_limit_seconds + extension_seconds), round_close)


def answer_cutoff(deadline: datetime, grace_seconds: int) -> datetime:
    """The last moment an answer is accepted: the deadline plus the network grace."""
    return deadline + timedelta(seconds=grace_seconds)


def accepts_answers(deadline: datetime, grace_seconds: int, now: datetime) -> bool:
    """True while answers are accepted: up to and including ``deadline + grace``."""
    return now <= answer_cutoff(deadline, grace_seconds)


def closing_moment(deadline: datetime, now: datetime) -> datetime:
    """When an attempt closed at ``now`` counts as submitted: ``now``, or its deadline if that came first."""
    return min(deadline, now)


def duration_ms(started_at: datetime, deadline: datetime, submitted_at: datetime) -> int:
    """Milliseconds from start to submission, counted at most up to the deadline (rounded down)."""
    return max(0, (closing_moment(deadline, submitted_at) - started_at) // MILLISECOND)


def review_open(review: str, *, attempt_finished: bool, attempts_left: bool, round_close: datetime,
                grace_seconds: int, now: datetime) -> bool:
    """Whether a participant may see the key (correct options, marks, explanations) of a finished attempt
    (rule 2). What they chose and their score they may always see once the attempt is finished.

    ``review`` is the round's setting: ``never``; ``after_submit``: once the participant can no longer use what
    they learn, i.e. they have no attempt left (``attempts_left``: one in progress, or the cap not reached while
    the round still takes new attempts), or the round is over; ``after_close``: once the round has closed and the
    grace of its last attempts has run out. With attempts left, the key of one attempt would answer the next.
    "The round is over" is the same moment in both: nobody still answering can be told the answers.
    """
    if not attempt_finished or review == "never":
        return False
    if now > answer_cutoff(round_close, grace_seconds):
        return True
    return review == "after_submit" and not attempts_left


def closed_by_round_close(*, status: str, submitted_at: datetime | None, deadline: datetime,
                          round_closed_at: datetime | None) -> bool:
    """Whether a finished attempt was closed because an organizer closed its round, not by its own time.

    Closing a round ends every attempt in progress at ``min(deadline, the close)`` (``expired``, with the answers
    saved): one whose deadline was still ahead counts as submitted at the round's close, before its deadline.
    """
    return (status == "expired" and round_closed_at is not None and submitted_at is not None
            and round_closed_at <= submitted_at < deadline)
