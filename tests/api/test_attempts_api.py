"""The attempt through the JSON API, as an outside client drives it (SPEC: Interfaces that are a contract)."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from quizapp.domain.banks import ImportLimits
from quizapp.extensions import db
from quizapp.models import Attempt, AttemptStatus, Contest, Round, Unit
from quizapp.models.types import utcnow
from quizapp.services.banks import import_bank
from quizapp.services.units import rebuild_tree

BANK = (
    "Câu hỏi,A,B,C,D,Đáp án,Chủ đề\n"
    "Câu một?,1,2,3,4,A,T\n"
    "Câu hai?,1,2,3,4,B,T\n"
    "Câu ba?,1,2,3,4,C,T\n"
)


@pytest.fixture
def world(app):
    import_bank(bank_name="B", filename="b.csv", data=BANK.encode(), actor=None, now=utcnow(), limits=ImportLimits())
    unit = Unit(code="U1", name="Đơn vị Một", name_key="don vi mot", member_count=10)
    db.session.add(unit)
    now = utcnow()
    contest = Contest(title="Cuộc thi API", rules="")
    rounds = {
        "open": Round(contest=contest, position=1, name="Đang mở", opens_at=now - timedelta(hours=1),
                      closes_at=now + timedelta(hours=1), question_count=3, time_limit_seconds=600, max_attempts=2,
                      prediction_question="Bao nhiêu người đúng hết?"),
        "upcoming": Round(contest=contest, position=2, name="Sắp mở", opens_at=now + timedelta(days=1),
                          closes_at=now + timedelta(days=2), question_count=3, time_limit_seconds=600),
        "closed": Round(contest=contest, position=3, name="Đã đóng", opens_at=now - timedelta(days=3),
                        closes_at=now - timedelta(days=2), question_count=3, time_limit_seconds=600),
    }
    db.session.add_all([contest, *rounds.values()])
    db.session.flush()
    rebuild_tree()
    db.session.commit()
    return rounds


def token_for(client, phone="0912345678"):
    client.post("/api/v1/auth/register", json={"full_name": "Thí Sinh Thử", "phone": phone,
                                                "password": "mat-khau-1", "unit_code": "U1"})
    response = client.post("/api/v1/auth/token", json={"login": phone, "password": "mat-khau-1"})
    return {"Authorization": f"Bearer {response.get_json()['token']}"}


def test_whole_flow_start_resume_save_submit(client, world):
    auth = token_for(client)
    started = client.post(f"/api/v1/rounds/{world['open'].id}/attempts", headers=auth)
    assert started.status_code == 201
    attempt = started.get_json()
    assert attempt["prediction_question"] == "Bao nhiêu người đúng hết?"
    assert len(attempt["questions"]) == 3 and "deadline" in attempt
    assert "correct" not in str(attempt).lower()
    resumed = client.post(f"/api/v1/rounds/{world['open'].id}/attempts", headers=auth)
    assert resumed.status_code == 200 and resumed.get_json()["attempt_id"] == attempt["attempt_id"]
    assert [q["id"] for q in resumed.get_json()["questions"]] == [q["id"] for q in attempt["questions"]]

    first = attempt["questions"][0]
    saved = client.put(f"/api/v1/attempts/{attempt['attempt_id']}/answers", headers=auth,
                       json={"answers": {str(first["id"]): first["options"][0]["id"]}})
    assert saved.status_code == 200
    result = client.post(f"/api/v1/attempts/{attempt['attempt_id']}/submit", headers=auth, json={"prediction": 7})
    assert result.status_code == 200
    body = result.get_json()
    assert body["question_count"] == 3 and 0 <= body["correct_count"] <= 1 and body["duration_ms"] >= 0
    again = client.post(f"/api/v1/attempts/{attempt['attempt_id']}/submit", headers=auth, json={"prediction": 99})
    assert again.get_json() == body
    stored = db.session.get(Attempt, attempt["attempt_id"])
    assert stored.status is AttemptStatus.SUBMITTED and stored.prediction == 7


def test_cap_is_409_and_closed_or_upcoming_rounds_are_refused(client, world):
    auth = token_for(client)
    for _ in range(2):
        attempt = client.post(f"/api/v1/rounds/{world['open'].id}/attempts", headers=auth).get_json()
        client.post(f"/api/v1/attempts/{attempt['attempt_id']}/submit", headers=auth, json={"prediction": 1})
    capped = client.post(f"/api/v1/rounds/{world['open'].id}/attempts", headers=auth)
    assert capped.status_code == 409 and capped.get_json()["error"]["code"] == "attempt_cap_reached"
    upcoming = client.post(f"/api/v1/rounds/{world['upcoming'].id}/attempts", headers=auth)
    assert upcoming.status_code == 403 and upcoming.get_json()["error"]["code"] == "round_not_open"
    closed = client.post(f"/api/v1/rounds/{world['closed'].id}/attempts", headers=auth)
    assert closed.status_code == 409 and closed.get_json()["error"]["code"] == "round_closed"
    assert client.post("/api/v1/rounds/99999/attempts", headers=auth).status_code == 404


def test_tokens_are_required_and_checked(client, world):
    assert client.post(f"/api/v1/rounds/{world['open'].id}/attempts").status_code == 401
    bad = client.post(f"/api/v1/rounds/{world['open'].id}/attempts", headers={"Authorization": "Bearer nope"})
    assert bad.status_code == 401 and bad.get_json()["error"]["code"] == "unauthorized"


@pytest.mark.parametrize("revoke", ["password_changed", "deactivated"])
def test_a_revoked_token_is_refused_by_every_attempt_request(client, world, make_user, revoke):
    """start, save and submit check the token's account in their own query: a revoked token is a 401 there too,
    before anything is saved, whether or not the request would otherwise succeed."""
    from quizapp.models import Role, User

    auth = token_for(client)
    attempt = client.post(f"/api/v1/rounds/{world['open'].id}/attempts", headers=auth).get_json()
    question = attempt["questions"][0]
    user = db.session.scalar(select(User).where(User.phone == "0912345678"))
    if revoke == "password_changed":
        user.token_version += 1
    else:
        user.active = False
    db.session.commit()
    answers = {"answers": {str(question["id"]): question["options"][0]["id"]}}
    requests = [("post", f"/api/v1/rounds/{world['open'].id}/attempts", None),
                ("post", f"/api/v1/rounds/{world['upcoming'].id}/attempts", None),
                ("post", "/api/v1/rounds/999999/attempts", None),
                ("put", f"/api/v1/attempts/{attempt['attempt_id']}/answers", answers),
                ("put", "/api/v1/attempts/999999/answers", answers),
                ("post", f"/api/v1/attempts/{attempt['attempt_id']}/submit", {"prediction": 3})]
    for method, path, body in requests:
        response = getattr(client, method)(path, headers=auth, json=body)
        assert response.status_code == 401 and response.json["error"]["code"] == "unauthorized", (path, response.json)
    stored = db.session.get(Attempt, attempt["attempt_id"], populate_existing=True)
    assert stored.status is AttemptStatus.IN_PROGRESS and stored.prediction is None
    assert all(q.chosen_option_id is None for q in stored.questions)
    judge = make_user(Role.JUDGE, email="giamkhao@example.test")
    staff = client.post("/api/v1/auth/token", json={"login": judge.email, "password": "correct horse battery"})
    forbidden = client.post(f"/api/v1/rounds/{world['open'].id}/attempts",
                            headers={"Authorization": f"Bearer {staff.json['token']}"})
    assert forbidden.status_code == 403 and forbidden.json["error"]["code"] == "forbidden"


def test_another_participants_attempt_is_not_found(client, world):
    mine = token_for(client)
    theirs = token_for(client, phone="0987654321")
    attempt = client.post(f"/api/v1/rounds/{world['open'].id}/attempts", headers=mine).get_json()
    response = client.put(f"/api/v1/attempts/{attempt['attempt_id']}/answers", headers=theirs, json={"answers": {}})
    assert response.status_code == 404


def test_unknown_attempt_ids_are_not_found_whatever_their_size(client, world):
    auth = token_for(client)
    for attempt_id in (999999, 2**31, 99999999999999999999):
        response = client.put(f"/api/v1/attempts/{attempt_id}/answers", headers=auth, json={"answers": {}})
        assert response.status_code == 404, attempt_id


@pytest.mark.parametrize("body", [{}, {"answers": [1, 2]}, {"answers": "x"}, {"answers": {"abc": 1}},
                                  {"answers": {"999999": 1}}, {"answers": {"1e3": 1}}, {"answers": {"-1": 1}},
                                  {"answers": {"1": 99999999999999999999}}, {"prediction": 2**40}])
def test_bad_answers_are_json_errors_and_save_nothing(client, world, body):
    auth = token_for(client)
    attempt = client.post(f"/api/v1/rounds/{world['open'].id}/attempts", headers=auth).get_json()
    response = client.put(f"/api/v1/attempts/{attempt['attempt_id']}/answers", headers=auth, json=body)
    assert response.status_code in (400, 422)
    assert response.get_json()["error"]["code"]
    stored = db.session.get(Attempt, attempt["attempt_id"])
    assert all(q.chosen_option_id is None for q in stored.questions)


def test_option_of_another_question_is_refused(client, world):
    auth = token_for(client)
    attempt = client.post(f"/api/v1/rounds/{world['open'].id}/attempts", headers=auth).get_json()
    first, second = attempt["questions"][:2]
    response = client.put(f"/api/v1/attempts/{attempt['attempt_id']}/answers", headers=auth,
                          json={"answers": {str(first["id"]): second["options"][0]["id"]}})
    assert response.status_code == 422 and response.get_json()["error"]["code"] == "unknown_option"


@pytest.mark.parametrize("prediction", ["12", 1.5, True, -1])
def test_bad_prediction_is_422(client, world, prediction):
    auth = token_for(client)
    attempt = client.post(f"/api/v1/rounds/{world['open'].id}/attempts", headers=auth).get_json()
    response = client.post(f"/api/v1/attempts/{attempt['attempt_id']}/submit", headers=auth,
                           json={"prediction": prediction})
    assert response.status_code == 422
    assert db.session.get(Attempt, attempt["attempt_id"]).status is AttemptStatus.IN_PROGRESS


def test_answers_after_deadline_and_grace_are_refused_and_the_attempt_closes(client, world):
    auth = token_for(client)
    attempt = client.post(f"/api/v1/rounds/{world['open'].id}/attempts", headers=auth).get_json()
    stored = db.session.get(Attempt, attempt["attempt_id"])
    stored.started_at = utcnow() - timedelta(minutes=30)
    stored.deadline_at = utcnow() - timedelta(minutes=20)
    db.session.commit()
    first = attempt["questions"][0]
    response = client.put(f"/api/v1/attempts/{attempt['attempt_id']}/answers", headers=auth,
                          json={"answers": {str(first["id"]): first["options"][0]["id"]}})
    assert response.status_code == 409 and response.get_json()["error"]["code"] == "attempt_closed"
    db.session.expire_all()
    assert db.session.get(Attempt, attempt["attempt_id"]).status is AttemptStatus.EXPIRED


def test_contests_listing_shows_rounds_with_status(client, world):
    contests = client.get("/api/v1/contests").get_json()["contests"]
    rounds = {r["name"]: r["status"] for c in contests for r in c["rounds"]}
    assert rounds == {"Đang mở": "open", "Sắp mở": "upcoming", "Đã đóng": "closed"}
    assert db.session.scalar(select(Contest.title)) == "Cuộc thi API"


def test_prediction_saved_during_the_attempt_survives_the_deadline(client, world):
    auth = token_for(client)
    attempt = client.post(f"/api/v1/rounds/{world['open'].id}/attempts", headers=auth).get_json()
    saved = client.put(f"/api/v1/attempts/{attempt['attempt_id']}/answers", headers=auth, json={"prediction": 42})
    assert saved.status_code == 200
    stored = db.session.get(Attempt, attempt["attempt_id"])
    stored.started_at = utcnow() - timedelta(minutes=30)
    stored.deadline_at = utcnow() - timedelta(minutes=20)
    db.session.commit()
    late = client.post(f"/api/v1/attempts/{attempt['attempt_id']}/submit", headers=auth, json={})
    assert late.status_code == 200
    db.session.expire_all()
    closed = db.session.get(Attempt, attempt["attempt_id"])
    assert closed.status is AttemptStatus.EXPIRED and closed.prediction == 42


def test_submit_without_prediction_keeps_the_saved_one(client, world):
    auth = token_for(client)
    attempt = client.post(f"/api/v1/rounds/{world['open'].id}/attempts", headers=auth).get_json()
    client.put(f"/api/v1/attempts/{attempt['attempt_id']}/answers", headers=auth, json={"prediction": 5})
    client.post(f"/api/v1/attempts/{attempt['attempt_id']}/submit", headers=auth, json={})
    db.session.expire_all()
    assert db.session.get(Attempt, attempt["attempt_id"]).prediction == 5
