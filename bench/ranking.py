"""Benchmark: rank a round of 1,000,000 attempts by 400,000 participants under 1,000 units, allocate prizes,
finalize, export, and serve the cached leaderboard under load.

Fills a FRESH database straight through the driver (PostgreSQL COPY, SQLite executemany in large transactions),
then prints comparable figures. Targets on the reference machine (2 cores):
rank + prizes (live_standings, finalize_round) < 5 s on PostgreSQL, < 10 s on SQLite, peak RSS < 1 GB;
`results export --all` CSV < 5 s; .xlsx < 30 s; cached leaderboard ≥ 0.7 × the requests/s of a bare Flask "hello"
(signed in, past the page cache: ≥ 0.5 ×)
under the same gunicorn settings (2 sync workers, loopback).

    .venv/bin/python -m bench.ranking                       # a SQLite file in a temporary folder
    .venv/bin/python -m bench.ranking --database-url postgresql://root@127.0.0.1:5432/EMPTY_DB   # EMPTIED first
    options: --participants N --attempts N --units N --http-seconds S --http-threads T --no-http --profile
    .venv/bin/python -m bench.ranking --database-url URL --signed-in-only 5 --http-seconds 6 --ports 18700-18799
        # on a database filled before: hello and the signed-in pages in 5 alternations, median ratios
"""

from __future__ import annotations

import argparse
import cProfile
import http.client
import io
import os
import pstats
import resource
import socket
import subprocess
import sys
import tempfile
import threading
import time
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
NOW = datetime.now(UTC).replace(microsecond=0)
FAMILY = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi", "Đỗ", "Hồ", "Ngô"]
MIDDLE = ["Văn", "Thị", "Hữu", "Đức", "Minh", "Ngọc", "Thanh", "Quốc", "Thu", "Xuân"]
GIVEN = ["An", "Bình", "Chi", "Dũng", "Giang", "Hà", "Hải", "Hùng", "Lan", "Linh", "Mai", "Nam", "Phương", "Quân",
         "Sơn", "Tâm", "Thảo", "Trang", "Tuấn", "Yến"]


def bench_app(url: str):
    from quizapp import create_app

    return create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench", "CACHE_TYPE": "NullCache"})


# --- filling ----------------------------------------------------------------------------------------------

def fill(url: str, *, units: int, participants: int, attempts: int, seed: int = 2026) -> None:
    """A fresh schema, the unit tree, one closed round (tiers 1/2/3/5), its participants and attempts."""
    from flask_migrate import upgrade
    from sqlalchemy import insert, text

    from quizapp.extensions import db
    from quizapp.models import Contest, PrizeKind, PrizeTier, Round, Unit
    from quizapp.services.units import rebuild_tree

    rng = np.random.default_rng(seed)
    with bench_app(url).app_context():
        if db.engine.dialect.name == "postgresql":
            with db.engine.begin() as connection:
                connection.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
        upgrade()
        districts = max(1, units // 33)
        members = rng.integers(200, 2000, units)
        db.session.execute(insert(Unit), [
            {"id": i, "code": f"U{i:05d}", "name": f"Đơn vị số {i}", "name_key": f"don vi so {i}",
             "parent_id": None if i == 1 else 1 if i <= 1 + districts else 2 + (i % districts),
             "member_count": int(members[i - 1]), "depth": 1, "created_at": NOW} for i in range(1, units + 1)])
        rebuild_tree()
        user_of = np.concatenate([np.arange(1, participants + 1), rng.integers(1, participants + 1,
                                                                                attempts - participants)])
        user_of.sort(kind="stable")
        starts = np.r_[0, np.flatnonzero(np.diff(user_of)) + 1]
        number = np.arange(attempts) - np.repeat(starts, np.diff(np.r_[starts, attempts])) + 1
        contest = Contest(title="Cuộc thi đo hiệu năng xếp hạng", created_at=NOW)
        round_ = Round(position=1, name="Tuần 1", opens_at=NOW - timedelta(days=8), closes_at=NOW - timedelta(days=1),
                       question_count=20, time_limit_seconds=600, max_attempts=int(number.max()),
                       prediction_question="Có bao nhiêu người trả lời đúng tất cả các câu hỏi?")
        contest.rounds = [round_]
        db.session.add(contest)
        db.session.flush()
        db.session.add_all([PrizeTier(contest_id=contest.id, round_id=round_.id, kind=PrizeKind.INDIVIDUAL,
                                      position=p, name=n, count=c)
                            for p, (n, c) in enumerate([("Giải Nhất", 1), ("Giải Nhì", 2), ("Giải Ba", 3),
                                                        ("Giải Khuyến khích", 5)], start=1)])
        db.session.add(PrizeTier(contest_id=contest.id, kind=PrizeKind.COLLECTIVE, position=1, name="Giải tập thể",
                                 count=3))
        db.session.commit()
        people = _people_frame(rng, participants, units, districts)
        entries = _attempts_frame(rng, user_of, number, round_.id, round_.opens_at)
        _bulk(db, "users", people)
        _bulk(db, "attempts", entries)
        hidden = rng.choice(participants, participants // 1000, replace=False) + 1
        db.session.execute(text(f"UPDATE users SET hidden = true WHERE id IN ({','.join(map(str, hidden))})"))
        disqualified = rng.choice(participants, 100, replace=False) + 1
        db.session.execute(text("INSERT INTO disqualifications (round_id, user_id, reason, decided_at) VALUES "
                                + ",".join(f"({round_.id}, {u}, 'Thử nghiệm', :now)" for u in disqualified)),
                           {"now": NOW.replace(tzinfo=None)})
        if db.engine.dialect.name == "postgresql":
            for table in ("units", "users", "attempts", "contests", "rounds"):
                db.session.execute(text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                                        f"(SELECT max(id) FROM {table}))"))
        db.session.commit()
        with db.engine.connect() as connection:
            connection.execute(text("ANALYZE"))
            connection.commit()


def _people_frame(rng: np.random.Generator, participants: int, units: int, districts: int) -> pd.DataFrame:
    first_commune = 2 + districts
    names = [f"{f} {m} {g}" for f in FAMILY for m in MIDDLE for g in GIVEN]
    keys = {name: _fold(name) for name in names}
    chosen = np.array(names, dtype=object)[rng.integers(0, len(names), participants)]
    ids = np.arange(1, participants + 1)
    return pd.DataFrame({
        "id": ids, "role": "participant", "full_name": chosen, "name_key": [keys[n] for n in chosen],
        "phone": [f"09{i:08d}" for i in ids], "password_hash": "-",
        "unit_id": rng.integers(first_commune, units + 1, participants) if units >= first_commune else 1,
        "active": True, "hidden": False, "token_version": 0, "created_at": _times(np.full(participants, 0), NOW),
    })


def _attempts_frame(rng: np.random.Generator, user_of: np.ndarray, number: np.ndarray, round_id: int,
                    opens_at: datetime) -> pd.DataFrame:
    n = len(user_of)
    duration = rng.integers(30_000, 600_000, n)
    submitted = rng.integers(3_600_000, 6 * 86_400_000, n)
    prediction = pd.array(rng.integers(0, 5000, n), dtype="Int64")
    prediction[rng.random(n) < 0.1] = pd.NA
    return pd.DataFrame({
        "id": np.arange(1, n + 1), "round_id": round_id, "user_id": user_of, "number": number,
        "status": np.where(rng.random(n) < 0.05, "expired", "submitted"),
        "started_at": _times(submitted - duration, opens_at), "deadline_at": _times(submitted - duration + 600_000,
                                                                                     opens_at),
        "submitted_at": _times(submitted, opens_at), "duration_ms": duration, "question_count": 20,
        "correct_count": np.minimum(rng.binomial(20, 0.8, n), 20), "prediction": prediction,
    })


def _times(offset_ms: np.ndarray, base: datetime) -> np.ndarray:
    """Times as SQLite's text layout (naive UTC); PostgreSQL reads them as UTC (the session is UTC)."""
    moments = np.datetime64(base.replace(tzinfo=None), "us") + offset_ms.astype("timedelta64[ms]")
    return np.char.replace(np.datetime_as_string(moments, unit="us"), "T", " ").astype(object)


def _fold(text: str) -> str:
    from quizapp.domain.text import fold

    return fold(text)


def _bulk(db, table: str, frame: pd.DataFrame, chunk: int = 200_000) -> None:
    """PostgreSQL: COPY in CSV chunks; SQLite: executemany, one transaction."""
    connection = db.session.connection()
    columns = ", ".join(frame.columns)
    if connection.dialect.name == "postgresql":
        with connection.connection.driver_connection.cursor() as cursor:
            cursor.execute("SET TIME ZONE 'UTC'")
            with cursor.copy(f"COPY {table} ({columns}) FROM STDIN (FORMAT csv)") as copy:
                for start in range(0, len(frame), chunk):
                    buffer = io.StringIO()
                    frame.iloc[start:start + chunk].to_csv(buffer, header=False, index=False)
                    copy.write(buffer.getvalue())
        return
    sql = f"INSERT INTO {table} ({columns}) VALUES ({', '.join('?' * len(frame.columns))})"
    for start in range(0, len(frame), chunk):
        part = frame.iloc[start:start + chunk].astype(object)
        part = part.where(part.notna(), None)
        connection.exec_driver_sql(sql, list(part.itertuples(index=False, name=None)))


# --- measuring --------------------------------------------------------------------------------------------

def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


@contextmanager
def timed(label: str, target: float | None = None, profile: bool = False):
    profiler = cProfile.Profile() if profile else None
    started = time.perf_counter()
    if profiler:
        profiler.enable()
    yield
    if profiler:
        profiler.disable()
    elapsed = time.perf_counter() - started
    goal = f" (target < {target:.0f} s)" if target else ""
    print(f"{label}: {elapsed:.2f} s{goal}; peak RSS so far {peak_mb():.0f} MB", flush=True)
    if profiler:
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(18)


def measure(url: str, env: dict[str, str], tmp: str, *, http: bool, http_seconds: float, threads: int,
            profile: bool, reuse: bool = False) -> None:
    from quizapp.extensions import db
    from quizapp.models import Round
    from quizapp.services.results import finalize_round
    from quizapp.services.standings import live_standings

    postgres = url.startswith("postgres")
    rank_target = 5 if postgres else 10
    with bench_app(url).app_context():
        round_ = db.session.scalars(db.select(Round)).one()
        if reuse and round_.finalized_at is not None:
            _measure_exports(round_, env, tmp, profile)
            return
        with timed("live_standings (load 1M attempts, rank, prizes)", rank_target, profile):
            live = live_standings(round_, now=datetime.now(UTC))
        print(f"  ranked {len(live.frame)}, excluded {len(live.excluded)}, prediction answer "
              f"{live.prediction_actual}, prizes {live.prize_counts()}")
        del live
        if http:
            http_bench(env, round_.id, http_seconds, threads)
        with timed("finalize_round (rank, prizes, write 400k frozen rows, commit)", rank_target, profile):
            finalize_round(round_, actor=None, now=datetime.now(UTC))
            db.session.commit()
        _measure_exports(round_, env, tmp, profile)


def _measure_exports(round_, env: dict[str, str], tmp: str, profile: bool) -> None:
    """The export steps of a finalized round: the frozen read, both writers in process, both whole commands."""
    from quizapp.services.exports import write_round_csv, write_round_xlsx
    from quizapp.services.standings import round_standings

    with timed("round_standings of the finalized round (frozen read)"):
        frozen = round_standings(round_, now=datetime.now(UTC))
    with timed("write_round_csv --all (in process)", 5), \
            open(Path(tmp) / "all.csv", "w", encoding="utf-8", newline="") as stream:
        write_round_csv(frozen, stream, winners_only=False)
    with timed("write_round_xlsx --all (in process)", 30, profile):
        write_round_xlsx(frozen, str(Path(tmp) / "all.xlsx"), winners_only=False, title="Benchmark")
    print(f"peak RSS of the measuring process: {peak_mb():.0f} MB (target < 1024)")
    quizapp = str(Path(sys.executable).with_name("quizapp"))
    for suffix, target in (("csv", 5), ("xlsx", 30)):
        out = Path(tmp) / f"cli.{suffix}"
        with timed(f"quizapp results export {round_.id} --all -o {out.name} (whole command)", target):
            subprocess.run([quizapp, "results", "export", str(round_.id), "--all", "-o", str(out)], env=env,
                           check=True, capture_output=True)
        print(f"  {out.stat().st_size / 1e6:.1f} MB")


# --- serving under load -----------------------------------------------------------------------------------

def hello_app():
    """The reference: a bare Flask app answering "hello"."""
    from flask import Flask

    app = Flask("hello")
    app.add_url_rule("/hello", "hello", lambda: "hello")
    return app


QUIET = False  # --signed-in-only: the servers' stderr (one request-log line per request) is dropped
PORTS: range | None = None  # --ports: the loopback ports the servers may use (None: any free one)


def _free_port() -> int:
    for port in PORTS or (0,):
        with socket.socket() as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
            return sock.getsockname()[1]
    raise RuntimeError(f"no free port in {PORTS}")


def _get(port: int, path: str, cookie: str | None = None) -> int:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        connection.request("GET", path, headers={"Cookie": cookie} if cookie else {})
        response = connection.getresponse()
        response.read()
        return response.status
    finally:
        connection.close()


BENCH_PHONE = "0900077778"
BENCH_PASSWORD = "bench-signed-in-2026"


def bench_participant() -> int:
    """A ranked participant of the round, given a phone and a password (once), whose session the signed-in runs
    use; returns the id of one of their finished attempts (the result page's)."""
    from quizapp.auth import hash_password
    from quizapp.extensions import db
    from quizapp.models import Attempt, AttemptStatus, User

    user_id = db.session.scalar(db.select(User.id).where(User.phone == BENCH_PHONE))
    if user_id is None:
        user_id = db.session.scalar(db.select(Attempt.user_id).where(Attempt.status == AttemptStatus.SUBMITTED)
                                    .order_by(Attempt.id).limit(1))
        user = db.session.get(User, user_id)
        user.phone, user.password_hash = BENCH_PHONE, hash_password(BENCH_PASSWORD)
        db.session.commit()
    return db.session.scalar(db.select(Attempt.id).where(Attempt.user_id == user_id,
                                                         Attempt.status != AttemptStatus.IN_PROGRESS)
                             .order_by(Attempt.id).limit(1))


def sign_in(port: int) -> str:
    """The session cookie of the bench participant, signed in through the real form (CSRF token and all)."""
    import re
    from urllib.parse import urlencode

    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    connection.request("GET", "/login")
    response = connection.getresponse()
    page = response.read().decode()
    cookie = response.getheader("Set-Cookie", "").split(";")[0]
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"|name="csrf_token" value="([^"]+)"', page)
    body = urlencode({"login": BENCH_PHONE, "password": BENCH_PASSWORD,
                      "csrf_token": next(group for group in token.groups() if group)})
    connection.request("POST", "/login", body=body, headers={
        "Cookie": cookie, "Content-Type": "application/x-www-form-urlencoded"})
    response = connection.getresponse()
    response.read()
    connection.close()
    if response.status != 302:
        raise RuntimeError(f"sign-in failed: {response.status}")
    return response.getheader("Set-Cookie", "").split(";")[0]


def load(port: int, path: str, seconds: float, threads: int, max_requests: int = 200_000,
         cookie: str | None = None) -> tuple[float, int]:
    """Requests/s of ``threads`` clients for ``seconds`` (a new connection per request, as sync workers do)."""
    counts = [0] * threads
    errors = [0] * threads
    stop = time.perf_counter() + seconds

    def client(index: int) -> None:
        while time.perf_counter() < stop and counts[index] < max_requests // threads:
            ok = _get(port, path, cookie) == 200
            counts[index] += ok
            errors[index] += not ok

    workers = [threading.Thread(target=client, args=(i,)) for i in range(threads)]
    started = time.perf_counter()
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    return sum(counts) / (time.perf_counter() - started), sum(errors)


def serve(app_spec: str, env: dict[str, str]) -> tuple[subprocess.Popen, int]:
    port = _free_port()
    gunicorn = str(Path(sys.executable).with_name("gunicorn"))
    process = subprocess.Popen([gunicorn, "-w", "2", "-k", "sync", "-b", f"127.0.0.1:{port}", "--timeout", "300",
                                "--log-level", "warning", app_spec], env=env, cwd=ROOT,
                               stderr=subprocess.DEVNULL if QUIET else None)
    for _attempt in range(300):
        try:
            _get(port, "/healthz")
            return process, port
        except OSError:
            time.sleep(0.1)
    process.terminate()
    raise RuntimeError(f"gunicorn did not start for {app_spec}")


def warm(port: int, path: str, limit_seconds: float = 180, cookie: str | None = None) -> float:
    """Until every worker answers from its cache: rounds of 4 simultaneous requests, all fast. Returns seconds."""
    started = time.perf_counter()
    while time.perf_counter() - started < limit_seconds:
        timings: list[float] = []
        clients = [threading.Thread(target=_timed_get, args=(port, path, timings, cookie)) for _ in range(4)]
        for thread in clients:
            thread.start()
        for thread in clients:
            thread.join()
        if max(timings) < 0.2:
            break
    return time.perf_counter() - started


def http_bench(env: dict[str, str], round_id: int, seconds: float, threads: int) -> None:
    """requests/s of a bare Flask hello, of quizapp's own cheapest endpoint and of the cached leaderboard, each
    under the same gunicorn settings (2 sync workers, loopback), one server at a time."""
    board = f"/rounds/{round_id}/leaderboard"
    bench_participant()
    runs = (("hello (bare Flask app)", "bench.ranking:hello_app()", "/hello"),
            ("quizapp /healthz (same app, no cache)", "wsgi:app", "/healthz"),
            ("leaderboard page (cached)", "wsgi:app", board),
            ("leaderboard API (cached)", "wsgi:app", f"/api/v1{board}"),
            ("leaderboard page signed in (past the page cache)", "wsgi:app", board))
    rates = {}
    for label, spec, path in runs:
        process, port = serve(spec, env)
        try:
            cookie = sign_in(port) if "signed in" in label else None
            warm_up = warm(port, path, cookie=cookie)
            rates[label], errors = load(port, path, seconds, threads, cookie=cookie)
        finally:
            process.terminate()
            process.wait(timeout=30)
        print(f"{label}: {rates[label]:.0f} requests/s ({threads} client threads, {seconds:.0f} s, {errors} errors, "
              f"warm-up {warm_up:.1f} s)", flush=True)
    hello = rates[runs[0][0]]
    for label, _spec, _path in runs[2:]:
        target = 0.50 if "signed in" in label else 0.70
        print(f"{label} / bare hello = {rates[label] / hello:.2f} (target ≥ {target:.2f}); "
              f"/ quizapp /healthz = {rates[label] / rates[runs[1][0]]:.2f}")


def signed_in_bench(env: dict[str, str], round_id: int, seconds: float, threads: int, alternations: int) -> None:
    """The signed-in pages against the bare hello, measured in turns (hello, then each signed-in page, again
    ``alternations`` times), so that other work on the machine weighs on both alike; prints each turn and the
    median ratios. The pages: the leaderboard (the page shared by everybody signed in, answered in front of
    Flask), its private part (the visitor's nav and place, which personal.js asks for), the visitor's own
    result page."""
    import statistics

    attempt_id = bench_participant()
    board = f"/rounds/{round_id}/leaderboard"
    pages = (("leaderboard page signed in", board), ("its private part (nav, my place)", f"{board}/mine/part"),
             ("own result page signed in", f"/attempts/{attempt_id}/result"))
    ratios: dict[str, list[float]] = {label: [] for label, _path in pages}
    rates: dict[str, list[float]] = {label: [] for label in ("hello", *ratios)}
    for turn in range(1, alternations + 1):
        process, port = serve("bench.ranking:hello_app()", env)
        try:
            warm(port, "/hello")
            hello, errors = load(port, "/hello", seconds, threads)
        finally:
            process.terminate()
            process.wait(timeout=30)
        rates["hello"].append(hello)
        print(f"turn {turn}: hello {hello:.0f} requests/s ({errors} errors)", flush=True)
        process, port = serve("wsgi:app", env)
        try:
            cookie = sign_in(port)
            for label, path in pages:
                warm(port, path, cookie=cookie)
                rate, errors = load(port, path, seconds, threads, cookie=cookie)
                rates[label].append(rate)
                ratios[label].append(rate / hello)
                print(f"turn {turn}: {label} {rate:.0f} requests/s ({errors} errors), / hello = {rate / hello:.2f}",
                      flush=True)
        finally:
            process.terminate()
            process.wait(timeout=30)
    print(f"median of {alternations} turns ({threads} client threads, {seconds:.0f} s each, 2 sync workers):")
    print(f"  hello: {statistics.median(rates['hello']):.0f} requests/s")
    for label, values in ratios.items():
        target = " (target ≥ 0.50)" if label.startswith("leaderboard") else ""
        print(f"  {label}: {statistics.median(rates[label]):.0f} requests/s, / hello = "
              f"{statistics.median(values):.2f}{target}")


def _timed_get(port: int, path: str, timings: list[float], cookie: str | None = None) -> None:
    started = time.perf_counter()
    _get(port, path, cookie)
    timings.append(time.perf_counter() - started)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", default=None, help="default: a fresh SQLite file (PostgreSQL: EMPTIED)")
    parser.add_argument("--units", type=int, default=1_000)
    parser.add_argument("--participants", type=int, default=400_000)
    parser.add_argument("--attempts", type=int, default=1_000_000)
    parser.add_argument("--http-seconds", type=float, default=10)
    parser.add_argument("--http-threads", type=int, default=8)
    parser.add_argument("--no-http", action="store_true")
    parser.add_argument("--signed-in-only", type=int, metavar="TURNS", default=0,
                        help="on a database filled by an earlier run: only the signed-in pages against hello, in "
                             "TURNS alternations (no fill, no ranking, no export)")
    parser.add_argument("--ports", default=None, metavar="FIRST-LAST",
                        help="the loopback ports the servers may use (default: any free one)")
    parser.add_argument("--profile", action="store_true", help="cProfile the timed steps")
    parser.add_argument("--fill-only", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--reuse", action="store_true",
                        help="keep the database as filled by an earlier run (no fill, no HTTP); once its round is "
                             "finalized, only the export steps are measured")
    args = parser.parse_args()
    global PORTS, QUIET
    QUIET = bool(args.signed_in_only)
    if args.ports:
        first, _, last = args.ports.partition("-")
        PORTS = range(int(first), int(last or first) + 1)
    url = args.database_url
    if url and url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://"):]
    if args.fill_only:
        fill(url, units=args.units, participants=args.participants, attempts=args.attempts)
        return 0
    with tempfile.TemporaryDirectory() as tmp:
        url = url or f"sqlite:///{tmp}/ranking.sqlite3"
        env = dict(os.environ, QUIZAPP_INSTANCE_PATH=tmp, SECRET_KEY="bench", DATABASE_URL=url,
                   PYTHONPATH=str(ROOT))
        env.pop("REDIS_URL", None)
        print(f"database: {url.split(':')[0]}; {args.units} units, {args.participants} participants, "
              f"{args.attempts} attempts", flush=True)
        started = time.perf_counter()
        if args.signed_in_only:
            from quizapp.extensions import db
            from quizapp.models import Round

            with bench_app(url).app_context():
                round_id = db.session.scalar(db.select(Round.id))
                signed_in_bench(env, round_id, args.http_seconds, args.http_threads, args.signed_in_only)
            return 0
        if args.reuse:
            measure(url, env, tmp, http=False, http_seconds=0, threads=0, profile=args.profile, reuse=True)
            return 0
        subprocess.run([sys.executable, "-m", "bench.ranking", "--fill-only", "--database-url", url,
                        "--units", str(args.units), "--participants", str(args.participants),
                        "--attempts", str(args.attempts)], check=True, cwd=ROOT, env=env)
        print(f"fill: {time.perf_counter() - started:.1f} s", flush=True)
        measure(url, env, tmp, http=not args.no_http, http_seconds=args.http_seconds, threads=args.http_threads,
                profile=args.profile)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
