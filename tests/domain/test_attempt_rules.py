"""The attempt's rules without a database: deadline, grace, duration, review, draw and score."""

import random
from datetime import UTC, datetime, timedelta

import pytest

from quizapp.domain.attempts import is_correct
from quizapp.domain.draw import PoolTooSmall, Quota, draw, pick_questions, shuffle_options
from quizapp.domain.timing import (
    accepts_answers,
    attempt_deadline,
    duration_ms,
    review_open,
    to_millisecond,
)

START = datetime(2026, 11, 23, 8, 0, 0, tzinfo=UTC)
FAR_CLOSE = datetime(2026, 11, 30, tzinfo=UTC)
MS = timedelta(milliseconds=1)


# --- deadline -------------------------------------------------------------------------------------

def test_deadline_is_start_plus_limit_plus_extension():
    deadline = attempt_deadline(START, time_limit_seconds=900, extension_seconds=120, round_close=FAR_CLOSE)
    assert deadline == START + timedelta(seconds=1020)


def test_deadline_never_runs_past_the_round_close():
    close = START + timedelta(minutes=5)
    assert attempt_deadline(START, time_limit_seconds=900, extension_seconds=0, round_close=close) == close


def test_start_is_kept_to_the_millisecond():
    assert to_millisecond(START.replace(microsecond=123_987)) == START.replace(microsecond=123_000)


# --- grace, to the millisecond --------------------------------------------------------------------

def test_answers_are_accepted_until_deadline_plus_grace_inclusive():
    deadline = START + timedelta(seconds=900)
    assert accepts_answers(deadline, 10, deadline)
    assert accepts_answers(deadline, 10, deadline + timedelta(seconds=10))


def test_answers_one_millisecond_after_the_grace_are_refused():
    deadline = START + timedelta(seconds=900)
    assert not accepts_answers(deadline, 10, deadline + timedelta(seconds=10) + MS)


def test_zero_grace_refuses_right_after_the_deadline():
    deadline = START + timedelta(seconds=900)
    assert accepts_answers(deadline, 0, deadline)
    assert not accepts_answers(deadline, 0, deadline + MS)


# --- duration -------------------------------------------------------------------------------------

def test_duration_is_milliseconds_from_start_to_submit():
    deadline = START + timedelta(seconds=900)
    assert duration_ms(START, deadline, START + timedelta(seconds=61, milliseconds=234)) == 61_234


def test_duration_rounds_down_to_the_millisecond():
    deadline = START + timedelta(seconds=900)
    assert duration_ms(START, deadline, START + timedelta(microseconds=1_999)) == 1


def test_a_submission_in_the_grace_counts_only_up_to_the_deadline():
    deadline = START + timedelta(seconds=900, milliseconds=0)
    assert duration_ms(START, deadline, deadline + timedelta(seconds=7)) == 900_000


# --- review ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("review", ["never", "after_submit", "after_close"])
def test_no_review_while_the_attempt_runs(review):
    assert not review_open(review, attempt_finished=False, attempts_left=False, round_close=START, grace_seconds=0,
                           now=START + timedelta(days=1))


def test_review_after_submit_opens_after_the_last_attempt_and_never_never_opens():
    assert review_open("after_submit", attempt_finished=True, attempts_left=False, round_close=FAR_CLOSE,
                       grace_seconds=10, now=START)
    assert not review_open("never", attempt_finished=True, attempts_left=False, round_close=START, grace_seconds=0,
                           now=START + timedelta(days=365))


def test_the_key_of_one_attempt_is_not_shown_while_another_can_use_it():
    close = START + timedelta(hours=1)
    kwargs = {"attempt_finished": True, "attempts_left": True, "round_close": close, "grace_seconds": 10}
    assert not review_open("after_submit", now=START, **kwargs)
    assert not review_open("after_submit", now=close + timedelta(seconds=10), **kwargs)
    # once the round is over, nobody can use it any more
    assert review_open("after_submit", now=close + timedelta(seconds=10) + MS, **kwargs)


@pytest.mark.parametrize("attempts_left", [True, False])
def test_review_after_close_waits_for_the_close_and_its_grace(attempts_left):
    close = START + timedelta(hours=1)
    kwargs = {"attempt_finished": True, "attempts_left": attempts_left, "round_close": close, "grace_seconds": 10}
    assert not review_open("after_close", now=close, **kwargs)
    assert not review_open("after_close", now=close + timedelta(seconds=10), **kwargs)
    assert review_open("after_close", now=close + timedelta(seconds=10) + MS, **kwargs)


# --- draw -----------------------------------------------------------------------------------------

def test_draw_honours_each_quota_without_repeating_a_question():
    topic_a, topic_b = range(1, 31), range(101, 151)
    quotas = [Quota(0, 8, topic_a), Quota(1, 12, topic_b)]
    for seed in range(50):
        picked = pick_questions(quotas, random.Random(seed))
        assert len(picked) == 20 == len(set(picked))
        assert sum(q in topic_a for q in picked) == 8
        assert sum(q in topic_b for q in picked) == 12


def test_overlapping_pools_never_give_a_question_twice_and_the_narrow_rule_is_served():
    broad, narrow = range(1, 11), range(1, 4)   # topic A (10 questions) and topic A, hard (3 of them)
    for seed in range(100):
        picked = pick_questions([Quota(0, 7, broad), Quota(1, 3, narrow)], random.Random(seed))
        assert sorted(picked) == list(range(1, 11))


def test_same_seed_same_draw_and_order_is_shuffled():
    quotas = [Quota(None, 20, range(1, 201))]
    first = pick_questions(quotas, random.Random(7))
    assert first == pick_questions(quotas, random.Random(7))
    draws = {tuple(pick_questions(quotas, random.Random(seed))) for seed in range(10)}
    assert len(draws) == 10
    assert first != sorted(first)


def test_short_pool_raises_a_typed_error_naming_the_rule():
    with pytest.raises(PoolTooSmall) as caught:
        pick_questions([Quota(0, 2, [1, 2, 3]), Quota(1, 5, [10, 11])], random.Random(1))
    assert (caught.value.code, caught.value.rule, caught.value.needed, caught.value.available) == \
        ("pool_too_small", 1, 5, 2)


def test_pools_short_only_together_are_refused():
    with pytest.raises(PoolTooSmall) as caught:
        pick_questions([Quota(0, 2, [1, 2, 3]), Quota(1, 2, [2, 3])], random.Random(1))
    assert caught.value.needed == 2 and caught.value.available < 2


def test_options_are_shuffled_per_question_and_keep_every_option():
    options = {1: [11, 12, 13, 14], 2: [21, 22, 23, 24, 25, 26]}
    orders = set()
    for seed in range(30):
        drawn = shuffle_options([2, 1], options, random.Random(seed))
        assert [d.question_id for d in drawn] == [2, 1]
        assert sorted(drawn[0].option_ids) == options[2] and sorted(drawn[1].option_ids) == options[1]
        orders.add(drawn[1].option_ids)
    assert len(orders) > 5


def test_draw_gives_questions_with_their_options():
    drawn = draw([Quota(None, 2, [5, 6, 7])], {5: [50, 51], 6: [60, 61], 7: [70, 71]}, random.Random(3))
    assert len(drawn) == 2
    for question in drawn:
        assert {o // 10 for o in question.option_ids} == {question.question_id}


# --- score ----------------------------------------------------------------------------------------

def test_a_mark_needs_the_correct_option_chosen():
    assert is_correct(11, 11) and not is_correct(12, 11)
    assert not is_correct(None, 11) and not is_correct(None, None)
