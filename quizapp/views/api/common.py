"""Plumbing shared by the API views: the declaration of an operation (its shapes, for the request's parsing and
the OpenAPI document), typed JSON errors and the bearer-token guard."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from functools import wraps
from typing import Any, TypeVar

from flask import current_app, g, make_response, request
from flask_babel import gettext as _
from pydantic import BaseModel

from quizapp.auth import ApiCaller, TokenClaim, check_claim, read_token
from quizapp.models import Role
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


def _unauthorized() -> APIError:
    return APIError(401, "unauthorized", _("Thiếu hoặc sai mã xác thực (Authorization: Bearer …)."))


def token_required(*roles: Role, checked_by_service: bool = False) -> Callable[[F], F]:
    """Require ``Authorization: Bearer <token>`` of an active account with one of ``roles`` (admins pass).

    By default the account is read before the view runs (``current_api_user()``). With ``checked_by_service``
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
            g.api_user = _check(claim, roles)
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
