"""The judges' list of contests, a round's ranking, and the decisions on it (disqualify, reinstate, the manual
prediction answer, finalize, re-open). Decisions redirect back to the ranking with a message."""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from quizapp.domain.ranking import ResultsInputError
from quizapp.extensions import db
from quizapp.messages.judging import exclusion_label, ranking_reason, results_error_message
from quizapp.messages.participants import category_label
from quizapp.models import PredictionAnswer, Round, Unit, User
from quizapp.models.types import utcnow
from quizapp.services import results
from quizapp.services.contests import round_status, staff_contests
from quizapp.services.scopes import scope_of, unit_clause
from quizapp.services.standings import Standings, filter_standings, frame_page, round_standings
from quizapp.services.units import search_units, unit_paths
from quizapp.views.judge import bp
from quizapp.views.judge.forms import (
    EntryDecisionForm,
    FinalizeForm,
    PredictionActualForm,
    RankingFilterForm,
    ReopenForm,
    record_id,
)
from quizapp.views.main import safe_next

MAX_UNIT_CANDIDATES = 12


def get_round(round_id: int) -> Round:
    """The round with its contest and prize tiers, or 404."""
    found = db.session.scalar(select(Round).where(Round.id == round_id)
                              .options(selectinload(Round.prize_tiers), selectinload(Round.contest)))
    return found or abort(404)


@bp.get("")
def index():
    """The contests the judge works on (a scoped judge: those of their subtree), with their rounds."""
    now = utcnow()
    contests = staff_contests(scope_of(current_user))
    statuses = {r.id: round_status(r, now) for c in contests for r in c.rounds}
    return render_template("judge/index.html", contests=contests, statuses=statuses)


def _chosen_unit(form: RankingFilterForm) -> tuple[Unit | None, list[Unit]]:
    """The unit the filter names, by its code or, failing that, by its name (accent-insensitive, as registration
    finds it); when several names match, none is chosen and the candidates are returned for the judge to pick.
    A scoped judge finds only the units of their subtree."""
    text = (form.unit.data or "").strip()
    if not text:
        return None, []
    scope = scope_of(current_user)
    unit = db.session.scalar(select(Unit).where(Unit.code == text, unit_clause(scope, Unit.id)))
    if unit is not None:
        return unit, []
    matches = search_units(text, limit=MAX_UNIT_CANDIDATES + 1, scope=scope)
    if len(matches) == 1:
        return matches[0], []
    if not matches:
        form.unit.errors = [_("Không có đơn vị nào có tên hoặc mã «%(text)s».", text=text)]
    else:
        form.unit.errors = [_("Có nhiều đơn vị khớp «%(text)s»: hãy chọn một đơn vị bên dưới.", text=text)]
    return None, matches[:MAX_UNIT_CANDIDATES]


@bp.get("/rounds/<int:round_id>")
def round_ranking(round_id: int):
    round_ = get_round(round_id)
    now = utcnow()
    standings = round_standings(round_, now=now)
    form = RankingFilterForm(request.args)
    form.category.choices = [("", _("Tất cả"))] + [(c, category_label(c)) for c in standings.categories()]
    unit, candidates = _chosen_unit(form)
    person = request.args.get("user", type=record_id)
    filtered = filter_standings(standings.frame, unit_id=unit.id if unit else None,
                                category=form.category.data or None, text=form.q.data or None, user_id=person)
    if form.unit.errors:
        filtered = filtered.iloc[0:0]
    page = frame_page(filtered, request.args.get("page", 1, type=int), current_app.config["QUIZAPP_PAGE_SIZE"])
    excluded = frame_page(standings.excluded, 1, max(1, len(standings.excluded))).rows
    manual = bool(round_.prediction_question) and round_.prediction_answer is PredictionAnswer.MANUAL
    prediction_form = PredictionActualForm(value=round_.prediction_actual) if manual else None
    return render_template(
        "judge/round.html", round=round_, contest=round_.contest, standings=standings, page=page, form=form,
        unit=unit, excluded=excluded, status=round_status(round_, now), prediction_form=prediction_form,
        decision_form=EntryDecisionForm(formdata=None), finalize_form=FinalizeForm(formdata=None),
        reopen_form=ReopenForm(formdata=None), unit_candidates=candidates,
        candidate_paths=unit_paths([u.id for u in candidates]), person=person,
        ranking_reason=ranking_reason, exclusion_label=exclusion_label, args=request.args.to_dict())


# --- decisions -------------------------------------------------------------------------------------------------

def _back(round_: Round, form_next: str | None = None):
    return redirect(safe_next(form_next, url_for("judge.round_ranking", round_id=round_.id)))


def _flash_form_errors(form) -> None:
    for errors in form.errors.values():
        for error in errors:
            flash(error, "error")


def _commit_or_flash(round_: Round, action, success: str) -> bool:
    """Run ``action`` and flash ``success`` (the request commits, and the round's cached public results are
    dropped then), or roll back and flash the service's refusal."""
    try:
        action()
    except (results.ResultsError, ResultsInputError) as error:
        db.session.rollback()
        flash(results_error_message(error), "error")
        return False
    flash(success, "success")
    return True


def _participant(form: EntryDecisionForm) -> User:
    try:
        user = db.session.get(User, record_id(form.user_id.data or ""))
    except ValueError:
        user = None
    return user or abort(404)


@bp.post("/rounds/<int:round_id>/disqualify", defaults={"decision": "disqualify"}, endpoint="disqualify")
@bp.post("/rounds/<int:round_id>/reinstate", defaults={"decision": "reinstate"}, endpoint="reinstate")
def decide_entry(round_id: int, decision: str):
    """Disqualify a participant's entry, or reinstate it; a reason is required either way and recorded."""
    round_ = get_round(round_id)
    form = EntryDecisionForm()
    if not form.validate_on_submit():
        _flash_form_errors(form)
        return _back(round_, form.next.data)
    user = _participant(form)
    service = results.disqualify if decision == "disqualify" else results.reinstate
    done = (_("Đã loại %(name)s khỏi «%(round)s».", name=user.full_name, round=round_.name)
            if decision == "disqualify"
            else _("Đã khôi phục %(name)s vào «%(round)s».", name=user.full_name, round=round_.name))
    _commit_or_flash(round_, lambda: service(round_, user, actor=current_user, now=utcnow(), reason=form.reason.data),
                     done)
    return _back(round_, form.next.data)


@bp.post("/rounds/<int:round_id>/prediction")
def set_prediction(round_id: int):
    round_ = get_round(round_id)
    form = PredictionActualForm()
    if not form.validate_on_submit():
        _flash_form_errors(form)
        return _back(round_)
    _commit_or_flash(round_, lambda: results.set_prediction_actual(round_, form.value.data, actor=current_user,
                                                           now=utcnow(), reason=form.reason.data),
                     _("Đã lưu đáp án câu dự đoán: %(value)s.", value=form.value.data))
    return _back(round_)


@bp.post("/rounds/<int:round_id>/finalize")
def finalize(round_id: int):
    round_ = get_round(round_id)
    form = FinalizeForm()
    if not form.validate_on_submit():
        _flash_form_errors(form)
        return _back(round_)
    outcome: dict[str, Standings] = {}

    def run() -> None:
        outcome["standings"] = results.finalize_round(round_, actor=current_user, now=utcnow())

    if _commit_or_flash(round_, run, _("Đã chốt kết quả «%(round)s».", round=round_.name)):
        standings = outcome["standings"]
        flash(_("%(ranked)s thí sinh được xếp hạng, %(prizes)s giải được trao.", ranked=len(standings.frame),
                prizes=len(standings.winners)), "info")
    return _back(round_)


@bp.post("/rounds/<int:round_id>/reopen")
def reopen(round_id: int):
    round_ = get_round(round_id)
    form = ReopenForm()
    if not form.validate_on_submit():
        _flash_form_errors(form)
        return _back(round_)
    _commit_or_flash(round_, lambda: results.reopen_round(round_, actor=current_user, now=utcnow(),
                                                          reason=form.reason.data),
                     _("Đã mở lại kết quả «%(round)s». Cần chốt lại sau khi xử lý xong.", round=round_.name))
    return _back(round_)
