"""Erasure requests (SPEC rule 11): the organizer sees them, carries one out once the contests' results are final
(the same service as `quizapp people erase`), or refuses it with a reason; every step is in the audit log."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import TextAreaField
from wtforms.validators import DataRequired, Length

from quizapp.domain.personal_data import ErasureError
from quizapp.extensions import db
from quizapp.messages.personal_data import erasure_error_message, erasure_status_label
from quizapp.models import ErasureRequest, ErasureStatus
from quizapp.models.types import utcnow
from quizapp.services.personal_data import erasure_requests as requests_in_scope
from quizapp.services.personal_data import handle_request, refuse_request, waiting_in_scope
from quizapp.services.scopes import scope_of
from quizapp.views.organizer import bp
from quizapp.views.organizer.forms import ActionForm


class RefuseErasureForm(FlaskForm):
    answer = TextAreaField(_l("Lý do từ chối"), validators=[DataRequired(_l("Cần ghi lý do.")), Length(max=1000)])


@bp.get("/erasure-requests")
def erasure_requests():
    """Pending requests first (oldest first), then the last handled ones, of the participants in the account's
    scope; for each pending one, the rounds that keep the person's results from being final."""
    now = utcnow()
    rows = requests_in_scope(scope_of(current_user))
    scope = scope_of(current_user)
    waiting = {request.id: waiting_in_scope(user.id, now, scope) for request, user in rows
               if request.status is ErasureStatus.PENDING}
    return render_template("organizer/erasure_requests.html", rows=rows, waiting=waiting,
                           status_label=erasure_status_label)


def _pending(request_id: int) -> ErasureRequest:
    found = db.session.get(ErasureRequest, request_id)
    if found is None:
        abort(404)
    return found


@bp.post("/erasure-requests/<int:request_id>/erase")
def erase_on_request(request_id: int):
    request = _pending(request_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        erased = handle_request(request, actor=current_user, now=utcnow())
    except ErasureError as error:
        flash(erasure_error_message(error), "error")
        return redirect(url_for("organizer.erasure_requests"))
    flash(_("Đã xóa dữ liệu cá nhân; kết quả được giữ dưới tên «%(label)s».", label=erased.label), "success")
    return redirect(url_for("organizer.erasure_requests"))


@bp.post("/erasure-requests/<int:request_id>/refuse")
def refuse_erasure(request_id: int):
    request = _pending(request_id)
    form = RefuseErasureForm()
    if not form.validate_on_submit():
        flash(_("Cần ghi lý do từ chối."), "error")
        return redirect(url_for("organizer.erasure_requests"))
    try:
        refuse_request(request, answer=form.answer.data, actor=current_user, now=utcnow())
    except ErasureError as error:
        flash(erasure_error_message(error), "error")
        return redirect(url_for("organizer.erasure_requests"))
    flash(_("Đã từ chối yêu cầu xóa dữ liệu."), "success")
    return redirect(url_for("organizer.erasure_requests"))
