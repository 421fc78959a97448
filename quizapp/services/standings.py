"""The ONE standings computation of a round: the public leaderboard, the judges' screens, the exports and the
announcement all read :func:`round_standings` (or :func:`live_standings`), so they cannot disagree.

Who is ranked (rules 5–7 of the contest):

- an entry is a finished attempt (submitted by the participant, or closed by the server at its deadline with the
  answers saved by then); attempts still in progress do not count yet;
- only each participant's best attempt counts (``quizapp.domain.ranking``);
- a participant with an active disqualification in the round, or a hidden account (test or staff accounts), is
  not ranked and wins nothing: their best attempt is listed in ``excluded`` with the reason instead;
- the actual answer of the prediction question is the organizer's figure in ``manual`` mode, else it is counted
  over the ranked entries only (``perfect_scores``: participants with a perfect attempt; ``participants``;
  ``attempts``): entries set aside do not move everybody's gap. A round without a prediction question ranks
  without that tie-break. Once finalized, the answer is the one stored on the round;
- prizes are allocated as ``quizapp.domain.prizes.allocate`` says; when the contest gives at most one prize per
  contest, winners of the contest's other finalized rounds are skipped.

A finalized round is read from its frozen rows (``round_results``), never recomputed.

The data is loaded set-based: one query for the round's finished attempts (integer columns only), one for the
people who have any, one for the units, and small ones for the disqualifications, the tiers and earlier winners.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import BigInteger, ColumnElement, Integer, Select, cast, extract, func, select

from quizapp.domain import ranking
from quizapp.domain.prizes import Tier, allocate, with_prizes
from quizapp.domain.text import fold
from quizapp.extensions import db
from quizapp.models import Attempt, AttemptStatus, Disqualification, Round, RoundResult, Unit, UnitAncestor, User

#: Statuses of an attempt that is an entry of the ranking.
ENTRY_STATUSES = (AttemptStatus.SUBMITTED, AttemptStatus.EXPIRED)
#: Columns of :attr:`Standings.frame`, in this order.
FRAME_COLUMNS: tuple[str, ...] = (
    "rank", "user_id", "attempt_id", "correct_count", "question_count", "duration_ms", "prediction",
    "prediction_gap", "submitted_at", "full_name", "phone", "email", "unit_id", "unit_code", "unit_name",
    "unit_path", "category", "prize_tier_id", "prize_name", "reason",
)
#: Columns of :attr:`Standings.excluded`: ``exclusion_reason`` is ``disqualified`` or ``hidden``;
#: ``exclusion_note`` is the judge's written reason of a disqualification.
EXCLUDED_COLUMNS: tuple[str, ...] = (
    "user_id", "attempt_id", "correct_count", "question_count", "duration_ms", "prediction", "prediction_gap",
    "submitted_at", "full_name", "phone", "email", "unit_id", "unit_code", "unit_name", "unit_path", "category",
    "exclusion_reason", "exclusion_note",
)
UNIT_PATH_SEPARATOR = " › "
_UNIT_COLUMNS = ("unit_code", "unit_name", "unit_path")


@dataclass(frozen=True)
class Standings:
    """A round's ranking at one moment: ``frame`` has :data:`FRAME_COLUMNS`, best first (``rank`` 1..n);
    ``excluded`` has :data:`EXCLUDED_COLUMNS`; ``frozen`` is True when read from a finalized round's rows;
    ``computed_at`` is the ``now`` it was computed for."""

    round: Round
    prediction_actual: int | None
    frozen: bool
    frame: pd.DataFrame
    excluded: pd.DataFrame
    computed_at: datetime

    @property
    def winners(self) -> pd.DataFrame:
        """The rows of ``frame`` that hold a prize, in rank order."""
        return self.frame[self.frame["prize_name"].notna()]

    def prize_counts(self) -> list[tuple[str, int]]:
        """(tier name, prizes given) for every tier of the round, in tier order (0 when a tier stays empty)."""
        given = self.winners["prize_name"].value_counts()
        return [(tier.name, int(given.get(tier.name, 0))) for tier in self.round.prize_tiers]

    def categories(self) -> list[str]:
        """The categories of the people ranked or set aside, sorted."""
        values = pd.concat([self.frame["category"], self.excluded["category"]]).dropna().unique()
        return sorted(str(value) for value in values)


@dataclass(frozen=True)
class FramePage:
    """One page of a standings frame, as plain dicts (NA as None); ``number`` is clamped to 1..``pages``."""

    rows: list[dict[str, Any]]
    number: int
    pages: int
    total: int


def frame_page(frame: pd.DataFrame, number: int, size: int) -> FramePage:
    """Page ``number`` (1-based; out of range: the nearest page) of ``frame`` in pages of ``size`` rows."""
    pages = max(1, -(-len(frame) // size))
    number = min(max(1, number), pages)
    chunk = frame.iloc[(number - 1) * size: number * size]
    rows = chunk.astype(object).where(chunk.notna(), None).to_dict("records")
    return FramePage(rows=rows, number=number, pages=pages, total=len(frame))


def filter_standings(frame: pd.DataFrame, *, unit_id: int | None = None, category: str | None = None,
                     text: str | None = None, user_id: int | None = None) -> pd.DataFrame:
    """The rows of a standings frame registered under unit ``unit_id`` (at any depth below it, by the closure
    table), of ``category``, whose folded name contains ``text`` or whose phone contains its digits, of the
    participant ``user_id``; the order is kept. A criterion left None does not filter."""
    mask = np.ones(len(frame), dtype=bool)
    if user_id is not None:
        mask &= (frame["user_id"] == user_id).to_numpy(dtype=bool)
    if unit_id is not None:
        below = db.session.scalars(select(UnitAncestor.descendant_id).where(UnitAncestor.ancestor_id == unit_id))
        mask &= frame["unit_id"].isin(below.all()).fillna(False).to_numpy(dtype=bool)
    if category:
        mask &= (frame["category"] == category).to_numpy(dtype=bool)
    if text:
        found = frame["full_name"].fillna("").map(fold).str.contains(fold(text), regex=False)
        digits = "".join(ch for ch in text if ch.isdigit())
        if digits:
            found |= frame["phone"].fillna("").str.contains(digits, regex=False)
        mask &= found.to_numpy(dtype=bool)
    return frame[mask]


def round_standings(round_: Round, *, now: datetime) -> Standings:
    """The frozen standings of a finalized round, else the live ones."""
    if round_.finalized_at is not None:
        return frozen_standings(round_, now=now)
    return live_standings(round_, now=now)


def live_standings(round_: Round, *, now: datetime, without_prediction: bool = False) -> Standings:
    """The ranking of the round's finished attempts as it stands at ``now``, with the prizes as they would be
    allocated now (see the module's rules). ``without_prediction``: ranked as if the prediction's answer were
    unknown (the public live board of an open round, whose order must not reveal an answer entered early)."""
    attempts = load_entries(round_.id)
    people = load_people(select(Attempt.user_id).where(*entry_criteria(round_.id)))
    notes = active_disqualifications(round_.id)
    excluded_mask = attempts["user_id"].isin(list(notes) + hidden_ids(people))
    eligible = attempts[~excluded_mask.to_numpy()]
    actual = None if without_prediction else live_prediction_actual(round_, eligible)
    ranked = ranking.standings(eligible, actual)
    ranked = with_prizes(ranked, allocate_prizes(round_, ranked))
    set_aside = ranking.best_attempts(attempts[excluded_mask.to_numpy()], actual)
    return Standings(round=round_, prediction_actual=actual, frozen=False, computed_at=now,
                     frame=ranked_frame(ranked, people), excluded=excluded_frame(set_aside, people, notes))


def frozen_standings(round_: Round, *, now: datetime) -> Standings:
    """A finalized round's standings as stored when it was finalized (``round_results``), with the entries that
    were set aside (disqualified or hidden) listed in ``excluded``."""
    stored = frozen_rows(round_.id)
    notes = active_disqualifications(round_.id)
    set_aside_users = select(User.id).where(User.hidden.is_(True)).union_all(
        select(Disqualification.user_id).where(Disqualification.round_id == round_.id,
                                               Disqualification.lifted_at.is_(None)))
    not_ranked = ~select(RoundResult.user_id).where(RoundResult.round_id == round_.id,
                                                    RoundResult.user_id == Attempt.user_id).exists()
    aside_criteria = (Attempt.user_id.in_(set_aside_users), not_ranked)
    aside = load_entries(round_.id, *aside_criteria)
    people = load_people(select(RoundResult.user_id).where(RoundResult.round_id == round_.id))
    if len(aside):  # two queries rather than one over a union: the union would be deduplicated row by row
        people = pd.concat([people, load_people(
            select(Attempt.user_id).where(*entry_criteria(round_.id), *aside_criteria))])
        people = people[~people.index.duplicated()]
    set_aside = ranking.best_attempts(aside, round_.prediction_actual)
    return Standings(round=round_, prediction_actual=round_.prediction_actual, frozen=True, computed_at=now,
                     frame=ranked_frame(stored, people), excluded=excluded_frame(set_aside, people, notes))


def frozen_rows(round_id: int) -> pd.DataFrame:
    """The ``round_results`` rows of a round in rank order, as a ranked frame with its prizes."""
    stored = integer_frame(
        select(RoundResult.rank, RoundResult.user_id, RoundResult.attempt_id, RoundResult.correct_count,
               RoundResult.question_count, RoundResult.duration_ms, _or_minus_one(RoundResult.prediction),
               _or_minus_one(RoundResult.prediction_gap), epoch_microseconds(RoundResult.submitted_at),
               _or_minus_one(RoundResult.prize_tier_id))
        .where(RoundResult.round_id == round_id).order_by(RoundResult.rank),
        ("rank", "user_id", "attempt_id", "correct_count", "question_count", "duration_ms", "prediction",
         "prediction_gap", "submitted_at", "prize_tier_id"), nullable=("prediction", "prediction_gap", "prize_tier_id"))
    prize_of = dict(db.session.execute(
        select(RoundResult.user_id, RoundResult.prize_name)
        .where(RoundResult.round_id == round_id, RoundResult.prize_name.is_not(None))).tuples().all())
    stored["prize_name"] = np.array([prize_of.get(user) for user in stored["user_id"].tolist()], dtype=object)
    return stored


# --- the rules' inputs --------------------------------------------------------------------------------------

def live_prediction_actual(round_: Round, eligible: pd.DataFrame) -> int | None:
    """The actual answer to rank with: None without a prediction question; the stored figure once finalized or
    in manual mode (None while the organizer has not entered it); else counted over ``eligible`` entries."""
    if not round_.prediction_question:
        return None
    mode = round_.prediction_answer.value
    if round_.finalized_at is not None or mode == "manual":
        return round_.prediction_actual
    counts = ranking.prediction_counts(eligible)
    return ranking.prediction_actual(mode, perfect_scores=counts.perfect_scores, participants=counts.participants,
                                     attempts=counts.attempts, manual=None)


def allocate_prizes(round_: Round, ranked: pd.DataFrame) -> pd.DataFrame:
    """The round's prizes for ``ranked`` (already without excluded entries): its tiers in order, its minimum
    score, and, when the contest gives at most one prize per contest, the winners of its other finalized rounds
    skipped."""
    tiers = [Tier(tier.id, tier.name, tier.count) for tier in round_.prize_tiers]
    return allocate(ranked, tiers, already_won_user_ids=earlier_winners(round_),
                    min_correct=round_.min_correct_for_prize)


def earlier_winners(round_: Round) -> list[int]:
    """Prize winners of the contest's other finalized rounds, when the contest gives one prize per contest."""
    if not round_.contest.one_prize_per_contest:
        return []
    return list(db.session.scalars(
        select(RoundResult.user_id).join(Round, Round.id == RoundResult.round_id)
        .where(Round.contest_id == round_.contest_id, Round.id != round_.id, Round.finalized_at.is_not(None),
               RoundResult.prize_name.is_not(None)).distinct()
    ))


def active_disqualifications(round_id: int) -> dict[int, str]:
    """user id → the judge's reason, for every disqualification in force in the round."""
    return dict(db.session.execute(
        select(Disqualification.user_id, Disqualification.reason)
        .where(Disqualification.round_id == round_id, Disqualification.lifted_at.is_(None))
    ).tuples().all())


def hidden_ids(people: pd.DataFrame) -> list[int]:
    return people.index[people["hidden"].to_numpy(dtype=bool)].tolist()


# --- loading, set-based -------------------------------------------------------------------------------------

def entry_criteria(round_id: int) -> list[ColumnElement[bool]]:
    """The finished, scored attempts of a round: the entries of its ranking."""
    return [Attempt.round_id == round_id, Attempt.status.in_(ENTRY_STATUSES), Attempt.correct_count.is_not(None),
            Attempt.duration_ms.is_not(None), Attempt.submitted_at.is_not(None)]


def load_entries(round_id: int, *criteria: ColumnElement[bool]) -> pd.DataFrame:
    """The round's entries (meeting ``criteria`` too) as the attempts frame ``quizapp.domain.ranking`` ranks:
    one query of integer columns straight through the driver (a million rows in one or two seconds)."""
    return integer_frame(
        select(Attempt.id, Attempt.user_id, Attempt.correct_count, Attempt.question_count, Attempt.duration_ms,
               _or_minus_one(Attempt.prediction), epoch_microseconds(Attempt.submitted_at))
        .where(*entry_criteria(round_id), *criteria),
        ("attempt_id", "user_id", "correct_count", "question_count", "duration_ms", "prediction", "submitted_at"),
        nullable=("prediction",))


def load_people(user_ids: Select[Any]) -> pd.DataFrame:
    """Name, contact, unit (code, name, path), category and hidden flag of the users ``user_ids`` selects,
    indexed by user id (one query for the people, one for the units)."""
    rows = driver_rows(select(User.id, User.full_name, User.phone, User.email, _or_minus_one(User.unit_id),
                              User.category, User.hidden).where(User.id.in_(user_ids)))
    table = np.array(rows, dtype=object) if rows else np.empty((0, 7), dtype=object)
    unit_ids = table[:, 4].astype(np.int64)
    people = pd.DataFrame({
        "full_name": table[:, 1], "phone": table[:, 2], "email": table[:, 3],
        "unit_id": pd.arrays.IntegerArray(unit_ids, unit_ids < 0),
        "category": table[:, 5], "hidden": table[:, 6].astype(bool),
    }, index=pd.Index(table[:, 0].astype(np.int64), name="user_id"))
    units = unit_table()
    position = units.index.get_indexer(unit_ids)
    for column in _UNIT_COLUMNS:
        values = np.append(units[column].to_numpy(dtype=object), None)  # position -1 reads the None
        people[column] = values[position]
    return people


def unit_table() -> pd.DataFrame:
    """Every unit's code, name and path ("Root › … › Unit"), indexed by id, from one query of the units."""
    rows = db.session.execute(select(Unit.id, Unit.code, Unit.name, Unit.parent_id)).all()
    parent_of = {row.id: row.parent_id for row in rows}
    name_of = {row.id: row.name for row in rows}
    paths: dict[int, str] = {}

    def path(unit_id: int) -> str:
        chain = []
        current: int | None = unit_id
        while current is not None and current not in paths:
            chain.append(current)
            current = parent_of.get(current)
        prefix = paths.get(current) if current is not None else None
        for node in reversed(chain):
            prefix = name_of[node] if prefix is None else prefix + UNIT_PATH_SEPARATOR + name_of[node]
            paths[node] = prefix
        return paths[unit_id]

    return pd.DataFrame({
        "unit_code": [row.code for row in rows], "unit_name": [row.name for row in rows],
        "unit_path": [path(row.id) for row in rows],
    }, index=pd.Index([row.id for row in rows], dtype=np.int64), dtype=object)


def epoch_microseconds(column: Any) -> ColumnElement[int]:
    """A time column as integer microseconds since the epoch, computed by the database: a million of them
    arrive as plain integers instead of a million datetime objects. Exact on both databases (SQLite keeps
    times as ``YYYY-MM-DD HH:MM:SS.ffffff`` text)."""
    if db.session.get_bind().dialect.name == "postgresql":
        return cast(func.round(extract("epoch", column) * 1_000_000), BigInteger)
    whole_seconds = cast(func.strftime("%s", column), BigInteger) * 1_000_000
    return whole_seconds + cast(func.substr(column, 21, 6), Integer)


def _or_minus_one(column: Any) -> ColumnElement[int]:
    """A nullable non-negative integer with NULL read as -1, so that the column arrives as plain integers."""
    return func.coalesce(column, -1)


def driver_rows(statement: Select[Any]) -> list[tuple[Any, ...]]:
    """The rows of ``statement`` as plain tuples from the driver's cursor, in the session's transaction.

    Building a result row object per row costs ten seconds for a million rows; the driver alone, one or two.
    The statement's values (ids, statuses) are written into the SQL as literals: they come from the code.
    """
    return [row for chunk in driver_chunks(statement) for row in chunk]


def driver_chunks(statement: Select[Any], size: int = 100_000) -> Iterator[list[tuple[Any, ...]]]:
    """:func:`driver_rows` in chunks of ``size`` rows, so that a million rows are never Python tuples at once."""
    db.session.flush()
    connection = db.session.connection()
    sql = str(statement.compile(dialect=connection.dialect, compile_kwargs={"literal_binds": True}))
    driver = connection.connection.driver_connection
    # PostgreSQL: values in binary, neither printed by the server nor parsed by the client
    cursor = driver.cursor(binary=True) if connection.dialect.name == "postgresql" else driver.cursor()
    try:
        cursor.execute(sql)
        while chunk := cursor.fetchmany(size):
            yield chunk
    finally:
        cursor.close()


def integer_frame(statement: Select[Any], names: tuple[str, ...], *, nullable: tuple[str, ...] = ()) -> pd.DataFrame:
    """A select of integer columns as a frame named ``names``: ``submitted_at`` from epoch microseconds to aware
    UTC times, the ``nullable`` columns (selected through :func:`_or_minus_one`) with -1 read as NA."""
    parts = [np.array(chunk, dtype=np.int64) for chunk in driver_chunks(statement)]
    matrix = np.concatenate(parts) if parts else np.zeros((0, len(names)), dtype=np.int64)
    frame = pd.DataFrame({name: matrix[:, i] for i, name in enumerate(names)})
    for name in nullable:
        values = frame[name].to_numpy()
        frame[name] = pd.arrays.IntegerArray(values, values < 0)
    frame["submitted_at"] = pd.to_datetime(frame["submitted_at"], unit="us", utc=True)
    return frame


# --- the frames the readers get -----------------------------------------------------------------------------

def ranked_frame(ranked: pd.DataFrame, people: pd.DataFrame) -> pd.DataFrame:
    """The ranked entries with their people, units and the criterion separating each from the row above."""
    frame = _with_people(ranked, people)
    frame["reason"] = separating_criteria(frame)
    return frame[list(FRAME_COLUMNS)]


def excluded_frame(best: pd.DataFrame, people: pd.DataFrame, notes: Mapping[int, str]) -> pd.DataFrame:
    """The best attempts set aside, with the reason: ``disqualified`` (and the judge's note) or ``hidden``."""
    frame = _with_people(best, people)
    users = frame["user_id"].to_numpy(dtype=np.int64)
    disqualified = np.isin(users, np.fromiter(notes, dtype=np.int64, count=len(notes)))
    frame["exclusion_reason"] = np.where(disqualified, "disqualified", "hidden").astype(object)
    frame["exclusion_note"] = np.array([notes.get(int(user)) for user in users], dtype=object)
    return frame[list(EXCLUDED_COLUMNS)]


def _with_people(entries: pd.DataFrame, people: pd.DataFrame) -> pd.DataFrame:
    """``entries`` with their person's name, contact, category and unit (None where unknown)."""
    frame = entries.reset_index(drop=True)
    if "prediction" not in frame.columns:
        frame["prediction"] = pd.array([None] * len(frame), dtype="Int64")
    if "prize_tier_id" in frame.columns:
        frame["prize_tier_id"] = frame["prize_tier_id"].astype("Int64")
    position = people.index.get_indexer(frame["user_id"].to_numpy(dtype=np.int64))
    for column in ("full_name", "phone", "email", "category", *_UNIT_COLUMNS):
        values = np.append(people[column].to_numpy(dtype=object), None)  # position -1 (unknown) reads None
        frame[column] = values[position]
    frame["unit_id"] = people["unit_id"].array.take(position, allow_fill=True)
    return frame


def separating_criteria(ranked: pd.DataFrame) -> np.ndarray:
    """For each ranked row, the criterion of rule 5 that put it below the row above (one of
    ``quizapp.domain.ranking.CRITERIA``; None for the first row): ``ranking.explain`` for every pair of
    neighbours at once, from the same sort keys."""
    reasons = np.full(len(ranked), None, dtype=object)
    if len(ranked) < 2:
        return reasons
    keys = ranking.sort_keys(ranked, ranked["prediction_gap"])
    undecided = np.ones(len(ranked) - 1, dtype=bool)
    below = reasons[1:]
    for criterion, key in zip(ranking.CRITERIA, keys, strict=True):
        differs = undecided & (key[1:] != key[:-1])
        below[differs] = criterion
        undecided &= ~differs
    return reasons
