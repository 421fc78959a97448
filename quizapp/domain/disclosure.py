"""What the public and the participants may see of a round's ranking at a given moment (rule 12 of the contest).

The prediction stays a guess: while entries can still arrive, nothing public may let anyone work out the actual
answer of the prediction question. When that answer is counted from the entries (perfect scores, participants or
attempts), any count of entries, any place "among N" and any ranking with scores gives it away, so nothing is
shown. When the organizer enters the answer by hand, or the round has no prediction question, the ranking by score
and time may be shown live, but never the answer, the predictions or their gaps (the answer may already be
entered). Once no entry can arrive any more, the ranking is public with each entry's prediction and gap and the
actual answer, so that the order explains itself. Judges and organizers see the live ranking on their own screens
at any time; this rule is about everybody else.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal

#: ``hidden``: nothing of the ranking; ``live``: places and scores, without the prediction; ``public``: everything
#: (masked names), with each entry's prediction and gap and the actual answer.
Level = Literal["hidden", "live", "public"]
#: Prediction modes whose answer is counted from the entries (rule 6), and so can be worked out from counts.
COUNTED_MODES: frozenset[str] = frozenset({"perfect_scores", "participants", "attempts"})


@dataclass(frozen=True)
class Disclosure:
    """The level at one moment, and when it next changes (None: it will not change by itself)."""

    level: Level
    until: datetime | None


def disclosure(*, now: datetime, opens_at: datetime, entries_until: datetime, finalized: bool,
               prediction_question: bool, prediction_mode: str) -> Disclosure:
    """What of a round's ranking the public and its participants may see at ``now``.

    ``entries_until`` is the last moment an entry can arrive (the close plus the network grace, or an
    organizer's early close): until it has passed, the round counts as open here, so that nobody still
    answering can read the answer of the prediction question on the board and type it in.

    - before the round opens: ``hidden`` (there is nothing to show), until it opens;
    - while entries can arrive: ``hidden`` when the prediction's answer is counted from the entries,
      else ``live`` (entered by hand, or no prediction question), until ``entries_until`` has passed;
    - afterwards, and whenever the round is finalized: ``public``.
    """
    if finalized or now > entries_until:
        return Disclosure("public", None)
    if now < opens_at:
        return Disclosure("hidden", opens_at)
    counted = prediction_question and prediction_mode in COUNTED_MODES
    return Disclosure("hidden" if counted else "live", entries_until)
