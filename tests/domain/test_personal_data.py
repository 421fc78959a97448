"""The pure rules of data rights: what counts as final, and the anonymous name and its public form."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from quizapp.domain.masking import mask_name
from quizapp.domain.personal_data import ANONYMOUS_NAME, RoundState, anonymous_label, rounds_not_final

NOW = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)


def state(round_id: int, *, finalized: bool = False, ends: timedelta = -timedelta(hours=1),
          took_part: bool = True) -> RoundState:
    return RoundState(round_id=round_id, round_name=f"Tuần {round_id}", contest_id=1, contest_title="Cuộc thi",
                      finalized=finalized, accepts_entries_until=NOW + ends, took_part=took_part)


def test_a_round_with_an_entry_is_final_only_once_finalized():
    assert rounds_not_final([state(1, finalized=True)], NOW) == []
    assert [s.round_id for s in rounds_not_final([state(1), state(2, ends=timedelta(days=1))], NOW)] == [1, 2]


def test_a_round_without_an_entry_is_final_once_it_takes_no_more_entries():
    assert rounds_not_final([state(1, took_part=False)], NOW) == []
    assert [s.round_id for s in rounds_not_final([state(2, took_part=False, ends=timedelta(seconds=1))], NOW)] == [2]


def test_the_label_is_distinct_per_account_and_its_public_form_tells_nothing():
    assert anonymous_label(42) == f"{ANONYMOUS_NAME} #42" != anonymous_label(43)
    assert mask_name(anonymous_label(42)) == ANONYMOUS_NAME
    assert mask_name("Nguyễn Văn An") == "Nguyễn V. A."
