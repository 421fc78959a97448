"""The dashboard of a running contest, for organizers and judges (who only look): per contest, the figures of each
round; per round, entries, participants, attempts in progress, the entries by day and by hour, the scores, and the
units' participation with a drill-down through the tree, filtered by category; its JSON for the page's refresh
(``static/dashboard.js``) and its .xlsx. Live counts are for staff only (rule 12): nothing here is public.

Its own blueprint, under /organizer/dashboard, because judges may see it while the organizer blueprint admits
organizers only; it is registered along with that blueprint (``record_once``). A scoped organizer or judge
(``services.scopes``) sees the contests of their scope only, and of those the units of their subtree only."""

from __future__ import annotations

import io
from datetime import datetime
from urllib.parse import urlencode

from flask import Blueprint, abort, current_app, jsonify, render_template, request, send_file
from flask_babel import format_decimal, format_percent
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import select
from sqlalchemy.orm import selectinload
from wtforms import IntegerField, SelectField
from wtforms.validators import Optional

from quizapp.auth import roles_required
from quizapp.domain.charts import bar_chart, line_chart
from quizapp.extensions import db
from quizapp.models import Contest, Role, Round
from quizapp.models.types import MAX_ID, utcnow
from quizapp.services.contests import round_status
from quizapp.services.dashboard import RoundFigures, round_figures
from quizapp.services.dashboard.xlsx import write_dashboard_xlsx
from quizapp.services.scopes import contest_clause, scope_of
from quizapp.views.judge.exports import slug
from quizapp.views.organizer import bp as organizer_bp
from quizapp.views.scoping import guard_scope

bp = Blueprint("dashboard", __name__, url_prefix="/organizer/dashboard")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@organizer_bp.record_once
def _register(state) -> None:
    state.app.register_blueprint(bp)


@bp.before_request
@roles_required(Role.ORGANIZER, Role.JUDGE)
def _guard() -> None:
    """Organizers and judges (and admins)."""


bp.before_request(guard_scope)  # after the role guard: a contest or round outside a scoped viewer's subtree is a 403


class FilterForm(FlaskForm):
    class Meta:
        csrf = False  # a GET filter changes nothing

    category = SelectField(_l("Đối tượng"), choices=[], default="", validate_choice=True)
    unit = IntegerField(_l("Đơn vị"), validators=[Optional()])


def _max_age() -> int:
    return int(current_app.config.get("QUIZAPP_DASHBOARD_REFRESH_SECONDS", 60))


class Refused(Exception):
    """A filter that names nothing there is: answered with its status and message (a page, or JSON)."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status, self.message = status, message


@bp.errorhandler(Refused)
def _refused(error: Refused):
    if request.path.endswith(".json"):
        return jsonify({"error": {"code": "bad_filter", "message": error.message}}), error.status
    return render_template("errors/error.html", status=error.status, message=error.message), error.status


def _round(round_id: int) -> Round:
    round_ = db.session.get(Round, round_id) if 0 < round_id <= MAX_ID else None
    if round_ is None:
        abort(404)
    return round_


def _figures(round_: Round, now: datetime) -> tuple[FilterForm, RoundFigures, int | None]:
    """The figures for the category and unit asked for, both checked (:class:`Refused` names what is wrong)."""
    form = FilterForm(request.args)
    asked = (request.args.get("category") or "").strip()
    figures = round_figures(round_, now=now, category=asked or None, max_age_seconds=_max_age(),
                            scope=scope_of(current_user))
    form.category.choices = [("", _("Tất cả"))] + [(c, c) for c in figures.categories]
    form.validate()
    if form.category.errors:
        raise Refused(400, _("Không có đối tượng “%(category)s” trong đợt thi này.", category=asked))
    if form.unit.errors:
        raise Refused(400, _("Đơn vị phải là một mã số: “%(unit)s”.", unit=request.args.get("unit", "")))
    unit_id = form.unit.data
    if unit_id is not None and unit_id not in figures.units:
        raise Refused(404, _("Không có đơn vị mã số %(unit)s.", unit=unit_id))
    return form, figures, unit_id


@bp.get("/")
def index():
    contests = db.session.scalars(select(Contest).options(selectinload(Contest.rounds))
                                  .where(contest_clause(scope_of(current_user)))
                                  .order_by(Contest.id.desc())).all()
    now = utcnow()
    statuses = {r.id: round_status(r, now) for c in contests for r in c.rounds}
    return render_template("organizer/dashboard_index.html", contests=contests, statuses=statuses)


@bp.get("/contests/<int:contest_id>")
def contest(contest_id: int):
    found = db.session.get(Contest, contest_id) if 0 < contest_id <= MAX_ID else None
    if found is None:
        abort(404)
    now = utcnow()
    rows = [(r, round_status(r, now), round_figures(r, now=now, max_age_seconds=_max_age(), with_units=False))
            for r in found.rounds]
    return render_template("organizer/dashboard_contest.html", contest=found, rows=rows, now=now,
                           number=format_decimal)


@bp.get("/rounds/<int:round_id>")
def round_page(round_id: int):
    round_ = _round(round_id)
    now = utcnow()
    form, figures, unit_id = _figures(round_, now)
    return render_template("organizer/dashboard_round.html", round=round_, contest=round_.contest, form=form,
                           figures=figures, unit_id=unit_id, charts=_charts(figures, unit_id), now=now,
                           status=round_status(round_, now), number=format_decimal, percent=format_percent,
                           refresh_seconds=int(current_app.config.get("QUIZAPP_DASHBOARD_POLL_SECONDS", 30)),
                           query=query)


@bp.get("/rounds/<int:round_id>/data.json")
def round_data(round_id: int):
    round_ = _round(round_id)
    now = utcnow()
    form, figures, unit_id = _figures(round_, now)
    return jsonify(figures_json(figures, unit_id, now))


@bp.get("/rounds/<int:round_id>/dashboard.xlsx")
def round_xlsx(round_id: int):
    round_ = _round(round_id)
    now = utcnow()
    _form, figures, _unit = _figures(round_, now)
    buffer = io.BytesIO()
    write_dashboard_xlsx(figures, buffer, title=f"{round_.contest.title} — {round_.name}", now=now)
    buffer.seek(0)
    return send_file(buffer, as_attachment=True, mimetype=XLSX, max_age=0,
                     download_name=f"dashboard-{slug(round_.name)}-{round_.id}.xlsx")


def figures_json(figures: RoundFigures, unit_id: int | None, now: datetime) -> dict:
    """The figures as the page's refresh reads them; units: the children of ``unit_id`` (the roots for None)."""
    def unit(u):
        return {"id": u.id, "code": u.code, "name": u.name, "member_count": u.member_count,
                "participants": u.participants, "entries": u.entries, "participation_rate": u.participation_rate,
                "has_children": u.has_children}

    return {
        "round_id": figures.round.id, "category": figures.category, "unit_id": unit_id,
        "at": now.isoformat(timespec="seconds"), "counted_at": figures.refreshed_at.isoformat(timespec="seconds"),
        "entries": figures.entries, "participants": figures.participants, "in_progress": figures.in_progress,
        "by_day": [{"date": d.isoformat(), "entries": n} for d, n in figures.by_day],
        "by_hour": [{"hour": h.isoformat(timespec="minutes"), "entries": n} for h, n in figures.by_hour],
        "scores": [{"correct_count": c, "entries": n} for c, n in figures.scores],
        "units": [unit(u) for u in figures.children(unit_id)],
        "not_taken_part": [unit(u) for u in figures.silent(unit_id)],
    }


def _charts(figures: RoundFigures, unit_id: int | None) -> dict:
    def unit_href(u):
        return f"?{query(figures, unit=u.id)}#units" if u.has_children else None

    children = figures.children(unit_id)
    rates = [u.participation_rate or 0 for u in children]
    return {
        "days": bar_chart([d.strftime("%d/%m") for d, _ in figures.by_day], [n for _, n in figures.by_day]),
        "hours": line_chart([h.strftime("%Hh") for h, _ in figures.by_hour], [n for _, n in figures.by_hour]),
        "scores": bar_chart([str(c) for c, _ in figures.scores], [n for _, n in figures.scores]),
        "units": bar_chart([u.code for u in children], rates, hrefs=[unit_href(u) for u in children],
                           top=1.0 if max(rates, default=0) <= 1 else None, tick_text=lambda v: f"{v:.0%}"),
    }


def query(figures: RoundFigures, **changes) -> str:
    """The page's query string with ``changes`` (the category kept)."""
    args = {"category": figures.category or "", **changes}
    return urlencode({k: v for k, v in args.items() if v not in ("", None)})
