"""Unit officers (cán bộ phụ trách): staff accounts scoped to one unit of the tree, who read the reports of that
unit's subtree (``services.unit_reports``) and nothing else of the staff's."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select

from quizapp.auth import hash_password
from quizapp.domain.registration import EMAIL, MIN_PASSWORD
from quizapp.domain.text import clean, fold, name_problem
from quizapp.extensions import db
from quizapp.models import Role, Unit, User
from quizapp.services import audit
from quizapp.services.accounts import AccountError, normalise_email


def create_unit_officer(*, unit_code: str, email: str, password: str, full_name: str | None,
                        actor: User | None, now: datetime) -> User:
    """Create a unit officer scoped to the unit ``unit_code``, with the same checks as every staff account
    (``services.accounts.create_staff``: a well-formed free email, a long enough password, a visible name); an
    unknown unit code is refused as ``unknown_unit`` (field ``unit``). Audited as ``user.create``."""
    code = clean(unit_code)
    unit_id = db.session.scalar(select(Unit.id).where(Unit.code == code)) if code else None
    if unit_id is None:
        raise AccountError("unknown_unit", "unit")
    address = normalise_email(email)
    if not address or not EMAIL.fullmatch(address):
        raise AccountError("invalid_email", "email")
    if len(password) < MIN_PASSWORD:
        raise AccountError("password_too_short", "password")
    if db.session.scalar(select(func.count()).select_from(User).where(User.email == address)):
        raise AccountError("email_taken", "email")
    name = clean(full_name) or address.split("@")[0]
    unusable = name_problem(name)
    if unusable is not None:
        raise AccountError(unusable.code, "full_name")
    user = User(role=Role.UNIT_OFFICER, scope_unit_id=unit_id, email=address, full_name=name, name_key=fold(name),
                password_hash=hash_password(password), created_at=now)
    db.session.add(user)
    db.session.flush()
    audit.record(actor=actor, action="user.create", object_type="user", object_id=user.id, now=now,
                 details={"role": Role.UNIT_OFFICER.value, "unit": code})
    return user
