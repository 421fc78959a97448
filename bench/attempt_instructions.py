"""Instructions the app's process executes per request of the attempt flow, counted by valgrind's callgrind.

Unlike time, an instruction count hardly moves when other work shares the machine, so two builds can be compared
on a busy host with a handful of requests each. The database is prepared natively (migrations, the sample banks,
a round open now, participants with tokens); then the flow runs in-process (Flask's test client, each answer
read to the end and closed as gunicorn does) under ``valgrind --tool=callgrind``, which counts only inside the
measured requests (each is called through ``operator.call``, the toggle) and writes one dump per request. Printed:
the median per endpoint of the API's start, one-answer save (PUT) and 20-answer submit, and of a signed-in
browser's autosave (PUT with the session cookie) and attempt page.

    PYTHONPATH=/path/to/build .venv/bin/python bench/attempt_instructions.py [--warm 15] [--count 12]

It creates throwaway databases ``quizapp_instr_<pid>*`` (trust auth) and drops them at the end. Compare two
builds by running it with ``PYTHONPATH`` set to each; the figures include the test client's own work.
"""

from __future__ import annotations

import argparse
import json
import operator
import os
import statistics
import subprocess
import sys
import tempfile
from collections import defaultdict
from datetime import UTC, datetime, timedelta
from pathlib import Path

import psycopg

SETTINGS = {"SECRET_KEY": "bench", "WTF_CSRF_ENABLED": False, "QUIZAPP_ARGON2_TIME_COST": 1,
            "QUIZAPP_ARGON2_MEMORY_KIB": 1024}
ENDPOINTS = ("start", "save", "submit", "page_save", "page_get")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--postgres", default="postgresql://root@127.0.0.1:5432")
    parser.add_argument("--warm", type=int, default=15, help="participants through the flow before measuring")
    parser.add_argument("--count", type=int, default=12, help="participants measured (each: start, 5 saves, submit)")
    parser.add_argument("--measure", nargs=2, metavar=("DATABASE", "DIR"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        return measure(args, *args.measure)
    base = f"quizapp_instr_{os.getpid()}"
    with tempfile.TemporaryDirectory(prefix="quizapp_instr_") as folder:
        try:
            prepare(args, base, folder)
            with _admin(args) as admin:
                admin.execute(f"CREATE DATABASE {base}_run TEMPLATE {base}")
            subprocess.run(["valgrind", "--tool=callgrind", "--collect-atstart=no", "--toggle-collect=_operator_call",
                            "--dump-after=_operator_call", "--dump-instr=no", f"--callgrind-out-file={folder}/cg",
                            sys.executable, __file__, "--measure", f"{base}_run", folder, "--warm", str(args.warm),
                            "--count", str(args.count), "--postgres", args.postgres],
                           check=True, env={**os.environ, "PYTHONHASHSEED": "0"}, stderr=subprocess.DEVNULL)
            report(folder)
        finally:
            with _admin(args) as admin:
                for name in (f"{base}_run", base):
                    admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def _admin(args: argparse.Namespace) -> psycopg.Connection:
    return psycopg.connect(f"{args.postgres}/postgres", autocommit=True)


def _app(args: argparse.Namespace, database: str, folder: str, **settings: object):
    from quizapp import create_app

    os.environ["QUIZAPP_INSTANCE_PATH"] = folder
    url = f"{args.postgres.replace('postgresql://', 'postgresql+psycopg://', 1)}/{database}"
    return create_app({**SETTINGS, "SQLALCHEMY_DATABASE_URI": url, **settings})


def prepare(args: argparse.Namespace, database: str, folder: str) -> None:
    """The database as a template: schema, units, the sample banks, a round open now, participants and tokens."""
    from flask_migrate import upgrade

    import quizapp
    from quizapp.extensions import db

    with _admin(args) as admin:
        admin.execute(f"CREATE DATABASE {database}")
    root = Path(quizapp.__file__).resolve().parent.parent
    app = _app(args, database, folder, RATELIMIT_ENABLED=False)
    with app.app_context():
        upgrade()
        db.session.remove()
    runner = app.test_cli_runner()
    units = root / "quizapp" / "demo" / "units.csv"
    runner.invoke(args=["units", "import", str(units)])
    for bank in sorted((root / "question_banks").glob("ho_chi_minh_*.csv")):
        runner.invoke(args=["banks", "import", str(bank)])
    unit = units.read_text().splitlines()[2].split(",")[0]
    now = datetime.now(UTC)
    toml = Path(folder) / "contest.toml"
    toml.write_text(f'[contest]\ntitle = "CPU"\nrules = "x"\n[[rounds]]\nname = "R"\n'
                    f"opens_at = {(now - timedelta(hours=1)).isoformat()}\n"
                    f"closes_at = {(now + timedelta(days=1)).isoformat()}\n"
                    'question_count = 20\ntime_limit_seconds = 1800\nmax_attempts = 100\nprediction_question = "?"\n',
                    encoding="utf-8")
    round_id = json.loads(runner.invoke(args=["contests", "create", str(toml), "--json"]).output)["rounds"][0]["id"]
    client, people = app.test_client(), []
    for person in range(args.warm + args.count + 3 + args.count // 3):
        phone = f"0912{person:06d}"
        client.post("/api/v1/auth/register", json={"full_name": "Người Thử", "phone": phone,
                                                   "password": "mat-khau-1", "unit_code": unit})
        token = client.post("/api/v1/auth/token", json={"login": phone, "password": "mat-khau-1"}).json["token"]
        people.append({"phone": phone, "token": token})
    (Path(folder) / "people.json").write_text(json.dumps({"round_id": round_id, "people": people}))
    with app.app_context():
        db.engine.dispose()


def measure(args: argparse.Namespace, database: str, folder: str) -> None:
    """Runs under callgrind: the flow, each measured request called through ``operator.call``."""
    info = json.loads((Path(folder) / "people.json").read_text())
    app = _app(args, database, folder)
    client, round_id, people, order = app.test_client(), info["round_id"], info["people"], []

    def call(endpoint: str, measured: bool, request):
        response = operator.call(request) if measured else request()
        assert response.status_code < 300, (endpoint, response.status_code, response.get_data(as_text=True)[:300])
        if measured:
            order.append(endpoint)
        return response

    for number, person in enumerate(people[:args.warm + args.count]):
        measured, auth = number >= args.warm, {"Authorization": f"Bearer {person['token']}"}
        attempt = call("start", measured, lambda auth=auth: client.post(
            f"/api/v1/rounds/{round_id}/attempts", headers=auth, buffered=True)).json
        url = f"/api/v1/attempts/{attempt['attempt_id']}"
        for question in attempt["questions"][:5]:
            body = {"answers": {str(question["id"]): question["options"][0]["id"]}}
            call("save", measured, lambda auth=auth, body=body, url=url: client.put(
                f"{url}/answers", headers=auth, json=body, buffered=True))
        answers = {str(question["id"]): question["options"][-1]["id"] for question in attempt["questions"]}
        call("submit", measured, lambda auth=auth, answers=answers, url=url: client.post(
            f"{url}/submit", headers=auth, json={"answers": answers, "prediction": 7}, buffered=True))
    for number, person in enumerate(people[args.warm + args.count:]):
        measured, page = number >= 3, app.test_client()
        assert page.post("/login", data={"login": person["phone"], "password": "mat-khau-1"}).status_code == 302
        url = page.post(f"/rounds/{round_id}/start").headers["Location"]
        attempt_id = int(url.rstrip("/").split("/")[-1])
        shown = client.get(f"/api/v1/attempts/{attempt_id}", headers={"Authorization": f"Bearer {person['token']}"})
        for question in shown.json["questions"][:3]:
            body = {"answers": {str(question["id"]): question["options"][1]["id"]}}
            call("page_save", measured, lambda body=body, page=page, attempt_id=attempt_id: page.put(
                f"/attempts/{attempt_id}/answers", json=body, buffered=True))
        call("page_get", measured, lambda page=page, attempt_id=attempt_id: page.get(
            f"/attempts/{attempt_id}", buffered=True))
    (Path(folder) / "order.json").write_text(json.dumps(order))
    with app.app_context():
        from quizapp.extensions import db

        db.engine.dispose()


def report(folder: str) -> None:
    order = json.loads((Path(folder) / "order.json").read_text())
    dumps = sorted(Path(folder).glob("cg.*"), key=lambda path: int(path.name.rsplit(".", 1)[1]))
    totals = []
    for dump in dumps:
        with dump.open(errors="replace") as lines:
            totals.append(next(int(line.split()[1]) for line in lines if line.startswith(("totals:", "summary:"))))
    assert len(totals) == len(order), (len(totals), len(order))
    spent: dict[str, list[int]] = defaultdict(list)
    for endpoint, total in zip(order, totals, strict=True):
        spent[endpoint].append(total)
    for endpoint in ENDPOINTS:
        values = spent[endpoint]
        print(f"{endpoint:9s} n={len(values):3d}  median {statistics.median(values):10,.0f}"
              f"  min {min(values):10,.0f}  max {max(values):10,.0f} instructions")


if __name__ == "__main__":
    main()
