"""Staff and participant accounts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import bindparam, func, or_, select, update

from quizapp.auth import check_password, hash_password
from quizapp.domain.phones import normalise_phone
from quizapp.domain.registration import EMAIL, MIN_PASSWORD
from quizapp.domain.text import clean, fold, name_problem
from quizapp.extensions import db
from quizapp.models import Role, Unit, User
from quizapp.services import audit, sign_in_guard


@dataclass(frozen=True)
class AccountError(Exception):
    """A typed refusal; ``code`` is turned into words at the edge."""

    code: str
    field: str | None = None


def normalise_email(email: str | None) -> str | None:
    value = clean(email).lower()
    return value or None


#: Staff roles that may be scoped to a unit (``services.scopes``): they then work in its subtree only. Admins
#: never are (they manage everybody); a unit officer always is.
SCOPABLE_ROLES = frozenset({Role.ORGANIZER, Role.JUDGE, Role.UNIT_OFFICER})
SCOPE_REQUIRED_ROLES = frozenset({Role.UNIT_OFFICER})


def staff_scope(role: Role, unit_code: str | None) -> tuple[int, str] | None:
    """The scope (unit id, code) a new staff account of ``role`` gets from ``unit_code`` (empty: none). Refuses,
    with field ``unit``: ``unit_not_for_role`` (an admin, or any role that is never scoped, given a unit),
    ``unit_required`` (a unit officer without one), ``unknown_unit``."""
    code = clean(unit_code)
    if not code:
        if role in SCOPE_REQUIRED_ROLES:
            raise AccountError("unit_required", "unit")
        return None
    if role not in SCOPABLE_ROLES:
        raise AccountError("unit_not_for_role", "unit")
    unit_id = db.session.scalar(select(Unit.id).where(Unit.code == code)) if len(code) <= 50 else None
    if unit_id is None:
        raise AccountError("unknown_unit", "unit")
    return unit_id, code


def create_scoped_staff(*, role: Role, unit_code: str | None, email: str, password: str, full_name: str | None,
                        actor: User | None, now: datetime) -> User:
    """Create a staff account of ``role``, scoped to the unit ``unit_code`` when given (``staff_scope`` says
    who may be, and must be); the other checks are :func:`create_staff`'s. The one entry point of the command
    line and the admins' page."""
    return create_staff(role=role, email=email, password=password, full_name=full_name, actor=actor, now=now,
                        scope=staff_scope(role, unit_code))


def create_staff(*, role: Role, email: str, password: str, full_name: str | None, actor: User | None,
                 now: datetime, scope: tuple[int, str] | None = None) -> User:
    """Create a staff account (admin, organizer, judge or unit officer), with its ``scope`` (the unit's id and
    code) when given: required for a unit officer, refused for an admin (``unit_required``,
    ``unit_not_for_role``). Refuses a malformed or taken email, a password shorter than a participant's may be
    (``MIN_PASSWORD``), and a name with invisible characters (``name_problem``). Audited as ``user.create``."""
    if role is Role.PARTICIPANT:
        raise AccountError("not_staff", "role")
    if scope is None and role in SCOPE_REQUIRED_ROLES:
        raise AccountError("unit_required", "unit")
    if scope is not None and role not in SCOPABLE_ROLES:
        raise AccountError("unit_not_for_role", "unit")
    address = normalise_email(email)
    if not address or not EMAIL.fullmatch(address):
        raise AccountError("invalid_email", "email")
    if len(password) < MIN_PASSWORD:
        raise AccountError("password_too_short", "password")
    taken = db.session.scalar(db.select(func.count()).select_from(User).where(User.email == address))
    if taken:
        raise AccountError("email_taken", "email")
    name = clean(full_name) or address.split("@")[0]
    unusable = name_problem(name)
    if unusable is not None:
        raise AccountError(unusable.code, "full_name")
    user = User(role=role, email=address, full_name=name, name_key=fold(name),
                password_hash=hash_password(password), created_at=now,
                scope_unit_id=scope[0] if scope is not None else None)
    db.session.add(user)
    db.session.flush()
    details = {"role": role.value} | ({"unit": scope[1]} if scope is not None else {})
    audit.record(actor=actor, action="user.create", object_type="user", object_id=user.id, now=now,
                 details=details)
    return user


@dataclass(frozen=True, slots=True)
class SignedIn:
    """Who signed in: enough to issue an API token without loading the account."""

    user_id: int
    token_version: int


_users = User.__table__
_CREDENTIALS = select(_users.c.id, _users.c.password_hash, _users.c.token_version).where(
    or_(_users.c.email == bindparam("email"), _users.c.phone == bindparam("phone")), User.is_active_clause()
).limit(1)


def check_credentials(login: str, password: str, *, now: datetime) -> SignedIn | None:
    """The active account whose email or phone (in any usual form) is ``login``, when ``password`` is its
    password; None otherwise, after the same work either way (an unknown login still costs a hash check, so the
    answer's timing does not tell which accounts exist). Records the sign-in time, and upgrades a hash made with
    older settings. Raises ``SignInDelayed`` (nothing checked) while the login must wait after repeated
    failures (``services.sign_in_guard``: every sign-in path shares the count). Core statements on the
    session's connection: sign-in is a hot path when a round opens."""
    login = clean(login)
    if not login or not password:
        return None
    failures = sign_in_guard.check(login, now=now)  # raises SignInDelayed before any password is checked
    connection = db.session.connection()
    found = connection.execute(_CREDENTIALS, {"email": login.lower(), "phone": normalise_phone(login)}).first()
    checked = check_password(found.password_hash if found else None, password)
    if found is None or not checked.matches:
        sign_in_guard.failed(login, failures, now=now)
        return None
    sign_in_guard.succeeded(login, failures)
    changes: dict[str, object] = {"last_login_at": now}
    if checked.new_hash:
        changes["password_hash"] = checked.new_hash
    connection.execute(update(_users).where(_users.c.id == found.id).values(**changes))
    return SignedIn(user_id=found.id, token_version=found.token_version)


def sign_out_everywhere(user_id: int) -> None:
    """End every session of the account, on every device, and its API tokens (``token_version`` is part of the
    session's user id and of each token): a copy of the session cookie, kept on a shared office computer or
    taken from it, no longer signs anybody in."""
    db.session.execute(update(_users).where(_users.c.id == user_id)
                       .values(token_version=_users.c.token_version + 1))


def authenticate(login: str, password: str, *, now: datetime) -> User | None:
    """``check_credentials`` for the sign-in page: the account itself, to start a session with."""
    signed_in = check_credentials(login, password, now=now)
    return None if signed_in is None else db.session.get(User, signed_in.user_id, populate_existing=True)


@dataclass(frozen=True, slots=True)
class StaffAccount:
    """A staff account with the unit it is scoped to (None: it sees everything)."""

    user: User
    scope_code: str | None
    scope_name: str | None


def staff_accounts() -> list[StaffAccount]:
    """Every staff account (not participants), admins first, with the code and name of the unit it is scoped to
    (one query)."""
    rows = db.session.execute(
        select(User, Unit.code, Unit.name).outerjoin(Unit, Unit.id == User.scope_unit_id)
        .where(User.role != Role.PARTICIPANT).order_by(User.role, User.full_name, User.id)).all()
    return [StaffAccount(user, code, name) for user, code, name in rows]


def set_staff_active(user: User, active: bool, *, actor: User, now: datetime) -> None:
    """Turn a staff account off (it can no longer sign in, and every session and token it had ends: its
    ``token_version`` moves on) or on again; audited. An admin cannot turn off their own account, so at least
    one active admin always remains to manage the others."""
    if user.role is Role.PARTICIPANT:
        raise AccountError("not_staff")
    if not active and user.id == actor.id:
        raise AccountError("own_account")
    if user.active == active:
        return
    user.active = active
    if not active:
        user.token_version += 1
    audit.record(actor=actor, action="user.reactivate" if active else "user.deactivate", object_type="user",
                 object_id=user.id, now=now, details={"role": user.role.value})
    db.session.flush()
