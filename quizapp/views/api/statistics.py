"""``GET /api/v1/rounds/<id>/statistics``: the item analysis of a round, for organizers and judges
(``quizapp.services.statistics``). Staff only, so rule 12 allows its counts while the round is open; a scoped
organizer or judge gets the rounds of their scope only (403 ``outside_scope``, by ``token_required``)."""

from __future__ import annotations

from flask import jsonify
from flask_babel import gettext as _

from quizapp.extensions import db
from quizapp.models import Role, Round
from quizapp.models.types import utcnow
from quizapp.services.statistics import round_statistics
from quizapp.views import schemas
from quizapp.views.api import bp
from quizapp.views.api.common import OUTSIDE_SCOPE, APIError, operation, token_required


@bp.get("/rounds/<int:round_id>/statistics")
@token_required(Role.ORGANIZER, Role.JUDGE)
@operation("Question quality of a round (item analysis) over its finished attempts: facility, discrimination and "
           "the options chosen (the bank's option ids); for organizers and judges", tags=("results",),
           responses={200: schemas.RoundStatistics, 403: OUTSIDE_SCOPE, 404: "No such round"})
def round_statistics_api(round_id: int):
    round_ = db.session.get(Round, round_id)
    if round_ is None:
        raise APIError(404, "round_not_found", _("Không có đợt thi nào có mã %(id)s.", id=round_id))
    figures = round_statistics(round_, now=utcnow())
    return jsonify({
        "entries": figures.entries,
        "participants": figures.participants,
        "in_progress": figures.in_progress,
        "questions": [{
            "question_id": question.question_id,
            "text": question.text,
            "drawn": question.drawn,
            "facility": question.facility,
            "discrimination": question.discrimination,
            "options": [{"option_id": option.option_id, "chosen": option.chosen} for option in question.options],
        } for question in figures.questions],
    })
