"""The lookups meant for the partial indexes on attempts in progress use them, also as prepared statements.

A partial index serves a query only when the planner can prove the query's condition implies the index's
predicate (``status = 'in_progress'``). A bound value proves nothing to a prepared statement's generic plan on
PostgreSQL (psycopg prepares a query from its fifth execution on a connection): a start then read every attempt
in progress of the round to find the participant's own. (SQLite plans with the bound values; it is checked too.)
"""

from __future__ import annotations

import random
import re
from datetime import timedelta

import psycopg.sql
import pytest
from sqlalchemy import event, insert, select
from sqlalchemy.dialects import postgresql, sqlite

from quizapp.extensions import db
from quizapp.models import Attempt, AttemptStatus, Role, User
from quizapp.models.attempts import in_progress
from quizapp.models.types import utcnow
from quizapp.services.attempts import save_answers, start_or_resume, submit
from quizapp.services.attempts.save import _SAVE_ONE_FOR_TOKEN
from quizapp.services.attempts.start import _START_FACTS_FOR_TOKEN
from quizapp.services.attempts.submission import _one_statement_submit
from tests.services.test_attempts import NOW, make_bank, make_round, options_by_correctness

PEOPLE = 300


@pytest.fixture
def crowded_round(app):
    """A round with PEOPLE attempts in progress, and the statistics a busy database would have."""
    make_bank()
    round_ = make_round()
    now = utcnow()
    db.session.execute(insert(User), [
        {"role": Role.PARTICIPANT, "full_name": f"Thí sinh {n}", "name_key": f"thi sinh {n}", "phone": f"09{n:08d}",
         "password_hash": "x", "consent_at": now, "created_at": now} for n in range(PEOPLE)])
    users = db.session.scalars(select(User.id)).all()
    db.session.execute(insert(Attempt), [
        {"round_id": round_.id, "user_id": user_id, "number": 1, "status": AttemptStatus.IN_PROGRESS,
         "started_at": NOW, "deadline_at": NOW + timedelta(minutes=15), "question_count": 10} for user_id in users])
    db.session.commit()
    db.session.execute(db.text("ANALYZE"))
    return round_.id, users[0]


def only_on_postgresql(what: str) -> None:
    if db.engine.dialect.name != "postgresql":
        pytest.skip(f"{what} PostgreSQL's")


def kept_plans(*fragments: str):
    """(generic plans, custom plans) PostgreSQL made for the prepared statement whose text holds ``fragments``."""
    where = " AND ".join(f"statement LIKE '%{fragment}%'" for fragment in fragments)
    return db.session.execute(db.text(f"SELECT generic_plans, custom_plans FROM pg_prepared_statements WHERE {where}")
                              ).one()


def plan(statement, params: dict) -> str:
    """The plan the database uses for ``statement`` run as the app runs it: on PostgreSQL prepared with a generic
    plan (as after five executions), on SQLite with bound parameters; sequential scans ruled out, so that a small
    test table says what a large one would."""
    connection = db.session.connection()
    if connection.dialect.name == "sqlite":
        compiled = statement.compile(dialect=sqlite.dialect(paramstyle="named"))
        rows = connection.exec_driver_sql("EXPLAIN QUERY PLAN " + str(compiled), compiled.construct_params(params))
        return "\n".join(str(row[-1]) for row in rows)
    compiled = statement.compile(dialect=postgresql.psycopg.dialect())
    values = compiled.construct_params(params)
    names: list[str] = []

    def numbered(match: re.Match[str]) -> str:
        if match.group(1) not in names:
            names.append(match.group(1))
        return f"${names.index(match.group(1)) + 1}"

    prepared = re.sub(r"%\((\w+)\)s", numbered, str(compiled))
    raw = connection.connection.dbapi_connection
    arguments = psycopg.sql.SQL(", ").join(psycopg.sql.Literal(values[name]) for name in names).as_string(raw)
    connection.exec_driver_sql("SET LOCAL plan_cache_mode = force_generic_plan")
    connection.exec_driver_sql("SET LOCAL enable_seqscan = off")
    connection.exec_driver_sql("PREPARE plan_under_test AS " + prepared)
    try:
        return "\n".join(row[0] for row in connection.exec_driver_sql(f"EXPLAIN EXECUTE plan_under_test({arguments})"))
    finally:
        connection.exec_driver_sql("DEALLOCATE plan_under_test")


def test_a_start_finds_the_participants_attempt_in_progress_through_its_own_index(crowded_round):
    round_id, user_id = crowded_round
    shown = plan(_START_FACTS_FOR_TOKEN, {"round_id": round_id, "user_id": user_id, "token_version": 0})
    assert "uq_attempts_one_in_progress" in shown, shown
    assert "ix_attempts_ranking" not in shown, shown


def test_in_progress_lets_the_deadline_sweep_use_the_open_deadlines_index(crowded_round):
    overdue = select(Attempt.round_id).where(in_progress(Attempt.status), Attempt.deadline_at < NOW)
    shown = plan(overdue, {})
    assert "ix_attempts_deadline_open" in shown, shown


def test_a_one_answer_save_locks_the_attempt_by_its_key(crowded_round):
    """Not through the index of attempts in progress, which holds every participant of a busy round."""
    only_on_postgresql("the one-statement save is")
    _, user_id = crowded_round
    attempt_id = db.session.scalar(select(Attempt.id).where(Attempt.user_id == user_id))
    shown = plan(_SAVE_ONE_FOR_TOKEN, {"a_id": attempt_id, "user_id": user_id, "token_version": 0, "now": NOW,
                                       "q_id": 1, "o_id": 1})
    assert "pk_attempts" in shown, shown
    assert "uq_attempts_one_in_progress" not in shown, shown


def test_a_one_answer_save_is_planned_once_not_at_every_save(app, make_user):
    """PostgreSQL plans a prepared statement once only if that generic plan is estimated no worse than the plans
    made for the values; a save written over an array of answers never was, and was planned again at each save."""
    only_on_postgresql("prepared statements and their plans are")
    make_bank()
    participant = make_user()
    attempt = start_or_resume(make_round().id, participant.id, now=NOW, rng=random.Random(0))
    right, wrong = options_by_correctness(attempt.id)
    for n, question in enumerate(sorted(right) * 2):  # psycopg prepares from the fifth execution
        choice = (right, wrong)[n % 2][question]
        save_answers(attempt.id, {str(question): choice}, user_id=participant.id,
                     now=NOW + timedelta(seconds=n), token_version=participant.token_version)
    plans = kept_plans("FOR NO KEY UPDATE", "UPDATE attempt_questions", "AS good")
    assert plans.generic_plans > plans.custom_plans, plans


def test_a_submit_locks_the_attempt_by_its_key(crowded_round):
    """The one-statement submit looks the attempt up by its key, as the one-answer save does."""
    only_on_postgresql("the one-statement submit is")
    _, user_id = crowded_round
    attempt_id = db.session.scalar(select(Attempt.id).where(Attempt.user_id == user_id))
    parameters = {"a_id": attempt_id, "u_id": user_id, "token_version": 0, "at": NOW, "new_prediction": 3,
                  **{f"q{i}": i + 1 for i in range(20)}, **{f"o{i}": i + 1 for i in range(20)}}
    shown = plan(_one_statement_submit(20, token=True), parameters)
    assert "pk_attempts" in shown, shown
    assert "uq_attempts_one_in_progress" not in shown and "ix_attempts_deadline_open" not in shown, shown


def test_a_submit_in_order_is_one_statement(app, make_user):
    """On PostgreSQL a submit with every answer in order is a single statement, and stores what the checked path
    would: the score, the duration counted to the submission, the prediction."""
    only_on_postgresql("the one-statement submit is")
    make_bank()
    participant = make_user()
    attempt = start_or_resume(make_round().id, participant.id, now=NOW, rng=random.Random(0))
    right, wrong = options_by_correctness(attempt.id)
    answers = {str(q): (right if n % 3 else wrong)[q] for n, q in enumerate(sorted(right))}
    statements: list[str] = []
    listen = ("before_cursor_execute", lambda *args: statements.append(args[2]))
    event.listen(db.engine, *listen)
    try:
        result = submit(attempt.id, user_id=participant.id, answers=answers, prediction=41,
                        now=NOW + timedelta(minutes=3, microseconds=2500), token_version=participant.token_version)
    finally:
        event.remove(db.engine, *listen)
    assert len(statements) == 1, statements
    expected = sum(1 for n, _ in enumerate(sorted(right)) if n % 3)
    assert (result.correct_count, result.duration_ms) == (expected, 180_002)
    stored = db.session.get(Attempt, attempt.id)
    db.session.refresh(stored)
    assert (stored.status, stored.correct_count, stored.duration_ms, stored.prediction) == (
        AttemptStatus.SUBMITTED, expected, 180_002, 41)


def test_a_submit_is_planned_once_not_at_every_submit(app, make_user):
    """As for the one-answer save: a prepared statement that PostgreSQL planned again at every execution would
    cost the server a plan per submit."""
    only_on_postgresql("prepared statements and their plans are")
    make_bank()
    round_id = make_round().id
    for n in range(20):  # psycopg prepares from the 5th execution; PostgreSQL makes 5 custom plans first
        participant = make_user()
        attempt = start_or_resume(round_id, participant.id, now=NOW, rng=random.Random(n))
        right, _ = options_by_correctness(attempt.id)
        submit(attempt.id, user_id=participant.id, answers={str(q): o for q, o in right.items()}, prediction=n,
               now=NOW + timedelta(minutes=n), token_version=participant.token_version)
    plans = kept_plans("UPDATE attempts SET status", "FOR NO KEY UPDATE")
    assert plans.generic_plans > plans.custom_plans, plans
