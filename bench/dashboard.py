"""Benchmark: the organizers' dashboard of a round with 1,000,000 attempts by 400,000 participants under 1,000
units (the data of bench/ranking.py, its round made open), through the pages as an organizer sees them.

Targets (PostgreSQL, the reference machine, 2 cores): every dashboard page and its JSON < 1 s warm and < 3 s cold,
and no full scan of the attempts per page view (checked: every statement of a warm view is EXPLAINed and a
sequential scan of ``attempts`` fails the run).

    .venv/bin/python -m bench.dashboard --database-url postgresql://root@127.0.0.1:5432/EMPTY_DB   # EMPTIED, filled
    .venv/bin/python -m bench.dashboard --database-url ... --reuse     # a database filled by an earlier run
    options: --participants N --attempts N --units N --new-attempts N --repeat N

"Cold" here: a new process (new app, empty connection pool), first once before the counters exist (the first
view then builds them from the whole round) and once after; the database's own buffers are not emptied.
"""

from __future__ import annotations

import argparse
import statistics
import time
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

from bench.ranking import _bulk, fill

PASSWORD = "bench-dashboard-password"


def bench_app(url: str):
    from quizapp import create_app

    return create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench", "CACHE_TYPE": "NullCache",
                       "RATELIMIT_ENABLED": False, "WTF_CSRF_ENABLED": False,
                       "QUIZAPP_ARGON2_TIME_COST": 1, "QUIZAPP_ARGON2_MEMORY_KIB": 1024,
                       "QUIZAPP_DASHBOARD_REFRESH_SECONDS": 3600})


def prepare(url: str) -> int:
    """The round opened 8 days ago closes tomorrow (a running round); a third of the people are party members,
    the others youth union members (the category filter); an organizer to sign in; no counters."""
    from sqlalchemy import delete, select, text, update

    from quizapp.auth import hash_password
    from quizapp.extensions import db
    from quizapp.models import Role, Round, RoundSummary, User

    app = bench_app(url)
    with app.app_context():
        round_ = db.session.scalars(select(Round)).one()
        db.session.execute(update(Round).where(Round.id == round_.id)
                           .values(closes_at=datetime.now(UTC) + timedelta(days=1)))
        if db.session.scalar(select(User.id).where(User.category.is_not(None)).limit(1)) is None:
            db.session.execute(text("UPDATE users SET category = CASE WHEN id % 3 = 0 THEN 'Đảng viên' "
                                    "ELSE 'Đoàn viên' END WHERE role = 'participant'"))
        for table in ("round_unit_figures", "round_hour_figures", "round_score_figures"):
            db.session.execute(text(f"DELETE FROM {table}"))
        db.session.execute(delete(RoundSummary))
        if db.session.scalar(select(User.id).where(User.email == "bench-organizer@example.test")) is None:
            db.session.add(User(role=Role.ORGANIZER, email="bench-organizer@example.test", full_name="Ban tổ chức",
                                name_key="ban to chuc", password_hash=hash_password(PASSWORD),
                                created_at=datetime.now(UTC)))
        db.session.commit()
        round_id = round_.id
        db.engine.dispose()
    return round_id


def signed_in(app):
    client = app.test_client()
    response = client.post("/login", data={"login": "bench-organizer@example.test", "password": PASSWORD})
    assert response.status_code == 302, response.status_code
    return client


def pages(round_id: int, unit_id: int) -> dict[str, str]:
    base = f"/organizer/dashboard/rounds/{round_id}"
    return {"round page": base, "round JSON": f"{base}/data.json", "drill-down page": f"{base}?unit={unit_id}",
            "category filter JSON": f"{base}/data.json?category=Đảng viên", "contest page":
            "/organizer/dashboard/contests/1", ".xlsx": f"{base}/dashboard.xlsx"}


def timed_get(client, path: str) -> float:
    started = time.perf_counter()
    response = client.get(path)
    elapsed = time.perf_counter() - started
    assert response.status_code == 200, (path, response.status_code, response.get_data(as_text=True)[:300])
    return elapsed


def cold(url: str, round_id: int, label: str) -> None:
    app = bench_app(url)
    with app.app_context():
        client = signed_in(app)
        for name, path in pages(round_id, 2).items():
            print(f"cold ({label}) {name}: {timed_get(client, path):.3f} s (target < 3 s)", flush=True)
            label = "same process"
        from quizapp.extensions import db

        db.engine.dispose()


def warm(url: str, round_id: int, repeat: int) -> None:
    app = bench_app(url)
    with app.app_context():
        client = signed_in(app)
        for name, path in pages(round_id, 2).items():
            timed_get(client, path)
            times = [timed_get(client, path) for _ in range(repeat)]
            print(f"warm {name}: median {statistics.median(times):.3f} s, max {max(times):.3f} s "
                  f"over {repeat} (target < 1 s)", flush=True)
        check_plans(client, pages(round_id, 2)["round page"])
        from quizapp.extensions import db

        db.engine.dispose()


@contextmanager
def statements():
    from sqlalchemy import event

    from quizapp.extensions import db

    seen: list[tuple[str, object]] = []

    def record(conn, cursor, statement, parameters, context, executemany):
        if statement.lstrip().upper().startswith("SELECT") and not executemany:
            seen.append((statement, parameters))

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(db.engine, "before_cursor_execute", record)


def check_plans(client, path: str) -> None:
    """EXPLAIN every SELECT of one warm view of ``path``: none may scan the attempts table sequentially."""
    from quizapp.extensions import db

    with statements() as seen:
        timed_get(client, path)
    scans = 0
    with db.engine.connect() as connection:
        cursor = connection.connection.driver_connection.cursor()
        for statement, parameters in seen:
            cursor.execute("EXPLAIN " + statement, parameters)
            plan = "\n".join(row[0] for row in cursor.fetchall())
            if "Seq Scan on attempts" in plan:
                scans += 1
                print(f"FULL SCAN of attempts in:\n{statement}\n{plan}")
    print(f"plans of the {len(seen)} SELECTs of a warm round page: {scans} sequential scans of attempts "
          f"(target 0)", flush=True)
    if scans:
        raise SystemExit(1)


def incremental(url: str, round_id: int, new_attempts: int) -> None:
    """``new_attempts`` more entries arrive (the last hour's); a view reads them live above the watermark, then
    ``quizapp dashboard refresh``'s work (refresh_round) adds them to the counters."""
    import numpy as np
    import pandas as pd
    from sqlalchemy import func, select, text

    from quizapp.extensions import db
    from quizapp.models import Attempt
    from quizapp.services.dashboard import refresh_round

    app = bench_app(url)
    with app.app_context():
        first = db.session.scalar(select(func.max(Attempt.id))) + 1
        users = db.session.scalar(select(func.max(Attempt.user_id)))
        rng = np.random.default_rng(7)
        now = datetime.now(UTC).replace(tzinfo=None)
        ids = np.arange(first, first + new_attempts)
        started = [str(now - timedelta(minutes=50) + timedelta(seconds=int(s))) for s in
                   rng.integers(0, 2400, new_attempts)]
        frame = pd.DataFrame({
            "id": ids, "round_id": round_id, "user_id": rng.integers(1, users + 1, new_attempts),
            "number": 1000 + ids, "status": "submitted", "started_at": started,
            "deadline_at": [str(datetime.fromisoformat(s) + timedelta(minutes=10)) for s in started],
            "submitted_at": [str(datetime.fromisoformat(s) + timedelta(minutes=5)) for s in started],
            "duration_ms": 300_000, "question_count": 20, "correct_count": rng.binomial(20, 0.8, new_attempts),
            "prediction": 100,
        })
        _bulk(db, "attempts", frame)
        db.session.execute(text("SELECT setval(pg_get_serial_sequence('attempts', 'id'), (SELECT max(id) FROM "
                                "attempts))"))
        db.session.commit()
        client = signed_in(app)
        path = f"/organizer/dashboard/rounds/{round_id}"
        print(f"{new_attempts} new attempts read live above the watermark: round page "
              f"{timed_get(client, path):.3f} s, JSON {timed_get(client, path + '/data.json'):.3f} s", flush=True)
        from quizapp.models import Round

        round_ = db.session.get(Round, round_id)
        started_at = time.perf_counter()
        summary = refresh_round(round_, now=datetime.now(UTC) + timedelta(minutes=5))
        db.session.commit()
        print(f"refresh_round adding them to the counters: {time.perf_counter() - started_at:.3f} s "
              f"(watermark {summary.counted_through})", flush=True)
        started_at = time.perf_counter()
        refresh_round(round_, now=datetime.now(UTC), full=True)
        db.session.commit()
        print(f"refresh_round --full (every attempt again): {time.perf_counter() - started_at:.3f} s", flush=True)
        print(f"round page after: {timed_get(client, path):.3f} s", flush=True)
        db.engine.dispose()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", required=True, help="PostgreSQL; EMPTIED and filled unless --reuse")
    parser.add_argument("--units", type=int, default=1_000)
    parser.add_argument("--participants", type=int, default=400_000)
    parser.add_argument("--attempts", type=int, default=1_000_000)
    parser.add_argument("--new-attempts", type=int, default=20_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--reuse", action="store_true", help="a database filled by an earlier run")
    args = parser.parse_args()
    url = args.database_url
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://"):]
    if not args.reuse:
        started = time.perf_counter()
        fill(url, units=args.units, participants=args.participants, attempts=args.attempts)
        print(f"fill: {time.perf_counter() - started:.1f} s", flush=True)
    round_id = prepare(url)
    cold(url, round_id, "before the counters exist")
    cold(url, round_id, "counters built, new process")
    warm(url, round_id, args.repeat)
    incremental(url, round_id, args.new_attempts)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
