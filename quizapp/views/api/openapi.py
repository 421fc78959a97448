"""The OpenAPI 3.1 document of the JSON API, served at /api/v1/openapi.json, generated from the routes and what
each declares (``common.operation``: its body, query and answers, ``quizapp.views.schemas``).

Every operation also documents the answers common to its kind, which the adapter and the guards give: 400 and 422
for a body, 422 for a query string, 401 (and 403 for a role) for a bearer token, 404 for an id in the path, 503
when the database is away for a moment. A route of the API without a declaration is an error when the document
is built (a test builds it).
"""

from __future__ import annotations

import re
from typing import Any

from flask import Flask, current_app, jsonify
from pydantic import BaseModel
from pydantic.json_schema import GenerateJsonSchema, models_json_schema
from werkzeug.routing import Rule

from quizapp.models.types import MAX_ID
from quizapp.views import schemas
from quizapp.views.api import bp
from quizapp.views.api.common import Operation, operation

_REF = "#/components/schemas/{model}"
_ID = {"type": "integer", "minimum": 1, "maximum": MAX_ID}
_NO_DEFAULT = object()


class _Generator(GenerateJsonSchema):
    """pydantic's JSON Schema without a title on every property, and without ``default: null`` where None only
    means "absent" (an optional field that is never null)."""

    def field_title_should_be_set(self, schema: Any) -> bool:
        return False

    def default_schema(self, schema: Any) -> Any:
        if schema.get("default", _NO_DEFAULT) is None:
            return self.generate_inner(schema["schema"])
        return super().default_schema(schema)


def _error(description: str) -> dict[str, Any]:
    return {"description": description,
            "content": {"application/json": {"schema": {"$ref": _REF.format(model="Error")}}}}


def _answer(description: str, model: type[BaseModel], refs: dict[type[BaseModel], Any]) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": refs[model]}}}


def _declared(app: Flask, rule: Rule) -> Operation:
    declared = getattr(app.view_functions[rule.endpoint], "api_operation", None)
    if declared is None:
        raise LookupError(f"{rule.rule} declares no operation (quizapp.views.api.common.operation)")
    return declared


def _models(declared: Operation) -> list[type[BaseModel]]:
    answers = [documented[1] if isinstance(documented, tuple) else documented
               for documented in declared.responses.values()]
    return [model for model in (declared.body, declared.query, *answers)
            if isinstance(model, type) and issubclass(model, BaseModel)]


def _parameters(rule: Rule, query_schema: dict[str, Any] | None) -> list[dict[str, Any]]:
    parameters = [{"name": name, "in": "path", "required": True, "schema": dict(_ID)} for name in rule.arguments]
    if query_schema is not None:
        required = set(query_schema.get("required", ()))
        parameters += [{"name": name, "in": "query", "required": name in required, "schema": schema}
                       for name, schema in query_schema["properties"].items()]
    return parameters


def _responses(rule: Rule, declared: Operation, refs: dict[type[BaseModel], Any]) -> dict[str, Any]:
    responses: dict[str, Any] = {}
    for status, documented in declared.responses.items():
        if isinstance(documented, str):
            responses[str(status)] = _error(documented)
        elif isinstance(documented, tuple):
            responses[str(status)] = _answer(documented[0], documented[1], refs)
        else:
            responses[str(status)] = _answer((documented.__doc__ or "OK").split("\n\n")[0].strip(), documented, refs)
    common = {
        "400": ("Not JSON, or text with a NUL character" if declared.body else
                "A NUL character in the query string" if declared.query else None),
        "422": ("Fields of the wrong shape, each named in error.fields" if declared.body else
                "A query parameter out of its range" if declared.query else None),
        "401": "No or bad token" if declared.roles is not None else None,
        "403": "The account's role may not do this" if declared.roles else None,
        "404": "Not found" if rule.arguments else None,
        "503": "Database unavailable for a moment; retry after the Retry-After header's seconds",
    }
    for status, description in common.items():
        if description is not None:
            responses.setdefault(status, _error(description))
    return dict(sorted(responses.items()))


def build_document(app: Flask) -> dict[str, Any]:
    """The document for ``app``'s API routes (those of the ``api`` blueprint)."""
    rules = sorted((rule for rule in app.url_map.iter_rules() if rule.endpoint.startswith(f"{bp.name}.")),
                   key=lambda rule: rule.rule)
    declared = [(rule, _declared(app, rule)) for rule in rules]
    models = dict.fromkeys([schemas.Error, *(model for _rule, found in declared for model in _models(found))])
    inputs = {found.body for _rule, found in declared} | {found.query for _rule, found in declared}
    keyed, definitions = models_json_schema(
        [(model, "validation" if model in inputs else "serialization") for model in models], ref_template=_REF,
        union_format="primitive_type_array", schema_generator=_Generator)
    refs = {model: schema for (model, _mode), schema in keyed.items()}
    components = definitions.get("$defs", {})
    paths: dict[str, dict[str, Any]] = {}
    for rule, found in declared:
        query = components[found.query.__name__] if found.query is not None else None
        item: dict[str, Any] = {"summary": found.summary, "tags": list(found.tags),
                                "parameters": _parameters(rule, query),
                                "responses": _responses(rule, found, refs)}
        if found.description:
            item["description"] = found.description
        if found.body is not None:
            item["requestBody"] = {"required": True, "content": {"application/json": {"schema": refs[found.body]}}}
        if found.roles is not None:
            item["security"] = [{"bearer": []}]
        if not item["parameters"]:
            del item["parameters"]
        path = re.sub(r"<(?:[a-z]+:)?([a-z_]+)>", r"{\1}", rule.rule[len(bp.url_prefix or ""):])
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            paths.setdefault(path, {})[method.lower()] = item
    for _rule, found in declared:
        if found.query is not None:
            components.pop(found.query.__name__, None)  # documented as parameters
    return {
        "openapi": "3.1.0",
        "info": {"title": "quizapp API", "version": "1",
                 "description": "Online multiple-choice contests. Errors are "
                                "{\"error\": {\"code\", \"message\", \"fields\"?}} with a fitting status; messages "
                                "are Vietnamese by default, English with the lang=en cookie."},
        "servers": [{"url": bp.url_prefix}],
        "paths": paths,
        "components": {"schemas": components,
                       "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer",
                                                      "description": "from POST /auth/token"}}},
    }


def document() -> dict[str, Any]:
    """The current app's document, built once per app."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    built = app.extensions.get("quizapp.openapi")
    if built is None:
        built = app.extensions["quizapp.openapi"] = build_document(app)
    return built


class OpenAPIDocument(BaseModel):
    """This document."""


@bp.get("/openapi.json")
@operation("This document", tags=("meta",), responses={200: OpenAPIDocument})
def openapi_json():
    return jsonify(document())
