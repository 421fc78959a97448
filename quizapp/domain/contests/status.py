"""Where a round (and a contest) stands at a given moment."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Literal

RoundStatus = Literal["upcoming", "open", "closed", "finalized"]
ContestPhase = Literal["open", "upcoming", "past"]


def effective_close(closes_at: datetime, closed_at: datetime | None) -> datetime:
    """When a round closes: as scheduled, or earlier when an organizer closed it (``closed_at``)."""
    return min(closes_at, closed_at) if closed_at is not None else closes_at


def round_status(*, opens_at: datetime, closes_at: datetime, closed_at: datetime | None,
                 finalized_at: datetime | None, now: datetime) -> RoundStatus:
    """The status of a round at ``now``.

    - finalized: a judge finalized it (whatever the clock says);
    - closed: ``now`` is at or past its close, the scheduled one or an earlier manual close (``closed_at``);
    - open: ``now`` is at or past ``opens_at`` and before the close;
    - upcoming: before ``opens_at``.
    """
    if finalized_at is not None:
        return "finalized"
    if now >= effective_close(closes_at, closed_at):
        return "closed"
    if now >= opens_at:
        return "open"
    return "upcoming"


def contest_phase(statuses: Iterable[RoundStatus]) -> ContestPhase:
    """A contest is open while one of its rounds is open, upcoming while a round is still to come (including
    between two rounds), and past once every round is closed or finalized."""
    seen = set(statuses)
    if "open" in seen:
        return "open"
    if "upcoming" in seen:
        return "upcoming"
    return "past"
