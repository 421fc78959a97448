"""Staff and participant accounts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, or_

from quizapp.auth import check_password, hash_password
from quizapp.domain.phones import normalise_phone
from quizapp.domain.registration import EMAIL, MIN_PASSWORD
from quizapp.domain.text import clean, fold
from quizapp.extensions import db
from quizapp.models import Role, User
from quizapp.services import audit


@dataclass(frozen=True)
class AccountError(Exception):
    """A typed refusal; ``code`` is turned into words at the edge."""

    code: str
    field: str | None = None


def normalise_email(email: str | None) -> str | None:
    value = clean(email).lower()
    return value or None


def create_staff(*, role: Role, email: str, password: str, full_name: str | None, actor: User | None,
                 now: datetime) -> User:
    """Create an admin, organizer or judge account. Refuses a malformed or taken email, and a password shorter than
    a participant's may be (``MIN_PASSWORD``)."""
    address = normalise_email(email)
    if not address or not EMAIL.fullmatch(address):
        raise AccountError("invalid_email", "email")
    if len(password) < MIN_PASSWORD:
        raise AccountError("password_too_short", "password")
    taken = db.session.scalar(db.select(func.count()).select_from(User).where(User.email == address))
    if taken:
        raise AccountError("email_taken", "email")
    name = clean(full_name) or address.split("@")[0]
    user = User(role=role, email=address, full_name=name, name_key=fold(name),
                password_hash=hash_password(password), created_at=now)
    db.session.add(user)
    db.session.flush()
    audit.record(actor=actor, action="user.create", object_type="user", object_id=user.id, now=now,
                 details={"role": role.value})
    return user


def authenticate(login: str, password: str, *, now: datetime) -> User | None:
    """The active user whose email or phone (in any usual form) is ``login`` and whose password matches."""
    login = clean(login)
    if not login or not password:
        return None
    matches = [User.email == login.lower()]
    phone = normalise_phone(login)
    if phone:
        matches.append(User.phone == phone)
    user = db.session.scalar(db.select(User).where(or_(*matches)).limit(1))
    if not check_password(user, password) or user is None or not user.is_active:
        return None
    user.last_login_at = now
    return user
