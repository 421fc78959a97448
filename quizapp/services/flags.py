"""Entries worth a judge's look in one round: signals, never verdicts. A judge decides, with a reason.

Four kinds of flag, each found by ONE set-based query over the round's attempts:

- **fast**: a submitted attempt that took less than ``fast_seconds_per_question`` seconds per question drawn
  (default 2 s, ``QUIZAPP_FAST_SECONDS_PER_QUESTION``). Attempts the server closed at their deadline, or when
  an organizer ended the round, are not the participant's speed and are left out.
- **shared device**: one device id (the browser's, sent when an attempt starts) used by two or more accounts
  in the round. A family sharing a phone looks the same as one person with several accounts.
- **citizen-ID pattern**: two or more of the round's participants whose 12-digit citizen IDs agree on the first
  :data:`ID_PREFIX_DIGITS` digits and the last :data:`ID_SUFFIX_DIGITS` digits. The choice (all but the last
  two digits, that is IDs made up by counting up or by retyping one's own with new final digits): a citizen
  ID is province (3 digits), gender and century (1), birth year (2), then a 6-digit serial, so the first six
  digits alone are shared by thousands of genuine people of one province and year; the first six and the
  last two would still put about one in a hundred of them in a group. Agreeing on ten digits leaves about one
  chance in ten thousand for two genuine people of the same province, gender and birth year.
- **IP burst**: more than ``burst_attempts`` attempts started from one IP address within ``burst_minutes``
  minutes (defaults 10 in 10; ``QUIZAPP_IP_BURST_ATTEMPTS``, ``QUIZAPP_IP_BURST_MINUTES``). A school's
  computer room or a mobile carrier's shared address does this too: the accounts listed tell which it is.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, and_, distinct, exists, extract, func, select

from quizapp.extensions import db
from quizapp.models import Attempt, AttemptStatus, Disqualification, Round, User
from quizapp.models.types import UTCDateTime

ID_PREFIX_DIGITS = 10
ID_SUFFIX_DIGITS = 0
CITIZEN_ID_LENGTH = 12
MAX_FAST_LISTED = 500


@dataclass(frozen=True)
class FlagSettings:
    """Thresholds of the flags; :meth:`from_config` reads them from the app's configuration."""

    fast_seconds_per_question: float = 2.0
    burst_attempts: int = 10
    burst_minutes: int = 10

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> FlagSettings:
        return cls(
            fast_seconds_per_question=float(config.get("QUIZAPP_FAST_SECONDS_PER_QUESTION",
                                                       cls.fast_seconds_per_question)),
            burst_attempts=int(config.get("QUIZAPP_IP_BURST_ATTEMPTS", cls.burst_attempts)),
            burst_minutes=int(config.get("QUIZAPP_IP_BURST_MINUTES", cls.burst_minutes)),
        )


@dataclass(frozen=True)
class FastAttempt:
    attempt_id: int
    user_id: int
    full_name: str
    correct_count: int | None
    question_count: int
    duration_ms: int
    submitted_at: datetime | None
    disqualified: bool

    @property
    def seconds_per_question(self) -> float:
        return self.duration_ms / 1000 / self.question_count


@dataclass(frozen=True)
class FlaggedAccount:
    user_id: int
    full_name: str
    attempts: int
    disqualified: bool
    id_number: str | None = None


@dataclass(frozen=True)
class AccountGroup:
    """Accounts sharing something: a device id, or a citizen-ID pattern (``key``)."""

    key: str
    accounts: list[FlaggedAccount]


@dataclass(frozen=True)
class IpBurst:
    client_ip: str
    attempt_count: int
    first_started_at: datetime
    last_started_at: datetime
    accounts: list[FlaggedAccount]


@dataclass(frozen=True)
class RoundFlags:
    settings: FlagSettings
    fast: list[FastAttempt] = field(default_factory=list)
    shared_devices: list[AccountGroup] = field(default_factory=list)
    id_patterns: list[AccountGroup] = field(default_factory=list)
    ip_bursts: list[IpBurst] = field(default_factory=list)

    @property
    def total(self) -> int:
        return len(self.fast) + len(self.shared_devices) + len(self.id_patterns) + len(self.ip_bursts)


def round_flags(round_: Round, settings: FlagSettings | None = None) -> RoundFlags:
    """Every flag of the round (four queries in all), each list ordered for reading."""
    settings = settings or FlagSettings()
    return RoundFlags(
        settings=settings,
        fast=fast_attempts(round_, settings.fast_seconds_per_question),
        shared_devices=shared_devices(round_),
        id_patterns=citizen_id_patterns(round_),
        ip_bursts=ip_bursts(round_, attempts=settings.burst_attempts, minutes=settings.burst_minutes),
    )


def _disqualified(round_id: int) -> ColumnElement[bool]:
    """Whether the row's user is disqualified in the round right now (a correlated EXISTS)."""
    return exists().where(Disqualification.round_id == round_id, Disqualification.user_id == User.id,
                          Disqualification.lifted_at.is_(None))


def fast_attempts(round_: Round, seconds_per_question: float, *, limit: int = MAX_FAST_LISTED) -> list[FastAttempt]:
    """Submitted attempts faster than ``seconds_per_question`` per question, best scores first (one query)."""
    threshold_ms = int(round(seconds_per_question * 1000))
    rows = db.session.execute(
        select(Attempt.id, Attempt.user_id, User.full_name, Attempt.correct_count, Attempt.question_count,
               Attempt.duration_ms, Attempt.submitted_at, _disqualified(round_.id).label("disqualified"))
        .join(User, User.id == Attempt.user_id)
        .where(Attempt.round_id == round_.id, Attempt.status == AttemptStatus.SUBMITTED,
               Attempt.duration_ms.is_not(None), Attempt.question_count > 0,
               Attempt.duration_ms < Attempt.question_count * threshold_ms)
        .order_by(Attempt.correct_count.desc(), Attempt.duration_ms, Attempt.id)
        .limit(limit)
    ).all()
    return [FastAttempt(attempt_id=r.id, user_id=r.user_id, full_name=r.full_name, correct_count=r.correct_count,
                        question_count=r.question_count, duration_ms=r.duration_ms, submitted_at=r.submitted_at,
                        disqualified=bool(r.disqualified)) for r in rows]


def shared_devices(round_: Round) -> list[AccountGroup]:
    """Device ids used by two or more accounts in the round, with those accounts (one query)."""
    shared = (select(Attempt.device_id)
              .where(Attempt.round_id == round_.id, Attempt.device_id.is_not(None))
              .group_by(Attempt.device_id).having(func.count(distinct(Attempt.user_id)) > 1))
    rows = db.session.execute(
        select(Attempt.device_id.label("key"), User.id.label("user_id"), User.full_name,
               func.count(Attempt.id).label("attempts"), _disqualified(round_.id).label("disqualified"))
        .join(User, User.id == Attempt.user_id)
        .where(Attempt.round_id == round_.id, Attempt.device_id.in_(shared))
        .group_by(Attempt.device_id, User.id, User.full_name)
        .order_by(Attempt.device_id, User.id)
    ).all()
    return _groups(rows)


def id_pattern(column: Any) -> ColumnElement[str]:
    """The part of a citizen ID that :data:`ID_PREFIX_DIGITS` and :data:`ID_SUFFIX_DIGITS` compare, in SQL."""
    key = func.substr(column, 1, ID_PREFIX_DIGITS)
    if ID_SUFFIX_DIGITS:
        suffix = func.substr(column, CITIZEN_ID_LENGTH - ID_SUFFIX_DIGITS + 1, ID_SUFFIX_DIGITS)
        key = key + "…" + suffix
    return key


def citizen_id_patterns(round_: Round) -> list[AccountGroup]:
    """Groups of two or more of the round's participants whose citizen IDs share the pattern (one query)."""
    participants = select(Attempt.user_id).where(Attempt.round_id == round_.id)
    key = id_pattern(User.id_number)
    well_formed = and_(User.id_number.is_not(None), func.length(User.id_number) == CITIZEN_ID_LENGTH)
    patterns = (select(key).where(User.id.in_(participants), well_formed)
                .group_by(key).having(func.count(User.id) > 1))
    attempts = (select(func.count(Attempt.id)).where(Attempt.round_id == round_.id, Attempt.user_id == User.id)
                .scalar_subquery())
    rows = db.session.execute(
        select(key.label("key"), User.id.label("user_id"), User.full_name, attempts.label("attempts"),
               _disqualified(round_.id).label("disqualified"), User.id_number)
        .where(User.id.in_(participants), well_formed, key.in_(patterns))
        .order_by(key, User.id_number, User.id)
    ).all()
    return _groups(rows)


def _groups(rows: Iterable[Any]) -> list[AccountGroup]:
    """Rows ordered by ``key`` folded into one group per key."""
    groups: dict[str, list[FlaggedAccount]] = {}
    for row in rows:
        groups.setdefault(row.key, []).append(FlaggedAccount(
            user_id=row.user_id, full_name=row.full_name, attempts=int(row.attempts),
            disqualified=bool(row.disqualified), id_number=getattr(row, "id_number", None)))
    return [AccountGroup(key=key, accounts=accounts) for key, accounts in groups.items()]


def _millis_between(later: Any, earlier: Any) -> ColumnElement[float]:
    """``later − earlier`` in milliseconds, in SQL (SQLite keeps times as text, read by julianday())."""
    if db.session.get_bind().dialect.name == "postgresql":
        return extract("epoch", later - earlier) * 1000
    return (func.julianday(later) - func.julianday(earlier)) * 86_400_000


def ip_bursts(round_: Round, *, attempts: int, minutes: int) -> list[IpBurst]:
    """IP addresses from which more than ``attempts`` attempts started within ``minutes`` minutes (one query).

    A window function finds every attempt whose ``attempts``-th successor from the same address started less
    than ``minutes`` later; each such run, and every attempt inside it, belongs to a burst. Addresses are
    listed with the most attempts in bursts first.
    """
    ordered = select(
        Attempt.client_ip.label("client_ip"), Attempt.started_at.label("window_start"),
        func.lead(Attempt.started_at, attempts, type_=UTCDateTime()).over(partition_by=Attempt.client_ip,
                                                     order_by=(Attempt.started_at, Attempt.id)).label("window_end"),
    ).where(Attempt.round_id == round_.id, Attempt.client_ip.is_not(None)).subquery()
    windows = (select(ordered.c.client_ip, ordered.c.window_start, ordered.c.window_end)
               .where(ordered.c.window_end.is_not(None),
                      _millis_between(ordered.c.window_end, ordered.c.window_start) < minutes * 60_000)
               .subquery())
    rows = db.session.execute(
        select(Attempt.id, Attempt.client_ip, Attempt.started_at, User.id.label("user_id"), User.full_name,
               _disqualified(round_.id).label("disqualified"))
        .join(User, User.id == Attempt.user_id)
        .join(windows, and_(windows.c.client_ip == Attempt.client_ip,
                            Attempt.started_at >= windows.c.window_start,
                            Attempt.started_at <= windows.c.window_end))
        .where(Attempt.round_id == round_.id)
        .distinct()
        .order_by(Attempt.client_ip, Attempt.started_at, Attempt.id)
    ).all()
    return _bursts(rows)


def _bursts(rows: Iterable[Any]) -> list[IpBurst]:
    by_ip: dict[str, list[Any]] = {}
    for row in rows:
        by_ip.setdefault(row.client_ip, []).append(row)
    bursts = []
    for ip, found in by_ip.items():
        per_user: dict[int, list[Any]] = {}
        for row in found:
            per_user.setdefault(row.user_id, []).append(row)
        accounts = [FlaggedAccount(user_id=user_id, full_name=items[0].full_name, attempts=len(items),
                                   disqualified=bool(items[0].disqualified))
                    for user_id, items in sorted(per_user.items(), key=lambda item: (-len(item[1]), item[0]))]
        bursts.append(IpBurst(client_ip=ip, attempt_count=len(found), first_started_at=found[0].started_at,
                              last_started_at=found[-1].started_at, accounts=accounts))
    return sorted(bursts, key=lambda burst: (-burst.attempt_count, burst.client_ip))
