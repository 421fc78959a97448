"""When the database is unreachable or a pooled connection has died: a 503 to retry, never a 500, and recovery."""

from __future__ import annotations

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import OperationalError

from quizapp.extensions import db
from tests.conftest import TEST_PASSWORD


def _lost_connection(*_args, **_kwargs):
    raise OperationalError("SELECT 1", {}, Exception("server closed the connection unexpectedly"))


def test_the_api_answers_503_with_retry_after(client, monkeypatch):
    monkeypatch.setattr("quizapp.views.api.auth.check_credentials", _lost_connection)
    response = client.post("/api/v1/auth/token", json={"login": "0912345678", "password": "mat-khau-1"})
    assert response.status_code == 503 and response.headers["Retry-After"] == "1"
    assert response.json["error"]["code"] == "database_unavailable"
    assert "thử lại" in response.json["error"]["message"]


def test_a_page_answers_503_in_words(client, monkeypatch):
    monkeypatch.setattr("quizapp.views.auth.authenticate", _lost_connection)
    response = client.post("/login", data={"login": "a@example.test", "password": "whatever-1"})
    assert response.status_code == 503
    assert "thử lại" in response.get_data(as_text=True)


def test_after_the_database_restarts_one_request_fails_and_the_next_succeeds(app, client, make_user):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("needs PostgreSQL: SQLite has no server connection to lose")
    make_user(phone="0912345678")
    token = client.post("/api/v1/auth/token", json={"login": "0912345678", "password": TEST_PASSWORD})
    assert token.status_code == 200, token.json
    headers = {"Authorization": f"Bearer {token.json['token']}"}
    assert client.get("/api/v1/attempts/999999", headers=headers).status_code == 404
    db.session.remove()  # the pooled connection stays open in the pool, as between two requests
    admin = create_engine(db.engine.url)
    with admin.connect() as connection:  # what a database restart does to the app's connections
        connection.execute(text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                                "WHERE datname = current_database() AND pid <> pg_backend_pid()"))
    admin.dispose()
    lost = client.get("/api/v1/attempts/999999", headers=headers)
    assert lost.status_code == 503 and lost.json["error"]["code"] == "database_unavailable"
    assert client.get("/api/v1/attempts/999999", headers=headers).status_code == 404
