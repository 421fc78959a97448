"""Data rights (SPEC rule 11): when a participant's data may be erased, and the anonymous name left behind.

Erasure keeps the results (rankings and finalized exports stay reproducible) under an anonymous label; the label
says nothing about the person, and its public form does not even carry the account number.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

ANONYMOUS_NAME = "Người dự thi đã xóa dữ liệu"


def anonymous_label(user_id: int) -> str:
    """The name an erased participant keeps in the judges' rankings and exports: ``"… #42"``, distinct per entry
    so that two erased entries of one ranking can still be told apart."""
    return f"{ANONYMOUS_NAME} #{user_id}"


def is_anonymous_label(full_name: str | None) -> bool:
    return bool(full_name) and (full_name == ANONYMOUS_NAME or full_name.startswith(ANONYMOUS_NAME + " #"))


@dataclass(frozen=True, slots=True)
class RoundState:
    """What finality needs to know of one round of a contest the person took part in."""

    round_id: int
    round_name: str
    contest_id: int
    contest_title: str
    finalized: bool
    accepts_entries_until: datetime
    took_part: bool


def rounds_not_final(rounds: Iterable[RoundState], now: datetime) -> list[RoundState]:
    """The rounds that keep a person's results from being final, in the order given.

    Every round of every contest the person took part in counts: a round with an entry of theirs is final once a
    judge has finalized it (its ranking and prizes frozen, rule 9; until then the judges may still need the
    person's data to verify an entry); a round without one is final once finalized, or once it can take no more
    entries (closed and past its grace): the person can no longer enter it."""
    return [state for state in rounds
            if not state.finalized and (state.took_part or now < state.accepts_entries_until)]


@dataclass
class ErasureError(Exception):
    """A refused data-rights step; ``code`` is turned into words at the edge (``quizapp.messages.personal_data``)."""

    code: str
    data: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        super().__init__(self.code)
