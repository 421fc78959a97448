"""Participants: find one (filters), see and correct their details, reset their password, give them extra time,
hide them from rankings. Merging accounts: participants_merge.py; importing a list: participants_import.py.
A scoped organizer's lists and changes keep to their subtree: the services are given ``scope_of(current_user)``."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from quizapp.domain.attempts import AttemptError
from quizapp.domain.registration import RegistrationError
from quizapp.extensions import db
from quizapp.messages.participants import attempt_error_message, profile_problem_message
from quizapp.messages.people import taken_message
from quizapp.models import Role, Round, Unit, User
from quizapp.models.types import utcnow
from quizapp.services.attempt_closing import grant_extension
from quizapp.services.participants import (
    ParticipantFilter,
    ProfileError,
    extension_rounds,
    participant_history,
    profile_values,
    require_in_scope,
    reset_password,
    search_participants,
    set_hidden,
    update_profile,
)
from quizapp.services.scopes import scope_of, unit_in_scope
from quizapp.services.units import unit_paths
from quizapp.views.organizer import bp
from quizapp.views.organizer.forms import ActionForm, ExtensionForm, PasswordResetForm
from quizapp.views.organizer.participants_forms import HideForm, MergeForm, ParticipantSearchForm, ProfileForm
from quizapp.views.paging import paginate


def participant_or_404(user_id: int) -> User:
    user = db.session.get(User, user_id)
    if user is None or user.role is not Role.PARTICIPANT:
        abort(404)
    return user


@bp.get("/participants")
def participants():
    form = ParticipantSearchForm(request.args)
    form.validate()
    scope = scope_of(current_user)
    unit = None
    if form.unit.data and not form.unit.errors:
        unit = db.session.scalar(select(Unit).where(Unit.code == form.unit.data.strip()))
        if unit is None:
            form.unit.errors = [profile_problem_message("unknown_unit")]
        elif not unit_in_scope(scope, unit.id):
            form.unit.errors = [profile_problem_message("unit_outside_scope")]
    filters = ParticipantFilter(query=form.q.data or "", unit_id=unit.id if unit else None,
                                category=form.category.data or None)
    statement = search_participants(filters, scope)
    if form.unit.errors or form.q.errors:
        statement = statement.where(False)
    page = paginate(statement)
    paths = unit_paths([u.unit_id for u in page.items if u.unit_id])
    query_args = {name: value for name, value in request.args.items() if name != "page"}
    status = 400 if form.unit.errors or form.q.errors else 200
    return render_template("organizer/participants.html", page=page, form=form, paths=paths,
                           query_args=query_args), status


def _rounds_choices() -> list[tuple[int, str]]:
    return extension_rounds(scope_of(current_user))


def _unit_code(user: User) -> str | None:
    return db.session.scalar(select(Unit.code).where(Unit.id == user.unit_id)) if user.unit_id else None


@bp.get("/participants/<int:user_id>")
def participant(user_id: int):
    user = participant_or_404(user_id)
    return participant_page(user)


def participant_page(user: User, status: int = 200, **forms):
    """The person's page with its forms (those given carry the errors of a refused post)."""
    if "extension_form" not in forms:
        forms["extension_form"] = ExtensionForm(formdata=None)
    forms["extension_form"].round_id.choices = _rounds_choices()
    forms.setdefault("reset_form", PasswordResetForm(formdata=None))
    forms.setdefault("hide_form", HideForm(formdata=None, prefix="hide"))
    forms.setdefault("merge_form", MergeForm(formdata=None))
    if "profile_form" not in forms:
        forms["profile_form"] = ProfileForm(formdata=None, data=profile_values(user, _unit_code(user)))
    attempts, extensions = participant_history(user.id, scope_of(current_user))
    path = unit_paths([user.unit_id]).get(user.unit_id) if user.unit_id else None
    merged_into = db.session.get(User, user.merged_into_id) if user.merged_into_id else None
    return render_template("organizer/participant.html", user=user, attempts=attempts, extensions=extensions,
                           unit_path=path, merged_into=merged_into, holders=forms.pop("holders", {}),
                           **forms), status


def frozen_account(user: User) -> bool:
    """An erased account (its personal data removed on request) or a merged one is not edited any more."""
    if user.erased_at is None and user.merged_into_id is None:
        return False
    flash(_("Tài khoản này đã bị xóa dữ liệu hoặc đã được gộp nên không sửa được."), "error")
    return True


@bp.post("/participants/<int:user_id>/profile")
def edit_participant(user_id: int):
    user = participant_or_404(user_id)
    if frozen_account(user):
        return participant_page(user, 409)
    form = ProfileForm()
    if not form.validate_on_submit():
        return participant_page(user, 400, profile_form=form)
    try:
        changed = update_profile(user, form.profile_data(), actor=current_user, now=utcnow(),
                                 today=utcnow().date(), scope=scope_of(current_user))
    except ProfileError as error:
        for name, code in error.problems.items():
            holder = error.holders.get(name)
            form[name].errors = [taken_message(name, holder[1]) if holder else profile_problem_message(code)]
        return participant_page(user, 400, profile_form=form, holders=error.holders)
    if changed:
        flash(_("Đã lưu thông tin của thí sinh."), "success")
    else:
        flash(_("Không có thông tin nào thay đổi."), "info")
    return redirect(url_for("organizer.participant", user_id=user.id))


@bp.post("/participants/<int:user_id>/hide")
def hide_participant(user_id: int):
    user = participant_or_404(user_id)
    form = HideForm(prefix="hide")
    if not form.validate_on_submit():
        return participant_page(user, 400, hide_form=form)
    set_hidden(user, True, form.reason.data, actor=current_user, now=utcnow(), scope=scope_of(current_user))
    flash(_("Thí sinh đã được ẩn khỏi bảng xếp hạng, thống kê và thành tích tập thể."), "success")
    return redirect(url_for("organizer.participant", user_id=user.id))


@bp.post("/participants/<int:user_id>/unhide")
def unhide_participant(user_id: int):
    user = participant_or_404(user_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    set_hidden(user, False, None, actor=current_user, now=utcnow(), scope=scope_of(current_user))
    flash(_("Thí sinh được xếp hạng trở lại."), "success")
    return redirect(url_for("organizer.participant", user_id=user.id))


@bp.post("/participants/<int:user_id>/password")
def reset_participant_password(user_id: int):
    user = participant_or_404(user_id)
    form = PasswordResetForm()
    if not form.validate_on_submit():
        return participant_page(user, 400, reset_form=form)
    try:
        reset_password(user, form.password.data, actor=current_user, now=utcnow(), scope=scope_of(current_user))
    except RegistrationError as error:
        form.password.errors = [profile_problem_message(code) for code in error.problems.values()]
        return participant_page(user, 400, reset_form=form)
    flash(_("Đã đặt lại mật khẩu. Các phiên đăng nhập cũ của thí sinh đã bị đăng xuất."), "success")
    return redirect(url_for("organizer.participant", user_id=user.id))


@bp.post("/participants/<int:user_id>/extension")
def extend_time(user_id: int):
    user = participant_or_404(user_id)
    form = ExtensionForm()
    form.round_id.choices = _rounds_choices()
    if not form.validate_on_submit():
        return participant_page(user, 400, extension_form=form)
    round_ = db.session.get(Round, form.round_id.data) or abort(404)
    require_in_scope(scope_of(current_user), user)  # the round is one of the scope's: its choices are
    try:
        grant_extension(round_, user, form.minutes.data * 60, form.reason.data, actor=current_user, now=utcnow())
    except AttemptError as error:
        db.session.rollback()
        form.minutes.errors = [attempt_error_message(error.code, error.data)]
        return participant_page(user, 400, extension_form=form)
    flash(_("Đã gia hạn %(m)d phút cho thí sinh trong «%(r)s».", m=form.minutes.data, r=round_.name), "success")
    return redirect(url_for("organizer.participant", user_id=user.id))


from quizapp.views.organizer import participants_import, participants_merge  # noqa: E402,F401  (their routes)
