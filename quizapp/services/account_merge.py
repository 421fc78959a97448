"""Merging two accounts of one person into the one an organizer keeps.

The rule, written once here:

- everything the other account did moves to the kept one: its attempts, frozen results, time extensions,
  erasure requests, disqualifications and certificates;
- two attempts in one round are both kept: the moved ones are renumbered after the kept account's (in their own
  order); the round's attempt cap is not enforced after the fact (both were allowed when they were taken);
- two time extensions in one round: the kept account keeps its own, with the larger number of seconds;
- a disqualification in a round where the kept account is already disqualified stays with the merged account
  (the kept one's already sets the round aside);
- refused: both accounts in the results of one finalized round (its frozen ranking would hold one person twice
  and could not be reproduced: re-open the round first), both with an attempt in progress in one round (wait for
  it to end), both with a pending erasure request (handle one first);
- the merged account is deactivated (signed out everywhere) and points to the kept one;
- a scoped organizer (``services.scopes``) merges only two accounts of their subtree: either one outside is
  refused (``outside_scope``, naming which), before anything about it is looked at.

One transaction (the caller's), a fixed number of set-based statements whatever the number of attempts.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import and_, case, delete, func, select, update

from quizapp.extensions import db
from quizapp.models import (
    Attempt,
    AttemptStatus,
    Disqualification,
    ErasureRequest,
    IssuedCertificate,
    Role,
    Round,
    RoundResult,
    TimeExtension,
    User,
)
from quizapp.models.personal_data import ErasureStatus
from quizapp.services import audit
from quizapp.services.changes import round_changed
from quizapp.services.scopes import EVERYTHING, Scope, unit_in_scope


@dataclass(frozen=True)
class MergeError(Exception):
    """``same_account``, ``outside_scope`` (data: ``which``, "keep" or "merge", and its ``user_id``),
    ``not_participant``, ``already_merged``, ``erased``, or ``conflicts`` (data: the refusals, each
    ``(code, round names)``)."""

    code: str
    data: dict[str, Any] = field(default_factory=dict)


@dataclass
class MergePlan:
    """What a merge moves and what it meets, for the preview and the audit."""

    keep_id: int
    merge_id: int
    attempts: int = 0
    results: int = 0
    extensions: int = 0
    erasure_requests: int = 0
    disqualifications: int = 0
    certificates: int = 0
    renumbered: list[str] = field(default_factory=list)        #: rounds where both have attempts
    extensions_joined: list[str] = field(default_factory=list)  #: rounds where both have an extension
    refusals: list[tuple[str, list[str]]] = field(default_factory=list)

    def details(self) -> dict[str, Any]:
        return {"user_id": self.keep_id, "merged_id": self.merge_id, "attempts": self.attempts,
                "results": self.results, "extensions": self.extensions, "erasure_requests": self.erasure_requests,
                "disqualifications": self.disqualifications, "certificates": self.certificates,
                "renumbered": self.renumbered, "extensions_joined": self.extensions_joined}


def _check_pair(keep: User, merge: User, scope: Scope) -> None:
    if keep.id == merge.id:
        raise MergeError("same_account")
    if not scope.everything:
        for which, user in (("keep", keep), ("merge", merge)):
            if not unit_in_scope(scope, user.unit_id):
                raise MergeError("outside_scope", {"which": which, "user_id": user.id})
    if keep.role is not Role.PARTICIPANT or merge.role is not Role.PARTICIPANT:
        raise MergeError("not_participant")
    if keep.merged_into_id is not None or merge.merged_into_id is not None:
        raise MergeError("already_merged")
    if keep.erased_at is not None or merge.erased_at is not None:
        raise MergeError("erased")  # an erased account keeps nothing to merge, and must not get data back


def _per_round(model, keep_id: int, merge_id: int, *conditions) -> dict[int, set[int]]:
    """round id -> which of the two accounts have a row of ``model`` there (one query)."""
    rows = db.session.execute(select(model.round_id, model.user_id).where(
        model.user_id.in_((keep_id, merge_id)), *conditions).distinct()).all()
    found: dict[int, set[int]] = {}
    for round_id, user_id in rows:
        found.setdefault(round_id, set()).add(user_id)
    return found


def _count(model, user_id: int, *conditions) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(model.user_id == user_id, *conditions))


def plan_merge(keep: User, merge: User, scope: Scope = EVERYTHING) -> MergePlan:
    """What merging ``merge`` into ``keep`` would do (nothing is changed)."""
    _check_pair(keep, merge, scope)
    plan = MergePlan(keep.id, merge.id)
    both = {keep.id, merge.id}
    attempts = _per_round(Attempt, keep.id, merge.id)
    running = _per_round(Attempt, keep.id, merge.id, Attempt.status == AttemptStatus.IN_PROGRESS)
    results = _per_round(RoundResult, keep.id, merge.id)
    extensions = _per_round(TimeExtension, keep.id, merge.id)
    round_ids = set(attempts) | set(results) | set(extensions)
    names = dict(db.session.execute(select(Round.id, Round.name).where(Round.id.in_(round_ids))).all())

    def rounds_with_both(found: dict[int, set[int]]) -> list[str]:
        return sorted(names.get(r, f"#{r}") for r, users in found.items() if users == both)

    plan.renumbered, plan.extensions_joined = rounds_with_both(attempts), rounds_with_both(extensions)
    for code, found in (("both_in_results", results), ("both_in_progress", running)):
        if rounds := rounds_with_both(found):
            plan.refusals.append((code, rounds))
    pending = ErasureRequest.status == ErasureStatus.PENDING
    if _count(ErasureRequest, keep.id, pending) and _count(ErasureRequest, merge.id, pending):
        plan.refusals.append(("both_erasure_pending", []))
    plan.attempts = _count(Attempt, merge.id)
    plan.results = _count(RoundResult, merge.id)
    plan.extensions = _count(TimeExtension, merge.id)
    plan.erasure_requests = _count(ErasureRequest, merge.id)
    plan.disqualifications = _count(Disqualification, merge.id)
    plan.certificates = _count(IssuedCertificate, merge.id)
    return plan


def merge_accounts(keep: User, merge: User, *, actor: User, now: datetime, scope: Scope = EVERYTHING) -> MergePlan:
    """Merge ``merge`` into ``keep`` by the rule above, or raise MergeError changing nothing."""
    plan = plan_merge(keep, merge, scope)
    if plan.refusals:
        raise MergeError("conflicts", {"refusals": plan.refusals})
    touched = set(db.session.scalars(select(Attempt.round_id).where(Attempt.user_id == merge.id).distinct()))
    _move_attempts(keep.id, merge.id)
    _move_extensions(keep.id, merge.id)
    active = Disqualification.lifted_at.is_(None)
    kept_out = select(Disqualification.round_id).where(Disqualification.user_id == keep.id, active)
    db.session.execute(update(Disqualification).where(
        Disqualification.user_id == merge.id, ~and_(active, Disqualification.round_id.in_(kept_out)))
        .values(user_id=keep.id).execution_options(synchronize_session=False))
    for model in (RoundResult, ErasureRequest, IssuedCertificate):
        db.session.execute(update(model).where(model.user_id == merge.id).values(user_id=keep.id)
                           .execution_options(synchronize_session=False))
    merge.active, merge.merged_into_id = False, keep.id
    merge.token_version += 1
    audit.record(actor=actor, action="user.merge", object_type="user", object_id=keep.id, now=now,
                 details=plan.details())
    for round_id in touched:
        round_changed(round_id)
    return plan


def _move_attempts(keep_id: int, merge_id: int) -> None:
    """The merged account's attempts numbered after the kept account's in each round (offsets read first: an
    UPDATE's subquery would see the rows it has already moved on SQLite)."""
    offsets = dict(db.session.execute(select(Attempt.round_id, func.max(Attempt.number))
                                      .where(Attempt.user_id == keep_id).group_by(Attempt.round_id)).all())
    number = Attempt.number
    if offsets:
        number = Attempt.number + case(offsets, value=Attempt.round_id, else_=0)
    db.session.execute(update(Attempt).where(Attempt.user_id == merge_id).values(user_id=keep_id, number=number)
                       .execution_options(synchronize_session=False))


def _move_extensions(keep_id: int, merge_id: int) -> None:
    """One extension per round: where both have one, the kept account's gets the larger number of seconds."""
    other = TimeExtension.__table__.alias("other")
    larger = select(func.max(other.c.seconds)).where(other.c.round_id == TimeExtension.round_id,
                                                     other.c.user_id == merge_id).scalar_subquery()
    db.session.execute(update(TimeExtension).where(TimeExtension.user_id == keep_id, larger > TimeExtension.seconds)
                       .values(seconds=larger).execution_options(synchronize_session=False))
    kept_rounds = select(TimeExtension.round_id).where(TimeExtension.user_id == keep_id)
    db.session.execute(delete(TimeExtension).where(TimeExtension.user_id == merge_id,
                                                   TimeExtension.round_id.in_(kept_rounds))
                       .execution_options(synchronize_session=False))
    db.session.execute(update(TimeExtension).where(TimeExtension.user_id == merge_id).values(user_id=keep_id)
                       .execution_options(synchronize_session=False))
