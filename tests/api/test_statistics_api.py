"""GET /api/v1/rounds/<id>/statistics: the item analysis of a round for staff tokens, in the SPEC's shape, with
figures worked by hand, the bank's option ids, and refusals in the API's error shape."""

from __future__ import annotations

import math

import pytest

from quizapp.extensions import db
from quizapp.models import AttemptStatus, Role
from tests.conftest import TEST_PASSWORD
from tests.services.test_flags import build_scene, make_participant
from tests.services.test_statistics import sit

A, B, C, D = 0, 1, 2, 3  # option positions; A is every question's key


@pytest.fixture
def scene(app):
    """Four finished attempts worked by hand (see tests/domain/test_item_analysis.py), plus what must not count:
    an attempt in progress and a hidden test account's attempt.

    attempt   Q1  Q2  Q3  Q4    score
    An #1     A   A   A   -     3
    An #2     A   B   A   -     2
    Bình      B   A   -   (none) 1
    Cường     C   B   -   A     1      (closed at its deadline: it counts)
    """
    scene = build_scene(question_count=4)
    sit(scene, "Nguyễn Văn An", {0: A, 1: A, 2: A})
    sit(scene, "Nguyễn Văn An", {0: A, 1: B, 2: A})
    sit(scene, "Trần Thị Bình", {0: B, 1: A, 3: None})
    sit(scene, "Lê Văn Cường", {0: C, 1: B, 3: A}, status=AttemptStatus.EXPIRED)
    sit(scene, "Phạm Văn Dũng", {0: A, 1: A, 3: A}, status=AttemptStatus.IN_PROGRESS)
    make_participant(scene, "Tài khoản thử", hidden=True)
    sit(scene, "Tài khoản thử", {0: D, 1: D, 2: D})
    return scene


def staff_token(client, make_user, role: Role) -> dict[str, str]:
    user = make_user(role, email=f"{role.value}-stats@example.test")
    response = client.post("/api/v1/auth/token", json={"login": user.email, "password": TEST_PASSWORD})
    return {"Authorization": f"Bearer {response.get_json()['token']}"}


def _bank_ids(question):
    return [option.id for option in question.options]


@pytest.mark.parametrize("role", [Role.ORGANIZER, Role.JUDGE, Role.ADMIN])
def test_staff_get_the_figures_worked_by_hand(client, make_user, scene, role):
    response = client.get(f"/api/v1/rounds/{scene.round.id}/statistics", headers=staff_token(client, make_user, role))

    assert response.status_code == 200 and response.mimetype == "application/json"
    body = response.get_json()
    assert (body["entries"], body["participants"], body["in_progress"]) == (4, 3, 1)
    q1, q2, q3, q4 = scene.questions
    questions = {q["question_id"]: q for q in body["questions"]}
    assert list(questions) == [q1.id, q2.id, q3.id, q4.id]
    assert set(questions[q1.id]) == {"question_id", "text", "drawn", "facility", "discrimination", "options"}
    assert questions[q1.id]["text"] == q1.text
    # Q1: marks 1,1,0,0 with the other questions' scores 2,1,1,1: r = 0.5 / sqrt(1 × 0.75) = 1/√3
    assert (questions[q1.id]["drawn"], questions[q1.id]["facility"]) == (4, 0.5)
    assert questions[q1.id]["discrimination"] == pytest.approx(1 / math.sqrt(3), abs=1e-12)
    assert questions[q1.id]["options"] == [{"option_id": i, "chosen": n}
                                           for i, n in zip(_bank_ids(q1), (2, 1, 1, 0), strict=True)]
    # Q2: marks 1,0,1,0 with 2,2,0,1: r = -0.5 / sqrt(1 × 2.75) = -1/√11
    assert (questions[q2.id]["drawn"], questions[q2.id]["facility"]) == (4, 0.5)
    assert questions[q2.id]["discrimination"] == pytest.approx(-1 / math.sqrt(11), abs=1e-12)
    assert [o["chosen"] for o in questions[q2.id]["options"]] == [2, 2, 0, 0]
    # Q3: drawn twice, right twice: no variance, so no discrimination (null, not 0)
    third = questions[q3.id]
    assert (third["drawn"], third["facility"], third["discrimination"]) == (2, 1.0, None)
    # Q4: Bình left it unanswered (wrong, chosen by nobody), Cường right: r = -1
    assert (questions[q4.id]["drawn"], questions[q4.id]["facility"]) == (2, 0.5)
    assert questions[q4.id]["discrimination"] == pytest.approx(-1)
    assert [o["chosen"] for o in questions[q4.id]["options"]] == [1, 0, 0, 0]


def test_option_ids_are_the_banks_not_those_an_attempt_showed(client, make_user, scene):
    body = client.get(f"/api/v1/rounds/{scene.round.id}/statistics",
                      headers=staff_token(client, make_user, Role.JUDGE)).get_json()
    for found, question in zip(body["questions"], scene.questions, strict=True):
        assert [o["option_id"] for o in found["options"]] == _bank_ids(question)  # 900 + id was shown


def test_without_a_token_401_with_a_participants_403_in_the_error_shape(client, scene):
    url = f"/api/v1/rounds/{scene.round.id}/statistics"
    missing = client.get(url)
    assert missing.status_code == 401 and missing.get_json()["error"]["code"] == "unauthorized"
    assert client.get(url, headers={"Authorization": "Bearer not-a-token"}).status_code == 401

    client.post("/api/v1/auth/register", json={"full_name": "Thí Sinh Tò Mò", "phone": "0912000111",
                                               "password": "mat-khau-1", "unit_code": "D1"})
    token = client.post("/api/v1/auth/token", json={"login": "0912000111", "password": "mat-khau-1"}).get_json()
    refused = client.get(url, headers={"Authorization": f"Bearer {token['token']}"})
    assert refused.status_code == 403
    assert refused.get_json()["error"]["code"] == "forbidden" and "entries" not in refused.get_data(as_text=True)


def test_an_unknown_round_is_404_in_the_error_shape(client, make_user, scene):
    response = client.get(f"/api/v1/rounds/{scene.round.id + 1000}/statistics",
                          headers=staff_token(client, make_user, Role.ORGANIZER))
    assert response.status_code == 404 and response.mimetype == "application/json"
    assert response.get_json()["error"]["code"] == "round_not_found"


def test_a_round_nobody_finished_has_zero_entries_and_no_questions(client, make_user, app):
    scene = build_scene(question_count=2)
    sit(scene, "Người đang thi", {0: A}, status=AttemptStatus.IN_PROGRESS)
    body = client.get(f"/api/v1/rounds/{scene.round.id}/statistics",
                      headers=staff_token(client, make_user, Role.JUDGE)).get_json()
    assert body == {"entries": 0, "participants": 0, "in_progress": 1, "questions": []}
    db.session.rollback()
