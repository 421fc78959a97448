"""GET /api/v1/rounds/<id>/leaderboard: the public ranking as JSON, masked, with JSON errors."""

from __future__ import annotations

import json
from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from quizapp.extensions import db
from quizapp.models import Role, User
from quizapp.models.types import utcnow
from quizapp.services.results import disqualify, finalize_round
from tests.services.test_standings import entry, make_contest, make_units, person

KEYS = {"round_id", "finalized", "updated_at", "prediction_actual", "entries"}
ENTRY_KEYS = {"rank", "name", "unit", "correct_count", "question_count", "duration_ms", "prize"}


@pytest.fixture
def closed(app):
    """A round closed yesterday with three entries (perfect scores: one) and tiers Nhất 1 / Nhì 1."""
    units = make_units()
    round_ = make_contest(closes_at=utcnow() - timedelta(days=1), tiers=(("Giải Nhất", 1), ("Giải Nhì", 1))).rounds[0]
    for name, correct, phone in (("Nguyễn Văn An", 10, "0900011111"), ("Trần Thị Bình", 8, "0900022222"),
                                 ("Lê Văn Chi", 6, "0900033333")):
        entry(round_, person(name, units["HN-BD"], phone=phone, email=f"{phone}@example.test"), correct,
              seconds=42.5, prediction=2)
    return round_


def test_the_live_answer_has_the_contract_shape_and_masks_people(client, closed):
    response = client.get(f"/api/v1/rounds/{closed.id}/leaderboard")
    assert response.status_code == 200 and response.mimetype == "application/json"
    body = response.get_json()
    assert set(body) == KEYS and body["round_id"] == closed.id and body["finalized"] is False
    assert body["prediction_actual"] == 1
    updated = datetime.fromisoformat(body["updated_at"])
    assert updated.utcoffset() == timedelta(hours=7) and abs(updated - utcnow()) < timedelta(minutes=1)
    assert [set(e) for e in body["entries"]] == [ENTRY_KEYS] * 3
    assert body["entries"][0] == {"rank": 1, "name": "Nguyễn V. A.", "unit": "Phường Ba Đình", "correct_count": 10,
                                  "question_count": 10, "duration_ms": 42_500, "prize": "Giải Nhất"}
    text = response.get_data(as_text=True)
    for secret in ("0900011111", "example.test", "Nguyễn Văn An", "user_id", "attempt_id", "phone", "email"):
        assert secret not in text


def test_after_finalizing_the_frozen_ranking_is_served(client, closed, make_user):
    judge = make_user(Role.JUDGE)
    leader = db.session.scalars(select(User).where(User.phone == "0900011111")).one()
    disqualify(closed, leader, actor=judge, now=utcnow(), reason="Thi hộ")
    finalize_round(closed, actor=judge, now=utcnow())
    db.session.commit()
    body = client.get(f"/api/v1/rounds/{closed.id}/leaderboard?limit=1").get_json()
    assert body["finalized"] is True and body["prediction_actual"] == 0
    assert body["entries"] == [{"rank": 1, "name": "Trần T. B.", "unit": "Phường Ba Đình", "correct_count": 8,
                                "question_count": 10, "duration_ms": 42_500, "prize": "Giải Nhất"}]


def test_an_upcoming_round_has_no_entries(client, app):
    make_units()
    round_ = make_contest(closes_at=utcnow() + timedelta(days=30)).rounds[0]
    body = client.get(f"/api/v1/rounds/{round_.id}/leaderboard").get_json()
    assert body["entries"] == [] and body["finalized"] is False and body["prediction_actual"] is None


@pytest.mark.parametrize("limit", ["0", "201", "-1", "abc", "1.5", "٣", "²", str(10**30), "9" * 5000])
def test_a_bad_limit_is_a_json_422(client, closed, limit):
    response = client.get(f"/api/v1/rounds/{closed.id}/leaderboard?limit={limit}")
    assert response.status_code == 422
    assert response.get_json()["error"]["code"] == "invalid_limit"
    assert "limit" in response.get_json()["error"]["message"]


def test_an_unknown_round_is_a_json_404(client, app):
    response = client.get("/api/v1/rounds/424242/leaderboard")
    assert response.status_code == 404
    assert response.get_json()["error"]["code"] == "round_not_found"
    too_big = client.get("/api/v1/rounds/99999999999999999999/leaderboard")
    assert too_big.status_code == 404 and too_big.is_json


def test_the_leaderboard_is_in_the_openapi_document(client, app):
    document = client.get("/api/v1/openapi.json").get_json()
    operation = document["paths"]["/rounds/{round_id}/leaderboard"]["get"]
    schema = document["components"]["schemas"]["Leaderboard"]
    assert set(schema["required"]) == KEYS and set(schema["properties"]["entries"]["items"]["properties"]) == ENTRY_KEYS
    assert {"200", "404", "422"} <= set(operation["responses"])


class TestCached:
    @pytest.fixture
    def settings(self, settings):
        return {**settings, "CACHE_TYPE": "SimpleCache"}

    def test_the_answer_is_cached_for_everyone(self, client, closed):
        url = f"/api/v1/rounds/{closed.id}/leaderboard"
        first = client.get(url)
        entry(closed, person("Vũ Văn Mới"), 10)
        again = client.get(url)
        assert json.loads(again.get_data()) == json.loads(first.get_data())
        assert first.headers["Cache-Control"] == "public, max-age=15"
