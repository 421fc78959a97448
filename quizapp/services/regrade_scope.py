"""Who may regrade a question: a regrade re-scores every round whose attempts drew it (``services.regrade``), so
a staff account scoped to a unit (``services.scopes``) may regrade, or preview the regrade of, a question only
when every such round belongs to a contest of their subtree. A question of a shared bank, or of their own bank
drawn by a contest of the level above, changes other units' results: that regrade is for unscoped staff.
Rounds that have not drawn the question yet are not counted: nothing of theirs is re-scored."""

from __future__ import annotations

from sqlalchemy import distinct, func, not_, select

from quizapp.extensions import db
from quizapp.models import Attempt, AttemptQuestion, Round
from quizapp.services.regrade import RegradeError
from quizapp.services.scopes import Scope, contest_clause


def refuse_regrade_outside(question_id: int, scope: Scope) -> None:
    """Raise RegradeError ``rounds_outside_scope`` (``rounds``: how many, never which) when an attempt of a
    round outside ``scope`` drew the question. One query; nothing for an unscoped account."""
    if scope.everything:
        return
    used = (select(distinct(Attempt.round_id)).join(AttemptQuestion, AttemptQuestion.attempt_id == Attempt.id)
            .where(AttemptQuestion.question_id == question_id))
    outside = db.session.scalar(select(func.count(Round.id)).where(Round.id.in_(used),
                                                                   not_(contest_clause(scope, Round.contest_id))))
    if outside:
        raise RegradeError("rounds_outside_scope", rounds=outside)
