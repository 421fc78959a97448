"""Near-duplicate questions across the banks: the pairs to review, a pair marked "not a duplicate", and the check of
an upload against the banks (identical questions in other banks, near-duplicates anywhere).

The rules are ``quizapp.domain.near_duplicates``'s; this module loads the active questions (one query), and keeps
the organizers' "not a duplicate" decisions in the audit log (action ``question.not_duplicate``, the pair's
smaller id as the object, the other in the details): each decision is then recorded with who and when, and no
table of its own is needed.

A scoped organizer looks only among the banks they may read (``services.scopes``: their subtree's and the shared
ones), so that neither the pairs nor an upload's check shows another unit's private questions; they mark a pair
"not a duplicate" only when they may change both banks, since the decision takes the pair off everyone's list.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, select

from quizapp.domain.banks import ParsedQuestion
from quizapp.domain.near_duplicates import Item, Pair, find_pairs, find_pairs_between, prepared
from quizapp.domain.text import question_key
from quizapp.extensions import db
from quizapp.models import AuditEntry, Bank, Option, Question, User
from quizapp.services import audit
from quizapp.services.scopes import EVERYTHING, Scope, ScopeError, bank_clause

NOT_DUPLICATE = "question.not_duplicate"


@dataclass(frozen=True, slots=True)
class Stored:
    """An active question as the check sees it; ``writable``: the account may change its bank."""

    id: int
    bank_id: int
    bank_name: str
    text: str
    key: str
    writable: bool = True


@dataclass(frozen=True, slots=True)
class NearDuplicate:
    """A pair to review: both questions (with their options), their banks' names, how they were found, and
    whether the account may change each question's bank."""

    first: Question
    second: Question
    first_bank: str
    second_bank: str
    pair: Pair
    first_writable: bool = True
    second_writable: bool = True

    @property
    def dismissable(self) -> bool:
        """Marking the pair "not a duplicate" needs both banks writable (it takes the pair off every list)."""
        return self.first_writable and self.second_writable


@dataclass(frozen=True, slots=True)
class IdenticalQuestion:
    """A question of an upload whose text (case and spacing aside) is already an active question of another bank."""

    question: ParsedQuestion
    existing: Stored


@dataclass(frozen=True, slots=True)
class NearQuestion:
    """A question of an upload that nearly duplicates an active question of some bank."""

    question: ParsedQuestion
    existing: Stored
    pair: Pair


@dataclass(frozen=True, slots=True)
class UploadCheck:
    identical: list[IdenticalQuestion]
    near: list[NearQuestion]


def active_questions(scope: Scope = EVERYTHING) -> list[Stored]:
    """The active questions of the banks ``scope`` may read, with their bank's name, their key's text and whether
    ``scope`` may change their bank, in one query."""
    rows = db.session.execute(
        select(Question.id, Question.bank_id, Bank.name, Question.text, Option.text,
               bank_clause(scope, writing=True))
        .join(Bank, Bank.id == Question.bank_id)
        .join(Option, and_(Option.question_id == Question.id, Option.is_correct))
        .where(Question.retired_at.is_(None), bank_clause(scope))
        .order_by(Question.id)
    ).tuples()
    return [Stored(*row[:5], writable=bool(row[5])) for row in rows]


def dismissed_pairs() -> set[tuple[int, int]]:
    """The pairs organizers marked "not a duplicate", as (smaller id, larger id)."""
    rows = db.session.execute(
        select(AuditEntry.object_id, AuditEntry.details).where(AuditEntry.action == NOT_DUPLICATE)
    ).tuples()
    dismissed = set()
    for question_id, details in rows:
        other = (details or {}).get("other_question_id")
        if isinstance(question_id, int) and isinstance(other, int):
            dismissed.add((min(question_id, other), max(question_id, other)))
    return dismissed


def near_duplicates(scope: Scope = EVERYTHING) -> list[NearDuplicate]:
    """The near-duplicate pairs among the active questions of the banks ``scope`` may read (every bank for
    unscoped staff), most alike first, without the pairs marked "not a duplicate". Three queries whatever the
    number of questions and pairs."""
    stored = active_questions(scope)
    by_id = {question.id: question for question in stored}
    dismissed = dismissed_pairs()
    pairs = [pair for pair in find_pairs(prepared(Item(q.id, q.text, q.key) for q in stored))
             if (min(pair.first, pair.second), max(pair.first, pair.second)) not in dismissed]
    ids = {pair.first for pair in pairs} | {pair.second for pair in pairs}
    questions = {q.id: q for q in db.session.scalars(select(Question).where(Question.id.in_(ids)))} if ids else {}
    return [NearDuplicate(first=questions[pair.first], second=questions[pair.second],
                          first_bank=by_id[pair.first].bank_name, second_bank=by_id[pair.second].bank_name,
                          pair=pair, first_writable=by_id[pair.first].writable,
                          second_writable=by_id[pair.second].writable) for pair in pairs]


class NotAPair(Exception):
    """The two ids are not two distinct questions."""


def mark_not_duplicate(first: Question, second: Question, *, actor: User | None, now: datetime,
                       scope: Scope = EVERYTHING) -> None:
    """Record that ``first`` and ``second`` are different questions: the pair leaves the list (audited). Both
    banks must be ones ``scope`` may change, else ScopeError (``outside_scope`` when one cannot even be read,
    ``read_only`` for a shared bank) and nothing is recorded."""
    if first.id == second.id:
        raise NotAPair(first.id)
    _refuse_unless_both_writable(scope, first, second)
    low, high = sorted((first.id, second.id))
    if (low, high) in dismissed_pairs():
        return
    audit.record(actor=actor, action=NOT_DUPLICATE, object_type="question", object_id=low, now=now,
                 details={"other_question_id": high})


def _refuse_unless_both_writable(scope: Scope, *questions: Question) -> None:
    if scope.everything:
        return
    ids = [question.id for question in questions]
    rows = db.session.execute(
        select(Question.id, bank_clause(scope), bank_clause(scope, writing=True))
        .join(Bank, Bank.id == Question.bank_id).where(Question.id.in_(ids))
    ).tuples().all()
    if not all(readable for _id, readable, _writable in rows) or len(rows) < len(set(ids)):
        raise ScopeError("outside_scope", "question")
    if not all(writable for _id, _readable, writable in rows):
        raise ScopeError("read_only", "question")


def check_upload(questions: Sequence[ParsedQuestion], bank_id: int | None,
                 scope: Scope = EVERYTHING) -> UploadCheck:
    """What an upload's ``questions`` (those it would add to the bank ``bank_id``, None for a new bank) repeat of
    the active questions of the banks ``scope`` may read: identical texts in other banks, each listed once per
    question, and near duplicates in any bank (the identical ones left out)."""
    stored = active_questions(scope)
    if not questions or not stored:
        return UploadCheck(identical=[], near=[])
    by_key: dict[str, list[Stored]] = {}
    for existing in stored:
        by_key.setdefault(question_key(existing.text), []).append(existing)
    identical = [IdenticalQuestion(question, existing)
                 for question in questions
                 for existing in by_key.get(question_key(question.text), [])
                 if existing.bank_id != bank_id]
    repeated = {(item.question.line, item.existing.id) for item in identical}
    new_items = prepared(Item(index, q.text, q.options[q.correct_index]) for index, q in enumerate(questions))
    old_items = prepared(Item(index, s.text, s.key) for index, s in enumerate(stored))
    near = []
    for pair in find_pairs_between(new_items, old_items):
        question, existing = questions[pair.first], stored[pair.second]
        if (question.line, existing.id) not in repeated and question_key(question.text) != question_key(existing.text):
            near.append(NearQuestion(question, existing, pair))
    near.sort(key=lambda item: (item.question.line, -item.pair.similarity))
    return UploadCheck(identical=identical, near=near)
