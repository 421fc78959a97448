"""Sign-in plumbing: password hashing, the Flask-Login user loader, bearer tokens and role guards."""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import Flask, abort, current_app, g
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from itsdangerous import BadSignature, URLSafeTimedSerializer

from quizapp.extensions import db, login_manager
from quizapp.models import Role, User

F = TypeVar("F", bound=Callable[..., Any])

# Verifying against this hash when the login is unknown keeps the response time the same as for a wrong password,
# so the time taken does not tell whether an account exists.
_DUMMY_PASSWORD = "quizapp-no-such-account"


def init_app(app: Flask) -> None:
    app.extensions["quizapp.passwords"] = PasswordHasher(
        time_cost=app.config["QUIZAPP_ARGON2_TIME_COST"],
        memory_cost=app.config["QUIZAPP_ARGON2_MEMORY_KIB"],
        parallelism=app.config["QUIZAPP_ARGON2_PARALLELISM"],
    )
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("Vui lòng đăng nhập để tiếp tục.")
    login_manager.login_message_category = "info"
    login_manager.user_loader(_load_user)

    @app.before_request
    def _forget_previous_user() -> None:
        # A request runs inside an app context that may already be pushed (tests, embedded servers); Flask-Login
        # caches the user on ``g`` there, so drop it: every request identifies its own user.
        g.pop("_login_user", None)


def _passwords() -> PasswordHasher:
    return current_app.extensions["quizapp.passwords"]


def hash_password(password: str) -> str:
    return _passwords().hash(password)


def check_password(user: User | None, password: str) -> bool:
    """True when ``password`` matches; takes the same time whether or not ``user`` exists."""
    hasher = _passwords()
    if user is None:
        dummy = current_app.extensions.setdefault("quizapp.dummy_hash", hasher.hash(_DUMMY_PASSWORD))
        with contextlib.suppress(VerificationError, InvalidHashError):
            hasher.verify(dummy, password)
        return False
    try:
        hasher.verify(user.password_hash, password)
    except (VerificationError, InvalidHashError):
        return False
    if hasher.check_needs_rehash(user.password_hash):
        user.password_hash = hasher.hash(password)
    return True


def _load_user(session_id: str) -> User | None:
    user_id, _, version = session_id.partition(":")
    if not user_id.isdigit():
        return None
    user = db.session.get(User, int(user_id))
    if user is None or str(user.token_version) != version or not user.is_active:
        return None
    return user


def _token_serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="quizapp.api-token")


def issue_token(user: User) -> str:
    """A signed bearer token; a password change (token_version) or deactivation invalidates it."""
    return _token_serializer().dumps({"u": user.id, "v": user.token_version})


def user_from_token(token: str) -> User | None:
    try:
        payload = _token_serializer().loads(token, max_age=current_app.config["QUIZAPP_API_TOKEN_MAX_AGE"])
    except BadSignature:
        return None
    if not isinstance(payload, dict):
        return None
    return _load_user(f"{payload.get('u')}:{payload.get('v')}")


def roles_required(*roles: Role) -> Callable[[F], F]:
    """Guard a view: anonymous users go to sign-in, signed-in users without one of ``roles`` get 403.

    Admins pass every guard.
    """

    def decorator(view: F) -> F:
        @wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            if not current_user.has_role(*roles):
                abort(403)
            return view(*args, **kwargs)

        return wrapped  # type: ignore[return-value]

    return decorator
