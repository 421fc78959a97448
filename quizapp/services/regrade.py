"""Re-scoring after a question's answer key is fixed: preview what changes, then apply it.

When an organizer finds that a question's correct option was wrong, every finished attempt that drew the question
is scored again against the new key: an answer that picked the new correct option gains a correct answer, one
that picked the old one loses it, and nothing else moves. Attempts still in progress are scored at submission,
against whatever key holds then. Rounds already finalized keep their frozen results: the regrade is refused
until a judge re-opens them (rule 9), and it is audited with its reason (rule 10).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import pandas as pd
from sqlalchemy import case, distinct, func, select, update
from sqlalchemy.orm import aliased

from quizapp.domain.bank_export import LETTERS
from quizapp.extensions import db
from quizapp.models import Attempt, AttemptQuestion, AttemptStatus, Contest, Question, Round, User
from quizapp.services import audit
from quizapp.services.banks import count_change
from quizapp.services.standings import live_standings

IN_PROGRESS = AttemptStatus.IN_PROGRESS  # attempts not in progress (submitted, expired) are the scored ones


class RegradeError(Exception):
    """A regrade that cannot be done. Codes (data): ``option_out_of_range`` (index, options), ``answer_unchanged``
    (index), ``reason_required``, ``finalized_rounds`` (rounds: list of {id, name, contest})."""

    def __init__(self, code: str, **data: Any) -> None:
        self.code = code
        self.data = data
        super().__init__(f"{code}: {data}" if data else code)


@dataclass(frozen=True)
class PlaceChange:
    """One participant whose score, place or prize in a round changes (None: not ranked on that side)."""

    user_id: int
    full_name: str
    unit_name: str | None
    old_rank: int | None
    new_rank: int | None
    old_correct: int | None
    new_correct: int | None
    old_prize: str | None
    new_prize: str | None

    @property
    def prize_changed(self) -> bool:
        return self.old_prize != self.new_prize

    @property
    def moved(self) -> int:
        """Places gained (positive) or lost (negative); 0 when the place stays or one side is missing."""
        if self.old_rank is None or self.new_rank is None:
            return 0
        return self.old_rank - self.new_rank


@dataclass(frozen=True)
class RoundRegrade:
    round: Round
    contest_title: str
    finalized: bool
    attempts_gaining: int
    attempts_losing: int
    changes: list[PlaceChange]

    @property
    def prize_changes(self) -> list[PlaceChange]:
        return [change for change in self.changes if change.prize_changed]

    @property
    def label(self) -> str:
        return f"{self.contest_title} – {self.round.name}"


@dataclass(frozen=True)
class RegradePreview:
    question: Question
    old_index: int
    new_index: int
    rounds: list[RoundRegrade]

    @property
    def old_letter(self) -> str:
        return LETTERS[self.old_index]

    @property
    def new_letter(self) -> str:
        return LETTERS[self.new_index]

    @property
    def finalized_rounds(self) -> list[RoundRegrade]:
        return [r for r in self.rounds if r.finalized]

    @property
    def attempts_changing(self) -> int:
        return sum(r.attempts_gaining + r.attempts_losing for r in self.rounds)


@dataclass(frozen=True)
class RegradeResult:
    attempts_gaining: int
    attempts_losing: int
    round_ids: list[int]


def correct_index(question: Question) -> int | None:
    """The position of the question's correct option (None if, exceptionally, it has none)."""
    return next((i for i, option in enumerate(question.options) if option.is_correct), None)


def _check_change(question: Question, new_index: int) -> int:
    if not 0 <= new_index < len(question.options):
        raise RegradeError("option_out_of_range", index=new_index, options=len(question.options))
    old_index = correct_index(question)
    if old_index == new_index:
        raise RegradeError("answer_unchanged", index=new_index)
    return old_index if old_index is not None else new_index


def affected_rounds(question: Question) -> list[tuple[Round, str]]:
    """Rounds (with their contest's title) in which an attempt drew the question, in contest and round order."""
    used = select(distinct(Attempt.round_id)).join(AttemptQuestion, AttemptQuestion.attempt_id == Attempt.id) \
        .where(AttemptQuestion.question_id == question.id)
    rows = db.session.execute(
        select(Round, Contest.title).join(Contest, Contest.id == Round.contest_id)
        .where(Round.id.in_(used)).order_by(Contest.id, Round.position)
    ).all()
    return [(row[0], row[1]) for row in rows]


def _score_shifts(question: Question, new_option_id: int) -> dict[int, tuple[int, int]]:
    """Per round: (finished attempts that gain a correct answer, those that lose one). One query."""
    old_option_id = next((o.id for o in question.options if o.is_correct), None)
    chosen = AttemptQuestion.chosen_option_id
    rows = db.session.execute(
        select(Attempt.round_id,
               func.sum(case((chosen == new_option_id, 1), else_=0)),
               func.sum(case((chosen == old_option_id, 1), else_=0)) if old_option_id else func.sum(0))
        .join(AttemptQuestion, AttemptQuestion.attempt_id == Attempt.id)
        .where(AttemptQuestion.question_id == question.id, Attempt.status != IN_PROGRESS)
        .group_by(Attempt.round_id)
    ).all()
    return {row[0]: (int(row[1] or 0), int(row[2] or 0)) for row in rows}


def rescore(question: Question, new_option_id: int) -> None:
    """Score every finished attempt's answer to ``question`` against ``new_option_id`` and recount those
    attempts' ``correct_count``. Two UPDATE statements, whatever the number of attempts."""
    finished = select(Attempt.id).where(Attempt.status != IN_PROGRESS)
    db.session.execute(
        update(AttemptQuestion)
        .where(AttemptQuestion.question_id == question.id, AttemptQuestion.attempt_id.in_(finished))
        .values(is_correct=case((AttemptQuestion.chosen_option_id == new_option_id, True), else_=False))
        .execution_options(synchronize_session=False)
    )
    counted = aliased(AttemptQuestion)
    correct_count = (select(func.count()).select_from(counted)
                     .where(counted.attempt_id == Attempt.id, counted.is_correct.is_(True)).scalar_subquery())
    drew = select(AttemptQuestion.attempt_id).where(AttemptQuestion.question_id == question.id)
    db.session.execute(
        update(Attempt).where(Attempt.id.in_(drew), Attempt.status != IN_PROGRESS)
        .values(correct_count=correct_count).execution_options(synchronize_session=False)
    )


def preview_regrade(question: Question, new_correct_index: int, *, now: datetime) -> RegradePreview:
    """What moving the key to option ``new_correct_index`` would change in each round that used the question:
    attempts gaining or losing a correct answer, and every participant whose score, place or prize changes
    (from the live standings before and after, so prizes include every other rule). Writes nothing: the
    re-scoring runs inside a SAVEPOINT that is rolled back."""
    old_index = _check_change(question, new_correct_index)
    new_option_id = question.options[new_correct_index].id
    rounds = affected_rounds(question)
    shifts = _score_shifts(question, new_option_id)
    before = {r.id: live_standings(r, now=now).frame for r, _title in rounds}
    savepoint = db.session.begin_nested()
    try:
        rescore(question, new_option_id)
        after = {r.id: live_standings(r, now=now).frame for r, _title in rounds}
    finally:
        savepoint.rollback()
        db.session.expire_all()
    return RegradePreview(question=question, old_index=old_index, new_index=new_correct_index, rounds=[
        RoundRegrade(round=r, contest_title=title, finalized=r.finalized_at is not None,
                     attempts_gaining=shifts.get(r.id, (0, 0))[0], attempts_losing=shifts.get(r.id, (0, 0))[1],
                     changes=compare_standings(before[r.id], after[r.id]))
        for r, title in rounds
    ])


def apply_regrade(question: Question, new_correct_index: int, *, actor: User | None, now: datetime,
                  reason: str) -> RegradeResult:
    """Move the key to option ``new_correct_index`` and re-score every finished attempt that drew the question.

    Refused with ``reason_required`` without a reason, and with ``finalized_rounds`` (naming them) while a round
    that used the question is finalized: its frozen results would disagree with its attempts. Audited once for
    the question and once per round concerned. Flushes; the caller commits.
    """
    reason = (reason or "").strip()
    if not reason:
        raise RegradeError("reason_required")
    old_index = _check_change(question, new_correct_index)
    rounds = affected_rounds(question)
    finalized = [{"id": r.id, "name": r.name, "contest": title} for r, title in rounds if r.finalized_at]
    if finalized:
        raise RegradeError("finalized_rounds", rounds=finalized)
    new_option = question.options[new_correct_index]
    shifts = _score_shifts(question, new_option.id)
    for option in question.options:  # the database allows one correct option at a time: clear first
        option.is_correct = False
    db.session.flush()
    new_option.is_correct = True
    question.updated_at = now
    count_change(question.bank_id)
    db.session.flush()
    rescore(question, new_option.id)
    gaining = sum(g for g, _l in shifts.values())
    losing = sum(lost for _g, lost in shifts.values())
    details = {"question_id": question.id, "old_answer": LETTERS[old_index], "new_answer": LETTERS[new_correct_index],
               "attempts_gaining": gaining, "attempts_losing": losing}
    audit.record(actor=actor, action="question.regrade", object_type="question", object_id=question.id, now=now,
                 reason=reason, details={**details, "round_ids": [r.id for r, _t in rounds]})
    for round_, _title in rounds:
        gained, lost = shifts.get(round_.id, (0, 0))
        audit.record(actor=actor, action="round.regrade", object_type="round", object_id=round_.id, now=now,
                     reason=reason, details={**details, "attempts_gaining": gained, "attempts_losing": lost})
    db.session.flush()
    db.session.expire_all()
    return RegradeResult(attempts_gaining=gaining, attempts_losing=losing, round_ids=[r.id for r, _t in rounds])


_COMPARED = ("rank", "correct_count", "prize_name", "full_name", "unit_name")


def compare_standings(before: pd.DataFrame, after: pd.DataFrame) -> list[PlaceChange]:
    """Participants whose place, score or prize differs between two standings frames (best first by the new
    place; entries that left the ranking last)."""
    left = before.reindex(columns=["user_id", *_COMPARED])
    right = after.reindex(columns=["user_id", *_COMPARED])
    merged = left.merge(right, on="user_id", how="outer", suffixes=("_old", "_new"))
    differs = pd.Series(False, index=merged.index)
    for column in ("rank", "correct_count", "prize_name"):
        old, new = merged[f"{column}_old"], merged[f"{column}_new"]
        differs |= (old.isna() != new.isna()) | (old.notna() & new.notna() & (old != new))
    changes = []
    for row in merged[differs].itertuples(index=False):
        changes.append(PlaceChange(
            user_id=int(row.user_id), full_name=_text(row.full_name_new) or _text(row.full_name_old) or "",
            unit_name=_text(row.unit_name_new) or _text(row.unit_name_old),
            old_rank=_int(row.rank_old), new_rank=_int(row.rank_new),
            old_correct=_int(row.correct_count_old), new_correct=_int(row.correct_count_new),
            old_prize=_text(row.prize_name_old), new_prize=_text(row.prize_name_new)))
    big = 1 << 62
    return sorted(changes, key=lambda c: (c.new_rank or big, c.old_rank or big, c.user_id))


def _int(value: Any) -> int | None:
    return None if value is None or pd.isna(value) else int(value)


def _text(value: Any) -> str | None:
    return None if value is None or (not isinstance(value, str) and pd.isna(value)) else str(value)
