"""Administrators' screens: the staff accounts (create an organizer, a judge, an admin or a unit officer, the first
two optionally and the last always scoped to a unit; turn an account off or on). Participants' accounts are the
organizers' (``views.organizer.participants``)."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import PasswordField, SelectField, StringField
from wtforms.validators import AnyOf, DataRequired, Length, Optional

from quizapp.auth import roles_required
from quizapp.extensions import db
from quizapp.messages.accounts import role_label, staff_error_message
from quizapp.models import Role, User
from quizapp.models.types import parse_id, utcnow
from quizapp.services.accounts import AccountError, create_scoped_staff, set_staff_active, staff_accounts

bp = Blueprint("admin", __name__, url_prefix="/admin")

STAFF_ROLES = (Role.ORGANIZER, Role.JUDGE, Role.UNIT_OFFICER, Role.ADMIN)


class StaffForm(FlaskForm):
    role = SelectField(_l("Vai trò"), choices=[], validate_choice=False, validators=[
        AnyOf([role.value for role in STAFF_ROLES], message=_l("Hãy chọn một vai trò trong danh sách."))])
    full_name = StringField(_l("Họ và tên"), validators=[Optional(), Length(max=200)])
    email = StringField(_l("Email (dùng để đăng nhập)"), validators=[DataRequired(_l("Thông tin này là bắt buộc.")),
                                                                   Length(max=254)])
    password = PasswordField(_l("Mật khẩu ban đầu"), validators=[DataRequired(_l("Thông tin này là bắt buộc.")),
                                                                 Length(max=200)])
    unit = StringField(_l("Mã đơn vị phụ trách"), validators=[Optional(), Length(max=50)])


class ActiveForm(FlaskForm):
    """Turn an account off or on: no field but the CSRF token."""


@bp.before_request
@roles_required(Role.ADMIN)
def _guard() -> None:
    """Every page here needs an administrator."""


def _form() -> StaffForm:
    form = StaffForm()
    form.role.choices = [(role.value, role_label(role.value)) for role in STAFF_ROLES]
    return form


def _page(form: StaffForm, status: int = 200):
    return render_template("admin/accounts.html", form=form, accounts=staff_accounts(), role_label=role_label,
                           active_form=ActiveForm(formdata=None)), status


@bp.get("/accounts")
def accounts():
    return _page(_form())


@bp.post("/accounts")
def create_account():
    form = _form()
    if not form.validate_on_submit():
        return _page(form, 422)
    try:
        user = create_scoped_staff(role=Role(form.role.data), unit_code=form.unit.data, email=form.email.data,
                                   password=form.password.data, full_name=form.full_name.data, actor=current_user,
                                   now=utcnow())
    except AccountError as error:
        field = getattr(form, {"full_name": "full_name", "unit": "unit", "password": "password", "role": "role"}.get(
            error.field or "", "email"))
        field.errors = [*field.errors, staff_error_message(error)]
        return _page(form, 422)
    flash(_("Đã tạo tài khoản %(email)s (%(role)s).", email=user.email, role=role_label(user.role.value)), "success")
    return redirect(url_for("admin.accounts"))


@bp.post("/accounts/<user_id>/deactivate", defaults={"active": False}, endpoint="deactivate")
@bp.post("/accounts/<user_id>/reactivate", defaults={"active": True}, endpoint="reactivate")
def set_active(user_id: str, active: bool):
    if not ActiveForm().validate_on_submit():
        abort(400)
    record_id = parse_id(user_id)
    user = db.session.get(User, record_id) if record_id is not None else None
    if user is None or user.role is Role.PARTICIPANT:
        abort(404)
    try:
        set_staff_active(user, active, actor=current_user, now=utcnow())
    except AccountError as error:
        flash(staff_error_message(error), "error")
        return redirect(url_for("admin.accounts"))
    flash(_("Đã mở lại tài khoản %(email)s.", email=user.email) if active
          else _("Đã khóa tài khoản %(email)s: mọi phiên đăng nhập của tài khoản này đã kết thúc.", email=user.email),
          "success")
    return redirect(url_for("admin.accounts"))
