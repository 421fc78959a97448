"""``parse_bank``: a whole question-bank upload, all or nothing."""

from __future__ import annotations

import hashlib
import json

from quizapp.domain.banks.aiken import aiken_items
from quizapp.domain.banks.draft import Draft, DuplicateQuestions, finish
from quizapp.domain.banks.files import check_size, check_text_file, decode_text, extension
from quizapp.domain.banks.gift import gift_items, looks_like_gift
from quizapp.domain.banks.model import (
    DEFAULT_LIMITS,
    BankFileError,
    ImportLimits,
    ParsedQuestion,
    Problem,
    Refused,
    capped,
)
from quizapp.domain.banks.sheets import CSV_EXTENSIONS, SPREADSHEET_EXTENSIONS, read_sheets
from quizapp.domain.banks.tabular import BANK_HEADERS, sheet_items
from quizapp.domain.text import clean, question_key

TEXT_EXTENSIONS = (".txt", ".gift")
SUPPORTED_EXTENSIONS = SPREADSHEET_EXTENSIONS + CSV_EXTENSIONS + TEXT_EXTENSIONS


def parse_bank(
    filename: str,
    data: bytes,
    *,
    limits: ImportLimits = DEFAULT_LIMITS,
    default_topic: str | None = None,
) -> list[ParsedQuestion]:
    """Parse a whole bank file into questions, in file order, or raise ``BankFileError`` with every problem.

    The format follows the extension and is checked against the content: .xlsx (.xls is refused with advice
    to save as .xlsx), .csv, .gift, and .txt (Aiken; GIFT when it opens like GIFT). ``default_topic`` is the
    topic of questions the file gives none. Nothing is returned unless the whole file is valid.
    """
    try:
        items = _read(filename, data, limits)
        return _assemble(items, limits, clean(default_topic) or None)
    except Refused as refused:
        raise BankFileError(capped(refused.problems)) from None


def _read(filename: str, data: bytes, limits: ImportLimits) -> list[Problem | Draft]:
    ext = extension(filename)
    if ext not in SUPPORTED_EXTENSIONS:
        supported = ", ".join((".xlsx", ".csv", *TEXT_EXTENSIONS))
        raise Refused([Problem("unsupported_format", data={"extension": ext, "supported": supported})])
    if ext not in TEXT_EXTENSIONS:
        items: list[Problem | Draft] = []
        for sheet in read_sheets(filename, data, limits, BANK_HEADERS.score):
            items += sheet_items(sheet)
        return items
    check_size(data, limits)
    check_text_file(data, ext)
    text = decode_text(data)
    return gift_items(text) if ext == ".gift" or looks_like_gift(text) else aiken_items(text)


def _assemble(
    items: list[Problem | Draft], limits: ImportLimits, default_topic: str | None
) -> list[ParsedQuestion]:
    drafts = sum(1 for item in items if isinstance(item, Draft))
    if drafts > limits.max_questions:
        raise Refused([Problem("too_many_questions", data={"count": drafts, "limit": limits.max_questions})])
    if not items:
        raise Refused([Problem("no_questions")])
    duplicates = DuplicateQuestions()
    questions: list[ParsedQuestion] = []
    problems: list[Problem] = []
    for item in items:
        if isinstance(item, Problem):
            problems.append(item)
            continue
        question, found = finish(item, duplicates, default_topic)
        problems += found
        if question is not None:
            questions.append(question)
    if problems:
        raise Refused(problems)
    return questions


def duplicate_key(question: ParsedQuestion) -> str:
    """Key of the question text: questions with the same key are the same question (case, spacing aside)."""
    return question_key(question.text)


def fingerprint(question: ParsedQuestion) -> str:
    """Key of everything a question says (text, options in order, correct option, topic, difficulty,
    explanation, source): equal fingerprints mean re-importing the question would change nothing."""
    content = [
        question.text,
        list(question.options),
        question.correct_index,
        question.topic,
        question.difficulty,
        question.explanation,
        question.source,
    ]
    return hashlib.sha256(json.dumps(content, ensure_ascii=False).encode()).hexdigest()
