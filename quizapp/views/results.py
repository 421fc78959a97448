"""Public results: the leaderboard of a round and, once finalized, its winners (personal data masked), from the
board kept by ``quizapp.services.leaderboard`` (rule 12 decides what it holds). A visitor who is not signed in gets
a page rendered at most every ``PAGE_SECONDS``; a request without any cookie is answered by the middleware in
front of the app (``quizapp.middleware.PublicPageCache``) with the response Flask produced for the same URL."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import Blueprint, abort, current_app, make_response, render_template, request, session
from flask_babel import format_datetime
from flask_babel import gettext as _
from flask_login import current_user

from quizapp.extensions import cache, db
from quizapp.i18n import select_locale
from quizapp.middleware import SHARED
from quizapp.models import Round
from quizapp.services.disclosure import own_best_result
from quizapp.services.leaderboard import cache_key, cached_board, keep_page, kept_page, page_seconds
from quizapp.services.results import ResultsError
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
