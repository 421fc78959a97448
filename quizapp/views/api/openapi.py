"""The OpenAPI 3.1 document of the JSON API, served at /api/v1/openapi.json.

A test checks that every documented path exists and every API route is documented.
"""

from __future__ import annotations

from typing import Any

from flask import jsonify

from quizapp.views.api import bp


def _error(description: str) -> dict[str, Any]:
    return {"description": description,
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}


def _json(schema: dict[str, Any], description: str = "OK") -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


BEARER = [{"bearer": []}]
ID = {"type": "integer", "minimum": 1}
ANSWERS = {"type": "object", "description": "question id (as a string key) → chosen option id",
           "additionalProperties": {"type": ["integer", "null"]}, "examples": [{"101": 405, "102": 409}]}

SCHEMAS: dict[str, Any] = {
    "Error": {
        "type": "object", "required": ["error"],
        "properties": {"error": {"type": "object", "required": ["code", "message"], "properties": {
            "code": {"type": "string", "examples": ["attempt_cap_reached"]},
            "message": {"type": "string", "description": "Vietnamese by default; English with the lang=en cookie"},
            "fields": {"type": "object", "additionalProperties": {"type": "string"},
                       "description": "per-field messages (registration)"},
            "field": {"type": "string"},
        }}},
    },
    "Registration": {
        "type": "object", "required": ["full_name", "phone", "password", "unit_code"],
        "properties": {
            "full_name": {"type": "string", "maxLength": 200},
            "phone": {"type": "string", "description": "Vietnamese mobile: 0912345678, +84912345678, 84912345678"},
            "password": {"type": "string", "minLength": 8},
            "unit_code": {"type": "string"},
            "email": {"type": "string", "format": "email"},
            "birth_date": {"type": "string", "format": "date"},
            "id_number": {"type": "string", "pattern": "^[0-9]{12}$", "description": "citizen ID (CCCD)"},
            "category": {"type": "string", "examples": ["Đảng viên", "Đoàn viên", "Học sinh"]},
        },
    },
    "Round": {
        "type": "object",
        "properties": {
            "id": ID, "name": {"type": "string"},
            "opens_at": {"type": "string", "format": "date-time"},
            "closes_at": {"type": "string", "format": "date-time"},
            "status": {"enum": ["upcoming", "open", "closed", "finalized"]},
            "question_count": {"type": "integer"}, "time_limit_seconds": {"type": "integer"},
            "max_attempts": {"type": "integer"},
        },
    },
    "Contest": {
        "type": "object",
        "properties": {"id": ID, "title": {"type": "string"}, "rounds": {"type": "array", "items": _ref("Round")}},
    },
    "Unit": {
        "type": "object",
        "properties": {"id": ID, "code": {"type": "string"}, "name": {"type": "string"},
                       "path": {"type": "string", "examples": ["Thành phố Hà Nội › Phường Ba Đình"]},
                       "depth": {"type": "integer"}, "member_count": {"type": "integer"}},
    },
    "Attempt": {
        "type": "object", "required": ["attempt_id", "deadline", "questions"],
        "description": "Questions and options in this attempt's shuffled order; never the correct answers.",
        "properties": {
            "attempt_id": ID,
            "deadline": {"type": "string", "format": "date-time", "description": "the server's deadline"},
            "questions": {"type": "array", "items": {"type": "object", "properties": {
                "id": ID, "text": {"type": "string"},
                "options": {"type": "array", "items": {"type": "object", "properties": {
                    "id": ID, "text": {"type": "string"}}}}}}},
            "prediction_question": {"type": ["string", "null"]},
            "answers": ANSWERS,
            "status": {"enum": ["in_progress", "submitted", "expired"]},
        },
    },
    "Leaderboard": {
        "type": "object", "required": ["round_id", "status", "finalized", "updated_at", "entries"],
        "description": "Cached for up to a minute; provisional until finalized. While entries can still arrive "
                       "(until the close plus the network grace) in a round whose prediction answer is counted "
                       "(perfect_scores, participants, attempts), entries is empty and nothing tells how many there "
                       "are: the prediction stays a guess. A round whose answer is entered by hand (manual), or "
                       "without a prediction question, lists its live entries ranked by score and time, without "
                       "predictions. Once no entry can arrive, prediction_actual and each entry's prediction and "
                       "prediction_gap are given.",
        "properties": {
            "round_id": ID, "status": {"enum": ["upcoming", "open", "closed", "finalized"]},
            "finalized": {"type": "boolean"},
            "updated_at": {"type": "string", "format": "date-time", "description": "when the ranking was computed"},
            "prediction_actual": {"type": ["integer", "null"],
                                  "description": "only once the round is closed: the actual answer of the prediction "
                                                 "question (provisional until finalized; null: none)"},
            "entries": {"type": "array", "items": {
                "type": "object",
                "required": ["rank", "name", "unit", "correct_count", "question_count", "duration_ms", "prize"],
                "properties": {
                    "rank": {"type": "integer"}, "name": {"type": "string", "examples": ["Nguyễn V. A."]},
                    "unit": {"type": ["string", "null"]}, "correct_count": {"type": "integer"},
                    "question_count": {"type": "integer"}, "duration_ms": {"type": "integer"},
                    "prize": {"type": ["string", "null"]},
                    "prediction": {"type": ["integer", "null"], "description": "only once the round is closed"},
                    "prediction_gap": {"type": ["integer", "null"],
                                       "description": "only once the round is closed: |prediction - actual answer|"}}}},
        },
    },
    "Result": {
        "type": "object", "required": ["correct_count", "question_count", "duration_ms"],
        "properties": {"correct_count": {"type": "integer"}, "question_count": {"type": "integer"},
                       "duration_ms": {"type": "integer", "description": "measured by the server"}},
    },
}


def _paths() -> dict[str, Any]:
    attempt_id = [{"name": "attempt_id", "in": "path", "required": True, "schema": ID}]
    round_id = [{"name": "round_id", "in": "path", "required": True, "schema": ID}]
    return {
        "/auth/register": {"post": {
            "summary": "Register a participant", "tags": ["auth"],
            "requestBody": {"required": True, "content": {"application/json": {"schema": _ref("Registration")}}},
            "responses": {
                "201": _json({"type": "object", "properties": {"participant_id": ID}}, "Registered"),
                "400": _error("Not JSON"), "409": _error("Phone, email or citizen ID already registered"),
                "422": _error("Invalid fields, each named in error.fields"), "429": _error("Too many requests"),
            }}},
        "/auth/token": {"post": {
            "summary": "Get a bearer token", "tags": ["auth"],
            "requestBody": {"required": True, "content": {"application/json": {"schema": {
                "type": "object", "required": ["login", "password"],
                "properties": {"login": {"type": "string", "description": "phone or email"},
                               "password": {"type": "string"}}}}}},
            "responses": {"200": _json({"type": "object", "properties": {"token": {"type": "string"}}}),
                          "401": _error("Wrong login or password"), "422": _error("Missing fields"),
                          "429": _error("Too many requests")}}},
        "/contests": {"get": {
            "summary": "Open, upcoming and past contests with their rounds", "tags": ["contests"],
            "responses": {"200": _json({"type": "object", "properties": {
                "contests": {"type": "array", "items": _ref("Contest")}}})}}},
        "/units": {"get": {
            "summary": "Search units by name or code, accent-insensitive", "tags": ["units"],
            "parameters": [{"name": "q", "in": "query", "schema": {"type": "string"}, "examples": {
                "ha noi": {"value": "ha noi"}}},
                {"name": "limit", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 100}}],
            "responses": {"200": _json({"type": "object", "properties": {
                "units": {"type": "array", "items": _ref("Unit")}}}), "422": _error("Bad parameter")}}},
        "/rounds/{round_id}/attempts": {"post": {
            "summary": "Start an attempt, or resume the one in progress", "tags": ["attempts"], "security": BEARER,
            "parameters": round_id,
            "responses": {"201": _json(_ref("Attempt"), "Started"), "200": _json(_ref("Attempt"), "Resumed"),
                          "401": _error("No or bad token"),
                          "403": _error("Round not open yet, or the account is not a participant"),
                          "404": _error("No such round"),
                          "409": _error("Attempt cap reached, or round closed")}}},
        "/attempts/{attempt_id}": {"get": {
            "summary": "The attempt as shown to its participant", "tags": ["attempts"], "security": BEARER,
            "parameters": attempt_id,
            "responses": {"200": _json(_ref("Attempt")), "401": _error("No or bad token"),
                          "404": _error("Not one of your attempts")}}},
        "/attempts/{attempt_id}/answers": {"put": {
            "summary": "Save some or all answers (and the prediction typed so far)", "tags": ["attempts"],
            "security": BEARER, "parameters": attempt_id,
            "requestBody": {"required": True, "content": {"application/json": {"schema": {
                "type": "object", "properties": {"answers": ANSWERS,
                                                 "prediction": {"type": "integer", "minimum": 0}},
                "description": "answers, prediction or both"}}}},
            "responses": {"200": _json({"type": "object", "properties": {"saved": {"type": "integer"}}}),
                          "401": _error("No or bad token"), "404": _error("Not one of your attempts"),
                          "409": _error("Attempt closed (deadline and grace passed, or submitted)"),
                          "422": _error("Unknown question or option")}}},
        "/attempts/{attempt_id}/submit": {"post": {
            "summary": "Submit; a repeated submit returns the same result", "tags": ["attempts"],
            "security": BEARER, "parameters": attempt_id,
            "requestBody": {"required": True, "content": {"application/json": {"schema": {
                "type": "object", "properties": {"answers": ANSWERS,
                                                 "prediction": {"type": ["integer", "null"], "minimum": 0}}}}}},
            "responses": {"200": _json(_ref("Result")), "401": _error("No or bad token"),
                          "404": _error("Not one of your attempts"), "422": _error("Bad answers or prediction")}}},
        "/attempts/{attempt_id}/review": {"get": {
            "summary": "Questions with chosen and correct options, when the round's review setting allows",
            "tags": ["attempts"], "security": BEARER, "parameters": attempt_id,
            "responses": {"200": _json({"type": "object"}), "403": _error("Review not available yet"),
                          "404": _error("Not one of your attempts")}}},
        "/rounds/{round_id}/leaderboard": {"get": {
            "summary": "Public ranking of a round (hidden while open if its prediction answer is counted, then "
                       "provisional, frozen once finalized); names masked, no contact data",
            "tags": ["results"], "parameters": [*round_id, {
                "name": "limit", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 200,
                                                           "default": 50}}],
            "responses": {"200": _json(_ref("Leaderboard")), "404": _error("No such public round"),
                          "422": _error("Bad limit")}}},
        "/openapi.json": {"get": {"summary": "This document", "tags": ["meta"],
                                  "responses": {"200": _json({"type": "object"})}}},
    }


def _with_common_errors(paths: dict[str, Any]) -> dict[str, Any]:
    """Answers any operation can give: the database unreachable for a moment (a restart): retry."""
    for operations in paths.values():
        for operation in operations.values():
            operation["responses"].setdefault(
                "503", _error("Database unavailable for a moment; retry after the Retry-After header's seconds"))
    return paths


def document() -> dict[str, Any]:
    return {
        "openapi": "3.1.0",
        "info": {"title": "quizapp API", "version": "1",
                 "description": "Online multiple-choice contests. Errors are "
                                "{\"error\": {\"code\", \"message\"}} with a fitting status."},
        "servers": [{"url": "/api/v1"}],
        "paths": _with_common_errors(_paths()),
        "components": {"schemas": SCHEMAS,
                       "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer",
                                                      "description": "from POST /auth/token"}}},
    }


@bp.get("/openapi.json")
def openapi_json():
    return jsonify(document())
