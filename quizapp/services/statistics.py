"""Question quality of a round: ``quizapp.domain.item_analysis``'s figures and flags, computed set-based.

Who counts: the round's finished attempts (submitted, or closed at their deadline with the answers saved by then:
the ranking's entries), except those of hidden accounts (test and staff accounts, which the ranking leaves out
too). ``in_progress`` counts the attempts still running at ``now``. An unanswered question is wrong.

Five queries whatever the size of the round: the score histogram, the participants and attempts in progress, the
last attempt of the top group when a score straddles its edge, ONE aggregate over the round's attempt questions
grouped by (question, chosen option), counting the top group's attempts with a sum, and the drawn questions with
their options (PostgreSQL: settings of the transaction before the aggregate). The sums of the aggregate are what
``item_analysis.discrimination`` needs; the few thousand groups are then totalled with pandas.
The staff see these figures while the round is open (SPEC rule 12 restricts what the public and participants see).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import pandas as pd
from sqlalchemy import BigInteger, ColumnElement, and_, case, cast, distinct, func, literal, or_, select, text

from quizapp.domain import item_analysis
from quizapp.domain.item_analysis import ItemFigures, ItemSums, QuestionFlag
from quizapp.extensions import db
from quizapp.models import Attempt, AttemptQuestion, Option, Question, Round, User
from quizapp.models.attempts import in_progress
from quizapp.services.standings import ENTRY_STATUSES

_SUMS = ("drawn", "correct", "score_sum", "score_squares", "correct_score_sum")  # ItemSums' fields, in order
_GROUP_COLUMNS = ("question_id", "option_id", "top", *_SUMS)


@dataclass(frozen=True)
class OptionFigures:
    """One of the bank's options of a question, in the bank's order (``letter_index`` 0 = A)."""

    option_id: int
    letter_index: int
    text: str
    is_key: bool
    chosen: int
    top_chosen: int


@dataclass(frozen=True)
class QuestionFigures:
    question_id: int
    bank_id: int
    text: str
    drawn: int
    correct: int
    unanswered: int
    facility: float | None
    discrimination: float | None
    options: list[OptionFigures]
    flags: list[QuestionFlag]

    def option(self, option_id: int | None) -> OptionFigures | None:
        return next((option for option in self.options if option.option_id == option_id), None)


@dataclass(frozen=True)
class RoundStatistics:
    """``questions`` in question id order; ``flagged`` lists the flagged ones first (most flags first)."""

    round_id: int
    entries: int
    participants: int
    in_progress: int
    top_group: int
    questions: list[QuestionFigures]

    @property
    def flagged_first(self) -> list[QuestionFigures]:
        return sorted(self.questions, key=lambda q: (not q.flags, -len(q.flags), q.question_id))


def counted_attempts(round_id: int) -> list[ColumnElement[bool]]:
    """The conditions on ``Attempt`` of an attempt that counts here (see the module)."""
    hidden = select(User.id).where(User.id == Attempt.user_id, User.hidden.is_(True)).exists()
    return [Attempt.round_id == round_id, Attempt.status.in_(ENTRY_STATUSES), Attempt.correct_count.is_not(None),
            ~hidden]


def round_statistics(round_: Round, *, now: datetime,
                     min_drawn_to_flag: int = item_analysis.MIN_DRAWN_TO_FLAG) -> RoundStatistics:
    """The round's figures at ``now`` (see the module)."""
    counted = counted_attempts(round_.id)
    histogram = db.session.execute(select(Attempt.correct_count, func.count()).where(*counted)
                                   .group_by(Attempt.correct_count)).all()
    entries = sum(n for _score, n in histogram)
    participants, running = db.session.execute(select(
        select(func.count(distinct(Attempt.user_id))).where(*counted).scalar_subquery(),
        select(func.count()).select_from(Attempt).where(
            Attempt.round_id == round_.id, in_progress(Attempt.status), Attempt.deadline_at > now).scalar_subquery(),
    )).one()
    size = item_analysis.top_group_size(entries)
    groups = _groups(counted, _top_condition(counted, histogram, size))
    questions = _questions(groups, min_drawn_to_flag) if len(groups) else []
    return RoundStatistics(round_id=round_.id, entries=entries, participants=int(participants or 0),
                           in_progress=int(running or 0), top_group=size, questions=questions)


def _top_condition(counted: list[ColumnElement[bool]], histogram: list[Any], size: int) -> ColumnElement[bool]:
    """The condition on ``Attempt`` of the top group: the ``size`` best scores, ties by ascending attempt id."""
    above = 0
    for score, count in sorted(histogram, key=lambda row: -row[0]):
        if above + count >= size:
            needed = size - above
            if needed == count:
                return Attempt.correct_count >= score
            last = db.session.scalar(select(Attempt.id).where(*counted, Attempt.correct_count == score)
                                     .order_by(Attempt.id).offset(needed - 1).limit(1))
            return or_(Attempt.correct_count > score, and_(Attempt.correct_count == score, Attempt.id <= last))
        above += count
    return literal(False)


def _groups(counted: list[ColumnElement[bool]], top: ColumnElement[bool]) -> pd.DataFrame:
    """One row per (question, chosen option or None): attempts of the top group among them (``top``) and the
    sums of ``ItemSums``. One statement; on PostgreSQL, for the rest of the transaction, without JIT compilation
    (it cost more than it saved) and with the memory to hash the round's attempts at once (bench/README.md)."""
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(text("SELECT set_config('jit', 'off', true), set_config('work_mem', '64MB', true)"))
    attempts = select(Attempt.id, cast(Attempt.correct_count, BigInteger).label("score"),
                      case((top, 1), else_=0).label("top")).where(*counted).subquery()
    mark = case((AttemptQuestion.is_correct.is_(True), 1), else_=0)
    score = attempts.c.score
    rows = db.session.execute(
        select(AttemptQuestion.question_id, AttemptQuestion.chosen_option_id, func.sum(attempts.c.top),
               func.count(), func.sum(mark), func.sum(score), func.sum(score * score), func.sum(mark * score))
        .join(attempts, attempts.c.id == AttemptQuestion.attempt_id)
        .group_by(AttemptQuestion.question_id, AttemptQuestion.chosen_option_id)
    ).all()
    frame = pd.DataFrame([tuple(row) for row in rows], columns=list(_GROUP_COLUMNS))
    frame["option_id"] = frame["option_id"].astype("Int64")
    for column in _GROUP_COLUMNS[2:]:
        frame[column] = frame[column].astype("int64")
    return frame


def _questions(groups: pd.DataFrame, min_drawn_to_flag: int) -> list[QuestionFigures]:
    sums = groups.groupby("question_id")[["top", *_SUMS]].sum()
    answered = groups[groups["option_id"].notna()]
    chosen, top_chosen = _counts(answered, "drawn"), _counts(answered, "top")
    options = _bank_options(sums.index.tolist())
    result = []
    for found_id, row in sums.iterrows():
        question_id = int(found_id)
        bank_id, question_text, listed = options[question_id]
        figures = ItemFigures(
            question_id=question_id, drawn=int(row["drawn"]), correct=int(row["correct"]),
            facility=item_analysis.facility(int(row["drawn"]), int(row["correct"])),
            discrimination=item_analysis.discrimination(ItemSums(*(int(row[c]) for c in _SUMS))),
            chosen=chosen.get(question_id, {}), top_drawn=int(row["top"]), top_chosen=top_chosen.get(question_id, {}))
        key = next((option_id for option_id, _text, is_key in listed if is_key), None)
        result.append(QuestionFigures(
            question_id=figures.question_id, bank_id=bank_id, text=question_text, drawn=figures.drawn,
            correct=figures.correct, unanswered=figures.drawn - sum(figures.chosen.values()),
            facility=figures.facility, discrimination=figures.discrimination,
            options=[OptionFigures(option_id=option_id, letter_index=index, text=option_text, is_key=is_key,
                                   chosen=figures.chosen.get(option_id, 0),
                                   top_chosen=figures.top_chosen.get(option_id, 0))
                     for index, (option_id, option_text, is_key) in enumerate(listed)],
            flags=item_analysis.question_flags(figures, key, min_drawn=min_drawn_to_flag)))
    return result


def _counts(answered: pd.DataFrame, column: str) -> dict[int, dict[int, int]]:
    """question id → option id → ``column``'s total (attempts; of the top group), options with none left out."""
    counts: dict[int, dict[int, int]] = {}
    for question_id, option_id, n in answered[["question_id", "option_id", column]].itertuples(index=False):
        if n:
            counts.setdefault(int(question_id), {})[int(option_id)] = int(n)
    return counts


def _bank_options(question_ids: list[int]) -> dict[int, tuple[int, str, list[tuple[int, str, bool]]]]:
    """question id → (bank id, text, [(option id, text, is the key)] in the bank's order). One query."""
    rows = db.session.execute(
        select(Question.id, Question.bank_id, Question.text, Option.id, Option.text, Option.is_correct)
        .join(Option, Option.question_id == Question.id)
        .where(Question.id.in_(question_ids)).order_by(Question.id, Option.position)
    ).all()
    found: dict[int, tuple[int, str, list[tuple[int, str, bool]]]] = {}
    for question_id, bank_id, question_text, option_id, option_text, is_key in rows:
        found.setdefault(question_id, (bank_id, question_text, []))[2].append((option_id, option_text, bool(is_key)))
    return found
