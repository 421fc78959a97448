"""What the current transaction changes, for what must follow its commit (``services.leaderboard`` drops the cached
results of the rounds recorded here). Kept on the session, so it goes with the transaction: committed, rolled back."""

from __future__ import annotations

from sqlalchemy.orm import Session

from quizapp.extensions import db

_ROUNDS = "quizapp.rounds_changed"


def round_changed(round_id: int) -> None:
    """Record that the public results of ``round_id`` change in the current transaction (begun here if none is:
    the record belongs to a transaction, and goes with its commit or rollback)."""
    session = db.session()
    if not session.in_transaction():
        session.begin()
    session.info.setdefault(_ROUNDS, set()).add(round_id)


def take_changed_rounds(session: Session) -> set[int]:
    """The rounds recorded in ``session`` (and forget them): after its commit, to act on; after a rollback, to drop."""
    return session.info.pop(_ROUNDS, set())
