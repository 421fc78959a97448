"""Importing participants from a spreadsheet: upload, preview (or every problem with its row and column),
confirm; the confirmation answers with the workbook of one-time passwords, the only copy of them."""

from __future__ import annotations

import io

from flask import render_template, send_file
from flask_babel import gettext as _
from flask_login import current_user

from quizapp.messages.people import import_problem_message
from quizapp.models.types import utcnow
from quizapp.services.participant_import import (
    ImportRefused,
    import_participants,
    passwords_workbook,
    plan_import,
)
from quizapp.services.scopes import scope_of
from quizapp.uploads import discard, import_limits, stage, staged
from quizapp.views.organizer import bp
from quizapp.views.organizer.participants_forms import ConfirmParticipantsImportForm, ImportParticipantsForm

PREVIEW_ROWS = 10
SHOWN_PROBLEMS = 200  # a list of thousands helps nobody: the first ones show what to fix


def _problems(refused: ImportRefused) -> list[str]:
    lines = [import_problem_message(p) for p in refused.problems[:SHOWN_PROBLEMS]]
    if len(refused.problems) > SHOWN_PROBLEMS:
        lines.append(_("… và %(n)d lỗi khác.", n=len(refused.problems) - SHOWN_PROBLEMS))
    return lines


def _page(form, status=200, **context):
    return render_template("organizer/participants_import.html", form=form, **context), status


@bp.get("/participants/import")
def import_participants_page():
    return _page(ImportParticipantsForm())


@bp.post("/participants/import")
def upload_participants():
    form = ImportParticipantsForm()
    if not form.validate_on_submit():
        return _page(form, 400)
    filename, data = form.file.data.filename or "", form.file.data.read()
    try:
        plan = plan_import(filename, data, today=utcnow().date(), limits=import_limits(),
                           scope=scope_of(current_user))
    except ImportRefused as refused:
        return _page(form, 400, problems=_problems(refused), problem_count=len(refused.problems),
                     filename=filename)
    by_unit: dict[str, int] = {}
    for row in plan.rows:
        by_unit[row.registration.unit_code] = by_unit.get(row.registration.unit_code, 0) + 1
    confirm = ConfirmParticipantsImportForm(formdata=None, token=stage(data, "people"), filename=filename)
    return _page(form, plan=plan, sample=plan.rows[:PREVIEW_ROWS], by_unit=sorted(by_unit.items()),
                 confirm=confirm, filename=filename)


@bp.post("/participants/import/confirm")
def confirm_participants_import():
    form = ConfirmParticipantsImportForm()
    data = staged(form.token.data, "people") if form.validate_on_submit() else None
    if data is None:
        return _page(ImportParticipantsForm(formdata=None), 400,
                     problems=[_("Tệp đã tải lên không còn. Hãy tải lên lại.")])
    filename = form.filename.data
    try:
        plan = plan_import(filename, data, today=utcnow().date(), limits=import_limits(),
                           scope=scope_of(current_user))
    except ImportRefused as refused:  # accounts registered meanwhile
        return _page(ImportParticipantsForm(formdata=None), 409,
                     problems=_problems(refused), problem_count=len(refused.problems),
                     filename=filename)
    created = import_participants(plan, filename=filename, actor=current_user, now=utcnow())
    discard(form.token.data, "people")
    headings = {"sheet": _("Mật khẩu"), "line": _("Dòng"), "full_name": _("Họ và tên"),
                "phone": _("Số điện thoại"), "unit_code": _("Mã đơn vị"), "password": _("Mật khẩu lần đầu")}
    workbook = passwords_workbook(plan, created, headings)
    response = send_file(io.BytesIO(workbook), as_attachment=True, download_name="mat-khau-thi-sinh.xlsx",
                         mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response.headers["Cache-Control"] = "no-store"
    return response
