"""quizapp: online multiple-choice contests. ``create_app`` is the only way an app comes to life."""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

from flask import Flask
from werkzeug.routing import IntegerConverter

from quizapp import config
from quizapp.extensions import cache, csrf, db, limiter, migrate
from quizapp.json_provider import OrjsonProvider
from quizapp.models.types import MAX_ID


def create_app(overrides: Mapping[str, Any] | None = None) -> Flask:
    """Build an app: configuration, extensions, blueprints, CLI and error handlers.

    Reads the environment here and nowhere else; touches neither the database nor the network.
    ``overrides`` (tests, tools) win over the environment.
    """
    app = Flask(__name__, instance_path=os.environ.get("QUIZAPP_INSTANCE_PATH") or None,
                instance_relative_config=True)
    app.config.from_object(config.Defaults)
    os.makedirs(app.instance_path, exist_ok=True)
    environ = dict(os.environ)
    if overrides and "SECRET_KEY" in overrides:
        environ["SECRET_KEY"] = overrides["SECRET_KEY"]
    app.config.update(config.from_environment(environ, app.instance_path))
    if overrides:
        app.config.update(overrides)

    app.url_map.converters["int"] = DatabaseId
    # JSON as UTF-8 text, keys in the order written, written by orjson: Vietnamese text escaped as \uXXXX is twice
    # as long, and an attempt's questions, the API's largest answer, are sent at every start.
    app.json = OrjsonProvider(app)
    _init_extensions(app)
    _register_blueprints(app)

    from quizapp.middleware import PublicPageCache
    from quizapp.services import leaderboard
    from quizapp.transactions import end_request

    app.after_request(end_request)  # one transaction per request, ended here (quizapp.transactions)
    leaderboard.init_app(app)  # a round's cached results are dropped when a change to them commits
    app.wsgi_app = PublicPageCache(app.wsgi_app, app.extensions["cache"][cache])  # type: ignore[method-assign]
    from quizapp import security

    security.init_app(app)  # security headers on every response; the trusted proxies' fix, outermost
    from quizapp import request_log

    request_log.init_app(app)  # one JSON line per request, around everything (QUIZAPP_REQUEST_LOG=0: off)

    from quizapp import cli, errors, i18n

    i18n.init_app(app)
    errors.init_app(app)
    cli.init_app(app)
    return app


class DatabaseId(IntegerConverter):
    """``<int:...>`` in every route: ids are 32-bit integer columns, so a larger number in a URL is a plain 404
    (not an overflow error from the database)."""

    def __init__(self, url_map, *args, **kwargs) -> None:
        kwargs.setdefault("max", MAX_ID)
        super().__init__(url_map, *args, **kwargs)


def _init_extensions(app: Flask) -> None:
    from quizapp import auth, models  # noqa: F401  (models register their tables on the metadata)

    db.init_app(app)
    migrate.init_app(app, db, directory=os.path.join(os.path.dirname(os.path.dirname(__file__)), "migrations"),
                     render_as_batch=True, compare_type=True)
    csrf.init_app(app)
    limiter.init_app(app)
    cache.init_app(app)
    auth.init_app(app)
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        _tune_sqlite(app)


def _tune_sqlite(app: Flask) -> None:
    """WAL and a busy timeout let readers and one writer share the file; foreign keys are off by default in SQLite."""
    from sqlalchemy import event

    with app.app_context():
        engine = db.engine

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):  # pragma: no cover - exercised by every SQLite test
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=10000")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()


def _register_blueprints(app: Flask) -> None:
    from quizapp.views import (
        admin,
        api,
        auth,
        certificates,
        contests,
        health,
        judge,
        main,
        officer,
        organizer,
        play,
        results,
    )

    app.register_blueprint(main.bp)
    app.register_blueprint(auth.bp)
    app.register_blueprint(organizer.bp)
    app.register_blueprint(api.bp)
    app.register_blueprint(contests.bp)
    app.register_blueprint(play.bp)
    app.register_blueprint(results.bp)
    app.register_blueprint(judge.bp)
    app.register_blueprint(judge.public_bp)
    app.register_blueprint(certificates.bp)
    app.register_blueprint(health.bp)
    app.register_blueprint(officer.bp)
    app.register_blueprint(admin.bp)
