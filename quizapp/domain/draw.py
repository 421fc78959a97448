"""Drawing an attempt's questions (rule 2 of the contest), with a ``random.Random`` passed in.

- Each draw rule (quota) takes ``count`` distinct questions from its candidates: the active questions
  matching its topic, bank and difficulty. A round without rules takes ``question_count`` from all active
  questions.
- No question is drawn twice in one attempt, even when two rules' pools overlap: the rules are served from the
  smallest pool up, each from what the earlier ones left, so a narrow rule (topic A, hard) is not starved by a
  broad one (topic A). Should that greedy order still come up short while the pools could be shared out,
  the draw is tried again a few times before giving up.
- A pool too small at start time (questions retired since the round was created) raises ``PoolTooSmall``
  naming the rule, the number needed and the number available.
- The drawn questions are shuffled into one order, and each question's options are shuffled.
"""

from __future__ import annotations

import random
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass

_TRIES = 8


@dataclass(frozen=True, slots=True)
class Quota:
    """``count`` questions to draw from ``candidates``; ``rule``: the rule's position (None: no rules)."""

    rule: int | None
    count: int
    candidates: Collection[int]


@dataclass(frozen=True, slots=True)
class DrawnQuestion:
    """A drawn question and its options in the order the participant will see them."""

    question_id: int
    option_ids: tuple[int, ...]


@dataclass(frozen=True)
class PoolTooSmall(Exception):
    """A rule's pool holds fewer questions than it must draw. ``code`` is ``pool_too_small``."""

    rule: int | None
    needed: int
    available: int
    code: str = "pool_too_small"


def pick_questions(quotas: Sequence[Quota], rng: random.Random) -> list[int]:
    """Distinct question ids meeting every quota, shuffled into the order of the attempt."""
    for quota in quotas:
        if len(set(quota.candidates)) < quota.count:
            raise PoolTooSmall(quota.rule, quota.count, len(set(quota.candidates)))
    ordered = sorted(quotas, key=lambda q: (len(q.candidates), q.rule if q.rule is not None else -1))
    shortfall: PoolTooSmall | None = None
    for _ in range(_TRIES):
        try:
            picked = _pick_once(ordered, rng)
        except PoolTooSmall as error:
            shortfall = error
            continue
        rng.shuffle(picked)
        return picked
    assert shortfall is not None
    raise shortfall


def _pick_once(quotas: Sequence[Quota], rng: random.Random) -> list[int]:
    used: set[int] = set()
    picked: list[int] = []
    for quota in quotas:
        left = sorted(set(quota.candidates) - used)
        if len(left) < quota.count:
            raise PoolTooSmall(quota.rule, quota.count, len(left))
        chosen = rng.sample(left, quota.count)
        used.update(chosen)
        picked.extend(chosen)
    return picked


def shuffle_options(question_ids: Sequence[int], options: Mapping[int, Collection[int]],
                    rng: random.Random) -> list[DrawnQuestion]:
    """Each question with its option ids in a random order (the same ids, each once)."""
    drawn = []
    for question_id in question_ids:
        option_ids = sorted(options.get(question_id, ()))
        rng.shuffle(option_ids)
        drawn.append(DrawnQuestion(question_id, tuple(option_ids)))
    return drawn


def draw(quotas: Sequence[Quota], options: Mapping[int, Collection[int]],
         rng: random.Random) -> list[DrawnQuestion]:
    """The questions of a new attempt in their shuffled order, each with its shuffled options."""
    return shuffle_options(pick_questions(quotas, rng), options, rng)

