"""The rows of a bank export, in the import layout, so that an export imports again unchanged."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

LETTERS = "ABCDEF"
DIFFICULTY_LABELS = {"easy": "Dễ", "medium": "Trung bình", "hard": "Khó"}


@dataclass(frozen=True, slots=True)
class ExportQuestion:
    number: str | None
    text: str
    options: Sequence[str]
    correct_index: int
    topic: str | None
    difficulty: str | None
    explanation: str | None
    source: str | None


def export_header(option_count: int) -> list[str]:
    """Vietnamese headings, with as many option columns as the widest question needs (at least A–D)."""
    letters = list(LETTERS[: max(4, option_count)])
    return ["STT", "Câu hỏi", *letters, "Đáp án", "Chủ đề", "Mức độ", "Giải thích", "Nguồn"]


def export_rows(questions: Iterable[ExportQuestion], option_count: int) -> Iterable[list[str]]:
    """One row per question, numbered 1, 2, 3… in the order given; every cell is text ('' when empty)."""
    width = max(4, option_count)
    for index, question in enumerate(questions, start=1):
        options = list(question.options) + [""] * (width - len(question.options))
        yield [
            str(index),
            question.text,
            *options,
            LETTERS[question.correct_index],
            question.topic or "",
            DIFFICULTY_LABELS.get(question.difficulty or "", ""),
            question.explanation or "",
            question.source or "",
        ]
