"""Values that come out of an import: parsed questions, typed problems, the limits an import runs under.

A problem is a code plus where it is and the values its message needs; the words are added at the edge
(``quizapp.messages.files``), so the domain never decides the language.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

MAX_PROBLEMS = 1000
MAX_TEXT_LENGTH = 5000
MAX_TOPIC_LENGTH = 255
MIN_OPTIONS = 2
MAX_OPTIONS = 6
OPTION_LETTERS = "ABCDEF"

#: Every problem code this package (and ``quizapp.domain.units``) can produce, with the keys its ``data``
#: always has. Optional keys: ``sheet`` (the problem is not on the first sheet), ``at_line`` (text files: the
#: offending line, when it is not the line the question starts on), ``first_sheet`` (a duplicate's first
#: occurrence is on another sheet).
PROBLEM_CODES: Mapping[str, tuple[str, ...]] = {
    # the file as a whole
    "file_too_large": ("size", "size_mb", "limit_mb"),
    "unsupported_format": ("extension", "supported"),
    "legacy_xls": ("extension",),
    "encrypted_file": (),
    "not_a_spreadsheet": ("extension",),
    "wrong_file_type": ("extension", "detected"),
    "unsafe_file": ("reason",),
    "sheet_too_large": ("sheet", "cell"),
    "bad_encoding": (),
    "unreadable_row": (),
    "no_questions": (),
    "too_many_questions": ("count", "limit"),
    "too_many_problems": ("limit", "total"),
    # headings
    "no_header": ("sheet", "anchor"),
    "unknown_header": (),
    "missing_header": ("field",),
    "duplicate_header": ("first_column",),
    # one question
    "empty_text": (),
    "too_few_options": ("count",),
    "too_many_options": ("count", "limit"),
    "missing_option": ("letter",),
    "missing_answer": (),
    "answer_not_an_option": ("answer", "letters"),
    "multiple_answers": ("answer",),
    "duplicate_option": ("letter", "first_letter"),
    "duplicate_question": ("first_line",),
    "formula_cell": ("cell",),
    "text_too_long": ("length", "limit"),
    "unknown_difficulty": ("value",),
    # Aiken and GIFT text files
    "option_out_of_sequence": ("expected", "found", "at_line"),
    "unexpected_line": ("at_line", "text"),
    "unsupported_question_type": ("kind",),
    "unclosed_brace": (),
    "unknown_text_format": ("extension", "formats"),
    "no_multiple_choice": ("count",),
    # unit trees
    "no_units": (),
    "too_many_units": ("count", "limit"),
    "missing_code": (),
    "duplicate_code": ("code", "first_line"),
    "missing_name": (),
    "bad_member_count": ("value",),
    "parent_cycle": ("cycle",),
    "unknown_parent": ("parent_code",),
    "invisible_character": ("value",),
    "too_many_marks": ("count", "limit"),
    "tree_too_deep": ("value", "count", "limit"),
    # raised by the services with the same error type, worded by the same edge
    "missing_bank_name": (),
    "conflicts_with_bank": ("question_id", "bank"),
}


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with an uploaded file, typed; ``describe()`` at the edge turns it into a sentence.

    ``line`` is the row as Excel shows it (or the text-file line where the question starts), ``column`` the
    heading as written in the file, or the option letter for option problems.
    """

    code: str
    line: int | None = None
    column: str | None = None
    data: Mapping[str, object] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.code not in PROBLEM_CODES:
            raise ValueError(f"unknown problem code {self.code!r}")
        missing = set(PROBLEM_CODES[self.code]) - set(self.data)
        if missing:  # the message at the edge needs them
            raise ValueError(f"problem {self.code!r} lacks {sorted(missing)}")


#: ``unsupported_question_type`` kinds that are well-formed questions of another type (true/false, matching...):
#: an import may skip them when the organizer asks. An answer block of no known shape ("unknown") is an error.
OTHER_TYPES = frozenset({
    "true_false", "short_answer", "matching", "numerical", "essay", "multiple_correct", "weighted", "cloze",
    "description",
})


def is_other_type(problem: Problem) -> bool:
    """Whether ``problem`` is a well-formed question of a type quizapp does not import (skippable on request)."""
    return problem.code == "unsupported_question_type" and problem.data.get("kind") in OTHER_TYPES


class ImportFileError(Exception):
    """An uploaded file was refused; ``problems`` lists every problem found, in file order (never empty)."""

    def __init__(self, problems: list[Problem]) -> None:
        if not problems:
            raise ValueError("an import error needs at least one problem")
        self.problems = problems
        super().__init__(f"{len(problems)} problem(s), first: {problems[0].code}")


class BankFileError(ImportFileError):
    """A question-bank file was refused; nothing from it may be saved."""


class Refused(Exception):
    """Internal: reading stopped (file-level problems); the public parsers re-raise it as their own error."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__(problems[0].code if problems else "refused")


@dataclass(frozen=True, slots=True)
class ImportLimits:
    """Bounds an upload is held to; the defaults suit a contest organizer's real files with a wide margin."""

    max_bytes: int = 10 * 1024 * 1024
    max_questions: int = 20_000
    max_uncompressed_bytes: int = 200 * 1024 * 1024
    max_units: int = 100_000
    #: rows x columns a sheet may span: calamine allocates the whole rectangle, so one stray far-away cell
    #: (XFD1048576) in a 5 KB file would otherwise ask for hundreds of gigabytes.
    max_sheet_cells: int = 2_000_000


DEFAULT_LIMITS = ImportLimits()


@dataclass(frozen=True, slots=True)
class ParsedQuestion:
    """A valid question read from a file; every text is NFC, trimmed and single-spaced."""

    line: int
    text: str
    options: tuple[str, ...]
    correct_index: int
    topic: str | None
    difficulty: str | None
    explanation: str | None
    source: str | None
    number: str | None


def capped(problems: list[Problem]) -> list[Problem]:
    """At most ``MAX_PROBLEMS`` problems, plus one ``too_many_problems`` item saying how many there were."""
    if len(problems) <= MAX_PROBLEMS:
        return problems
    extra = Problem("too_many_problems", data={"limit": MAX_PROBLEMS, "total": len(problems)})
    return [*problems[:MAX_PROBLEMS], extra]


def on_sheet(sheet: str | None, **data: object) -> dict[str, object]:
    """Return ``data`` with the sheet name added when the problem is not on the first sheet."""
    return {**data, "sheet": sheet} if sheet is not None else data
