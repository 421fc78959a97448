"""Fixing a used question's answer key: the preview of what changes in each round, then the confirmation with
a reason. Organizers arrive here from the question editor; judges may open it too. A scoped account may not
regrade a question that rounds outside its subtree used (``services.regrade_scope``): neither preview nor apply."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from quizapp.domain.bank_export import LETTERS
from quizapp.extensions import db
from quizapp.messages.judging import regrade_error_message
from quizapp.models import Question, Role
from quizapp.models.types import utcnow
from quizapp.services.regrade import RegradeError, apply_regrade, correct_index, preview_regrade
from quizapp.services.regrade_scope import refuse_regrade_outside
from quizapp.services.scopes import scope_of
from quizapp.views.judge import bp
from quizapp.views.judge.forms import RegradeForm

MAX_PLACE_CHANGES_SHOWN = 100


def _question(question_id: int) -> Question:
    return db.session.get(Question, question_id) or abort(404)


def _letter_index(letter: str | None, question: Question) -> int | None:
    letter = (letter or "").strip().upper()
    if letter not in LETTERS[:len(question.options)]:
        return None
    return LETTERS.index(letter)


def _preview_page(question: Question, form: RegradeForm, status: int = 200, refusal: str | None = None):
    """The question, the preview of the chosen answer (none when ``refusal`` says why it may not be regraded)."""
    new_index = _letter_index(form.answer.data, question)
    preview, problem = None, refusal
    if refusal is not None:
        pass  # the preview itself would show other units' rounds and people
    elif new_index is None:
        problem = _("Hãy chọn đáp án đúng mới trong các phương án A–%(last)s.", last=LETTERS[len(question.options) - 1])
    else:
        try:
            preview = preview_regrade(question, new_index, now=utcnow())
        except RegradeError as error:
            problem = regrade_error_message(error.code, error.data)
    form.answer.choices = [(letter, letter) for letter in LETTERS[:len(question.options)]]
    return render_template("judge/regrade.html", question=question, form=form, preview=preview, problem=problem,
                           current=correct_index(question), letters=LETTERS, shown=MAX_PLACE_CHANGES_SHOWN), status


def _outside_scope(question: Question) -> str | None:
    """Why the signed-in account may not regrade the question (rounds outside its scope used it), or None."""
    try:
        refuse_regrade_outside(question.id, scope_of(current_user))
    except RegradeError as error:
        return regrade_error_message(error.code, error.data)
    return None


@bp.get("/questions/<int:question_id>/regrade")
def regrade_preview(question_id: int):
    question = _question(question_id)
    form = RegradeForm(formdata=None, answer=(request.args.get("answer") or "").upper())
    refusal = _outside_scope(question)
    return _preview_page(question, form, 403 if refusal else 200, refusal)


@bp.post("/questions/<int:question_id>/regrade")
def regrade_apply(question_id: int):
    question = _question(question_id)
    form = RegradeForm()
    form.answer.choices = [(letter, letter) for letter in LETTERS[:len(question.options)]]
    refusal = _outside_scope(question)
    if refusal is not None:
        return _preview_page(question, form, 403, refusal)
    if not form.validate_on_submit():
        return _preview_page(question, form, 400)
    try:
        result = apply_regrade(question, LETTERS.index(form.answer.data), actor=current_user, now=utcnow(),
                               reason=form.reason.data)
    except RegradeError as error:
        db.session.rollback()
        flash(regrade_error_message(error.code, error.data), "error")
        return _preview_page(_question(question_id), form, 409)
    flash(_("Đã đổi đáp án thành %(letter)s và chấm lại: %(gained)s lượt thi được cộng, %(lost)s lượt thi bị trừ "
            "một câu đúng.", letter=form.answer.data, gained=result.attempts_gaining, lost=result.attempts_losing),
          "success")
    if current_user.has_role(Role.ORGANIZER):
        return redirect(url_for("organizer.bank", bank_id=question.bank_id))
    return redirect(url_for("judge.audit_log"))
