"""Writing to the audit log."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from quizapp.extensions import db
from quizapp.models import AuditEntry, User
from quizapp.services.changes import round_changed


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
