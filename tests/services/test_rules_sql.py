"""Each rule that SQL restates (``quizapp.services.rules_sql``) against its Python reference in ``quizapp.domain``,
over the same table of cases, on SQLite and PostgreSQL (the suite runs on both)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Integer, bindparam, literal, select

from quizapp.domain import timing
from quizapp.domain.attempts import is_correct
from quizapp.extensions import db
from quizapp.models import Bank, Option, Question
from quizapp.models.types import UTCDateTime
from quizapp.services import rules_sql

START = datetime(2026, 11, 23, 8, 0, 0, 123_000, tzinfo=UTC)
MS = timedelta(milliseconds=1)
US = timedelta(microseconds=1)


def at(moment: datetime):
    return literal(moment, UTCDateTime())


def on_postgresql() -> bool:
    return db.engine.dialect.name == "postgresql"


# (time after start of the submission, the attempt's limit); the times below the millisecond are PostgreSQL's
# only (SQLite's stored times are kept to the millisecond, as rules_sql.duration_ms_sql says).
DURATIONS = [
    (timedelta(minutes=3, milliseconds=2), timedelta(minutes=15), False),
    (timedelta(0), timedelta(minutes=15), False),
    (timedelta(minutes=15), timedelta(minutes=15), False),
    (timedelta(minutes=20), timedelta(minutes=15), False),           # counted only up to the deadline
    (-timedelta(seconds=5), timedelta(minutes=15), False),           # never negative
    (timedelta(hours=30, milliseconds=1), timedelta(days=2), False),
    (timedelta(minutes=3, microseconds=2999), timedelta(minutes=15), True),   # rounded down to the millisecond
    (timedelta(microseconds=999), timedelta(minutes=15), True),
    (timedelta(minutes=15), timedelta(minutes=15, microseconds=1500), True),
]


@pytest.mark.parametrize(("after_start", "limit", "below_a_millisecond"), DURATIONS)
def test_duration_and_closing_moment(app, after_start, limit, below_a_millisecond):
    if below_a_millisecond and not on_postgresql():
        pytest.skip("times below the millisecond are never stored on SQLite")
    deadline, submitted = START + limit, START + after_start
    dialect = db.engine.dialect.name
    in_sql = db.session.execute(select(
        rules_sql.duration_ms_sql(at(START), at(deadline), at(submitted), dialect=dialect),
        rules_sql.closing_moment_sql(at(deadline), at(submitted)).label("moment"))).one()
    assert in_sql[0] == timing.duration_ms(START, deadline, submitted)
    moment = in_sql.moment if isinstance(in_sql.moment, datetime) else datetime.fromisoformat(in_sql.moment)
    assert moment.replace(tzinfo=UTC) == timing.closing_moment(deadline, submitted)


@pytest.mark.parametrize(("after_deadline", "grace"), [
    (timedelta(0), 10), (timedelta(seconds=10), 10), (timedelta(seconds=10) + MS, 10), (timedelta(seconds=10) + US, 10),
    (-timedelta(minutes=1), 0), (US, 0), (timedelta(0), 0), (timedelta(hours=2), 3600),
])
def test_accepting_answers(app, after_deadline, grace):
    if not on_postgresql():
        pytest.skip("the one-statement save and submit are PostgreSQL's; SQLite checks in Python")
    deadline = START + timedelta(minutes=15)
    in_sql = db.session.scalar(select(rules_sql.accepts_answers_sql(
        at(deadline), literal(grace, Integer), at(deadline + after_deadline))))
    assert in_sql == timing.accepts_answers(deadline, grace, deadline + after_deadline)


def test_a_mark_is_given_for_the_correct_option_only(app):
    bank = Bank(name="B")
    db.session.add(bank)
    db.session.flush()
    question = Question(text="Câu?", text_hash="h", bank_id=bank.id)
    question.options = [Option(position=p, text=str(p), is_correct=p == 1) for p in range(3)]
    db.session.add(question)
    db.session.flush()
    correct = question.correct_option.id
    cases = [None, correct, question.options[0].id, question.options[2].id, correct + 1000]
    chosen = bindparam("chosen", type_=Integer)
    for option_id in cases:
        in_sql = db.session.scalar(select(rules_sql.chose_correct_option(chosen)), {"chosen": option_id})
        assert in_sql == is_correct(option_id, correct), option_id
