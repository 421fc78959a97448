"""GET /api/v1/rounds/<id>/leaderboard: the public ranking as JSON, masked, with JSON errors, and nothing from
which the prediction's answer could be worked out while the round is open (rule 12)."""

from __future__ import annotations

import json
from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from quizapp.extensions import db
from quizapp.models import PredictionAnswer, Role, User
from quizapp.models.types import utcnow
from quizapp.services.results import disqualify, finalize_round
from tests.conftest import TEST_PASSWORD
from tests.services.test_standings import entry, make_contest, make_units, person

#: Always there; ``prediction_actual`` joins them once the round is closed.
KEYS = {"round_id", "status", "finalized", "updated_at", "entries"}
#: Of every entry; ``prediction`` and ``prediction_gap`` join them once the round is closed.
ENTRY_KEYS = {"rank", "name", "unit", "correct_count", "question_count", "duration_ms", "prize"}
CLOSED_ENTRY_KEYS = ENTRY_KEYS | {"prediction", "prediction_gap"}


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


def entries_of(round_, prediction=2):
    units = make_units()
    for name, correct, phone in (("Nguyễn Văn An", 10, "0900011111"), ("Trần Thị Bình", 8, "0900022222"),
                                 ("Lê Văn Chi", 6, "0900033333")):
        entry(round_, person(name, units["HN-BD"], phone=phone, email=f"{phone}@example.test"), correct,
              seconds=42.5, prediction=prediction)
    return round_


def test_the_answer_after_the_close_has_the_contract_shape_predictions_gaps_and_masks_people(client, closed):
    response = client.get(f"/api/v1/rounds/{closed.id}/leaderboard")
    assert response.status_code == 200 and response.mimetype == "application/json"
    body = response.get_json()
    assert set(body) == KEYS | {"prediction_actual"} and body["round_id"] == closed.id
    assert body["status"] == "closed" and body["finalized"] is False
    assert body["prediction_actual"] == 1
    updated = datetime.fromisoformat(body["updated_at"])
    assert updated.utcoffset() == timedelta(hours=7) and abs(updated - utcnow()) < timedelta(minutes=1)
    assert [set(e) for e in body["entries"]] == [CLOSED_ENTRY_KEYS] * 3
    assert body["entries"][0] == {"rank": 1, "name": "Nguyễn V. A.", "unit": "Phường Ba Đình", "correct_count": 10,
                                  "question_count": 10, "duration_ms": 42_500, "prize": "Giải Nhất",
                                  "prediction": 2, "prediction_gap": 1}
    text = response.get_data(as_text=True)
    for secret in ("0900011111", "example.test", "Nguyễn Văn An", "user_id", "attempt_id", "phone", "email"):
        assert secret not in text


def test_the_gap_explains_an_order_of_equal_scores(client, app):
    make_units()
    round_ = make_contest(closes_at=utcnow() - timedelta(hours=1)).rounds[0]
    entry(round_, person("Nguyễn Văn Nhanh"), 10, seconds=60, prediction=5)
    entry(round_, person("Trần Thị Gần"), 10, seconds=300, prediction=2)
    entry(round_, person("Lê Văn Không"), 10, seconds=30)
    body = client.get(f"/api/v1/rounds/{round_.id}/leaderboard").get_json()
    assert body["prediction_actual"] == 3
    assert [(e["name"], e["prediction"], e["prediction_gap"]) for e in body["entries"]] == [
        ("Trần T. G.", 2, 1), ("Nguyễn V. N.", 5, 2), ("Lê V. K.", None, None)]


@pytest.fixture
def bearer(client, make_user):
    """A signed-in participant's token (the leaderboard answers them as it answers everybody)."""
    user = make_user(Role.PARTICIPANT, phone="0900099999")
    token = client.post("/api/v1/auth/token", json={"login": user.phone, "password": TEST_PASSWORD}).get_json()
    return {"Authorization": f"Bearer {token['token']}"}


@pytest.mark.parametrize("signed_in", [False, True], ids=["anonymous", "participant"])
def test_an_open_round_reveals_no_entry_count_or_prediction_answer(client, app, bearer, signed_in):
    round_ = entries_of(make_contest(closes_at=utcnow() + timedelta(days=3)).rounds[0])
    response = client.get(f"/api/v1/rounds/{round_.id}/leaderboard?limit=200", headers=bearer if signed_in else {})
    assert response.status_code == 200
    body = response.get_json()
    assert set(body) == KEYS and body["status"] == "open" and body["entries"] == []
    assert body["round_id"] == round_.id and body["finalized"] is False
    assert "prediction" not in response.get_data(as_text=True)


def test_a_round_stays_hidden_while_its_last_answers_can_still_arrive(client, app):
    """Closed 3 seconds ago with a 10-second network grace: someone still answering must not read the answer."""
    round_ = entries_of(make_contest(closes_at=utcnow() - timedelta(seconds=3)).rounds[0])
    body = client.get(f"/api/v1/rounds/{round_.id}/leaderboard").get_json()
    assert set(body) == KEYS and body["status"] == "closed" and body["entries"] == []


@pytest.mark.parametrize("prediction", [PredictionAnswer.MANUAL, None], ids=["entered-by-hand", "no-prediction"])
def test_a_live_board_when_counts_reveal_nothing_still_without_the_prediction(client, app, prediction):
    round_ = entries_of(make_contest(closes_at=utcnow() + timedelta(days=3), prediction=prediction).rounds[0],
                        prediction=4217)
    entry(round_, person("Trần Thị Gần"), 8, seconds=300, prediction=77)
    entry(round_, person("Nguyễn Văn Nhanh"), 8, seconds=60, prediction=98765)
    if prediction is not None:
        round_.prediction_actual = 77  # entered early: the order must not give it away
        db.session.commit()
    response = client.get(f"/api/v1/rounds/{round_.id}/leaderboard")
    body = response.get_json()
    assert set(body) == KEYS and body["status"] == "open"
    assert [set(e) for e in body["entries"]] == [ENTRY_KEYS] * 5
    assert [e["name"] for e in body["entries"]] == ["Nguyễn V. A.", "Trần T. B.", "Nguyễn V. N.", "Trần T. G.",
                                                    "Lê V. C."]  # 10; then 8 in 42.5 s, 60 s, 300 s; then 6
    text = response.get_data(as_text=True)
    assert "prediction" not in text and "4217" not in text and "98765" not in text


def test_after_finalizing_the_frozen_ranking_is_served(client, closed, make_user):
    judge = make_user(Role.JUDGE)
    leader = db.session.scalars(select(User).where(User.phone == "0900011111")).one()
    disqualify(closed, leader, actor=judge, now=utcnow(), reason="Thi hộ")
    finalize_round(closed, actor=judge, now=utcnow())
    db.session.commit()
    body = client.get(f"/api/v1/rounds/{closed.id}/leaderboard?limit=1").get_json()
    assert body["finalized"] is True and body["status"] == "finalized" and body["prediction_actual"] == 0
    assert body["entries"] == [{"rank": 1, "name": "Trần T. B.", "unit": "Phường Ba Đình", "correct_count": 8,
                                "question_count": 10, "duration_ms": 42_500, "prize": "Giải Nhất",
                                "prediction": 2, "prediction_gap": 2}]


def test_an_upcoming_round_has_no_entries(client, app):
    make_units()
    round_ = make_contest(closes_at=utcnow() + timedelta(days=30)).rounds[0]
    body = client.get(f"/api/v1/rounds/{round_.id}/leaderboard").get_json()
    assert set(body) == KEYS and body["entries"] == [] and body["finalized"] is False
    assert body["status"] == "upcoming"


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
    assert set(schema["required"]) == KEYS and set(schema["properties"]) == KEYS | {"prediction_actual"}
    entries = schema["properties"]["entries"]["items"]
    if "$ref" in entries:  # a component of its own
        entries = document["components"]["schemas"][entries["$ref"].rsplit("/", 1)[1]]
    assert set(entries["required"]) == ENTRY_KEYS and set(entries["properties"]) == CLOSED_ENTRY_KEYS
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

    def test_the_open_answer_is_kept_no_longer_than_the_round_stays_open(self, client, app, monkeypatch):
        from quizapp.services import leaderboard as results

        round_ = entries_of(make_contest(closes_at=utcnow() - timedelta(seconds=5)).rounds[0])  # 10 s grace
        url = f"/api/v1/rounds/{round_.id}/leaderboard"
        first = client.get(url)
        assert first.get_json()["entries"] == []
        assert 0 < int(first.headers["Cache-Control"].rpartition("=")[2]) <= 5
        later = utcnow() + timedelta(seconds=6)
        real_time = results.time.time
        monkeypatch.setattr(results, "utcnow", lambda: later)
        monkeypatch.setattr(results.time, "time", lambda: real_time() + 6)
        body = client.get(url + "?limit=10").get_json()  # the board is rebuilt, however fresh it was
        assert body["prediction_actual"] == 1 and len(body["entries"]) == 3
