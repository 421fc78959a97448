"""What the people running the site rely on: health checks, one JSON log line per request, backups of a SQLite
database that restore, and a site that keeps serving when Redis is out of reach."""

from __future__ import annotations

import json
import logging
import shutil
from pathlib import Path

from flask.testing import FlaskClient
from sqlalchemy import select

from quizapp import create_app
from quizapp.cli.backup import backup
from quizapp.extensions import db
from quizapp.models import User

UNREACHABLE_DATABASE = "postgresql+psycopg://nobody@127.0.0.1:9/none?connect_timeout=2"
UNREACHABLE_REDIS = "redis://127.0.0.1:9/0?socket_connect_timeout=1"


def app_with(settings: dict[str, object], **changes: object):
    return create_app({**settings, **changes})


def test_healthz_answers_without_the_database(settings):
    app = app_with(settings, SQLALCHEMY_DATABASE_URI=UNREACHABLE_DATABASE)
    response = app.test_client().get("/healthz")
    assert response.status_code == 200 and response.json == {"status": "ok"}
    assert response.headers["Cache-Control"] == "no-store" and "Set-Cookie" not in response.headers


def test_readyz_names_the_database_when_it_is_down(settings):
    app = app_with(settings, SQLALCHEMY_DATABASE_URI=UNREACHABLE_DATABASE)
    response = app.test_client().get("/readyz")
    assert response.status_code == 503
    assert response.json == {"status": "unavailable", "checks": {"database": "down"}}


def test_readyz_is_ok_with_the_database_up(client: FlaskClient):
    response = client.get("/readyz")
    assert response.status_code == 200 and response.json == {"status": "ok", "checks": {"database": "ok"}}


def test_readyz_says_degraded_when_redis_is_down_and_pages_still_work(settings):
    app = app_with(settings, RATELIMIT_ENABLED=True, RATELIMIT_STORAGE_URI=UNREACHABLE_REDIS,
                   RATELIMIT_IN_MEMORY_FALLBACK_ENABLED=True, CACHE_TYPE="quizapp.cache_fallback.FallbackRedisCache",
                   CACHE_REDIS_URL=UNREACHABLE_REDIS)
    client = app.test_client()
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json == {"status": "degraded", "checks": {"database": "ok", "redis": "down"}}
    with app.app_context():
        from quizapp.extensions import cache

        assert cache.get("anything") is None and cache.set("anything", 1) is False  # a miss, not an error
    assert client.get("/login").status_code == 200  # rate-limited page: counted in this process meanwhile
    assert client.get("/api/v1/contests").status_code == 200


def test_one_json_line_per_request(client: FlaskClient, make_user, caplog):
    user = make_user(phone="0912345678")
    token = client.post("/api/v1/auth/token", json={"login": "0912345678", "password": "correct horse battery"})
    caplog.set_level(logging.INFO, logger="quizapp.requests")
    logger = logging.getLogger("quizapp.requests")
    logger.addHandler(caplog.handler)
    try:
        anonymous = client.get("/healthz")  # (first: the tests' app context, unlike a server's, outlives a request)
        response = client.get("/api/v1/attempts/999999?x=1", headers={
            "Authorization": f"Bearer {token.json['token']}", "X-Request-ID": "abc-123"})
        response.close(), anonymous.close()  # the line is written when the server closes the body (gunicorn does)
    finally:
        logger.removeHandler(caplog.handler)
    assert response.status_code == 404 and response.headers["X-Request-ID"] == "abc-123"
    lines = [json.loads(record.getMessage()) for record in caplog.records if record.name == "quizapp.requests"]
    first, second = sorted(lines, key=lambda line: line["path"] == "/healthz")
    assert first["method"] == "GET" and first["path"] == "/api/v1/attempts/999999?x=1" and first["status"] == 404
    assert first["user_id"] == user.id and first["request_id"] == "abc-123" and first["client"] == "127.0.0.1"
    assert isinstance(first["duration_ms"], float) and first["time"].endswith("+00:00")
    assert second["user_id"] is None and second["request_id"] == anonymous.headers["X-Request-ID"]
    assert len(second["request_id"]) == 32  # made here: the client's header was absent


def test_request_log_can_be_turned_off(settings):
    app = app_with(settings, QUIZAPP_REQUEST_LOG=False)
    assert "X-Request-ID" not in app.test_client().get("/healthz").headers


def test_sqlite_backup_restores_the_data_as_it_was(settings, tmp_path, monkeypatch):
    """Back up a live SQLite database, change it, restore by copying the file back (README): the data as it was."""
    from flask_migrate import upgrade

    from quizapp.auth import hash_password
    from quizapp.domain.text import fold
    from quizapp.models import Role
    from quizapp.models.types import utcnow

    database = tmp_path / "site.sqlite3"
    monkeypatch.setenv("QUIZAPP_INSTANCE_PATH", str(tmp_path / "instance"))
    app = app_with(settings, SQLALCHEMY_DATABASE_URI=f"sqlite:///{database}")

    def add(name: str) -> None:
        db.session.add(User(role=Role.PARTICIPANT, full_name=name, name_key=fold(name), phone=f"09{len(name):08d}",
                            password_hash=hash_password("mat-khau-1"), created_at=utcnow()))
        db.session.commit()

    target = tmp_path / "backup.sqlite3"
    with app.app_context():
        upgrade()
        add("Trước Sao Lưu")
        result = app.test_cli_runner().invoke(backup, ["-o", str(target)])
        assert result.exit_code == 0, result.output
        assert "đã sao lưu" in result.output and target.stat().st_size > 0
        add("Sau Khi Đã Sao Lưu")
        assert len(db.session.scalars(select(User.full_name)).all()) == 2
        db.session.remove()
        db.engine.dispose()  # the app stopped
        for leftover in (tmp_path / "site.sqlite3-wal", tmp_path / "site.sqlite3-shm"):
            leftover.unlink(missing_ok=True)
        shutil.copyfile(target, database)  # the restore
        assert db.session.scalars(select(User.full_name)).all() == ["Trước Sao Lưu"]
        refused = app.test_cli_runner().invoke(backup, ["-o", str(database)])
        assert refused.exit_code == 1 and "phải khác" in refused.output
        db.session.remove()
        db.engine.dispose()


def test_postgresql_backup_points_to_pg_dump(settings):
    app = app_with(settings, SQLALCHEMY_DATABASE_URI=UNREACHABLE_DATABASE)
    with app.app_context():
        result = app.test_cli_runner().invoke(backup, ["-o", "unused.dump"])
    assert result.exit_code == 1 and "pg_dump" in result.output and "README" in result.output
    assert not Path("unused.dump").exists()


def test_quizapp_db_backup_is_a_command_of_the_db_group(tmp_path):
    """The real console script: ``quizapp db backup`` sits beside Flask-Migrate's ``db upgrade``."""
    import os
    import sqlite3
    import subprocess
    import sys

    database = tmp_path / "small.sqlite3"
    with sqlite3.connect(database) as connection:
        connection.execute("CREATE TABLE kept (value TEXT)")
        connection.execute("INSERT INTO kept VALUES ('Hồ Chí Minh')")
    connection.close()
    env = dict(os.environ, DATABASE_URL=f"sqlite:///{database}", QUIZAPP_INSTANCE_PATH=str(tmp_path / "instance"))
    done = subprocess.run([str(Path(sys.executable).with_name("quizapp")), "db", "backup", "-o",
                           str(tmp_path / "copy.sqlite3")], env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    copy = sqlite3.connect(tmp_path / "copy.sqlite3")
    assert copy.execute("SELECT value FROM kept").fetchall() == [("Hồ Chí Minh",)]
    copy.close()
