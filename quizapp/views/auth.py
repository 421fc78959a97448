"""Sign-in and sign-out, where each role lands after signing in, and the forgotten-password pages."""

from __future__ import annotations

import math
import time
from typing import Any

from flask import Blueprint, Response, current_app, flash, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_limiter import RequestLimit
from flask_login import current_user, login_user, logout_user
from flask_wtf import FlaskForm
from wtforms import BooleanField, PasswordField, StringField
from wtforms.validators import DataRequired, EqualTo, Length

from quizapp.domain.phones import normalise_phone
from quizapp.domain.text import clean
from quizapp.extensions import limiter
from quizapp.messages.accounts import reset_error_message, reset_mail
from quizapp.models import Role, User
from quizapp.models.types import utcnow
from quizapp.services import mail, password_reset
from quizapp.services.accounts import authenticate, sign_out_everywhere
from quizapp.services.sign_in_guard import SignInDelayed
from quizapp.views.main import safe_next

bp = Blueprint("auth", __name__)


class LoginForm(FlaskForm):
    login = StringField(_l("Số điện thoại hoặc email"), validators=[DataRequired(), Length(max=254)],
                        render_kw={"autocomplete": "username", "autofocus": True})
    password = PasswordField(_l("Mật khẩu"), validators=[DataRequired(), Length(max=200)],
                             render_kw={"autocomplete": "current-password"})
    remember = BooleanField(_l("Ghi nhớ đăng nhập trên thiết bị này"))


class ForgotPasswordForm(FlaskForm):
    login = StringField(_l("Số điện thoại hoặc email"),
                        validators=[DataRequired(message=_l("Hãy nhập số điện thoại hoặc email của tài khoản.")),
                                    Length(max=254)],
                        render_kw={"autocomplete": "username", "autofocus": True})


class NewPasswordForm(FlaskForm):
    password = PasswordField(_l("Mật khẩu mới"), validators=[
        DataRequired(message=_l("Hãy nhập mật khẩu mới.")),
        Length(max=200, message=_l("Nội dung quá dài (tối đa %(max)d ký tự).", max=200))],
        render_kw={"autocomplete": "new-password", "autofocus": True})
    confirm = PasswordField(_l("Nhập lại mật khẩu mới"), validators=[
        EqualTo("password", message=_l("Mật khẩu nhập lại không khớp."))], render_kw={"autocomplete": "new-password"})


def workspace_url(user: User) -> str:
    """Where an account lands after signing in when no ``next`` says otherwise: staff on their own workspace
    (an admin on the participants, an organizer on the question banks, a judge on the judging, a unit officer on
    their unit's reports), a participant on the contests."""
    if user.role is Role.ADMIN:
        return url_for("organizer.participants")
    if user.role is Role.ORGANIZER:
        return url_for("organizer.banks")
    if user.role is Role.JUDGE:
        return url_for("judge.index")
    if user.role is Role.UNIT_OFFICER:
        return url_for("officer.index")
    return url_for("main.index")


def _next() -> str:
    """The request's ``next`` when it is a path of this site, else ""."""
    return safe_next(request.args.get("next"), "")


def _login_limit() -> str:
    return current_app.config["QUIZAPP_LOGIN_LIMIT"]


def seconds_left(limit: RequestLimit) -> int:
    """Whole seconds until a per-address limit lets the next request through (at least 1)."""
    return max(1, math.ceil(limit.reset_at - time.time()))


def waiting(template: str, seconds: int, message: str, **context: Any) -> Response:
    """A form refused for now (429): shown again with what was typed (never a password: password fields are
    rendered empty), ``message`` and the seconds to wait, in words and as a countdown (static/retry-wait.js);
    ``Retry-After`` says the same to programs."""
    response = make_response(render_template(template, wait={"seconds": seconds, "message": message}, **context),
                             429)
    response.headers["Retry-After"] = str(seconds)
    return response


def _login_page_refused(limit: RequestLimit) -> Response:
    message = _("Có quá nhiều lượt đăng nhập từ cùng địa chỉ mạng với bạn trong ít phút qua.")
    return waiting("auth/login.html", seconds_left(limit), message, form=LoginForm(), error=None, next=_next())


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"], on_breach=_login_page_refused)
def login():
    if current_user.is_authenticated:
        return redirect(_next() or workspace_url(current_user))
    form = LoginForm()
    error = None
    if form.validate_on_submit():
        try:
            user = authenticate(form.login.data, form.password.data, now=utcnow())
        except SignInDelayed as delayed:
            message = _("Tài khoản này vừa bị nhập sai mật khẩu nhiều lần, nên tạm thời phải chờ trước khi thử lại.")
            return waiting("auth/login.html", delayed.retry_after, message, form=form, error=None, next=_next())
        if user is not None:
            login_user(user, remember=form.remember.data)
            return redirect(_next() or workspace_url(user))
        error = _("Số điện thoại/email hoặc mật khẩu không đúng.")
    return render_template("auth/login.html", form=form, error=error, next=_next()), (401 if error else 200)


@bp.post("/logout")
def logout():
    """Sign out here and everywhere else the account is signed in: a copy of this session's cookie (a shared
    office computer) or a "remember me" cookie no longer signs anybody in."""
    if current_user.is_authenticated:
        sign_out_everywhere(current_user.id)
    logout_user()
    return redirect(url_for("main.index"))


# --- forgotten password ------------------------------------------------------------------------------------

def _reset_limit() -> str:
    return current_app.config["QUIZAPP_PASSWORD_RESET_LIMIT"]


def _reset_address_limit() -> str:
    return current_app.config["QUIZAPP_PASSWORD_RESET_ADDRESS_LIMIT"]


def _account_asked_about() -> str:
    """The rate limit's key for the account a reset is asked for (any spelling of one phone is one key), so that
    nobody can fill a person's mailbox from many addresses."""
    login = clean(request.form.get("login", ""))[:254]
    return "password-reset:" + (normalise_phone(login) or login.lower())


def _mail_settings() -> mail.MailSettings | None:
    return mail.MailSettings.from_config(current_app.config)


def _valid_minutes() -> int:
    return current_app.config["QUIZAPP_PASSWORD_RESET_MAX_AGE"] // 60


def _external_url(path: str) -> str:
    """``path`` on this site, for a mail: on ``QUIZAPP_BASE_URL`` when it is set."""
    base = (current_app.config.get("QUIZAPP_BASE_URL") or request.host_url).rstrip("/")
    return base + path


@bp.route("/password/forgot", methods=["GET", "POST"])
@limiter.limit(_reset_address_limit, methods=["POST"])
@limiter.limit(_reset_limit, key_func=_account_asked_about, methods=["POST"])
def forgot_password():
    """Ask for a reset link by phone or email. The answer is the same whether or not the account exists or has an
    email (the mail leaves in the background, so not even the time taken differs); without mail settings the
    page only says who can reset a password: the organizer."""
    settings = _mail_settings()
    form = ForgotPasswordForm()
    if settings is not None and form.validate_on_submit():
        link = password_reset.request_reset(form.login.data, secret=current_app.config["SECRET_KEY"], now=utcnow())
        if link is not None:
            url = _external_url(url_for("auth.reset_password", token=link.token, next=_next() or None))
            mail.send_in_background(settings, reset_mail(link, url, valid_minutes=_valid_minutes()))
        return redirect(url_for("auth.reset_link_sent", next=_next() or None), code=303)
    status = 422 if form.is_submitted() and settings is not None else 200
    return render_template("auth/forgot_password.html", form=form, mail_on=settings is not None, next=_next(),
                           minutes=_valid_minutes()), status


@bp.get("/password/forgot/sent")
def reset_link_sent():
    return render_template("auth/reset_link_sent.html", next=_next(), minutes=_valid_minutes())


@bp.route("/password/reset/<token>", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
def reset_password(token: str):
    """Set a new password with a mailed link (single use, expiring). Then the person signs in with it."""
    secret, max_age = current_app.config["SECRET_KEY"], current_app.config["QUIZAPP_PASSWORD_RESET_MAX_AGE"]
    form = NewPasswordForm()
    try:
        account = password_reset.account_for_token(token, secret=secret, now=utcnow(), max_age=max_age)
        if form.validate_on_submit():
            password_reset.reset_password(token, form.password.data, secret=secret, now=utcnow(), max_age=max_age)
            logout_user()
            flash(_("Đã đặt mật khẩu mới. Hãy đăng nhập bằng mật khẩu mới."), "success")
            return redirect(url_for("auth.login", next=_next() or None), code=303)
    except password_reset.ResetError as error:
        if error.code != "password_too_short":
            response = render_template("auth/reset_password.html", form=None, problem=reset_error_message(error),
                                       next=_next())
            return response, 400, {"Referrer-Policy": "no-referrer"}
        form.password.errors = [*form.password.errors, reset_error_message(error)]
    status = 422 if form.is_submitted() else 200
    return render_template("auth/reset_password.html", form=form, problem=None, account=account,
                           next=_next()), status, {"Referrer-Policy": "no-referrer"}
