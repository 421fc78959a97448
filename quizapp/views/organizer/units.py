"""The unit tree: see it, and import it from a file (all or nothing, every problem listed)."""

from __future__ import annotations

from pathlib import Path

from flask import current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func, select

from quizapp.domain.banks import BankFileError, ImportLimits
from quizapp.extensions import db
from quizapp.messages.files import describe
from quizapp.models import Unit, User
from quizapp.models.types import utcnow
from quizapp.services.units import import_units
from quizapp.views.organizer import bp
from quizapp.views.organizer.forms import UploadUnitsForm


def _tree() -> list[tuple[Unit, int]]:
    """Every unit in tree order (depth-first by code) with the number of participants registered directly in it."""
    registered = dict(db.session.execute(
        select(User.unit_id, func.count()).where(User.unit_id.is_not(None)).group_by(User.unit_id)
    ).tuples().all())
    units = db.session.scalars(select(Unit)).all()
    children: dict[int | None, list[Unit]] = {}
    for unit in units:
        children.setdefault(unit.parent_id, []).append(unit)
    ordered: list[tuple[Unit, int]] = []
    stack = sorted(children.get(None, []), key=lambda u: u.code, reverse=True)
    while stack:
        unit = stack.pop()
        ordered.append((unit, registered.get(unit.id, 0)))
        stack.extend(sorted(children.get(unit.id, []), key=lambda u: u.code, reverse=True))
    return ordered


@bp.get("/units")
def units():
    return render_template("organizer/units.html", tree=_tree(), form=UploadUnitsForm(), problems=[])


@bp.post("/units")
def upload_units():
    form = UploadUnitsForm()
    if not form.validate_on_submit():
        return render_template("organizer/units.html", tree=_tree(), form=form, problems=[]), 400
    upload = form.file.data
    limits = ImportLimits(max_bytes=current_app.config["QUIZAPP_IMPORT_MAX_BYTES"])
    data = upload.read(limits.max_bytes + 1)
    try:
        result = import_units(filename=Path(upload.filename or "units").name, data=data, actor=current_user,
                              now=utcnow(), limits=limits)
    except BankFileError as error:
        db.session.rollback()
        problems = [describe(problem) for problem in error.problems]
        return render_template("organizer/units.html", tree=_tree(), form=form, problems=problems), 422
    flash(_("Đã nhập cây đơn vị: %(added)d đơn vị mới, %(updated)d đơn vị cập nhật.", added=result.added,
            updated=result.updated), "success")
    return redirect(url_for("organizer.units"))
