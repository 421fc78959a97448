"""Organizer screens: question banks (and, later, contests, units and participants)."""

from __future__ import annotations

from flask import Blueprint

from quizapp.auth import roles_required
from quizapp.models import Role
from quizapp.views.scoping import guard_scope

bp = Blueprint("organizer", __name__, url_prefix="/organizer")


@bp.before_request
@roles_required(Role.ORGANIZER)
def _guard() -> None:
    """Every organizer page needs an organizer (or admin) account."""


bp.before_request(guard_scope)  # after the role guard: a scoped organizer stays inside their subtree


from quizapp.views.organizer import (  # noqa: E402,F401  (registers the routes)
    banks,
    contests,
    dashboard,
    erasure,
    participants,
    units,
)
