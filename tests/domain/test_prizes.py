"""Rule 7: prize tiers filled in order by the best remaining eligible participants."""

import pandas as pd
import pytest

from quizapp.domain.prizes import Tier, allocate, with_prizes
from quizapp.domain.ranking import ResultsInputError

TIERS = [Tier(11, "Giải Nhất", 1), Tier(12, "Giải Nhì", 2), Tier(13, "Giải Ba", 3)]


def ranked(*correct_counts, first_user=101):
    """A ranked round: user ``first_user + i`` in place ``i + 1`` with the given correct counts."""
    n = len(correct_counts)
    return pd.DataFrame({"rank": range(1, n + 1), "user_id": range(first_user, first_user + n),
                         "correct_count": list(correct_counts)})


def awarded(prizes):
    return list(zip(prizes["user_id"], prizes["prize_name"], strict=True))


def test_tiers_are_filled_in_order_by_rank():
    prizes = allocate(ranked(20, 20, 19, 19, 18, 18, 17, 16), TIERS)
    assert awarded(prizes) == [(101, "Giải Nhất"), (102, "Giải Nhì"), (103, "Giải Nhì"),
                               (104, "Giải Ba"), (105, "Giải Ba"), (106, "Giải Ba")]
    assert list(prizes["prize_tier_id"]) == [11, 12, 12, 13, 13, 13]
    assert list(prizes["rank"]) == [1, 2, 3, 4, 5, 6]


def test_disqualified_and_hidden_people_are_skipped_and_take_no_place():
    prizes = allocate(ranked(20, 20, 19, 19, 18, 18, 17, 16), TIERS, excluded_user_ids={101, 104})
    assert awarded(prizes) == [(102, "Giải Nhất"), (103, "Giải Nhì"), (105, "Giải Nhì"),
                               (106, "Giải Ba"), (107, "Giải Ba"), (108, "Giải Ba")]


def test_entries_below_the_minimum_score_never_win_and_tiers_stay_partly_empty():
    prizes = allocate(ranked(20, 19, 15, 14, 9), TIERS, min_correct=15)
    assert awarded(prizes) == [(101, "Giải Nhất"), (102, "Giải Nhì"), (103, "Giải Nhì")]


def test_fewer_participants_than_places_leaves_the_last_tiers_empty_without_error():
    assert awarded(allocate(ranked(3, 2), TIERS)) == [(101, "Giải Nhất"), (102, "Giải Nhì")]
    assert allocate(ranked(), TIERS).empty


def test_one_prize_per_contest_skips_earlier_rounds_winners():
    tiers = [Tier(1, "Giải Nhất", 1), Tier(2, "Giải Nhì", 1)]
    week_1 = allocate(ranked(20, 19, 18, 17), tiers)
    week_2_standings = ranked(20, 20, 19, 19)  # the same four people, in the same order
    week_2 = allocate(week_2_standings, tiers, already_won_user_ids=week_1["user_id"])
    assert awarded(week_1) == [(101, "Giải Nhất"), (102, "Giải Nhì")]
    assert awarded(week_2) == [(103, "Giải Nhất"), (104, "Giải Nhì")]


def test_the_ranking_order_counts_not_the_row_order():
    shuffled = ranked(20, 19, 18).iloc[[2, 0, 1]]
    assert awarded(allocate(shuffled, [(1, "Giải Nhất", 1), (2, "Giải Nhì", 1)])) == [
        (101, "Giải Nhất"), (102, "Giải Nhì")]


def test_with_prizes_joins_the_prize_of_each_winner_and_none_for_the_others():
    standings = ranked(20, 19, 18)
    joined = with_prizes(standings, allocate(standings, [Tier(7, "Giải Nhất", 1)]))
    assert list(joined["user_id"]) == [101, 102, 103]
    assert list(joined["prize_name"]) == ["Giải Nhất", None, None]
    assert joined["prize_tier_id"].tolist() == [7, pd.NA, pd.NA]


@pytest.mark.parametrize(("standings", "tiers", "code"), [
    (ranked(20, 19).assign(user_id=[5, 5]), TIERS, "duplicate_participant"),
    (ranked(20, 19).assign(rank=[1, 1]), TIERS, "duplicate_rank"),
    (ranked(20).drop(columns=["rank"]), TIERS, "missing_columns"),
    (ranked(20), [Tier(1, "Giải Nhất", -1)], "bad_tier_count"),
])
def test_inconsistent_input_is_refused(standings, tiers, code):
    with pytest.raises(ResultsInputError) as caught:
        allocate(standings, tiers)
    assert caught.value.code == code
