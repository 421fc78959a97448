"""Aiken, Moodle's plain-text format for one-answer multiple choice.

    Chủ tịch Hồ Chí Minh đọc Tuyên ngôn Độc lập ngày nào?
    A. 19/8/1945
    B. 2/9/1945
    ANSWER: B

The first line of a question is always question text, even when it starts like an option
("C. Mác và Ph. Ăngghen đã viết..."); the option lines that follow run A, B, C... in order, and
"ANSWER: X" ends the question. A blank line separates questions. Aiken carries no topic or source:
the import's default topic applies.

An option may be typed without a space after its letter ("A.Hà Nội", "B)1927"), as Moodle accepts; such a
line is an option only when its letter is the one expected next (A after the question text, then B...), so
"C.Mác" in the question text stays text.
"""

from __future__ import annotations

import re

from quizapp.domain.banks.draft import Draft, DraftOption, Spot
from quizapp.domain.banks.model import Problem
from quizapp.domain.text import clean, fold

_OPTION_LINE = re.compile(r"([A-Za-z])[.)](?:\s+(.*))?", re.DOTALL)
_UNSPACED_OPTION_LINE = re.compile(r"([A-Za-z])[.)](\S.*)", re.DOTALL)
_ANSWER_LINE = re.compile(r"(?:answer|dap an)\s*:\s*(.*)", re.DOTALL)
_EXCERPT = 60


def aiken_items(text: str) -> list[Problem | Draft]:
    """Every question of an Aiken file as a draft, in file order; problems are carried by their drafts."""
    items: list[Problem | Draft] = []
    block: _Block | None = None
    for number, raw in enumerate(_lines(text), start=1):
        line = clean(raw)
        if not line:
            if block is not None:
                items.append(block.draft())
                block = None
        elif block is None:
            block = _Block(number, line)
        elif block.add(number, line):
            items.append(block.draft())
            block = None
    if block is not None:
        items.append(block.draft())
    return items


def aiken_answer_lines(text: str) -> int:
    """How many "ANSWER: X" lines the text holds: the mark of an Aiken file."""
    return sum(1 for line in _lines(text) if _ANSWER_LINE.fullmatch(fold(clean(line))))


def aiken_option_lines(text: str) -> int:
    """How many lines read as an option ("A. …") right after a question line or another option."""
    count, previous, options_begun = 0, "", False
    for line in map(clean, _lines(text)):
        options_begun = bool(previous) and _option_line(line, options_begun) is not None
        count += options_begun
        previous = line
    return count


def _option_line(line: str, options_begun: bool) -> tuple[str, str] | None:
    """(letter, text) when ``line`` is an option. "A. x" is one whatever its letter; "A.x" (no space) only when
    the options have begun or its letter is A, so that question text such as "C.Mác viết…" stays text."""
    spaced = _OPTION_LINE.fullmatch(line)
    if spaced:
        return spaced.group(1).upper(), clean(spaced.group(2))
    unspaced = _UNSPACED_OPTION_LINE.fullmatch(line)
    if unspaced and (options_begun or unspaced.group(1).upper() == "A"):
        return unspaced.group(1).upper(), clean(unspaced.group(2))
    return None


def _lines(text: str) -> list[str]:
    return text.replace("\r\n", "\n").replace("\r", "\n").split("\n")


class _Block:
    """The lines of one question, from its first line to its ANSWER line."""

    def __init__(self, line: int, first: str) -> None:
        self.spot = Spot(line)
        self.text = [first]
        self.options: list[DraftOption] = []
        self.option_lines = 0
        self.answer = ""
        self.answer_line: int | None = None
        self.problems: list[Problem] = []

    def add(self, number: int, line: str) -> bool:
        """Take the next line; True when it was the ANSWER line that ends the question."""
        answer = _ANSWER_LINE.fullmatch(fold(line))
        if answer:
            self.answer = line.split(":", 1)[1].strip()
            self.answer_line = number
            return True
        option = _option_line(line, self.option_lines > 0)
        if option:
            self._option(number, *option)
        elif self.option_lines:
            excerpt = line if len(line) <= _EXCERPT else line[: _EXCERPT - 1] + "…"
            self.problems.append(self.spot.problem("unexpected_line", at_line=number, text=excerpt))
        else:
            self.text.append(line)
        return False

    def _option(self, number: int, letter: str, text: str) -> None:
        expected = chr(ord("A") + self.option_lines)
        self.option_lines += 1
        if letter != expected:
            self.problems.append(
                self.spot.problem("option_out_of_sequence", expected=expected, found=letter, at_line=number)
            )
        if text:
            self.options.append(DraftOption(letter, text, line=number))
        else:
            self.problems.append(self.spot.problem("missing_option", letter, letter=letter, at_line=number))

    def draft(self) -> Draft:
        return Draft(
            spot=self.spot,
            text="\n".join(self.text),
            options=self.options,
            answer=self.answer,
            answer_line=self.answer_line,
            problems=self.problems,
        )
