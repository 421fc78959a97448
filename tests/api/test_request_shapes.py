"""The declared shapes at the edge (quizapp.views.schemas, read by quizapp.views.validation): refusals in the API's
error shape, in Vietnamese or English, the same for the attempt page's save as for the API's; bodies that no
parser should recurse into; the generated document's security, errors and statuses."""

from __future__ import annotations

import pytest
from flask import Flask
from pydantic import ValidationError

from quizapp.extensions import db
from quizapp.models import Attempt
from quizapp.views import schemas
from quizapp.views.api.common import Operation, _check_response
from tests.api.test_attempts_api import token_for, world  # noqa: F401  (world: the fixture)


@pytest.fixture
def attempt(client, world):  # noqa: F811
    """An attempt in progress, with its owner's token; the same client is signed in on the pages too."""
    auth = token_for(client)
    started = client.post(f"/api/v1/rounds/{world['open'].id}/attempts", headers=auth).get_json()
    assert client.post("/login", data={"login": "0912345678", "password": "mat-khau-1"}).status_code == 302
    return {"auth": auth, "id": started["attempt_id"], "questions": started["questions"]}


def nested(depth: int) -> str:
    return "[" * depth + "]" * depth


@pytest.mark.parametrize("depth", [50, 1_000, 100_000])
def test_deeply_nested_json_is_a_clear_refusal_never_a_500(client, attempt, depth):
    """Too deep for any parser to recurse into: 400 invalid_json; shallow enough: 422, the field named."""
    bodies = {
        ("put", f"/api/v1/attempts/{attempt['id']}/answers"): '{"answers": %s}',
        ("post", f"/api/v1/attempts/{attempt['id']}/submit"): '{"answers": {"1": %s}}',
        ("put", f"/attempts/{attempt['id']}/answers"): '{"answers": %s}',  # the page's save
        ("post", "/api/v1/auth/token"): '{"login": %s, "password": "x"}',
        ("post", "/api/v1/auth/register"): '%s',
    }
    for (method, path), body in bodies.items():
        response = getattr(client, method)(path, data=body % nested(depth), content_type="application/json",
                                           headers=attempt["auth"])
        assert response.status_code in (400, 422) and response.is_json, (path, response.status_code)
        assert response.json["error"]["code"] and response.json["error"]["message"]
        if depth > 1_000:
            assert response.status_code == 400 and response.json["error"]["code"] == "invalid_json", path
    stored = db.session.get(Attempt, attempt["id"])
    assert all(q.chosen_option_id is None for q in stored.questions)


def test_flask_s_own_json_reading_refuses_a_deep_document_as_invalid(app: Flask):
    with pytest.raises(ValueError):
        app.json.loads(nested(100_000))


@pytest.mark.parametrize("body", [{}, {"answers": "x"}, {"answers": [1]}, {"answers": {"abc": 1}},
                                  {"answers": {"1": "2"}}, {"answers": {"999999": 1}}, {"prediction": -1},
                                  {"prediction": "7"}, {"answers": None}, "text", 5])
def test_the_page_s_save_and_the_api_s_refuse_alike(client, attempt, body):
    """One adapter: the same body gets the same status, code, words and fields from both."""
    api = client.put(f"/api/v1/attempts/{attempt['id']}/answers", json=body, headers=attempt["auth"])
    page = client.put(f"/attempts/{attempt['id']}/answers", json=body)
    assert api.status_code == page.status_code == 422, (api.json, page.json)
    assert api.json == page.json
    assert api.json["error"]["code"] in ("invalid_answers", "invalid_prediction", "unknown_question")


def test_a_refusal_names_every_bad_field(client, attempt):
    response = client.post(f"/api/v1/attempts/{attempt['id']}/submit", headers=attempt["auth"],
                           json={"answers": [1], "prediction": "12"})
    error = response.json["error"]
    assert response.status_code == 422 and error["code"] == "invalid_answers" and error["field"] == "answers"
    assert set(error["fields"]) == {"answers", "prediction"}
    assert "Số dự đoán phải là số nguyên không âm." in error["message"]
    assert db.session.get(Attempt, attempt["id"]).status.value == "in_progress"


def test_refusals_are_english_by_locale(client, attempt):
    response = client.put(f"/api/v1/attempts/{attempt['id']}/answers?lang=en", headers=attempt["auth"],
                          json={"prediction": 1.5})
    assert response.status_code == 422
    assert response.json["error"] == {
        "code": "invalid_prediction", "message": "The prediction must be a whole number (0 or more).",
        "field": "prediction", "fields": {"prediction": "The prediction must be a whole number (0 or more)."}}


def test_refusals_are_vietnamese_by_default(client, world):  # noqa: F811
    response = client.post("/api/v1/auth/register", json={"full_name": "A", "phone": 912345678})
    error = response.json["error"]
    assert response.status_code == 422 and error["field"] == "phone" and error["code"] == "invalid_field"
    assert error["fields"] == {"phone": "Trường phone phải là chuỗi ký tự.", "password": "Thiếu trường password.",
                               "unit_code": "Thiếu trường unit_code."}


def test_a_body_that_is_not_json_is_a_400(client, attempt):
    for data, content_type in (("{not json", "application/json"), ('{"answers": {}}', "text/plain")):
        response = client.put(f"/api/v1/attempts/{attempt['id']}/answers", data=data, content_type=content_type,
                              headers=attempt["auth"])
        assert response.status_code == 400 and response.json["error"]["code"] == "invalid_json"


def test_a_nul_character_is_refused_at_the_door_but_its_escaped_text_is_not(client, world):  # noqa: F811
    nul = client.post("/api/v1/auth/token", data='{"login": "a\\u0000", "password": "x"}',
                      content_type="application/json")
    assert nul.status_code == 400 and nul.json["error"]["code"] == "nul_character"
    text = client.post("/api/v1/auth/token", data='{"login": "a\\\\u0000", "password": "x"}',
                       content_type="application/json")
    assert text.status_code == 401 and text.json["error"]["code"] == "invalid_credentials"


@pytest.mark.parametrize(("limit", "status"), [("1", 200), ("100", 200), ("0", 422), ("101", 422), ("x", 422)])
def test_the_unit_search_limit_follows_the_one_limit_rule(client, world, limit, status):  # noqa: F811
    response = client.get(f"/api/v1/units?q=don&limit={limit}")
    assert response.status_code == status
    if status == 422:
        assert response.json["error"]["code"] == "invalid_limit" and "limit" in response.json["error"]["message"]


def test_answers_are_checked_against_their_declared_shape_in_the_tests(app: Flask):
    declared = Operation("x", ("t",), {200: schemas.Saved, 404: "Not found"})
    with app.test_request_context("/api/v1/x"):
        _check_response(declared, ({"saved": 1}, 200))
        with pytest.raises(ValidationError):
            _check_response(declared, ({"saved": 1, "secret": "key"}, 200))  # nothing beyond what is declared
        with pytest.raises(AssertionError):
            _check_response(declared, ({"saved": 1}, 201))


def test_the_document_is_generated_with_its_security_errors_and_statuses(client):
    document = client.get("/api/v1/openapi.json").json
    assert document["openapi"] == "3.1.0"
    assert document["components"]["securitySchemes"]["bearer"] == {
        "type": "http", "scheme": "bearer", "description": "from POST /auth/token"}
    error = document["components"]["schemas"]["Error"]
    assert error["required"] == ["error"]
    detail = document["components"]["schemas"]["ErrorDetail"]
    assert set(detail["required"]) == {"code", "message"} and {"field", "fields"} <= set(detail["properties"])
    save = document["paths"]["/attempts/{attempt_id}/answers"]["put"]
    assert save["security"] == [{"bearer": []}]
    assert save["requestBody"]["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/SaveAnswers"}
    assert set(save["responses"]) == {"200", "400", "401", "403", "404", "409", "422", "503"}
    board = document["paths"]["/rounds/{round_id}/leaderboard"]["get"]
    assert "security" not in board
    limit = next(p for p in board["parameters"] if p["name"] == "limit")
    assert limit["in"] == "query" and limit["schema"] == {"type": "integer", "minimum": 1, "maximum": 200,
                                                          "default": 50}
    for path, item in document["paths"].items():
        for method, operation in item.items():
            assert "503" in operation["responses"], (method, path)
            for status, answer in operation["responses"].items():
                schema = answer["content"]["application/json"]["schema"]
                if status >= "400":
                    assert schema == {"$ref": "#/components/schemas/Error"}, (method, path, status)
