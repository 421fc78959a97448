"""The public leaderboard and winners pages: masked, cached, with "my place" for a signed-in participant."""

from __future__ import annotations

from datetime import timedelta

import pytest

from quizapp.extensions import db
from quizapp.models import Role
from quizapp.models.types import utcnow
from quizapp.services.results import finalize_round
from tests.services.test_standings import entry, make_contest, make_units, person


@pytest.fixture
def live(app):
    """An open round: An (9 correct) leads Bình (7) and Chi (5)."""
    units = make_units()
    round_ = make_contest(closes_at=utcnow() + timedelta(days=3), tiers=(("Giải Nhất", 1),)).rounds[0]
    for name, correct, phone in (("Nguyễn Văn An", 9, "0900011111"), ("Trần Thị Bình", 7, "0900022222"),
                                 ("Lê Văn Chi", 5, "0900033333")):
        entry(round_, person(name, units["HN-HK"], phone=phone, email=f"{phone}@example.test"), correct,
              seconds=125.5)
    return round_


def page(client, path: str) -> str:
    response = client.get(path)
    assert response.status_code == 200, response.status_code
    return response.get_data(as_text=True)


def test_the_live_leaderboard_shows_masked_names_units_scores_and_times(client, live):
    html = page(client, f"/rounds/{live.id}/leaderboard")
    assert html.index("Nguyễn V. A.") < html.index("Trần T. B.") < html.index("Lê V. C.")
    assert "Phường Hoàn Kiếm" in html and "9/10" in html and "2 phút 5,5 giây" in html
    for secret in ("Nguyễn Văn An", "0900011111", "@example.test"):
        assert secret not in html
    assert "Thứ hạng tạm thời" in html and "3 người được xếp hạng" in html
    assert "Giải Nhất" not in html  # prizes are announced once the round is finalized


def test_the_limit_and_an_upcoming_round(client, live):
    assert "Trần T. B." not in page(client, f"/rounds/{live.id}/leaderboard?limit=1")
    upcoming = make_contest(closes_at=utcnow() + timedelta(days=30)).rounds[0]
    html = page(client, f"/rounds/{upcoming.id}/leaderboard")
    assert "Đợt thi chưa mở" in html


@pytest.mark.parametrize("path", ["/rounds/999/leaderboard", "/rounds/999/winners",
                                  "/rounds/99999999999999999999/leaderboard", "/rounds/99999999999999999999/winners"])
def test_an_unknown_round_is_404(client, app, path):
    assert client.get(path).status_code == 404


def test_an_unpublished_contest_has_no_public_leaderboard(client, live):
    live.contest.published = False
    db.session.commit()
    assert client.get(f"/rounds/{live.id}/leaderboard").status_code == 404


def test_a_signed_in_participant_sees_their_own_place(client, live, make_user, login):
    me = make_user(Role.PARTICIPANT, phone="0900044444", full_name="Phạm Thu Dung")
    entry(live, me, 6)
    login(me)
    response = client.get(f"/rounds/{live.id}/leaderboard")
    html = response.get_data(as_text=True)
    assert "Vị trí của bạn" in html and "Hạng 3 trên 4 người: 6/10 câu đúng" in html
    assert "public" not in response.headers.get("Cache-Control", "")


def test_a_participant_without_an_entry_is_told_so(client, live, make_user, login):
    login(make_user(Role.PARTICIPANT, phone="0900055555"))
    assert "Bạn chưa có tên trong bảng xếp hạng" in page(client, f"/rounds/{live.id}/leaderboard")


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

    def test_anonymous_visitors_get_the_cached_page_without_a_query(self, client, live):
        from tests.services.test_attempts import statements

        url = f"/rounds/{live.id}/leaderboard"
        first = client.get(url)
        assert first.headers["Cache-Control"] == "public, max-age=15" and "Cookie" in first.headers["Vary"]
        entry(live, person("Vũ Văn Mới"), 10)  # arrives after the page was cached
        with statements() as seen:
            again = client.get(url)
        assert again.get_data() == first.get_data() and seen == []
        assert "Vũ V. M." not in again.get_data(as_text=True)

    def test_the_board_is_recomputed_once_stale(self, client, live, monkeypatch):
        from quizapp.views import results

        url = f"/rounds/{live.id}/leaderboard"
        client.get(url)
        entry(live, person("Vũ Văn Mới"), 10)
        assert "Vũ V. M." not in page(client, url + "?limit=30")  # another page, the same cached board
        real_time = results.time.time
        monkeypatch.setattr(results.time, "time", lambda: real_time() + results.BOARD_FRESH_SECONDS + 1)
        assert "Vũ V. M." in page(client, url + "?limit=20")

    def test_only_the_query_strings_the_page_reads_are_cached(self, client, live, app):
        store = app.wsgi_app.store
        for query in ("", "?limit=5&lang=vi", "?lang=vi&limit=5", "?utm_source=zalo", "?limit=5&limit=6"):
            assert client.get(f"/rounds/{live.id}/leaderboard{query}").status_code == 200
        cached = sorted(key for key in store._cache if key.startswith("results:wsgi:"))
        assert cached == [f"results:wsgi:/rounds/{live.id}/leaderboard?",
                          f"results:wsgi:/rounds/{live.id}/leaderboard?lang=vi&limit=5"]

    def test_a_signed_in_participant_is_not_served_the_shared_page(self, client, live, make_user, login):
        me = make_user(Role.PARTICIPANT, phone="0900066666")
        entry(live, me, 1)
        url = f"/rounds/{live.id}/leaderboard"
        assert "Vị trí của bạn" not in page(client, url)  # cached for anonymous visitors
        login(me)
        assert "Hạng 4 trên 4 người" in page(client, url)

    def test_a_waiting_message_is_never_put_in_the_shared_page(self, client, live):
        url = f"/rounds/{live.id}/leaderboard"
        with client.session_transaction() as session:
            session["_flashes"] = [("success", "Tin nhắn riêng của một khách")]
        assert "Tin nhắn riêng của một khách" in page(client, url)
        assert "Tin nhắn riêng của một khách" not in page(client.application.test_client(), url)

    def test_finalizing_through_the_command_line_forgets_the_cached_board(self, client, app):
        from quizapp.views.results import cached_board

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
        from quizapp.services.results import reopen_round
        from quizapp.views.results import forget_round

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


@pytest.mark.parametrize("limit", ["abc", "-1", "0", str(10**30), "9" * 5000, "²", "٣", "1.5"])
def test_an_odd_limit_shows_a_page(client, live, limit):
    assert "Nguyễn V. A." in page(client, f"/rounds/{live.id}/leaderboard?limit={limit}")
