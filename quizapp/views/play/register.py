"""Registration of a participant, and the unit lookup that works without JavaScript."""

from __future__ import annotations

from flask import Response, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_limiter import RequestLimit
from flask_login import current_user, login_user

from quizapp.domain.registration import RegistrationError, check_registration
from quizapp.extensions import db, limiter
from quizapp.messages.participants import registration_message
from quizapp.models import Unit
from quizapp.models.types import utcnow
from quizapp.services.participants import register as register_participant
from quizapp.services.units import search_units, unit_paths
from quizapp.views.auth import seconds_left, waiting
from quizapp.views.main import safe_next
from quizapp.views.play import bp
from quizapp.views.play.forms import RegisterForm, UnitLookupForm

UNIT_LOOKUP_LIMIT = 30


def _register_limit() -> str:
    return current_app.config["QUIZAPP_REGISTER_LIMIT"]


def _unit_path(code: str | None) -> str | None:
    """"Thành phố Hà Nội › Phường Ba Đình" for a unit code, or None when no unit has it."""
    code = (code or "").strip()
    if not code:
        return None
    unit_id = db.session.scalar(db.select(Unit.id).where(Unit.code == code))
    return unit_paths([unit_id]).get(unit_id) if unit_id else None


def _add_problems(form: RegisterForm, problems: dict[str, str]) -> None:
    for name, code in problems.items():
        field = form._fields.get(name) or form.full_name
        field.errors = [*field.errors, registration_message(code)]


def _register_page_refused(limit: RequestLimit) -> Response:
    """The per-address limit reached: the form again with what was typed (not the passwords) and the wait."""
    form = RegisterForm()
    message = _("Có quá nhiều lượt đăng ký từ cùng địa chỉ mạng với bạn trong ít phút qua.")
    return waiting("play/register.html", seconds_left(limit), message, form=form,
                   unit_path=_unit_path(form.unit_code.data), csrf_failed=False,
                   next=safe_next(request.args.get("next"), ""))


@bp.route("/register", methods=["GET", "POST"])
@limiter.limit(_register_limit, methods=["POST"], on_breach=_register_page_refused)
def register():
    """The registration form. On success the participant is signed in and sent to the contests (or ``next``);
    on any problem nothing is saved and every field says what is wrong with it (status 422)."""
    if current_user.is_authenticated:
        return redirect(url_for("contests.index"))
    form = RegisterForm()
    if request.method == "GET" and request.args.get("unit"):
        form.unit_code.data = request.args["unit"][:50]
    if form.is_submitted():
        form_ok = form.validate()
        now = utcnow()
        try:
            registration = check_registration(form.registration_data(), today=now.date())
            if form_ok:
                user = register_participant(registration, now=now)
                login_user(user)
                flash(_("Đăng ký thành công. Chào mừng %(name)s, bạn đã được đăng nhập.", name=user.full_name),
                      "success")
                return redirect(safe_next(request.args.get("next"), url_for("contests.index")))
        except RegistrationError as error:
            db.session.rollback()
            _add_problems(form, error.problems)
    status = 422 if form.is_submitted() else 200
    return render_template("play/register.html", form=form, unit_path=_unit_path(form.unit_code.data),
                           csrf_failed=bool(form.errors.get("csrf_token")),
                           next=safe_next(request.args.get("next"), "")), status


@bp.get("/register/units")
def unit_lookup():
    """Find one's unit code by name (accent-insensitive) without JavaScript; each result links back to the
    registration form with the code filled in."""
    form = UnitLookupForm(request.args)
    query = (form.q.data or "").strip() if form.validate() else ""
    found = search_units(query, limit=UNIT_LOOKUP_LIMIT) if query else []
    paths = unit_paths([unit.id for unit in found])
    results = [{"code": unit.code, "path": paths.get(unit.id, unit.name)} for unit in found]
    message = None
    if query and not results:
        message = _("Không tìm thấy đơn vị nào khớp với «%(q)s».", q=query)
    return render_template("play/unit_lookup.html", form=form, results=results, message=message, query=query,
                           next=safe_next(request.args.get("next"), ""))
