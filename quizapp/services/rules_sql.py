"""The rules of an attempt restated in SQL, for the statements that apply them to many rows or in one round trip.

Each function names its Python reference in ``quizapp.domain``; ``tests/services/test_rules_sql.py`` runs both over
the same table of cases on SQLite and PostgreSQL. Nothing here is a second truth: where a rule changes, it changes
in the domain first and here after, and the test says whether the two still agree.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, Integer, Text, case, exists, func, literal_column
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.sql.elements import Grouping

from quizapp.models import Option


def closing_moment_sql(deadline: ColumnElement[Any], now: ColumnElement[Any]) -> ColumnElement[Any]:
    """``timing.closing_moment``: when an attempt closed at ``now`` counts as submitted (``now``, or its deadline
    if that came first)."""
    return case((deadline < now, deadline), else_=now)


def duration_ms_sql(started_at: ColumnElement[Any], deadline: ColumnElement[Any], submitted_at: ColumnElement[Any],
                    *, dialect: str) -> ColumnElement[int]:
    """``timing.duration_ms``: from the start to the submission, at most to the deadline, in whole milliseconds
    rounded down, never negative.

    PostgreSQL computes it exactly (EXTRACT gives a numeric). SQLite keeps times as text and julianday() reads them
    as a binary fraction of a day (about 50 µs of resolution), so there the times must be kept to the millisecond,
    as every stored start, deadline and closing moment is (``timing.to_millisecond``): rounding is then exact."""
    end = closing_moment_sql(deadline, submitted_at)
    if dialect == "postgresql":
        milliseconds = func.floor(func.extract("epoch", end - started_at) * literal_column("1000"))
        return func.greatest(literal_column("0"), milliseconds).cast(Integer)
    milliseconds = func.round((func.julianday(end) - func.julianday(started_at)) * literal_column("86400000"))
    return func.max(literal_column("0"), milliseconds).cast(Integer)


def accepts_answers_sql(deadline: ColumnElement[Any], grace_seconds: ColumnElement[int],
                        now: ColumnElement[Any]) -> ColumnElement[bool]:
    """``timing.accepts_answers`` (PostgreSQL): answers are taken up to and including deadline + grace."""
    return deadline + grace_seconds * literal_column("interval '1 second'") >= now


def chose_correct_option(chosen_option_id: ColumnElement[int | None]) -> ColumnElement[bool]:
    """``domain.attempts.is_correct`` for the option chosen for a question (a column or an expression): one was
    chosen and it is the question's correct one (no answer, no mark)."""
    return exists().where(Option.id == chosen_option_id, Option.is_correct.is_(True))


def id_array(listed: ColumnElement[str]) -> ColumnElement[list[int]]:
    """PostgreSQL: the ids of an ``option_order`` or ``shown_option_ids`` (comma-separated) as an integer array."""
    return func.string_to_array(listed, literal_column("','"), type_=ARRAY(Text)).cast(ARRAY(Integer))


def bank_option_sql(shown_option_ids: ColumnElement[str], option_order: ColumnElement[str],
                    shown_id: ColumnElement[int]) -> ColumnElement[int]:
    """``domain.draw.bank_option`` (PostgreSQL): the bank's option shown as ``shown_id``, NULL when it is not one
    of the question's."""
    return Grouping(id_array(option_order))[func.array_position(id_array(shown_option_ids), shown_id)]
