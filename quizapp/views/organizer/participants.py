"""Participants: find one, reset their password, give them extra time in a round."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from quizapp.domain.attempts import AttemptError
from quizapp.domain.registration import RegistrationError
from quizapp.extensions import db
from quizapp.messages.participants import attempt_error_message, registration_message
from quizapp.models import Attempt, Contest, Role, Round, TimeExtension, User
from quizapp.models.types import utcnow
from quizapp.services.attempt_closing import grant_extension
from quizapp.services.participants import reset_password
from quizapp.services.people import participant_search
from quizapp.services.units import unit_paths
from quizapp.views.organizer import bp
from quizapp.views.organizer.forms import ExtensionForm, PasswordResetForm
from quizapp.views.paging import paginate


def _participant(user_id: int) -> User:
    user = db.session.get(User, user_id)
    if user is None or user.role is not Role.PARTICIPANT:
        abort(404)
    return user


@bp.get("/participants")
def participants():
    query = request.args.get("q", "")
    page = paginate(participant_search(query))
    paths = unit_paths([u.unit_id for u in page.items if u.unit_id])
    return render_template("organizer/participants.html", page=page, query=query, paths=paths)


def _rounds_choices() -> list[tuple[int, str]]:
    rows = db.session.execute(
        select(Round.id, Round.name, Contest.title).join(Contest).order_by(Contest.id.desc(), Round.position)
    ).all()
    return [(row.id, f"{row.title} – {row.name}") for row in rows]


@bp.get("/participants/<int:user_id>")
def participant(user_id: int):
    user = _participant(user_id)
    extension_form = ExtensionForm()
    extension_form.round_id.choices = _rounds_choices()
    return _participant_page(user, PasswordResetForm(), extension_form)


def _participant_page(user: User, reset_form: PasswordResetForm, extension_form: ExtensionForm, status: int = 200):
    attempts = db.session.execute(
        select(Attempt, Round.name).join(Round, Round.id == Attempt.round_id)
        .where(Attempt.user_id == user.id).order_by(Attempt.started_at.desc())
    ).all()
    extensions = db.session.execute(
        select(TimeExtension, Round.name).join(Round, Round.id == TimeExtension.round_id)
        .where(TimeExtension.user_id == user.id)
    ).all()
    path = unit_paths([user.unit_id]).get(user.unit_id) if user.unit_id else None
    return render_template("organizer/participant.html", user=user, attempts=attempts, extensions=extensions,
                           unit_path=path, reset_form=reset_form, extension_form=extension_form), status


@bp.post("/participants/<int:user_id>/password")
def reset_participant_password(user_id: int):
    user = _participant(user_id)
    form = PasswordResetForm()
    extension_form = ExtensionForm()
    extension_form.round_id.choices = _rounds_choices()
    if not form.validate_on_submit():
        return _participant_page(user, form, extension_form, 400)
    try:
        reset_password(user, form.password.data, actor=current_user, now=utcnow())
    except RegistrationError as error:
        form.password.errors = [registration_message(code) for code in error.problems.values()]
        return _participant_page(user, form, extension_form, 400)
    flash(_("Đã đặt lại mật khẩu. Các phiên đăng nhập cũ của thí sinh đã bị đăng xuất."), "success")
    return redirect(url_for("organizer.participant", user_id=user.id))


@bp.post("/participants/<int:user_id>/extension")
def extend_time(user_id: int):
    user = _participant(user_id)
    form = ExtensionForm()
    form.round_id.choices = _rounds_choices()
    if not form.validate_on_submit():
        return _participant_page(user, PasswordResetForm(), form, 400)
    round_ = db.session.get(Round, form.round_id.data) or abort(404)
    try:
        grant_extension(round_, user, form.minutes.data * 60, form.reason.data, actor=current_user, now=utcnow())
    except AttemptError as error:
        db.session.rollback()
        form.minutes.errors = [attempt_error_message(error.code, error.data)]
        return _participant_page(user, PasswordResetForm(), form, 400)
    flash(_("Đã gia hạn %(m)d phút cho thí sinh trong «%(r)s».", m=form.minutes.data, r=round_.name), "success")
    return redirect(url_for("organizer.participant", user_id=user.id))
