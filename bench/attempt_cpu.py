"""The app's own CPU per request of the attempt flow, in-process (Flask's test client) on PostgreSQL.

Where ``attempt_flow.py`` measures throughput against a ceiling under gunicorn, and so depends on how busy the
machine is, this measures the CPU time the app's process spends per request (``time.process_time``: the app and
its database driver, not PostgreSQL's server), which other work on the machine disturbs much less. Meant for
comparing two builds in alternation: run it with ``PYTHONPATH`` set to each build's checkout in turn. A timed
request includes reading its answer to the end and closing it, as gunicorn does (the request log writes its line
then).

    PYTHONPATH=. .venv/bin/python bench/attempt_cpu.py --people 300 --rounds 3

It creates a throwaway database ``quizapp_cpu_<pid>`` on the server (trust auth) and drops it at the end.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import time
from collections import defaultdict
from datetime import UTC, datetime, timedelta
from pathlib import Path

import psycopg


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--postgres", default="postgresql://root@127.0.0.1:5432")
    parser.add_argument("--people", type=int, default=300, help="participants per pass")
    parser.add_argument("--rounds", type=int, default=3, help="passes (the first warms up and is not counted)")
    parser.add_argument("--saves", type=int, default=5)
    args = parser.parse_args()
    name = f"quizapp_cpu_{os.getpid()}"
    with psycopg.connect(f"{args.postgres}/postgres", autocommit=True) as admin:
        admin.execute(f"CREATE DATABASE {name}")
    try:
        run(f"{args.postgres.replace('postgresql://', 'postgresql+psycopg://', 1)}/{name}", args)
    finally:
        with psycopg.connect(f"{args.postgres}/postgres", autocommit=True) as admin:
            admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def run(url: str, args: argparse.Namespace) -> None:
    from flask_migrate import upgrade

    import quizapp
    from quizapp import create_app
    from quizapp.extensions import db

    root = Path(quizapp.__file__).resolve().parent.parent  # the build under test, with its own sample banks

    os.environ["QUIZAPP_INSTANCE_PATH"] = f"/tmp/quizapp_cpu_{os.getpid()}"
    os.makedirs(os.environ["QUIZAPP_INSTANCE_PATH"], exist_ok=True)
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench", "RATELIMIT_ENABLED": False,
                      "WTF_CSRF_ENABLED": False, "QUIZAPP_ARGON2_TIME_COST": 1, "QUIZAPP_ARGON2_MEMORY_KIB": 1024})
    with app.app_context():
        upgrade()
        db.session.remove()
    runner = app.test_cli_runner()
    runner.invoke(args=["units", "import", str(root / "quizapp" / "demo" / "units.csv")])
    for bank in sorted((root / "question_banks").glob("ho_chi_minh_*.csv")):
        runner.invoke(args=["banks", "import", str(bank)])
    unit = next(line.split(",")[0] for line in (root / "quizapp" / "demo" / "units.csv").read_text().splitlines()[2:])
    now = datetime.now(UTC)
    toml = Path(os.environ["QUIZAPP_INSTANCE_PATH"]) / "contest.toml"
    toml.write_text(f'''[contest]
title = "CPU"
rules = "x"
[[rounds]]
name = "R"
opens_at = {(now - timedelta(hours=1)).isoformat()}
closes_at = {(now + timedelta(days=1)).isoformat()}
question_count = 20
time_limit_seconds = 1800
max_attempts = 100
prediction_question = "?"
''', encoding="utf-8")
    created = runner.invoke(args=["contests", "create", str(toml), "--json"])

    round_id = json.loads(created.output)["rounds"][0]["id"]
    client = app.test_client()
    spent: dict[str, list[float]] = defaultdict(list)

    def timed(endpoint: str, call):
        started = time.process_time()
        response = call()
        spent[endpoint].append(time.process_time() - started)
        assert response.status_code < 300, (endpoint, response.status_code, response.get_data(as_text=True)[:300])
        return response

    for pass_number in range(args.rounds):
        counted = pass_number > 0
        for person in range(args.people):
            phone = f"09{pass_number:02d}{person:06d}"
            client.post("/api/v1/auth/register", json={"full_name": "Người Thử", "phone": phone,
                                                       "password": "mat-khau-1", "unit_code": unit})
            token = client.post("/api/v1/auth/token", json={"login": phone, "password": "mat-khau-1"}).json["token"]
            auth = {"Authorization": f"Bearer {token}"}
            attempt = timed("start", lambda auth=auth: client.post(f"/api/v1/rounds/{round_id}/attempts",
                                                                   headers=auth, buffered=True)).json
            questions = attempt["questions"]
            for question in questions[:args.saves]:
                body = {"answers": {str(question["id"]): question["options"][0]["id"]}}
                timed("save", lambda body=body, auth=auth, attempt=attempt: client.put(
                    f"/api/v1/attempts/{attempt['attempt_id']}/answers", headers=auth, json=body, buffered=True))
            answers = {str(q["id"]): q["options"][-1]["id"] for q in questions}
            timed("submit", lambda answers=answers, auth=auth, attempt=attempt: client.post(
                f"/api/v1/attempts/{attempt['attempt_id']}/submit", headers=auth,
                json={"answers": answers, "prediction": 7}, buffered=True))
        if not counted:
            spent.clear()
    for endpoint in ("start", "save", "submit"):
        values = spent[endpoint]
        print(f"{endpoint:7s} n={len(values):5d}  mean {statistics.fmean(values) * 1e6:7.0f} µs"
              f"  median {statistics.median(values) * 1e6:7.0f} µs")


if __name__ == "__main__":
    main()
