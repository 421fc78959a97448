"""The unit tree: see it with its registrations and a contest's participation totalled up the tree, and import it
from a file (all or nothing, every problem listed)."""

from __future__ import annotations

from pathlib import Path

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_babel import format_decimal, format_percent
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from quizapp.domain.banks import BankFileError, ImportLimits
from quizapp.extensions import db
from quizapp.messages.files import describe
from quizapp.models import Contest
from quizapp.models.types import utcnow
from quizapp.services.contests import public_contests
from quizapp.services.units import import_units, tree_figures
from quizapp.views.organizer import bp
from quizapp.views.organizer.forms import UnitFiguresForm, UploadUnitsForm


def _render(form: UploadUnitsForm, problems: list[str], status: int = 200):
    """The tree with its registrations and, for the contest chosen (default: the newest with a round open, else
    the newest), each unit's participation."""
    contests = db.session.execute(select(Contest.id, Contest.title).order_by(Contest.id.desc())).all()
    figures_form = UnitFiguresForm(request.args)
    figures_form.contest.choices = [(contest_id, title) for contest_id, title in contests]
    if not (figures_form.contest.raw_data and figures_form.validate()):
        open_now = public_contests(utcnow()).open
        figures_form.contest.data = open_now[0].contest.id if open_now else (contests[0][0] if contests else None)
    contest = db.session.get(Contest, figures_form.contest.data) if figures_form.contest.data else None
    return render_template("organizer/units.html", tree=tree_figures(contest), contest=contest, form=form,
                           figures_form=figures_form, problems=problems, number=format_decimal,
                           percent=format_percent), status


@bp.get("/units")
def units():
    return _render(UploadUnitsForm(), [])


@bp.post("/units")
def upload_units():
    form = UploadUnitsForm()
    if not form.validate_on_submit():
        return _render(form, [], 400)
    upload = form.file.data
    limits = ImportLimits(max_bytes=current_app.config["QUIZAPP_IMPORT_MAX_BYTES"])
    data = upload.read(limits.max_bytes + 1)
    try:
        result = import_units(filename=Path(upload.filename or "units").name, data=data, actor=current_user,
                              now=utcnow(), limits=limits)
    except BankFileError as error:
        db.session.rollback()
        problems = [describe(problem) for problem in error.problems]
        return _render(form, problems, 422)
    flash(_("Đã nhập cây đơn vị: %(added)d đơn vị mới, %(updated)d đơn vị cập nhật.", added=result.added,
            updated=result.updated), "success")
    return redirect(url_for("organizer.units"))
