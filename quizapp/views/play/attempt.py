"""The timed attempt in the browser: start (with its rules), the answer sheet, saving, submitting, the result.

The rules are the services' (``quizapp.services.attempts``): the server's clock decides, every refusal is an
``AttemptError`` turned into Vietnamese words here. An attempt is visible to its owner only (404 for anyone else).
``PUT /attempts/<id>/answers`` is the JSON endpoint of ``static/attempt.js`` (session cookie + ``X-CSRFToken``);
the other routes are plain pages and forms that work without JavaScript.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import datetime, timedelta
from functools import wraps
from typing import Any, TypeVar

from flask import abort, flash, jsonify, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf.csrf import CSRFError
from sqlalchemy import func, select

from quizapp import errors
from quizapp.auth import roles_required
from quizapp.domain import timing
from quizapp.domain.attempts import AttemptError
from quizapp.extensions import db
from quizapp.messages.participants import attempt_error_message
from quizapp.models import Attempt, AttemptStatus, Contest, Role, Round
from quizapp.models.attempts import in_progress
from quizapp.models.types import utcnow
from quizapp.services import attempts as attempt_service
from quizapp.services.attempt_closing import close_if_overdue
from quizapp.services.attempts.start import audience_refusal
from quizapp.transactions import keep_changes
from quizapp.views import attempt_json
from quizapp.views.play import bp
from quizapp.views.play.forms import ActionForm, AnswerSheet, answer_sheet
from quizapp.views.schemas import SaveAnswers
from quizapp.views.validation import RequestRefused, read_body

F = TypeVar("F", bound=Callable[..., Any])
IN_PROGRESS = AttemptStatus.IN_PROGRESS


# --- plumbing -------------------------------------------------------------------------------------------------

def _json_error(status: int, code: str, message: str, **details: Any):
    return jsonify({"error": {"code": code, "message": message, **details}}), status


def _wants_json() -> bool:
    return request.method == "PUT" or request.is_json


@bp.errorhandler(CSRFError)
def _csrf_error(_error: CSRFError):
    message = _("Phiên làm việc đã hết hạn hoặc biểu mẫu không hợp lệ. Vui lòng tải lại trang và thử lại.")
    if _wants_json():
        return _json_error(400, "csrf", message)
    return errors.error_response(400, "csrf", message)


def participant_json(view: F) -> F:
    """Like ``roles_required(Role.PARTICIPANT)``, but answering JSON (401/403) instead of a sign-in page."""

    @wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        if not current_user.is_authenticated:
            return _json_error(401, "unauthorized", _("Phiên đăng nhập đã hết. Vui lòng đăng nhập lại."))
        if not current_user.has_role(Role.PARTICIPANT):
            return _json_error(403, "forbidden", _("Tài khoản này không có quyền thực hiện thao tác này."))
        return view(*args, **kwargs)

    return wrapped  # type: ignore[return-value]


def _round_or_404(round_id: int) -> Round:
    found = db.session.scalar(select(Round).join(Contest).where(Round.id == round_id, Contest.published.is_(True)))
    if found is None:
        abort(404)
    return found


def _own_attempt_or_404(attempt_id: int) -> Attempt:
    """The signed-in participant's attempt (somebody else's attempt does not exist for them)."""
    found = db.session.get(Attempt, attempt_id)
    if found is None or found.user_id != current_user.id:
        abort(404)
    return found


def remaining_ms(deadline: datetime, now: datetime) -> int:
    """Milliseconds left before an attempt's deadline, by the server's clock (0 once it has passed)."""
    return max(0, (deadline - now) // timedelta(milliseconds=1))


def _close_if_overdue(attempt: Attempt, round_: Round, now: datetime) -> bool:
    """Close an attempt in progress that no longer accepts answers (with its saved answers); True if it was."""
    if attempt.status is IN_PROGRESS and close_if_overdue(attempt.id, attempt.deadline_at, round_.grace_seconds, now):
        db.session.refresh(attempt)
        return True
    return False


def _attempts_used(round_: Round) -> int:
    return db.session.scalar(select(func.count()).select_from(Attempt).where(
        Attempt.round_id == round_.id, Attempt.user_id == current_user.id)) or 0



# --- start ----------------------------------------------------------------------------------------------------

@bp.get("/rounds/<int:round_id>/start")
@roles_required(Role.PARTICIPANT)
def start_page(round_id: int):
    """The round's rules and a "start" button; an attempt in progress is resumed at once. Someone outside the
    contest's audience is told so (403), with no button."""
    round_ = _round_or_404(round_id)
    now = utcnow()
    outside = audience_refusal(round_.contest_id, current_user.id)
    if outside is not None:
        return render_template("play/start.html", round=round_, contest=round_.contest, used=_attempts_used(round_),
                               form=ActionForm(), refusal=attempt_error_message(outside.code, outside.data)), 403
    running = db.session.scalar(select(Attempt).where(
        Attempt.round_id == round_.id, Attempt.user_id == current_user.id, in_progress(Attempt.status)))
    if running is not None and not _close_if_overdue(running, round_, now):
        return redirect(url_for("play.attempt", attempt_id=running.id))
    used = _attempts_used(round_)
    refusal = attempt_service.start_refusal(round_, used, now)
    status = attempt_json.ATTEMPT_ERROR_STATUS.get(refusal.code, 409) if refusal else 200
    return render_template("play/start.html", round=round_, contest=round_.contest, used=used, form=ActionForm(),
                           refusal=attempt_error_message(refusal.code, refusal.data) if refusal else None), status


@bp.post("/rounds/<int:round_id>/start")
@roles_required(Role.PARTICIPANT)
def start(round_id: int):
    """Start (or resume) an attempt and go to it; a refusal goes back to the contest page with the reason."""
    round_ = _round_or_404(round_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        started = attempt_service.start_or_resume(
            round_.id, current_user.id, now=utcnow(), rng=random.Random(), client_ip=request.remote_addr,
            client_agent=request.user_agent.string or None)
    except AttemptError as error:
        db.session.rollback()
        flash(attempt_error_message(error.code, error.data), "error")
        return redirect(url_for("contests.show", contest_id=round_.contest_id))
    return redirect(url_for("play.attempt", attempt_id=started.id), code=303)


# --- the answer sheet -----------------------------------------------------------------------------------------

def _render_sheet(attempt: Attempt, round_: Round, payload: dict[str, Any], sheet: AnswerSheet, *,
                  now: datetime, status: int = 200, problem: str | None = None):
    answered = {f"q{question['id']}" for question in payload["questions"] if sheet[f"q{question['id']}"].data}
    response = make_response(render_template(
        "play/attempt.html", attempt=attempt, round=round_, payload=payload, sheet=sheet, answered=answered,
        remaining_ms=remaining_ms(attempt.deadline_at, now), problem=problem), status)
    response.headers["Cache-Control"] = "no-store"  # the back button must not show an old answer sheet
    return response


@bp.get("/attempts/<int:attempt_id>")
@roles_required(Role.PARTICIPANT)
def attempt(attempt_id: int):
    """Every question with its options in the attempt's order, the saved answers checked, the time left by the
    server's clock, the prediction question and a submit button. Never a correct answer."""
    attempt = _own_attempt_or_404(attempt_id)
    round_ = db.session.get(Round, attempt.round_id)
    now = utcnow()
    _close_if_overdue(attempt, round_, now)
    if attempt.status is not IN_PROGRESS:
        return redirect(url_for("play.result", attempt_id=attempt.id))
    payload = attempt_service.attempt_payload(attempt)
    sheet = answer_sheet(payload["questions"], payload["answers"], formdata=None)
    return _render_sheet(attempt, round_, payload, sheet, now=now)


@bp.post("/attempts/<int:attempt_id>/answers")
@roles_required(Role.PARTICIPANT)
def save_form(attempt_id: int):
    """Save the answers checked on the sheet without submitting (the "save" button when JavaScript is off)."""
    attempt = _own_attempt_or_404(attempt_id)
    payload = attempt_service.attempt_payload(attempt)
    sheet = answer_sheet(payload["questions"])
    sheet.validate_on_submit()  # only the prediction can be wrong, and it is not saved here
    try:
        saved = attempt_service.save_answers(attempt.id, sheet.answers(), user_id=current_user.id, now=utcnow())
    except AttemptError as error:
        return _form_refusal(attempt, error)
    flash(_("Đã lưu %(n)d câu trả lời.", n=saved.count), "success")
    return redirect(url_for("play.attempt", attempt_id=attempt.id), code=303)


def _form_refusal(attempt: Attempt, error: AttemptError):
    """An AttemptError from a form: a closed attempt goes to its result, anything else back to the sheet."""
    if error.code == "attempt_closed":  # the closing of an attempt past its time stays (a redirect commits)
        flash(attempt_error_message(error.code, error.data), "warning")
        return redirect(url_for("play.result", attempt_id=attempt.id), code=303)
    db.session.rollback()
    flash(attempt_error_message(error.code, error.data), "error")
    return redirect(url_for("play.attempt", attempt_id=attempt.id), code=303)


@bp.put("/attempts/<int:attempt_id>/answers")
@participant_json
def save_json(attempt_id: int):
    """``{"answers": {"<question id>": option id}}`` → ``{"saved": N, "remaining_ms": N}``; the body, the service
    call and the refusals are the API's save (``quizapp.views.attempt_json``): 409 ``attempt_closed`` (with the
    result page's ``result_url``) once the attempt no longer takes answers. The hot path of a contest: the
    service's one locked read also checks that the attempt is the participant's."""
    now = utcnow()
    try:
        saved = attempt_json.save_answers(attempt_id, read_body(SaveAnswers), user_id=current_user.id, now=now)
    except RequestRefused as refusal:
        if refusal.code == "attempt_closed":
            refusal.details["result_url"] = url_for("play.result", attempt_id=attempt_id)
        raise
    return jsonify({"saved": saved.count, "remaining_ms": remaining_ms(saved.deadline_at, now)})


# --- submit and result ----------------------------------------------------------------------------------------

@bp.post("/attempts/<int:attempt_id>/submit")
@roles_required(Role.PARTICIPANT)
def submit(attempt_id: int):
    """Submit the sheet (answers and prediction) and show the result; a repeated submit shows the same result.
    A prediction that is not a whole number keeps the participant on the sheet (answers saved, status 422)."""
    attempt = _own_attempt_or_404(attempt_id)
    now = utcnow()
    if attempt.status is not IN_PROGRESS:
        if attempt_service.SubmitResult.of(attempt).late:
            flash(attempt_json.late_submit_message(), "warning")
        return redirect(url_for("play.result", attempt_id=attempt.id), code=303)
    payload = attempt_service.attempt_payload(attempt)
    sheet = answer_sheet(payload["questions"])
    if not sheet.validate_on_submit():
        return _refuse_prediction(attempt, payload, sheet, now)
    try:
        result = attempt_service.submit(attempt.id, user_id=current_user.id, answers=sheet.answers(),
                                        prediction=sheet.prediction.data, now=now)
    except AttemptError as error:
        return _form_refusal(attempt, error)
    if result.late:
        flash(attempt_json.late_submit_message(), "warning")
    return redirect(url_for("play.result", attempt_id=attempt.id), code=303)


def _refuse_prediction(attempt: Attempt, payload: dict[str, Any], sheet: AnswerSheet, now: datetime):
    try:
        attempt_service.save_answers(attempt.id, sheet.answers(), user_id=current_user.id, now=now)
    except AttemptError as error:
        return _form_refusal(attempt, error)
    keep_changes()  # the answers are saved although the prediction is refused
    message = attempt_error_message("invalid_prediction", {})
    sheet.prediction.errors = [message]
    round_ = db.session.get(Round, attempt.round_id)
    return _render_sheet(attempt, round_, payload, sheet, now=now, status=422, problem=message)


@bp.get("/attempts/<int:attempt_id>/result")
@roles_required(Role.PARTICIPANT)
def result(attempt_id: int):
    """The score, the duration and, when the round's review setting allows it, the review of every question."""
    attempt = _own_attempt_or_404(attempt_id)
    round_ = db.session.get(Round, attempt.round_id)
    now = utcnow()
    _close_if_overdue(attempt, round_, now)
    if attempt.status is IN_PROGRESS:
        return redirect(url_for("play.attempt", attempt_id=attempt.id))
    outcome = attempt_service.attempt_result(attempt)
    review = attempt_service.review_payload(attempt, round_, now)
    used = _attempts_used(round_)
    can_start_again = attempt_service.start_refusal(round_, used, now) is None
    return render_template("play/result.html", attempt=attempt, round=round_, contest=round_.contest,
                           outcome=outcome, review=review, used=used, can_start_again=can_start_again,
                           review_from=timing.answer_cutoff(round_.effective_close(), round_.grace_seconds),
                           form=ActionForm())
