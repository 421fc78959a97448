"""Aiken, Moodle's plain-text format for one-answer multiple choice.

    Chủ tịch Hồ Chí Minh đọc Tuyên ngôn Độc lập ngày nào?
    A. 19/8/1945
    B. 2/9/1945
    ANSWER: B

The first line of a question is always question text, even when it starts like an option
("C. Mác và Ph. Ăngghen đã viết..."); the option lines that follow run A, B, C... in order, and
"ANSWER: X" ends the question. A blank line separates questions. Aiken carries no topic or source:
the import's default topic applies.
"""

from __future__ import annotations

import re

from quizapp.domain.banks.draft import Draft, DraftOption, Spot
from quizapp.domain.banks.model import Problem
from quizapp.domain.text import clean, fold

_OPTION_LINE = re.compile(r"([A-Za-z])[.)](?:\s+(.*))?", re.DOTALL)
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
        option = _OPTION_LINE.fullmatch(line)
        if option:
            self._option(number, option.group(1).upper(), clean(option.group(2)))
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
