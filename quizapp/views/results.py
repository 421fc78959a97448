"""Public results: the leaderboard of a round and, once finalized, its winners (personal data masked), from the
board kept by ``quizapp.services.leaderboard`` (rule 12 decides what it holds).

Every visitor gets a page that is the same for everybody (``share_response``), rendered at most every
``PAGE_SECONDS`` and answered by the page cache in front of the app (``quizapp.middleware.PublicPageCache``)
without running Flask: a visitor who is not signed in the "guest" page, a signed-in one the "member" page, whose
nav and "my place" are empty places that ``static/personal.js`` fills from :func:`personal_part`, a private
answer (without JavaScript, :func:`my_place` is a page of its own, linked from both places). Only a request the
page cache leaves to Flask (messages waiting for the visitor, a remember-me cookie not yet read) gets the page
with its personal parts in it."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, current_app, g, make_response, render_template, request, session
from flask_login import current_user, login_required
from markupsafe import Markup

from quizapp.extensions import cache, db, login_manager
from quizapp.i18n import select_locale
from quizapp.middleware import SHARED, VARIANT
from quizapp.models import Round
from quizapp.services.disclosure import own_best_result
from quizapp.services.leaderboard import Board, Places, cache_key, cached_board, keep_page, kept_page, page_seconds
from quizapp.views.schemas import LeaderboardQuery
from quizapp.views.validation import read_query

bp = Blueprint("results", __name__)


def share_response(response: Any, changes_at: float | None = None) -> Any:
    """Mark a response as the same for every visitor of its kind: cacheable here and by proxies, for
    :func:`page_seconds` (0: the board changes now, nobody may keep it)."""
    seconds = page_seconds(changes_at)
    request.environ[SHARED] = seconds
    response = make_response(response)
    response.headers["Cache-Control"] = f"public, max-age={seconds}" if seconds else "no-cache"
    response.vary.add("Cookie")
    return response


def private_response(response: Any) -> Any:
    """Mark a response as this visitor's own: kept by nobody, not even their browser's back button, since it may
    hold their name and their sign-out form's CSRF token."""
    response = make_response(response)
    response.headers["Cache-Control"] = "private, no-store"
    response.vary.add("Cookie")
    return response


def _shared_page() -> bool:
    """Whether a visitor the page cache left to Flask gets the page everybody gets: not signed in, and no message
    waiting for them. A request with neither a session nor a remember-me cookie is answered without asking
    Flask-Login."""
    cookies = request.cookies
    config = current_app.config
    if config["SESSION_COOKIE_NAME"] not in cookies and config.get("REMEMBER_COOKIE_NAME", "remember_token") \
            not in cookies:
        return True
    return not current_user.is_authenticated and not session.get("_flashes")


def _shared_variant() -> str | None:
    """The shared page this request gets ("guest" or "member"), as the page cache asked; None: a page of the
    visitor's own (decided before rendering: rendering consumes the waiting messages)."""
    asked = request.environ.get(VARIANT)
    shell = asked if asked in ("guest", "member") else "guest" if _shared_page() else None
    if shell is not None:
        # rendered as nobody's: the templates' current_user (Flask-Login's context processor) then reads no
        # account and leaves the session alone, and the page holds nothing of the visitor's
        g._login_user = login_manager.anonymous_user()
    return shell


def _personal_places(board: Board, places: Places | None) -> dict[str, Any]:
    """What the signed-in visitor sees of their own standing on ``board``: their place, or while the ranking is
    hidden their best result so far (rule 12)."""
    if board.disclosure == "hidden":
        return {"mine": None, "own": own_best_result(db.session.get(Round, board.round_id), current_user.id)}
    return {"mine": places.find(current_user.id) if places is not None else None, "own": None}


@bp.get("/rounds/<int:round_id>/leaderboard")
def leaderboard(round_id: int):
    limit = read_query(LeaderboardQuery).limit  # the API's rule: 1..BOARD_SIZE, else a 422 page
    shell = _shared_variant()
    found = cached_board(round_id, with_places=shell is None)
    if found is None:
        abort(404)
    board, places = found
    entries = board.entries[:limit]
    table = _board_table(board, entries, limit)
    if shell is not None:
        page = render_template("results/leaderboard.html", board=board, entries=entries, limit=limit, table=table,
                               shell=shell)
        return share_response(page, board.changes_at)
    page = render_template("results/leaderboard.html", board=board, entries=entries, limit=limit, table=table,
                           shell=None, signed_in=current_user.is_authenticated,
                           **(_personal_places(board, places) if current_user.is_authenticated else {}))
    return private_response(page)


def _board_table(board: Any, entries: list[Any], limit: int) -> Markup | None:
    """The leaders' table of ``board``, rendered once per update of the board, language and limit, and kept like
    a page (dropped with the round's pages when its results change): the pages of each kind of visitor, and
    the rare page of one visitor's own, then pay only for what is around it."""
    if not entries:
        return None
    key = cache_key("table", board.round_id, select_locale(), limit, board.updated_at.timestamp())
    kept, generation = kept_page(cache, board.round_id, key)
    if kept is None:
        kept = render_template("results/_board_table.html", board=board, entries=entries)
        keep_page(cache, key, generation, kept, page_seconds(board.changes_at))
    return Markup(kept)


@bp.get("/rounds/<int:round_id>/leaderboard/mine/part")
def personal_part(round_id: int):
    """The signed-in visitor's nav items and place on the round's board, for ``static/personal.js`` to put in
    the empty places of the shared page; the sign-in links and an invitation to sign in for anybody else (a
    session ended elsewhere: signing out ends every copy of it). Private: it holds a CSRF token."""
    found = cached_board(round_id, with_places=current_user.is_authenticated)
    if found is None:
        abort(404)
    board, places = found
    personal = _personal_places(board, places) if current_user.is_authenticated else {}
    return private_response(render_template("results/_personal_part.html", board=board,
                                            signed_in=current_user.is_authenticated, **personal))


@bp.get("/rounds/<int:round_id>/leaderboard/mine")
@login_required
def my_place(round_id: int):
    """The signed-in visitor's place on the round's board as a page of its own (the shared page links to it for
    a browser without JavaScript)."""
    found = cached_board(round_id, with_places=True)
    if found is None:
        abort(404)
    board, places = found
    return private_response(render_template("results/my_place.html", board=board,
                                            **_personal_places(board, places)))


@bp.get("/rounds/<int:round_id>/winners")
def winners(round_id: int):
    found = cached_board(round_id)
    if found is None:
        abort(404)
    shell = _shared_variant()
    board, _places_ = found
    page = render_template("results/winners.html", board=board, shell=shell)
    return share_response(page, board.changes_at) if shell is not None else private_response(page)
