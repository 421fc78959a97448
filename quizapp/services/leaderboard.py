"""The public results of a round as everybody may see them, kept in the cache: one :class:`Board` per round.

The leaderboard and winners pages and ``GET /api/v1/rounds/<id>/leaderboard`` read the board, built from the one
standings computation as rule 12 lets the public see it (``quizapp.services.disclosure``): while entries can
still arrive in a round whose prediction answer is counted, the board holds nothing but the round's name and
status (no count, no place, no entry); a round whose answer is entered by hand, or that has none, has a live
board without predictions; after the close, each entry's prediction and gap and the actual answer are shown.
Under the load of a closing round:

- the board is recomputed at most every :data:`BOARD_FRESH_SECONDS` per cache (one worker with Redis: the
  others keep serving the previous board while it is rebuilt), and as soon as its disclosure level changes
  (the round opens, or the last entry can no longer arrive); a hidden board costs no ranking at all;
- pages made from a board are kept at most :data:`PAGE_SECONDS` (``kept_page``/``keep_page``), and no longer
  than until the board's level changes, so that the ranking appears on time;
- a signed-in participant's own place is looked up in compact arrays cached beside the board (no ranking);
- one mechanism drops a round's board and pages when its results change: every action that changes them is
  audited against the round (rule 10), ``services.audit`` records the round on the session
  (``services.changes.round_changed``), and once the transaction commits, the listener installed by
  ``init_app`` forgets it (nothing is forgotten when it rolls back, and nothing before the commit, when a
  request could still read the old results and keep them).
"""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import numpy as np
from flask import Flask
from sqlalchemy import event
from sqlalchemy.orm import Session, SessionTransaction

from quizapp.domain.disclosure import Disclosure
from quizapp.domain.masking import mask_name
from quizapp.extensions import cache, db
from quizapp.models import Round
from quizapp.models.types import utcnow
from quizapp.services.changes import take_changed_rounds
from quizapp.services.contests import round_status
from quizapp.services.disclosure import public_standings
from quizapp.services.standings import Standings

BOARD_FRESH_SECONDS = 45
#: How long an anonymous page is served as rendered (seconds); the public lag is at most the sum of both.
PAGE_SECONDS = 15
#: The most entries a board keeps for the pages and the API (``limit`` goes up to it; beyond is a 422).
BOARD_SIZE = 200
_KEEP_SECONDS = 600  # a stale board is kept this long, to be served while a fresh one is computed
_LOCK_SECONDS = 120
#: In every cache key of this module: a board or page kept by a version that showed other things (before rule 12,
#: a ranking of an open round) is never served by this one, even from a Redis shared with older workers.
_VERSION = "v2"


@dataclass(frozen=True)
class Board:
    """What the public may see of a round's standings, small enough to cache and unpickle on every request.

    ``disclosure`` is the level of rule 12 (``hidden``: no count, no entry; ``live``; ``public``) and
    ``disclosure_until`` when it changes; ``prediction_actual`` and the entries' ``prediction`` and
    ``prediction_gap`` are there only once ``public``; ``changes_at`` is ``disclosure_until`` as ``time.time()``."""

    round_id: int
    contest_id: int
    contest_title: str
    round_name: str
    status: str
    finalized: bool
    updated_at: datetime
    disclosure: str
    disclosure_until: datetime | None
    has_prediction: bool
    prediction_actual: int | None
    ranked: int
    entries: list[dict[str, Any]]
    winners: list[tuple[str, list[dict[str, Any]]]]
    fresh_until: float
    changes_at: float | None


@dataclass(frozen=True)
class Places:
    """Every ranked participant's place, for "my place": user ids sorted, with their row in rank order."""

    sorted_user_ids: np.ndarray
    rows: np.ndarray
    correct: np.ndarray
    question_count: np.ndarray
    duration_ms: np.ndarray
    prediction: np.ndarray
    prediction_gap: np.ndarray
    prize: np.ndarray
    prize_names: list[str]

    def find(self, user_id: int) -> dict[str, Any] | None:
        """The participant's place, score, time, prize and (-1 read as None) prediction and gap, or None."""
        at = int(np.searchsorted(self.sorted_user_ids, user_id))
        if at >= len(self.sorted_user_ids) or self.sorted_user_ids[at] != user_id:
            return None
        row = int(self.rows[at])
        prize = int(self.prize[row])
        prediction, gap = int(self.prediction[row]), int(self.prediction_gap[row])
        return {"rank": row + 1, "correct_count": int(self.correct[row]),
                "question_count": int(self.question_count[row]), "duration_ms": int(self.duration_ms[row]),
                "prize": self.prize_names[prize] if prize >= 0 else None,
                "prediction": prediction if prediction >= 0 else None, "prediction_gap": gap if gap >= 0 else None}


def public_entries(frame: Any, *, with_prediction: bool = False) -> list[dict[str, Any]]:
    """Rows of a standings frame as the public sees them: masked name, unit name, score, time, prize, and with
    ``with_prediction`` the entry's prediction and its gap (None where there is none)."""
    entries = [
        {"rank": int(rank), "name": mask_name(name), "unit": unit, "correct_count": int(correct),
         "question_count": int(questions), "duration_ms": int(duration), "prize": prize}
        for rank, name, unit, correct, questions, duration, prize in zip(
            frame["rank"], frame["full_name"], frame["unit_name"], frame["correct_count"], frame["question_count"],
            frame["duration_ms"], frame["prize_name"], strict=True)
    ]
    if with_prediction:
        for entry, prediction, gap in zip(entries, _ints_or_none(frame["prediction"]),
                                          _ints_or_none(frame["prediction_gap"]), strict=True):
            entry["prediction"], entry["prediction_gap"] = prediction, gap
    return entries


def _ints_or_none(column: Any) -> list[int | None]:
    return [None if value is None else int(value) for value in column.astype(object).where(column.notna(), None)]


def build_board(round_: Round, shown: Disclosure, standings: Standings | None, *,
                now: datetime) -> tuple[Board, Places]:
    """The public board and the places of a round, as ``shown`` lets the public see them (``standings`` None:
    nothing may be shown, or the round has not opened yet)."""
    frame = standings.frame if standings is not None else None
    public = shown.level == "public"
    winners: list[tuple[str, list[dict[str, Any]]]] = []
    if standings is not None and standings.frozen:
        chosen = standings.winners
        winners = [(tier.name, public_entries(chosen[chosen["prize_name"] == tier.name], with_prediction=public))
                   for tier in round_.prize_tiers]
    changes_at = None if shown.until is None else time.time() + max(0.0, (shown.until - now).total_seconds())
    fresh_until = time.time() + BOARD_FRESH_SECONDS
    board = Board(
        round_id=round_.id, contest_id=round_.contest_id, contest_title=round_.contest.title,
        round_name=round_.name, status=round_status(round_, now), finalized=round_.finalized_at is not None,
        updated_at=now, disclosure=shown.level, disclosure_until=shown.until,
        has_prediction=bool(round_.prediction_question),
        prediction_actual=standings.prediction_actual if standings is not None and public else None,
        ranked=len(frame) if frame is not None else 0,
        entries=public_entries(frame.head(BOARD_SIZE), with_prediction=public) if frame is not None else [],
        winners=winners, fresh_until=min(fresh_until, changes_at) if changes_at is not None else fresh_until,
        changes_at=changes_at)
    return board, _places(frame)


def _places(frame: Any) -> Places:
    if frame is None or frame.empty:
        empty = np.zeros(0, dtype=np.int64)
        return Places(empty, empty, empty, empty, empty, empty, empty, empty, [])
    users = frame["user_id"].to_numpy(dtype=np.int64)
    order = np.argsort(users, kind="stable")
    names = frame["prize_name"]
    prize_names = sorted({name for name in names.dropna().unique()})
    codes = np.full(len(frame), -1, dtype=np.int8)
    for index, name in enumerate(prize_names):
        codes[(names == name).to_numpy()] = index
    return Places(sorted_user_ids=users[order], rows=order.astype(np.int32),
                  correct=frame["correct_count"].to_numpy(dtype=np.int16),
                  question_count=frame["question_count"].to_numpy(dtype=np.int16),
                  duration_ms=frame["duration_ms"].to_numpy(dtype=np.int32),
                  prediction=frame["prediction"].fillna(-1).to_numpy(dtype=np.int64),
                  prediction_gap=frame["prediction_gap"].fillna(-1).to_numpy(dtype=np.int64),
                  prize=codes, prize_names=prize_names)


def cache_key(*parts: object) -> str:
    """A key of the results caches: ``results:<version>:<parts>`` (the version: see :data:`_VERSION`)."""
    return ":".join(("results", _VERSION, *(str(part) for part in parts)))


def _keys(round_id: int) -> tuple[str, str, str]:
    return cache_key("board", round_id), cache_key("places", round_id), cache_key("lock", round_id)


def cached_board(round_id: int, *, with_places: bool = False) -> tuple[Board, Places | None] | None:
    """The round's board (and places when asked) from the cache, recomputed when stale; None when no such
    public round. While one request recomputes a stale board, the others serve the stale one."""
    board_key, places_key, lock_key = _keys(round_id)
    board: Board | None = cache.get(board_key)
    places = cache.get(places_key) if with_places and board is not None else None
    stale = board is None or board.fresh_until < time.time() or (with_places and places is None)
    locked = stale and board is not None and cache.add(lock_key, 1, timeout=_LOCK_SECONDS)
    if stale and (board is None or locked):  # nothing to serve meanwhile, or this request won the lock
        try:
            fresh = _compute(round_id)
        finally:
            if locked:
                cache.delete(lock_key)
        if fresh is None:
            return None
        board, places = fresh
        cache.set(board_key, board, timeout=_KEEP_SECONDS)
        cache.set(places_key, places, timeout=_KEEP_SECONDS)
    return (board, places) if board is not None else None


def _compute(round_id: int) -> tuple[Board, Places] | None:
    round_ = db.session.get(Round, round_id)
    if round_ is None or not round_.contest.published:
        return None
    now = utcnow()
    shown, standings = public_standings(round_, now)
    return build_board(round_, shown, standings, now=now)


def forget_round(round_id: int) -> None:
    """Drop a round's cached board and pages (after closing, finalizing or re-opening it, in this process or a
    shared cache): the pages are many (one per URL), so they are dropped by starting a new generation of the
    round."""
    for key in _keys(round_id):
        cache.delete(key)
    cache.set(_generation_key(round_id), uuid.uuid4().hex, timeout=_KEEP_SECONDS)


def _generation_key(round_id: int) -> str:
    return cache_key("generation", round_id)


def kept_page(store: Any, round_id: int, key: str) -> tuple[Any, str | None]:
    """The page kept under ``key`` by :func:`keep_page` (None if none, or if :func:`forget_round` ran since),
    and the round's current generation, to keep a fresh page under. One round trip to the cache."""
    kept, generation = store.get_many(key, _generation_key(round_id))
    return (kept[1] if kept is not None and kept[0] == generation else None), generation


def keep_page(store: Any, key: str, generation: str | None, page: Any, seconds: int = PAGE_SECONDS) -> None:
    """Keep ``page`` for ``seconds`` (none: not at all), for the generation that :func:`kept_page` returned."""
    if seconds > 0:
        store.set(key, (generation, page), timeout=seconds)


def page_seconds(changes_at: float | None) -> int:
    """How long a page made from a board may be kept and reused: :data:`PAGE_SECONDS`, but never past the
    board's ``changes_at``, when its disclosure level changes (the page would show the round as it no longer is)."""
    if changes_at is None:
        return PAGE_SECONDS
    return max(0, min(PAGE_SECONDS, int(changes_at - time.time())))



def _forget_committed(session: Session) -> None:
    for round_id in take_changed_rounds(session):
        forget_round(round_id)


def _discard(session: Session, previous_transaction: SessionTransaction) -> None:
    if previous_transaction.parent is None:  # the whole transaction, not a savepoint within it
        take_changed_rounds(session)


def init_app(app: Flask) -> None:
    """Install the after-commit listener (once per process: it is the same for every app)."""
    if not event.contains(Session, "after_commit", _forget_committed):
        event.listen(Session, "after_commit", _forget_committed)
        event.listen(Session, "after_soft_rollback", _discard)
