"""A crowd behind one address is people, not an attack; guessing a password is stopped per account.

The per-address limits of the default configuration let a meeting hall of 200 people register and sign in; failed
sign-ins make one login wait (from any address, on the page and the API alike), and a refused person gets the
form back with what they typed, the reason and the seconds to wait.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from quizapp.extensions import db
from quizapp.models import Role, User
from quizapp.models.types import utcnow
from tests.conftest import TEST_PASSWORD
from tests.views.test_register_page import good_form, load_units

HALL = {"REMOTE_ADDR": "203.0.113.7"}


@pytest.fixture
def settings(settings):
    """The shipped limits (not the suite's switched-off ones) and a cache that keeps the failure counts."""
    return {**settings, "RATELIMIT_ENABLED": True, "CACHE_TYPE": "SimpleCache"}


class Clock:
    """The time the sign-in views read, moved by the test."""

    def __init__(self) -> None:
        self.now = utcnow()

    def __call__(self):
        return self.now


@pytest.fixture
def clock(monkeypatch):
    fixed = Clock()
    monkeypatch.setattr("quizapp.views.auth.utcnow", fixed)
    monkeypatch.setattr("quizapp.views.api.auth.utcnow", fixed)
    return fixed


def test_a_hall_of_200_people_behind_one_address_registers_and_signs_in(app):
    load_units()
    for n in range(200):
        person = app.test_client()
        phone = f"09{n:08d}"
        registered = person.post("/register", data=good_form(phone=phone, email=f"nguoi{n}@example.vn",
                                                             id_number=f"{n:012d}"), environ_base=HALL)
        assert registered.status_code == 302, registered.get_data(as_text=True)[:500]
        assert person.post("/logout", environ_base=HALL).status_code == 302
        signed_in = person.post("/login", data={"login": phone, "password": "mat-khau-du-thi"}, environ_base=HALL)
        assert signed_in.status_code == 302
        token = app.test_client().post("/api/v1/auth/token", json={"login": phone, "password": "mat-khau-du-thi"},
                                       environ_base=HALL)
        assert token.status_code == 200
    assert db.session.scalar(select(func.count()).select_from(User).where(User.role == Role.PARTICIPANT)) == 200


def test_guessing_one_password_from_50_addresses_is_stopped_and_the_owner_gets_back_in(app, client, make_user,
                                                                                     clock, monkeypatch):
    make_user(phone="0912345678")
    checked: list[str] = []
    from quizapp import auth

    real_check = auth.check_password
    monkeypatch.setattr("quizapp.services.accounts.check_password",
                        lambda stored, typed: checked.append(typed) or real_check(stored, typed))
    statuses = []
    for n in range(50):
        response = client.post("/login", data={"login": "+84 912 345 678", "password": f"doan-sai-{n}"},
                               environ_base={"REMOTE_ADDR": f"198.51.100.{n + 1}"})
        statuses.append(response.status_code)
        clock.now += timedelta(seconds=1)
    assert statuses[:5] == [401] * 5
    assert statuses.count(429) >= 40
    assert len(checked) <= 10  # most guesses refused before any password is checked
    # during the wait even the right password is refused (a guess must not learn it is right)...
    assert client.post("/login", data={"login": "0912345678", "password": TEST_PASSWORD}).status_code == 429
    # ...and after the wait (capped at a few minutes) the owner signs in
    clock.now += timedelta(seconds=app.config["QUIZAPP_SIGNIN_MAX_DELAY"])
    response = client.post("/login", data={"login": "0912345678", "password": TEST_PASSWORD})
    assert response.status_code == 302


def test_the_page_and_the_api_share_one_count_per_login(app, client, make_user, clock):
    make_user(email="chu.tai.khoan@example.vn")
    for n in range(3):
        assert client.post("/login", data={"login": "Chu.Tai.Khoan@example.vn", "password": f"sai-{n}"}
                           ).status_code == 401
    api = app.test_client()
    for n in range(2):
        wrong = api.post("/api/v1/auth/token", json={"login": "chu.tai.khoan@example.vn", "password": f"x-{n}"})
        assert wrong.status_code == 401
    refused = api.post("/api/v1/auth/token", json={"login": "chu.tai.khoan@example.vn", "password": TEST_PASSWORD})
    assert refused.status_code == 429
    error = refused.get_json()["error"]
    assert error["code"] == "sign_in_delayed" and "thử lại sau 15 giây" in error["message"]
    assert refused.headers["Retry-After"] == "15" and error["retry_after"] == 15
    page = client.post("/login", data={"login": "chu.tai.khoan@example.vn", "password": TEST_PASSWORD})
    assert page.status_code == 429 and page.headers["Retry-After"] == "15"
    clock.now += timedelta(seconds=15)
    assert api.post("/api/v1/auth/token", json={"login": "chu.tai.khoan@example.vn", "password": TEST_PASSWORD}
                    ).status_code == 200


def test_a_refused_sign_in_keeps_the_login_not_the_password_and_says_how_long(client, make_user, clock):
    make_user(phone="0987654321")
    for n in range(5):
        client.post("/login", data={"login": "0987 654 321", "password": f"sai-{n}"})
    response = client.post("/login", data={"login": "0987 654 321", "password": "bi-mat-khong-hien"})
    html = response.get_data(as_text=True)
    assert response.status_code == 429
    assert 'value="0987 654 321"' in html and "bi-mat-khong-hien" not in html
    assert "vừa bị nhập sai mật khẩu nhiều lần" in html
    assert 'data-seconds="15">15</span> giây.' in html  # the number in words, for a browser without scripts
    assert 'src="/static/retry-wait.js"' in html


def test_the_waits_grow_and_stop_at_the_cap(app):
    from quizapp.services.sign_in_guard import BackoffRule

    rule = BackoffRule(free=5, base=15, cap=300)
    assert [rule.wait_after(n) for n in range(1, 12)] == [0, 0, 0, 0, 15, 30, 60, 120, 240, 300, 300]
    assert rule.wait_after(10_000) == 300


class TestAddressLimitReached:
    @pytest.fixture
    def settings(self, settings):
        return {**settings, "QUIZAPP_REGISTER_LIMIT": "2 per minute", "QUIZAPP_LOGIN_LIMIT": "2 per minute"}

    def test_the_registration_form_comes_back_with_what_was_typed(self, client):
        load_units()
        for phone in ("0911111111", "0922222222"):
            client.post("/register", data=good_form(phone=phone, unit_code="KHONG-CO"))
        response = client.post("/register", data=good_form(phone="0933333333", full_name="Trần Văn Ba"))
        html = response.get_data(as_text=True)
        assert response.status_code == 429 and response.headers["Retry-After"].isdigit()
        assert "Có quá nhiều lượt đăng ký từ cùng địa chỉ mạng" in html
        assert 'value="Trần Văn Ba"' in html and 'value="0933333333"' in html
        assert "mat-khau-du-thi" not in html
        assert 'class="retry-seconds" data-seconds="' in html
        assert db.session.scalar(select(func.count()).select_from(User)) == 0

    def test_the_api_answers_429_in_its_error_shape_with_retry_after(self, app):
        api = app.test_client()
        for _ in range(2):
            api.post("/api/v1/auth/token", json={"login": "x@example.test", "password": "wrongwrong"})
        refused = api.post("/api/v1/auth/token", json={"login": "x@example.test", "password": "wrongwrong"})
        assert refused.status_code == 429 and refused.headers["Retry-After"].isdigit()
        assert refused.get_json()["error"]["code"] == "too_many_requests"


def test_people_still_sign_in_when_the_cache_is_out_of_reach(app, client, make_user, monkeypatch, caplog):
    from quizapp.extensions import cache

    def unreachable(*_args, **_kwargs):
        raise ConnectionError("Redis restarted")

    make_user(phone="0911222333")
    for method in ("get", "set", "delete"):
        monkeypatch.setattr(cache, method, unreachable)
    assert client.post("/login", data={"login": "0911222333", "password": "sai-mat-khau"}).status_code == 401
    assert client.post("/login", data={"login": "0911222333", "password": TEST_PASSWORD}).status_code == 302
    assert "cache unreachable" in caplog.text
