"""Forgotten passwords: a signed link, mailed to the account's own address, that sets a new password once.

The link holds no secret of its own and needs no table: it is signed with the app's secret key and names the
account, the moment it was made, the account's ``token_version`` and a keyed fingerprint of its password hash.
Setting a password through it bumps ``token_version`` (which also signs out every session and revokes every API
token) and changes the hash, so the link stops working once used, and so does every older link; it expires
``max_age`` seconds after it was made.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from datetime import datetime

from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import or_, select, update

from quizapp.auth import hash_password
from quizapp.domain.phones import normalise_phone
from quizapp.domain.registration import MIN_PASSWORD
from quizapp.domain.text import clean
from quizapp.extensions import db
from quizapp.models import User
from quizapp.services import audit

_SALT = "quizapp.password-reset"
#: a link dated this far in the future (clocks of two servers) is still taken as made now
_CLOCK_SKEW_SECONDS = 60


@dataclass(frozen=True)
class ResetError(Exception):
    """A refused reset: ``invalid`` (not a link of this site), ``expired``, ``used`` (the password has changed
    since the link was made), ``password_too_short``. Turned into words at the edge."""

    code: str


@dataclass(frozen=True, slots=True)
class ResetLink:
    """What to mail: the token for the link, to the account's address."""

    user_id: int
    email: str
    full_name: str
    token: str


def _serializer(secret: str) -> URLSafeSerializer:
    return URLSafeSerializer(secret, salt=_SALT)


def _fingerprint(secret: str, password_hash: str) -> str:
    """A keyed digest of the password hash: it changes with the password, and tells nothing about it."""
    return hmac.new(secret.encode(), password_hash.encode(), hashlib.sha256).hexdigest()[:20]


def make_token(user: User, *, secret: str, now: datetime) -> str:
    return _serializer(secret).dumps({"u": user.id, "v": user.token_version,
                                      "h": _fingerprint(secret, user.password_hash), "t": int(now.timestamp())})


def request_reset(login: str, *, secret: str, now: datetime) -> ResetLink | None:
    """The link to mail for the active account whose email or phone (in any usual form) is ``login``, when that
    account has an email address; None when there is no such account or it has no address. The caller answers
    the same either way, so that the page does not tell which accounts exist."""
    login = clean(login)
    if not login:
        return None
    conditions = [User.email == login.lower()]
    phone = normalise_phone(login)
    if phone:
        conditions.append(User.phone == phone)
    user = db.session.scalar(select(User).where(or_(*conditions), User.active.is_(True), User.erased_at.is_(None))
                             .limit(1))
    if user is None or not user.email:
        return None
    return ResetLink(user_id=user.id, email=user.email, full_name=user.full_name,
                     token=make_token(user, secret=secret, now=now))


def account_for_token(token: str, *, secret: str, now: datetime, max_age: int) -> User:
    """The account a reset link was made for, while the link is still good; ``ResetError`` otherwise."""
    try:
        claim = _serializer(secret).loads(token)
    except BadSignature:
        raise ResetError("invalid") from None
    if not isinstance(claim, dict) or not all(type(claim.get(key)) is int for key in ("u", "v", "t")) \
            or not isinstance(claim.get("h"), str):
        raise ResetError("invalid")
    age = now.timestamp() - claim["t"]
    if age < -_CLOCK_SKEW_SECONDS:
        raise ResetError("invalid")
    if age > max_age:
        raise ResetError("expired")
    user = db.session.get(User, claim["u"])
    if user is None or not user.is_active:
        raise ResetError("invalid")
    if user.token_version != claim["v"] or not hmac.compare_digest(_fingerprint(secret, user.password_hash),
                                                                    claim["h"]):
        raise ResetError("used")
    return user


def reset_password(token: str, new_password: str, *, secret: str, now: datetime, max_age: int) -> User:
    """Set the password of the link's account: the old password stops working, and so do the account's sessions,
    API tokens and reset links. Of two uses of one link at the same moment only one succeeds (the change is
    conditional on the version the link names); the other is ``used``. Recorded in the audit log."""
    user = account_for_token(token, secret=secret, now=now, max_age=max_age)
    if len(new_password) < MIN_PASSWORD:
        raise ResetError("password_too_short")
    changed = db.session.execute(
        update(User).where(User.id == user.id, User.token_version == user.token_version,
                           User.password_hash == user.password_hash)
        .values(password_hash=hash_password(new_password), token_version=User.token_version + 1)
        .execution_options(synchronize_session=False))
    if changed.rowcount != 1:
        raise ResetError("used")
    db.session.refresh(user)
    audit.record(actor=user, action="user.reset_password", object_type="user", object_id=user.id, now=now)
    return user
