"""The unit tree: browse it (expandable, with registrations and a contest's participation totalled up the tree),
search it, import it from a file with a preview to confirm (all or nothing, every problem listed), export it in
the import layout. Adding, editing, moving and merging units: ``units_edit``. A scoped organizer sees and changes
only their subtree: each service is given ``scope_of(current_user)`` and keeps to it."""

from __future__ import annotations

import io
from pathlib import Path

from flask import flash, redirect, render_template, request, send_file, url_for
from flask_babel import format_decimal, format_percent
from flask_babel import gettext as _
from flask_login import current_user

from quizapp.domain.banks import BankFileError
from quizapp.extensions import db
from quizapp.messages.files import describe
from quizapp.messages.units import describe_scope_rows
from quizapp.models import Contest
from quizapp.models.types import utcnow
from quizapp.services.contests import public_contests
from quizapp.services.scopes import scope_of
from quizapp.services.unit_tree import export_csv, export_xlsx, tree_rows
from quizapp.services.units import (
    ImportOutsideScope,
    UnitFigures,
    ancestor_ids,
    figure_contests,
    import_units,
    plan_units_import,
    search_units,
    tree_figures,
    unit_paths,
)
from quizapp.uploads import discard, import_limits, stage, staged
from quizapp.views.organizer import bp
from quizapp.views.organizer.forms import UnitFiguresForm, UploadUnitsForm
from quizapp.views.organizer.units_forms import AddUnitForm, ConfirmUnitsForm, UnitSearchForm

#: a tree this small is shown fully open; a larger one opens its roots and the path to the unit asked for
OPEN_ALL_UP_TO = 40
#: a tree larger than this lists the units below the second level only under the units opened (the path to the
#: unit asked for), each closed unit with a link that opens it: the page stays small for a province's 20,000 units
WHOLE_TREE_UP_TO = 1000
#: rows of an import's preview listed (the counts are always whole)
PREVIEW_ROWS = 200


def render_tree(*, form: UploadUnitsForm | None = None, add_form: AddUnitForm | None = None,
                problems: list[str] | None = None, add_problems: list[str] | None = None, status: int = 200):
    """The tree page: the tree with its registrations and, for the contest chosen (default: the newest with a
    round open, else the newest), each unit's participation; the search, the add and import forms."""
    scope = scope_of(current_user)
    contests = figure_contests(scope)
    figures_form = UnitFiguresForm(request.args)
    figures_form.contest.choices = contests
    if not (figures_form.contest.raw_data and figures_form.validate()):
        listed = {contest_id for contest_id, _title in contests}
        open_now = [item.contest.id for item in public_contests(utcnow()).open if item.contest.id in listed]
        figures_form.contest.data = open_now[0] if open_now else (contests[0][0] if contests else None)
    contest = db.session.get(Contest, figures_form.contest.data) if figures_form.contest.data else None
    tree = tree_figures(contest, scope)
    ids = {row.unit.id for row in tree}
    children: dict[int | None, list[UnitFigures]] = {}
    for row in tree:
        children.setdefault(row.unit.parent_id if row.unit.parent_id in ids else None, []).append(row)
    top_depth = min((row.unit.depth for row in children.get(None, [])), default=1)
    search = UnitSearchForm(request.args)
    hits = (search_units(search.q.data or "", limit=50, scope=scope) if search.validate() and search.q.data
            else [])
    asked = request.args.get("open", type=int)
    opened = ancestor_ids(asked) if asked else set()
    return render_template(
        "organizer/units.html", tree=tree, children=children, contest=contest, form=form or UploadUnitsForm(),
        add_form=add_form or AddUnitForm(formdata=None), figures_form=figures_form, problems=problems or [],
        add_problems=add_problems or [], search=search, hits=hits, paths=unit_paths([u.id for u in hits]),
        opened=opened, asked=asked, open_all=len(tree) <= OPEN_ALL_UP_TO, whole=len(tree) <= WHOLE_TREE_UP_TO,
        top_depth=top_depth, scope_top=scope.unit_id, number=format_decimal,
        percent=format_percent), status


@bp.get("/units")
def units():
    return render_tree()


@bp.post("/units")
def upload_units():
    """The preview of an uploaded tree: what it adds and changes, or every problem; nothing is saved yet."""
    form = UploadUnitsForm()
    if not form.validate_on_submit():
        return render_tree(form=form, status=400)
    upload = form.file.data
    filename = Path(upload.filename or "units").name
    data = upload.read(import_limits().max_bytes + 1)
    try:
        plan = plan_units_import(filename=filename, data=data, limits=import_limits(), now=utcnow(),
                                 scope=scope_of(current_user))
    except BankFileError as error:
        return render_tree(form=form, problems=[describe(problem) for problem in error.problems], status=422)
    except ImportOutsideScope as error:
        return render_tree(form=form, problems=describe_scope_rows(error), status=422)
    confirm = ConfirmUnitsForm(token=stage(data, "units"), filename=filename) if plan.added or plan.changed else None
    return render_template("organizer/units_preview.html", filename=filename, plan=plan, confirm=confirm,
                           number=format_decimal, preview_rows=PREVIEW_ROWS)


@bp.post("/units/confirm")
def confirm_units():
    form = ConfirmUnitsForm()
    data = staged(form.token.data, "units") if form.validate_on_submit() else None
    if data is None:
        flash(_("Tệp tải lên đã hết hạn hoặc không còn. Vui lòng tải lên lại."), "error")
        return redirect(url_for("organizer.units"))
    try:
        result = import_units(filename=form.filename.data, data=data, actor=current_user, now=utcnow(),
                              limits=import_limits(), scope=scope_of(current_user))
    except BankFileError as error:  # the tree changed since the preview in a way the file no longer fits
        db.session.rollback()
        return render_tree(problems=[describe(problem) for problem in error.problems], status=422)
    except ImportOutsideScope as error:  # a token staged by someone else, or the tree moved since
        db.session.rollback()
        return render_tree(problems=describe_scope_rows(error), status=422)
    discard(form.token.data, "units")
    flash(_("Đã nhập cây đơn vị: %(added)d đơn vị mới, %(updated)d đơn vị cập nhật.", added=result.added,
            updated=result.updated), "success")
    return redirect(url_for("organizer.units"))


@bp.get("/units/export.<any(csv, xlsx):kind>")
def export_units(kind: str):
    """The tree (a scoped organizer's subtree) in the import layout (code, name, parent_code, member_count): it
    imports again unchanged."""
    rows = tree_rows(scope_of(current_user))
    data = export_csv(rows) if kind == "csv" else export_xlsx(rows)
    mimetype = ("text/csv" if kind == "csv"
                else "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    return send_file(io.BytesIO(data), mimetype=mimetype, as_attachment=True,
                     download_name=f"don-vi-{utcnow():%Y%m%d}.{kind}")


from quizapp.views.organizer import units_edit  # noqa: E402,F401  (registers the unit pages' routes)
