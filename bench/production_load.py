"""Benchmark: the production stack (deploy/) under simulated participants, with an audit of what was acknowledged.

    .venv/bin/python bench/production_load.py                          # 100 participants for 60 s
    .venv/bin/python bench/production_load.py --participants 300 --seconds 120 --workers 3

What it does, on the local PostgreSQL (127.0.0.1:5432) and Redis (127.0.0.1:6379), loopback only:
1. A throwaway database set up by the real command line (``bench/attempt_flow.py``'s ``prepare_database``: the
   sample banks, the demo unit tree, one round open now with 20 questions and a high attempt cap) and an empty
   Redis database (``--redis-db``).
2. Two gunicorn servers started with ``deploy/gunicorn.conf.py`` (``--workers`` each, sync) behind nginx run
   with ``deploy/nginx/quizapp.conf`` (tests/deploy/stack.py: the same files, ports and paths substituted),
   ``QUIZAPP_PROXY_HOPS=1``, ``REDIS_URL`` shared, the per-address limits raised (all the load comes from
   127.0.0.1), the production Argon2id cost, the request log off (its lines would fill the terminal).
3. ``--participants`` simulated people, each on its own: registers (``POST /api/v1/auth/register``), then until
   ``--seconds`` have passed goes through a whole attempt: sign in (``POST /auth/token``), start, ``--saves``
   answer saves of one answer each, submit with a prediction, the result (``GET /api/v1/attempts/{id}``), the
   public leaderboard page anonymously (``GET /rounds/{id}/leaderboard``: nginx, then the app's micro-cache) and
   the API's leaderboard signed in (``Authorization``: past the micro-cache), then as a signed-in browser (a
   session cookie signed with the servers' secret, as the sign-in page sets it) the leaderboard page (the page
   shared by everybody signed in, from the micro-cache), its private part (their nav and place) and their result
   page, with a random think time between actions (mean ``--think`` seconds). Requests go through nginx, one
   connection each (bench/loadgen.py).
4. Prints requests/s and p50/p99 per endpoint, every unexpected answer, the CPU spent per whole attempt by the
   app servers, PostgreSQL, nginx and the client (from /proc), then an audit: every acknowledged save is in the
   database as sent, every acknowledged submit's attempt is submitted once with the score its answers give and
   the same score as the answer said, and no participant has two attempts in progress.
5. Stops nginx and the servers, drops the database and empties the Redis database, also on failure or Ctrl-C.

Bounded: at most 500 participants and 300 s (refused above).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import random
import signal
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.attempt_flow import prepare_database, throwaway_database  # noqa: E402
from bench.loadgen import Client, HTTPFailure, Tally, machine_busy_s, process_cpu_s  # noqa: E402
from tests.deploy.stack import Gunicorn, Nginx, free_ports, nginx_config, wait_for  # noqa: E402

MAX_PARTICIPANTS, MAX_SECONDS = 500, 300
PASSWORD = "matkhau-thu-tai-2026"
ENDPOINTS = ("register", "token", "start", "save", "submit", "result", "board_anonymous", "board_signed_in",
             "board_page_cookie", "board_part_cookie", "result_page_cookie")
USER_AGENT = "quizapp-bench"  # as bench/loadgen.py's Client sends it


@dataclass
class Run:
    """What the participants did: latencies per endpoint, and what was acknowledged (for the audit)."""

    tallies: dict[str, Tally] = field(default_factory=lambda: {name: Tally() for name in ENDPOINTS})
    saves: list[tuple[int, int, int]] = field(default_factory=list)  # (attempt, question, shown option) answered 200
    submits: dict[int, int] = field(default_factory=dict)  # attempt -> correct_count answered
    attempts_done: int = 0


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--participants", type=int, default=100, help=f"simulated people (at most {MAX_PARTICIPANTS})")
    parser.add_argument("--seconds", type=float, default=60.0, help=f"how long they keep going (at most {MAX_SECONDS})")
    parser.add_argument("--think", type=float, default=0.5, help="mean seconds between a person's actions")
    parser.add_argument("--saves", type=int, default=10, help="answer saves per attempt (one answer each)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers of each of the two servers")
    parser.add_argument("--worker-class", default="sync", choices=("sync", "gthread"))
    parser.add_argument("--redis-db", type=int, default=13, help="Redis database number (must be empty)")
    parser.add_argument("--postgres", default="postgresql://root@127.0.0.1:5432", help="loopback server")
    args = parser.parse_args(argv)
    if not 1 <= args.participants <= MAX_PARTICIPANTS or not 1 <= args.seconds <= MAX_SECONDS:
        parser.error(f"--participants 1..{MAX_PARTICIPANTS} and --seconds 1..{MAX_SECONDS}")
    return args


async def call(run: Run, endpoint: str, client: Client, method: str, path: str, payload: object = None,
               token: str | None = None, expected: int = 200) -> dict | None:
    """One request; its latency is tallied when the status is ``expected`` (the JSON body returned then)."""
    started = time.perf_counter()
    tally = run.tallies[endpoint]
    try:
        answer = await client.request(method, path, payload,
                                      headers={"Authorization": f"Bearer {token}"} if token else None)
    except HTTPFailure as error:
        tally.fail("no answer", str(error))
        return None
    if answer.status != expected:
        tally.fail(f"HTTP {answer.status}", f"{endpoint} HTTP {answer.status}: {answer.body[:200]!r}")
        return None
    tally.latencies.append(time.perf_counter() - started)
    return answer.json() if answer.body.startswith(b"{") else {}


def session_cookie(secret: str, user_id: int) -> str:
    """The ``Cookie`` header of a browser signed in as ``user_id`` (token version 0): the session cookie the sign-in
    page would set, signed with the servers' secret (Flask's own serializer; Flask-Login's ``_id`` for this client's
    address and user agent), so that the signed-in pages are measured without an Argon2 sign-in each."""
    from flask import Flask
    from flask.sessions import SecureCookieSessionInterface
    from flask_login.utils import _create_identifier

    app = Flask("bench-cookie")
    app.secret_key = secret
    with app.test_request_context(headers={"User-Agent": USER_AGENT, "X-Forwarded-For": "127.0.0.1"}):
        identifier = _create_identifier()
    value = SecureCookieSessionInterface().get_signing_serializer(app).dumps(
        {"_user_id": f"{user_id}:0", "_fresh": False, "_id": identifier})
    return f"session={value}"


async def call_with_cookie(run: Run, endpoint: str, client: Client, path: str, cookie: str) -> None:
    """A page requested by a signed-in browser (its session cookie), as ``call`` tallies it."""
    started = time.perf_counter()
    tally = run.tallies[endpoint]
    try:
        answer = await client.request("GET", path, headers={"Cookie": cookie})
    except HTTPFailure as error:
        tally.fail("no answer", str(error))
        return
    if answer.status != 200:
        tally.fail(f"HTTP {answer.status}", f"{endpoint} HTTP {answer.status}: {answer.body[:200]!r}")
        return
    tally.latencies.append(time.perf_counter() - started)


async def participant(run: Run, client: Client, n: int, round_id: int, args: argparse.Namespace,
                      until: float) -> None:
    rng = random.Random(n)

    async def think() -> None:
        await asyncio.sleep(rng.uniform(0, 2 * args.think))

    await asyncio.sleep(rng.uniform(0, min(5.0, args.seconds / 4)))  # arrivals spread over the first seconds
    phone = f"09{70_000_000 + n:08d}"
    registered = await call(run, "register", client, "POST", "/api/v1/auth/register", {
        "full_name": f"Người thử tải {n}", "phone": phone, "password": PASSWORD, "unit_code": "HN-BD"},
        expected=201)
    if registered is None:
        return
    cookie = session_cookie(args.secret_key, registered["participant_id"])
    while time.monotonic() < until:
        await think()
        signed = await call(run, "token", client, "POST", "/api/v1/auth/token", {"login": phone, "password": PASSWORD})
        if signed is None:
            continue
        token = signed["token"]
        await think()
        attempt = await call(run, "start", client, "POST", f"/api/v1/rounds/{round_id}/attempts", token=token,
                             expected=201)
        if attempt is None:
            continue
        attempt_id = attempt["attempt_id"]
        for question in attempt["questions"][:args.saves]:
            if time.monotonic() >= until:
                return
            await think()
            option = rng.choice(question["options"])["id"]
            if await call(run, "save", client, "PUT", f"/api/v1/attempts/{attempt_id}/answers",
                          {"answers": {str(question["id"]): option}}, token=token) is not None:
                run.saves.append((attempt_id, question["id"], option))
        await think()
        result = await call(run, "submit", client, "POST", f"/api/v1/attempts/{attempt_id}/submit",
                            {"prediction": rng.randrange(500)}, token=token)
        if result is None:
            continue
        run.submits[attempt_id] = result["correct_count"]
        run.attempts_done += 1
        await call(run, "result", client, "GET", f"/api/v1/attempts/{attempt_id}", token=token)
        await think()
        await call(run, "board_anonymous", client, "GET", f"/rounds/{round_id}/leaderboard")
        await call(run, "board_signed_in", client, "GET", f"/api/v1/rounds/{round_id}/leaderboard", token=token)
        # the same pages in a signed-in browser (session cookie): the shared page, its private part, the result
        await call_with_cookie(run, "board_page_cookie", client, f"/rounds/{round_id}/leaderboard", cookie)
        await call_with_cookie(run, "board_part_cookie", client, f"/rounds/{round_id}/leaderboard/mine/part",
                               cookie)
        await call_with_cookie(run, "result_page_cookie", client, f"/attempts/{attempt_id}/result", cookie)


def server_pids(servers: list[Gunicorn], nginx: Nginx) -> dict[str, list[int]]:
    app = [pid for server in servers for pid in [server.process.pid, *server.workers()]]
    nginx_pids = [nginx.process.pid]
    with contextlib.suppress(OSError):
        nginx_pids += [int(p) for p in Path(f"/proc/{nginx.process.pid}/task/{nginx.process.pid}/children")
                       .read_text().split()]
    return {"app": app, "nginx": nginx_pids}


def postgres_pids(connection: psycopg.Connection) -> list[int]:
    rows = connection.execute("SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
                              "AND pid <> pg_backend_pid()").fetchall()
    return [row[0] for row in rows]


def reaped_children_cpu_s(pid: int) -> float:
    """CPU seconds of the children a process has waited for (a gunicorn master: its workers that left, recycled
    by max_requests), 0 when it is gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[13]) + int(fields[14])) / os.sysconf("SC_CLK_TCK")


def cpu_of(pids: dict[str, list[int]], masters: list[int]) -> dict[str, float]:
    """CPU seconds per kind of the processes alive now, plus what the ``masters`` among them reaped."""
    return {kind: sum(process_cpu_s(pid) + (reaped_children_cpu_s(pid) if pid in masters else 0.0)
                      for pid in found)
            for kind, found in pids.items()}


def audit(connection: psycopg.Connection, run: Run) -> list[str]:
    """Problems found: an acknowledged save not in the database as sent, an acknowledged submit whose attempt is
    not submitted, or scored otherwise than its answers and the answer said, two attempts in progress at once."""
    problems: list[str] = []
    rows = connection.execute(
        "SELECT attempt_id, question_id, chosen_option_id, option_order, shown_option_ids FROM attempt_questions "
        "WHERE attempt_id = ANY(%s)", [sorted({save[0] for save in run.saves})]).fetchall()
    stored = {(a, q): (chosen, order.split(","), shown.split(",")) for a, q, chosen, order, shown in rows}
    for attempt_id, question_id, shown_option in run.saves:
        chosen, order, shown = stored.get((attempt_id, question_id), (None, [], []))
        if str(shown_option) not in shown or chosen != int(order[shown.index(str(shown_option))]):
            problems.append(f"save lost: attempt {attempt_id} question {question_id}")
    scored = connection.execute(
        "SELECT a.id, a.status, a.correct_count, count(*) FILTER (WHERE q.is_correct) FROM attempts a "
        "JOIN attempt_questions q ON q.attempt_id = a.id WHERE a.id = ANY(%s) GROUP BY a.id",
        [list(run.submits)]).fetchall()
    found = {row[0]: row[1:] for row in scored}
    for attempt_id, answered in run.submits.items():
        status, correct, counted = found.get(attempt_id, (None, None, None))
        if status != "submitted" or correct != counted or correct != answered:
            problems.append(f"submit: attempt {attempt_id} {status} stored {correct} marks {counted} said {answered}")
    doubled = connection.execute("SELECT user_id FROM attempts WHERE status = 'in_progress' GROUP BY user_id, "
                                 "round_id HAVING count(*) > 1").fetchall()
    problems += [f"two attempts in progress: user {user}" for (user,) in doubled]
    return problems


def report(run: Run, wall: float, cpu: dict[str, float], others_cores: float, problems: list[str],
           args: argparse.Namespace) -> None:
    print(f"\n{args.participants} participants, {wall:.0f} s, think {args.think} s, {args.saves} saves per "
          f"attempt, 2 servers x {args.workers} {args.worker_class} workers behind nginx")
    print(f"{'endpoint':<18} {'ok':>6} {'fail':>5} {'req/s':>7} {'p50 ms':>7} {'p99 ms':>7}")
    total = 0
    for name, tally in run.tallies.items():
        total += tally.ok
        print(f"{name:<18} {tally.ok:>6} {tally.failed:>5} {tally.ok / wall:>7.1f} {tally.percentile_ms(0.5):>7.1f} "
              f"{tally.percentile_ms(0.99):>7.1f}")
        for sample in tally.samples:
            print(f"{'':<17}unexpected: {sample}")
    attempts = max(run.attempts_done, 1)
    print(f"{'all':<18} {total:>6} {sum(t.failed for t in run.tallies.values()):>5} {total / wall:>7.1f}")
    print(f"\nwhole attempts submitted: {run.attempts_done} ({run.attempts_done / wall:.2f}/s)")
    print("CPU per whole attempt (ms): " + ", ".join(f"{kind} {seconds * 1000 / attempts:.1f}"
                                                   for kind, seconds in cpu.items())
          + "; per request: " + ", ".join(f"{kind} {seconds * 1000 / max(total, 1):.2f}"
                                          for kind, seconds in cpu.items())
          + f"; the rest of the machine used {others_cores:.2f} cores meanwhile")
    print(f"audit: {len(run.saves)} acknowledged saves, {len(run.submits)} acknowledged submits: "
          + ("all in the database as acknowledged, each attempt scored once" if not problems
             else f"{len(problems)} PROBLEMS"))
    for problem in problems[:20]:
        print("  " + problem)
    summary = {"participants": args.participants, "seconds": round(wall, 1), "requests": total,
               "rps": round(total / wall, 1), "attempts": run.attempts_done,
               "cpu_ms_per_attempt": {k: round(v * 1000 / attempts, 1) for k, v in cpu.items()},
               "others_cores": round(others_cores, 2), "audit_problems": len(problems),
               "endpoints": {name: {"ok": t.ok, "failed": t.failed, "p50_ms": round(t.percentile_ms(0.5), 1),
                                    "p99_ms": round(t.percentile_ms(0.99), 1)} for name, t in run.tallies.items()}}
    print("BENCH " + json.dumps(summary, ensure_ascii=False, separators=(",", ":")))


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    with tempfile.TemporaryDirectory(prefix="quizapp-production-") as tmp_name, \
            throwaway_database(args.postgres, args.redis_db, Path(tmp_name)) as env:
        tmp = Path(tmp_name)
        round_id = prepare_database(env, tmp, questions=20, bank_questions=0)
        env = dict(env, QUIZAPP_PROXY_HOPS="1", QUIZAPP_REGISTER_LIMIT="100000 per minute",
                   QUIZAPP_REQUEST_LOG="0", GUNICORN_WORKER_CLASS=args.worker_class,
                   # gunicorn turns a "sync" worker given threads > 1 into a gthread one: threads only for gthread
                   GUNICORN_THREADS="4" if args.worker_class == "gthread" else "1")
        nginx_port, a_port, b_port = free_ports(3)
        servers: list[Gunicorn] = []
        nginx: Nginx | None = None
        try:
            servers = [Gunicorn(name, port, env, tmp, workers=args.workers)
                       for name, port in (("app-a", a_port), ("app-b", b_port))]
            for server in servers:
                wait_for(server.ready, 60, server.name)
            nginx = Nginx(nginx_config(tmp, nginx_port, [a_port, b_port]), nginx_port)
            wait_for(nginx.ready, 10, "nginx")
            with psycopg.connect(env["DATABASE_URL"], autocommit=True) as watcher:
                run, client = Run(), Client("127.0.0.1", nginx_port)
                args.secret_key = env["SECRET_KEY"]
                print(f"round {round_id}: {args.participants} participants for {args.seconds:.0f} s through nginx "
                      f"on 127.0.0.1:{nginx_port}...", flush=True)
                pids = server_pids(servers, nginx)
                masters = [server.process.pid for server in servers] + [nginx.process.pid]
                before, busy_before = cpu_of(pids, masters), machine_busy_s()
                pg_before = {pid: process_cpu_s(pid) for pid in postgres_pids(watcher)}
                started = time.perf_counter()
                until = time.monotonic() + args.seconds

                async def everyone() -> None:
                    await asyncio.gather(*(participant(run, client, n, round_id, args, until)
                                           for n in range(args.participants)))

                client_cpu = time.process_time()
                asyncio.run(everyone())
                client_cpu = time.process_time() - client_cpu
                wall = time.perf_counter() - started
                pids = server_pids(servers, nginx)  # workers replaced meanwhile: their masters reaped them
                after = cpu_of(pids, masters)
                cpu = {kind: max(0.0, after[kind] - before.get(kind, 0.0)) for kind in after}
                cpu["postgres"] = sum(process_cpu_s(pid) - pg_before.get(pid, 0.0) for pid in postgres_pids(watcher))
                cpu["client"] = client_cpu
                others = (machine_busy_s() - busy_before - sum(cpu.values())) / wall
                problems = audit(watcher, run)
            report(run, wall, cpu, max(others, 0.0), problems, args)
        finally:
            if nginx is not None:
                nginx.stop()
            for server in servers:
                server.stop()
    return 0


if __name__ == "__main__":
    try:
        raise SystemExit(main())
    except KeyboardInterrupt:
        print("interrupted: servers stopped, database dropped", file=sys.stderr)
        raise SystemExit(130) from None
