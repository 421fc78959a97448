"""Rule 5 (the ranking of individuals) and rule 6 (the actual answer of the prediction question)."""

from datetime import UTC, datetime, timedelta

import numpy as np
import pandas as pd
import pytest

from quizapp.domain.ranking import (
    AttemptEntry,
    ResultsInputError,
    best_attempts,
    explain,
    prediction_actual,
    prediction_counts,
    rank,
    standings,
    standings_of,
)

T0 = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)


def entry(attempt_id, user_id=None, correct=15, duration=60_000, submitted=0, prediction=None):
    """An attempt; ``submitted`` is seconds after T0; each attempt is its own participant unless told."""
    return AttemptEntry(attempt_id=attempt_id, user_id=user_id or attempt_id, correct_count=correct,
                        duration_ms=duration, submitted_at=T0 + timedelta(seconds=submitted), prediction=prediction)


def order(entries, actual=None):
    return [s.attempt_id for s in standings_of(entries, actual)]


def frame(entries):
    return pd.DataFrame({
        "attempt_id": [e.attempt_id for e in entries],
        "user_id": [e.user_id for e in entries],
        "correct_count": [e.correct_count for e in entries],
        "duration_ms": [e.duration_ms for e in entries],
        "submitted_at": [e.submitted_at for e in entries],
        "prediction": pd.array([e.prediction for e in entries], dtype="Int64"),
    })


# --- the cascade, one criterion at a time ------------------------------------------------------------------

def test_more_correct_answers_beats_every_tie_break():
    slow_late_far = entry(1, correct=18, duration=800_000, submitted=500, prediction=9_999)
    fast_early_exact = entry(2, correct=17, duration=10_000, submitted=1, prediction=100)
    assert order([fast_early_exact, slow_late_far], actual=100) == [1, 2]


def test_equal_scores_are_separated_by_the_closer_prediction_whichever_side_it_misses():
    over_by_3 = entry(1, prediction=103, duration=90_000)
    under_by_2 = entry(2, prediction=98, duration=99_000)
    over_by_10 = entry(3, prediction=110, duration=10_000)
    assert order([over_by_3, under_by_2, over_by_10], actual=100) == [2, 1, 3]


def test_a_missing_prediction_ranks_after_every_given_one():
    no_prediction_fastest = entry(1, prediction=None, duration=1_000)
    wild_guess = entry(2, prediction=1_000_000, duration=800_000)
    assert order([no_prediction_fastest, wild_guess], actual=5) == [2, 1]


def test_without_an_actual_answer_the_gap_is_skipped_and_duration_decides():
    close_but_slow = entry(1, prediction=100, duration=90_000)
    none_but_fast = entry(2, prediction=None, duration=30_000)
    ranked = standings_of([close_but_slow, none_but_fast], None)
    assert [s.attempt_id for s in ranked] == [2, 1]
    assert [s.prediction_gap for s in ranked] == [None, None]


def test_equal_score_and_gap_shorter_duration_wins():
    assert order([entry(1, duration=61_000, prediction=7), entry(2, duration=60_999, prediction=13)], 10) == [2, 1]


def test_equal_score_gap_and_duration_earlier_submission_wins():
    late = entry(1, submitted=10)
    early = entry(2, submitted=9)
    assert order([late, early]) == [2, 1]


def test_sub_millisecond_submission_times_still_count():
    first = AttemptEntry(9, 9, 15, 60_000, T0 + timedelta(microseconds=300))
    second = AttemptEntry(3, 3, 15, 60_000, T0 + timedelta(microseconds=700))
    assert order([second, first]) == [9, 3]


def test_everything_equal_the_lower_attempt_id_wins():
    assert order([entry(8), entry(5), entry(6)]) == [5, 6, 8]


def test_explain_names_the_criterion_that_separated_neighbours():
    ranked = rank(frame([
        entry(1, correct=20),
        entry(2, correct=19, prediction=50),
        entry(3, correct=19, prediction=60),
        entry(4, correct=19, prediction=60, duration=70_000),
        entry(5, correct=19, prediction=60, duration=70_000, submitted=5),
        entry(6, correct=19, prediction=60, duration=70_000, submitted=5),
    ]), prediction_actual=50)
    rows = [row for _, row in ranked.iterrows()]
    reasons = [explain(a, b) for a, b in zip(rows, rows[1:], strict=False)]
    assert list(ranked["attempt_id"]) == [1, 2, 3, 4, 5, 6]
    assert reasons == ["correct", "gap", "duration", "submitted", "attempt_id"]


def test_explain_refuses_an_entry_compared_with_itself():
    row = rank(frame([entry(1)]), None).iloc[0]
    with pytest.raises(ResultsInputError) as caught:
        explain(row, row)
    assert caught.value.code == "same_entry"


# --- best attempt, output shape, determinism ---------------------------------------------------------------

def test_each_participant_counts_with_their_best_attempt_only():
    attempts = frame([
        entry(1, user_id=7, correct=12),
        entry(2, user_id=7, correct=18, duration=300_000),
        entry(3, user_id=7, correct=18, duration=200_000),   # same score, faster: the best
        entry(4, user_id=8, correct=17),
    ])
    best = best_attempts(attempts, None)
    assert sorted(best["user_id"]) == [7, 8]
    assert dict(zip(best["user_id"], best["attempt_id"], strict=True)) == {7: 3, 8: 4}


def test_the_best_attempt_uses_the_prediction_tie_break_too():
    attempts = frame([entry(1, user_id=7, correct=18, prediction=500, duration=10_000),
                      entry(2, user_id=7, correct=18, prediction=120, duration=90_000)])
    assert list(best_attempts(attempts, 118)["attempt_id"]) == [2]
    assert list(best_attempts(attempts, 480)["attempt_id"]) == [1]


def test_rank_numbers_places_and_reports_the_gap():
    ranked = standings(frame([entry(1, correct=10, prediction=90), entry(2, correct=12),
                              entry(3, correct=11, prediction=130)]), prediction_actual=100)
    assert list(ranked["attempt_id"]) == [2, 3, 1]
    assert list(ranked["rank"]) == [1, 2, 3]
    assert ranked["prediction_gap"].tolist() == [pd.NA, 30, 10]


def test_extra_columns_are_carried_to_the_result():
    attempts = frame([entry(1), entry(2, correct=20)])
    attempts["unit_code"] = ["HN", "HCM"]
    assert list(standings(attempts, None)["unit_code"]) == ["HCM", "HN"]


def test_submission_times_as_epoch_milliseconds_rank_like_datetimes():
    entries = [entry(i, user_id=i % 4 + 1, correct=i % 3, submitted=(i * 7) % 5) for i in range(1, 13)]
    as_datetimes = frame(entries)
    as_millis = as_datetimes.assign(submitted_at=as_datetimes["submitted_at"].astype("int64") // 1_000_000)
    assert list(standings(as_datetimes, None)["attempt_id"]) == list(standings(as_millis, None)["attempt_id"])


def test_the_same_entries_in_any_order_give_the_same_standings():
    rng = np.random.default_rng(2026)
    n = 3_000
    attempts = pd.DataFrame({
        "attempt_id": np.arange(1, n + 1),
        "user_id": rng.integers(1, 800, n),
        "correct_count": rng.integers(15, 21, n),               # few scores: many ties to break
        "duration_ms": rng.integers(100, 110, n) * 1_000,
        "submitted_at": T0.timestamp() * 1000 + rng.integers(0, 20, n) * 1000,
        "prediction": pd.array(np.where(rng.random(n) < 0.3, None, rng.integers(40, 60, n)), dtype="Int64"),
    }).astype({"submitted_at": "int64"})
    expected = standings(attempts, 50)
    for seed in range(5):
        shuffled = attempts.sample(frac=1, random_state=seed)
        again = standings(shuffled, 50)
        pd.testing.assert_frame_equal(again, expected)


def test_predictions_given_as_floats_with_nan_are_read_as_missing():
    attempts = frame([entry(1, prediction=None), entry(2, prediction=40)])
    attempts["prediction"] = [np.nan, 40.0]
    assert list(standings(attempts, 50)["attempt_id"]) == [2, 1]


def test_an_empty_round_ranks_nobody():
    assert len(standings(frame([]), 3)) == 0


# --- bad input: a clear typed error ----------------------------------------------------------------------

@pytest.mark.parametrize(("change", "code"), [
    (lambda f: f.drop(columns=["duration_ms"]), "missing_columns"),
    (lambda f: f.assign(correct_count=[1.0, np.nan]), "null_values"),
    (lambda f: f.assign(attempt_id=[4, 4], user_id=[1, 2]), "duplicate_attempt"),
    (lambda f: f.assign(duration_ms=["fast", "slow"]), "bad_values"),
])
def test_bad_attempt_frames_are_refused_with_a_code(change, code):
    with pytest.raises(ResultsInputError) as caught:
        standings(change(frame([entry(1), entry(2)])), None)
    assert caught.value.code == code


def test_rank_refuses_two_entries_of_one_participant():
    with pytest.raises(ResultsInputError) as caught:
        rank(frame([entry(1, user_id=5), entry(2, user_id=5)]), None)
    assert (caught.value.code, caught.value.data) == ("duplicate_participant", {"user_id": 5})


# --- rule 6 --------------------------------------------------------------------------------------------

def test_prediction_counts_count_people_not_attempts():
    attempts = frame([entry(1, user_id=1, correct=20), entry(2, user_id=1, correct=20),
                      entry(3, user_id=2, correct=19), entry(4, user_id=3, correct=20)])
    attempts["question_count"] = 20
    assert prediction_counts(attempts) == (2, 3, 4)


@pytest.mark.parametrize(("mode", "expected"), [
    ("perfect_scores", 12), ("participants", 340), ("attempts", 775), ("manual", 300),
])
def test_prediction_actual_follows_the_rounds_mode(mode, expected):
    counts = {"perfect_scores": 12, "participants": 340, "attempts": 775}
    assert prediction_actual(mode, **counts, manual=300) == expected


def test_a_manual_answer_not_entered_yet_is_refused():
    with pytest.raises(ResultsInputError) as caught:
        prediction_actual("manual", perfect_scores=1, participants=2, attempts=3, manual=None)
    assert caught.value.code == "prediction_actual_missing"


def test_an_unknown_mode_is_refused():
    with pytest.raises(ResultsInputError) as caught:
        prediction_actual("guess", perfect_scores=1, participants=2, attempts=3, manual=None)
    assert caught.value.data == {"mode": "guess"}
