"""One unit of the tree: its page, and adding, renaming, moving and merging units by hand.

Each change is one service call (``services.unit_tree``) in the request's transaction, audited there. A refused
change answers 422 with each reason beside its field (or above the forms when it concerns the whole change), and
nothing of it is saved (the transaction of an error answer is rolled back).
"""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import format_decimal
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func, select

from quizapp.domain.units import TreeChangeRefused
from quizapp.extensions import db
from quizapp.messages.units import describe_tree_problem
from quizapp.models import Role, Unit, UnitAncestor, User
from quizapp.models.types import utcnow
from quizapp.services.scopes import scope_of
from quizapp.services.unit_tree import add_unit, edit_unit, merge_units, move_unit
from quizapp.services.units import unit_paths
from quizapp.views.organizer import bp
from quizapp.views.organizer.units import render_tree
from quizapp.views.organizer.units_forms import AddUnitForm, EditUnitForm, MergeUnitForm, MoveUnitForm, attach


def _unit(unit_id: int) -> Unit:
    return db.session.get(Unit, unit_id) or abort(404)


def _render_unit(unit: Unit, *, edit: EditUnitForm | None = None, move: MoveUnitForm | None = None,
                 merge: MergeUnitForm | None = None, problems: list[str] | None = None, status: int = 200):
    """The unit's page: its path, children, registrations (here and below) and the three forms."""
    parent = db.session.get(Unit, unit.parent_id) if unit.parent_id else None
    children = db.session.scalars(select(Unit).where(Unit.parent_id == unit.id).order_by(Unit.code)).all()
    below = (select(UnitAncestor.descendant_id).where(UnitAncestor.ancestor_id == unit.id))
    registered = db.session.execute(
        select(func.count(), func.count().filter(User.unit_id == unit.id))
        .where(User.unit_id.in_(below), User.role == Role.PARTICIPANT, User.hidden.is_(False))).one()
    subtree = db.session.scalar(select(func.count()).select_from(below.subquery()))
    edit = edit or EditUnitForm(formdata=None, name=unit.name, member_count=unit.member_count)
    move = move or MoveUnitForm(formdata=None, parent_code=parent.code if parent else "")
    return render_template("organizer/units_unit.html", unit=unit, parent=parent, children=children,
                           path=unit_paths([unit.id]).get(unit.id, unit.name), registered=registered[0],
                           registered_here=registered[1], subtree=subtree, edit=edit, move=move,
                           merge=merge or MergeUnitForm(formdata=None), problems=problems or [],
                           scope_top=unit.id == scope_of(current_user).unit_id, number=format_decimal), status


@bp.get("/units/<int:unit_id>")
def unit_page(unit_id: int):
    return _render_unit(_unit(unit_id))


@bp.post("/units/add")
def add_unit_view():
    form = AddUnitForm()
    if not form.validate_on_submit():
        return render_tree(add_form=form, status=422)
    try:
        unit = add_unit(code=form.code.data, name=form.name.data, parent_code=form.parent_code.data,
                        member_count=form.member_count.data, actor=current_user, now=utcnow(),
                        scope=scope_of(current_user))
    except TreeChangeRefused as refused:
        return render_tree(add_form=form, add_problems=attach(form, refused.problems, describe_tree_problem),
                           status=422)
    flash(_("Đã thêm đơn vị %(code)s — %(name)s.", code=unit.code, name=unit.name), "success")
    return redirect(url_for("organizer.units", open=unit.id, _anchor=f"unit-{unit.id}"))


@bp.post("/units/<int:unit_id>/edit")
def edit_unit_view(unit_id: int):
    unit = _unit(unit_id)
    form = EditUnitForm()
    if not form.validate_on_submit():
        return _render_unit(unit, edit=form, status=422)
    try:
        changed = edit_unit(unit, name=form.name.data, member_count=form.member_count.data, actor=current_user,
                            now=utcnow(), scope=scope_of(current_user))
    except TreeChangeRefused as refused:
        return _render_unit(unit, edit=form, problems=attach(form, refused.problems, describe_tree_problem),
                            status=422)
    flash(_("Đã lưu đơn vị %(code)s.", code=unit.code) if changed else _("Không có gì thay đổi."),
          "success" if changed else "info")
    return redirect(url_for("organizer.unit_page", unit_id=unit.id))


@bp.post("/units/<int:unit_id>/move")
def move_unit_view(unit_id: int):
    unit = _unit(unit_id)
    form = MoveUnitForm()
    if not form.validate_on_submit():
        return _render_unit(unit, move=form, status=422)
    try:
        moved = move_unit(unit, parent_code=form.parent_code.data, actor=current_user, now=utcnow(),
                          scope=scope_of(current_user))
    except TreeChangeRefused as refused:
        return _render_unit(unit, move=form, problems=attach(form, refused.problems, describe_tree_problem),
                            status=422)
    if moved:
        flash(_("Đã chuyển đơn vị %(code)s (cùng %(count)s đơn vị, kể cả nó).", code=unit.code,
                count=format_decimal(moved)), "success")
    else:
        flash(_("Đơn vị đã ở đúng chỗ đó, không có gì thay đổi."), "info")
    return redirect(url_for("organizer.unit_page", unit_id=unit_id))


@bp.post("/units/<int:unit_id>/merge")
def merge_unit_view(unit_id: int):
    unit = _unit(unit_id)
    form = MergeUnitForm()
    if not form.validate_on_submit():
        return _render_unit(unit, merge=form, status=422)
    code = unit.code
    try:
        result = merge_units(unit, target_code=form.target_code.data, actor=current_user, now=utcnow(),
                             scope=scope_of(current_user))
    except TreeChangeRefused as refused:
        return _render_unit(unit, merge=form, problems=attach(form, refused.problems, describe_tree_problem),
                            status=422)
    flash(_("Đã gộp đơn vị %(code)s vào %(target)s: %(children)s đơn vị cấp dưới và %(people)s tài khoản đã "
            "chuyển sang.", code=code, target=result.target.code, children=format_decimal(result.children),
            people=format_decimal(result.people)), "success")
    return redirect(url_for("organizer.unit_page", unit_id=result.target.id))
