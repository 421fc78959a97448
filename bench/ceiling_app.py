"""The ceiling of the attempt-flow benchmark: the least a Flask request that writes to PostgreSQL can cost.

One route, ``POST /hit``: read a small JSON body, INSERT one row in its own transaction (one commit, as every
write request of quizapp does), answer a small JSON object. Same stack as quizapp underneath (Flask, SQLAlchemy's
connection pool, psycopg 3), nothing above it: no extensions, no ORM session, no auth, no pre-ping.
Served by ``bench/attempt_flow.py`` with the same gunicorn settings as the app:

    DATABASE_URL=postgresql://root@127.0.0.1:5432/DB gunicorn -w 2 -b 127.0.0.1:PORT bench.ceiling_app:app

The benchmark creates the table first (``CEILING_TABLE_SQL``), so that two workers starting together do not race.
"""

from __future__ import annotations

import os

from flask import Flask, jsonify, request
from sqlalchemy import create_engine, text


def _engine_url() -> str:
    url = os.environ["DATABASE_URL"]
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


CEILING_TABLE_SQL = ("CREATE TABLE IF NOT EXISTS bench_ceiling_hits "
                     "(id bigserial PRIMARY KEY, at timestamptz NOT NULL DEFAULT now(), value integer)")
engine = create_engine(_engine_url()) if "DATABASE_URL" in os.environ else None

app = Flask(__name__)
INSERT = text("INSERT INTO bench_ceiling_hits (value) VALUES (:value) RETURNING id")


@app.post("/hit")
def hit():
    data = request.get_json(silent=True) or {}
    value = data.get("value") if isinstance(data.get("value"), int) else 0
    with engine.begin() as connection:  # type: ignore[union-attr]
        row_id = connection.execute(INSERT, {"value": value}).scalar_one()
    return jsonify({"id": row_id})
