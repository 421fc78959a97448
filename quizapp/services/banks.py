"""Question banks: preview and import a file, list and search, edit, retire (the export: ``services.bank_export``).

What a scoped organizer may read and change is ``services.scopes``'s rule (their subtree's banks, and shared banks
read only); the functions here take the account's ``scope`` and apply it: a listing shows only what may be read, and
a change to a bank the scope may not change raises (:class:`BankNotWritable` for an import by name,
:class:`~quizapp.services.scopes.ScopeError` for a question).
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import exists, func, or_, select, update

from quizapp.domain.bank_export import LETTERS
from quizapp.domain.banks import (
    BankFileError,
    ImportLimits,
    ParsedQuestion,
    Problem,
    fingerprint,
    read_bank,
)
from quizapp.domain.text import clean, escape_like, fold, question_key
from quizapp.extensions import db
from quizapp.models import AttemptQuestion, Bank, BankImport, Option, Question, Unit, User
from quizapp.services import audit
from quizapp.services.bulk import insert_rows
from quizapp.services.near_duplicates import UploadCheck, check_upload
from quizapp.services.scopes import EVERYTHING, Scope, ScopeError, bank_clause


@dataclass(frozen=True)
class ImportPlan:
    """What importing a file into a bank would do; ``problems`` empty means it can be confirmed. ``skipped``:
    the file's questions of other types left out, when the import was asked to skip them."""

    questions: list[ParsedQuestion]
    new: list[ParsedQuestion]
    unchanged: int
    problems: list[Problem] = field(default_factory=list)
    skipped: list[Problem] = field(default_factory=list)

    @property
    def by_topic(self) -> list[tuple[str, int]]:
        return sorted(Counter(q.topic or "" for q in self.new).items())

    @property
    def by_difficulty(self) -> list[tuple[str, int]]:
        return sorted(Counter(q.difficulty or "" for q in self.new).items())


@dataclass(frozen=True)
class ImportResult:
    bank: Bank
    added: int
    unchanged: int
    by_topic: list[tuple[str, int]]
    skipped: list[Problem] = field(default_factory=list)
    #: what the added questions repeat of the other banks, when the import was asked to check (``check_upload``)
    repeats: UploadCheck | None = None


def text_hash(text: str) -> str:
    return hashlib.sha256(question_key(text).encode()).hexdigest()


def search_key(text: str, options: Sequence[str]) -> str:
    """What the bank search matches: the question and its options, accent- and case-folded."""
    return fold(" ".join([text, *options]))


def find_bank(name: str) -> Bank | None:
    return db.session.scalar(select(Bank).where(Bank.name == clean(name)))


class BankNotWritable(Exception):
    """The name an import gives is that of a bank the account may not change: a shared bank (``shared``) or
    another unit's. Bank names are unique across every unit, so the import needs another name."""

    def __init__(self, name: str, *, shared: bool) -> None:
        super().__init__(name, shared)
        self.name, self.shared = name, shared


def may_change(scope: Scope, bank: Bank) -> bool:
    """Whether staff working in ``scope`` may change ``bank`` and its questions (``services.scopes`` decides)."""
    if scope.everything:
        return True
    return bool(db.session.scalar(select(exists().where(Bank.id == bank.id, bank_clause(scope, writing=True)))))


def import_target(name: str, scope: Scope = EVERYTHING) -> Bank | None:
    """The bank an import named ``name`` adds to: the existing bank, which ``scope`` must be allowed to change
    (else :class:`BankNotWritable`), or None when the name is free (the import creates the bank)."""
    bank = find_bank(name)
    if bank is not None and not may_change(scope, bank):
        raise BankNotWritable(clean(name), shared=bank.scope_unit_id is None)
    return bank


def plan_import(bank: Bank | None, filename: str, data: bytes, *, limits: ImportLimits,
                default_topic: str | None = None, skip_other_types: bool = False) -> ImportPlan:
    """Parse ``data`` and compare it with ``bank``: which questions are new, which already there unchanged.

    A question whose text is already in the bank with other options, answer or tags is a problem (the organizer
    edits it in the bank instead), so that an import never silently rewrites what attempts may have used.
    ``skip_other_types``: questions of other types (true/false, matching...) are left out and listed in
    ``skipped`` instead of refusing the file. Raises BankFileError with every problem of the file itself.
    """
    reading = read_bank(filename, data, limits=limits, default_topic=clean(default_topic) or None,
                        skip_other_types=skip_other_types)
    questions, skipped = reading.questions, reading.skipped
    if bank is None or bank.id is None:
        return ImportPlan(questions=questions, new=list(questions), unchanged=0, skipped=skipped)
    existing = _existing_fingerprints(bank.id, {text_hash(q.text) for q in questions})
    new: list[ParsedQuestion] = []
    unchanged = 0
    problems: list[Problem] = []
    for question in questions:
        found = existing.get(text_hash(question.text))
        if found is None:
            new.append(question)
        elif found[1] == fingerprint(question):
            unchanged += 1
        else:
            problems.append(Problem("conflicts_with_bank", line=question.line, column=None,
                                    data={"question_id": found[0], "bank": bank.name}))
    return ImportPlan(questions=questions, new=new, unchanged=unchanged, problems=problems, skipped=skipped)


def _existing_fingerprints(bank_id: int, hashes: set[str]) -> dict[str, tuple[int, str]]:
    """text_hash → (question id, fingerprint) for the bank's questions with those hashes; two queries in all."""
    rows = db.session.execute(select(Question.id, Question.text_hash).where(Question.bank_id == bank_id)).all()
    wanted = {row.id: row.text_hash for row in rows if row.text_hash in hashes}
    if not wanted:
        return {}
    questions = db.session.scalars(select(Question).where(Question.id.in_(list(wanted)))).all()
    return {q.text_hash: (q.id, fingerprint(to_parsed(q))) for q in questions}


def to_parsed(question: Question) -> ParsedQuestion:
    options = tuple(o.text for o in question.options)
    correct = next((i for i, o in enumerate(question.options) if o.is_correct), 0)
    return ParsedQuestion(line=0, text=question.text, options=options, correct_index=correct, topic=question.topic,
                          difficulty=question.difficulty, explanation=question.explanation,
                          source=question.source, number=question.number)


def import_bank(*, bank_name: str, filename: str, data: bytes, actor: User | None, now: datetime,
                limits: ImportLimits, default_topic: str | None = None,
                skip_other_types: bool = False, check_repeats: bool = False,
                scope: Scope = EVERYTHING) -> ImportResult:
    """Import a whole file into the bank named ``bank_name`` (created if new): all of it, or nothing.

    ``scope``: the importing account's. A new bank belongs to the scope's unit (unscoped staff create shared
    banks); an existing bank must be one the scope may change, else :class:`BankNotWritable` and nothing is written.

    Questions already in the bank, identical, are left alone, so importing the same file twice adds nothing.
    ``skip_other_types``: the organizer chose to import the multiple-choice questions and skip the questions of
    other types (listed in ``ImportResult.skipped``). ``check_repeats``: the questions it adds are checked against
    the banks as they were before (identical in other banks, near-duplicates anywhere: ``ImportResult.repeats``),
    a warning, never a refusal; only the banks ``scope`` may read are looked at. Raises BankFileError listing every
    problem; nothing is written then.
    """
    name = clean(bank_name)
    if not name:
        raise BankFileError([Problem("missing_bank_name")])
    bank = import_target(name, scope)
    plan = plan_import(bank, filename, data, limits=limits, default_topic=default_topic,
                       skip_other_types=skip_other_types)
    if plan.problems:
        raise BankFileError(plan.problems)
    repeats = check_upload(plan.new, bank.id if bank else None, scope) if check_repeats else None
    if bank is None:
        bank = Bank(name=name, created_at=now, created_by_id=actor.id if actor else None,
                    scope_unit_id=scope.unit_id)
        db.session.add(bank)
        db.session.flush()
    _insert_questions(bank.id, plan.new, now)
    if plan.new:
        count_change(bank.id)
    db.session.add(BankImport(bank_id=bank.id, filename=filename[:255], sha256=hashlib.sha256(data).hexdigest(),
                              added=len(plan.new), unchanged=plan.unchanged, imported_at=now,
                              imported_by_id=actor.id if actor else None))
    details = {"filename": filename, "added": len(plan.new), "unchanged": plan.unchanged}
    if plan.skipped:
        details["skipped"] = len(plan.skipped)
    audit.record(actor=actor, action="bank.import", object_type="bank", object_id=bank.id, now=now,
                 details=details)
    db.session.flush()
    return ImportResult(bank=bank, added=len(plan.new), unchanged=plan.unchanged, by_topic=plan.by_topic,
                        skipped=plan.skipped, repeats=repeats)


def count_change(bank_id: int) -> None:
    """Count a change to the bank's questions or options in ``Bank.revision`` (every service that makes one calls
    this, in the same transaction), so that caches of its content know they are out of date."""
    db.session.execute(update(Bank).where(Bank.id == bank_id).values(revision=Bank.revision + 1)
                       .execution_options(synchronize_session=False))


def _insert_questions(bank_id: int, questions: Sequence[ParsedQuestion], now: datetime) -> None:
    """Two set-based INSERTs (questions, then options), whatever the number of questions.

    Core inserts (``services.bulk.insert_rows``, COPY on PostgreSQL), not ORM bulk: this is the hot path of a
    10,000-question import.
    """
    if not questions:
        return
    question_table, option_table = Question.__table__, Option.__table__
    hashes = [text_hash(q.text) for q in questions]
    insert_rows(question_table, [
        {"bank_id": bank_id, "number": q.number, "text": q.text, "text_hash": key,
         "search_key": search_key(q.text, q.options), "topic": q.topic, "difficulty": q.difficulty,
         "explanation": q.explanation, "source": q.source, "created_at": now, "updated_at": None, "retired_at": None}
        for q, key in zip(questions, hashes, strict=True)
    ])
    # (bank_id, text_hash) is unique, so the hash maps each new row back to its id; one plain bulk insert above is
    # far faster than INSERT … RETURNING, which SQLite runs row by row when the order must be kept. The bank's
    # hashes are read whole and filtered here: an IN as long as the import could pass SQLite's 32,766 parameters.
    wanted = set(hashes)
    id_of = {key: question_id for key, question_id in db.session.execute(
        select(Question.text_hash, Question.id).where(Question.bank_id == bank_id)
    ).tuples() if key in wanted}
    ids = [id_of[key] for key in hashes]
    insert_rows(option_table, [
        {"question_id": question_id, "position": position, "text": text, "is_correct": position == q.correct_index}
        for question_id, q in zip(ids, questions, strict=True)
        for position, text in enumerate(q.options)
    ])


@dataclass(frozen=True)
class QuestionFilter:
    topic: str | None = None
    difficulty: str | None = None
    search: str | None = None
    include_retired: bool = False


def bank_questions(bank: Bank, filters: QuestionFilter):
    """The select() of a bank's questions under ``filters``; search is accent-insensitive on text and options."""
    query = select(Question).where(Question.bank_id == bank.id)
    if not filters.include_retired:
        query = query.where(Question.retired_at.is_(None))
    if filters.topic:
        query = query.where(Question.topic == filters.topic)
    if filters.difficulty:
        query = query.where(Question.difficulty == filters.difficulty)
    if filters.search and fold(filters.search):
        needle = f"%{escape_like(fold(filters.search))}%"
        query = query.where(or_(Question.search_key.like(needle, escape="\\"),
                                Question.number == clean(filters.search)))
    return query.order_by(Question.id)


def bank_topics(bank: Bank) -> list[tuple[str | None, int]]:
    return list(db.session.execute(
        select(Question.topic, func.count()).where(Question.bank_id == bank.id, Question.retired_at.is_(None))
        .group_by(Question.topic).order_by(Question.topic)
    ).tuples())


def active_count(bank: Bank) -> int:
    """How many active questions ``bank`` has."""
    return db.session.scalar(select(func.count()).select_from(Question)
                             .where(Question.bank_id == bank.id, Question.retired_at.is_(None))) or 0


@dataclass(frozen=True)
class BankRow:
    """A bank as the bank list shows it: its counts of active and retired questions, the name of the unit that
    owns it (None: a shared bank), and whether the account may change it."""

    bank: Bank
    active: int
    retired: int
    owner: str | None
    writable: bool


def list_banks(scope: Scope = EVERYTHING) -> list[BankRow]:
    """The banks ``scope`` may read (all of them for unscoped staff), by name, with their counts: one query."""
    active = func.count(Question.id).filter(Question.retired_at.is_(None))
    retired = func.count(Question.id).filter(Question.retired_at.is_not(None))
    writable = bank_clause(scope, writing=True)
    rows = db.session.execute(
        select(Bank, active, retired, Unit.name, writable)
        .outerjoin(Question, Question.bank_id == Bank.id).outerjoin(Unit, Unit.id == Bank.scope_unit_id)
        .where(bank_clause(scope)).group_by(Bank.id, Unit.name).order_by(Bank.name)
    ).tuples()
    return [BankRow(bank, active_count, retired_count, owner, bool(may))
            for bank, active_count, retired_count, owner, may in rows]


def bank_owner(bank: Bank) -> str | None:
    """The name of the unit that owns ``bank``; None for a shared bank."""
    return db.session.get(Unit, bank.scope_unit_id).name if bank.scope_unit_id is not None else None


def refuse_unless_may_change(scope: Scope, question: Question) -> None:
    """Raise ScopeError (``read_only`` for a shared bank, else ``outside_scope``) unless ``scope`` may change the
    bank of ``question``."""
    if scope.everything:
        return
    bank = db.session.get(Bank, question.bank_id)
    if bank is not None and not may_change(scope, bank):
        raise ScopeError("read_only" if bank.scope_unit_id is None else "outside_scope", "question")


@dataclass(frozen=True)
class QuestionEdit:
    text: str
    options: list[str]
    correct_index: int
    topic: str | None
    difficulty: str | None
    explanation: str | None
    source: str | None


def was_used(question: Question) -> bool:
    """Whether any attempt has shown ``question`` (one index lookup, however many attempts did)."""
    return bool(db.session.scalar(select(exists().where(AttemptQuestion.question_id == question.id))))


class UsedQuestionKeepsItsOptions(Exception):
    """An edit would remove options of a question that attempts have shown: their attempts list those options
    (shown in that order, perhaps chosen), so a question once drawn keeps all of them; their texts can be
    corrected, options can be added, and retiring the question takes it out of future draws."""

    def __init__(self, question_id: int, options: int) -> None:
        super().__init__(question_id, options)
        self.question_id, self.options = question_id, options


def edit_question(question: Question, edit: QuestionEdit, *, actor: User | None, now: datetime,
                  scope: Scope = EVERYTHING) -> None:
    """Change a question in place. Options keep their ids by position, so saved answers stay attached; options
    beyond the new count are removed, unless attempts have shown the question (``UsedQuestionKeepsItsOptions``,
    raised before anything changes). A bank ``scope`` may not change: ScopeError, nothing changed."""
    refuse_unless_may_change(scope, question)
    if len(edit.options) < len(question.options) and was_used(question):
        raise UsedQuestionKeepsItsOptions(question.id, len(question.options))
    before = _editable_fields(question)
    question.text = clean(edit.text)
    question.text_hash = text_hash(question.text)
    question.topic = clean(edit.topic) or None
    question.difficulty = edit.difficulty or None
    question.explanation = clean(edit.explanation) or None
    question.source = clean(edit.source) or None
    question.updated_at = now
    texts = [clean(t) for t in edit.options]
    for option in list(question.options):
        if option.position >= len(texts):
            question.options.remove(option)
    # The partial unique index uq_options_one_correct allows one correct option per question, and a flush orders
    # its UPDATEs by id, not as written here: the old flag is cleared in a flush of its own before the new one is set.
    for option in question.options:
        option.is_correct = False
    db.session.flush()
    for position, option_text in enumerate(texts):
        if position < len(question.options):
            question.options[position].text = option_text
        else:
            question.options.append(Option(position=position, text=option_text))
    question.options[edit.correct_index].is_correct = True
    question.search_key = search_key(question.text, texts)
    count_change(question.bank_id)
    after = _editable_fields(question)
    changes = [{"field": name, "old": before[name], "new": after[name]}
               for name in before if before[name] != after[name]]
    audit.record(actor=actor, action="question.edit", object_type="question", object_id=question.id, now=now,
                 details={"changes": changes})
    db.session.flush()


def _editable_fields(question: Question) -> dict[str, str]:
    """What a question edit can change, as text for the audit log (options as "A. … | B. …", the key's letter)."""
    options = sorted(question.options, key=lambda option: option.position)
    return {
        "text": question.text, "options": " | ".join(f"{LETTERS[o.position]}. {o.text}" for o in options),
        "correct": next((LETTERS[o.position] for o in options if o.is_correct), ""),
        "topic": question.topic or "", "difficulty": question.difficulty or "",
        "explanation": question.explanation or "", "source": question.source or "",
    }


def retire_question(question: Question, *, actor: User | None, now: datetime, reason: str | None = None,
                    scope: Scope = EVERYTHING) -> None:
    """Take a question out of future draws. Rows stay, so past attempts remain reproducible. A bank ``scope`` may
    not change: ScopeError."""
    refuse_unless_may_change(scope, question)
    if question.retired_at is None:
        question.retired_at = now
        count_change(question.bank_id)
        audit.record(actor=actor, action="question.retire", object_type="question", object_id=question.id,
                     now=now, reason=reason)


def restore_question(question: Question, *, actor: User | None, now: datetime,
                     scope: Scope = EVERYTHING) -> None:
    """Put a retired question back in the draws. A bank ``scope`` may not change: ScopeError."""
    refuse_unless_may_change(scope, question)
    if question.retired_at is not None:
        question.retired_at = None
        count_change(question.bank_id)
        audit.record(actor=actor, action="question.restore", object_type="question", object_id=question.id,
                     now=now)
