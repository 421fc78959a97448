"""Contests in the browser: the organizers' list, a form to create and edit a contest with its rounds (the same
rules as the contest TOML: the form builds the TOML's mapping and ``read_contest`` checks it), a round copied for
next week, publishing, notices on the public page, the TOML download, and the active questions counted by topic,
bank and difficulty for the draw. An organizer scoped to a unit sees and writes only their subtree's contests
and draws from the banks they may read (``services.scopes``, applied by the services)."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from flask import Response, abort, flash, jsonify, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from markupsafe import Markup

from quizapp.domain.contest_rules_markdown import contest_rules_html
from quizapp.domain.contests import ContestSpecError, SpecProblem, read_contest
from quizapp.messages.contests import (
    audience_line,
    describe_spec_problem,
    edit_refusal_text,
    field_problem_text,
    locked_reason,
    notice_problem,
    scope_help,
)
from quizapp.messages.participants import difficulty_label
from quizapp.models import Contest
from quizapp.models.types import MAX_ID, parse_id, utcnow
from quizapp.services import contest_editing, notices
from quizapp.services.contest_editing import ContestEditError, EditRefusal
from quizapp.services.contests import (
    contest_audience,
    contest_spec,
    contest_toml,
    get_contest,
    question_cells,
    round_status,
    staff_contests,
)
from quizapp.services.scopes import Scope, scope_of, scope_unit
from quizapp.views.organizer import bp
from quizapp.views.organizer.contests_forms import (
    Built,
    ContestForm,
    NoticeForm,
    add_spare_rows,
    build_mapping,
    field_for,
    form_data,
    grow,
)
from quizapp.views.organizer.forms import ActionForm


@bp.app_template_filter("contest_rules")
def _contest_rules_filter(text: str | None):
    """The rules (thể lệ) as safe HTML, wherever a page shows them (``domain.contest_rules_markdown``)."""
    return Markup(contest_rules_html(text))  # noqa: S704 - sanitised by nh3


bp.add_app_template_global(locked_reason, "locked_reason")
#: the public contest page shows its notices at the top (``templates/contests/show.html``)
bp.add_app_template_global(notices.contest_notices, "contest_notices")


def _contest(contest_id: int) -> Contest:
    if contest_id > MAX_ID:
        abort(404)
    return get_contest(contest_id) or abort(404)


def _scope() -> Scope:
    return scope_of(current_user)


@bp.get("/contests")
def contests():
    now = utcnow()
    found = staff_contests(_scope())
    rows = [(c, [(r, round_status(r, now)) for r in c.rounds]) for c in found]
    return render_template("organizer/contests.html", rows=rows, action=ActionForm())


@bp.get("/contests/question-counts")
def question_counts():
    """The active questions by (bank, topic, difficulty) of the banks the organizer may read, for the draw's live
    counts (static/contest-form.js)."""
    cells, _bank_ids = question_cells(_scope())
    return jsonify({"cells": [{"bank": c.bank, "topic": c.topic, "difficulty": c.difficulty, "count": c.count}
                              for c in cells]})


def _count_tables(scope: Scope) -> dict[str, list[tuple[str, int]]]:
    cells, bank_ids = question_cells(scope)
    tables: dict[str, dict[str, int]] = {"topic": defaultdict(int), "bank": defaultdict(int),
                                         "difficulty": defaultdict(int)}
    for cell in cells:
        tables["topic"][cell.topic or ""] += cell.count
        tables["bank"][cell.bank] += cell.count
        tables["difficulty"][cell.difficulty or ""] += cell.count
    for name in bank_ids:
        tables["bank"].setdefault(name, 0)
    return {kind: sorted(values.items()) for kind, values in tables.items()}


def _render(form: ContestForm, contest: Contest | None, status: int = 200, *,
            problems: dict[str, list[str]] | None = None, summary: list[tuple[str, str]] | None = None):
    """The contest form, with spare rows, each round's lock (its attempts), the question counts of the banks the
    organizer may read, a scoped organizer's note beside the audience and, when editing, the contest's notices."""
    add_spare_rows(form)
    scope = _scope()
    unit = scope_unit(scope)
    counts = contest_editing.attempt_counts(contest) if contest else {}
    known = {r.id for r in contest.rounds} if contest else set()
    #: each round row's round, when it is one of this contest's (a posted id may be anything)
    round_ids = [rid if rid in known else None
                 for rid in (parse_id(str(row.form.id.data or "").strip()) for row in form.rounds)]
    locks = [counts.get(rid, 0) if rid else 0 for rid in round_ids]
    notes = [scope_help(unit.name, unit.code)] if unit is not None else []
    context: dict[str, Any] = {}
    if contest is not None:
        context = {"notices": notices.contest_notices(contest.id), "action": ActionForm(),
                   "notice_form": NoticeForm(formdata=None),
                   "contest_attempts": sum(counts.values())}
        notes.insert(0, audience_line(contest_audience(contest.id)))
    return render_template("organizer/contest_form.html", form=form, contest=contest, locks=locks, round_ids=round_ids,
                           problems=problems or {}, summary=summary or [], counts=_count_tables(scope),
                           difficulty_label=difficulty_label, scoped=not scope.everything,
                           audience_help=" ".join(note for note in notes if note) or None,
                           **context), status


def _placed(built: Built, problems: list[SpecProblem], refusals: list[EditRefusal]):
    """Each problem beside its field (by the field's id), and the list at the top with a link to each."""
    beside: dict[str, list[str]] = defaultdict(list)
    summary: list[tuple[str, str]] = []
    items = [(p.key, field_problem_text(p), describe_spec_problem(p)) for p in problems]
    items += [(r.key, edit_refusal_text(r.code, r.data), f"{r.key}: {edit_refusal_text(r.code, r.data)}")
              for r in refusals]
    for key, short, full in items:
        target = field_for(built, key)
        anchor = target.id if target is not None else ""
        if target is not None:
            beside[target.id].append(short)
        summary.append((anchor, full))
    return dict(beside), summary


def _refused(form: ContestForm, contest: Contest | None, built: Built, problems=(), refusals=()):
    beside, summary = _placed(built, list(problems), list(refusals))
    return _render(form, contest, 422, problems=beside, summary=summary)


@bp.get("/contests/new")
def new_contest():
    """An empty form; a scoped organizer's audience starts as their own unit."""
    unit = scope_unit(_scope())
    form = ContestForm(formdata=None, data={"audience": unit.code} if unit is not None else {})
    return _render(form, None)[0]


@bp.post("/contests/new")
def create_contest():
    form = ContestForm()
    if not form.validate_on_submit():
        return _render(form, None, 400)
    if form.add_row.data:
        grow(form, form.add_row.data)
        return _render(form, None)
    built = build_mapping(form)
    try:
        spec = read_contest(built.mapping)
        contest = contest_editing.create_draft(spec, actor=current_user, now=utcnow(), scope=_scope())
    except ContestSpecError as error:
        return _refused(form, None, built, error.problems)
    except ContestEditError as error:
        return _refused(form, None, built, error.problems, error.refusals)
    flash(_("Đã tạo cuộc thi «%(title)s» (chưa công bố).", title=contest.title), "success")
    return redirect(url_for("organizer.edit_contest", contest_id=contest.id))


@bp.get("/contests/<int:contest_id>/edit")
def edit_contest(contest_id: int):
    contest = _contest(contest_id)
    form = ContestForm(formdata=None, data=form_data(contest_spec(contest), [r.id for r in contest.rounds]))
    return _render(form, contest)[0]


@bp.post("/contests/<int:contest_id>/edit")
def save_contest(contest_id: int):
    contest = _contest(contest_id)
    form = ContestForm()
    if not form.validate_on_submit():
        return _render(form, contest, 400)
    if form.add_row.data:
        grow(form, form.add_row.data)
        return _render(form, contest)
    built = build_mapping(form)
    try:
        spec = read_contest(built.mapping)
        written = contest_editing.save_contest(contest, spec, built.round_ids, actor=current_user, now=utcnow(),
                                               scope=_scope())
    except ContestSpecError as error:
        return _refused(form, contest, built, error.problems)
    except ContestEditError as error:
        return _refused(form, contest, built, error.problems, error.refusals)
    flash(_("Đã lưu các thay đổi.") if written else _("Không có gì thay đổi."), "success")
    return redirect(url_for("organizer.edit_contest", contest_id=contest.id))


@bp.post("/contests/<int:contest_id>/rounds/<int:round_id>/copy")
def copy_round(contest_id: int, round_id: int):
    contest = _contest(contest_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        copy = contest_editing.copy_round(contest, round_id, actor=current_user, now=utcnow(), scope=_scope())
    except ContestEditError as error:
        for problem in error.problems:
            flash(describe_spec_problem(problem), "error")
        for refusal in error.refusals:
            flash(_("Không sao chép được đợt này: %(reason)s", reason=edit_refusal_text(refusal.code, refusal.data)),
                  "error")
        return redirect(url_for("organizer.edit_contest", contest_id=contest.id))
    flash(_("Đã thêm đợt «%(name)s», bản sao của đợt cũ với lịch dời sau; hãy xem lại và chỉnh nếu cần.",
            name=copy.name), "success")
    return redirect(url_for("organizer.edit_contest", contest_id=contest.id, _anchor=f"round-{copy.id}"))


@bp.post("/contests/<int:contest_id>/publish")
def publish_contest(contest_id: int):
    return _set_published(contest_id, True)


@bp.post("/contests/<int:contest_id>/unpublish")
def unpublish_contest(contest_id: int):
    return _set_published(contest_id, False)


def _set_published(contest_id: int, published: bool):
    contest = _contest(contest_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    contest_editing.set_published(contest, published, actor=current_user, now=utcnow())
    flash(_("Cuộc thi đã được công bố.") if published else _("Cuộc thi đã được ẩn khỏi các trang công khai."),
          "success")
    return redirect(url_for("organizer.edit_contest", contest_id=contest.id))


@bp.post("/contests/<int:contest_id>/notices")
def post_notice(contest_id: int):
    contest = _contest(contest_id)
    form = NoticeForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        notices.post_notice(contest, form.text.data or "", actor=current_user, now=utcnow())
    except notices.NoticeError as error:
        flash(notice_problem(error.code, error.data), "error")
        return redirect(url_for("organizer.edit_contest", contest_id=contest.id, _anchor="notices"))
    flash(_("Đã đăng thông báo."), "success")
    return redirect(url_for("organizer.edit_contest", contest_id=contest.id, _anchor="notices"))


@bp.post("/contests/<int:contest_id>/notices/<int:notice_id>/delete")
def remove_notice(contest_id: int, notice_id: int):
    contest = _contest(contest_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    if notice_id > MAX_ID or not notices.remove_notice(contest, notice_id, actor=current_user, now=utcnow()):
        abort(404)
    flash(_("Đã gỡ thông báo."), "success")
    return redirect(url_for("organizer.edit_contest", contest_id=contest.id, _anchor="notices"))


@bp.get("/contests/<int:contest_id>/contest.toml")
def download_toml(contest_id: int):
    """The contest in the contest TOML (the same as ``quizapp contests export``)."""
    contest = _contest(contest_id)
    return Response(contest_toml(contest), mimetype="application/toml",
                    headers={"Content-Disposition": f'attachment; filename="contest-{contest.id}.toml"'})
