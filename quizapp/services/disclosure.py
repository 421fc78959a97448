"""What of a round's ranking the public and its participants may see now (rule 12; the rule is
``quizapp.domain.disclosure``), read from the one standings computation."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from quizapp.domain import ranking
from quizapp.domain.disclosure import Disclosure, disclosure
from quizapp.models import Attempt, Round
from quizapp.services.results import accepts_entries_until
from quizapp.services.standings import Standings, live_standings, load_entries, round_standings


def round_disclosure(round_: Round, now: datetime) -> Disclosure:
    """The round's disclosure level at ``now`` and when it next changes."""
    return disclosure(now=now, opens_at=round_.opens_at, entries_until=accepts_entries_until(round_),
                      finalized=round_.finalized_at is not None,
                      prediction_question=bool(round_.prediction_question),
                      prediction_mode=round_.prediction_answer.value)


def public_standings(round_: Round, now: datetime) -> tuple[Disclosure, Standings | None]:
    """The disclosure at ``now`` and the standings it lets the public see: none while ``hidden`` (not even
    computed); while ``live``, ranked without the prediction; once ``public``, the round's standings."""
    shown = round_disclosure(round_, now)
    if shown.level == "hidden":
        return shown, None
    if shown.level == "live":
        return shown, live_standings(round_, now=now, without_prediction=True)
    return shown, round_standings(round_, now=now)


def own_best_result(round_: Round, user_id: int) -> dict[str, Any] | None:
    """A participant's best finished attempt in the round (score, then time: their prediction is not judged
    before the close), without any place: what they may see of their standing while the ranking is hidden."""
    mine = load_entries(round_.id, Attempt.user_id == user_id)
    if mine.empty:
        return None
    best = ranking.best_attempts(mine, None).iloc[0]
    return {"correct_count": int(best["correct_count"]), "question_count": int(best["question_count"]),
            "duration_ms": int(best["duration_ms"])}
