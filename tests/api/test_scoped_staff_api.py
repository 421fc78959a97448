"""The API's staff endpoints keep a scoped organizer or judge inside their subtree: a round outside is a 403 in the
error shape with the code ``outside_scope`` (documented in the OpenAPI document); inside, or unscoped, the figures
as before; and a participant's requests never pay for the staff's scope."""

from __future__ import annotations

import pytest

from quizapp.models import Role
from quizapp.views.api import common
from tests.conftest import TEST_PASSWORD
from tests.views.test_scoped_staff_views import world  # noqa: F401  (the fixture)


def _token(client, make_user, role: Role, scope_unit_id: int | None = None) -> dict[str, str]:
    user = make_user(role, scope_unit_id=scope_unit_id)
    response = client.post("/api/v1/auth/token", json={"login": user.email, "password": TEST_PASSWORD})
    return {"Authorization": f"Bearer {response.get_json()['token']}"}


@pytest.mark.parametrize("role", [Role.ORGANIZER, Role.JUDGE])
def test_a_scoped_caller_gets_403_outside_scope_outside_and_the_figures_inside(client, make_user, world,  # noqa: F811
                                                                               role):
    headers = _token(client, make_user, role, world.units["A"].id)
    for key in ("outside", "whole"):
        response = client.get(f"/api/v1/rounds/{world.contests[key].rounds[0].id}/statistics", headers=headers)
        assert response.status_code == 403 and response.is_json
        error = response.get_json()["error"]
        assert error["code"] == "outside_scope" and "ngoài phạm vi" in error["message"]
    inside = client.get(f"/api/v1/rounds/{world.contests['inside'].rounds[0].id}/statistics", headers=headers)
    assert inside.status_code == 200 and inside.get_json()["entries"] == 3
    missing = client.get("/api/v1/rounds/999999/statistics", headers=headers)
    assert missing.status_code == 404 and missing.get_json()["error"]["code"] == "round_not_found"


@pytest.mark.parametrize("role", [Role.ORGANIZER, Role.ADMIN])
def test_unscoped_staff_see_every_round(client, make_user, world, role):  # noqa: F811
    headers = _token(client, make_user, role)
    for key in ("inside", "outside", "whole"):
        response = client.get(f"/api/v1/rounds/{world.contests[key].rounds[0].id}/statistics", headers=headers)
        assert response.status_code == 200, key


def test_the_document_declares_the_refusal(client):
    responses = client.get("/api/v1/openapi.json").get_json()["paths"]["/rounds/{round_id}/statistics"]["get"][
        "responses"]
    assert "outside_scope" in responses["403"]["description"]
    assert responses["403"]["content"]["application/json"]["schema"]["$ref"].endswith("/Error")


def test_a_participants_requests_do_not_read_a_scope(client, make_user, world, monkeypatch):  # noqa: F811
    def refuse(caller):
        raise AssertionError("a participant's request read a staff scope")

    monkeypatch.setattr(common, "_guard_scope", refuse)
    headers = _token(client, make_user, Role.PARTICIPANT)
    assert client.get("/api/v1/attempts/999999", headers=headers).status_code == 404
    assert client.put("/api/v1/attempts/999999/answers", json={"answers": {}}, headers=headers).status_code == 404
    refused = client.get(f"/api/v1/rounds/{world.contests['inside'].rounds[0].id}/statistics", headers=headers)
    assert refused.status_code == 403 and refused.get_json()["error"]["code"] == "forbidden"
