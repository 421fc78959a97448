"""Downloads for judges: a round's results (winners or everyone ranked) and the collectives, as .xlsx or .csv,
written by ``quizapp.services.exports`` from the same standings the screens show."""

from __future__ import annotations

import io
import re

from flask import abort, flash, redirect, request, send_file, url_for
from flask_babel import gettext as _

from quizapp.domain.text import fold
from quizapp.messages.judging import results_error_message
from quizapp.models.types import utcnow
from quizapp.services import exports
from quizapp.services.collectives import collective_standings
from quizapp.services.contests import get_contest
from quizapp.services.results import ResultsError
from quizapp.services.standings import round_standings
from quizapp.views.judge import bp
from quizapp.views.judge.rounds import get_round

MIMETYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def slug(text: str) -> str:
    """An ASCII file-name part: "Tuần 1" → "tuan-1"."""
    return re.sub(r"[^a-z0-9]+", "-", fold(text).lower()).strip("-") or "x"


def _attachment(buffer: io.BytesIO, fmt: str, name: str):
    buffer.seek(0)
    return send_file(buffer, as_attachment=True, download_name=f"{name}.{fmt}", mimetype=MIMETYPES[fmt],
                     max_age=0)


@bp.get("/rounds/<int:round_id>/results.<fmt>")
def export_round(round_id: int, fmt: str):
    if fmt not in MIMETYPES:
        abort(404)
    round_ = get_round(round_id)
    winners_only = request.args.get("scope", "all") == "winners"
    standings = round_standings(round_, now=utcnow())
    buffer = io.BytesIO()
    if fmt == "csv":
        exports.write_round_csv(standings, buffer, winners_only=winners_only)
    else:
        exports.write_round_xlsx(standings, buffer, winners_only=winners_only, title=round_.contest.title)
    scope = "giai-thuong" if winners_only else "xep-hang"
    return _attachment(buffer, fmt, f"ket-qua-{slug(round_.name)}-{scope}")


@bp.get("/contests/<int:contest_id>/collectives.<fmt>")
def export_collectives(contest_id: int, fmt: str):
    if fmt not in MIMETYPES:
        abort(404)
    contest = get_contest(contest_id) or abort(404)
    round_id = request.args.get("round", type=int)
    round_ = next((r for r in contest.rounds if r.id == round_id), None) if round_id else None
    if round_id and round_ is None:
        abort(404)
    try:
        frame = collective_standings(contest, level=contest.collective_level, round_=round_, now=utcnow())
    except ResultsError as error:
        flash(results_error_message(error), "error")
        return redirect(url_for("judge.index"))
    buffer = io.BytesIO()
    if fmt == "csv":
        exports.write_collectives_csv(frame, buffer)
    else:
        scope = round_.name if round_ else _("Toàn cuộc thi")
        exports.write_collectives_xlsx(frame, buffer, title=contest.title, lines=[
            _("Xếp hạng tập thể – %(scope)s – cấp %(level)s", scope=scope, level=contest.collective_level)])
    name = f"tap-the-{slug(round_.name)}" if round_ else "tap-the-toan-cuoc-thi"
    return _attachment(buffer, fmt, name)
