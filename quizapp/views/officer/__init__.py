"""The unit officers' workspace (/officer): the report of their unit's subtree for any contest, on a page that
prints as the report sent upward, and as .xlsx. Organizers and admins may open the report of any unit; a scoped
organizer, of the units of their subtree only (``services.scopes``, the same rule as an officer's).

The scope is enforced by the service (``services.unit_reports``): the view only says whose scope it is."""

from __future__ import annotations

import io

from flask import Blueprint, abort, render_template, request, send_file
from flask_babel import format_decimal, format_percent
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import and_, or_, select, true
from sqlalchemy.orm import selectinload

from quizapp.auth import roles_required
from quizapp.extensions import db
from quizapp.messages import officers as words
from quizapp.models import Contest, Role, Round, Unit
from quizapp.models.types import MAX_ID, utcnow
from quizapp.services import scopes
from quizapp.services.contests import round_status
from quizapp.services.unit_reports import UnitReport, UnitReportError, find_unit, scope_of, unit_path, unit_report
from quizapp.services.unit_reports_xlsx import write_unit_report_xlsx
from quizapp.views.judge.exports import slug

bp = Blueprint("officer", __name__, url_prefix="/officer")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
#: rows of each people table shown on the page; the .xlsx has them all
PAGE_ROWS = 300


@bp.before_request
@roles_required(Role.UNIT_OFFICER, Role.ORGANIZER)
def _guard() -> None:
    """Unit officers, organizers and admins."""


class Refused(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status, self.message = status, message


@bp.errorhandler(Refused)
def _refused(error: Refused):
    return render_template("errors/error.html", status=error.status, message=error.message), error.status


def _reportable():
    """Which contests the account may report on: a scoped account, the published contests its people may take
    (any level's, ``scopes.reaches_clause``), and a scoped organizer the drafts of their own scope too (never
    another unit's); unscoped staff, all."""
    scope = scopes.scope_of(current_user)
    if scope.everything:
        return true()
    published = and_(Contest.published.is_(True), scopes.reaches_clause(scope))
    return published if current_user.role is Role.UNIT_OFFICER else or_(published, scopes.contest_clause(scope))


def _contests() -> list[Contest]:
    statement = (select(Contest).options(selectinload(Contest.rounds)).where(_reportable())
                 .order_by(Contest.id.desc()))
    return list(db.session.scalars(statement))


def _contest(contest_id: int) -> Contest:
    found = None
    if 0 < contest_id <= MAX_ID:
        found = db.session.scalar(select(Contest).where(Contest.id == contest_id, _reportable()))
    if found is None:
        raise Refused(404, words.report_error_message("unknown_contest"))
    return found


def _unit(scope: int | None) -> Unit | None:
    """The unit asked for (``?unit=CODE``), else the officer's own; None for an organizer who named none."""
    code = (request.args.get("unit") or "").strip()
    if not code:
        return db.session.get(Unit, scope) if scope is not None else None
    found = find_unit(code, scope) if len(code) <= 50 else None  # no unit code is longer
    if found is None:
        raise Refused(404, words.report_error_message("outside_scope"))
    return found


def _round(contest: Contest) -> Round | None:
    asked = (request.args.get("round") or "").strip()
    if not asked:
        return None
    if not asked.isdigit():
        raise Refused(400, _("Đợt thi phải là một mã số: “%(round)s”.", round=asked[:20]))
    found = next((r for r in contest.rounds if r.id == int(asked)), None)
    if found is None:
        raise Refused(404, words.report_error_message("round_not_in_contest"))
    return found


def _report(contest_id: int) -> tuple[UnitReport | None, int | None]:
    scope = scope_of(current_user)
    contest = _contest(contest_id)
    round_ = _round(contest)
    unit = _unit(scope)
    if unit is None:
        return None, scope
    try:
        return unit_report(contest, unit=unit, scope_unit_id=scope, round_=round_, now=utcnow()), scope
    except UnitReportError as error:
        raise Refused(404, words.report_error_message(error.code)) from None


@bp.get("/")
def index():
    scope = scope_of(current_user)
    unit = db.session.get(Unit, scope) if scope is not None else None
    return render_template("officer/index.html", contests=_contests(), unit=unit)


@bp.get("/contests/<int:contest_id>")
def report(contest_id: int):
    found, scope = _report(contest_id)
    if found is None:
        return render_template("officer/pick_unit.html", contest=_contest(contest_id))
    now = utcnow()
    return render_template(
        "officer/report.html", report=found, path=unit_path(found.unit, scope), now=now,
        statuses={r.id: round_status(r, now) for r in found.contest.rounds},
        summary=words.summary_sentence(found), withheld=words.withheld_note(found), number=format_decimal,
        percent=format_percent, page_rows=PAGE_ROWS)


@bp.get("/contests/<int:contest_id>/report.xlsx")
def report_xlsx(contest_id: int):
    found, _scope = _report(contest_id)
    if found is None:
        abort(404)
    buffer = io.BytesIO()
    write_unit_report_xlsx(found, buffer, words.report_words(found, utcnow()))
    buffer.seek(0)
    name = f"bao-cao-{slug(found.unit.code)}-cuoc-thi-{found.contest.id}"
    if found.round is not None:
        name += f"-{slug(found.round.name)}"
    return send_file(buffer, as_attachment=True, download_name=f"{name}.xlsx", mimetype=XLSX, max_age=0)
