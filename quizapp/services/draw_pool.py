"""What the starts of a round draw from, read once per app process and kept while the banks are unchanged.

A start needs each draw rule's candidates (the active questions matching its topic, bank and difficulty), each
candidate's options, and the texts that go to the participant. They are the same for every participant of a
round, and a round is started thousands of times in its last hours, so each process keeps them per round
(``DrawPool``), labelled with the banks' content revision: the sum of ``Bank.revision``, which every change to
questions or options bumps in its own transaction (``services.banks.count_change``). A start reads that sum with
its other facts in one query (``content_revision``) and gets the pool through ``pool_for``, which reads the pool
again when it was made at another revision. A round's rules and question count never change once it exists; its
times and the participant's attempts are read afresh by every start, not kept here.

Banks are never deleted and revisions only grow, so the sum grows with every change and a stale pool is never
taken for a current one. A pool read just after a change committed may carry the older label: the next start
then reads it once more, which costs a query, never a wrong draw.

Memory: at most ``MAX_ROUNDS`` pools per process, the least recently used dropped first; a pool of 10,000
questions with four options each holds about 10 MB of text.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from flask import current_app
from sqlalchemy import ColumnElement, Row, ScalarSelect, and_, case, func, or_, select, true

from quizapp.domain.draw import Quota
from quizapp.extensions import db
from quizapp.models import Bank, DrawRule, Option, Question

MAX_ROUNDS = 16
_EXTENSION_KEY = "quizapp.draw_pools"
_lock = threading.Lock()


@dataclass(frozen=True, slots=True)
class DrawPool:
    """One round's draw material at one content revision."""

    revision: int
    quotas: tuple[Quota, ...]
    options: Mapping[int, tuple[int, ...]]  # question id -> its option ids, in the bank's order
    question_texts: Mapping[int, str]
    option_texts: Mapping[int, str]


def content_revision() -> ScalarSelect[int]:
    """The banks' content revision, as a scalar subquery to read along with other facts."""
    return select(func.coalesce(func.sum(Bank.__table__.c.revision), 0)).scalar_subquery()


def pool_for(round_id: int, question_count: int, revision: int) -> DrawPool:
    """The round's pool at ``revision``: this process's copy if it was made then, else read now (three queries)
    and kept. ``question_count`` serves a round without draw rules (all active questions)."""
    pools: OrderedDict[int, DrawPool] = current_app.extensions.setdefault(_EXTENSION_KEY, OrderedDict())
    with _lock:
        pool = pools.get(round_id)
        if pool is not None and pool.revision == revision:
            pools.move_to_end(round_id)
            return pool
    pool = _read_pool(round_id, question_count, revision)
    with _lock:
        pools[round_id] = pool
        pools.move_to_end(round_id)
        while len(pools) > MAX_ROUNDS:
            pools.popitem(last=False)
    return pool


def forget_pools() -> None:
    """Drop this process's pools (tests; the revision makes it unnecessary otherwise)."""
    with _lock:
        current_app.extensions.pop(_EXTENSION_KEY, None)


def _read_pool(round_id: int, question_count: int, revision: int) -> DrawPool:
    """Each rule's candidates with their texts in one query, their options in another; rows are read on the
    session's connection without the ORM (a pool can hold thousands of questions)."""
    connection = db.session.connection()
    rules = connection.execute(
        select(DrawRule.position, DrawRule.topic, DrawRule.bank_id, DrawRule.difficulty, DrawRule.count)
        .where(DrawRule.round_id == round_id).order_by(DrawRule.position)
    ).all()
    active = Question.retired_at.is_(None)
    conditions = [and_(true(), *_criteria(rule)) for rule in rules]
    in_pool = and_(active, or_(*conditions)) if rules else active
    flags = [case((condition, 1), else_=0) for condition in conditions]
    rows = connection.execute(select(Question.id, Question.text, *flags).where(in_pool)).all()
    if rules:
        quotas = tuple(Quota(rule.position, rule.count, [row[0] for row in rows if row[index + 2]])
                       for index, rule in enumerate(rules))
    else:
        quotas = (Quota(None, question_count, [row[0] for row in rows]),)
    options: dict[int, list[int]] = {}
    option_texts: dict[int, str] = {}
    for question_id, option_id, text in connection.execute(
            select(Option.question_id, Option.id, Option.text).join(Question, Question.id == Option.question_id)
            .where(in_pool).order_by(Option.question_id, Option.position)):
        options.setdefault(question_id, []).append(option_id)
        option_texts[option_id] = text
    return DrawPool(revision=revision, quotas=quotas,
                    options={question_id: tuple(ids) for question_id, ids in options.items()},
                    question_texts={row[0]: row[1] for row in rows}, option_texts=option_texts)


def _criteria(rule: Row[Any]) -> list[ColumnElement[bool]]:
    """A draw rule's conditions on a question (topic, bank, difficulty; a rule may leave any of them open)."""
    criteria: list[ColumnElement[bool]] = []
    if rule.topic is not None:
        criteria.append(Question.topic == rule.topic)
    if rule.bank_id is not None:
        criteria.append(Question.bank_id == rule.bank_id)
    if rule.difficulty is not None:
        criteria.append(Question.difficulty == rule.difficulty)
    return criteria
