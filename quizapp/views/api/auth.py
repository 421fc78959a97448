"""Registration and bearer tokens."""

from __future__ import annotations

from flask import current_app, jsonify
from flask_babel import gettext as _

from quizapp.auth import issue_token
from quizapp.domain.registration import RegistrationError, check_registration
from quizapp.extensions import db, limiter
from quizapp.messages.participants import field_label, registration_message
from quizapp.models.types import utcnow
from quizapp.services.accounts import check_credentials
from quizapp.services.participants import register
from quizapp.services.sign_in_guard import SignInDelayed
from quizapp.views import schemas
from quizapp.views.api import bp
from quizapp.views.api.common import APIError, operation


def _register_limit() -> str:
    return current_app.config["QUIZAPP_REGISTER_LIMIT"]


def _login_limit() -> str:
    return current_app.config["QUIZAPP_LOGIN_LIMIT"]


def _registration_error(error: RegistrationError) -> APIError:
    fields = {name: registration_message(code) for name, code in error.problems.items()}
    only_taken = all(code.endswith("_taken") for code in error.problems.values())
    summary = "; ".join(f"{field_label(name)}: {text.rstrip('.')}" for name, text in fields.items()) + "."
    if only_taken:
        return APIError(409, "already_registered", summary, fields=fields)
    return APIError(422, "invalid_registration", summary, fields=fields)


@bp.post("/auth/register")
@limiter.limit(_register_limit)
@operation("Register a participant", tags=("auth",), body=schemas.Registration, responses={
    201: ("Registered", schemas.Registered), 409: "Phone, email or citizen ID already registered",
    422: "Invalid fields, each named in error.fields", 429: "Too many requests"})
def register_participant(body: schemas.Registration):
    now = utcnow()
    try:
        registration = check_registration(body.model_dump(), today=now.date())
        user = register(registration, now=now)
    except RegistrationError as error:
        db.session.rollback()
        raise _registration_error(error) from None
    return jsonify({"participant_id": user.id}), 201


@bp.post("/auth/token")
@limiter.limit(_login_limit)
@operation("Get a bearer token", tags=("auth",), body=schemas.TokenRequest, responses={
    200: schemas.Token, 401: "Wrong login or password", 422: "Missing login or password",
    429: "Too many requests from the address, or too many failed sign-ins with this login (error.retry_after "
         "and the Retry-After header say the seconds to wait)"})
def token(body: schemas.TokenRequest):
    try:
        signed_in = check_credentials(body.login, body.password, now=utcnow())
    except SignInDelayed as delayed:
        raise APIError(429, "sign_in_delayed", _(
            "Tài khoản này vừa bị nhập sai mật khẩu nhiều lần. Vui lòng thử lại sau %(seconds)d giây.",
            seconds=delayed.retry_after), retry_after=delayed.retry_after) from None
    if signed_in is None:
        raise APIError(401, "invalid_credentials", _("Số điện thoại/email hoặc mật khẩu không đúng."))
    return jsonify({"token": issue_token(signed_in.user_id, signed_in.token_version)})
