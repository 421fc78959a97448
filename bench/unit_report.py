"""Benchmark: a unit officer's report of a district with ~4,500 registered people and ~50,000 entries, inside a
province of 45,000 participants and 500,000 entries under 330 units (the data of bench/ranking.py: 10 districts
of ~32 communes), the round closed and its results frozen (the best entry of each person, 11 prizes).

Target (PostgreSQL, the reference machine, 2 cores): the report (service) and its page under 1 s warm; the .xlsx
printed for comparison. Set-based SQL only: a fixed number of statements whatever the subtree's size (counted).

    .venv/bin/python -m bench.unit_report --database-url postgresql://root@127.0.0.1:5432/EMPTY_DB   # EMPTIED, filled
    .venv/bin/python -m bench.unit_report --database-url ... --reuse     # a database filled by an earlier run
    options: --participants N --attempts N --units N --repeat N
"""

from __future__ import annotations

import argparse
import statistics
import time
from datetime import UTC, datetime

from bench.ranking import fill

PASSWORD = "bench-officer-password"
OFFICER = "bench-officer@example.test"


def bench_app(url: str):
    from quizapp import create_app

    return create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench", "CACHE_TYPE": "NullCache",
                       "RATELIMIT_ENABLED": False, "WTF_CSRF_ENABLED": False,
                       "QUIZAPP_ARGON2_TIME_COST": 1, "QUIZAPP_ARGON2_MEMORY_KIB": 1024})


def prepare(url: str) -> tuple[int, str]:
    """Freeze the round's results in bulk (best entry per person, rule 5's order without the prediction; 11
    prizes), add a collective prize and a unit officer of the biggest district. Returns (contest id, unit code)."""
    from sqlalchemy import func, select, text

    from quizapp.auth import hash_password
    from quizapp.extensions import db
    from quizapp.models import Contest, Role, Round, RoundResult, Unit, UnitAncestor, User

    app = bench_app(url)
    with app.app_context():
        contest = db.session.scalars(select(Contest)).one()
        round_ = db.session.scalars(select(Round)).one()
        people = (select(UnitAncestor.ancestor_id, func.count()).join(User, User.unit_id == UnitAncestor.descendant_id)
                  .where(UnitAncestor.ancestor_depth == 2).group_by(UnitAncestor.ancestor_id)
                  .order_by(func.count().desc()).limit(1))
        district_id, registered = db.session.execute(people).one()
        if not db.session.scalar(select(func.count()).select_from(RoundResult)):
            db.session.execute(text("""
                INSERT INTO round_results (round_id, user_id, rank, attempt_id, correct_count, question_count,
                                           duration_ms, prediction, prediction_gap, submitted_at, prize_tier_id,
                                           prize_name)
                SELECT :round_id, ranked.user_id, ranked.rank, ranked.id, ranked.correct_count, ranked.question_count,
                       ranked.duration_ms, ranked.prediction, NULL, ranked.submitted_at, tier.id, tier.name
                FROM (SELECT *, row_number() OVER (ORDER BY correct_count DESC, duration_ms, submitted_at, id) AS rank
                      FROM (SELECT DISTINCT ON (user_id) * FROM attempts WHERE round_id = :round_id
                              AND correct_count IS NOT NULL
                            ORDER BY user_id, correct_count DESC, duration_ms, submitted_at, id) best) ranked
                LEFT JOIN prize_tiers tier ON tier.round_id = :round_id AND tier.kind = 'individual' AND
                     ranked.rank > (SELECT coalesce(sum(t.count), 0) FROM prize_tiers t WHERE t.round_id = :round_id
                                    AND t.kind = 'individual' AND t.position < tier.position)
                     AND ranked.rank <= (SELECT sum(t.count) FROM prize_tiers t WHERE t.round_id = :round_id
                                         AND t.kind = 'individual' AND t.position <= tier.position)
            """), {"round_id": round_.id})
            db.session.execute(text(
                "INSERT INTO collective_results (contest_id, round_id, level, rank, unit_id, member_count, "
                "participants, attempts, participation_rate, average_score, prize_name, computed_at) "
                "VALUES (:contest, NULL, 2, 1, :unit, 1, 1, 1, 1.0, 1.0, 'Giải tập thể', now())"),
                {"contest": contest.id, "unit": district_id})
            round_.finalized_at = datetime.now(UTC)
        if db.session.scalar(select(User.id).where(User.email == OFFICER)) is None:
            db.session.add(User(role=Role.UNIT_OFFICER, scope_unit_id=district_id, email=OFFICER,
                                full_name="Cán bộ phụ trách", name_key="can bo phu trach",
                                password_hash=hash_password(PASSWORD), created_at=datetime.now(UTC)))
        db.session.commit()
        code = db.session.get(Unit, district_id).code
        print(f"district {code}: {registered:,} registered", flush=True)
        contest_id = contest.id
        db.engine.dispose()
    return contest_id, code


def measure(url: str, contest_id: int, code: str, repeat: int) -> None:
    from sqlalchemy import event, select

    from quizapp.extensions import db
    from quizapp.models import Contest, Unit
    from quizapp.services.unit_reports import find_unit, unit_report

    app = bench_app(url)
    with app.app_context():
        statements = []
        event.listen(db.engine, "before_cursor_execute", lambda *a: statements.append(1))
        timings = []
        for _ in range(repeat):
            db.session.expire_all()
            started = time.perf_counter()
            contest = db.session.get(Contest, contest_id)
            unit = find_unit(code, db.session.scalar(select(Unit.id).where(Unit.code == code)))
            statements.clear()
            report = unit_report(contest, unit=unit, scope_unit_id=unit.id, round_=None, now=datetime.now(UTC))
            timings.append(time.perf_counter() - started)
        print(f"report (service): median {statistics.median(timings) * 1000:.0f} ms, max {max(timings) * 1000:.0f} ms"
              f" over {repeat}; {len(statements)} statements; {report.total.entries:,} entries, "
              f"{report.total.participants:,} participants, {len(report.people):,} listed who took part, "
              f"{len(report.absent):,} who did not, {len(report.prizes)} prizes", flush=True)
        client = app.test_client()
        response = client.post("/login", data={"login": OFFICER, "password": PASSWORD})
        assert response.status_code == 302, response.status_code
        for label, path in (("page", f"/officer/contests/{contest_id}"),
                            (".xlsx", f"/officer/contests/{contest_id}/report.xlsx")):
            timings = []
            for _ in range(repeat):
                started = time.perf_counter()
                response = client.get(path)
                timings.append(time.perf_counter() - started)
                assert response.status_code == 200, response.status_code
            print(f"{label}: median {statistics.median(timings) * 1000:.0f} ms, max {max(timings) * 1000:.0f} ms, "
                  f"{len(response.data) / 1024:.0f} KiB", flush=True)
        db.engine.dispose()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", required=True, help="PostgreSQL; EMPTIED and filled unless --reuse")
    parser.add_argument("--units", type=int, default=330)
    parser.add_argument("--participants", type=int, default=45_000)
    parser.add_argument("--attempts", type=int, default=500_000)
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
    contest_id, code = prepare(url)
    measure(url, contest_id, code, args.repeat)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
