"""Public results: the leaderboard of a round and, once finalized, its winners (personal data masked), from the
board kept by ``quizapp.services.leaderboard`` (rule 12 decides what it holds). A visitor who is not signed in gets
a page rendered at most every ``PAGE_SECONDS``, a signed-in one a page around the leaders' table rendered as
often; a request without any cookie is answered by the middleware in
front of the app (``quizapp.middleware.PublicPageCache``) with the response Flask produced for the same URL."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, current_app, make_response, render_template, request, session
from flask_login import current_user
from markupsafe import Markup

from quizapp.extensions import cache, db
from quizapp.i18n import select_locale
from quizapp.middleware import SHARED
from quizapp.models import Round
from quizapp.services.disclosure import own_best_result
from quizapp.services.leaderboard import cache_key, cached_board, keep_page, kept_page, page_seconds
from quizapp.views.schemas import LeaderboardQuery
from quizapp.views.validation import read_query

bp = Blueprint("results", __name__)


def share_response(response: Any, changes_at: float | None = None) -> Any:
    """Mark a response as the same for every anonymous visitor: cacheable here and by proxies, for
    :func:`page_seconds` (0: the board changes now, nobody may keep it)."""
    seconds = page_seconds(changes_at)
    request.environ[SHARED] = seconds
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
    entries = board.entries[:limit]
    page = render_template("results/leaderboard.html", board=board, entries=entries, mine=mine, own=own,
                           signed_in=signed_in, limit=limit, table=_board_table(board, entries, limit))
    if shared:
        keep_page(cache, page_key, generation, (page, board.changes_at), page_seconds(board.changes_at))
        return share_response(page, board.changes_at)
    return page


def _board_table(board: Any, entries: list[Any], limit: int) -> Markup | None:
    """The leaders' table of ``board``, rendered once per update of the board, language and limit, and kept like
    a page (dropped with the round's pages when its results change): signed-in visitors, who cannot be served the
    shared page, then pay only for their own part of the page."""
    if not entries:
        return None
    key = cache_key("table", board.round_id, select_locale(), limit, board.updated_at.timestamp())
    kept, generation = kept_page(cache, board.round_id, key)
    if kept is None:
        kept = render_template("results/_board_table.html", board=board, entries=entries)
        keep_page(cache, key, generation, kept, page_seconds(board.changes_at))
    return Markup(kept)


@bp.get("/rounds/<int:round_id>/winners")
def winners(round_id: int):
    found = cached_board(round_id)
    if found is None:
        abort(404)
    shared = _shared_page()
    board, _places_ = found
    page = render_template("results/winners.html", board=board)
    return share_response(page, board.changes_at) if shared else page
