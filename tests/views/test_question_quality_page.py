"""'Chất lượng câu hỏi': a round's questions with their figures and flags, for judges and organizers, leading to
the question's edit page and the regrade preview; refused to participants and the public."""

from __future__ import annotations

import re

import pytest

from quizapp.models import Role
from tests.services.test_flags import build_scene
from tests.services.test_statistics import sit


@pytest.fixture
def scene(app):
    """24 attempts: the 12 strongest (4 of 5 right) choose B on question 1 (key A), the others (2 or 3 right) A;
    question 3 everybody gets right; questions 2, 4, 5 are sound."""
    scene = build_scene(question_count=5)
    for n in range(24):
        strong = n < 12
        sit(scene, f"Người dự thi {n}", {0: 1 if strong else 0, 1: 0 if strong else 2, 2: 0, 3: 0 if strong else 1,
                                        4: 0 if strong or n % 2 else 3})
    return scene


def _page(client, scene, **args):
    return client.get(f"/judge/rounds/{scene.round.id}/questions", query_string=args)


def _rows(html: str) -> list[str]:
    return re.findall(r'<tr[^>]*id="question-(\d+)"', html)


def test_a_judge_sees_the_flags_in_words_flagged_first_with_the_regrade_preview(client, make_user, login, scene):
    login(make_user(Role.JUDGE))
    response = _page(client, scene)
    html = response.get_data(as_text=True)

    assert response.status_code == 200
    assert "Chất lượng câu hỏi" in html and "<caption>" in html and 'scope="row"' in html
    q1, q2, q3, q4, q5 = scene.questions
    assert _rows(html) == [str(q.id) for q in (q1, q3, q2, q4, q5)]  # flagged first, the most flags first
    assert "chọn phương án B nhiều hơn đáp án A" in html
    assert "Độ phân biệt âm" in html and "Ai cũng trả lời đúng" in html
    assert f'/judge/questions/{q1.id}/regrade?answer=B' in html
    assert f"/judge/questions/{q3.id}/regrade" not in html  # everybody right: nothing to regrade
    assert f"/organizer/questions/{q1.id}/edit" not in html  # a judge does not edit banks
    # figures: question 1 right for half, A 50 % (the key) and B 50 %
    row = html[html.index(f'id="question-{q1.id}"'):html.index(f'id="question-{q3.id}"')]
    assert "50%" in row and "badge-key" in row


def test_an_organizer_gets_there_and_follows_both_links(client, make_user, login, scene):
    login(make_user(Role.ORGANIZER))
    html = _page(client, scene).get_data(as_text=True)
    q1 = scene.questions[0]
    assert f"/organizer/questions/{q1.id}/edit" in html
    assert client.get(f"/organizer/questions/{q1.id}/edit").status_code == 200
    preview = client.get(f"/judge/questions/{q1.id}/regrade?answer=B")
    assert preview.status_code == 200 and "Ảnh hưởng khi đổi đáp án từ A sang B" in preview.get_data(as_text=True)


def test_the_columns_sort(client, make_user, login, scene):
    login(make_user(Role.JUDGE))
    q1, q2, q3, q4, q5 = scene.questions
    by_facility = _page(client, scene, sort="facility").get_data(as_text=True)
    assert _rows(by_facility) == [str(q.id) for q in (q1, q2, q4, q5, q3)]  # 50 %, 50 %, 50 %, 75 %, 100 %
    assert 'aria-sort="ascending"' in by_facility
    assert _rows(_page(client, scene, sort="nonsense").get_data(as_text=True))[0] == str(q1.id)


def test_the_judges_round_page_links_to_it(client, make_user, login, scene):
    login(make_user(Role.JUDGE))
    html = client.get(f"/judge/rounds/{scene.round.id}").get_data(as_text=True)
    assert f"/judge/rounds/{scene.round.id}/questions" in html


def test_participants_and_the_public_are_refused(client, make_user, login, scene):
    assert _page(client, scene).status_code == 302  # to sign in
    login(make_user(Role.PARTICIPANT))
    response = _page(client, scene)
    assert response.status_code == 403 and "Độ phân biệt" not in response.get_data(as_text=True)


def test_an_unknown_round_is_404(client, make_user, login, scene):
    login(make_user(Role.JUDGE))
    assert client.get(f"/judge/rounds/{scene.round.id + 99}/questions").status_code == 404
