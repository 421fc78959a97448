"""Plumbing shared by the API views: the declaration of an operation (its shapes, for the request's parsing and
the OpenAPI document), typed JSON errors and the bearer-token guard, which also keeps a scoped staff caller inside
their subtree (``services.scopes``) on the staff-only operations."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from functools import wraps
from typing import Any, TypeVar

from flask import current_app, g, make_response, request
from flask_babel import gettext as _
from pydantic import BaseModel
from sqlalchemy import select

from quizapp.auth import ApiCaller, TokenClaim, check_claim, read_token
from quizapp.extensions import db
from quizapp.messages.scopes import scope_error_message
from quizapp.models import Role, User
from quizapp.services.scopes import EVERYTHING, Scope, ScopeError, refuse_outside
from quizapp.views.validation import RequestRefused, Shape, read_body, read_query

F = TypeVar("F", bound=Callable[..., Any])

#: The API's name for a refusal in its error shape (answered as JSON by ``quizapp.errors``).
APIError = RequestRefused

#: What an operation may answer: a model (documented as its JSON), or a sentence (an error, as ``Error``), or
#: (description, model) for a success with words of its own.
Responses = Mapping[int, type[BaseModel] | str | tuple[str, type[BaseModel]]]


@dataclass(frozen=True)
class Operation:
    """An API operation as declared beside its view: read by ``operation``'s wrapper and by the document."""

    summary: str
    tags: tuple[str, ...]
    responses: Responses
    body: type[Shape] | None = None
    query: type[Shape] | None = None
    description: str | None = None
    roles: tuple[Role, ...] | None = None  # set by token_required: the bearer token's roles (() any)


def operation(summary: str, *, tags: tuple[str, ...], responses: Responses, body: type[Shape] | None = None,
              query: type[Shape] | None = None, description: str | None = None) -> Callable[[F], F]:
    """Declare an API view's shapes: ``body`` and ``query`` are read and checked before the view runs and given
    to it as the arguments ``body`` and ``query``; ``responses`` documents what it answers (the document adds
    the answers common to its kind: 400/422 for a body, 401/403 for a token, 404 for an id in the path, 503).

    Place it under ``token_required`` (the token is checked before the body is read). With the setting
    ``QUIZAPP_CHECK_RESPONSES`` (the tests), every JSON answer is checked against its declared model."""
    declared = Operation(summary, tags, responses, body, query, description)

    def decorator(view: F) -> F:
        @wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            if query is not None:
                kwargs["query"] = read_query(query)
            if body is not None:
                kwargs["body"] = read_body(body)
            answer = view(*args, **kwargs)
            if current_app.config["QUIZAPP_CHECK_RESPONSES"]:
                _check_response(declared, answer)
            return answer

        wrapped.api_operation = declared  # type: ignore[attr-defined]
        return wrapped  # type: ignore[return-value]

    return decorator


def _check_response(declared: Operation, answer: Any) -> None:
    """Raise when a JSON answer does not have the shape declared for its status (tests only)."""
    response = make_response(answer)
    documented = declared.responses.get(response.status_code)
    model = documented[1] if isinstance(documented, tuple) else documented
    if model is None or isinstance(model, str):
        raise AssertionError(f"{request.path}: status {response.status_code} is not declared")
    model.model_validate_json(response.get_data())


def current_api_user() -> ApiCaller:
    return g.api_user


def current_claim() -> TokenClaim:
    """The bearer token's claim, in a view guarded by ``token_required(..., checked_by_service=True)``."""
    return g.api_claim


def current_api_scope() -> Scope:
    """The scope of the caller of a staff-only operation (``token_required`` with staff roles only): what its
    listings must stay within."""
    return g.api_scope


#: The roles of the accounts that may have a scope (``User.scope_unit_id``); an admin's is everything.
_SCOPED_ROLES = frozenset({Role.ORGANIZER, Role.JUDGE, Role.UNIT_OFFICER})
_READING = frozenset({"GET", "HEAD", "OPTIONS"})

#: What a staff-only operation declares among its answers: the refusal of a scoped caller outside their subtree.
OUTSIDE_SCOPE = ("The account's role may not do this (error.code forbidden), or the account is scoped to a unit "
                 "and what the path names is outside that unit's subtree (error.code outside_scope)")


def staff_only(roles: tuple[Role, ...]) -> bool:
    """Whether an operation guarded by ``roles`` is for staff only (participants are never scoped)."""
    return bool(roles) and Role.PARTICIPANT not in roles


def _guard_scope(caller: ApiCaller) -> Scope:
    """The staff caller's scope (read only for the roles that may have one: one small query), after refusing with
    403 ``outside_scope`` a path that names a contest or round outside it (``services.scopes.refuse_outside``,
    as the staff blueprints do with ``views.scoping.guard_scope``)."""
    if caller.role not in _SCOPED_ROLES:
        return EVERYTHING
    scope = Scope(db.session.scalar(select(User.scope_unit_id).where(User.id == caller.id)))
    try:
        refuse_outside(scope, request.view_args, writing=request.method not in _READING)
    except ScopeError as error:
        raise APIError(403, error.code, scope_error_message(error)) from None
    return scope


def _unauthorized() -> APIError:
    return APIError(401, "unauthorized", _("Thiếu hoặc sai mã xác thực (Authorization: Bearer …)."))


def token_required(*roles: Role, checked_by_service: bool = False) -> Callable[[F], F]:
    """Require ``Authorization: Bearer <token>`` of an active account with one of ``roles`` (admins pass).

    By default the account is read before the view runs (``current_api_user()``); for an operation of staff only
    (no participant among ``roles``), so is a scoped caller's scope (``current_api_scope()``), and a path naming
    something outside it is refused with 403 ``outside_scope``. With ``checked_by_service``
    (the requests of an attempt, the hottest of a round) only the token's signature and age are checked here: the
    view passes ``current_claim()``'s user id and version to a service that checks the account in its own first
    query (``User.token_holds``), raising ``token_refused`` when it fails, one round trip fewer. Whatever error
    such a view answers (a body of the wrong shape too), the account is checked here first, so that a revoked
    token is always a 401 (not, say, a 404 for an attempt that is not the caller's).
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
                    _check(claim, roles)  # the request's transaction is rolled back after, unless kept
                    raise
            g.api_user = caller = _check(claim, roles)
            if staff_only(roles):
                g.api_scope = _guard_scope(caller)
            return view(*args, **kwargs)

        declared: Operation | None = getattr(view, "api_operation", None)
        if declared is not None:  # the document shows the bearer scheme and its refusals
            wrapped.api_operation = replace(declared, roles=roles)  # type: ignore[attr-defined]
        return wrapped  # type: ignore[return-value]

    return decorator


def _check(claim: TokenClaim, roles: tuple[Role, ...]) -> ApiCaller:
    caller = check_claim(claim)
    if caller is None:
        raise _unauthorized()
    if roles and not caller.has_role(*roles):
        raise APIError(403, "forbidden", _("Tài khoản này không có quyền thực hiện thao tác này."))
    return caller
