"""Unit officers (cán bộ phụ trách): staff accounts scoped to one unit of the tree, who read the reports of that
unit's subtree (``services.unit_reports``) and nothing else of the staff's."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from quizapp.domain.text import clean
from quizapp.extensions import db
from quizapp.models import Role, Unit, User
from quizapp.services.accounts import AccountError, create_staff


def create_unit_officer(*, unit_code: str, email: str, password: str, full_name: str | None,
                        actor: User | None, now: datetime) -> User:
    """Create a unit officer scoped to the unit ``unit_code``, with the same checks as every staff account
    (``services.accounts.create_staff``: a well-formed free email, a long enough password, a visible name); an
    unknown unit code is refused as ``unknown_unit`` (field ``unit``). Audited as ``user.create``."""
    code = clean(unit_code)
    unit_id = db.session.scalar(select(Unit.id).where(Unit.code == code)) if code else None
    if unit_id is None:
        raise AccountError("unknown_unit", "unit")
    return create_staff(role=Role.UNIT_OFFICER, email=email, password=password, full_name=full_name, actor=actor,
                        now=now, scope=(unit_id, code))
