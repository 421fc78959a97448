"""Unit officers (cán bộ phụ trách): staff accounts scoped to one unit of the tree, who read the reports of that
unit's subtree (``services.unit_reports``) and nothing else of the staff's."""

from __future__ import annotations

from datetime import datetime

from quizapp.models import Role, User
from quizapp.services.accounts import create_scoped_staff


def create_unit_officer(*, unit_code: str, email: str, password: str, full_name: str | None,
                        actor: User | None, now: datetime) -> User:
    """Create a unit officer scoped to the unit ``unit_code``, with the same checks as every staff account
    (``services.accounts.create_scoped_staff``: a known unit, a well-formed free email, a long enough password, a
    visible name); an unknown unit code is refused as ``unknown_unit`` (field ``unit``). Audited as
    ``user.create``."""
    return create_scoped_staff(role=Role.UNIT_OFFICER, unit_code=unit_code, email=email, password=password,
                               full_name=full_name, actor=actor, now=now)
