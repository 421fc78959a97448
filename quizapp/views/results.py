"""Public results: the leaderboard of a round and, once finalized, its winners (personal data masked).

Both pages and ``GET /api/v1/rounds/<id>/leaderboard`` read one cached :class:`Board` per round, built from the
one standings computation as rule 12 lets the public see it (``quizapp.services.disclosure``): while entries can
still arrive in a round whose prediction answer is counted, the board holds nothing but the round's name and
status (no count, no place, no entry); a round whose answer is entered by hand, or that has none, has a live
board without predictions; after the close, each entry's prediction and gap and the actual answer are shown.
Under the load of a closing round:

- the board is recomputed at most every :data:`BOARD_FRESH_SECONDS` per cache (one worker with Redis: the
  others keep serving the previous board while it is rebuilt), and as soon as its disclosure level changes
  (the round opens, or the last entry can no longer arrive); a hidden board costs no ranking at all;
- a visitor who is not signed in gets a page rendered at most every :data:`PAGE_SECONDS` seconds, without a
  database query; a request without any cookie is answered by :class:`PublicPageCache` in front of the app
  with the response Flask produced for the same URL (as a reverse-proxy micro-cache would), without running
  the framework at all;
- a signed-in participant's own place is looked up in compact arrays cached beside the board (no ranking);
  while the board is hidden they see their own best result, without a place;
- pages are kept no longer than until the board's level changes, so that the ranking appears on time;
- :func:`forget_round` (close, finalize, re-open, regrade) drops the round's board and every page kept of it.
"""

from __future__ import annotations

import re
import time
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import parse_qsl, urlencode

import numpy as np
from flask import Blueprint, abort, current_app, make_response, render_template, request, session
from flask.sansio.blueprints import BlueprintSetupState
from flask_babel import format_datetime
from flask_babel import gettext as _
from flask_login import current_user

from quizapp.domain.disclosure import Disclosure
from quizapp.domain.masking import mask_name
from quizapp.extensions import cache, db
from quizapp.i18n import select_locale
from quizapp.models import Round
from quizapp.models.types import utcnow
from quizapp.services.contests import round_status
from quizapp.services.disclosure import own_best_result, public_standings
from quizapp.services.results import ResultsError
from quizapp.services.standings import Standings
from quizapp.views.schemas import LEADERBOARD_SIZE, LeaderboardQuery
from quizapp.views.validation import read_query

bp = Blueprint("results", __name__)

#: How long a board is served before it is recomputed (seconds).
BOARD_FRESH_SECONDS = 45
#: How long an anonymous page is served as rendered (seconds); the public lag is at most the sum of both.
PAGE_SECONDS = 15
#: The most entries a board keeps for the pages and the API (``limit`` goes up to it; beyond is a 422).
BOARD_SIZE = LEADERBOARD_SIZE
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


_PUBLIC_PATH = re.compile(r"/(?:api/v1/)?rounds/([0-9]{1,18})/(?:leaderboard|winners)")
_SHARED = "quizapp.results.shared"  # the seconds a response everybody may get can be kept, set by its view


class PublicPageCache:
    """WSGI micro-cache in front of the app for the public results URLs.

    A GET without cookies and without credentials is certainly anonymous: it is answered with the status,
    headers and body that the app produced for the same path and query string within :data:`PAGE_SECONDS`.
    Only responses a view marked as shared (:func:`share_response`), with status 200 and no cookie set, are kept,
    for the seconds the view said, until :func:`forget_round`.
    """

    def __init__(self, wsgi_app: Any, store: Any) -> None:
        self.wsgi_app = wsgi_app
        self.store = store

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        if environ.get("REQUEST_METHOD") != "GET" or environ.get("HTTP_COOKIE") or environ.get("HTTP_AUTHORIZATION"):
            return self.wsgi_app(environ, start_response)  # (the API's writes pass here first: nothing to parse)
        path = environ.get("PATH_INFO", "")
        query = _canonical_query(environ.get("QUERY_STRING", ""))
        public = _PUBLIC_PATH.fullmatch(path)
        if query is None or public is None:
            return self.wsgi_app(environ, start_response)
        round_id, key = int(public.group(1)), cache_key("wsgi", f"{path}?{query}")
        hit, generation = kept_page(self.store, round_id, key)
        if hit is not None:
            status, headers, body = hit
            start_response(status, list(headers))
            return [body]
        captured: list[Any] = []

        def capture(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            captured[:] = [status, headers]
            return start_response(status, headers, exc_info)

        chunks = self.wsgi_app(environ, capture)
        try:
            body = b"".join(chunks)
        finally:
            if hasattr(chunks, "close"):
                chunks.close()
        status, headers = captured
        if environ.get(_SHARED) and status.startswith("200 ") \
                and not any(name.lower() == "set-cookie" for name, _value in headers):
            keep_page(self.store, key, generation, (status, list(headers), body), environ[_SHARED])
        return [body]


def _canonical_query(query: str) -> str | None:
    """The query string in one spelling when it holds only what the pages read (``limit``, ``lang``), else None:
    the cache keys stay few however many different query strings visitors send."""
    try:
        pairs = sorted(parse_qsl(query, strict_parsing=bool(query)))
    except ValueError:
        return None
    allowed = all((name == "limit" and value.isascii() and value.isdigit() and len(value) <= 3)
                  or (name == "lang" and value in ("vi", "en")) for name, value in pairs)
    return urlencode(pairs) if allowed and len(pairs) == len(dict(pairs)) else None


@bp.record_once
def _install_page_cache(state: BlueprintSetupState) -> None:
    state.app.wsgi_app = PublicPageCache(state.app.wsgi_app, state.app.extensions["cache"][cache])


def share_response(response: Any, changes_at: float | None = None) -> Any:
    """Mark a response as the same for every anonymous visitor: cacheable here and by proxies, for
    :func:`page_seconds` (0: the board changes now, nobody may keep it)."""
    seconds = page_seconds(changes_at)
    request.environ[_SHARED] = seconds
    response = make_response(response)
    response.headers["Cache-Control"] = f"public, max-age={seconds}" if seconds else "no-cache"
    response.vary.add("Cookie")
    return response


def _anonymous() -> bool:
    return not current_user.is_authenticated


def _shared_page() -> bool:
    """Whether this visitor gets the page everybody gets: not signed in, and no message waiting for them.
    A request with neither a session nor a remember-me cookie is answered without asking Flask-Login."""
    cookies = request.cookies
    config = current_app.config
    if config["SESSION_COOKIE_NAME"] not in cookies and config.get("REMEMBER_COOKIE_NAME", "remember_token") \
            not in cookies:
        return True
    return _anonymous() and not session.get("_flashes")


@bp.get("/rounds/<int:round_id>/leaderboard")
def leaderboard(round_id: int):
    limit = read_query(LeaderboardQuery).limit  # the API's rule: 1..BOARD_SIZE, else a 422 page
    shared = _shared_page()  # decided before rendering: rendering consumes the waiting messages
    page_key = cache_key("page", round_id, select_locale(), limit)
    if shared:
        kept, generation = kept_page(cache, round_id, page_key)
        if kept is not None:
            page, changes_at = kept
            return share_response(page, changes_at)
    signed_in = not _anonymous()
    found = cached_board(round_id, with_places=signed_in)
    if found is None:
        abort(404)
    board, places = found
    mine = own = None
    if signed_in and board.disclosure == "hidden":
        own = own_best_result(db.session.get(Round, round_id), current_user.id)
    elif signed_in and places is not None:
        mine = places.find(current_user.id)
    page = render_template("results/leaderboard.html", board=board, entries=board.entries[:limit], mine=mine,
                           own=own, signed_in=signed_in, limit=limit)
    if shared:
        keep_page(cache, page_key, generation, (page, board.changes_at), page_seconds(board.changes_at))
        return share_response(page, board.changes_at)
    return page


@bp.get("/rounds/<int:round_id>/winners")
def winners(round_id: int):
    found = cached_board(round_id)
    if found is None:
        abort(404)
    shared = _shared_page()
    board, _places_ = found
    page = render_template("results/winners.html", board=board)
    return share_response(page, board.changes_at) if shared else page


def _when(iso: object) -> str:
    try:
        return format_datetime(datetime.fromisoformat(str(iso)), "HH:mm dd/MM/yyyy")
    except ValueError:
        return str(iso)


def results_error_message(error: ResultsError) -> str:
    """The sentence for a refused results decision (finalize, re-open, disqualify, prediction answer)."""
    d = error.data
    messages = {
        "round_not_over": lambda: _("Đợt thi chưa kết thúc: vẫn có thể nhận bài đến %(time)s (giờ Việt Nam).",
                                    time=_when(d.get("accepts_until"))),
        "already_finalized": lambda: _("Đợt thi đã được chốt kết quả lúc %(time)s.", time=_when(d.get("finalized_at"))),
        "not_finalized": lambda: _("Đợt thi chưa được chốt kết quả."),
        "round_finalized": lambda: _("Đợt thi đã được chốt kết quả; hãy mở lại đợt thi (có ghi lý do) trước khi "
                                     "thay đổi."),
        "prediction_actual_missing": lambda: _("Chưa nhập đáp án câu hỏi dự đoán; đợt thi này do Ban Tổ chức "
                                               "nhập đáp án."),
        "no_prediction_question": lambda: _("Đợt thi này không có câu hỏi dự đoán."),
        "prediction_not_manual": lambda: _("Đáp án câu hỏi dự đoán của đợt thi này được tính tự động."),
        "invalid_prediction_actual": lambda: _("Đáp án câu hỏi dự đoán phải là số nguyên từ 0 đến %(max)s.",
                                               max=d.get("max")),
        "reason_required": lambda: _("Cần ghi lý do."),
        "already_disqualified": lambda: _("Người dự thi này đã bị loại khỏi đợt thi."),
        "not_disqualified": lambda: _("Người dự thi này không bị loại khỏi đợt thi."),
        "not_a_participant": lambda: _("Người này không có lượt thi nào trong đợt thi."),
        "invalid_level": lambda: _("Cấp đơn vị phải là số nguyên từ 1 trở lên."),
        "round_not_in_contest": lambda: _("Đợt thi %(round)s không thuộc cuộc thi %(contest)s.",
                                          round=d.get("round_id"), contest=d.get("contest_id")),
    }
    message = messages.get(error.code)
    return message() if message else _("Không thể xử lý kết quả (%(code)s).", code=error.code)
