"""The rules every question obeys whatever file it came from.

Each reader (spreadsheet rows, Aiken, GIFT) turns its syntax into ``Draft`` values and the problems only its
syntax can have; ``finish`` then applies the shared rules once, so a question is judged the same in
every format.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache

from quizapp.domain.banks.model import (
    MAX_OPTIONS,
    MAX_TEXT_LENGTH,
    MAX_TOPIC_LENGTH,
    MIN_OPTIONS,
    ParsedQuestion,
    Problem,
    on_sheet,
)
from quizapp.domain.text import fold, question_key

DIFFICULTIES: dict[str, str] = {
    **dict.fromkeys(("de", "easy", "1", "nhan biet", "nb"), "easy"),
    **dict.fromkeys(("trung binh", "tb", "medium", "2", "thong hieu", "th"), "medium"),
    **dict.fromkeys(("kho", "hard", "3", "van dung", "vd", "van dung cao", "vdc"), "hard"),
}
_ANSWER_PREFIX = re.compile(r"(?:dap an|phuong an|answer|option|cau)(?: dung)?\s*[:.]?\s*")
_SINGLE_ANSWER = re.compile(r"[(\[]?([a-z])\s*[)\].:]?")
_SEVERAL_ANSWERS = re.compile(r"[(\[]?[a-f](?:[\s,;/&+]*[a-f])+[)\]]?")
_CONNECTOR = re.compile(r"\b(?:va|and)\b")
_EXCERPT = 40


@dataclass(frozen=True, slots=True)
class Spot:
    """Where a question is: its line (row) and its sheet (``label`` is None on the first sheet)."""

    line: int
    label: str | None = None
    sheet: str | None = None

    def problem(self, code: str, column: str | None = None, /, **data: object) -> Problem:
        return Problem(code, line=self.line, column=column, data=on_sheet(self.label, **data))


@dataclass(slots=True)
class DraftOption:
    letter: str
    text: str
    column: str | None = None  # the heading as written, for spreadsheets
    line: int | None = None  # the option's own line, for text files


@dataclass(slots=True)
class Draft:
    """A question as read, before the shared rules; texts are already ``clean``-ed, empty when absent."""

    spot: Spot
    text: str
    options: list[DraftOption]
    answer: str = ""
    answer_line: int | None = None
    columns: dict[str, str] = field(default_factory=dict)  # field -> heading as written in the file
    topic: str = ""
    difficulty: str = ""
    explanation: str = ""
    source: str = ""
    number: str = ""
    problems: list[Problem] = field(default_factory=list)


class DuplicateQuestions:
    """Remembers every question text of a file; the second occurrence of a text is the problem."""

    def __init__(self) -> None:
        self._first: dict[str, Spot] = {}

    def check(self, draft: Draft) -> list[Problem]:
        if not draft.text:
            return []
        spot = draft.spot
        first = self._first.setdefault(question_key(draft.text), spot)
        if first is spot:
            return []
        data: dict[str, object] = {"first_line": first.line}
        if first.sheet != spot.sheet and first.sheet is not None:
            data["first_sheet"] = first.sheet
        return [spot.problem("duplicate_question", draft.columns.get("question"), **data)]


def finish(
    draft: Draft, duplicates: DuplicateQuestions, default_topic: str | None
) -> tuple[ParsedQuestion | None, list[Problem]]:
    """Apply the shared rules: the question when it passes them all, else None and every problem found."""
    spot, columns = draft.spot, draft.columns
    problems = list(draft.problems)
    if not draft.text:
        problems.append(spot.problem("empty_text", columns.get("question")))
    problems += _lengths(draft)
    problems += _option_problems(draft)
    correct_index, answer_problems = _answer(draft)
    problems += answer_problems
    difficulty = _difficulty(draft.difficulty) if draft.difficulty else None
    if draft.difficulty and difficulty is None:
        value = _excerpt(draft.difficulty)
        problems.append(spot.problem("unknown_difficulty", columns.get("difficulty"), value=value))
    problems += duplicates.check(draft)
    if problems or correct_index is None:
        return None, problems
    question = ParsedQuestion(
        line=spot.line,
        text=draft.text,
        options=tuple(option.text for option in draft.options),
        correct_index=correct_index,
        topic=draft.topic or default_topic,
        difficulty=difficulty,
        explanation=draft.explanation or None,
        source=draft.source or None,
        number=draft.number or None,
    )
    return question, []


def _lengths(draft: Draft) -> list[Problem]:
    columns = draft.columns
    texts = [
        (draft.text, columns.get("question"), MAX_TEXT_LENGTH),
        *((option.text, option.column or option.letter, MAX_TEXT_LENGTH) for option in draft.options),
        (draft.explanation, columns.get("explanation"), MAX_TEXT_LENGTH),
        (draft.source, columns.get("source"), MAX_TEXT_LENGTH),
        (draft.topic, columns.get("topic"), MAX_TOPIC_LENGTH),
    ]
    return [
        draft.spot.problem("text_too_long", column, length=len(text), limit=limit)
        for text, column, limit in texts
        if len(text) > limit
    ]


def _option_problems(draft: Draft) -> list[Problem]:
    spot, options = draft.spot, draft.options
    problems: list[Problem] = []
    if len(options) < MIN_OPTIONS:
        problems.append(spot.problem("too_few_options", count=len(options)))
    if len(options) > MAX_OPTIONS:
        problems.append(spot.problem("too_many_options", count=len(options), limit=MAX_OPTIONS))
    seen: dict[str, DraftOption] = {}
    for option in options:
        first = seen.setdefault(question_key(option.text), option)
        if first is not option:
            extra = {"at_line": option.line} if option.line is not None else {}
            letters = {"letter": option.letter, "first_letter": first.letter}
            problems.append(spot.problem("duplicate_option", option.letter, **letters, **extra))
    return problems


def _answer(draft: Draft) -> tuple[int | None, list[Problem]]:
    spot, column = draft.spot, draft.columns.get("answer")
    extra = {"at_line": draft.answer_line} if draft.answer_line is not None else {}
    if not draft.answer:
        return None, [spot.problem("missing_answer", column, **extra)]
    letters = [option.letter for option in draft.options]
    chosen = answer_letters(draft.answer)
    if len(chosen) > 1:
        return None, [spot.problem("multiple_answers", column, answer=_excerpt(draft.answer), **extra)]
    if chosen and chosen[0] in letters:
        return letters.index(chosen[0]), []
    data = {"answer": _excerpt(draft.answer), "letters": letters_label(letters), **extra}
    return None, [spot.problem("answer_not_an_option", column, **data)]


@lru_cache(maxsize=256)
def _difficulty(value: str) -> str | None:
    return DIFFICULTIES.get(fold(value))


@lru_cache(maxsize=256)  # a bank repeats a handful of answer spellings thousands of times
def answer_letters(value: str) -> tuple[str, ...]:
    """Letters an answer cell names: "b", " B. ", "Đáp án B", "(B)" -> ("B",); "A, C" -> ("A", "C")."""
    body = fold(value)
    prefix = _ANSWER_PREFIX.match(body)
    if prefix and prefix.end() < len(body):
        body = body[prefix.end() :]
    single = _SINGLE_ANSWER.fullmatch(body)
    if single:
        return (single.group(1).upper(),)
    body = _CONNECTOR.sub(",", body)
    if _SEVERAL_ANSWERS.fullmatch(body):
        return tuple(sorted({letter.upper() for letter in re.findall(r"[a-f]", body)}))
    return ()


def letters_label(letters: Sequence[str]) -> str:
    """Label of the option letters: "A–D" when they run from A without a gap, else "A, B, D"; "—": none."""
    if not letters:
        return "—"
    if len(letters) > 1 and "".join(letters) == "ABCDEFGHIJ"[: len(letters)]:
        return f"{letters[0]}–{letters[-1]}"
    return ", ".join(letters)


def _excerpt(value: str) -> str:
    value = " ".join(value.split())
    return value if len(value) <= _EXCERPT else value[: _EXCERPT - 1] + "…"
