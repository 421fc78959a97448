"""The results announcement: the judges' version (full names, any time, drafts marked) and the public one
(names masked; 404 until every round shown is finalized). Both print on A4."""

from __future__ import annotations

from flask import abort, render_template, request
from flask_babel import format_decimal

from quizapp.models.types import utcnow
from quizapp.services.announcement import build_announcement, is_public, rounds_shown
from quizapp.services.contests import get_contest
from quizapp.views.judge import bp, public_bp


def _page(contest_id: int, *, public: bool):
    contest = get_contest(contest_id)
    if contest is None or (public and not contest.published):
        abort(404)
    round_id = request.args.get("round", type=int)
    rounds = rounds_shown(contest, round_id)
    if rounds is None or (public and not is_public(rounds)):
        abort(404)
    announcement = build_announcement(contest, rounds, public=public, now=utcnow())
    return render_template("judge/announcement.html", announcement=announcement, contest=contest,
                           round_id=round_id, number=format_decimal)


@bp.get("/contests/<int:contest_id>/announcement")
def announcement(contest_id: int):
    return _page(contest_id, public=False)


@public_bp.get("/contests/<int:contest_id>/announcement")
def public_announcement(contest_id: int):
    return _page(contest_id, public=True)
