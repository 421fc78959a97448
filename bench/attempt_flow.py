"""Benchmark: participants doing the whole attempt flow through the JSON API, against a ceiling.

    .venv/bin/python bench/attempt_flow.py                 # 50 and 200 at once; about 3 minutes
    .venv/bin/python bench/attempt_flow.py --levels 50 --participants 600

What it does, on the local PostgreSQL (127.0.0.1:5432, trust auth) and Redis (127.0.0.1:6379):
1. Creates a throwaway database and sets it up with the real command line: ``quizapp db upgrade``,
   ``quizapp units import``, ``quizapp banks import`` (question_banks/*.csv, or a generated bank with
   ``--bank-questions N``), ``quizapp contests create`` (one round open now, 20 questions, a high attempt cap).
2. Registers ``--registered`` participants (10,000) straight into the database, with ONE Argon2id hash computed by
   the app's own hasher at its default settings and reused: registering them through the API would take minutes
   (registration is rate limited and hashes every password). Sign-in still verifies that real hash, so it is
   measured at the real cost. Then copies in ``--finished`` submitted attempts (20,000, with their questions and
   answers) and runs ``VACUUM (ANALYZE)``: the round is measured as it is in its last hours, with the statistics a
   live server's autovacuum keeps (it is off on this machine's server).
3. Serves quizapp (``wsgi:app``) and the ceiling (``bench/ceiling_app.py``: one small INSERT per request) with
   ``gunicorn -w 2`` (sync workers), the app with ``REDIS_URL=redis://127.0.0.1:6379/<--redis-db>`` so its rate
   limits are shared by the workers, and ``QUIZAPP_LOGIN_LIMIT`` raised (all the load comes from one address).
4. After a warm-up (``--warm-up`` people through the flow, ten times as many ceiling requests), at each level
   (50, then 200 participants at once) a fresh batch of ``--participants`` people goes through the
   flow step by step, each step right after ``--ceiling-seconds`` of the ceiling at the same level (the machine is
   shared, so a ratio compares figures taken a few seconds apart): sign in (``POST /auth/token``), start
   (``POST /rounds/{id}/attempts``), ``--saves`` answer saves of one answer each (``PUT /attempts/{id}/answers``),
   submit with every answer and a prediction (``POST /attempts/{id}/submit``). A step ends when its batch is done
   or after ``--step-seconds``; those who did not finish a step drop out of the next ones. Load is closed-loop
   with no think time (see ``bench/loadgen.py``), so each step measures that endpoint at saturation.
5. Prints per level and endpoint: requests/s, p50/p99, the ratio to the ceiling's requests/s, and CPU per request
   of the gunicorn workers, of PostgreSQL and of the client (read from /proc), plus how many cores the rest of the
   machine used meanwhile (other people's work makes the figures noisy; run twice). Then one ``BENCH {json}`` line
   per level and endpoint. Exit status 0 whether or not targets are met (a measurement, not a test).
6. Stops the servers, drops the database and empties the Redis database, also on failure or Ctrl-C.

Targets (2-core machine): save >= 0.50 of the ceiling, submit >= 0.35, start >= 0.25, p99 < 150 ms for start, save
and submit at 50 at once; sign-in >= 100/s.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import csv
import ipaddress
import json
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit

import psycopg
import redis

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.ceiling_app import CEILING_TABLE_SQL  # noqa: E402
from bench.loadgen import Client, CpuMeter, Job, Measured, Servers, measure, run_closed_loop  # noqa: E402

RATIO_TARGETS = {"save": 0.50, "submit": 0.35, "start": 0.25}
SIGN_IN_TARGET_RPS = 100.0
P99_TARGET_MS, P99_LEVEL = 150.0, 50
PASSWORD = "matkhau-thu-nghiem-2026"


@dataclass(slots=True)
class Participant:
    login: str
    token: str = ""
    attempt_id: int = 0
    questions: list[tuple[int, list[int]]] = field(default_factory=list)

    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--levels", default="50,200", help="participants at once, comma-separated (default 50,200)")
    parser.add_argument("--participants", type=int, default=1000, help="people going through the flow per level")
    parser.add_argument("--registered", type=int, default=10_000, help="participants registered in the database")
    parser.add_argument("--finished", type=int, default=20_000,
                        help="finished attempts put in the database before measuring (a round in its last hours)")
    parser.add_argument("--warm-up", type=int, default=300,
                        help="participants going through the flow (and x10 ceiling requests) before measuring")
    parser.add_argument("--saves", type=int, default=5, help="answer saves per attempt (one answer each)")
    parser.add_argument("--questions", type=int, default=20, help="questions per attempt")
    parser.add_argument("--bank-questions", type=int, default=0,
                        help="import a generated bank of N questions instead of question_banks/*.csv")
    parser.add_argument("--step-seconds", type=float, default=30.0, help="time bound of each step")
    parser.add_argument("--ceiling-seconds", type=float, default=5.0,
                        help="time measuring the ceiling right before each step")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn sync workers (app and ceiling)")
    parser.add_argument("--redis-db", type=int, default=14, help="Redis database number (must be empty)")
    parser.add_argument("--app", default="wsgi:app",
                        help="the WSGI app gunicorn serves (default wsgi:app); another module on PYTHONPATH makes an "
                             "A/B experiment, e.g. one calling create_app() with other engine options")
    parser.add_argument("--py-spy", metavar="DIR", type=Path, default=None,
                        help="record each step's workers with py-spy (raw collapsed stacks, CPU only) into DIR; "
                             "the sampling costs CPU, so figures of such a run are not comparable")
    parser.add_argument("--timeline", metavar="DIR", type=Path, default=None,
                        help="write each step's requests (sent at, latency) to DIR/LEVEL-ENDPOINT.csv")
    parser.add_argument("--postgres", default="postgresql://root@127.0.0.1:5432",
                        help="server for the throwaway database (loopback only)")
    args = parser.parse_args(argv)
    args.levels = [int(level) for level in args.levels.split(",")]
    if args.registered < args.participants * len(args.levels) + args.warm_up:
        parser.error("--registered must cover --participants for every level plus --warm-up")
    return args


# --- setting up: a throwaway database through the real command line ----------------------------------------

@contextlib.contextmanager
def throwaway_database(server_url: str, redis_db: int, tmp: Path) -> Iterator[dict[str, str]]:
    """A new PostgreSQL database and an empty Redis database; yields the app's environment. Both are dropped
    (emptied) on the way out, whatever happened."""
    if not ipaddress.ip_address(urlsplit(server_url).hostname or "").is_loopback:
        raise SystemExit("--postgres must be a loopback address (127.0.0.1)")
    store = redis.Redis(host="127.0.0.1", port=6379, db=redis_db)
    if store.dbsize():
        raise SystemExit(f"Redis database {redis_db} is not empty: choose a free one with --redis-db")
    name = f"quizapp_bench_{os.getpid()}"
    with psycopg.connect(f"{server_url}/postgres", autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield dict(os.environ, DATABASE_URL=f"{server_url}/{name}", REDIS_URL=f"redis://127.0.0.1:6379/{redis_db}",
                   SECRET_KEY="attempt-flow-benchmark", QUIZAPP_INSTANCE_PATH=str(tmp),
                   QUIZAPP_LOGIN_LIMIT="1000000 per minute", QUIZAPP_IMPORT_MAX_QUESTIONS="50000")
    finally:
        with psycopg.connect(f"{server_url}/postgres", autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        store.flushdb()  # it was empty before the run: everything in it is the benchmark's
        print(f"dropped database {name}, emptied Redis database {redis_db}", flush=True)


def quizapp(env: dict[str, str], *arguments: str) -> str:
    command = [str(Path(sys.executable).with_name("quizapp")), *arguments]
    done = subprocess.run(command, env=env, cwd=ROOT, capture_output=True, text=True, timeout=300)
    if done.returncode:
        raise RuntimeError(f"{' '.join(arguments)} failed:\n{done.stdout}{done.stderr}")
    return done.stdout


LEVELS = ["Dễ", "Trung bình", "Khó"]


def generated_bank(path: Path, count: int) -> None:
    topics = ["Tư tưởng Hồ Chí Minh", "Chuyên đề năm 2023", "Tiểu sử Hồ Chí Minh", "Đạo đức, phong cách Hồ Chí Minh"]
    with path.open("w", encoding="utf-8", newline="") as handle:
        out = csv.writer(handle)
        out.writerow(["STT", "Câu hỏi", "A", "B", "C", "D", "Đáp án", "Chủ đề", "Mức độ"])
        for n in range(1, count + 1):
            out.writerow([n, f"Câu hỏi thử nghiệm số {n}: phẩm chất nào là gốc của người cách mạng?",
                          f"Cần, kiệm, liêm, chính ({n})", f"Trung với nước ({n})", f"Hiếu với dân ({n})",
                          f"Phương án D ({n})", "ABCD"[n % 4], topics[n % len(topics)], LEVELS[n % 3]])


def prepare_database(env: dict[str, str], tmp: Path, *, questions: int, bank_questions: int) -> int:
    """Schema, units, banks and a contest whose one round is open now; returns the round id."""
    quizapp(env, "db", "upgrade")
    quizapp(env, "units", "import", str(ROOT / "quizapp" / "demo" / "units.csv"))
    banks = sorted((ROOT / "question_banks").glob("*.csv"))
    if bank_questions:
        banks = [tmp / "generated_bank.csv"]
        generated_bank(banks[0], bank_questions)
    for bank in banks:
        quizapp(env, "banks", "import", str(bank))
    now = datetime.now(UTC).replace(microsecond=0)
    first = questions * 3 // 5
    (tmp / "contest.toml").write_text(f"""
[contest]
title = "Thử tải: tìm hiểu tư tưởng, đạo đức, phong cách Hồ Chí Minh"
rules = "Cuộc thi dùng để đo hiệu năng."

[[rounds]]
name = "Tuần thử tải"
opens_at = {(now - timedelta(hours=1)).isoformat()}
closes_at = {(now + timedelta(days=1)).isoformat()}
question_count = {questions}
time_limit_seconds = 1800
grace_seconds = 10
max_attempts = 100
draw = [{{ topic = "Tư tưởng Hồ Chí Minh", count = {first} }},
        {{ topic = "Chuyên đề năm 2023", count = {questions - first} }}]
prediction_question = "Dự đoán có bao nhiêu người trả lời đúng tất cả các câu hỏi của tuần này?"
prediction_answer = "perfect_scores"
review = "after_close"
prizes = [{{ name = "Giải Nhất", count = 1 }}, {{ name = "Giải Nhì", count = 2 }}]
""", encoding="utf-8")
    created = json.loads(quizapp(env, "contests", "create", str(tmp / "contest.toml"), "--json"))
    with psycopg.connect(env["DATABASE_URL"], autocommit=True) as connection:
        connection.execute(CEILING_TABLE_SQL)
    return created["rounds"][0]["id"]


def register_participants(env: dict[str, str], count: int, password: str) -> list[str]:
    """``count`` participants under the leaf units, all with one hash of ``password`` made by the app's own
    hasher (its default Argon2id settings); returns their logins (phone numbers)."""
    os.environ.update({k: env[k] for k in ("DATABASE_URL", "SECRET_KEY", "QUIZAPP_INSTANCE_PATH")})
    from sqlalchemy import insert, select

    from quizapp import create_app
    from quizapp.auth import hash_password
    from quizapp.extensions import db
    from quizapp.models import Role, Unit, User

    app = create_app()
    with app.app_context():
        leaves = db.session.scalars(select(Unit.id).where(~Unit.id.in_(
            select(Unit.parent_id).where(Unit.parent_id.is_not(None))))).all()
        now, shared_hash = datetime.now(UTC), hash_password(password)
        logins = [f"09{n:08d}" for n in range(1, count + 1)]
        db.session.execute(insert(User), [
            {"role": Role.PARTICIPANT, "full_name": f"Người thử tải {n}", "name_key": f"nguoi thu tai {n}",
             "phone": phone, "password_hash": shared_hash, "unit_id": leaves[n % len(leaves)], "consent_at": now,
             "created_at": now} for n, phone in enumerate(logins)])
        db.session.commit()
        db.engine.dispose()
    return logins


# --- the steps of the flow ----------------------------------------------------------------------------------

def sign_in_jobs(client: Client, people: list[Participant]) -> list[Job]:
    def job(person: Participant) -> Job:
        async def send() -> tuple[int, int, bytes]:
            answer = await client.request("POST", "/api/v1/auth/token", {"login": person.login, "password": PASSWORD})
            if answer.status == 200:
                person.token = answer.json()["token"]
            return 200, answer.status, answer.body
        return send
    return [job(person) for person in people]


def start_jobs(client: Client, people: list[Participant], round_id: int) -> list[Job]:
    def job(person: Participant) -> Job:
        async def send() -> tuple[int, int, bytes]:
            answer = await client.request("POST", f"/api/v1/rounds/{round_id}/attempts", headers=person.headers())
            if answer.status == 201:
                data = answer.json()
                person.attempt_id = data["attempt_id"]
                person.questions = [(q["id"], [o["id"] for o in q["options"]]) for q in data["questions"]]
            return 201, answer.status, answer.body
        return send
    return [job(person) for person in people if person.token]


def save_jobs(client: Client, people: list[Participant], saves: int, rng: random.Random) -> list[Job]:
    """Save number k of every participant before save k+1 of anyone: one attempt is never saved twice at once."""
    def job(person: Participant, question_id: int, option_ids: list[int]) -> Job:
        payload = {"answers": {str(question_id): rng.choice(option_ids)}}

        async def send() -> tuple[int, int, bytes]:
            answer = await client.request("PUT", f"/api/v1/attempts/{person.attempt_id}/answers", payload,
                                          headers=person.headers())
            return 200, answer.status, answer.body
        return send
    started = [person for person in people if person.attempt_id]
    return [job(person, *person.questions[k % len(person.questions)]) for k in range(saves) for person in started]


def submit_jobs(client: Client, people: list[Participant], rng: random.Random) -> list[Job]:
    def job(person: Participant) -> Job:
        payload = {"answers": {str(q): rng.choice(options) for q, options in person.questions},
                   "prediction": rng.randint(0, 500)}

        async def send() -> tuple[int, int, bytes]:
            answer = await client.request("POST", f"/api/v1/attempts/{person.attempt_id}/submit", payload,
                                          headers=person.headers())
            return 200, answer.status, answer.body
        return send
    return [job(person) for person in people if person.attempt_id]


def ceiling_jobs(client: Client, count: int) -> list[Job]:
    async def send() -> tuple[int, int, bytes]:
        answer = await client.request("POST", "/hit", {"value": 1})
        return 200, answer.status, answer.body
    return [send] * count


# --- running and reporting ----------------------------------------------------------------------------------

async def run_level(args: argparse.Namespace, servers: Servers, meter: CpuMeter, round_id: int,
                    people: list[Participant], level: int) -> list[Measured]:
    """The ceiling right before each step, so that each ratio compares figures taken under the same noise."""
    rng = random.Random(level)
    app, ceiling = servers.client("app"), servers.client("ceiling")
    steps = [("token", lambda: sign_in_jobs(app, people)),
             ("start", lambda: start_jobs(app, people, round_id)),
             ("save", lambda: save_jobs(app, people, args.saves, rng)),
             ("submit", lambda: submit_jobs(app, people, rng))]
    ceilings: Measured | None = None
    results = []
    for endpoint, jobs in steps:
        slice_ = await measure(meter, "ceiling", level, "ceiling", ceiling_jobs(ceiling, 100_000),
                               args.ceiling_seconds, args.py_spy and args.py_spy / f"ceiling-{endpoint}")
        step = await measure(meter, "app", level, endpoint, jobs(), args.step_seconds, args.py_spy)
        step.ceiling_rps, step.ceiling_server_ms = slice_.phase.rps, slice_.server_ms
        if args.timeline is not None:
            write_timeline(args.timeline / f"{level}-{endpoint}.csv", step)
        results.append(step)
        if ceilings is None:
            ceilings = slice_
        else:
            ceilings.merge(slice_)
    assert ceilings is not None
    return [ceilings, *results]


def write_timeline(path: Path, measured: Measured) -> None:
    """One line per answered request: when it was sent (seconds from the step's start) and its latency (ms)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tally = measured.phase.tally
    pairs = sorted(zip(tally.sent, tally.latencies, strict=True))
    lines = (f"{sent:.4f},{latency * 1000:.2f}" for sent, latency in pairs)
    path.write_text("sent_s,latency_ms\n" + "\n".join(lines) + "\n")


_ATTEMPT_COPY = ("COPY attempts (id, round_id, user_id, number, status, started_at, deadline_at, submitted_at,"
                 " question_count, correct_count, duration_ms, prediction) FROM STDIN")
_QUESTION_COPY = ("COPY attempt_questions (attempt_id, position, question_id, option_order, shown_option_ids,"
                  " chosen_option_id, answered_at, is_correct) FROM STDIN")


def add_finished_attempts(env: dict[str, str], round_id: int, count: int, questions: int) -> float:
    """``count`` submitted attempts spread over the registered participants (their questions drawn from the
    round's topics, answered at random, marked), copied straight into the database, then ``VACUUM (ANALYZE)``;
    returns the seconds it took.

    A round is measured as it is in its last hours, not on empty tables: the planner's choices depend on the
    tables' sizes and statistics, and a plan made while a table held fifty rows is kept by each connection until
    they change (measured: on empty tables every save scanned the index of one question across all attempts, and
    the save step slowed down level after level). A live server's autovacuum would have analyzed the tables by
    then; on this machine's server it is off (``SHOW autovacuum``), so the benchmark does it once, before measuring.
    """
    started, rng, now = time.perf_counter(), random.Random(1), datetime.now(UTC)
    with psycopg.connect(env["DATABASE_URL"], autocommit=True) as connection:
        pool = connection.execute(
            "SELECT q.id, array_agg(o.id ORDER BY o.position), array_agg(o.is_correct ORDER BY o.position)"
            " FROM questions q JOIN options o ON o.question_id = q.id"
            " WHERE q.retired_at IS NULL AND q.topic IN (SELECT topic FROM draw_rules WHERE round_id = %s)"
            " GROUP BY q.id", [round_id]).fetchall()
        users = [user for (user,) in connection.execute("SELECT id FROM users WHERE role = 'participant' ORDER BY id")]
        first_id = connection.execute("SELECT coalesce(max(id), 0) + 1 FROM attempts").fetchone()[0]
        attempts, drawn = [], []
        for k in range(count):
            attempt_id, started_at = first_id + k, now - timedelta(minutes=50, seconds=k % 600)
            correct_count = 0
            for position, (question_id, option_ids, marks) in enumerate(rng.sample(pool, questions), start=1):
                order = rng.sample(range(len(option_ids)), len(option_ids))
                chosen = rng.choice([*order, None])
                is_correct = chosen is not None and marks[chosen]
                correct_count += is_correct
                drawn.append((attempt_id, position, question_id, ",".join(str(option_ids[i]) for i in order),
                              ",".join(str(rng.getrandbits(31) or 1) for _ in order),
                              None if chosen is None else option_ids[chosen], started_at, is_correct))
            attempts.append((attempt_id, round_id, users[k % len(users)], k // len(users) + 1, "submitted",
                             started_at, started_at + timedelta(minutes=30), started_at + timedelta(minutes=9),
                             questions, correct_count, 540_000, rng.randrange(1000)))
        with connection.transaction(), connection.cursor() as cursor:
            for statement, rows in ((_ATTEMPT_COPY, attempts), (_QUESTION_COPY, drawn)):
                with cursor.copy(statement) as copy:
                    for row in rows:
                        copy.write_row(row)
            cursor.execute("SELECT setval(pg_get_serial_sequence('attempts', 'id'), max(id)) FROM attempts")
        connection.execute("VACUUM (ANALYZE)")
    return time.perf_counter() - started


async def warm_up(servers: Servers, round_id: int, people: list[Participant]) -> None:
    """Every code path many times in each worker, and the connection pools filled, before anything is measured:
    a server that has run for a while. Measured: after a warm-up of 50 people, the first level's submits cost
    the workers 1.18-1.38 ms of CPU each, whichever level came first, and 0.81-1.05 ms at the later levels."""
    app = servers.client("app")
    rng = random.Random(0)
    await run_closed_loop("warm", ceiling_jobs(servers.client("ceiling"), 10 * len(people)), concurrency=4,
                          seconds=20)
    for jobs in (lambda: sign_in_jobs(app, people), lambda: start_jobs(app, people, round_id),
                 lambda: save_jobs(app, people, 2, rng), lambda: submit_jobs(app, people, rng)):
        phase = await run_closed_loop("warm", jobs(), concurrency=4, seconds=30)
        if phase.tally.failed:
            raise RuntimeError(f"warm-up failed: {phase.tally.unexpected} {phase.tally.samples}")


def row(measured: Measured) -> dict[str, object]:
    phase, tally, cpu = measured.phase, measured.phase.tally, measured.cpu
    ok = max(tally.ok, 1)
    ratio = phase.rps / measured.ceiling_rps if measured.ceiling_rps else None
    cpu_ratio = measured.ceiling_server_ms / measured.server_ms if measured.ceiling_server_ms else None
    target = verdict(measured.level, measured.endpoint, phase.rps, ratio, tally.percentile_ms(0.99))
    return {"level": measured.level, "endpoint": measured.endpoint, "ok": tally.ok, "failed": tally.failed,
            "seconds": round(phase.wall_s, 2), "rps": round(phase.rps, 1),
            "p50_ms": round(tally.percentile_ms(0.50), 1), "p99_ms": round(tally.percentile_ms(0.99), 1),
            "ratio": None if ratio is None else round(ratio, 3), "ceiling_rps": round(measured.ceiling_rps, 1),
            "cpu_ratio": None if cpu_ratio is None else round(cpu_ratio, 3),
            "app_cpu_ms": round(cpu["app"] * 1000 / ok, 2), "pg_cpu_ms": round(cpu["postgres"] * 1000 / ok, 2),
            "client_cpu_ms": round(cpu["client"] * 1000 / ok, 2), "others_cores": round(cpu["others_cores"], 2),
            "stopped_by_time": phase.stopped_by_time, "target": target[0], "met": target[1],
            "errors": tally.unexpected}


def verdict(level: int, endpoint: str, rps: float, ratio: float | None, p99: float) -> tuple[str, bool | None]:
    """The issue's targets that apply to this row, and whether all of them are met (None: no target)."""
    goals: list[tuple[str, bool]] = []
    if endpoint == "token":
        goals.append((f">={SIGN_IN_TARGET_RPS:.0f}/s", rps >= SIGN_IN_TARGET_RPS))
    if endpoint in RATIO_TARGETS and ratio is not None:
        goals.append((f"ratio>={RATIO_TARGETS[endpoint]:.2f}", ratio >= RATIO_TARGETS[endpoint]))
        if level == P99_LEVEL:
            goals.append((f"p99<{P99_TARGET_MS:.0f}ms", p99 < P99_TARGET_MS))
    if not goals:
        return "", None
    return " ".join(text for text, _ in goals), all(met for _, met in goals)


def report(results: list[Measured]) -> None:
    print(f"\n{'at once':>7} {'endpoint':<8} {'ok':>6} {'fail':>4} {'req/s':>7} {'p50 ms':>7} {'p99 ms':>7} "
          f"{'ratio':>6} {'ceil/s':>6} {'cpu ratio':>9} {'cpu ms/req: app':>15} {'pg':>5} {'client':>6} {'others':>6}"
          f"  target")
    rows = [row(measured) for measured in results]
    for r, measured in zip(rows, results, strict=True):
        ratio, ceil, cpu_ratio = ("", "", "") if r["ratio"] is None else (
            f"{r['ratio']:.2f}", f"{r['ceiling_rps']:.0f}", f"{r['cpu_ratio']:.2f}")
        met = {None: "", True: "met", False: "MISSED"}[r["met"]]  # type: ignore[index]
        print(f"{r['level']:>7} {r['endpoint']:<8} {r['ok']:>6} {r['failed']:>4} {r['rps']:>7.1f} "
              f"{r['p50_ms']:>7.1f} {r['p99_ms']:>7.1f} {ratio:>6} {ceil:>6} {cpu_ratio:>9} {r['app_cpu_ms']:>15.2f} "
              f"{r['pg_cpu_ms']:>5.2f} {r['client_cpu_ms']:>6.2f} {r['others_cores']:>6.2f}  {r['target']} {met}"
              f"{' (time bound hit)' if r['stopped_by_time'] else ''}")
        for sample in measured.phase.tally.samples:
            print(f"{'':>17}unexpected: {sample}")
    print("\n(ceiling: all its slices at that level together. ceil/s: the slice measured just before the step; ratio "
          "divides by it.\n cpu ratio: that slice's server CPU per request (gunicorn workers + PostgreSQL) over the "
          "step's: the ratio if CPU\n were the only limit; it is noise-resistant, and lower than ratio because the "
          "ceiling's two sync workers\n spend most of their time waiting for PostgreSQL. others: cores used "
          "meanwhile by the rest of the\n machine, i.e. other people's work.)")
    for r in rows:
        print("BENCH " + json.dumps(r, ensure_ascii=False, separators=(",", ":")))


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # run the cleanups below on a plain kill too
    with tempfile.TemporaryDirectory(prefix="quizapp-bench-") as tmp, \
            throwaway_database(args.postgres, args.redis_db, Path(tmp)) as env:
        started = time.perf_counter()
        round_id = prepare_database(env, Path(tmp), questions=args.questions, bank_questions=args.bank_questions)
        logins = register_participants(env, args.registered, PASSWORD)
        filled = add_finished_attempts(env, round_id, args.finished, args.questions) if args.finished else 0.0
        print(f"set up in {time.perf_counter() - started:.1f} s: round {round_id}, {args.registered} participants "
              f"registered directly in the database with one precomputed Argon2id hash (the API would take minutes; "
              f"sign-in still verifies the real hash); QUIZAPP_LOGIN_LIMIT={env['QUIZAPP_LOGIN_LIMIT']} because "
              f"all load comes from 127.0.0.1; {args.finished} finished attempts copied in, then VACUUM (ANALYZE), "
              f"in {filled:.1f} s", flush=True)
        people = [Participant(login) for login in logins]
        targets = {"app": args.app, "ceiling": "bench.ceiling_app:app"}
        with Servers(targets, env, workers=args.workers, cwd=ROOT, log_dir=Path(tmp)) as servers, \
                psycopg.connect(env["DATABASE_URL"]) as watcher:
            meter = CpuMeter(servers, watcher)
            asyncio.run(warm_up(servers, round_id, people[:args.warm_up]))
            results: list[Measured] = []
            for index, level in enumerate(args.levels):
                first = args.warm_up + index * args.participants
                batch = people[first:first + args.participants]
                print(f"{level} at once: ceiling, then {len(batch)} participants step by step...", flush=True)
                results += asyncio.run(run_level(args, servers, meter, round_id, batch, level))
        report(results)
    return 0


if __name__ == "__main__":
    try:
        raise SystemExit(main())
    except KeyboardInterrupt:
        print("interrupted: servers stopped, database dropped", file=sys.stderr)
        raise SystemExit(130) from None
