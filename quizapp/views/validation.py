"""The thin adapter between Flask and the declared shapes (``quizapp.views.schemas``, pydantic models).

``read_body(Model)`` and ``read_query(Model)`` give the request's JSON body or query string as a validated model,
or raise :class:`RequestRefused` in the API's error shape::

    {"error": {"code": "...", "message": "...", "field": "<first bad field>", "fields": {"<field>": "..."}}}

400 ``invalid_json`` when the body is not JSON (nor ``application/json``); 422 when it is JSON of the wrong shape,
with the code the model gives the first bad field (``Shape.codes``), or ``missing_field`` / ``invalid_field``.
Messages are Vietnamese by default and English by locale (``quizapp.messages.participants.request_message``).
The body is read by pydantic's own parser straight from the bytes: the cheapest of the candidates measured
(bench/README.md), and one that refuses a too deeply nested document as invalid JSON instead of recursing.

:class:`RequestRefused` is answered by the app's error handler (``quizapp.errors``): as JSON under the API and for
JSON requests (the attempt page's save), as an error page elsewhere (a page's query string).
"""

from __future__ import annotations

from typing import Any, ClassVar, TypeVar

from flask import request
from pydantic import BaseModel, ConfigDict, ValidationError

from quizapp.messages.participants import request_message

M = TypeVar("M", bound="Shape")


class RequestRefused(Exception):
    """A refusal with a status, a stable machine code, words for people, and optional details (``field``,
    ``fields``, ``question_id``...) that join ``code`` and ``message`` in the error object."""

    def __init__(self, status: int, code: str, message: str, /, **details: Any) -> None:
        super().__init__(message)
        self.status, self.code, self.message, self.details = status, code, message, details


class Shape(BaseModel):
    """A declared request shape. ``codes``: the error code of a bad field (default ``missing_field`` /
    ``invalid_field``), and under ``""`` the code when the body is JSON but not an object."""

    model_config = ConfigDict(extra="ignore", frozen=True)
    codes: ClassVar[dict[str, str]] = {}


def read_body(model: type[M]) -> M:
    """The request's JSON body as ``model``, or :class:`RequestRefused` (400 not JSON, 422 wrong shape)."""
    if not request.is_json:
        raise RequestRefused(400, "invalid_json", request_message("invalid_json"))
    try:
        return model.model_validate_json(request.get_data(cache=True))
    except ValidationError as error:
        raise refusal(model, error) from None


def read_query(model: type[M]) -> M:
    """The query string as ``model`` (the first value of a repeated parameter), or a 422 :class:`RequestRefused`."""
    try:
        return model.model_validate(request.args.to_dict())
    except ValidationError as error:
        raise refusal(model, error) from None


def refusal(model: type[Shape], error: ValidationError) -> RequestRefused:
    """``error`` in the API's shape: every bad field named in ``fields``, the first one in ``field``. A rule
    over several fields (a model validator) names its field in the error's context (``field``)."""
    problems = error.errors(include_url=False, include_input=False)
    if any(problem["type"] == "json_invalid" for problem in problems):
        return RequestRefused(400, "invalid_json", request_message("invalid_json"))
    fields: dict[str, str] = {}
    codes: dict[str, str] = {}
    for problem in problems:
        context = problem.get("ctx") or {}
        location = problem["loc"]
        name = str(location[0]) if location else str(context.get("field", ""))
        if name in fields:
            continue
        kind = problem["type"]
        code = model.codes.get(name) or ("invalid_body" if name == "" else
                                         "missing_field" if kind == "missing" else "invalid_field")
        codes[name] = code
        fields[name] = request_message(code, field=name, kind=kind, limits={**_bounds(model, name), **context})
    first = next(iter(fields))
    if first == "":  # the body itself: JSON, but not an object
        return RequestRefused(422, codes[first], fields[first])
    message = fields[first] if len(fields) == 1 else " ".join(fields.values())
    return RequestRefused(422, codes[first], message, field=first, fields=fields)


def _bounds(model: type[Shape], name: str) -> dict[str, Any]:
    """The declared bounds (``ge``, ``le``, ``max_length``...) of a field, for its message."""
    declared = model.model_fields.get(name)
    bounds: dict[str, Any] = {}
    for constraint in declared.metadata if declared is not None else ():
        bounds.update((key, getattr(constraint, key)) for key in ("ge", "le", "max_length")
                      if hasattr(constraint, key))
    return bounds
