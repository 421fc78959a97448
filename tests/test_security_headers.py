"""Security headers on every answer, no inline code in any page, the client's address behind trusted proxies, and
cookies that end with the session they belong to."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from quizapp.extensions import db
from quizapp.models import Attempt, Bank, Role
from quizapp.security import CONTENT_SECURITY_POLICY
from tests.views.test_attempt_pages import load_bank, make_round, start

# <script> without src, a style attribute or block, an on...= handler, a javascript: link
INLINE = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>|\sstyle\s*=|<style[\s>]|\son[a-z]+\s*=|javascript:", re.I)


def check_page(client, url: str, status: int = 200) -> str:
    response = client.get(url)
    assert response.status_code == status, (url, response.status_code)
    assert response.headers["Content-Security-Policy"] == CONTENT_SECURITY_POLICY, url
    assert response.headers["X-Frame-Options"] == "DENY" and response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] in ("strict-origin-when-cross-origin", "same-origin", "no-referrer")
    assert "Strict-Transport-Security" not in response.headers  # plain HTTP
    html = response.get_data(as_text=True)
    found = INLINE.findall(html)
    assert not found, (url, found)
    return html


def test_the_policy_allows_no_inline_script_or_style_and_no_framing():
    assert "script-src 'self'" in CONTENT_SECURITY_POLICY and "style-src 'self'" in CONTENT_SECURITY_POLICY
    assert "unsafe-inline" not in CONTENT_SECURITY_POLICY and "frame-ancestors 'none'" in CONTENT_SECURITY_POLICY


def test_public_participant_organizer_and_judge_pages_carry_the_policy_and_no_inline_code(app, client, make_user,
                                                                                          login):
    load_bank()
    round_ = make_round()
    for url in ("/", "/contests", f"/contests/{round_.contest_id}", "/login", "/register", "/register/units?q=ha",
                "/password/forgot", f"/rounds/{round_.id}/leaderboard", "/no-such-page"):
        check_page(client, url, 404 if url == "/no-such-page" else 200)

    player = login(make_user(Role.PARTICIPANT, phone="0912345678"))
    check_page(player, f"/rounds/{round_.id}/start")
    attempt_id = start(player, round_)
    check_page(player, f"/attempts/{attempt_id}")
    assert player.post(f"/attempts/{attempt_id}/submit", data={"prediction": "3"}).status_code in (302, 303)
    for url in (f"/attempts/{attempt_id}/result", "/my-results", "/account"):
        check_page(player, url)
    player.post("/logout")

    organizer = app.test_client()
    login_as(organizer, make_user(Role.ORGANIZER))
    bank_id = db.session.scalar(select(Bank.id))
    for url in ("/organizer/banks", f"/organizer/banks/{bank_id}", "/organizer/participants", "/organizer/units",
                "/organizer/erasure-requests"):
        check_page(organizer, url)

    judge = app.test_client()
    login_as(judge, make_user(Role.JUDGE))
    for url in ("/judge", f"/judge/rounds/{round_.id}", f"/judge/rounds/{round_.id}/flags", "/judge/audit"):
        check_page(judge, url)


def login_as(client, user) -> None:
    from tests.conftest import TEST_PASSWORD

    response = client.post("/login", data={"login": user.email or user.phone, "password": TEST_PASSWORD})
    assert response.status_code == 302


def test_the_api_static_files_and_errors_carry_the_headers_too(client):
    for url, status in (("/api/v1/contests", 200), ("/static/app.css", 200), ("/api/v1/attempts/1", 401)):
        response = client.get(url)
        assert response.status_code == status
        assert response.headers["Content-Security-Policy"] == CONTENT_SECURITY_POLICY
        assert response.headers["X-Content-Type-Options"] == "nosniff"


class TestBehindOneProxy:
    @pytest.fixture
    def settings(self, settings):
        return {**settings, "QUIZAPP_PROXY_HOPS": 1}

    def test_the_forwarded_address_is_the_client_and_https_brings_hsts(self, app, client):
        seen = _remote_addr_seen(app, client, headers={"X-Forwarded-For": "198.51.100.20",
                                                      "X-Forwarded-Proto": "https"})
        assert seen["addr"] == "198.51.100.20"
        assert seen["hsts"].startswith("max-age=")

    def test_a_client_cannot_add_addresses_in_front_of_the_proxys(self, app, client):
        # nginx appends the address it saw: with one trusted hop only the last one counts
        seen = _remote_addr_seen(app, client, headers={"X-Forwarded-For": "10.9.9.9, 198.51.100.21"})
        assert seen["addr"] == "198.51.100.21" and seen["hsts"] is None


def test_without_trusted_proxies_the_forwarded_headers_are_ignored(app, client):
    seen = _remote_addr_seen(app, client, headers={"X-Forwarded-For": "198.51.100.22", "X-Forwarded-Proto": "https"})
    assert seen["addr"] == "127.0.0.1" and seen["hsts"] is None


def _remote_addr_seen(app, client, *, headers):
    """The address the limiter's key, the attempts and the judges' flag see (quizapp.security.client_address)."""
    from flask import jsonify

    from quizapp.security import client_address

    if "test_addr" not in app.view_functions:
        app.add_url_rule("/test-addr", "test_addr", lambda: jsonify(addr=client_address()))
    response = client.get("/test-addr", headers=headers, environ_base={"REMOTE_ADDR": "127.0.0.1"})
    return {"addr": response.get_json()["addr"], "hsts": response.headers.get("Strict-Transport-Security")}


def test_an_attempt_stores_the_address_behind_the_proxy(make_user, login, settings):
    """The attempts' stored address is the same value (request.remote_addr after the proxy fix)."""
    from quizapp import create_app

    app = create_app({**settings, "QUIZAPP_PROXY_HOPS": 1})
    with app.app_context():
        load_bank()
        round_ = make_round()
        participant = make_user(Role.PARTICIPANT, phone="0912000111")
        client = app.test_client()
        login_as(client, participant)
        response = client.post(f"/rounds/{round_.id}/start", headers={"X-Forwarded-For": "203.0.113.50"})
        assert response.status_code == 303
        assert db.session.scalar(select(Attempt.client_ip)) == "203.0.113.50"
        db.session.remove()
        db.engine.dispose()


class TestCookies:
    def test_a_copied_session_cookie_no_longer_works_after_signing_out(self, app, make_user):
        user = make_user(Role.PARTICIPANT, phone="0912111222")
        office = app.test_client()
        login_as(office, user)
        cookie = office.get_cookie("session")
        assert cookie is not None and cookie.http_only and cookie.same_site == "Lax"
        thief = app.test_client()
        thief.set_cookie("session", cookie.value)
        assert thief.get("/account").status_code == 200  # the copy works while the owner is signed in
        office.post("/logout")
        assert thief.get("/account").status_code == 302  # ...and not after the owner signed out
        login_as(office, user)  # the owner signs in again
        assert office.get("/account").status_code == 200

    def test_remember_me_lasts_a_contest_and_cookies_are_secure_on_https(self, tmp_path):
        from quizapp import config

        assert config.Defaults.REMEMBER_COOKIE_DURATION.days == 14
        https = config.cookie_settings({"QUIZAPP_BASE_URL": "https://thi.example.vn"})
        assert https["SESSION_COOKIE_SECURE"] and https["REMEMBER_COOKIE_SECURE"]
        assert config.cookie_settings({"QUIZAPP_BASE_URL": "http://10.0.0.5"}) == {}
        off = config.cookie_settings({"QUIZAPP_BASE_URL": "https://thi.example.vn", "QUIZAPP_COOKIE_SECURE": "0"})
        assert off["SESSION_COOKIE_SECURE"] is False
        assert config.cookie_settings({"QUIZAPP_REMEMBER_DAYS": "30"})["REMEMBER_COOKIE_DURATION"].days == 30


def test_each_header_is_sent_once_and_a_views_own_stricter_value_is_kept(app, client):
    from flask import make_response

    if "test_own_referrer" not in app.view_functions:
        app.add_url_rule("/test-own-referrer", "test_own_referrer",
                         lambda: make_response("x", 200, {"Referrer-Policy": "no-referrer"}))
    own = client.get("/test-own-referrer")
    assert own.headers.getlist("Referrer-Policy") == ["no-referrer"]
    assert own.headers.getlist("Content-Security-Policy") == [CONTENT_SECURITY_POLICY]
    api = client.get("/api/v1/contests")
    for name in ("Content-Security-Policy", "X-Frame-Options", "X-Content-Type-Options", "Referrer-Policy"):
        assert len(api.headers.getlist(name)) == 1, name


def test_the_leaderboard_answered_from_the_page_cache_carries_the_headers(client):
    load_bank()
    round_ = make_round()
    url = f"/rounds/{round_.id}/leaderboard"
    first, cached = client.get(url), client.get(url)  # no cookie: the second comes from the micro-cache
    assert first.status_code == cached.status_code == 200 and cached.data == first.data
    for response in (first, cached):
        assert response.headers.getlist("Content-Security-Policy") == [CONTENT_SECURITY_POLICY]
        assert response.headers["X-Frame-Options"] == "DENY"


def test_the_api_behind_an_https_proxy_gets_hsts_once(settings):
    from quizapp import create_app

    app = create_app({**settings, "QUIZAPP_PROXY_HOPS": 1})
    with app.app_context():
        response = app.test_client().get("/api/v1/contests", headers={"X-Forwarded-Proto": "https"})
        assert response.headers.getlist("Strict-Transport-Security") == ["max-age=31536000; includeSubDomains"]
        assert response.headers["Content-Security-Policy"] == CONTENT_SECURITY_POLICY
        db.engine.dispose()
