"""A forgotten password: the link is mailed through a real SMTP server (aiosmtpd, started here on a free loopback
port), works once, expires, and the page tells nobody which accounts exist."""

from __future__ import annotations

import re
import threading
from datetime import timedelta
from email.message import EmailMessage

import pytest
from sqlalchemy import select

from quizapp import config
from quizapp.extensions import db
from quizapp.models import AuditEntry, Role, User
from quizapp.models.types import utcnow
from quizapp.services import mail, password_reset
from tests.conftest import TEST_PASSWORD
from tests.mailbox import Inbox, free_port

NEW_PASSWORD = "mat-khau-moi-2026"


@pytest.fixture
def settings(settings, smtp_server):
    _inbox, port = smtp_server
    return {**settings, "MAIL_SERVER": "127.0.0.1", "MAIL_PORT": port,
            "MAIL_DEFAULT_SENDER": "Ban tổ chức cuộc thi <btc@example.test>"}


@pytest.fixture
def inbox(smtp_server) -> Inbox:
    return smtp_server[0]


@pytest.fixture
def mails_sent(monkeypatch) -> list[threading.Thread]:
    """The background sends of this test: joined to know that no other mail is on its way."""
    threads: list[threading.Thread] = []
    real = mail.send_in_background

    def spy(settings, message):
        threads.append(real(settings, message))
        return threads[-1]

    monkeypatch.setattr(mail, "send_in_background", spy)
    return threads


def link_in(message: EmailMessage) -> str:
    body = message.get_body(("plain",)).get_content()
    found = re.search(r"http://localhost(/password/reset/\S+)", body)
    assert found, body
    return found.group(1)


def fresh(user_id: int) -> User:
    db.session.rollback()
    return db.session.get(User, user_id)


def ask_for_link(client, inbox, login: str, **query) -> str:
    response = client.post("/password/forgot", query_string=query, data={"login": login})
    assert response.status_code == 303
    return link_in(inbox.wait_for()[-1])


def test_the_mailed_link_sets_a_new_password_that_works_at_once(client, inbox, make_user):
    user = make_user(Role.PARTICIPANT, phone="0912345678", email="thao@example.vn", full_name="Lê Thị Phương Thảo")
    api_token = client.post("/api/v1/auth/token", json={"login": "0912345678", "password": TEST_PASSWORD}).json["token"]

    response = client.post("/password/forgot", data={"login": "+84 912 345 678"})
    assert response.status_code == 303 and response.headers["Location"] == "/password/forgot/sent"
    sent_page = client.get("/password/forgot/sent").get_data(as_text=True)
    assert "đường dẫn đặt lại mật khẩu đã được gửi" in sent_page

    [message] = inbox.wait_for()
    assert message["To"] == "thao@example.vn" and "btc@example.test" in message["From"]
    assert message["Subject"] == "Đặt lại mật khẩu tài khoản thi trắc nghiệm"
    body = message.get_body(("plain",)).get_content()
    assert "Xin chào Lê Thị Phương Thảo" in body and "60 phút" in body and "một lần" in body

    link = link_in(message)
    page = client.get(link)
    assert page.status_code == 200 and page.headers["Referrer-Policy"] == "no-referrer"
    assert "Mật khẩu mới" in page.get_data(as_text=True) and "thao@example.vn" in page.get_data(as_text=True)
    done = client.post(link, data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert done.status_code == 303 and done.headers["Location"] == "/login"
    assert "Đã đặt mật khẩu mới" in client.get("/login").get_data(as_text=True)

    assert client.post("/login", data={"login": "0912345678", "password": TEST_PASSWORD}).status_code == 401
    assert client.post("/login", data={"login": "0912345678", "password": NEW_PASSWORD}).status_code == 302
    refused = client.get("/api/v1/attempts/999999", headers={"Authorization": f"Bearer {api_token}"})
    assert refused.status_code == 401  # API tokens issued before the change are revoked
    assert fresh(user.id).token_version == 1
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "user.reset_password"))
    assert entry.actor_id == user.id and entry.object_id == user.id


def test_a_link_works_once(client, inbox, make_user):
    make_user(Role.PARTICIPANT, phone="0912345678", email="thao@example.vn")
    link = ask_for_link(client, inbox, "thao@example.vn")
    assert client.post(link, data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD}).status_code == 303

    again = client.get(link)
    assert again.status_code == 400 and "đã được dùng" in again.get_data(as_text=True)
    second = client.post(link, data={"password": "mat-khau-thu-ba", "confirm": "mat-khau-thu-ba"})
    assert second.status_code == 400
    assert client.post("/login", data={"login": "thao@example.vn", "password": "mat-khau-thu-ba"}).status_code == 401
    assert client.post("/login", data={"login": "thao@example.vn", "password": NEW_PASSWORD}).status_code == 302


def test_an_older_link_stops_working_when_a_newer_one_is_used(client, inbox, make_user):
    make_user(Role.PARTICIPANT, phone="0912345678", email="thao@example.vn")
    first = ask_for_link(client, inbox, "thao@example.vn")
    client.post("/password/forgot", data={"login": "thao@example.vn"})
    second = link_in(inbox.wait_for(2)[-1])
    assert client.post(second, data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD}).status_code == 303
    assert client.get(first).status_code == 400


def test_an_organizer_reset_also_ends_a_pending_link(app, client, inbox, make_user):
    from quizapp.services.participants import reset_password

    user = make_user(Role.PARTICIPANT, phone="0912345678", email="thao@example.vn")
    organizer = make_user(Role.ORGANIZER)
    link = ask_for_link(client, inbox, "0912345678")
    reset_password(fresh(user.id), "mat-khau-btc-dat", actor=organizer, now=utcnow())
    db.session.commit()
    assert client.get(link).status_code == 400


def test_a_link_expires_after_an_hour(app, client, make_user):
    user = make_user(Role.PARTICIPANT, phone="0912345678", email="thao@example.vn")
    made = utcnow() - timedelta(minutes=61)
    token = password_reset.make_token(user, secret=app.config["SECRET_KEY"], now=made)
    page = client.get(f"/password/reset/{token}")
    assert page.status_code == 400 and "đã hết hạn" in page.get_data(as_text=True)
    refused = client.post(f"/password/reset/{token}", data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert refused.status_code == 400
    assert client.post("/login", data={"login": "0912345678", "password": TEST_PASSWORD}).status_code == 302

    recent = password_reset.make_token(user, secret=app.config["SECRET_KEY"], now=utcnow() - timedelta(minutes=59))
    assert client.get(f"/password/reset/{recent}").status_code == 200


@pytest.mark.parametrize("token", ["not-a-token", "eyJ1IjoxLCJ2IjowfQ.forged-signature"])
def test_a_forged_or_mangled_link_is_refused(client, make_user, token):
    make_user(Role.PARTICIPANT, phone="0912345678", email="thao@example.vn")
    page = client.get(f"/password/reset/{token}")
    assert page.status_code == 400 and "không hợp lệ" in page.get_data(as_text=True)
    assert "Yêu cầu đường dẫn mới" in page.get_data(as_text=True)


def test_a_link_signed_with_another_key_is_refused(app, client, make_user):
    user = make_user(Role.PARTICIPANT, phone="0912345678", email="thao@example.vn")
    token = password_reset.make_token(user, secret="another-site's key", now=utcnow())
    assert client.get(f"/password/reset/{token}").status_code == 400


def test_a_short_or_mistyped_new_password_is_refused_and_the_old_one_still_works(client, inbox, make_user):
    user = make_user(Role.PARTICIPANT, phone="0912345678", email="thao@example.vn")
    link = ask_for_link(client, inbox, "0912345678")
    short = client.post(link, data={"password": "ngan", "confirm": "ngan"})
    assert short.status_code == 422 and "ít nhất 8 ký tự" in short.get_data(as_text=True)
    mistyped = client.post(link, data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD + "x"})
    assert mistyped.status_code == 422 and "không khớp" in mistyped.get_data(as_text=True)
    assert fresh(user.id).token_version == 0
    assert client.post("/login", data={"login": "0912345678", "password": TEST_PASSWORD}).status_code == 302
    assert client.post(link, data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD}).status_code == 303  # still good


def test_the_answer_does_not_tell_which_accounts_exist(client, inbox, make_user, mails_sent):
    make_user(Role.PARTICIPANT, phone="0912345678", email="thao@example.vn")
    make_user(Role.PARTICIPANT, phone="0987654321")  # no email
    make_user(Role.PARTICIPANT, phone="0911111111", email="off@example.vn", active=False)
    answers = [client.post("/password/forgot", data={"login": login})
               for login in ("0912345678", "0987654321", "0911111111", "nobody@example.vn", "0900000000")]
    assert {(answer.status_code, answer.headers["Location"], answer.get_data()) for answer in answers} == {
        (303, "/password/forgot/sent", answers[0].get_data())}
    for thread in mails_sent:
        thread.join(timeout=10)
    assert [message["To"] for message in inbox.wait_for()] == ["thao@example.vn"]


def test_the_page_says_who_resets_a_password_without_email(client):
    page = client.get("/password/forgot").get_data(as_text=True)
    assert "Tài khoản không có email?" in page and "Ban tổ chức" in page and "đặt lại mật khẩu cho bạn" in page
    assert 'name="login"' in page


def test_an_empty_request_says_what_is_missing(client, mails_sent):
    response = client.post("/password/forgot", data={"login": "  "})
    assert response.status_code == 422 and "Hãy nhập số điện thoại hoặc email" in response.get_data(as_text=True)
    assert mails_sent == []


def test_next_survives_the_mail_round_trip(client, inbox, make_user):
    make_user(Role.PARTICIPANT, phone="0912345678", email="thao@example.vn")
    forgot = client.get("/login?next=/rounds/7/start").get_data(as_text=True)
    assert 'href="/password/forgot?next=/rounds/7/start"' in forgot
    link = ask_for_link(client, inbox, "0912345678", next="/rounds/7/start")
    assert "next=/rounds/7/start" in link
    done = client.post(link, data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert done.headers["Location"] == "/login?next=/rounds/7/start"
    signed_in = client.post("/login?next=/rounds/7/start", data={"login": "0912345678", "password": NEW_PASSWORD})
    assert signed_in.headers["Location"] == "/rounds/7/start"


def test_an_outside_next_does_not_reach_the_mail(client, inbox, make_user):
    make_user(Role.PARTICIPANT, phone="0912345678", email="thao@example.vn")
    link = ask_for_link(client, inbox, "0912345678", next="https://evil.example/")
    assert "evil" not in link


class TestBaseUrl:
    @pytest.fixture
    def settings(self, settings):
        return {**settings, "QUIZAPP_BASE_URL": "https://thi.example.vn/"}

    def test_links_use_the_configured_address_whatever_host_the_request_named(self, client, inbox, make_user):
        make_user(Role.PARTICIPANT, phone="0912345678", email="thao@example.vn")
        client.post("/password/forgot", data={"login": "0912345678"}, headers={"Host": "evil.example"})
        body = inbox.wait_for()[0].get_body(("plain",)).get_content()
        assert "https://thi.example.vn/password/reset/" in body and "evil.example" not in body


class TestWithoutMail:
    @pytest.fixture
    def settings(self, settings):
        return {**settings, "MAIL_SERVER": None}

    def test_the_page_sends_people_to_the_organizer(self, client, make_user, mails_sent):
        make_user(Role.PARTICIPANT, phone="0912345678", email="thao@example.vn")
        page = client.get("/password/forgot").get_data(as_text=True)
        assert "không gửi email" in page and "Ban tổ chức" in page and 'name="login"' not in page
        assert client.post("/password/forgot", data={"login": "0912345678"}).status_code == 200
        assert mails_sent == []


class TestRateLimit:
    @pytest.fixture
    def settings(self, settings):
        return {**settings, "RATELIMIT_ENABLED": True, "QUIZAPP_PASSWORD_RESET_LIMIT": "2 per minute",
                "QUIZAPP_PASSWORD_RESET_ADDRESS_LIMIT": "2 per minute"}

    def test_a_hall_behind_one_address_is_not_refused_by_default(self, app, client, mails_sent):
        app.config["QUIZAPP_PASSWORD_RESET_ADDRESS_LIMIT"] = config.Defaults.QUIZAPP_PASSWORD_RESET_ADDRESS_LIMIT
        answers = [client.post("/password/forgot", data={"login": f"nguoi{n}@example.vn"}).status_code
                   for n in range(30)]
        assert answers == [303] * 30

    def test_requests_from_one_address_are_limited(self, client, mails_sent):
        for login in ("a@example.vn", "b@example.vn"):
            assert client.post("/password/forgot", data={"login": login}).status_code == 303
        response = client.post("/password/forgot", data={"login": "c@example.vn"})
        assert response.status_code == 429 and "thử lại" in response.get_data(as_text=True)

    def test_requests_about_one_account_are_limited_from_any_address(self, client, inbox, make_user, mails_sent):
        make_user(Role.PARTICIPANT, phone="0912345678", email="thao@example.vn")
        for address, login in (("10.0.0.1", "0912345678"), ("10.0.0.2", "+84 912 345 678")):
            client.post("/password/forgot", data={"login": login}, environ_base={"REMOTE_ADDR": address})
        third = client.post("/password/forgot", data={"login": "0912.345.678"},
                            environ_base={"REMOTE_ADDR": "10.0.0.3"})
        assert third.status_code == 429
        for thread in mails_sent:
            thread.join(timeout=10)
        assert len(inbox.wait_for(2)) == 2


def test_mail_settings_come_from_the_environment(tmp_path):
    environ = {"SECRET_KEY": "k", "MAIL_SERVER": "smtp.example.vn", "MAIL_PORT": "2525", "MAIL_USERNAME": "btc",
               "MAIL_PASSWORD": "pw", "MAIL_USE_TLS": "true", "MAIL_DEFAULT_SENDER": "btc@example.vn"}
    read = config.from_environment(environ, str(tmp_path))
    settings = mail.MailSettings.from_config(read)
    assert settings == mail.MailSettings(server="smtp.example.vn", port=2525, sender="btc@example.vn",
                                         username="btc", password="pw", use_tls=True, use_ssl=False)
    assert mail.MailSettings.from_config({"MAIL_SERVER": "smtp.example.vn", "MAIL_USE_SSL": True}).port == 465
    assert mail.MailSettings.from_config({"MAIL_SERVER": ""}) is None


def test_an_unreachable_server_is_a_mail_error():
    settings = mail.MailSettings(server="127.0.0.1", port=free_port(), sender="btc@example.vn", timeout=5)
    with pytest.raises(mail.MailError):
        mail.send(settings, mail.Mail(to="thao@example.vn", subject="Thử", body="Thử"))
