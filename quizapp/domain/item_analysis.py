"""Item analysis of a round (question quality): the figures of each question over the round's finished attempts,
and the flags a judge or an organizer should look at before prizes are announced.

The figures, for one question, over the attempts that drew it (``n`` attempts; an unanswered question is wrong):

- **facility** = correct / n: the share of those attempts that answered it correctly (None when n = 0);
- **discrimination** = Pearson's correlation, over those attempts, of the question's mark ``x`` (1 correct, 0 not)
  with the attempt's score on its OTHER questions ``y = S - x`` (``S`` the attempt's number of correct answers).
  This is the "discrimination index" of Moodle's quiz statistics (the covariance of the item's mark with the rest of
  the test over the square root of their variances, the item left out so that it does not correlate with itself;
  Moodle prints it ×100, here it stays from -1 to 1 as the API's contract says). It is None where it is undefined:
  fewer than 2 attempts, or no variance in ``x`` (everybody right or everybody wrong) or in ``y``.

The fast path (``quizapp.services.statistics``) does not keep the attempts: it sums, per question, ``n``,
``Σx``, ``ΣS``, ``ΣS²`` and ``Σx·S`` in SQL, and :func:`discrimination` works from those sums exactly (integers,
so no cancellation): ``Σy = ΣS - Σx``, ``Σy² = ΣS² - 2Σx·S + Σx`` (x² = x), ``Σx·y = Σx·S - Σx``.
:func:`reference_analysis` computes the same figures the plain way, attempt by attempt; a test runs both over
the same data on SQLite and PostgreSQL.

The **strongest participants** are the top 27% of the attempts by score (Kelley's upper group):
:func:`top_group_size` attempts, the highest scores first, attempts of equal score taken by ascending attempt
id (so the group is the same on every run).

Flags (:func:`question_flags`), only once at least :data:`MIN_DRAWN_TO_FLAG` attempts drew the question (below
that, one or two unlucky attempts would raise them):

- ``distractor_beats_key``: in the top group, a wrong option was chosen by more attempts than the key (the key
  may be wrong, or the question ambiguous);
- ``negative_discrimination``: the stronger an attempt on the other questions, the less likely it got this one;
- ``nobody_right``: no attempt answered it correctly (a wrong key?);
- ``everybody_right``: every attempt answered it correctly (it tells the participants apart by nothing).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum

#: The share of the attempts, by score, that make the top group (Kelley's 27%), as a percentage.
TOP_GROUP_PERCENT = 27
#: Questions drawn by fewer attempts than this are never flagged.
MIN_DRAWN_TO_FLAG = 20


@dataclass(frozen=True)
class ItemSums:
    """One question's sums over the attempts that drew it: ``drawn`` = n, ``correct`` = Σx, ``score_sum`` = ΣS,
    ``score_squares`` = ΣS², ``correct_score_sum`` = Σx·S (S: the attempt's whole score, this question included)."""

    drawn: int
    correct: int
    score_sum: int
    score_squares: int
    correct_score_sum: int


def facility(drawn: int, correct: int) -> float | None:
    """The share of the attempts that drew the question and answered it correctly; None when none drew it."""
    return correct / drawn if drawn else None


def discrimination(sums: ItemSums) -> float | None:
    """Pearson's r of the mark with the score on the other questions, from the sums (see the module); None when
    undefined (fewer than 2 attempts, or zero variance on either side)."""
    n, sx = sums.drawn, sums.correct
    if n < 2:
        return None
    sy = sums.score_sum - sx
    syy = sums.score_squares - 2 * sums.correct_score_sum + sx
    sxy = sums.correct_score_sum - sx
    spread_x = n * sx - sx * sx
    spread_y = n * syy - sy * sy
    if spread_x <= 0 or spread_y <= 0:
        return None
    r = (n * sxy - sx * sy) / (math.sqrt(spread_x) * math.sqrt(spread_y))
    return max(-1.0, min(1.0, r))


def top_group_size(entries: int) -> int:
    """How many attempts make the top group: 27% of ``entries``, rounded up (integer arithmetic)."""
    return (TOP_GROUP_PERCENT * entries + 99) // 100


# --- the plain reference ------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Sitting:
    """One finished attempt: question id → the bank's option chosen (None: unanswered) and whether it is right."""

    attempt_id: int
    answers: Mapping[int, tuple[int | None, bool]]

    @property
    def score(self) -> int:
        return sum(1 for _chosen, right in self.answers.values() if right)


@dataclass(frozen=True)
class ItemFigures:
    """One question's figures: ``chosen`` and ``top_chosen`` count the attempts (all, and of the top group) that
    chose each of the bank's options (unanswered attempts are in neither); ``top_drawn`` is how many attempts of
    the top group drew it."""

    question_id: int
    drawn: int
    correct: int
    facility: float | None
    discrimination: float | None
    chosen: dict[int, int] = field(default_factory=dict)
    top_drawn: int = 0
    top_chosen: dict[int, int] = field(default_factory=dict)


def top_group(sittings: Iterable[Sitting]) -> set[int]:
    """The attempt ids of the top group (see the module): highest scores first, then ascending attempt id."""
    ordered = sorted(sittings, key=lambda s: (-s.score, s.attempt_id))
    return {s.attempt_id for s in ordered[:top_group_size(len(ordered))]}


def _pearson(xs: list[int], ys: list[int]) -> float | None:
    """Pearson's r the textbook way (deviations from the means); None when undefined."""
    n = len(xs)
    if n < 2:
        return None
    mean_x, mean_y = sum(xs) / n, sum(ys) / n
    dx = [x - mean_x for x in xs]
    dy = [y - mean_y for y in ys]
    sxx, syy = sum(d * d for d in dx), sum(d * d for d in dy)
    if sxx == 0 or syy == 0:
        return None
    return sum(a * b for a, b in zip(dx, dy, strict=True)) / math.sqrt(sxx * syy)


def reference_analysis(sittings: Iterable[Sitting]) -> dict[int, ItemFigures]:
    """question id → its figures, attempt by attempt (the reference of the fast path; small data only)."""
    sittings = list(sittings)
    top = top_group(sittings)
    marks: dict[int, list[tuple[int, int]]] = {}
    chosen: dict[int, dict[int, int]] = {}
    top_chosen: dict[int, dict[int, int]] = {}
    top_drawn: dict[int, int] = {}
    for sitting in sittings:
        score = sitting.score
        for question_id, (option_id, right) in sitting.answers.items():
            marks.setdefault(question_id, []).append((int(right), score - int(right)))
            if sitting.attempt_id in top:
                top_drawn[question_id] = top_drawn.get(question_id, 0) + 1
            if option_id is None:
                continue
            counts = chosen.setdefault(question_id, {})
            counts[option_id] = counts.get(option_id, 0) + 1
            if sitting.attempt_id in top:
                counts = top_chosen.setdefault(question_id, {})
                counts[option_id] = counts.get(option_id, 0) + 1
    figures = {}
    for question_id, pairs in marks.items():
        xs, ys = [x for x, _y in pairs], [y for _x, y in pairs]
        figures[question_id] = ItemFigures(
            question_id=question_id, drawn=len(pairs), correct=sum(xs), facility=facility(len(pairs), sum(xs)),
            discrimination=_pearson(xs, ys), chosen=chosen.get(question_id, {}),
            top_drawn=top_drawn.get(question_id, 0), top_chosen=top_chosen.get(question_id, {}))
    return figures


# --- flags --------------------------------------------------------------------------------------------------

class FlagCode(StrEnum):
    DISTRACTOR_BEATS_KEY = "distractor_beats_key"
    NEGATIVE_DISCRIMINATION = "negative_discrimination"
    NOBODY_RIGHT = "nobody_right"
    EVERYBODY_RIGHT = "everybody_right"


@dataclass(frozen=True)
class QuestionFlag:
    """A reason to look at a question; ``option_id`` is the distractor concerned (``distractor_beats_key``)."""

    code: FlagCode
    option_id: int | None = None


def question_flags(figures: ItemFigures, key_option_id: int | None, *,
                   min_drawn: int = MIN_DRAWN_TO_FLAG) -> list[QuestionFlag]:
    """The flags of one question (see the module), most serious first; none below ``min_drawn`` attempts."""
    if figures.drawn < min_drawn:
        return []
    flags = []
    key_count = figures.top_chosen.get(key_option_id, 0) if key_option_id is not None else 0
    distractors = [(count, -option_id) for option_id, count in figures.top_chosen.items()
                   if option_id != key_option_id and count > key_count]
    if distractors:
        flags.append(QuestionFlag(FlagCode.DISTRACTOR_BEATS_KEY, option_id=-max(distractors)[1]))
    if figures.discrimination is not None and figures.discrimination < 0:
        flags.append(QuestionFlag(FlagCode.NEGATIVE_DISCRIMINATION))
    if figures.correct == 0:
        flags.append(QuestionFlag(FlagCode.NOBODY_RIGHT))
    elif figures.correct == figures.drawn:
        flags.append(QuestionFlag(FlagCode.EVERYBODY_RIGHT))
    return flags
