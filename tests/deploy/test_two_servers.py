"""Two app servers behind nginx on one PostgreSQL database and one Redis, as deployed (deploy/): what a
participant and the people running the site would notice.

Runs when nginx (/usr/sbin/nginx), PostgreSQL (TEST_DATABASE_URL's server: a throwaway database is created on it)
and Redis (127.0.0.1:6379, an empty database number) are there; skipped otherwise, unless QUIZAPP_REQUIRE_DEPLOY=1
(CI's PostgreSQL run), which turns a missing piece into a failure. About 30-60 s.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.deploy.stack import ROOT, Forwarder, Gunicorn, Nginx, free_ports, nginx_config, request, wait_for

psycopg = pytest.importorskip("psycopg")
redis = pytest.importorskip("redis")

PASSWORD = "mat-khau-thu-2026"
REGISTER_LIMIT = 8  # per client address per 10 minutes, for the shared-count test
ROUND_CAP = 2


def _unavailable(reason: str) -> None:
    if os.environ.get("QUIZAPP_REQUIRE_DEPLOY") == "1":
        pytest.fail(f"QUIZAPP_REQUIRE_DEPLOY=1 but {reason}")
    pytest.skip(reason)


def _postgres_server() -> str:
    url = os.environ.get("TEST_DATABASE_URL", "")
    if not url.startswith(("postgresql://", "postgresql+psycopg://")):
        _unavailable("TEST_DATABASE_URL is not a PostgreSQL database")
    url = url.replace("postgresql+psycopg://", "postgresql://", 1)
    return url.rsplit("/", 1)[0]


def _free_redis_db(client_factory) -> int:
    for number in range(15, 7, -1):
        if client_factory(number).dbsize() == 0:
            return number
    _unavailable("no empty Redis database among 8-15")
    raise AssertionError


def _quizapp(env: dict[str, str], *arguments: str) -> str:
    done = subprocess.run([str(Path(sys.executable).with_name("quizapp")), *arguments], env=env, cwd=ROOT,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, f"quizapp {' '.join(arguments)}:\n{done.stdout}{done.stderr}"
    return done.stdout


CONTEST = """
[contest]
title = "Thử triển khai: tìm hiểu tư tưởng Hồ Chí Minh"
rules = "Cuộc thi dùng để thử hai máy chủ."

[[rounds]]
name = "Tuần thử"
opens_at = 2020-01-01T00:00:00+07:00
closes_at = 2099-01-01T00:00:00+07:00
question_count = 6
time_limit_seconds = 1800
grace_seconds = 10
max_attempts = {cap}
draw = [{{ topic = "Tư tưởng Hồ Chí Minh", count = 6 }}]
prediction_question = "Dự đoán có bao nhiêu người trả lời đúng tất cả các câu hỏi?"
prediction_answer = "perfect_scores"
review = "after_close"
prizes = [{{ name = "Giải Nhất", count = 1 }}]
"""


class Stack:
    """What the tests reach: nginx's port, each server, the forwarders in front of server B's PostgreSQL and
    Redis, and a connection to the database for checking."""

    def __init__(self, tmp: Path, server_url: str) -> None:
        if not shutil.which("nginx") and not Path("/usr/sbin/nginx").exists():
            _unavailable("nginx is not installed")
        try:
            with psycopg.connect(f"{server_url}/postgres", autocommit=True, connect_timeout=3) as admin:
                self.database = f"quizapp_deploy_{os.getpid()}"
                admin.execute(f'CREATE DATABASE "{self.database}"')
        except psycopg.OperationalError as error:
            _unavailable(f"PostgreSQL unreachable: {error}")
        self.server_url, self.tmp = server_url, tmp
        self.servers: list[Gunicorn] = []
        self.nginx: Nginx | None = None
        self.forwarders: list[Forwarder] = []
        try:
            redis.Redis(host="127.0.0.1", port=6379, socket_connect_timeout=2).ping()
        except redis.RedisError as error:
            self.close()
            _unavailable(f"Redis unreachable: {error}")
        self.redis_db = _free_redis_db(lambda n: redis.Redis(host="127.0.0.1", port=6379, db=n))

    def launch(self) -> None:
        nginx_port, a_port, b_port, pg_port, redis_port = free_ports(5)
        database_url = f"{self.server_url}/{self.database}"
        host, port = database_url.split("@", 1)[1].split("/", 1)[0].rsplit(":", 1)
        self.pg_forwarder = Forwarder(pg_port, (host, int(port)))
        self.redis_forwarder = Forwarder(redis_port, ("127.0.0.1", 6379))
        self.forwarders = [self.pg_forwarder, self.redis_forwarder]
        for forwarder in self.forwarders:
            forwarder.restore()
        env = dict(os.environ, DATABASE_URL=database_url, REDIS_URL=f"redis://127.0.0.1:6379/{self.redis_db}",
                   SECRET_KEY="deploy-test-secret", QUIZAPP_INSTANCE_PATH=str(self.tmp / "instance"),
                   QUIZAPP_PROXY_HOPS="1", QUIZAPP_ARGON2_TIME_COST="1", QUIZAPP_ARGON2_MEMORY_KIB="1024",
                   QUIZAPP_REGISTER_LIMIT=f"{REGISTER_LIMIT} per 10 minutes", GUNICORN_MAX_REQUESTS="0",
                   QUIZAPP_REQUEST_LOG="1")
        env.pop("TEST_DATABASE_URL", None)
        _quizapp(env, "db", "upgrade")
        _quizapp(env, "units", "import", str(ROOT / "quizapp" / "demo" / "units.csv"))
        _quizapp(env, "banks", "import", str(ROOT / "question_banks" / "ho_chi_minh_tu_tuong_dao_duc.csv"))
        (self.tmp / "contest.toml").write_text(CONTEST.format(cap=ROUND_CAP), encoding="utf-8")
        self.round_id = int(__import__("json").loads(
            _quizapp(env, "contests", "create", str(self.tmp / "contest.toml"), "--json"))["rounds"][0]["id"])
        through_forwarders = dict(env, DATABASE_URL=database_url.replace(f"{host}:{port}", f"127.0.0.1:{pg_port}"),
                                  REDIS_URL=f"redis://127.0.0.1:{redis_port}/{self.redis_db}")
        self.a = Gunicorn("server-a", a_port, env, self.tmp)
        self.b = Gunicorn("server-b", b_port, through_forwarders, self.tmp)
        self.servers = [self.a, self.b]
        self.nginx = Nginx(nginx_config(self.tmp, nginx_port, [a_port, b_port]), nginx_port)
        self.port = nginx_port
        for server in self.servers:
            wait_for(server.ready, 40, f"{server.name} to start")
        wait_for(self.nginx.ready, 10, "nginx to start")
        self.db = psycopg.connect(database_url, autocommit=True)

    def close(self) -> None:
        if self.nginx is not None:
            self.nginx.stop()
        for server in self.servers:
            server.signal_stop()
        for server in self.servers:
            server.stop()
        for forwarder in self.forwarders:
            forwarder.cut()
        if getattr(self, "db", None) is not None:
            self.db.close()
        if getattr(self, "redis_db", None) is not None:
            redis.Redis(host="127.0.0.1", port=6379, db=self.redis_db).flushdb()
        with psycopg.connect(f"{self.server_url}/postgres", autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{self.database}" WITH (FORCE)')

    # -- what the tests do -----------------------------------------------------------------------------------

    def register(self, n: int, source: str) -> Any:
        return request(self.port, "POST", "/api/v1/auth/register", {
            "full_name": f"Người thử triển khai {n}", "phone": f"0987{n:06d}", "password": PASSWORD,
            "unit_code": "HN-BD"}, source=source)

    def participant(self, n: int) -> str:
        """A registered participant's bearer token (registered from an address of its own, 127.0.1.n: outside
        the rate-limit test's count)."""
        registered = self.register(n, f"127.0.1.{n}")
        assert registered.status == 201, registered.body
        token = request(self.port, "POST", "/api/v1/auth/token", {"login": f"0987{n:06d}", "password": PASSWORD})
        assert token.status == 200, token.body
        return token.json()["token"]

    def start(self, port: int, token: str, source: str = "127.0.0.1") -> Any:
        return request(port, "POST", f"/api/v1/rounds/{self.round_id}/attempts", token=token, source=source)

    def rows(self, sql: str, *params: Any) -> list[tuple[Any, ...]]:
        return self.db.execute(sql, params).fetchall()


@pytest.fixture(scope="module")
def stack() -> Iterator[Stack]:
    server_url = _postgres_server()
    tmp = Path(tempfile.mkdtemp(prefix="quizapp-deploy-"))
    built = Stack(tmp, server_url)
    try:
        built.launch()
        yield built
    finally:
        built.close()
        shutil.rmtree(tmp, ignore_errors=True)


def _at_once(calls: list[Any]) -> list[Any]:
    """Run the calls in threads released together; their results in order."""
    barrier, results = threading.Barrier(len(calls)), [None] * len(calls)

    def run(index: int) -> None:
        barrier.wait()
        try:
            results[index] = calls[index]()
        except OSError as error:  # no answer (a worker killed): recorded, not raised
            results[index] = error

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(calls))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


# --- the tests, in the order they run (the faults last) -------------------------------------------------------

def test_an_attempt_started_through_one_server_is_continued_and_submitted_through_the_other(stack: Stack):
    token = stack.participant(1)
    started = stack.start(stack.port, token)
    assert started.status == 201, started.body
    first_server = started.headers["x-upstream"]
    attempt = started.json()
    upstreams = set()
    for question in attempt["questions"][:4]:
        saved = request(stack.port, "PUT", f"/api/v1/attempts/{attempt['attempt_id']}/answers",
                        {"answers": {str(question["id"]): question["options"][0]["id"]}}, token=token)
        assert saved.status == 200, saved.body
        upstreams.add(saved.headers["x-upstream"])
    assert len(upstreams) == 2, f"nginx sent every save to one server: {upstreams}"
    other = stack.b if first_server.endswith(f":{stack.a.port}") else stack.a
    resumed = stack.start(other.port, token)
    assert resumed.status == 200 and resumed.json()["attempt_id"] == attempt["attempt_id"]
    submitted = request(other.port, "POST", f"/api/v1/attempts/{attempt['attempt_id']}/submit",
                        {"prediction": 3}, token=token)
    assert submitted.status == 200, submitted.body
    answered = stack.rows("SELECT count(*) FROM attempt_questions WHERE attempt_id = %s "
                          "AND chosen_option_id IS NOT NULL", attempt["attempt_id"])
    assert answered == [(4,)]
    again = request(stack.port, "POST", f"/api/v1/attempts/{attempt['attempt_id']}/submit", {"prediction": 3},
                    token=token)
    assert again.status == 200 and again.json() == submitted.json()


def test_the_attempt_cap_holds_with_simultaneous_starts_on_both_servers(stack: Stack):
    token = stack.participant(2)
    ports = [stack.a.port, stack.b.port] * 4
    for round_number in range(1, ROUND_CAP + 2):
        answers = _at_once([lambda port=port: stack.start(port, token) for port in ports])
        statuses = sorted(answer.status for answer in answers)
        if round_number <= ROUND_CAP:
            assert statuses == [200] * (len(ports) - 1) + [201], statuses  # one started, the others resumed it
            ids = {answer.json()["attempt_id"] for answer in answers}
            assert len(ids) == 1
            done = request(stack.port, "POST", f"/api/v1/attempts/{ids.pop()}/submit", {"prediction": 1},
                           token=token)
            assert done.status == 200, done.body
        else:
            assert statuses == [409] * len(ports), statuses
    user = stack.rows("SELECT id FROM users WHERE phone = %s", "0987000002")[0][0]
    assert stack.rows("SELECT count(*), count(DISTINCT number) FROM attempts WHERE user_id = %s", user) == [
        (ROUND_CAP, ROUND_CAP)]


def test_a_rate_limit_counts_across_both_servers(stack: Stack):
    answers = [stack.register(100 + n, "127.0.0.4") for n in range(REGISTER_LIMIT + 4)]
    statuses = [answer.status for answer in answers]
    assert statuses.count(201) == REGISTER_LIMIT and statuses.count(429) == 4, statuses
    assert {answer.headers["x-upstream"] for answer in answers} == {f"127.0.0.1:{s.port}" for s in stack.servers}
    assert all(answer.headers.get("retry-after") for answer in answers if answer.status == 429)
    assert request(stack.port, "GET", "/healthz", source="127.0.0.4").status == 200  # never limited


def test_the_client_address_recorded_is_the_real_one(stack: Stack):
    """nginx sees the client as 127.0.0.5 and appends it to X-Forwarded-For; the app (QUIZAPP_PROXY_HOPS=1)
    records that address, not nginx's own (127.0.0.1) nor one the client wrote in the header."""
    for n, source, claimed in ((3, "127.0.0.5", None), (4, "127.0.0.6", "203.0.113.9")):
        token = stack.participant(n)
        started = request(stack.port, "POST", f"/api/v1/rounds/{stack.round_id}/attempts", token=token,
                          source=source, headers={"X-Forwarded-For": claimed} if claimed else None)
        assert started.status == 201, started.body
        assert stack.rows("SELECT client_ip FROM attempts WHERE id = %s", started.json()["attempt_id"]) == [
            (source,)]
    logged = stack.a.log.read_text() + stack.b.log.read_text()  # the request log says the same (and the account)
    assert '"client":"127.0.0.5"' in logged and '"client":"127.0.0.6"' in logged


def test_nginx_serves_the_static_files_itself_with_caching_headers(stack: Stack):
    css = request(stack.port, "GET", "/static/app.css")
    assert css.status == 200 and css.body == (ROOT / "quizapp" / "static" / "app.css").read_bytes()
    assert "x-upstream" not in css.headers  # no app server was asked
    assert "max-age=3600" in css.headers["cache-control"] and "public" in css.headers["cache-control"]
    assert css.headers["x-content-type-options"] == "nosniff"
    again = request(stack.port, "GET", "/static/app.css", headers={"If-None-Match": css.headers["etag"]})
    assert again.status == 304
    assert request(stack.port, "GET", "/static/../wsgi.py").status in (400, 404)


def _kill_workers_during(stack: Stack, server: Gunicorn, calls: list[Any], after: float) -> list[Any]:
    """Run ``calls`` at once against ``server`` and SIGKILL its workers ``after`` seconds in."""
    killer = threading.Timer(after, lambda: [os.kill(pid, signal.SIGKILL) for pid in server.workers()])
    killer.start()
    try:
        return _at_once(calls)
    finally:
        killer.join()
        wait_for(server.ready, 30, f"{server.name}'s workers to come back")


def test_a_worker_killed_mid_save_loses_nothing_acknowledged(stack: Stack):
    people = [stack.participant(10 + n) for n in range(4)]
    attempts = [stack.start(stack.a.port, token).json() for token in people]
    saves = []
    for token, attempt in zip(people, attempts, strict=True):
        for question in attempt["questions"]:
            option = question["options"][-1]["id"]
            saves.append((token, attempt["attempt_id"], question["id"], option))

    def save_all(token: str, attempt_id: int, plan: list[tuple[int, int]]) -> list[tuple[int, int, bool]]:
        done = []
        for question_id, option in plan:
            try:
                answer = request(stack.a.port, "PUT", f"/api/v1/attempts/{attempt_id}/answers",
                                 {"answers": {str(question_id): option}}, token=token)
                done.append((question_id, option, answer.status == 200))
            except OSError:
                done.append((question_id, option, False))
        return done

    calls = [lambda t=token, a=attempt: save_all(t, a["attempt_id"], [(q, o) for tok, at, q, o in saves
                                                                        if at == a["attempt_id"]])
             for token, attempt in zip(people, attempts, strict=True)]
    results = _kill_workers_during(stack, stack.a, calls, after=0.05)
    acknowledged = [(attempt["attempt_id"], q, o) for attempt, done in zip(attempts, results, strict=True)
                    for q, o, ok in done if ok]
    lost = [q for done in results for q, _o, ok in done if not ok]
    print(f"saves: {len(acknowledged)} acknowledged, {len(lost)} without an answer (workers killed)")
    assert acknowledged, "no save was answered"
    for attempt_id, question_id, shown_option in acknowledged:
        chosen, order, shown = stack.rows(
            "SELECT chosen_option_id, option_order, shown_option_ids FROM attempt_questions "
            "WHERE attempt_id = %s AND question_id = %s", attempt_id, question_id)[0]
        assert chosen == int(order.split(",")[shown.split(",").index(str(shown_option))])


def test_a_worker_killed_mid_submit_counts_each_attempt_once(stack: Stack):
    people = [stack.participant(20 + n) for n in range(6)]
    attempts = [stack.start(stack.b.port, token).json() for token in people]
    calls = [lambda t=token, a=attempt: request(stack.b.port, "POST", f"/api/v1/attempts/{a['attempt_id']}/submit",
                                                 {"answers": {str(q["id"]): q["options"][0]["id"]
                                                              for q in a["questions"]}, "prediction": 2}, token=t)
             for token, attempt in zip(people, attempts, strict=True)]
    first = _kill_workers_during(stack, stack.b, calls, after=0.02)
    print("submits:", [type(answer).__name__ if isinstance(answer, OSError) else answer.status for answer in first])
    for token, attempt, answer in zip(people, attempts, first, strict=True):  # the participant tries again
        again = request(stack.port, "POST", f"/api/v1/attempts/{attempt['attempt_id']}/submit",
                        {"answers": {str(q["id"]): q["options"][0]["id"] for q in attempt["questions"]},
                         "prediction": 2}, token=token)
        assert again.status == 200, again.body
        if not isinstance(answer, OSError) and answer.status == 200:
            assert answer.json() == again.json()  # acknowledged: the same result, not scored again
    ids = [attempt["attempt_id"] for attempt in attempts]
    rows = stack.rows("SELECT a.id, a.status, a.correct_count, count(*) FILTER (WHERE q.is_correct) "
                      "FROM attempts a JOIN attempt_questions q ON q.attempt_id = a.id WHERE a.id = ANY(%s) "
                      "GROUP BY a.id", ids)
    assert len(rows) == len(ids)
    assert all(status == "submitted" and stored == counted for _id, status, stored, counted in rows), rows
    users = stack.rows("SELECT count(*) FROM attempts WHERE user_id IN (SELECT user_id FROM attempts "
                       "WHERE id = ANY(%s))", ids)
    assert users == [(len(ids),)]  # nobody got a second attempt out of it


def test_redis_unreachable_the_server_keeps_serving_and_says_degraded(stack: Stack):
    stack.redis_forwarder.cut()
    try:
        ready = request(stack.b.port, "GET", "/readyz")
        assert ready.status == 503
        assert ready.json() == {"status": "degraded", "checks": {"database": "ok", "redis": "down"}}
        assert request(stack.b.port, "GET", "/api/v1/contests").status == 200
        token = request(stack.b.port, "POST", "/api/v1/auth/token", {"login": "0987000001", "password": PASSWORD})
        assert token.status == 200, token.body  # a rate-limited route: counted in the process meanwhile
        assert request(stack.b.port, "GET", f"/rounds/{stack.round_id}/leaderboard").status in (200, 404)
        assert "falling back to in-memory storage" in stack.b.log.read_text()
    finally:
        stack.redis_forwarder.restore()
    assert request(stack.a.port, "GET", "/readyz").json()["status"] == "ok"


def test_database_unreachable_503_with_retry_after_then_recovery(stack: Stack):
    assert request(stack.b.port, "GET", "/api/v1/contests").status == 200
    stack.pg_forwarder.cut()
    try:
        api = request(stack.b.port, "GET", "/api/v1/contests")
        assert api.status == 503 and api.headers["retry-after"]
        assert api.json()["error"]["code"] == "database_unavailable"
        page = request(stack.b.port, "GET", "/")
        assert page.status == 503 and "thử lại" in page.body.decode()
        assert request(stack.b.port, "GET", "/healthz").status == 200
        ready = request(stack.b.port, "GET", "/readyz")
        assert ready.status == 503 and ready.json()["checks"]["database"] == "down"
    finally:
        stack.pg_forwarder.restore()
    deadline, statuses = time.monotonic() + 15, []
    while time.monotonic() < deadline:
        statuses.append(request(stack.b.port, "GET", "/api/v1/contests").status)
        if statuses[-3:] == [200, 200, 200]:
            break
        time.sleep(0.2)
    assert statuses[-3:] == [200, 200, 200], statuses  # back without restarting the server
    assert request(stack.b.port, "GET", "/readyz").status == 200
