"""The results announcement in the form of a party or state notice: the judges' version (full names and what is
needed to verify a winner, any time, a draft watermarked) and the public one (names masked; 404 until every round
shown is finalized). Both print on A4. The judges' winners list downloads as .xlsx."""

from __future__ import annotations

import io

from flask import abort, render_template, request, send_file
from flask_babel import format_decimal

from quizapp.messages.participants import category_label
from quizapp.models.types import utcnow
from quizapp.services.announcement import build_announcement, is_public, rounds_shown
from quizapp.services.announcement_xlsx import write_winners_xlsx
from quizapp.services.contests import get_contest
from quizapp.views.judge import bp, public_bp


def _announcement(contest_id: int, *, public: bool):
    contest = get_contest(contest_id)
    if contest is None or (public and not contest.published):
        abort(404)
    round_id = request.args.get("round", type=int)
    rounds = rounds_shown(contest, round_id)
    if rounds is None or (public and not is_public(rounds)):
        abort(404)
    return contest, round_id, build_announcement(contest, rounds, public=public, now=utcnow())


def _page(contest_id: int, *, public: bool):
    contest, round_id, announcement = _announcement(contest_id, public=public)
    return render_template("judge/announcement.html", announcement=announcement, contest=contest,
                           round_id=round_id, number=format_decimal, category_label=category_label)


@bp.get("/contests/<int:contest_id>/announcement")
def announcement(contest_id: int):
    return _page(contest_id, public=False)


@bp.get("/contests/<int:contest_id>/announcement.xlsx")
def announcement_xlsx(contest_id: int):
    contest, _round_id, announcement = _announcement(contest_id, public=False)
    stream = io.BytesIO()
    write_winners_xlsx(announcement, stream, category_label=category_label, now=utcnow())
    stream.seek(0)
    return send_file(stream, as_attachment=True, download_name=f"doat-giai-cuoc-thi-{contest.id}.xlsx",
                     mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")


@public_bp.get("/contests/<int:contest_id>/announcement")
def public_announcement(contest_id: int):
    return _page(contest_id, public=True)
