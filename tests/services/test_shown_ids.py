"""Options are shown under ids drawn per attempt: the draw's ids, and the lookup of the bank's option behind a shown
id, in Python (``domain.draw.bank_option``) and in PostgreSQL's SQL (``rules_sql.bank_option_sql``), over the same
cases."""

from __future__ import annotations

import random

import pytest
from sqlalchemy import Integer, String, bindparam, select

from quizapp.domain.draw import SHOWN_ID_MAX, bank_option, shuffle_options
from quizapp.extensions import db
from quizapp.services.rules_sql import bank_option_sql

CASES = [
    # (shown ids, the bank's ids in the same order, the id given)
    ((501, 77, 9_000_000, 3), (11, 12, 13, 14), 501),
    ((501, 77, 9_000_000, 3), (11, 12, 13, 14), 3),
    ((501, 77, 9_000_000, 3), (11, 12, 13, 14), 9_000_000),
    ((501, 77, 9_000_000, 3), (11, 12, 13, 14), 11),          # a bank id is no shown id
    ((501, 77, 9_000_000, 3), (11, 12, 13, 14), 0),
    ((501, 77, 9_000_000, 3), (11, 12, 13, 14), -1),
    ((SHOWN_ID_MAX, 1), (7, 8), SHOWN_ID_MAX),
    ((SHOWN_ID_MAX, 1), (7, 8), 2),
    ((42,), (5,), 42),
]


@pytest.mark.parametrize(("shown", "options", "given"), CASES)
def test_the_sql_finds_the_same_bank_option_as_the_reference(app, shown, options, given):
    expected = bank_option(shown, options, given)
    if db.engine.dialect.name != "postgresql":
        pytest.skip("the SQL lookup is PostgreSQL's (SQLite takes the checked path in Python)")
    found = db.session.execute(select(bank_option_sql(
        bindparam("shown", type_=String), bindparam("options", type_=String), bindparam("given", type_=Integer))),
        {"shown": ",".join(map(str, shown)), "options": ",".join(map(str, options)), "given": given}).scalar()
    assert found == expected


def test_the_reference_finds_each_shown_option_and_nothing_else():
    assert [bank_option((501, 77), (11, 12), given) for given in (501, 77, 11, 12, 0)] == [11, 12, None, None, None]


def test_shown_ids_are_fresh_random_ids_distinct_across_the_attempt():
    options = {q: range(q * 10, q * 10 + 4) for q in range(1, 21)}
    drawn = shuffle_options(list(options), options, random.Random(7))
    shown = [i for question in drawn for i in question.shown_ids]
    assert len(shown) == len(set(shown)) == 80 and all(1 <= i <= SHOWN_ID_MAX for i in shown)
    assert not set(shown) & {o for ids in options.values() for o in ids}
    for question in drawn:
        assert sorted(question.option_ids) == list(options[question.question_id])
    again = shuffle_options(list(options), options, random.Random(8))
    assert not set(shown) & {i for question in again for i in question.shown_ids}
