"""A round's dashboard counters, added up from the attempts table by an id watermark.

Why counters and not a query per page view: on the benchmark round (1,000,000 attempts, 400,000 participants;
bench/README.md) one aggregate of the round's entries by unit takes ~1 s on PostgreSQL, and a dashboard needs
several (by unit, by hour, by score, the distinct people), so every page view would scan the attempts for seconds.
A materialised view refreshed on a schedule would scan them all at every refresh and lag behind; a counter updated
by the submit would put work on the attempt path, which is the hot one and not ours.

So the counters of a round (``round_unit_figures``, ``round_hour_figures``, ``round_score_figures``) hold every
attempt with ``id <= round_summaries.counted_through``, and :func:`refresh_round` moves that watermark forward:

- up to the attempt before the round's oldest attempt still in progress (ids grow with the start, and an attempt
  changes no more once finished), and only over attempts started at least :data:`SETTLE_SECONDS` ago (an attempt
  whose start is not committed yet cannot hide below the watermark);
- adding what lies between the old and the new watermark: one range of the primary key, the new attempts only;
- people are counted once: a participant is new in the range when no counted attempt of theirs lies below the
  old watermark (the ``(round_id, user_id, number)`` index answers that per person).

Attempts above the watermark (those of the last minute, and any since the oldest attempt still in progress: about
the round's time limit in a busy round) are added at each page view from the same range query (``figures.py``), so
the figures are live. What counts is what counts for the collectives (``collectives.counted_entries``: finished,
no hidden account, no disqualified entry, within the contest's audience). A change to the past (a
disqualification, a regrade, an account hidden, a unit or category changed, the audience edited) reaches the
counters at the next full rebuild
(``quizapp dashboard refresh --full``, e.g. nightly); ``quizapp dashboard refresh`` (every minute from cron, like
``attempts sweep``) and any page view older than ``QUIZAPP_DASHBOARD_REFRESH_SECONDS`` move the watermark.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from sqlalchemy import ColumnElement, Integer, cast, delete, distinct, func, select, tuple_, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import aliased

from quizapp.extensions import db
from quizapp.models import Attempt, Round, RoundHourFigure, RoundScoreFigure, RoundSummary, RoundUnitFigure, User
from quizapp.models.attempts import in_progress
from quizapp.models.summaries import NO_CATEGORY, NO_UNIT
from quizapp.services.collectives import counted_entries
from quizapp.services.standings import ENTRY_STATUSES

#: An attempt started this long ago has its start committed (a start is one short transaction).
SETTLE_SECONDS = 60


@dataclass
class Counts:
    """Counters of a range of attempts: by (unit, category) entries and new people, by (hour, category) and by
    (correct count, category) entries."""

    unit_entries: Counter[tuple[int, str]] = field(default_factory=Counter)
    unit_people: Counter[tuple[int, str]] = field(default_factory=Counter)
    hours: Counter[tuple[int, str]] = field(default_factory=Counter)
    scores: Counter[tuple[int, str]] = field(default_factory=Counter)

    def add(self, other: Counts) -> None:
        for mine, theirs in ((self.unit_entries, other.unit_entries), (self.unit_people, other.unit_people),
                             (self.hours, other.hours), (self.scores, other.scores)):
            mine.update(theirs)


def hour_sql(moment: ColumnElement[datetime]) -> ColumnElement[int]:
    """Hours since 1970-01-01 UTC of a moment stored on SQLite (as text)."""
    return cast(func.strftime("%s", moment), Integer).op("/", return_type=Integer)(3600)  # integer division


def range_counts(round_: Round, after: int, through: int | None, category: str | None = None) -> Counts:
    """The counters of the counted attempts of ``round_`` with ``after < id <= through`` (no upper bound when
    None), of people of ``category`` only when given: entries by (unit, category), by (hour, correct count,
    category) and the people whose first counted attempt lies in the range. One pass over the range of the
    primary key on PostgreSQL (grouping sets), two on SQLite."""
    unit = func.coalesce(User.unit_id, NO_UNIT)
    group = func.coalesce(User.category, NO_CATEGORY)
    where = [*counted_entries(round_.contest, round_), Attempt.id > after]
    if through is not None:
        where.append(Attempt.id <= through)
    if category is not None:
        where.append(group == category)
    people = func.count(distinct(Attempt.user_id))
    if after > 0:  # new: no counted attempt below the old watermark
        earlier = aliased(Attempt)
        people = people.filter(~select(earlier.id).where(
            earlier.round_id == Attempt.round_id, earlier.user_id == Attempt.user_id, earlier.id <= after,
            earlier.status.in_(ENTRY_STATUSES), earlier.correct_count.is_not(None)).exists())
    base = select().select_from(Attempt).join(User, User.id == Attempt.user_id).where(*where)
    counts = Counts()
    if db.session.get_bind().dialect.name == "postgresql":
        hour = func.date_trunc("hour", func.timezone("UTC", Attempt.submitted_at))
        rows = db.session.execute(base.add_columns(
            func.grouping(unit), unit, group, hour, Attempt.correct_count, func.count(), people,
        ).group_by(func.grouping_sets(tuple_(unit, group), tuple_(hour, Attempt.correct_count, group))))
        for by_hour, unit_id, cat, moment, correct, entries, new_people in rows:
            if by_hour:
                key = int(moment.replace(tzinfo=UTC).timestamp()) // 3600
                counts.hours[(key, cat)] += entries
                counts.scores[(correct, cat)] += entries
            else:
                counts.unit_entries[(unit_id, cat)] = entries
                counts.unit_people[(unit_id, cat)] = new_people
        return counts
    for unit_id, cat, entries, new_people in db.session.execute(
            base.add_columns(unit, group, func.count(), people).group_by(unit, group)):
        counts.unit_entries[(unit_id, cat)] = entries
        counts.unit_people[(unit_id, cat)] = new_people
    hour = hour_sql(Attempt.submitted_at)
    for h, correct, cat, entries in db.session.execute(
            base.add_columns(hour, Attempt.correct_count, group, func.count()).group_by(hour, Attempt.correct_count,
                                                                                        group)):
        counts.hours[(int(h), cat)] += entries
        counts.scores[(correct, cat)] += entries
    return counts


def settled_through(round_: Round, after: int, now: datetime) -> int:
    """The highest attempt id up to which every attempt of ``round_`` is finished and its start committed (see
    the module's docstring); ``after`` when there is nothing new."""
    oldest_open = db.session.scalar(select(func.min(Attempt.id)).where(
        Attempt.round_id == round_.id, in_progress(Attempt.status)))
    newest_settled = db.session.scalar(select(func.max(Attempt.id)).where(
        Attempt.round_id == round_.id, Attempt.id > after,
        Attempt.started_at < now - timedelta(seconds=SETTLE_SECONDS)))
    bound = newest_settled if newest_settled is not None else after
    if oldest_open is not None:
        bound = min(bound, oldest_open - 1)
    return max(bound, after)


def refresh_round(round_: Round, *, now: datetime, full: bool = False) -> RoundSummary:
    """Move ``round_``'s watermark forward and add the attempts passed to its counters (everything again from
    nothing when ``full``). Safe when two run at once: the watermark is claimed by a conditional update, and only
    the one that moved it adds the range. Flushes, never commits."""
    summary = db.session.get(RoundSummary, round_.id)
    if summary is None or full:
        for table in (RoundUnitFigure, RoundHourFigure, RoundScoreFigure, RoundSummary):
            db.session.execute(delete(table).where(table.round_id == round_.id))
        # another request may be creating it at the same moment: then theirs is kept (and counts the range)
        db.session.execute(_insert(RoundSummary.__table__).values(
            round_id=round_.id, counted_through=0, refreshed_at=now, rebuilt_at=now).on_conflict_do_nothing())
        summary = db.session.get(RoundSummary, round_.id, populate_existing=True)
    after = summary.counted_through
    through = settled_through(round_, after, now)
    claimed = db.session.execute(
        update(RoundSummary).where(RoundSummary.round_id == round_.id, RoundSummary.counted_through == after)
        .values(counted_through=through, refreshed_at=now).execution_options(synchronize_session=False)).rowcount
    if claimed == 1 and through > after:
        _add(round_.id, range_counts(round_, after, through))
    db.session.flush()
    db.session.refresh(summary)
    return summary


def _add(round_id: int, counts: Counts) -> None:
    """Add ``counts`` to the stored counters (an insert that adds to the row already there)."""
    units: dict[tuple[int, str], dict[str, int]] = {}
    for key in counts.unit_entries.keys() | counts.unit_people.keys():
        units[key] = {"entries": counts.unit_entries[key], "participants": counts.unit_people[key]}
    _upsert(RoundUnitFigure, [{"round_id": round_id, "unit_id": u, "category": c, **v}
                              for (u, c), v in units.items()], ("entries", "participants"))
    _upsert(RoundHourFigure, [{"round_id": round_id, "hour": h, "category": c, "entries": n}
                              for (h, c), n in counts.hours.items()], ("entries",))
    _upsert(RoundScoreFigure, [{"round_id": round_id, "correct_count": s, "category": c, "entries": n}
                               for (s, c), n in counts.scores.items()], ("entries",))


def _upsert(model, rows: list[dict], summed: tuple[str, ...]) -> None:
    if not rows:
        return
    table = model.__table__
    statement = _insert(table)
    keys = [column.name for column in table.primary_key.columns]
    statement = statement.on_conflict_do_update(
        index_elements=keys, set_={name: table.c[name] + statement.excluded[name] for name in summed})
    for start in range(0, len(rows), 5000):
        db.session.execute(statement, rows[start:start + 5000])


def _insert(table):
    """INSERT with ON CONFLICT, in the database's dialect."""
    dialect = db.session.get_bind().dialect.name
    return (postgresql.insert if dialect == "postgresql" else sqlite.insert)(table)
