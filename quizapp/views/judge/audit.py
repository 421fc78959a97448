"""The audit log for judges: who did what to results, when and why, filtered by contest or round; a scoped
judge reads the entries about their subtree's contests (``services.audit.entries_query``)."""

from __future__ import annotations

from flask import render_template, request
from flask_login import current_user
from sqlalchemy import select

from quizapp.extensions import db
from quizapp.messages.audit import describe_details, people_named
from quizapp.messages.judging import audit_action_label, audit_object_label
from quizapp.models import AuditEntry, User
from quizapp.services.audit import entries_query
from quizapp.services.contests import staff_contests
from quizapp.services.scopes import scope_of
from quizapp.views.judge import bp
from quizapp.views.judge.forms import record_id
from quizapp.views.paging import paginate


def _people(entries: list[AuditEntry]) -> dict[int, str]:
    """Names of the actors and of the people named in the entries' details (one query)."""
    ids = {e.actor_id for e in entries if e.actor_id} | people_named([e.details for e in entries])
    if not ids:
        return {}
    return dict(db.session.execute(select(User.id, User.full_name).where(User.id.in_(ids))).tuples().all())


@bp.get("/audit")
def audit_log():
    contest_id = request.args.get("contest", type=record_id)
    round_id = request.args.get("round", type=record_id)
    scope = scope_of(current_user)
    contests = staff_contests(scope)
    rounds = {r.id: (r, c) for c in contests for r in c.rounds}
    page = paginate(entries_query(scope, contest_id=contest_id, round_id=round_id))
    people = _people(page.items)
    names = {"people": people, "rounds": {round_id: r.name for round_id, (r, _c) in rounds.items()}}
    rows = [{"entry": e, "actor": people.get(e.actor_id) if e.actor_id else None,
             "action": audit_action_label(e.action), "object_type": audit_object_label(e.object_type),
             "round": rounds.get(e.object_id) if e.object_type == "round" else None,
             "details": describe_details(e.action, e.details, names)} for e in page.items]
    return render_template("judge/audit.html", page=page, rows=rows, contests=contests, contest_id=contest_id,
                           round_id=round_id)
