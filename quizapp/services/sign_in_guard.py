"""Password guessing stopped per account: a growing wait after repeated failed sign-ins with one login.

The count is kept per login as typed (any spelling of one phone is one login), whether or not an account has it
(so the waits do not tell which accounts exist), in the app's cache: Redis when ``REDIS_URL`` is set, shared by
every worker, else in-process. Every sign-in path (the sign-in page, ``POST /api/v1/auth/token``) goes through
``services.accounts.check_credentials``, which asks here first: a login that must wait is refused before its
password is even checked, from whatever address the try comes. The per-address limits stay generous (a hall of
people shares one address); this is what stops guessing.
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask import current_app

from quizapp.domain.phones import normalise_phone
from quizapp.domain.text import clean
from quizapp.extensions import cache

_PREFIX = "sign-in-failures:"
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class SignInDelayed(Exception):
    """Too many failed sign-ins with this login: the next try is taken after ``retry_after`` seconds."""

    retry_after: int


@dataclass(frozen=True, slots=True)
class BackoffRule:
    """After ``free`` failures in a row the login waits ``base`` seconds, doubled at each further failure, at
    most ``cap``."""

    free: int
    base: int
    cap: int

    def wait_after(self, failures: int) -> int:
        """Seconds to wait after the ``failures``-th failure in a row: 0 while ``failures < free``; then
        base, 2·base, 4·base… up to ``cap`` (5 free, 15 s, cap 300: 15, 30, 60, 120, 240, 300, 300…)."""
        if failures < self.free:
            return 0
        return min(self.cap, self.base * 2 ** min(failures - self.free, 30))


def _rule() -> BackoffRule:
    config = current_app.config
    return BackoffRule(free=config["QUIZAPP_SIGNIN_FREE_FAILURES"], base=config["QUIZAPP_SIGNIN_BASE_DELAY"],
                       cap=config["QUIZAPP_SIGNIN_MAX_DELAY"])


def login_key(login: str | None) -> str:
    """The counter's key for a login: a phone in its stored form, an e-mail in lower case."""
    text = clean(login)[:254]
    return _PREFIX + (normalise_phone(text) or text.lower())


def check(login: str | None, *, now: datetime) -> dict[str, Any] | None:
    """Raise :class:`SignInDelayed` when ``login`` must still wait; else return its failure record (None when it
    has none), to hand back to :func:`failed` or :func:`succeeded`. One cache read.

    The cache out of reach (Redis restarted) does not stop anybody signing in: the counts are skipped, and said
    in the log, until it is back."""
    try:
        record = cache.get(login_key(login))
    except Exception:  # noqa: BLE001 - whatever the cache's client raises
        log.warning("sign-in failure counts unavailable (cache unreachable)", exc_info=True)
        return None
    if not isinstance(record, dict):
        return None
    left = record.get("until", 0) - now.timestamp()
    if left > 0:
        raise SignInDelayed(retry_after=max(1, math.ceil(left)))
    return record


def failed(login: str | None, record: dict[str, Any] | None, *, now: datetime) -> None:
    """Count a failed sign-in with ``login``; from the ``free``-th on, the login waits (``BackoffRule``)."""
    failures = (record or {}).get("failures", 0) + 1
    wait = _rule().wait_after(failures)
    forget_after = max(current_app.config["QUIZAPP_SIGNIN_FORGET_AFTER"], wait + 1)
    try:
        cache.set(login_key(login), {"failures": failures, "until": now.timestamp() + wait}, timeout=forget_after)
    except Exception:  # noqa: BLE001
        log.warning("sign-in failure not counted (cache unreachable)", exc_info=True)


def succeeded(login: str | None, record: dict[str, Any] | None) -> None:
    """A successful sign-in forgets the login's failures."""
    if record is not None:
        try:
            cache.delete(login_key(login))
        except Exception:  # noqa: BLE001
            log.warning("sign-in failures not forgotten (cache unreachable)", exc_info=True)
