"""Sign-in plumbing: password hashing, the Flask-Login user loader, bearer tokens and role guards."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import Any, TypeVar

from flask import Flask, Request, abort, current_app, g
from flask.sessions import SecureCookieSessionInterface, SessionMixin
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy import bindparam, select

from quizapp.extensions import db, login_manager
from quizapp.models import Role, User
from quizapp.models.accounts import role_allows
from quizapp.passwords import Passwords
from quizapp.request_log import note_user

F = TypeVar("F", bound=Callable[..., Any])

# Verifying against this hash when the login is unknown keeps the response time the same as for a wrong password,
# so the time taken does not tell whether an account exists.
_DUMMY_PASSWORD = "quizapp-no-such-account"


#: Paths of the JSON API (bearer tokens, JSON errors, no cookie session).
API_PREFIX = "/api/"


class PageSessionInterface(SecureCookieSessionInterface):
    """The pages' signed-cookie session (Flask's own). Requests to the JSON API get Flask's null session instead:
    the API knows its caller by the bearer token alone, so the session cookie is neither verified nor written
    there (measured: ~0.07 ms of every API request, a visible share of an answer save)."""

    def open_session(self, app: Flask, request: Request) -> SessionMixin | None:
        # A request runs inside an app context that may already be pushed (tests, embedded servers); Flask-Login
        # caches the user on ``g`` there, so drop it when the request's session is opened: every request
        # identifies its own user (here rather than in a hook of its own, which every request would pay for).
        g.pop("_login_user", None)
        if request.path.startswith(API_PREFIX):
            return self.make_null_session(app)
        return super().open_session(app, request)


def init_app(app: Flask) -> None:
    app.session_interface = PageSessionInterface()
    app.extensions["quizapp.passwords"] = Passwords(
        time_cost=app.config["QUIZAPP_ARGON2_TIME_COST"],
        memory_kib=app.config["QUIZAPP_ARGON2_MEMORY_KIB"],
        parallelism=app.config["QUIZAPP_ARGON2_PARALLELISM"],
    )
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("Vui lòng đăng nhập để tiếp tục.")
    login_manager.login_message_category = "info"
    login_manager.user_loader(_load_user)


def _passwords() -> Passwords:
    return current_app.extensions["quizapp.passwords"]


def hash_password(password: str) -> str:
    return _passwords().hash(password)


def check_password(password_hash: str | None, password: str) -> PasswordCheck:
    """Whether ``password`` matches ``password_hash`` (None: no such account), and the new hash to store when the
    old one was made with other settings. Takes the same time whether or not the account exists."""
    hasher = _passwords()
    if password_hash is None:
        dummy = current_app.extensions.get("quizapp.dummy_hash")
        if dummy is None:
            dummy = current_app.extensions["quizapp.dummy_hash"] = hasher.hash(_DUMMY_PASSWORD)
        hasher.verify(dummy, password)
        return PasswordCheck(False)
    if not hasher.verify(password_hash, password):
        return PasswordCheck(False)
    return PasswordCheck(True, hasher.hash(password) if hasher.needs_rehash(password_hash) else None)


@dataclass(frozen=True, slots=True)
class PasswordCheck:
    matches: bool
    new_hash: str | None = None


def _load_user(session_id: str) -> User | None:
    user_id, _, version = session_id.partition(":")
    if not user_id.isdigit():
        return None
    user = db.session.get(User, int(user_id))
    if user is None or str(user.token_version) != version or not user.is_active:
        return None
    note_user(user.id)
    return user


def _token_serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="quizapp.api-token")


def issue_token(user_id: int, token_version: int) -> str:
    """A signed bearer token for the account ``user_id``; a password change (which bumps its ``token_version``)
    or deactivation invalidates it."""
    return _token_serializer().dumps({"u": user_id, "v": token_version})


@dataclass(frozen=True, slots=True)
class ApiCaller:
    """Who sent an API request with a valid bearer token: what authorising it and owning attempts need, read
    without loading the whole account."""

    id: int
    role: Role

    def has_role(self, *roles: Role) -> bool:
        return role_allows(self.role, roles)


@dataclass(frozen=True, slots=True)
class TokenClaim:
    """What a bearer token says: its signature and age are checked, the account not yet. ``check_claim`` checks
    it; so does a service's own query, through ``User.token_holds`` (the attempt requests, see
    ``views.api.common.token_required``)."""

    user_id: int
    version: int


_users = User.__table__
_CALLER = select(_users.c.id, _users.c.role).where(
    _users.c.id == bindparam("user_id"), _users.c.token_version == bindparam("version"), User.is_active_clause())


def read_token(token: str) -> TokenClaim | None:
    """The claim of a token signed by this app and younger than ``QUIZAPP_API_TOKEN_MAX_AGE``; None otherwise."""
    try:
        payload = _token_serializer().loads(token, max_age=current_app.config["QUIZAPP_API_TOKEN_MAX_AGE"])
    except BadSignature:
        return None
    if not isinstance(payload, dict):
        return None
    user_id, version = payload.get("u"), payload.get("v")
    if type(user_id) is not int or type(version) is not int:
        return None
    note_user(user_id)  # the request log names the account the token was issued to
    return TokenClaim(user_id=user_id, version=version)


def check_claim(claim: TokenClaim) -> ApiCaller | None:
    """The account of ``claim`` while it is active and its password unchanged since the token was issued
    (``token_version``); None otherwise. One small query."""
    row = db.session.connection().execute(_CALLER, {"user_id": claim.user_id, "version": claim.version}).first()
    return None if row is None else ApiCaller(id=row.id, role=row.role)


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
