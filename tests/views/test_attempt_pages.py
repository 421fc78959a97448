"""The attempt in the browser without JavaScript, and the JSON save endpoint behind attempt.js.

Start (rules, refusals), the answer sheet (never a correct answer), saving, submitting (idempotent), the result
and its review, the deadline, ownership and CSRF.
"""

from __future__ import annotations

import random
import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from quizapp.domain.banks import ImportLimits
from quizapp.extensions import db
from quizapp.models import Attempt, AttemptQuestion, AttemptStatus, Contest, DrawRule, Review, Role, Round
from quizapp.models.types import utcnow
from quizapp.services.attempts import start_or_resume
from quizapp.services.banks import import_bank
from tests.services.test_attempts import options_by_correctness, saved

TOPIC = "Tư tưởng Hồ Chí Minh"
BANK_CSV = (
    "STT,Câu hỏi,A,B,C,D,Đáp án,Chủ đề,Giải thích\n"
    "1,Chủ tịch Hồ Chí Minh sinh năm nào?,1890,1891,1901,1911,A,{t},Người sinh ngày 19/5/1890 tại Nam Đàn.\n"
    "2,Bản Tuyên ngôn Độc lập được đọc ở đâu ngày 2/9/1945?,Quảng trường Ba Đình,Tân Trào,Pác Bó,"
    "Nhà hát Lớn Hà Nội,A,{t},Tại Quảng trường Ba Đình.\n"
    "3,Nguyễn Tất Thành ra đi tìm đường cứu nước năm nào?,1911,1917,1920,1930,A,{t},Ngày 5/6/1911 từ Bến Nhà Rồng.\n"
    "4,Đảng Cộng sản Việt Nam được thành lập năm nào?,1930,1925,1945,1951,A,{t},Ngày 3/2/1930.\n"
    "5,Năm 1941 Nguyễn Ái Quốc về nước ở đâu?,Pác Bó (Cao Bằng),Tân Trào,Hà Nội,Vinh,A,{t},Ngày 28/1/1941.\n"
    "6,Tác phẩm Đường Kách mệnh xuất bản năm nào?,1927,1925,1930,1941,A,{t},Năm 1927.\n"
).replace("{t}", TOPIC)
EXPLANATIONS = ("Nam Đàn", "Tại Quảng trường Ba Đình.", "Bến Nhà Rồng", "Ngày 3/2/1930.", "Ngày 28/1/1941.")
PREDICTION = "Dự đoán có bao nhiêu người trả lời đúng tất cả các câu hỏi?"


# --- builders shared with the browser tests ---------------------------------------------------------------------

def load_bank() -> None:
    """Six real questions on one topic, the first option (A) correct in the file (shuffled when drawn)."""
    import_bank(bank_name="Ngân hàng thử", filename="bank.csv", data=BANK_CSV.encode(), actor=None, now=utcnow(),
                limits=ImportLimits())
    db.session.commit()


def make_round(*, question_count: int = 5, time_limit: int = 600, grace: int = 10, max_attempts: int = 2,
               review: Review = Review.AFTER_SUBMIT, opens_in: timedelta = -timedelta(hours=1),
               closes_in: timedelta = timedelta(days=1)) -> Round:
    now = utcnow()
    contest = Contest(title="Tìm hiểu tư tưởng, đạo đức, phong cách Hồ Chí Minh", rules="Thể lệ thử.",
                      published=True, created_at=now)
    round_ = Round(position=1, name="Tuần 1", opens_at=now + opens_in, closes_at=now + closes_in,
                   question_count=question_count, time_limit_seconds=time_limit, grace_seconds=grace,
                   max_attempts=max_attempts, review=review, prediction_question=PREDICTION)
    round_.draw_rules = [DrawRule(position=1, topic=TOPIC, count=question_count)]
    contest.rounds = [round_]
    db.session.add(contest)
    db.session.commit()
    return round_


def answer_keys(attempt_id: int) -> tuple[dict[int, int], dict[int, int]]:
    """({question id: correct option id}, {question id: a wrong option id}) of an attempt's questions, in the ids
    the attempt shows."""
    return options_by_correctness(attempt_id)


def fresh(attempt_id: int) -> Attempt:
    db.session.expire_all()
    return db.session.get(Attempt, attempt_id)


def make_overdue(attempt_id: int, seconds_past_deadline: int) -> None:
    """Move an attempt back in time so that its deadline passed ``seconds_past_deadline`` seconds ago."""
    attempt = db.session.get(Attempt, attempt_id)
    deadline = utcnow() - timedelta(seconds=seconds_past_deadline)
    attempt.started_at, attempt.deadline_at = deadline - timedelta(minutes=10), deadline
    db.session.commit()


# --- fixtures ---------------------------------------------------------------------------------------------------

@pytest.fixture
def round_(app):
    load_bank()
    return make_round()


@pytest.fixture
def participant(make_user):
    return make_user(Role.PARTICIPANT, phone="0912345678", full_name="Trần Thị Thí Sinh")


@pytest.fixture
def player(login, participant):
    return login(participant)


def start(client, round_) -> int:
    response = client.post(f"/rounds/{round_.id}/start")
    assert response.status_code == 303, response.get_data(as_text=True)
    return int(re.fullmatch(r"/attempts/(\d+)", response.headers["Location"]).group(1))


def save(client, attempt_id, answers):
    return client.put(f"/attempts/{attempt_id}/answers", json={"answers": {str(q): o for q, o in answers.items()}})


# --- start ------------------------------------------------------------------------------------------------------

def test_the_start_page_shows_the_rules_and_a_start_button(player, round_):
    html = player.get(f"/rounds/{round_.id}/start").get_data(as_text=True)
    assert "Tuần 1" in html and "10 phút" in html and "0/2 lượt" in html and PREDICTION in html
    assert f'action="/rounds/{round_.id}/start"' in html and "Bắt đầu làm bài" in html


def test_the_contest_page_leads_to_the_start_page(player, round_):
    html = player.get(f"/contests/{round_.contest_id}").get_data(as_text=True)
    assert f'href="/rounds/{round_.id}/start">Vào thi</a>' in html


def test_anonymous_visitors_are_sent_to_sign_in(client, round_):
    response = client.get(f"/rounds/{round_.id}/start")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_staff_cannot_take_attempts(organizer_client, round_):
    assert organizer_client.post(f"/rounds/{round_.id}/start").status_code == 403


def test_starting_again_resumes_the_attempt_in_progress(player, round_):
    attempt_id = start(player, round_)
    assert start(player, round_) == attempt_id
    response = player.get(f"/rounds/{round_.id}/start")
    assert response.status_code == 302 and response.headers["Location"] == f"/attempts/{attempt_id}"


@pytest.mark.parametrize(("window", "status", "message"), [
    ((timedelta(hours=1), timedelta(days=1)), 403, "Đợt thi chưa mở."),
    ((-timedelta(days=2), -timedelta(days=1)), 409, "Đợt thi đã kết thúc."),
])
def test_a_round_that_is_not_open_refuses_with_the_reason(player, app, window, status, message):
    load_bank()
    round_ = make_round(opens_in=window[0], closes_in=window[1])
    page = player.get(f"/rounds/{round_.id}/start")
    assert page.status_code == status and message in page.get_data(as_text=True)
    assert f'action="/rounds/{round_.id}/start"' not in page.get_data(as_text=True)  # no start button
    refused = player.post(f"/rounds/{round_.id}/start", follow_redirects=True)
    assert refused.request.path == f"/contests/{round_.contest_id}" and message in refused.get_data(as_text=True)
    assert db.session.scalar(select(Attempt)) is None


def test_the_attempt_cap_is_explained(player, app):
    load_bank()
    round_ = make_round(max_attempts=1)
    player.post(f"/attempts/{start(player, round_)}/submit")
    page = player.get(f"/rounds/{round_.id}/start")
    assert page.status_code == 409 and "Bạn đã dùng hết 1 lượt thi của đợt này." in page.get_data(as_text=True)
    refused = player.post(f"/rounds/{round_.id}/start", follow_redirects=True)
    assert "Bạn đã dùng hết 1 lượt thi của đợt này." in refused.get_data(as_text=True)
    assert len(db.session.scalars(select(Attempt)).all()) == 1


def test_an_unknown_or_unpublished_round_is_not_found(player, round_):
    assert player.get("/rounds/9999/start").status_code == 404
    round_.contest.published = False
    db.session.commit()
    assert player.post(f"/rounds/{round_.id}/start").status_code == 404


# --- the answer sheet -------------------------------------------------------------------------------------------

def test_the_sheet_shows_every_question_in_the_attempts_order_without_the_answers(player, round_):
    attempt_id = start(player, round_)
    response = player.get(f"/attempts/{attempt_id}")
    html = response.get_data(as_text=True)
    assert response.headers["Cache-Control"] == "no-store"
    drawn = db.session.execute(select(AttemptQuestion.question_id, AttemptQuestion.shown_option_ids)
                               .where(AttemptQuestion.attempt_id == attempt_id)
                               .order_by(AttemptQuestion.position)).all()
    shown = re.findall(r'<input type="radio" name="q(\d+)" value="(\d+)">', html)
    assert shown == [(str(q), o) for q, order in drawn for o in order.split(",")]
    assert html.count("<fieldset") == 5 and html.count("<legend>") == 5
    assert "Câu 1/5" in html and PREDICTION in html and 'name="prediction"' in html
    # Nothing tells the correct option apart: every radio is the same bare tag, no explanation, no hint.
    assert len(re.findall(r"<input[^>]*radio[^>]*>", html)) == len(shown)
    for explanation in EXPLANATIONS:
        assert explanation not in html
    assert "correct" not in html.lower() and "Đáp án đúng" not in html
    assert "<script>" not in html and 'src="/static/attempt.js"' in html


def test_the_sheet_shows_the_servers_remaining_time(player, round_):
    attempt_id = start(player, round_)
    html = player.get(f"/attempts/{attempt_id}").get_data(as_text=True)
    remaining = int(re.search(r'data-remaining-ms="(\d+)"', html).group(1))
    assert 595_000 < remaining <= 600_000
    assert re.search(r'<time id="attempt-timer"[^>]*>(10:00|09:5\d)</time>', html)


def test_saved_answers_come_back_checked_and_marked_in_the_navigator(player, round_):
    attempt_id = start(player, round_)
    right, wrong = answer_keys(attempt_id)
    first, second = list(right)[:2]
    assert save(player, attempt_id, {first: right[first], second: wrong[second]}).status_code == 200
    html = player.get(f"/attempts/{attempt_id}").get_data(as_text=True)
    assert f'name="q{first}" value="{right[first]}" checked>' in html
    assert f'name="q{second}" value="{wrong[second]}" checked>' in html
    assert html.count(" checked>") == 2
    assert html.count('class="answered"') == 2 and html.count('class="unanswered"') == 3


def test_someone_elses_attempt_does_not_exist_for_them(client, round_, make_user, login, participant):
    attempt = start_or_resume(round_.id, participant.id, now=utcnow(), rng=random.Random(1))
    db.session.commit()
    login(make_user(Role.PARTICIPANT, phone="0987654321"))
    for method, path in (("get", ""), ("get", "/result"), ("post", "/submit"), ("post", "/answers")):
        assert getattr(client, method)(f"/attempts/{attempt.id}{path}").status_code == 404, path
    response = save(client, attempt.id, {})
    assert response.status_code == 404 and response.json["error"]["code"] == "attempt_not_found"
    assert fresh(attempt.id).status is AttemptStatus.IN_PROGRESS


# --- saving -----------------------------------------------------------------------------------------------------

def test_a_choice_is_saved_at_once_and_the_answer_says_the_time_left(player, round_):
    attempt_id = start(player, round_)
    right, _ = answer_keys(attempt_id)
    question = next(iter(right))
    response = save(player, attempt_id, {question: right[question]})
    assert response.status_code == 200 and response.json["saved"] == 1
    assert 590_000 < response.json["remaining_ms"] <= 600_000
    assert saved(attempt_id) == {question: right[question]}


def test_an_option_of_another_question_is_refused_and_nothing_is_saved(player, round_):
    attempt_id = start(player, round_)
    right, _ = answer_keys(attempt_id)
    first, second = list(right)[:2]
    response = save(player, attempt_id, {first: right[first], second: right[first]})
    assert response.status_code == 422 and response.json["error"]["code"] == "unknown_option"
    assert "không thuộc câu hỏi" in response.json["error"]["message"]
    assert db.session.scalar(select(AttemptQuestion).where(AttemptQuestion.chosen_option_id.is_not(None))) is None


@pytest.mark.parametrize("body", [{"answers": [1, 2]}, {}, "không phải JSON"])
def test_a_malformed_save_is_a_clear_json_error(player, round_, body):
    attempt_id = start(player, round_)
    response = player.put(f"/attempts/{attempt_id}/answers", json=body)
    assert response.status_code == 422 and response.json["error"]["code"] == "invalid_answers"


def test_saving_when_signed_out_answers_json(client, round_):
    response = client.put("/attempts/1/answers", json={"answers": {}})
    assert response.status_code == 401 and response.json["error"]["code"] == "unauthorized"


def test_saving_after_the_deadline_and_grace_is_refused_and_the_attempt_closes(player, round_):
    attempt_id = start(player, round_)
    right, wrong = answer_keys(attempt_id)
    first, second = list(right)[:2]
    save(player, attempt_id, {first: right[first]})
    make_overdue(attempt_id, seconds_past_deadline=11)  # the round's grace is 10 s
    response = save(player, attempt_id, {second: right[second]})
    assert response.status_code == 409 and response.json["error"]["code"] == "attempt_closed"
    assert response.json["error"]["result_url"] == f"/attempts/{attempt_id}/result"
    closed = fresh(attempt_id)
    assert closed.status is AttemptStatus.EXPIRED and closed.correct_count == 1


def test_a_late_answer_within_the_grace_is_still_saved(player, round_):
    attempt_id = start(player, round_)
    right, _ = answer_keys(attempt_id)
    question = next(iter(right))
    make_overdue(attempt_id, seconds_past_deadline=5)
    response = save(player, attempt_id, {question: right[question]})
    assert response.status_code == 200 and response.json["remaining_ms"] == 0


def test_the_save_button_without_javascript_keeps_the_answers(player, round_):
    attempt_id = start(player, round_)
    right, wrong = answer_keys(attempt_id)
    first, second = list(right)[:2]
    response = player.post(f"/attempts/{attempt_id}/answers",
                           data={f"q{first}": right[first], f"q{second}": wrong[second]}, follow_redirects=True)
    assert response.request.path == f"/attempts/{attempt_id}" and "Đã lưu 2 câu trả lời." in response.text
    assert fresh(attempt_id).status is AttemptStatus.IN_PROGRESS
    assert response.text.count(" checked>") == 2


# --- submitting and the result ------------------------------------------------------------------------------------

def test_submitting_the_form_scores_the_attempt_and_shows_the_result(player, round_):
    attempt_id = start(player, round_)
    right, wrong = answer_keys(attempt_id)
    q1, q2, q3 = list(right)[:3]
    save(player, attempt_id, {q3: right[q3]})  # saved earlier and not in the final form: still counts
    response = player.post(f"/attempts/{attempt_id}/submit",
                           data={f"q{q1}": right[q1], f"q{q2}": wrong[q2], "prediction": "1234"})
    assert response.status_code == 303 and response.headers["Location"] == f"/attempts/{attempt_id}/result"
    attempt = fresh(attempt_id)
    assert attempt.status is AttemptStatus.SUBMITTED and attempt.correct_count == 2 and attempt.prediction == 1234
    html = player.get(f"/attempts/{attempt_id}/result").get_data(as_text=True)
    assert "2/5" in html and "Bạn đã nộp bài lúc" in html and "1234" in html
    seconds = (attempt.duration_ms + 500) // 1000  # to the nearest second, minutes:seconds as everywhere
    assert f"{seconds // 60}:{seconds % 60:02d}</time>" in html
    # the finished sheet is no longer offered
    assert player.get(f"/attempts/{attempt_id}").headers["Location"] == f"/attempts/{attempt_id}/result"


def test_submitting_twice_gives_the_same_result_and_changes_nothing(player, round_):
    attempt_id = start(player, round_)
    right, wrong = answer_keys(attempt_id)
    q1 = next(iter(right))
    player.post(f"/attempts/{attempt_id}/submit", data={f"q{q1}": right[q1], "prediction": "7"})
    before = fresh(attempt_id)
    snapshot = (before.correct_count, before.duration_ms, before.submitted_at, before.prediction)
    again = player.post(f"/attempts/{attempt_id}/submit", data={f"q{q1}": wrong[q1], "prediction": "8"})
    assert again.status_code == 303 and again.headers["Location"] == f"/attempts/{attempt_id}/result"
    after = fresh(attempt_id)
    assert (after.correct_count, after.duration_ms, after.submitted_at, after.prediction) == snapshot == (
        1, snapshot[1], snapshot[2], 7)
    assert save(player, attempt_id, {q1: wrong[q1]}).status_code == 409


def test_a_prediction_that_is_not_a_whole_number_keeps_the_participant_on_the_sheet(player, round_):
    attempt_id = start(player, round_)
    right, _ = answer_keys(attempt_id)
    q1 = next(iter(right))
    response = player.post(f"/attempts/{attempt_id}/submit", data={f"q{q1}": right[q1], "prediction": "-3"})
    assert response.status_code == 422
    assert "Số dự đoán phải là số nguyên không âm." in response.text
    assert f'name="q{q1}" value="{right[q1]}" checked>' in response.text
    attempt = fresh(attempt_id)
    assert attempt.status is AttemptStatus.IN_PROGRESS
    assert saved(attempt_id) == {q1: right[q1]}


def test_an_expired_attempt_shows_its_result_with_the_saved_answers(player, round_):
    attempt_id = start(player, round_)
    right, _ = answer_keys(attempt_id)
    q1, q2 = list(right)[:2]
    save(player, attempt_id, {q1: right[q1], q2: right[q2]})
    make_overdue(attempt_id, seconds_past_deadline=60)
    response = player.get(f"/attempts/{attempt_id}")
    assert response.headers["Location"] == f"/attempts/{attempt_id}/result"
    html = player.get(f"/attempts/{attempt_id}/result").get_data(as_text=True)
    assert "Hết giờ: bài được nộp tự động" in html and "2/5" in html
    assert fresh(attempt_id).status is AttemptStatus.EXPIRED
    late = player.post(f"/attempts/{attempt_id}/submit", data={"prediction": "5"})
    assert late.headers["Location"] == f"/attempts/{attempt_id}/result" and fresh(attempt_id).correct_count == 2


def test_the_result_of_an_attempt_in_progress_is_the_sheet(player, round_):
    attempt_id = start(player, round_)
    response = player.get(f"/attempts/{attempt_id}/result")
    assert response.status_code == 302 and response.headers["Location"] == f"/attempts/{attempt_id}"


def test_review_after_submit_shows_chosen_and_correct_options_and_explanations(player, app):
    load_bank()
    round_ = make_round(max_attempts=1)
    attempt_id = start(player, round_)
    right, wrong = answer_keys(attempt_id)
    q1 = next(iter(right))
    player.post(f"/attempts/{attempt_id}/submit", data={f"q{q1}": wrong[q1]})
    html = player.get(f"/attempts/{attempt_id}/result").get_data(as_text=True)
    assert html.count("Đáp án đúng") == 5 and html.count("Bạn chọn") == 1
    assert html.count("Chưa trả lời") == 4 and "Sai" in html
    assert sum(explanation in html for explanation in EXPLANATIONS + ("Năm 1927.",)) == 5


def test_with_attempts_left_the_review_shows_the_choices_but_not_the_key(player, round_):
    """``after_submit`` with two attempts: after the first, the participant sees what they chose and their score,
    not which option was right (it would answer the second attempt); after the second, the key."""
    attempt_id = start(player, round_)
    right, wrong = answer_keys(attempt_id)
    q1, q2 = list(right)[:2]
    player.post(f"/attempts/{attempt_id}/submit", data={f"q{q1}": wrong[q1], f"q{q2}": right[q2]})
    html = player.get(f"/attempts/{attempt_id}/result").get_data(as_text=True)
    assert "1/5" in html and html.count("Bạn chọn") == 2 and html.count("Đã trả lời") == 2
    assert "Đáp án đúng" not in html and not re.search(r"\bSai\b", html) and "is-correct" not in html
    assert "sau lượt thi cuối cùng của bạn" in html
    for explanation in EXPLANATIONS + ("Năm 1927.",):
        assert explanation not in html
    second = start(player, round_)
    player.post(f"/attempts/{second}/submit", data={})
    html = player.get(f"/attempts/{attempt_id}/result").get_data(as_text=True)
    assert html.count("Đáp án đúng") == 5 and "Sai" in html


@pytest.mark.parametrize(("review", "sentence"), [
    (Review.AFTER_CLOSE, "Đáp án và giải thích sẽ được công bố sau khi đợt thi kết thúc"),
    (Review.NEVER, "Ban tổ chức không công bố đáp án của đợt thi này."),
])
def test_without_review_the_result_says_when_it_comes(player, app, review, sentence):
    load_bank()
    round_ = make_round(review=review)
    attempt_id = start(player, round_)
    html = player.post(f"/attempts/{attempt_id}/submit", follow_redirects=True).get_data(as_text=True)
    assert sentence in html and "Đáp án đúng" not in html
    for explanation in EXPLANATIONS:
        assert explanation not in html


def test_the_result_offers_another_attempt_while_some_are_left(player, round_):
    attempt_id = start(player, round_)
    html = player.post(f"/attempts/{attempt_id}/submit", follow_redirects=True).get_data(as_text=True)
    assert "Thi lượt mới" in html and "1/2 lượt" in html
    second = start(player, round_)
    html = player.post(f"/attempts/{second}/submit", follow_redirects=True).get_data(as_text=True)
    assert "Thi lượt mới" not in html and "2/2 lượt" in html


# --- CSRF -------------------------------------------------------------------------------------------------------

class TestWithCsrf:
    @pytest.fixture
    def settings(self, settings):
        return {**settings, "WTF_CSRF_ENABLED": True}

    @pytest.fixture
    def attempt_id(self, client, round_, participant):
        attempt = start_or_resume(round_.id, participant.id, now=utcnow(), rng=random.Random(3))
        db.session.commit()
        with client.session_transaction() as session:  # signed in without posting the sign-in form
            session["_user_id"] = participant.get_id()
            session["_fresh"] = True
        return attempt.id

    def test_the_json_save_needs_the_token_from_the_page(self, client, attempt_id):
        right, _ = answer_keys(attempt_id)
        question = next(iter(right))
        refused = save(client, attempt_id, {question: right[question]})
        assert refused.status_code == 400 and refused.json["error"]["code"] == "csrf"
        html = client.get(f"/attempts/{attempt_id}").get_data(as_text=True)
        token = re.search(r'<meta name="csrf-token" content="([^"]+)">', html).group(1)
        accepted = client.put(f"/attempts/{attempt_id}/answers", headers={"X-CSRFToken": token},
                              json={"answers": {str(question): right[question]}})
        assert accepted.status_code == 200 and accepted.json["saved"] == 1

    def test_forms_without_the_token_change_nothing(self, client, attempt_id):
        response = client.post(f"/attempts/{attempt_id}/submit")
        assert response.status_code == 400 and "tải lại trang" in response.get_data(as_text=True)
        assert fresh(attempt_id).status is AttemptStatus.IN_PROGRESS
