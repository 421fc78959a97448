"""Rule 12: what of a round's ranking the public and its participants may see, moment by moment."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from quizapp.domain.disclosure import Disclosure, disclosure

OPENS = datetime(2026, 11, 23, tzinfo=UTC)
UNTIL = datetime(2026, 11, 30, 0, 0, 10, tzinfo=UTC)  # the close plus a 10-second grace
SECOND = timedelta(seconds=1)


@pytest.mark.parametrize(("now", "mode", "question", "finalized", "expected"), [
    (OPENS - SECOND, "perfect_scores", True, False, Disclosure("hidden", OPENS)),
    (OPENS - SECOND, "manual", True, False, Disclosure("hidden", OPENS)),
    (OPENS, "perfect_scores", True, False, Disclosure("hidden", UNTIL)),
    (OPENS, "participants", True, False, Disclosure("hidden", UNTIL)),
    (OPENS, "attempts", True, False, Disclosure("hidden", UNTIL)),
    (UNTIL, "perfect_scores", True, False, Disclosure("hidden", UNTIL)),  # an answer may still arrive
    (OPENS, "manual", True, False, Disclosure("live", UNTIL)),
    (OPENS, "perfect_scores", False, False, Disclosure("live", UNTIL)),  # no prediction question
    (UNTIL, "manual", True, False, Disclosure("live", UNTIL)),
    (UNTIL + SECOND, "perfect_scores", True, False, Disclosure("public", None)),
    (UNTIL + SECOND, "manual", True, False, Disclosure("public", None)),
    (OPENS, "perfect_scores", True, True, Disclosure("public", None)),  # finalized: frozen and public
])
def test_the_level_and_when_it_changes(now, mode, question, finalized, expected):
    assert disclosure(now=now, opens_at=OPENS, entries_until=UNTIL, finalized=finalized,
                      prediction_question=question, prediction_mode=mode) == expected
