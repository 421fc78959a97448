"""The public contest pages: the list, one contest with its rules and rounds, countdowns and own results."""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone

import pytest
from flask import url_for

from quizapp.extensions import db
from quizapp.models import Attempt, AttemptStatus, Contest, PrizeKind, PrizeTier, Round
from quizapp.models.types import utcnow
from quizapp.views.contests import remaining_text

VN = timezone(timedelta(hours=7))
DAY = timedelta(days=1)


def make_contest(title: str, *windows: tuple[datetime, datetime], rules: str = "", published: bool = True,
                 **columns) -> Contest:
    contest = Contest(title=title, rules=rules, published=published, created_at=utcnow())
    db.session.add(contest)
    db.session.flush()
    for position, (opens, closes) in enumerate(windows, start=1):
        db.session.add(Round(contest_id=contest.id, position=position, name=f"Tuần {position}", opens_at=opens,
                             closes_at=closes, question_count=20, time_limit_seconds=900, **columns))
    db.session.commit()
    return contest


def countdowns(html: str) -> list[tuple[int, str]]:
    """(data-seconds, the text the server rendered) of every countdown on the page."""
    return [(int(seconds), text) for seconds, text in
            re.findall(r'<time class="countdown"[^>]*data-seconds="(-?\d+)"[^>]*>([^<]*)</time>', html)]


def test_list_shows_open_upcoming_and_past_contests_in_vietnamese(client):
    now = utcnow()
    make_contest("Cuộc thi đang mở", (now - DAY, now + 3 * DAY))
    make_contest("Cuộc thi sắp mở", (now + 2 * DAY, now + 9 * DAY))
    make_contest("Cuộc thi đã xong", (now - 9 * DAY, now - 2 * DAY))
    make_contest("Cuộc thi nháp", (now - DAY, now + DAY), published=False)
    html = client.get("/contests").get_data(as_text=True)
    assert html.index("Đang diễn ra") < html.index("Cuộc thi đang mở") < html.index("Sắp diễn ra") \
        < html.index("Cuộc thi sắp mở") < html.index("Đã kết thúc") < html.index("Cuộc thi đã xong")
    assert "Cuộc thi nháp" not in html
    assert "Đang mở" in html and "Sắp mở" in html and "Đã đóng" in html
    (to_close, to_open) = countdowns(html)
    assert abs(to_close[0] - 3 * 86400) < 60 and abs(to_open[0] - 2 * 86400) < 60
    assert 'src="/static/countdown.js"' in html


def test_the_home_page_is_the_contest_list(client):
    make_contest("Cuộc thi đang mở", (utcnow() - DAY, utcnow() + DAY))
    response = client.get("/")
    assert response.status_code == 200 and "Cuộc thi đang mở" in response.get_data(as_text=True)


def test_an_empty_list_says_so(client):
    assert "Hiện không có cuộc thi nào đang diễn ra." in client.get("/contests").get_data(as_text=True)


def test_contest_page_shows_rules_windows_in_vietnam_time_status_and_countdown(client):
    rules = "I. ĐỐI TƯỢNG\nMọi công dân.\n\nII. <b>HÌNH THỨC</b>\nThi trực tuyến."
    contest = make_contest("Tìm hiểu tư tưởng Hồ Chí Minh",
                           (datetime(2030, 11, 23, tzinfo=VN), datetime(2030, 11, 30, tzinfo=VN)), rules=rules,
                           max_attempts=3)
    db.session.add(PrizeTier(contest_id=contest.id, round_id=contest.rounds[0].id, kind=PrizeKind.INDIVIDUAL,
                             position=1, name="Giải Nhất", count=1))
    db.session.commit()
    html = client.get(f"/contests/{contest.id}").get_data(as_text=True)
    assert "Thể lệ" in html
    assert "<p>I. ĐỐI TƯỢNG<br>Mọi công dân.</p>" in html
    assert "II. &lt;b&gt;HÌNH THỨC&lt;/b&gt;<br>" in html
    assert "00:00 23/11/2030 – 00:00 30/11/2030" in html
    assert "Sắp mở" in html and "Mở sau:" in html
    assert "20 câu hỏi" in html and "15 phút" in html and "tối đa 3 lượt" in html and "Giải Nhất (1)" in html
    ((seconds, text),) = countdowns(html)
    expected = (datetime(2030, 11, 23, tzinfo=VN) - utcnow()).total_seconds()
    assert abs(seconds - expected) < 60 and text == remaining_text(seconds) and "ngày" in text
    assert "<script>" not in html and "onclick" not in html


def test_an_open_round_counts_down_to_its_close_and_a_closed_one_has_no_countdown(client):
    now = utcnow()
    contest = make_contest("C", (now - 3 * DAY, now - DAY), (now - DAY, now + timedelta(hours=2)))
    html = client.get(f"/contests/{contest.id}").get_data(as_text=True)
    assert "Đã đóng" in html and "Đang mở" in html and "Còn lại:" in html
    ((seconds, text),) = countdowns(html)
    assert abs(seconds - 7200) < 60 and re.fullmatch(r"0[12]:\d\d:\d\d", text)


def test_a_round_closed_early_shows_as_closed(client):
    now = utcnow()
    contest = make_contest("C", (now - DAY, now + DAY))
    contest.rounds[0].closed_at = now - timedelta(minutes=5)
    db.session.commit()
    html = client.get(f"/contests/{contest.id}").get_data(as_text=True)
    assert "Đã đóng" in html and countdowns(html) == []


@pytest.mark.parametrize("path", ["/contests/999999", "/contests/abc"])
def test_unknown_contest_is_a_404_page(client, path):
    response = client.get(path)
    assert response.status_code == 404 and "Không tìm thấy" in response.get_data(as_text=True)


def test_an_unpublished_contest_is_not_public(client):
    contest = make_contest("Nháp", (utcnow() - DAY, utcnow() + DAY), published=False)
    assert client.get(f"/contests/{contest.id}").status_code == 404


def test_a_signed_in_participant_sees_their_attempts_and_results(client, make_user, login):
    now = utcnow()
    contest = make_contest("C", (now - DAY, now + DAY), max_attempts=3)
    me, someone = make_user(), make_user()
    round_id = contest.rounds[0].id
    db.session.add_all([
        Attempt(round_id=round_id, user_id=me.id, number=1, status=AttemptStatus.SUBMITTED, started_at=now,
                deadline_at=now + timedelta(minutes=15), submitted_at=now + timedelta(minutes=5),
                duration_ms=312_345, question_count=20, correct_count=17),
        Attempt(round_id=round_id, user_id=someone.id, number=1, status=AttemptStatus.SUBMITTED, started_at=now,
                deadline_at=now + timedelta(minutes=15), submitted_at=now, duration_ms=1000, question_count=20,
                correct_count=3),
    ])
    db.session.commit()
    assert "Kết quả của bạn" not in client.get(f"/contests/{contest.id}").get_data(as_text=True)
    html = login(me).get(f"/contests/{contest.id}").get_data(as_text=True)
    assert "Kết quả của bạn" in html and "Bạn đã thi 1/3 lượt." in html
    assert "17/20" in html and "5:12" in html and "Đã nộp bài" in html
    assert "3/20" not in html


def test_the_start_button_appears_for_open_rounds_only(app, client, make_user, login):
    now = utcnow()
    contest = make_contest("C", (now - DAY, now + DAY), (now + DAY, now + 2 * DAY))
    with app.test_request_context():
        link = url_for("play.start", round_id=contest.rounds[0].id)
    html = client.get(f"/contests/{contest.id}").get_data(as_text=True)
    assert html.count("Vào thi") == 1 and f'href="{link}"' in html

    me = make_user()
    attempt = Attempt(round_id=contest.rounds[0].id, user_id=me.id, number=1, status=AttemptStatus.IN_PROGRESS,
                      started_at=now, deadline_at=now + timedelta(minutes=15), question_count=20)
    db.session.add(attempt)
    db.session.commit()
    html = login(me).get(f"/contests/{contest.id}").get_data(as_text=True)
    assert "Tiếp tục làm bài" in html and "Vào thi" not in html and f'href="{link}"' in html
    attempt.status, attempt.submitted_at, attempt.duration_ms, attempt.correct_count = \
        AttemptStatus.SUBMITTED, now, 60_000, 20
    db.session.commit()
    html = client.get(f"/contests/{contest.id}").get_data(as_text=True)
    assert "Bạn đã dùng hết số lượt thi của đợt này." in html and f'href="{link}"' not in html


def test_countdown_script_is_served_and_english_is_available(client):
    make_contest("C", (utcnow() - DAY, utcnow() + DAY))
    script = client.get("/static/countdown.js")
    assert script.status_code == 200 and b"data-seconds" in script.data
    script.close()
    assert client.get("/contests?lang=en").status_code == 200
