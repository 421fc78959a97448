"""The results announcement ("THÔNG BÁO KẾT QUẢ") of a contest: its figures, each round's winners by prize tier
and the collectives ranked with their prizes, from the same standings as every other screen.

What is shown:

- the rounds: every round of the contest, or the one asked for; a round not finalized yet is listed without
  winners (the public announcement exists only when every round shown is finalized, see
  :attr:`Announcement.complete`);
- the figures, over the rounds shown: ``entries`` = finished attempts (submitted, or closed at their deadline) of
  accounts that are not hidden; ``participants`` = distinct people among them; ``units`` = units at the contest's
  collective level with at least one participant counted in the collective ranking;
- the collectives: the contest's collective ranking at its level (over the whole contest, or the one round
  shown): every unit that won a prize and the first :data:`TOP_COLLECTIVES` units;
- the date: when the last round shown was finalized;
- personal data: in the public version a winner's name is masked (``quizapp.domain.masking``, rule 11) and no
  contact is given; the judges' version has the full name and phone, and what a judge needs to verify a winner
  before the prize is given (category, birth date, citizen ID);
- the letterhead (``services.letterheads``): issuing body, number, motto, place and date, recipients and signer,
  printed in the form of a party or state notice. The document is a draft (printed with a watermark) until every
  round shown is finalized; a round not finalized takes no place in it.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pandas as pd
from sqlalchemy import distinct, func, select

from quizapp.domain.letterhead import Letterhead
from quizapp.domain.masking import mask_name
from quizapp.extensions import db
from quizapp.models import Attempt, Contest, Round, User
from quizapp.services.collectives import collective_standings
from quizapp.services.letterheads import letterhead_for_print
from quizapp.services.standings import ENTRY_STATUSES, round_standings

TOP_COLLECTIVES = 10
VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")


@dataclass(frozen=True)
class ContestFigures:
    entries: int
    participants: int
    units: int


@dataclass(frozen=True)
class Winner:
    rank: int
    user_id: int
    name: str
    phone: str | None
    unit_name: str | None
    unit_path: str | None
    correct_count: int
    question_count: int
    duration_ms: int
    category: str | None = None
    birth_date: date | None = None  # the judges' version only
    id_number: str | None = None  # the judges' version only


@dataclass(frozen=True)
class TierWinners:
    name: str
    winners: list[Winner]


@dataclass(frozen=True)
class RoundAnnouncement:
    round: Round
    finalized: bool
    tiers: list[TierWinners]
    prediction_actual: int | None


@dataclass(frozen=True)
class CollectiveLine:
    rank: int
    code: str
    name: str
    participants: int
    attempts: int
    participation_rate: float
    average_score: float
    prize_name: str | None


@dataclass(frozen=True)
class Announcement:
    contest: Contest
    public: bool
    rounds: list[RoundAnnouncement]
    figures: ContestFigures
    collectives: list[CollectiveLine]
    collective_scope: Round | None
    announced_at: datetime | None
    letterhead: Letterhead

    @property
    def complete(self) -> bool:
        """Every round shown is finalized: only then may the public see it; before, it prints as a draft."""
        return bool(self.rounds) and all(r.finalized for r in self.rounds)

    @property
    def finalized_rounds(self) -> list[RoundAnnouncement]:
        """The rounds the document shows: a round not finalized takes no place in it."""
        return [r for r in self.rounds if r.finalized]

    @property
    def pending_rounds(self) -> list[Round]:
        return [r.round for r in self.rounds if not r.finalized]


def rounds_shown(contest: Contest, round_id: int | None) -> list[Round] | None:
    """The contest's rounds, or only round ``round_id`` (None when it is not one of them)."""
    if round_id is None:
        return list(contest.rounds)
    chosen = [r for r in contest.rounds if r.id == round_id]
    return chosen or None


def is_public(rounds: list[Round]) -> bool:
    """Whether the announcement of ``rounds`` may be shown to the public: all of them finalized."""
    return bool(rounds) and all(r.finalized_at is not None for r in rounds)


def build_announcement(contest: Contest, rounds: list[Round], *, public: bool, now: datetime) -> Announcement:
    """The announcement of ``rounds`` of ``contest``; ``public`` masks names and leaves out contacts."""
    scope = rounds[0] if len(rounds) == 1 and len(contest.rounds) > 1 else None
    collectives = collective_standings(contest, level=contest.collective_level, round_=scope, now=now)
    finalized = [r.finalized_at for r in rounds if r.finalized_at is not None]
    announced_at = max(finalized) if finalized else None
    shown = [_round_announcement(r, public=public, now=now) for r in rounds]
    if not public:
        shown = _with_verification_data(shown)
    return Announcement(
        contest=contest, public=public, rounds=shown, figures=contest_figures([r.id for r in rounds], collectives),
        collectives=_collective_lines(collectives), collective_scope=scope, announced_at=announced_at,
        letterhead=letterhead_for_print(contest.id, announced_on=(announced_at or now).astimezone(VIETNAM).date()))


def _with_verification_data(rounds: list[RoundAnnouncement]) -> list[RoundAnnouncement]:
    """The winners with their birth date and citizen ID (one query for every round), for the judges' version."""
    ids = {w.user_id for r in rounds for t in r.tiers for w in t.winners}
    if not ids:
        return rounds
    found = {row.id: row for row in db.session.execute(
        select(User.id, User.birth_date, User.id_number).where(User.id.in_(ids)))}
    return [replace(r, tiers=[replace(t, winners=[
        replace(w, birth_date=found[w.user_id].birth_date, id_number=found[w.user_id].id_number)
        if w.user_id in found else w for w in t.winners]) for t in r.tiers]) for r in rounds]


def contest_figures(round_ids: list[int], collectives: pd.DataFrame) -> ContestFigures:
    """Entries and participants over ``round_ids`` (one query); units taking part from the collective ranking."""
    row = db.session.execute(
        select(func.count(Attempt.id), func.count(distinct(Attempt.user_id)))
        .join(User, User.id == Attempt.user_id)
        .where(Attempt.round_id.in_(round_ids), Attempt.status.in_(ENTRY_STATUSES), User.hidden.is_(False))
    ).one()
    units = int((collectives["participants"] > 0).sum()) if len(collectives) else 0
    return ContestFigures(entries=int(row[0]), participants=int(row[1]), units=units)


def _round_announcement(round_: Round, *, public: bool, now: datetime) -> RoundAnnouncement:
    if round_.finalized_at is None:
        return RoundAnnouncement(round=round_, finalized=False, tiers=[], prediction_actual=None)
    standings = round_standings(round_, now=now)
    winners = standings.winners
    tiers = []
    for tier in round_.prize_tiers:
        rows = winners[(winners["prize_tier_id"] == tier.id).fillna(False).to_numpy(dtype=bool)]
        tiers.append(TierWinners(name=tier.name, winners=[
            Winner(rank=int(row.rank), user_id=int(row.user_id),
                   name=mask_name(row.full_name) if public else row.full_name,
                   phone=None if public else row.phone, unit_name=row.unit_name, unit_path=row.unit_path,
                   correct_count=int(row.correct_count), question_count=int(row.question_count),
                   duration_ms=int(row.duration_ms),
                   category=None if public or not isinstance(row.category, str) else row.category)
            for row in rows.itertuples(index=False)
        ]))
    return RoundAnnouncement(round=round_, finalized=True, tiers=tiers, prediction_actual=standings.prediction_actual)


def _collective_lines(frame: pd.DataFrame) -> list[CollectiveLine]:
    shown = frame[frame["prize_name"].notna() | (frame["rank"] <= TOP_COLLECTIVES)]
    return [CollectiveLine(rank=int(row.rank), code=row.code, name=row.name, participants=int(row.participants),
                           attempts=int(row.attempts), participation_rate=float(row.participation_rate),
                           average_score=float(row.average_score),
                           prize_name=row.prize_name if isinstance(row.prize_name, str) else None)
            for row in shown.itertuples(index=False)]
