"""Judges' screens: rankings with the reason for each place, disqualifications, finalizing and re-opening,
flags worth a look, regrades, exports, the results announcement and the audit log.

Every page under /judge needs a judge (or admin) account; the regrade preview of a question is shared with the
organizers who fix answer keys. The public announcement (``announcements`` blueprint) needs no account and
exists only once the rounds it shows are finalized.
"""

from __future__ import annotations

from flask import Blueprint, request

from quizapp.auth import roles_required
from quizapp.models import Role
from quizapp.views.scoping import guard_scope

bp = Blueprint("judge", __name__, url_prefix="/judge")
public_bp = Blueprint("announcements", __name__)

#: Pages organizers use too: the regrade of a question whose answer key they are fixing; the announcement and
#: its letterhead, which they prepare with the judges; a round's question quality, which leads to both.
SHARED_WITH_ORGANIZERS = frozenset({"judge.regrade_preview", "judge.regrade_apply", "judge.announcement",
                                    "judge.announcement_xlsx", "judge.letterhead", "judge.question_quality"})


def _allowed() -> None:
    return None


@bp.before_request
def _guard():
    """Judges (and admins) only; organizers too on :data:`SHARED_WITH_ORGANIZERS`."""
    roles = (Role.JUDGE, Role.ORGANIZER) if request.endpoint in SHARED_WITH_ORGANIZERS else (Role.JUDGE,)
    return roles_required(*roles)(_allowed)()


bp.before_request(guard_scope)  # after the role guard: a scoped judge stays inside their subtree


from quizapp.views.judge import (  # noqa: E402,F401
    announcement,
    audit,
    exports,
    flags,
    letterhead,
    regrade,
    rounds,
    statistics,
)
