"""Writing to the audit log, and the judges' listing of it."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Select, and_, or_, select

from quizapp.extensions import db
from quizapp.models import AuditEntry, Round, User
from quizapp.services.changes import round_changed
from quizapp.services.scopes import Scope, contest_clause


def record(*, actor: User | None, action: str, object_type: str, object_id: int | None, now: datetime,
           reason: str | None = None, details: dict[str, Any] | None = None) -> AuditEntry:
    """Add one audit entry (who, when, what, why) to the session.

    Every action that changes a round's results is recorded against the round (rule 10), so this is also where
    the round is marked as changed: its cached public results are dropped when the transaction commits
    (``services.changes``, ``services.leaderboard``)."""
    entry = AuditEntry(at=now, actor_id=actor.id if actor else None, action=action, object_type=object_type,
                       object_id=object_id, reason=reason, details=details or {})
    db.session.add(entry)
    if object_type == "round" and object_id is not None:
        round_changed(object_id)
    return entry


def entries_query(scope: Scope, *, contest_id: int | None = None, round_id: int | None = None) -> Select:
    """The audit entries a judge reads, newest first: about the round ``round_id``, else about the contest
    ``contest_id`` and its rounds, else every entry.

    A judge scoped to a unit (``services.scopes``) reads only the entries about the contests of their subtree and
    their rounds: every action that changes a round's results is recorded against the round (a regrade once per
    round it touched), so nothing about their results is missing, while entries about people, units, banks and
    questions, which may concern other units (a shared question is used by contests all over the tree), are left
    out. A contest or round outside the scope, asked for by its id, gives no entries."""
    query = select(AuditEntry).order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
    if round_id:
        query = query.where(AuditEntry.object_type == "round", AuditEntry.object_id == round_id)
    elif contest_id:
        rounds = select(Round.id).where(Round.contest_id == contest_id)
        query = query.where(or_(and_(AuditEntry.object_type == "round", AuditEntry.object_id.in_(rounds)),
                                and_(AuditEntry.object_type == "contest", AuditEntry.object_id == contest_id)))
    if scope.everything:
        return query
    rounds_in_scope = select(Round.id).where(contest_clause(scope, Round.contest_id))
    return query.where(or_(and_(AuditEntry.object_type == "round", AuditEntry.object_id.in_(rounds_in_scope)),
                           and_(AuditEntry.object_type == "contest",
                                contest_clause(scope, AuditEntry.object_id))))
