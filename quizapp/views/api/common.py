"""Plumbing shared by the API views: typed JSON errors, body parsing and the bearer-token guard."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from flask import g, jsonify, request
from flask_babel import gettext as _

from quizapp.auth import ApiCaller, TokenClaim, check_claim, read_token
from quizapp.extensions import db
from quizapp.models import Role
from quizapp.views.api import bp

F = TypeVar("F", bound=Callable[..., Any])


class APIError(Exception):
    """An answer with a status, a stable machine code, words for people, and optional details."""

    def __init__(self, status: int, code: str, message: str, /, **details: Any) -> None:
        super().__init__(message)
        self.status, self.code, self.message, self.details = status, code, message, details


@bp.errorhandler(APIError)
def _api_error(error: APIError):
    body: dict[str, Any] = {"code": error.code, "message": error.message}
    body.update(error.details)
    return jsonify({"error": body}), error.status


def json_body() -> dict[str, Any]:
    """The request's JSON object, or a 400 naming what is wrong with it."""
    data = request.get_json(silent=True)
    if data is None:
        raise APIError(400, "invalid_json", _("Nội dung yêu cầu phải là JSON hợp lệ."))
    if not isinstance(data, dict):
        raise APIError(400, "invalid_json", _("Nội dung yêu cầu phải là một đối tượng JSON."))
    return data


def current_api_user() -> ApiCaller:
    return g.api_user


def current_claim() -> TokenClaim:
    """The bearer token's claim, in a view guarded by ``token_required(..., checked_by_service=True)``."""
    return g.api_claim


def _unauthorized() -> APIError:
    return APIError(401, "unauthorized", _("Thiếu hoặc sai mã xác thực (Authorization: Bearer …)."))


def token_required(*roles: Role, checked_by_service: bool = False) -> Callable[[F], F]:
    """Require ``Authorization: Bearer <token>`` of an active account with one of ``roles`` (admins pass).

    By default the account is read before the view runs (``current_api_user()``). With ``checked_by_service``
    (the requests of an attempt, the hottest of a round) only the token's signature and age are checked here: the
    view passes ``current_claim()``'s user id and version to a service that checks the account in its own first
    query (``User.token_holds``), raising ``token_refused`` when it fails, one round trip fewer. Whatever error
    such a view answers, the account is checked here first, so that a revoked token is always a 401 (not, say,
    a 404 for an attempt that is not the caller's).
    """

    def decorator(view: F) -> F:
        @wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            header = request.headers.get("Authorization", "")
            scheme, _sep, token = header.partition(" ")
            claim = read_token(token.strip()) if scheme.lower() == "bearer" else None
            if claim is None:
                raise _unauthorized()
            if checked_by_service:
                g.api_claim = claim
                try:
                    return view(*args, **kwargs)
                except APIError:
                    db.session.rollback()
                    _check(claim, roles)
                    raise
            g.api_user = _check(claim, roles)
            return view(*args, **kwargs)

        return wrapped  # type: ignore[return-value]

    return decorator


def _check(claim: TokenClaim, roles: tuple[Role, ...]) -> ApiCaller:
    caller = check_claim(claim)
    if caller is None:
        raise _unauthorized()
    if roles and not caller.has_role(*roles):
        raise APIError(403, "forbidden", _("Tài khoản này không có quyền thực hiện thao tác này."))
    return caller


def int_field(data: dict[str, Any], name: str, *, required: bool = False) -> int | None:
    """An integer member of a JSON object (booleans and floats refused), or a 422 naming the field."""
    value = data.get(name)
    if value is None:
        if required:
            raise APIError(422, "missing_field", _("Thiếu trường %(field)s.", field=name), field=name)
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise APIError(422, "invalid_field", _("Trường %(field)s phải là số nguyên.", field=name), field=name)
    return value
