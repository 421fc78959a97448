""""Kết quả của tôi": a participant's own results across contests (``quizapp.services.my_results``), and their
placing in a finalized round for the result page."""

from __future__ import annotations

from flask import render_template
from flask_login import current_user

from quizapp.auth import roles_required
from quizapp.models import Role, Round
from quizapp.models.types import utcnow
from quizapp.services.my_results import Placing, final_placings, my_results
from quizapp.views.play import bp


@bp.get("/my-results", endpoint="my_results")
@roles_required(Role.PARTICIPANT)
def my_results_page():
    """Every contest and round the participant entered, newest first: their attempts, their best result, and
    their place and prize once a round is finalized; links to the public results once a round has them."""
    now = utcnow()
    return render_template("play/my_results.html", contests=my_results(current_user.id, now), now=now)


@bp.app_template_global()
def own_placing(round_: Round) -> Placing | None:
    """The signed-in participant's place and prize in a finalized round (None before, or when not ranked)."""
    if round_.finalized_at is None or not current_user.is_authenticated:
        return None
    return final_placings(current_user.id, [round_.id]).get(round_.id)
