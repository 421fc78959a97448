"""Merging two accounts of one person: the organizer names the other account on the kept one's page, sees what
would move and what conflicts (preview), then confirms. The rule is ``services.account_merge``'s."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from quizapp.domain.phones import normalise_phone
from quizapp.errors import error_response
from quizapp.extensions import db
from quizapp.messages.people import merge_error_message
from quizapp.models import Role, User
from quizapp.models.types import utcnow
from quizapp.services.account_merge import MergeError, merge_accounts, plan_merge
from quizapp.services.scopes import scope_of
from quizapp.views.organizer import bp
from quizapp.views.organizer.participants import participant_or_404, participant_page
from quizapp.views.organizer.participants_forms import ConfirmMergeForm, MergeForm


def _other_account(text: str) -> User | None:
    """The account named by ``#id``, a bare id, or a phone number in any usual form."""
    text = text.strip().lstrip("#")
    phone = normalise_phone(text)
    if phone:
        return db.session.scalar(select(User).where(User.phone == phone, User.role == Role.PARTICIPANT))
    if text.isdigit() and len(text) <= 9:
        return db.session.get(User, int(text))
    return None


@bp.post("/participants/<int:user_id>/merge")
def merge_preview(user_id: int):
    keep = participant_or_404(user_id)
    form = MergeForm()
    if not form.validate_on_submit():
        return participant_page(keep, 400, merge_form=form)
    other = _other_account(form.other.data)
    if other is None:
        form.other.errors = merge_error_message(MergeError("not_found"))
        return participant_page(keep, 400, merge_form=form)
    try:
        plan = plan_merge(keep, other, scope_of(current_user))
    except MergeError as error:
        form.other.errors = merge_error_message(error)
        return participant_page(keep, 400, merge_form=form)
    confirm = ConfirmMergeForm(formdata=None, keep_id=keep.id, merge_id=other.id)
    refusals = merge_error_message(MergeError("conflicts", {"refusals": plan.refusals})) if plan.refusals else []
    return render_template("organizer/participant_merge.html", keep=keep, other=other, plan=plan,
                           refusals=refusals, confirm=confirm)


@bp.post("/participants/merge")
def merge_confirm():
    form = ConfirmMergeForm()
    if not form.validate_on_submit() or not (form.keep_id.data.isdigit() and form.merge_id.data.isdigit()):
        flash(_("Yêu cầu gộp tài khoản không hợp lệ. Hãy thử lại từ trang của thí sinh."), "error")
        return redirect(url_for("organizer.participants"))
    keep, other = participant_or_404(int(form.keep_id.data)), participant_or_404(int(form.merge_id.data))
    try:
        plan = merge_accounts(keep, other, actor=current_user, now=utcnow(), scope=scope_of(current_user))
    except MergeError as error:
        refusals = merge_error_message(error)
        if error.code == "outside_scope":  # nothing about an account outside the scope is shown
            return error_response(403, error.code, refusals[0])
        return render_template("organizer/participant_merge.html", keep=keep, other=other, plan=None,
                               refusals=refusals, confirm=None), 409
    flash(_("Đã gộp tài khoản #%(other)d vào tài khoản này: %(n)d lượt thi được chuyển sang.",
            other=other.id, n=plan.attempts), "success")
    return redirect(url_for("organizer.participant", user_id=keep.id))
