"""The public leaderboard and winners pages: masked, cached, with "my place" for a signed-in participant, and
nothing from which the prediction's answer could be worked out while the round is open (rule 12)."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from quizapp.extensions import db
from quizapp.models import PredictionAnswer, Role
from quizapp.models.types import utcnow
from quizapp.services.results import finalize_round
from tests.services.test_standings import entry, make_contest, make_units, person

PEOPLE = (("Nguyễn Văn An", 9, "0900011111", 3), ("Trần Thị Bình", 7, "0900022222", 1),
          ("Lê Văn Chi", 5, "0900033333", None))
HIDDEN = "Bảng xếp hạng được công bố khi đợt thi kết thúc"


def round_with_entries(*, closes_in: timedelta, prediction: PredictionAnswer | None = PredictionAnswer.PERFECT_SCORES):
    """A round closing in ``closes_in`` (negative: closed): An (9 correct, predicted 3) leads Bình (7, predicted 1)
    and Chi (5, no prediction), each in 2 min 5.5 s."""
    units = make_units()
    round_ = make_contest(closes_at=utcnow() + closes_in, tiers=(("Giải Nhất", 1),), prediction=prediction).rounds[0]
    for name, correct, phone, guess in PEOPLE:
        entry(round_, person(name, units["HN-HK"], phone=phone, email=f"{phone}@example.test"), correct,
              seconds=125.5, prediction=guess)
    return round_


@pytest.fixture
def live(app):
    """An open round whose prediction answer is counted (perfect scores), with three entries."""
    return round_with_entries(closes_in=timedelta(days=3))


@pytest.fixture
def closed(app):
    """The same round, closed yesterday (not finalized)."""
    return round_with_entries(closes_in=-timedelta(days=1))


def assert_reveals_nothing(html: str) -> None:
    """No entry, no count, no place and no prediction answer on the page."""
    for shown in ("Nguyễn V. A.", "Trần T. B.", "Lê V. C.", "9/10", "7/10", "5/10", "người được xếp hạng",
                  "người dẫn đầu", "Hạng ", "Đáp án câu hỏi dự đoán:", "tạm tính", "Độ lệch"):
        assert shown not in html, shown


def page(client, path: str) -> str:
    response = client.get(path)
    assert response.status_code == 200, response.status_code
    return response.get_data(as_text=True)


def personal(client, round_id: int) -> str:
    """The signed-in visitor's own part of the round's leaderboard (what personal.js puts in the shared page),
    checked private."""
    response = client.get(f"/rounds/{round_id}/leaderboard/mine/part")
    assert response.status_code == 200 and response.headers["Cache-Control"] == "private, no-store"
    return response.get_data(as_text=True)


def test_the_ranking_after_the_close_shows_masked_names_units_scores_times_predictions_and_gaps(client, closed):
    html = page(client, f"/rounds/{closed.id}/leaderboard")
    assert html.index("Nguyễn V. A.") < html.index("Trần T. B.") < html.index("Lê V. C.")
    assert "Phường Hoàn Kiếm" in html and "9/10" in html and "2:06" in html  # 2 min 5.5 s, to the second
    for secret in ("Nguyễn Văn An", "0900011111", "@example.test"):
        assert secret not in html
    assert "Thứ hạng tạm thời" in html and "3 người được xếp hạng" in html
    assert "Giải Nhất" not in html  # prizes are announced once the round is finalized
    # nobody answered everything: the actual answer is 0, An predicted 3 (gap 3), Bình 1 (gap 1), Chi nothing
    assert "Đáp án câu hỏi dự đoán: 0" in html and "Dự đoán" in html and "Độ lệch" in html
    paired = r'<span class="paired[^"]*">.*?</span>'  # the phone's second lines repeat other columns
    cells = [re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", re.sub(paired, "", row, flags=re.S))).strip()
             for row in re.findall(r"<tr>(.*?)</tr>", html, flags=re.S)[1:]]
    assert cells == ["1 Nguyễn V. A. Phường Hoàn Kiếm 9/10 2:06 3 3",
                     "2 Trần T. B. Phường Hoàn Kiếm 7/10 2:06 1 1",
                     "3 Lê V. C. Phường Hoàn Kiếm 5/10 2:06"]


def test_the_gap_explains_an_order_of_equal_scores_after_the_close(client, app):
    make_units()
    round_ = make_contest(closes_at=utcnow() - timedelta(hours=1)).rounds[0]
    entry(round_, person("Nguyễn Văn Nhanh"), 10, seconds=60, prediction=5)
    entry(round_, person("Trần Thị Gần"), 10, seconds=300, prediction=2)
    html = page(client, f"/rounds/{round_.id}/leaderboard")
    assert "Đáp án câu hỏi dự đoán: 2" in html  # two perfect scores
    assert html.index("Trần T. G.") < html.index("Nguyễn V. N.")  # slower, but predicted exactly


def test_the_limit_and_an_upcoming_round(client, closed):
    assert "Trần T. B." not in page(client, f"/rounds/{closed.id}/leaderboard?limit=1")
    upcoming = make_contest(closes_at=utcnow() + timedelta(days=30)).rounds[0]
    html = page(client, f"/rounds/{upcoming.id}/leaderboard")
    assert "Đợt thi chưa mở" in html


def test_an_open_round_shows_no_entry_count_place_or_prediction_answer(client, live):
    response = client.get(f"/rounds/{live.id}/leaderboard")
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and HIDDEN in html and "Đang mở" in html
    assert_reveals_nothing(html)


def test_a_round_stays_hidden_while_its_last_answers_can_still_arrive(client, app):
    """Closed 3 seconds ago with a 10-second network grace: someone still answering must not read the answer."""
    round_ = round_with_entries(closes_in=-timedelta(seconds=3))
    html = page(client, f"/rounds/{round_.id}/leaderboard")
    assert HIDDEN in html
    assert_reveals_nothing(html)


def test_a_participant_sees_their_own_result_but_no_place_while_the_round_is_open(client, live, make_user, login):
    me = make_user(Role.PARTICIPANT, phone="0900044444", full_name="Phạm Thu Dung")
    entry(live, me, 4, seconds=80)
    entry(live, me, 6, seconds=90)
    login(me)
    shared = page(client, f"/rounds/{live.id}/leaderboard")
    assert "Kết quả của bạn" in shared and "6/10" not in shared  # the place for it, empty
    html = personal(client, live.id)
    assert "Kết quả cao nhất của bạn đến lúc này: 6/10 câu đúng, thời gian 1:30" in html
    assert_reveals_nothing(html)


def test_a_participant_without_an_entry_in_an_open_round_is_told_so(client, live, make_user, login):
    login(make_user(Role.PARTICIPANT, phone="0900055555"))
    html = personal(client, live.id)
    assert "Bạn chưa nộp bài thi nào trong đợt này" in html
    assert_reveals_nothing(html)


def test_the_winners_page_of_an_open_round_offers_no_ranking(client, live):
    html = page(client, f"/rounds/{live.id}/winners")
    assert "chưa được công bố" in html and "Xem bảng xếp hạng tạm thời" not in html
    assert_reveals_nothing(html)


def test_judges_still_see_the_live_ranking_of_an_open_round(client, live, make_user, login):
    login(make_user(Role.JUDGE))
    html = page(client, f"/judge/rounds/{live.id}")
    assert "Nguyễn Văn An" in html and "Trần Thị Bình" in html and "Lê Văn Chi" in html


@pytest.mark.parametrize("prediction", [PredictionAnswer.MANUAL, None], ids=["entered-by-hand", "no-prediction"])
class TestALiveBoardWhenCountsRevealNothing:
    """A round whose prediction answer is entered by hand, or that has none, may show a live board; still
    without the answer, the predictions or an order that the answer decided."""

    @pytest.fixture
    def open_round(self, app, prediction):
        round_ = round_with_entries(closes_in=timedelta(days=3), prediction=prediction)
        # two equal scores: Gần predicted the answer entered early, Nhanh was faster
        entry(round_, person("Trần Thị Gần"), 8, seconds=300, prediction=4217)
        entry(round_, person("Nguyễn Văn Nhanh"), 8, seconds=60, prediction=98765)
        if prediction is not None:
            round_.prediction_actual = 4217
            db.session.commit()
        return round_

    def test_the_public_page_ranks_by_score_and_time_only(self, client, open_round):
        html = page(client, f"/rounds/{open_round.id}/leaderboard")
        assert html.index("Nguyễn V. A.") < html.index("Nguyễn V. N.") < html.index("Trần T. G.") \
            < html.index("Trần T. B.")
        assert "5 người được xếp hạng" in html and HIDDEN not in html
        for hidden in ("Đáp án câu hỏi dự đoán:", "4217", "98765", "Độ lệch"):
            assert hidden not in html, hidden

    def test_a_participant_sees_their_place(self, client, open_round, make_user, login):
        me = make_user(Role.PARTICIPANT, phone="0900044444", full_name="Phạm Thu Dung")
        entry(open_round, me, 6, prediction=4217)
        login(me)
        html = personal(client, open_round.id)
        assert "Hạng 5 trên 6 người: 6/10 câu đúng" in html
        assert "Đáp án câu hỏi dự đoán:" not in html and "Số dự đoán của bạn" not in html


@pytest.mark.parametrize("path", ["/rounds/999/leaderboard", "/rounds/999/winners",
                                  "/rounds/99999999999999999999/leaderboard", "/rounds/99999999999999999999/winners"])
def test_an_unknown_round_is_404(client, app, path):
    assert client.get(path).status_code == 404


def test_an_unpublished_contest_has_no_public_leaderboard(client, live):
    live.contest.published = False
    db.session.commit()
    assert client.get(f"/rounds/{live.id}/leaderboard").status_code == 404


def test_a_signed_in_participant_sees_their_own_place_prediction_and_gap_after_the_close(client, closed, make_user,
                                                                                        login):
    me = make_user(Role.PARTICIPANT, phone="0900044444", full_name="Phạm Thu Dung")
    entry(closed, me, 6, prediction=4)
    login(me)
    html = personal(client, closed.id)
    assert "Vị trí của bạn" in html and "Hạng 3 trên 4 người: 6/10 câu đúng" in html
    assert "Số dự đoán của bạn: 4 (lệch 4)" in html


def test_a_participant_without_an_entry_is_told_so(client, closed, make_user, login):
    login(make_user(Role.PARTICIPANT, phone="0900055555"))
    assert "Bạn chưa có tên trong bảng xếp hạng" in personal(client, closed.id)


def test_the_winners_page_after_finalization(client, app, make_user):
    units = make_units()
    round_ = make_contest(closes_at=utcnow() - timedelta(days=1),
                          tiers=(("Giải Nhất", 1), ("Giải Nhì", 1), ("Giải Ba", 2))).rounds[0]
    for name, correct in (("Nguyễn Văn An", 9), ("Trần Thị Bình", 7)):
        entry(round_, person(name, units["HN-BD-CB1"]), correct)
    assert "chưa được công bố" in page(client, f"/rounds/{round_.id}/winners")
    finalize_round(round_, actor=make_user(Role.JUDGE), now=utcnow())
    db.session.commit()
    html = page(client, f"/rounds/{round_.id}/winners")
    assert html.index("Giải Nhất") < html.index("Nguyễn V. A.") < html.index("Giải Nhì") < html.index("Trần T. B.")
    assert "Chi bộ Khu dân cư số 1" in html and "Không có người đạt giải này" in html  # Giải Ba stays empty
    assert "Nguyễn Văn An" not in html
    board = page(client, f"/rounds/{round_.id}/leaderboard")
    assert "Ban Giám khảo chốt" in board and f"/rounds/{round_.id}/winners" in board


class TestUnderLoad:
    """With a real cache: the page is computed once and served from the cache for everyone."""

    @pytest.fixture
    def settings(self, settings):
        return {**settings, "CACHE_TYPE": "SimpleCache"}

    def test_anonymous_visitors_get_the_cached_page_without_a_query(self, client, closed):
        from tests.services.test_attempts import statements

        url = f"/rounds/{closed.id}/leaderboard"
        first = client.get(url)
        assert first.headers["Cache-Control"] == "public, max-age=15" and "Cookie" in first.headers["Vary"]
        entry(closed, person("Vũ Văn Mới"), 10)  # arrives after the page was cached
        with statements() as seen:
            again = client.get(url)
        assert again.get_data() == first.get_data() and seen == []
        assert "Vũ V. M." not in again.get_data(as_text=True)

    def test_the_board_is_recomputed_once_stale(self, client, closed, monkeypatch):
        from quizapp.services import leaderboard as results

        url = f"/rounds/{closed.id}/leaderboard"
        client.get(url)
        entry(closed, person("Vũ Văn Mới"), 10)
        assert "Vũ V. M." not in page(client, url + "?limit=30")  # another page, the same cached board
        real_time = results.time.time
        monkeypatch.setattr(results.time, "time", lambda: real_time() + results.BOARD_FRESH_SECONDS + 1)
        assert "Vũ V. M." in page(client, url + "?limit=20")

    def test_an_open_round_costs_no_ranking_and_its_board_is_rebuilt_when_the_last_answers_are_in(
            self, client, app, monkeypatch):
        """Closing in 5 s (grace 10 s): the hidden page is kept only until then, and the next visitor after it
        gets the ranking, however fresh the hidden board was."""
        from quizapp.services import disclosure
        from quizapp.services import leaderboard as results

        round_ = round_with_entries(closes_in=timedelta(seconds=5))
        url = f"/rounds/{round_.id}/leaderboard"
        with monkeypatch.context() as patched:  # nothing is ranked, or counted
            for name in ("live_standings", "round_standings"):
                patched.setattr(disclosure, name, lambda *args, **kwargs: pytest.fail("standings computed"))
            first = client.get(url)
        assert HIDDEN in first.get_data(as_text=True)
        max_age = int(first.headers["Cache-Control"].rpartition("=")[2])
        assert 0 < max_age <= 15  # kept until the round has closed and its grace has run out, at most
        later = utcnow() + timedelta(seconds=16)
        real_time = results.time.time
        monkeypatch.setattr(results, "utcnow", lambda: later)
        monkeypatch.setattr(results.time, "time", lambda: real_time() + 16)
        html = page(client, url + "?limit=20")  # another page (the cache's own clock is not moved), same board
        assert HIDDEN not in html and "Nguyễn V. A." in html and "Đáp án câu hỏi dự đoán: 0" in html

    def test_closing_a_round_early_shows_its_ranking_at_once(self, client, app, live):
        url = f"/rounds/{live.id}/leaderboard"
        assert HIDDEN in page(client, url)
        assert app.test_cli_runner().invoke(args=["rounds", "close", str(live.id)]).exit_code == 0
        html = page(client, url)
        assert HIDDEN not in html and "Nguyễn V. A." in html and "Đáp án câu hỏi dự đoán: 0" in html

    def test_only_the_query_strings_the_page_reads_are_cached(self, client, closed, app):
        from quizapp.services.leaderboard import cache_key

        layer = app.wsgi_app  # the page cache sits under other middleware (the request log)
        while not hasattr(layer, "store"):
            layer = layer.wsgi_app
        store = layer.store
        for query in ("", "?limit=5&lang=vi", "?lang=vi&limit=5", "?utm_source=zalo", "?limit=5&limit=6"):
            assert client.get(f"/rounds/{closed.id}/leaderboard{query}").status_code == 200
        cached = sorted(key for key in store._cache if key.startswith(cache_key("wsgi")))
        assert cached == [cache_key("wsgi", f"/rounds/{closed.id}/leaderboard?"),
                          cache_key("wsgi", f"/rounds/{closed.id}/leaderboard?lang=vi&limit=5")]

    def test_a_signed_in_participant_is_served_the_members_page_and_their_place_apart(self, client, closed,
                                                                                      make_user, login):
        me = make_user(Role.PARTICIPANT, phone="0900066666")
        entry(closed, me, 1)
        url = f"/rounds/{closed.id}/leaderboard"
        assert "Vị trí của bạn" not in page(client, url)  # cached for anonymous visitors
        login(me)
        shared = page(client, url)
        assert "Vị trí của bạn" in shared and "Hạng 4 trên 4 người" not in shared
        assert "Hạng 4 trên 4 người" in personal(client, closed.id)

    def test_a_participant_is_not_served_the_board_of_anonymous_visitors_while_open(self, client, live, make_user,
                                                                                      login):
        me = make_user(Role.PARTICIPANT, phone="0900066666")
        entry(live, me, 8)
        url = f"/rounds/{live.id}/leaderboard"
        assert "Kết quả của bạn" not in page(client, url)
        login(me)
        assert "Kết quả của bạn" in page(client, url)
        html = personal(client, live.id)
        assert "Kết quả cao nhất của bạn đến lúc này: 8/10" in html
        assert_reveals_nothing(html)

    def test_a_waiting_message_is_never_put_in_the_shared_page(self, client, live):
        url = f"/rounds/{live.id}/leaderboard"
        with client.session_transaction() as session:
            session["_flashes"] = [("success", "Tin nhắn riêng của một khách")]
        assert "Tin nhắn riêng của một khách" in page(client, url)
        assert "Tin nhắn riêng của một khách" not in page(client.application.test_client(), url)

    def test_finalizing_through_the_command_line_forgets_the_cached_board(self, client, app):
        from quizapp.services.leaderboard import cached_board

        make_units()
        round_ = make_contest(closes_at=utcnow() - timedelta(days=1)).rounds[0]
        entry(round_, person("Nguyễn Văn An"), 9)
        round_id = round_.id
        api = client.get(f"/api/v1/rounds/{round_id}/leaderboard").get_json()
        assert api["finalized"] is False
        assert app.test_cli_runner().invoke(args=["rounds", "finalize", str(round_id)]).exit_code == 0
        board, _places = cached_board(round_id)
        assert board.finalized and board.winners[0] == ("Giải Nhất", board.entries[:1])
        assert client.get(f"/api/v1/rounds/{round_id}/leaderboard?limit=3").get_json()["finalized"] is True

    def test_finalizing_and_reopening_forget_every_kept_page_of_the_round(self, client, app, make_user):
        from quizapp.services.leaderboard import forget_round
        from quizapp.services.results import reopen_round

        make_units()
        round_ = make_contest(closes_at=utcnow() - timedelta(days=1)).rounds[0]
        entry(round_, person("Nguyễn Văn An", phone="0900044444"), 9)
        round_id = round_.id
        api, board, winners = (f"/api/v1/rounds/{round_id}/leaderboard", f"/rounds/{round_id}/leaderboard",
                               f"/rounds/{round_id}/winners")
        with_cookie = app.test_client()
        with_cookie.set_cookie("lang", "vi")  # not answered in front of the app: the views' own page cache
        assert client.get(api).get_json()["finalized"] is False
        before = {url: (client.get(url).get_data(), with_cookie.get(url).get_data()) for url in (board, winners)}
        cli = app.test_cli_runner()
        assert cli.invoke(args=["rounds", "finalize", str(round_id)]).exit_code == 0
        assert client.get(api).get_json()["finalized"] is True
        for url, (anonymous, cookied) in before.items():
            assert client.get(url).get_data() != anonymous, url
            assert with_cookie.get(url).get_data() != cookied, url
        assert "Giải Nhất" in page(client, winners)
        reopen_round(db.session.get(type(round_), round_id), actor=make_user(Role.JUDGE), now=utcnow(),
                     reason="chấm lại")
        db.session.commit()
        forget_round(round_id)  # as the judges' re-open does
        assert client.get(api).get_json()["finalized"] is False
        assert "Giải Nhất" not in page(client, winners)


@pytest.mark.parametrize("limit", ["abc", "-1", "0", "201", str(10**30), "9" * 5000, "²", "٣", "1.5", " 5", "5_0"])
def test_an_odd_limit_is_refused_as_the_api_refuses_it(client, closed, limit):
    """One rule for ``limit``, the page's and the API's: a whole number from 1 to 200, else a 422 that says so."""
    shown = client.get(f"/rounds/{closed.id}/leaderboard?limit={limit}")
    assert shown.status_code == 422 and "limit phải là số nguyên từ 1 đến 200" in shown.get_data(as_text=True)
    assert "Nguyễn V. A." not in shown.get_data(as_text=True)
    api = client.get(f"/api/v1/rounds/{closed.id}/leaderboard?limit={limit}")
    assert api.status_code == 422 and api.get_json()["error"]["code"] == "invalid_limit"


def test_the_limit_refusal_is_in_english_by_locale(client, closed):
    shown = client.get(f"/rounds/{closed.id}/leaderboard?limit=0&lang=en")
    assert shown.status_code == 422 and "limit parameter must be an integer from 1 to 200" in shown.text


@pytest.mark.parametrize("limit", ["1", "200", "007"])
def test_a_limit_in_range_shows_the_page(client, closed, limit):
    assert "Nguyễn V. A." in page(client, f"/rounds/{closed.id}/leaderboard?limit={limit}")
