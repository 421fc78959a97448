"""A contest as its organizer describes it (the contest TOML), and the typed problems found in it.

A problem is a code, the TOML path of the value it is about (``rounds[1].draw[0].count``: arrays counted from
0 in the file's order, as TOML tools count them) and the values its message needs; the words are added at the
edge, so the domain never decides the language.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from types import MappingProxyType

COLLECTIVE_METRICS = ("participants", "attempts", "participation_rate", "average_score")
PREDICTION_ANSWERS = ("perfect_scores", "participants", "attempts", "manual")
REVIEW_MODES = ("never", "after_submit", "after_close")
DIFFICULTIES = ("easy", "medium", "hard")

#: Every problem code this package can produce, with the keys of its ``data``. ``round`` (the round's name)
#: may be added to any problem about a value inside a round.
SPEC_PROBLEM_CODES: Mapping[str, tuple[str, ...]] = MappingProxyType({
    # the file
    "bad_encoding": (),
    "toml_syntax": ("line", "column", "detail"),
    # keys and types
    "missing_key": (),
    "unknown_key": ("name", "suggestion", "belongs_to"),
    "wrong_type": ("expected", "found"),
    "empty_text": (),
    "text_too_long": ("length", "limit"),
    "out_of_range": ("value", "minimum", "maximum"),
    "not_allowed": ("value", "allowed"),
    # times and rounds
    "no_rounds": (),
    "naive_time": ("value",),
    "not_a_datetime": ("value",),
    "window_reversed": ("opens_at", "closes_at"),
    "round_out_of_order": ("previous", "previous_opens_at"),
    "round_overlaps": ("previous", "previous_closes_at"),
    "duplicate_round_name": ("name", "first"),
    "min_correct_above_question_count": ("value", "question_count"),
    # draw and prizes
    "draw_without_selector": (),
    "draw_count_mismatch": ("total", "question_count"),
    "duplicate_prize_name": ("name", "first"),
    # the audience
    "duplicate_value": ("value", "first"),
    "unknown_unit": ("code", "suggestion"),
    "unknown_category": ("value", "suggestion"),
    # against the question banks (raised when the contest is created)
    "unknown_bank": ("bank", "suggestion"),
    "draw_shortfall": ("topic", "bank", "difficulty", "needed", "available", "suggestion"),
    "draw_pools_overlap": ("others", "shared", "union", "needed"),
    "not_enough_questions": ("needed", "available"),
})


@dataclass(frozen=True, slots=True)
class SpecProblem:
    """One thing wrong with a contest description: ``code`` (see SPEC_PROBLEM_CODES), ``key`` (its TOML
    path, '' for the whole file) and the values its message needs."""

    code: str
    key: str
    data: Mapping[str, object] = field(default_factory=dict)


class ContestSpecError(Exception):
    """A contest description that cannot be used, with every problem found (never just the first)."""

    code = "invalid_contest"

    def __init__(self, problems: Sequence[SpecProblem]) -> None:
        self.problems: tuple[SpecProblem, ...] = tuple(problems)
        summary = "; ".join(f"{p.key}: {p.code}" for p in self.problems)
        super().__init__(f"{len(self.problems)} problem(s): {summary}")


@dataclass(frozen=True, slots=True)
class DrawSpec:
    """``count`` questions drawn from the active questions matching every criterion given (at least one)."""

    count: int
    topic: str | None = None
    bank: str | None = None
    difficulty: str | None = None  # one of DIFFICULTIES


@dataclass(frozen=True, slots=True)
class PrizeSpec:
    name: str
    count: int


@dataclass(frozen=True, slots=True)
class RoundSpec:
    name: str
    opens_at: datetime
    closes_at: datetime
    question_count: int
    time_limit_seconds: int
    grace_seconds: int = 10
    max_attempts: int = 1
    draw: tuple[DrawSpec, ...] = ()  # empty: question_count questions from all active questions
    prediction_question: str | None = None
    prediction_answer: str = "perfect_scores"
    min_correct_for_prize: int = 0
    review: str = "after_close"
    prizes: tuple[PrizeSpec, ...] = ()


@dataclass(frozen=True, slots=True)
class ContestSpec:
    title: str
    rounds: tuple[RoundSpec, ...]
    rules: str = ""
    one_prize_per_contest: bool = False
    collective_level: int = 2
    collective_metric: str = "participation_rate"
    collective_prizes: tuple[PrizeSpec, ...] = ()
    audience: tuple[str, ...] = ()  # unit codes whose subtrees may take part; empty: the whole tree
    audience_categories: tuple[str, ...] = ()  # participants' categories that may take part; empty: all


def round_key(index: int) -> str:
    """The TOML path of a round (arrays are counted from 0 in paths, as in TOML tooling)."""
    return f"rounds[{index}]"


def draw_key(round_index: int, draw_index: int) -> str:
    return f"{round_key(round_index)}.draw[{draw_index}]"
