"""``GET /api/v1/rounds/<id>/leaderboard``: the public ranking of a round, personal data masked.

Served from the same cached board as the public pages (``quizapp.views.results``): no phone, email or id of a
person ever leaves here; names are masked ("Nguyễn V. A."). Rule 12: while entries can still arrive in a round
whose prediction answer is counted, ``entries`` is empty and nothing else tells how many there are; a round whose
answer is entered by hand, or that has none, lists its live entries without predictions; ``prediction_actual``
and each entry's ``prediction`` and ``prediction_gap`` appear once no entry can arrive any more.
"""

from __future__ import annotations

import json

from flask import current_app
from flask_babel import gettext as _

from quizapp.extensions import cache
from quizapp.services.contests import VIETNAM
from quizapp.services.leaderboard import cache_key, cached_board, keep_page, kept_page, page_seconds
from quizapp.views import schemas
from quizapp.views.api import bp
from quizapp.views.api.common import APIError, operation
from quizapp.views.results import share_response


@bp.get("/rounds/<int:round_id>/leaderboard")
@operation("Public ranking of a round (hidden while open if its prediction answer is counted, then provisional, "
           "frozen once finalized); names masked, no contact data", tags=("results",),
           query=schemas.LeaderboardQuery, responses={200: schemas.Leaderboard, 404: "No such public round"})
def round_leaderboard(round_id: int, query: schemas.LeaderboardQuery):
    limit = query.limit
    key = cache_key("api", round_id, limit)
    kept, generation = kept_page(cache, round_id, key)
    if kept is None:
        found = cached_board(round_id)
        if found is None:
            raise APIError(404, "round_not_found", _("Không có đợt thi nào có mã %(id)s.", id=round_id))
        board, _places = found
        answer = {
            "round_id": board.round_id,
            "status": board.status,
            "finalized": board.finalized,
            "updated_at": board.updated_at.astimezone(VIETNAM).isoformat(),
            "entries": board.entries[:limit],
        }
        if board.disclosure == "public":
            answer["prediction_actual"] = board.prediction_actual
        kept = json.dumps(answer, ensure_ascii=False), board.changes_at
        keep_page(cache, key, generation, kept, page_seconds(board.changes_at))
    body, changes_at = kept
    return share_response(current_app.response_class(body, mimetype="application/json"), changes_at)
