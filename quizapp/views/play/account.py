""""Tài khoản của tôi": a participant sees what is held about them, downloads it (JSON, .xlsx) and asks for its
erasure (SPEC rule 11); the answer to a request shows here too."""

from __future__ import annotations

import io
import json

from flask import Response, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import TextAreaField
from wtforms.validators import DataRequired, Length

from quizapp.auth import roles_required
from quizapp.domain.personal_data import ErasureError
from quizapp.extensions import db
from quizapp.messages.personal_data import data_label, erasure_error_message, erasure_status_label
from quizapp.models import ErasureRequest, Role
from quizapp.models.types import utcnow
from quizapp.services.personal_data import export_data, pending_request, request_erasure
from quizapp.services.personal_data_xlsx import write_personal_data_xlsx
from quizapp.services.units import unit_paths
from quizapp.views.play import bp

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class ErasureRequestForm(FlaskForm):
    reason = TextAreaField(_l("Lý do"), validators=[DataRequired(_l("Cần ghi lý do.")), Length(max=1000)])


@bp.get("/account")
@roles_required(Role.PARTICIPANT)
def account():
    return _account_page(ErasureRequestForm())


def _account_page(form: ErasureRequestForm, status: int = 200):
    requests = db.session.scalars(select(ErasureRequest).where(ErasureRequest.user_id == current_user.id)
                                  .order_by(ErasureRequest.id.desc())).all()
    path = unit_paths([current_user.unit_id]).get(current_user.unit_id) if current_user.unit_id else None
    return render_template("play/account.html", form=form, requests=requests, unit_path=path,
                           pending=pending_request(current_user.id), status_label=erasure_status_label), status


def _download(body: bytes, mimetype: str, extension: str) -> Response:
    response = Response(body, mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="du-lieu-ca-nhan-{current_user.id}.{extension}"'
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/account/data.json")
@roles_required(Role.PARTICIPANT)
def account_data_json():
    data = export_data(current_user, actor=current_user, now=utcnow())
    return _download(json.dumps(data, ensure_ascii=False, indent=2).encode(), "application/json", "json")


@bp.get("/account/data.xlsx")
@roles_required(Role.PARTICIPANT)
def account_data_xlsx():
    data = export_data(current_user, actor=current_user, now=utcnow())
    stream = io.BytesIO()
    write_personal_data_xlsx(data, stream, label=data_label)
    return _download(stream.getvalue(), XLSX, "xlsx")


@bp.post("/account/erasure")
@roles_required(Role.PARTICIPANT)
def request_account_erasure():
    form = ErasureRequestForm()
    if not form.validate_on_submit():
        return _account_page(form, 422)
    try:
        request_erasure(current_user, reason=form.reason.data, now=utcnow())
    except ErasureError as error:
        form.reason.errors = [erasure_error_message(error)]
        return _account_page(form, 409)
    flash(_("Đã gửi yêu cầu xóa dữ liệu. Ban Tổ chức sẽ xử lý khi kết quả các cuộc thi bạn tham gia đã được chốt."),
          "success")
    return redirect(url_for("play.account"))
