"""Question quality figures and flags (quizapp.domain.item_analysis), on attempts small enough to work by hand."""

from __future__ import annotations

import math
import random

import pytest

from quizapp.domain.item_analysis import (
    MIN_DRAWN_TO_FLAG,
    FlagCode,
    ItemFigures,
    ItemSums,
    QuestionFlag,
    Sitting,
    discrimination,
    facility,
    question_flags,
    reference_analysis,
    top_group,
    top_group_size,
)

A, B, C, D = 11, 12, 13, 14  # the bank's options of question 1 (A the key)


def _sittings() -> list[Sitting]:
    """Four attempts: question 1 right, right, wrong (B), wrong (C); scores 3, 2, 1, 1 (see the API test)."""
    return [
        Sitting(1, {1: (A, True), 2: (21, True), 3: (31, True)}),
        Sitting(2, {1: (A, True), 2: (22, False), 3: (31, True)}),
        Sitting(3, {1: (B, False), 2: (21, True), 4: (None, False)}),
        Sitting(4, {1: (C, False), 2: (22, False), 4: (41, True)}),
    ]


def test_the_reference_figures_worked_by_hand():
    figures = reference_analysis(_sittings())
    # question 1: marks 1,1,0,0 against the other questions' scores 2,1,1,1 -> r = 0.5 / sqrt(1 * 0.75)
    assert (figures[1].drawn, figures[1].correct, figures[1].facility) == (4, 2, 0.5)
    assert figures[1].discrimination == pytest.approx(1 / math.sqrt(3))
    assert figures[1].chosen == {A: 2, B: 1, C: 1}
    # question 2: marks 1,0,1,0 against 2,2,0,1 -> r = -0.5 / sqrt(1 * 2.75)
    assert figures[2].discrimination == pytest.approx(-1 / math.sqrt(11))
    # question 3: both right, no variance; question 4: one unanswered (wrong), r = -1
    assert (figures[3].facility, figures[3].discrimination) == (1.0, None)
    assert (figures[4].facility, figures[4].discrimination, figures[4].chosen) == (0.5, pytest.approx(-1), {41: 1})


def test_discrimination_from_sums_matches_the_textbook_formula_on_random_data():
    rng = random.Random(7)
    for _ in range(200):
        n = rng.randint(2, 40)
        scores_rest = [rng.randint(0, 19) for _ in range(n)]
        marks = [rng.randint(0, 1) for _ in range(n)]
        totals = [m + r for m, r in zip(marks, scores_rest, strict=True)]
        sums = ItemSums(n, sum(marks), sum(totals), sum(t * t for t in totals),
                        sum(m * t for m, t in zip(marks, totals, strict=True)))
        sittings = [Sitting(i, {1: (None, bool(m)), **{100 + k: (None, True) for k in range(r)}})
                    for i, (m, r) in enumerate(zip(marks, scores_rest, strict=True))]
        expected = reference_analysis(sittings)[1].discrimination
        found = discrimination(sums)
        assert (found is None) == (expected is None)
        if found is not None:
            assert found == pytest.approx(expected, abs=1e-12)


@pytest.mark.parametrize("sums", [
    ItemSums(0, 0, 0, 0, 0), ItemSums(1, 1, 5, 25, 5),  # fewer than 2 attempts
    ItemSums(3, 3, 9, 29, 9),   # everybody right: no variance in the mark
    ItemSums(3, 0, 6, 12, 0),   # nobody right
    ItemSums(2, 1, 4, 8, 2),    # right with 1 other correct, wrong with 2: defined (r = -1)
])
def test_undefined_discrimination_is_none_and_defined_stays_in_range(sums):
    found = discrimination(sums)
    if sums.drawn < 2 or sums.correct in (0, sums.drawn):
        assert found is None
    else:
        assert found == pytest.approx(-1)


def test_no_variance_in_the_rest_of_the_test_is_none():
    # two attempts: right with 1 other correct, wrong with 1 other correct -> y = 1, 1
    assert discrimination(ItemSums(2, 1, 2 + 1, 4 + 1, 2)) is None


def test_facility_is_none_when_nobody_drew_the_question():
    assert facility(0, 0) is None and facility(8, 2) == 0.25


@pytest.mark.parametrize(("entries", "size"), [(0, 0), (1, 1), (3, 1), (4, 2), (100, 27), (101, 28),
                                               (1_000_000, 270_000)])
def test_the_top_group_is_27_percent_rounded_up(entries, size):
    assert top_group_size(entries) == size


def test_the_top_group_takes_the_best_scores_then_the_lowest_attempt_ids():
    sittings = [Sitting(i, {1: (None, i in (5, 6, 7))}) for i in range(1, 9)] + [Sitting(9, {})]
    # 9 attempts -> 3 in the group: the three that scored 1, not the lower ids that scored 0
    assert top_group(sittings) == {5, 6, 7}
    tied = [Sitting(i, {1: (None, True)}) for i in (40, 10, 30, 20)]
    assert top_group(tied) == {10, 20}  # 2 of 4, all tied: the lowest ids


def _figures(**changes) -> ItemFigures:
    base = dict(question_id=1, drawn=MIN_DRAWN_TO_FLAG, correct=10, facility=0.5, discrimination=0.3,
                chosen={A: 10, B: 10}, top_drawn=6, top_chosen={A: 4, B: 2})
    return ItemFigures(**(base | changes))


def test_a_sound_question_has_no_flag():
    assert question_flags(_figures(), A) == []


def test_a_distractor_the_strongest_prefer_is_flagged_with_its_option():
    flags = question_flags(_figures(top_chosen={A: 1, B: 3, C: 3, D: 2}), A)
    assert flags == [QuestionFlag(FlagCode.DISTRACTOR_BEATS_KEY, option_id=B)]  # B and C tie: the lower id
    assert question_flags(_figures(top_chosen={A: 3, B: 3}), A) == []  # as often as the key: not more often


def test_negative_discrimination_nobody_and_everybody_right_are_flagged():
    assert question_flags(_figures(discrimination=-0.01), A) == [QuestionFlag(FlagCode.NEGATIVE_DISCRIMINATION)]
    assert question_flags(_figures(correct=0, discrimination=None, top_chosen={B: 6}), A) == [
        QuestionFlag(FlagCode.DISTRACTOR_BEATS_KEY, option_id=B), QuestionFlag(FlagCode.NOBODY_RIGHT)]
    everybody = _figures(correct=MIN_DRAWN_TO_FLAG, discrimination=None, top_chosen={A: 6})
    assert question_flags(everybody, A) == [QuestionFlag(FlagCode.EVERYBODY_RIGHT)]


def test_nothing_is_flagged_below_the_minimum_number_of_attempts():
    few = _figures(drawn=MIN_DRAWN_TO_FLAG - 1, correct=0, discrimination=-0.5, top_chosen={B: 6})
    assert question_flags(few, A) == []
    assert question_flags(few, A, min_drawn=5) != []
