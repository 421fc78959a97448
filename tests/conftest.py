"""Shared fixtures: an app per test on a schema built once per run by the real migrations.

SQLite (a file in a temporary folder) by default; PostgreSQL when TEST_DATABASE_URL is set.
Tables are emptied after each test, so tests may commit as the app does.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from itertools import count
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import text

from quizapp import create_app
from quizapp.domain.text import fold
from quizapp.extensions import db
from quizapp.models import Role, User
from quizapp.models.types import utcnow

TEST_PASSWORD = "correct horse battery"


def _database_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    url = os.environ.get("TEST_DATABASE_URL")
    if url:
        return url.replace("postgresql://", "postgresql+psycopg://", 1) if url.startswith("postgresql://") else url
    return "sqlite:///" + str(tmp_path_factory.mktemp("db") / "test.sqlite3")


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The test database, migrated once to the newest schema (which tests the migrations themselves)."""
    url = _database_url(tmp_path_factory)
    app = create_app(_settings(url, tmp_path_factory.mktemp("instance")))
    with app.app_context():
        from flask_migrate import downgrade, upgrade

        if url.startswith("postgresql"):
            with db.engine.begin() as connection:
                connection.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
        upgrade()
    yield url
    with app.app_context():
        db.engine.dispose()
        if url.startswith("postgresql"):
            downgrade(revision="base")


def _settings(url: str, instance: Path) -> dict[str, object]:
    return {
        "TESTING": True,
        "SECRET_KEY": "test-secret",
        "SQLALCHEMY_DATABASE_URI": url,
        "RATELIMIT_ENABLED": False,
        "RATELIMIT_STORAGE_URI": "memory://",
        "CACHE_TYPE": "NullCache",
        "WTF_CSRF_ENABLED": False,
        "QUIZAPP_CHECK_RESPONSES": True,  # every API answer checked against its declared shape
        # Cheap hashes keep the suite fast; production settings are tested in tests/test_auth.py.
        "QUIZAPP_ARGON2_TIME_COST": 1,
        "QUIZAPP_ARGON2_MEMORY_KIB": 1024,
    }


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> dict[str, object]:
    """Override in a test module (or parametrize) to change configuration before the app is built."""
    return _settings(database_url, tmp_path)


@pytest.fixture
def app(settings: dict[str, object], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Flask]:
    monkeypatch.setenv("QUIZAPP_INSTANCE_PATH", str(tmp_path / "instance"))
    application = create_app(settings)
    with application.app_context():
        yield application
        db.session.remove()
        _empty_tables()
        db.engine.dispose()  # each test's app has its own pool: close its connections now, not at some later GC


def _empty_tables() -> None:
    tables = [t.name for t in reversed(db.metadata.sorted_tables)]
    with db.engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            connection.execute(text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))
        else:
            for name in tables:
                connection.execute(text(f"DELETE FROM {name}"))


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


_serial = count(1)


@pytest.fixture
def make_user(app: Flask) -> Callable[..., User]:
    """Create and commit a user: ``make_user(Role.ORGANIZER)`` or with email/phone/password/full_name."""
    from quizapp.auth import hash_password

    def make(role: Role = Role.PARTICIPANT, *, email: str | None = None, phone: str | None = None,
             password: str = TEST_PASSWORD, full_name: str = "Nguyễn Văn Thử", **extra: object) -> User:
        n = next(_serial)
        if email is None and phone is None:
            email = f"user{n}@example.test"
        user = User(role=role, email=email, phone=phone, full_name=full_name, name_key=fold(full_name),
                    password_hash=hash_password(password), created_at=utcnow(), **extra)
        db.session.add(user)
        db.session.commit()
        return user

    return make


@pytest.fixture
def login(client: FlaskClient) -> Callable[[User], FlaskClient]:
    def sign_in(user: User, password: str = TEST_PASSWORD) -> FlaskClient:
        response = client.post("/login", data={"login": user.email or user.phone, "password": password})
        assert response.status_code == 302, response.get_data(as_text=True)
        return client

    return sign_in


@pytest.fixture
def organizer_client(make_user, login) -> FlaskClient:
    return login(make_user(Role.ORGANIZER))


@pytest.fixture
def smtp_server():
    """(the inbox of a local SMTP server, its port), for the length of one test."""
    from aiosmtpd.controller import Controller

    from tests.mailbox import Inbox, free_port

    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    yield inbox, controller.port
    controller.stop()
