"""``parse_bank``: a whole question-bank upload, all or nothing."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass

from quizapp.domain.banks.aiken import aiken_answer_lines, aiken_items, aiken_option_lines
from quizapp.domain.banks.draft import Draft, DuplicateQuestions, finish
from quizapp.domain.banks.files import check_size, check_text_file, decode_text, extension
from quizapp.domain.banks.gift import gift_answer_blocks, gift_items, opens_like_gift
from quizapp.domain.banks.model import (
    DEFAULT_LIMITS,
    BankFileError,
    ImportLimits,
    ParsedQuestion,
    Problem,
    Refused,
    capped,
    is_other_type,
)
from quizapp.domain.banks.sheets import CSV_EXTENSIONS, SPREADSHEET_EXTENSIONS, read_sheets
from quizapp.domain.banks.tabular import BANK_HEADERS, sheet_items
from quizapp.domain.text import clean, question_key

TEXT_EXTENSIONS = (".txt", ".gift")
SUPPORTED_EXTENSIONS = SPREADSHEET_EXTENSIONS + CSV_EXTENSIONS + TEXT_EXTENSIONS
TEXT_FORMATS = "Aiken, GIFT"


@dataclass(frozen=True, slots=True)
class BankReading:
    """A bank file read whole: its questions in file order, and the questions of other types it skipped
    (each an ``unsupported_question_type`` problem with its line; empty unless skipping was asked for)."""

    questions: list[ParsedQuestion]
    skipped: list[Problem]


def parse_bank(
    filename: str,
    data: bytes,
    *,
    limits: ImportLimits = DEFAULT_LIMITS,
    default_topic: str | None = None,
) -> list[ParsedQuestion]:
    """Parse a whole bank file into questions, in file order, or raise ``BankFileError`` with every problem.

    The format follows the extension, checked against the content: .xlsx (.xls is refused with advice to save
    as .xlsx), .csv, and text files (.txt, .gift) read as Aiken or GIFT by what they hold (``text_format``).
    ``default_topic`` is the topic of questions the file gives none. Nothing is returned unless the whole
    file is valid.
    """
    return read_bank(filename, data, limits=limits, default_topic=default_topic).questions


def read_bank(
    filename: str,
    data: bytes,
    *,
    limits: ImportLimits = DEFAULT_LIMITS,
    default_topic: str | None = None,
    skip_other_types: bool = False,
) -> BankReading:
    """``parse_bank``, and on request the questions of other types (true/false, matching... see
    ``is_other_type``) left out instead of refusing the file; every other problem still refuses it whole."""
    try:
        items = _read(filename, data, limits)
        return _assemble(items, limits, clean(default_topic) or None, skip_other_types)
    except Refused as refused:
        raise BankFileError(capped(refused.problems)) from None


def text_format(text: str, ext: str) -> str | None:
    """"gift" or "aiken": the format a text file is written in, whatever its extension; None when neither.

    A file that opens like GIFT (a comment, a ::title::, a $CATEGORY) is GIFT. Otherwise the answer blocks
    ``{=… ~…}`` of GIFT are weighed against the ANSWER: lines of Aiken (the extension breaks a tie); a file with
    neither is Aiken when it has option lines after question lines (its ANSWER lines are then what is missing).
    """
    if opens_like_gift(text):
        return "gift"
    blocks, answers = gift_answer_blocks(text), aiken_answer_lines(text)
    if blocks != answers:
        return "gift" if blocks > answers else "aiken"
    if blocks:
        return "gift" if ext == ".gift" else "aiken"
    return "aiken" if aiken_option_lines(text) else None


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
    if not text.strip():
        raise Refused([Problem("no_questions")])
    found = text_format(text, ext)
    if found is None:
        raise Refused([Problem("unknown_text_format", data={"extension": ext, "formats": TEXT_FORMATS})])
    return gift_items(text) if found == "gift" else aiken_items(text)


def _assemble(
    items: list[Problem | Draft], limits: ImportLimits, default_topic: str | None, skip_other_types: bool
) -> BankReading:
    skipped: list[Problem] = []
    if skip_other_types:
        skipped = [item for item in items if isinstance(item, Problem) and is_other_type(item)]
        items = [item for item in items if not (isinstance(item, Problem) and is_other_type(item))]
    drafts = sum(1 for item in items if isinstance(item, Draft))
    if drafts > limits.max_questions:
        raise Refused([Problem("too_many_questions", data={"count": drafts, "limit": limits.max_questions})])
    if not items:
        raise Refused([Problem("no_multiple_choice", data={"count": len(skipped)}) if skipped
                       else Problem("no_questions")])
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
    return BankReading(questions, skipped)


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
