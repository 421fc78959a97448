"""Health checks for the people and machines that run the site (not for participants).

- ``GET /healthz`` (liveness): 200 as long as the process answers; touches neither the database nor Redis, so a
  database outage never gets the app servers restarted for nothing.
- ``GET /readyz`` (readiness): 200 ``{"status": "ok", ...}`` when the database answers and, with ``REDIS_URL``,
  Redis too; 503 otherwise, ``"unavailable"`` when the database is down (nothing can be saved) and ``"degraded"``
  when only Redis is (the app serves, with rate limits counted in each process and caches skipped). ``checks``
  names each part: ``"ok"`` or ``"down"``.

Both are exempt from rate limits, never cached (``Cache-Control: no-store``), and open no cookie session.
"""

from __future__ import annotations

import logging

from flask import Blueprint, current_app, jsonify
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from quizapp.extensions import db, limiter

bp = Blueprint("health", __name__)
log = logging.getLogger(__name__)

#: Seconds a readiness check waits for Redis before calling it down.
REDIS_TIMEOUT = 1.0


@bp.get("/healthz")
@limiter.exempt
def healthz():
    return _no_store(jsonify({"status": "ok"})), 200


@bp.get("/readyz")
@limiter.exempt
def readyz():
    checks = {"database": _database_state()}
    redis_url = _redis_url()
    if redis_url:
        checks["redis"] = _redis_state(redis_url)
    if checks["database"] != "ok":
        status = "unavailable"
    elif checks.get("redis", "ok") != "ok":
        status = "degraded"
    else:
        status = "ok"
    return _no_store(jsonify({"status": status, "checks": checks})), 200 if status == "ok" else 503


def _database_state() -> str:
    """One ``SELECT 1`` on a pooled connection; a second try on a fresh one, since the first may have been a
    connection that died with a database restart (the pool then replaces it)."""
    for _ in range(2):
        try:
            with db.engine.connect() as connection:
                connection.execute(text("SELECT 1"))
            return "ok"
        except SQLAlchemyError as error:
            failure = error
    log.warning("readiness: database unreachable: %s", failure)
    return "down"


def _redis_url() -> str | None:
    uri = str(current_app.config.get("RATELIMIT_STORAGE_URI") or "")
    if uri.startswith(("redis://", "rediss://", "unix://")):
        return uri
    return current_app.config.get("CACHE_REDIS_URL") or None


def _redis_state(url: str) -> str:
    import redis

    client = redis.Redis.from_url(url, socket_connect_timeout=REDIS_TIMEOUT, socket_timeout=REDIS_TIMEOUT)
    try:
        client.ping()
        return "ok"
    except redis.RedisError as error:
        log.warning("readiness: Redis unreachable (%s): rate limits are counted in each process", error)
        return "down"
    finally:
        client.close()


def _no_store(response):
    response.headers["Cache-Control"] = "no-store"
    return response
