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
- The participant never sees the bank's option ids: each option of an attempt is shown under an id drawn at
  random for that attempt, unique within it. Option ids are given in file order, and authors tend to type the
  key first (GIFT's ``=`` answer) or last, so the bank's ids would tell the key; ids drawn per attempt say
  nothing about the option, and nothing learnt in one attempt carries to another or to another person.
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


#: Shown option ids are drawn from 1 .. SHOWN_ID_MAX (the API's ids are positive 32-bit integers).
SHOWN_ID_MAX = 2**31 - 1


@dataclass(frozen=True, slots=True)
class DrawnQuestion:
    """A drawn question, its options (the bank's ids) in the order the participant will see them, and the ids
    they are shown under (``shown_ids[i]`` is the id of ``option_ids[i]``)."""

    question_id: int
    option_ids: tuple[int, ...]
    shown_ids: tuple[int, ...]


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
    """Each question with its option ids in a random order (the same ids, each once), and a fresh random id
    to show each option under, distinct across the whole attempt."""
    drawn = []
    taken: set[int] = set()
    for question_id in question_ids:
        option_ids = sorted(options.get(question_id, ()))
        rng.shuffle(option_ids)
        drawn.append(DrawnQuestion(question_id, tuple(option_ids), _fresh_ids(len(option_ids), rng, taken)))
    return drawn


def _fresh_ids(count: int, rng: random.Random, taken: set[int]) -> tuple[int, ...]:
    """``count`` random ids in 1..SHOWN_ID_MAX not in ``taken`` (which they join)."""
    fresh: list[int] = []
    while len(fresh) < count:
        candidate = rng.getrandbits(31)  # 0 .. SHOWN_ID_MAX; 0 is no id
        if candidate and candidate not in taken:
            taken.add(candidate)
            fresh.append(candidate)
    return tuple(fresh)


def bank_option(shown_ids: Sequence[int], option_ids: Sequence[int], shown_id: int) -> int | None:
    """The bank's option behind ``shown_id`` among a question's options as shown (``shown_ids`` and
    ``option_ids`` in the same order), or None when it is not one of them. The reference of the SQL in
    ``quizapp.services.rules_sql.bank_option_sql``."""
    for shown, option in zip(shown_ids, option_ids, strict=True):
        if shown == shown_id:
            return option
    return None


def draw(quotas: Sequence[Quota], options: Mapping[int, Collection[int]],
         rng: random.Random) -> list[DrawnQuestion]:
    """The questions of a new attempt in their shuffled order, each with its shuffled options."""
    return shuffle_options(pick_questions(quotas, rng), options, rng)

