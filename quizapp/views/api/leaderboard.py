"""``GET /api/v1/rounds/<id>/leaderboard``: the public ranking of a round, personal data masked.

Served from the same cached board as the public pages (``quizapp.views.results``): no phone, email or id of a
person ever leaves here; names are masked ("Nguyễn V. A.").
"""

from __future__ import annotations

import json

from flask import current_app, request
from flask_babel import gettext as _

from quizapp.extensions import cache
from quizapp.services.contests import VIETNAM
from quizapp.views.api import bp
from quizapp.views.api.common import APIError
from quizapp.views.results import BOARD_SIZE, cached_board, keep_page, kept_page, share_response

DEFAULT_LIMIT = 50


def _limit() -> int:
    raw = request.args.get("limit")
    if raw is None:
        return DEFAULT_LIMIT
    if not (raw.isascii() and raw.isdigit() and len(raw) <= 9 and 1 <= int(raw) <= BOARD_SIZE):
        raise APIError(422, "invalid_limit", _("Tham số limit phải là số nguyên từ 1 đến %(max)d.", max=BOARD_SIZE))
    return int(raw)


@bp.get("/rounds/<int:round_id>/leaderboard")
def round_leaderboard(round_id: int):
    limit = _limit()
    key = f"results:api:{round_id}:{limit}"
    body, generation = kept_page(cache, round_id, key)
    if body is None:
        found = cached_board(round_id)
        if found is None:
            raise APIError(404, "round_not_found", _("Không có đợt thi nào có mã %(id)s.", id=round_id))
        board, _places = found
        body = json.dumps({
            "round_id": board.round_id,
            "finalized": board.finalized,
            "updated_at": board.updated_at.astimezone(VIETNAM).isoformat(),
            "prediction_actual": board.prediction_actual,
            "entries": board.entries[:limit],
        }, ensure_ascii=False)
        keep_page(cache, key, generation, body)
    return share_response(current_app.response_class(body, mimetype="application/json"))
