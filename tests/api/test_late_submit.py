"""A submit that arrives after the deadline and its grace says so: the answers it carried were not counted (API and
page); an ordinary submit's answer keeps exactly the SPEC's keys."""

from __future__ import annotations

from datetime import timedelta

from quizapp.extensions import db
from quizapp.models import Attempt, AttemptStatus
from quizapp.models.types import utcnow
from tests.api.test_attempts_api import token_for, world  # noqa: F401  (the fixture)
from tests.views.test_attempt_pages import (  # noqa: F401  (fixtures)
    answer_keys,
    load_bank,
    make_overdue,
    make_round,
    participant,
    player,
    start,
)


def overdue(attempt_id: int) -> None:
    stored = db.session.get(Attempt, attempt_id)
    stored.started_at = utcnow() - timedelta(minutes=30)
    stored.deadline_at = utcnow() - timedelta(minutes=20)
    db.session.commit()


def test_the_api_says_the_late_answers_were_not_counted(client, world):  # noqa: F811
    auth = token_for(client)
    attempt = client.post(f"/api/v1/rounds/{world['open'].id}/attempts", headers=auth).get_json()
    first = attempt["questions"][0]
    overdue(attempt["attempt_id"])
    late = client.post(f"/api/v1/attempts/{attempt['attempt_id']}/submit", headers=auth,
                       json={"answers": {str(first["id"]): first["options"][0]["id"]}, "prediction": 3})
    assert late.status_code == 200
    body = late.get_json()
    assert body["late"] is True and body["correct_count"] == 0 and body["question_count"] == 3
    assert "không được tính" in body["message"]
    db.session.expire_all()
    closed = db.session.get(Attempt, attempt["attempt_id"])
    assert closed.status is AttemptStatus.EXPIRED and closed.prediction is None
    again = client.post(f"/api/v1/attempts/{attempt['attempt_id']}/submit", headers=auth, json={"prediction": 3})
    assert again.get_json()["late"] is True  # a second try is told the same


def test_an_ordinary_submit_answers_the_specs_keys_only(client, world):  # noqa: F811
    auth = token_for(client)
    attempt = client.post(f"/api/v1/rounds/{world['open'].id}/attempts", headers=auth).get_json()
    done = client.post(f"/api/v1/attempts/{attempt['attempt_id']}/submit", headers=auth, json={"prediction": 1})
    assert done.status_code == 200
    assert set(done.get_json()) == {"correct_count", "question_count", "duration_ms"}


def test_the_page_says_it_too(app, player):  # noqa: F811
    load_bank()
    round_ = make_round(grace=10)
    attempt_id = start(player, round_)
    correct, _wrong = answer_keys(attempt_id)
    make_overdue(attempt_id, seconds_past_deadline=30)
    form = {f"q{question}": str(option) for question, option in correct.items()}
    response = player.post(f"/attempts/{attempt_id}/submit", data={**form, "prediction": "4"}, follow_redirects=True)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "các câu trả lời gửi kèm lúc nộp không được tính" in html
    assert f"0/{len(correct)}" in html  # nothing counted from the late form
