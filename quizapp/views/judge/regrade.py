"""Fixing a used question's answer key: the preview of what changes in each round, then the confirmation with
a reason. Organizers arrive here from the question editor; judges may open it too."""

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


def _preview_page(question: Question, form: RegradeForm, status: int = 200):
    new_index = _letter_index(form.answer.data, question)
    preview, problem = None, None
    if new_index is None:
        problem = _("Hãy chọn đáp án đúng mới trong các phương án A–%(last)s.", last=LETTERS[len(question.options) - 1])
    else:
        try:
            preview = preview_regrade(question, new_index, now=utcnow())
        except RegradeError as error:
            problem = regrade_error_message(error.code, error.data)
    form.answer.choices = [(letter, letter) for letter in LETTERS[:len(question.options)]]
    return render_template("judge/regrade.html", question=question, form=form, preview=preview, problem=problem,
                           current=correct_index(question), letters=LETTERS, shown=MAX_PLACE_CHANGES_SHOWN), status


@bp.get("/questions/<int:question_id>/regrade")
def regrade_preview(question_id: int):
    question = _question(question_id)
    form = RegradeForm(formdata=None, answer=(request.args.get("answer") or "").upper())
    return _preview_page(question, form)


@bp.post("/questions/<int:question_id>/regrade")
def regrade_apply(question_id: int):
    question = _question(question_id)
    form = RegradeForm()
    form.answer.choices = [(letter, letter) for letter in LETTERS[:len(question.options)]]
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
