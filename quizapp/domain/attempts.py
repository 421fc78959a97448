"""Scoring an attempt, and the typed error every attempt operation raises.

A question counts as correct when the option saved for it is the question's correct option; an unanswered
question is not correct. The score of an attempt is its number of correct questions (``correct_count``). The
statements that score many attempts at once restate ``is_correct`` in SQL (``services.rules_sql``).
"""

from __future__ import annotations

from typing import Any


def is_correct(chosen_option_id: int | None, correct_option_id: int | None) -> bool:
    """True when an option was chosen and it is the correct one."""
    return chosen_option_id is not None and chosen_option_id == correct_option_id


class AttemptError(Exception):
    """A refusal of an attempt operation: ``code`` (e.g. ``round_closed``, ``attempt_cap_reached``,
    ``unknown_option``) and ``data`` naming what it is about. Views turn it into words and a status.

    ``keeps_effect``: the refusal comes with a change that stands although the request is refused (an attempt
    found past its time was closed with its saved answers); the request's transaction keeps it."""

    def __init__(self, code: str, data: dict[str, Any] | None = None, *, keeps_effect: bool = False) -> None:
        super().__init__(code, data or {})
        self.code = code
        self.data: dict[str, Any] = data or {}
        self.keeps_effect = keeps_effect

    def __repr__(self) -> str:
        return f"AttemptError({self.code!r}, {self.data!r})"
