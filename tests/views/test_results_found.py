"""Results people can find: the contest page, the home page and the result page link to a round's ranking once it
closes and to its winners once it is finalized; a winner sees their prize; "Kết quả của tôi" lists every round a
participant entered, with nothing from which the prediction's answer could be worked out while a round is open
(rule 12); one way of writing a duration everywhere."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from quizapp.extensions import db
from quizapp.models import AttemptStatus, Role, Unit
from quizapp.models.types import utcnow
from quizapp.services.results import finalize_round
from quizapp.views.contests import duration_text
from tests.services.test_attempts import statements
from tests.services.test_standings import entry, make_contest, make_units, person

RANKING, WINNERS = "/rounds/{}/leaderboard", "/rounds/{}/winners"


def page(client, path: str) -> str:
    response = client.get(path)
    assert response.status_code == 200, (path, response.status_code)
    return response.get_data(as_text=True)


def text_of(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def contest_with(closes_in: timedelta, *, title: str = "Tìm hiểu tư tưởng Hồ Chí Minh", rounds: int = 1):
    """A contest whose last round closes in ``closes_in`` (negative: closed), with two other entrants: An (9
    correct) and Bình (7)."""
    contest = make_contest(closes_at=utcnow() + closes_in, title=title, rounds=rounds,
                           tiers=(("Giải Nhất", 1), ("Giải Nhì", 1)))
    units = {unit.code: unit for unit in db.session.scalars(select(Unit))} or make_units()
    for round_ in contest.rounds:
        entry(round_, person("Nguyễn Văn An", units["HN-HK"]), 9, seconds=100, prediction=3)
        entry(round_, person("Trần Thị Bình", units["HN-HK"]), 7, seconds=120, prediction=1)
    return contest


@pytest.fixture
def me(make_user):
    return make_user(Role.PARTICIPANT, phone="0900044444", full_name="Phạm Thu Dung")


def finalize(round_, make_user):
    finalize_round(round_, actor=make_user(Role.JUDGE), now=utcnow())
    db.session.commit()


# --- one way of writing a duration -----------------------------------------------------------------------------

@pytest.mark.parametrize(("milliseconds", "shown"), [
    (None, ""), (0, "0:00"), (499, "0:00"), (500, "0:01"), (9_000, "0:09"), (125_500, "2:06"), (354_000, "5:54"),
    (354_499, "5:54"), (600_000, "10:00"), (3_599_499, "59:59"), (3_599_500, "1:00:00"), (3_723_000, "1:02:03"),
    (36_000_000, "10:00:00"),
])
def test_a_duration_is_written_minutes_seconds_to_the_nearest_second(milliseconds, shown):
    assert duration_text(milliseconds) == shown


def test_no_public_page_shows_tenths_of_a_second(client, app, make_user):
    contest = contest_with(-timedelta(days=1))
    round_ = contest.rounds[0]
    entry(round_, person("Lê Văn Chi"), 5, seconds=65.55)
    finalize(round_, make_user)
    for path in (RANKING.format(round_.id), WINNERS.format(round_.id)):
        html = text_of(page(client, path))
        assert "1:40" in html and not re.search(r"\d+[,.]\d+ giây|\d:\d\d[,.]\d", html), path
    assert "1:06" in text_of(page(client, RANKING.format(round_.id)))  # 65.55 s


# --- links to the results -------------------------------------------------------------------------------------

def test_an_open_round_links_to_no_results_anywhere(client, app):
    contest = contest_with(timedelta(days=2))
    round_id = contest.rounds[0].id
    for path in ("/", f"/contests/{contest.id}"):
        html = page(client, path)
        assert RANKING.format(round_id) not in html and WINNERS.format(round_id) not in html


def test_a_round_still_taking_its_last_answers_links_to_nothing_yet(client, app):
    """Closed 3 seconds ago with a 10-second grace: its ranking is not public yet (rule 12)."""
    contest = contest_with(-timedelta(seconds=3))
    assert RANKING.format(contest.rounds[0].id) not in page(client, f"/contests/{contest.id}")


def test_a_closed_round_links_to_its_ranking_and_a_finalized_one_to_its_winners(client, app, make_user):
    contest = contest_with(-timedelta(days=1), rounds=2)
    first, last = contest.rounds
    finalize(first, make_user)
    html = page(client, f"/contests/{contest.id}")
    assert RANKING.format(first.id) in html and WINNERS.format(first.id) in html
    assert RANKING.format(last.id) in html and WINNERS.format(last.id) not in html
    assert "Xem danh sách đoạt giải" in html and "Xem bảng xếp hạng" in html
    home = page(client, "/")
    # the home page names the latest round with results: its ranking (not finalized, so no winners yet)
    assert "Bảng xếp hạng Tuần 2" in home and RANKING.format(last.id) in home
    assert WINNERS.format(last.id) not in home
    finalize(last, make_user)
    home = page(client, "/")
    assert "Danh sách đoạt giải Tuần 2" in home and WINNERS.format(last.id) in home


def test_a_winner_sees_their_prize_on_the_contest_and_result_pages(client, app, make_user, login, me):
    contest = contest_with(-timedelta(days=1))
    round_ = contest.rounds[0]
    mine = entry(round_, me, 8, seconds=90, prediction=0)  # between An (9) and Bình (7): second place
    finalize(round_, make_user)
    login(me)
    assert "Chúc mừng! Bạn đạt Giải Nhì (hạng 2)." in text_of(page(client, f"/contests/{contest.id}"))
    result = page(client, f"/attempts/{mine.id}/result")
    assert "Chúc mừng! Bạn đạt Giải Nhì (hạng 2)." in text_of(result)
    assert RANKING.format(round_.id) in result and WINNERS.format(round_.id) in result
    assert "/my-results" in result


def test_someone_without_a_prize_sees_their_place(client, app, make_user, login, me):
    contest = contest_with(-timedelta(days=1))
    round_ = contest.rounds[0]
    mine = entry(round_, me, 2, seconds=90)
    finalize(round_, make_user)
    login(me)
    html = text_of(page(client, f"/attempts/{mine.id}/result"))
    assert "Bạn xếp hạng 3." in html and "Chúc mừng" not in html


def test_the_result_page_of_an_open_round_links_to_no_results_and_gives_no_place(client, app, login, me):
    contest = contest_with(timedelta(days=2))
    round_ = contest.rounds[0]
    mine = entry(round_, me, 8)
    login(me)
    html = page(client, f"/attempts/{mine.id}/result")
    assert RANKING.format(round_.id) not in html and WINNERS.format(round_.id) not in html
    assert "Bạn xếp hạng" not in html and "Chúc mừng" not in html


# --- "Kết quả của tôi" ----------------------------------------------------------------------------------------

def test_my_results_is_for_signed_in_participants_and_linked_from_their_header(client, app, make_user, login, me):
    assert client.get("/my-results").status_code == 302  # to the sign-in page
    assert "/my-results" not in page(client, "/")
    login(make_user(Role.ORGANIZER))
    assert "/my-results" not in page(client, "/") and client.get("/my-results").status_code == 403
    client.post("/logout")
    login(me)
    assert "/my-results" in page(client, "/")
    assert "Bạn chưa dự thi đợt thi nào." in page(client, "/my-results")


def test_while_a_round_is_open_my_results_are_my_own_only(client, app, login, me):
    """Rule 12: my attempts and best result, no place, no count of anyone else, no prediction answer."""
    contest = contest_with(timedelta(days=2))
    round_ = contest.rounds[0]
    entry(round_, me, 6, seconds=80, prediction=12)
    entry(round_, me, 6, seconds=70)
    entry(round_, me, 0, status=AttemptStatus.IN_PROGRESS)
    login(me)
    html = page(client, "/my-results")
    text = text_of(html)
    assert contest.title in text and "Tuần 1" in text and "Đang mở" in text
    assert "Kết quả cao nhất của bạn: 6/10 câu đúng, thời gian 1:10." in text
    assert "Thứ hạng được công bố khi đợt thi kết thúc" in text and "Tiếp tục làm bài" in text
    assert text.count("Đã nộp bài") == 2 and "Đang làm bài" in text
    for secret in ("Nguyễn V. A.", "9/10", "7/10", "Hạng", "hạng 1", "người", "Đáp án câu hỏi dự đoán", "Độ lệch",
                   RANKING.format(round_.id), WINNERS.format(round_.id)):
        assert secret not in html, secret
    assert html.count('class="best"') == 1 and re.search(r'<tr class="best">\s*<td class="num">2</td>', html)


def test_after_the_finalization_my_results_show_my_place_prize_and_the_links(client, app, make_user, login, me):
    contest = contest_with(-timedelta(days=1))
    round_ = contest.rounds[0]
    entry(round_, me, 10, seconds=200, prediction=5)
    entry(round_, me, 4, seconds=50)
    finalize(round_, make_user)
    login(me)
    html = page(client, "/my-results")
    text = text_of(html)
    assert "Chúc mừng! Bạn đạt Giải Nhất (hạng 1)." in text and "Đã có kết quả" in text
    assert "Kết quả cao nhất của bạn: 10/10 câu đúng, thời gian 3:20." in text
    assert RANKING.format(round_.id) in html and WINNERS.format(round_.id) in html


def test_a_closed_round_not_yet_finalized_links_to_its_ranking_without_a_place(client, app, login, me):
    contest = contest_with(-timedelta(days=1))
    round_ = contest.rounds[0]
    entry(round_, me, 10)
    login(me)
    html = page(client, "/my-results")
    assert RANKING.format(round_.id) in html and WINNERS.format(round_.id) not in html
    assert "Ban Giám khảo chưa chốt kết quả" in html and "Chúc mừng" not in html


def test_my_results_span_contests_newest_first_and_leave_out_unpublished_ones(client, app, login, me):
    older = contest_with(-timedelta(days=30), title="Cuộc thi năm trước")
    newer = contest_with(timedelta(days=2), title="Cuộc thi năm nay")
    hidden = contest_with(timedelta(days=2), title="Cuộc thi nháp")
    entry(older.rounds[0], me, 3)
    entry(newer.rounds[0], me, 5, at=timedelta(days=4))
    entry(hidden.rounds[0], me, 5)
    hidden.published = False
    db.session.commit()
    login(me)
    html = page(client, "/my-results")
    assert html.index("Cuộc thi năm nay") < html.index("Cuộc thi năm trước") and "Cuộc thi nháp" not in html


def test_my_results_cost_the_same_queries_for_one_round_or_many(client, app, make_user, login, me):
    def queries() -> int:
        with statements() as seen:
            page(client, "/my-results")
        return len(seen)

    login(me)
    first = contest_with(-timedelta(days=1))
    entry(first.rounds[0], me, 3)
    finalize(first.rounds[0], make_user)
    one = queries()
    for n in range(3):
        contest = contest_with(-timedelta(days=1), title=f"Cuộc thi {n}", rounds=2)
        for round_ in contest.rounds:
            entry(round_, me, 4)
        finalize(contest.rounds[0], make_user)
    assert queries() == one


# --- a result closed by the organizer's closing of the round ----------------------------------------------------

def test_an_attempt_ended_by_the_organizers_close_says_so(client, app, make_user, login, me):
    from quizapp.services.attempt_closing import close_round

    contest = contest_with(timedelta(days=2))
    round_ = contest.rounds[0]
    running = entry(round_, me, 0, status=AttemptStatus.IN_PROGRESS)
    running.deadline_at = utcnow() + timedelta(minutes=5)
    db.session.commit()
    close_round(round_, actor=make_user(Role.ORGANIZER), now=utcnow())
    db.session.commit()
    login(me)
    html = text_of(page(client, f"/attempts/{running.id}/result"))
    assert "Ban tổ chức đã kết thúc đợt thi lúc" in html and "Hết giờ" not in html
    assert "Đợt thi kết thúc sớm (đã lưu bài)" in text_of(page(client, f"/contests/{contest.id}"))
    assert "Đợt thi kết thúc sớm (đã lưu bài)" in text_of(page(client, "/my-results"))


def test_an_attempt_that_ran_out_of_time_still_says_hết_giờ(client, app, login, me):
    contest = contest_with(timedelta(days=2))
    round_ = contest.rounds[0]
    expired = entry(round_, me, 4, status=AttemptStatus.EXPIRED)
    expired.submitted_at = expired.deadline_at
    db.session.commit()
    login(me)
    html = text_of(page(client, f"/attempts/{expired.id}/result"))
    assert "Hết giờ: bài được nộp tự động" in html and "Ban tổ chức đã kết thúc" not in html
