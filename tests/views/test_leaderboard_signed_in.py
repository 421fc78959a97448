"""A signed-in visitor's leaderboard: the page shared by everybody signed in (kept by the page cache in front of
the app, answered without a query), with their nav and place from a private answer of their own that
static/personal.js puts in it, or from a page of their own without JavaScript. Nobody's name, place or CSRF token
ever reaches the shared page, and an ended session gets nothing personal."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from flask import g
from flask_babel import refresh

from quizapp.extensions import db
from quizapp.models import Role
from quizapp.models.types import utcnow
from quizapp.services.accounts import sign_out_everywhere
from tests.conftest import TEST_PASSWORD
from tests.services.test_attempts import statements
from tests.services.test_standings import entry
from tests.views.test_leaderboard import round_with_entries


@pytest.fixture
def settings(settings):
    return {**settings, "CACHE_TYPE": "SimpleCache"}  # a real cache: the page is kept, as in production


@pytest.fixture
def closed(app):
    return round_with_entries(closes_in=-timedelta(days=1))


def signed_in(app, user):
    """A browser of its own, signed in as ``user`` through the sign-in form."""
    client = app.test_client()
    response = client.post("/login", data={"login": user.email or user.phone, "password": TEST_PASSWORD})
    assert response.status_code == 302, response.get_data(as_text=True)
    return client


@pytest.fixture
def dung(make_user, closed):
    me = make_user(Role.PARTICIPANT, phone="0900044444", full_name="Phạm Thu Dung")
    entry(closed, me, 6, prediction=4)
    return me


@pytest.fixture
def hoa(make_user, closed):
    other = make_user(Role.PARTICIPANT, phone="0900077777", full_name="Đỗ Thị Hoa")
    entry(closed, other, 8, prediction=1)
    return other


def get(client, path: str):
    response = client.get(path)
    assert response.status_code == 200, (path, response.status_code)
    return response


def test_two_participants_get_the_same_page_with_nothing_of_either_and_each_their_own_part(app, closed, dung, hoa):
    url = f"/rounds/{closed.id}/leaderboard"
    mine, theirs = signed_in(app, dung), signed_in(app, hoa)
    first = get(mine, url)
    with statements() as seen:
        second = get(theirs, url)
    assert seen == []  # answered in front of the app: no account read, no board
    assert first.get_data() == second.get_data()
    html = first.get_data(as_text=True)
    for personal in ("Phạm Thu Dung", "Đỗ Thị Hoa", "Hạng 4 trên 5", "Hạng 2 trên 5", "csrf_token", "Đăng xuất",
                     "Đăng nhập"):
        assert personal not in html, personal
    assert "Vị trí của bạn" in html and f"/rounds/{closed.id}/leaderboard/mine" in html
    assert first.headers["Cache-Control"] == "public, max-age=15" and "Cookie" in first.headers["Vary"]
    assert "Set-Cookie" not in first.headers
    assert re.findall(r"<script[^>]*>", html) == ['<script src="/static/personal.js" defer>']  # no inline script

    own = get(mine, f"/rounds/{closed.id}/leaderboard/mine/part")
    g.pop("csrf_token", None)  # (the tests' app context outlives a request: Flask-WTF would keep the first token)
    other = get(theirs, f"/rounds/{closed.id}/leaderboard/mine/part")
    for response in (own, other):
        assert response.headers["Cache-Control"] == "private, no-store" and "Cookie" in response.headers["Vary"]
    own_html, other_html = own.get_data(as_text=True), other.get_data(as_text=True)
    assert "Phạm Thu Dung" in own_html and "Hạng 4 trên 5 người: 6/10 câu đúng" in own_html
    assert "Số dự đoán của bạn: 4 (lệch 4)" in own_html and "Đăng xuất" in own_html
    assert "Đỗ Thị Hoa" in other_html and "Hạng 2 trên 5 người: 8/10 câu đúng" in other_html
    assert "Đỗ Thị Hoa" not in own_html and "Phạm Thu Dung" not in other_html
    tokens = [re.search(r'name="csrf_token" value="([^"]+)"', html).group(1) for html in (own_html, other_html)]
    assert tokens[0] != tokens[1]


def test_the_anonymous_and_the_members_page_are_kept_apart(app, client, closed, dung):
    url = f"/rounds/{closed.id}/leaderboard"
    anonymous = get(client, url).get_data(as_text=True)
    member = get(signed_in(app, dung), url).get_data(as_text=True)
    assert "Đăng nhập" in anonymous and "Vị trí của bạn" not in anonymous and "personal.js" not in anonymous
    assert "Đăng nhập" not in member and "Vị trí của bạn" in member
    assert "Đăng nhập" in get(client, url).get_data(as_text=True)  # the anonymous page again, not the member's


def test_a_session_ended_by_signing_out_elsewhere_gets_nothing_personal(app, closed, dung):
    """A copy of the session cookie (a shared office computer) after "sign out" elsewhere: the page is the
    members' (it holds nothing of anybody), but its private part says to sign in."""
    copy = signed_in(app, dung)
    assert "Phạm Thu Dung" in get(copy, f"/rounds/{closed.id}/leaderboard/mine/part").get_data(as_text=True)
    sign_out_everywhere(dung.id)
    db.session.commit()
    part = get(copy, f"/rounds/{closed.id}/leaderboard/mine/part").get_data(as_text=True)
    assert "Phạm Thu Dung" not in part and "Hạng 3" not in part and "csrf_token" not in part
    assert "Đăng nhập để xem vị trí của bạn" in part and "Đăng ký" in part
    assert get(copy, f"/rounds/{closed.id}/leaderboard").status_code == 200
    page = copy.get(f"/rounds/{closed.id}/leaderboard/mine")
    assert page.status_code == 302 and "/login" in page.headers["Location"]


def test_without_javascript_the_place_is_a_page_of_its_own(app, client, closed, dung):
    url = f"/rounds/{closed.id}/leaderboard/mine"
    response = get(signed_in(app, dung), url)
    html = response.get_data(as_text=True)
    assert "Hạng 3 trên 4 người: 6/10 câu đúng" in html and "Phạm Thu Dung" in html and "Đăng xuất" in html
    assert response.headers["Cache-Control"] == "private, no-store"
    assert f'href="/rounds/{closed.id}/leaderboard"' in html
    refused = client.get(url)
    assert refused.status_code == 302 and "/login" in refused.headers["Location"]


def test_an_open_round_shows_the_participant_their_best_result_apart_and_nothing_to_others(app, make_user):
    live = round_with_entries(closes_in=timedelta(days=3))
    me = make_user(Role.PARTICIPANT, phone="0900044444", full_name="Phạm Thu Dung")
    entry(live, me, 6, seconds=90)
    browser = signed_in(app, me)
    page = get(browser, f"/rounds/{live.id}/leaderboard").get_data(as_text=True)
    assert "Kết quả của bạn" in page and "6/10" not in page
    part = get(browser, f"/rounds/{live.id}/leaderboard/mine/part").get_data(as_text=True)
    assert "Kết quả cao nhất của bạn đến lúc này: 6/10 câu đúng, thời gian 1:30" in part
    for hidden in ("Nguyễn V. A.", "9/10", "Hạng ", "người được xếp hạng"):
        assert hidden not in part and hidden not in page


def test_the_language_cookie_chooses_the_members_page_in_that_language(app, closed, dung):
    url = f"/rounds/{closed.id}/leaderboard"
    browser = signed_in(app, dung)
    assert "Vị trí của bạn" in get(browser, url).get_data(as_text=True)
    refresh()  # (the tests' app context outlives a request: Flask-Babel would keep the first one's language)
    browser.set_cookie("lang", "en")
    english = get(browser, url).get_data(as_text=True)
    assert "Vị trí của bạn" not in english and "Your position" in english and '<html lang="en">' in english


def test_a_waiting_message_is_shown_to_its_visitor_only_on_a_page_of_their_own(app, closed, dung):
    url = f"/rounds/{closed.id}/leaderboard"
    browser = signed_in(app, dung)
    get(browser, url)
    with browser.session_transaction() as session:
        session["_flashes"] = [("success", "Tin nhắn riêng của Dung")]
    own = get(browser, url)
    html = own.get_data(as_text=True)
    assert "Tin nhắn riêng của Dung" in html and "Hạng 3 trên 4 người" in html and "Phạm Thu Dung" in html
    assert own.headers["Cache-Control"] == "private, no-store"
    again = get(signed_in(app, dung), url).get_data(as_text=True)
    assert "Tin nhắn riêng của Dung" not in again and "Phạm Thu Dung" not in again


def test_a_forged_session_cookie_gets_the_page_from_flask_with_nothing_personal(app, client, closed, dung):
    forged = app.test_client()
    forged.set_cookie("session", f'{{"_user_id": "{dung.id}:0"}}')
    html = get(forged, f"/rounds/{closed.id}/leaderboard").get_data(as_text=True)
    assert "Phạm Thu Dung" not in html and "Đăng nhập" in html


def test_the_winners_page_is_shared_by_members_too(app, closed, dung, make_user):
    from quizapp.services.results import finalize_round

    finalize_round(closed, actor=make_user(Role.JUDGE), now=utcnow())
    db.session.commit()
    url = f"/rounds/{closed.id}/winners"
    first = get(signed_in(app, dung), url)
    html = first.get_data(as_text=True)
    assert "Phạm Thu Dung" not in html and "csrf_token" not in html and "personal.js" in html
    other_browser = signed_in(app, dung)
    with statements() as seen:
        again = get(other_browser, url)
    assert again.get_data() == first.get_data() and seen == []
