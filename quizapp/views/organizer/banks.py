"""Question banks: upload with preview and confirmation, browse, edit, retire, export."""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from pathlib import Path

from flask import abort, current_app, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user

from quizapp.domain.bank_export import LETTERS
from quizapp.domain.banks import BankFileError, Problem, is_other_type
from quizapp.domain.text import clean
from quizapp.extensions import db
from quizapp.messages.banks import bank_not_writable_message
from quizapp.messages.files import describe, describe_skipped, near_reason, skip_advice
from quizapp.messages.scopes import scope_error_message
from quizapp.models import Bank, Question
from quizapp.models.types import utcnow
from quizapp.services import banks as bank_service
from quizapp.services.bank_export import export_bank_xlsx
from quizapp.services.near_duplicates import UploadCheck, check_upload
from quizapp.services.scopes import Scope, ScopeError, scope_of, scope_unit
from quizapp.uploads import discard, import_limits, stage, staged
from quizapp.views.main import safe_next
from quizapp.views.organizer import bp
from quizapp.views.organizer.forms import (
    ActionForm,
    ConfirmImportForm,
    QuestionFilterForm,
    QuestionForm,
    UploadBankForm,
)
from quizapp.views.paging import paginate

UPLOAD_KIND = "upload"  # the kind of staged file a bank upload is (quizapp.uploads)
#: how many of the file's questions the preview shows as read, so the organizer sees the file was read right
PREVIEW_QUESTIONS = 5


def _get_bank(bank_id: int) -> Bank:
    return db.session.get(Bank, bank_id) or abort(404)


def _banks_page(form: UploadBankForm) -> str:
    """The bank list of the banks the account may read (``services.banks.list_banks``) and the upload form."""
    scope = scope_of(current_user)
    return render_template("organizer/banks.html", banks=bank_service.list_banks(scope), form=form,
                           scoped=not scope.everything)


def _name_refused(form: UploadBankForm, error: bank_service.BankNotWritable):
    """The bank list again with the reason beside the bank name field: nothing was staged or saved."""
    form.bank.errors = [*form.bank.errors, bank_not_writable_message(error)]
    return _banks_page(form), 409


@bp.get("/banks")
def banks():
    return _banks_page(UploadBankForm())


@bp.post("/banks/upload")
def upload_bank():
    form = UploadBankForm()
    if not form.validate_on_submit():
        return _banks_page(form), 400
    scope = scope_of(current_user)
    try:
        bank = bank_service.import_target(form.bank.data, scope)
    except bank_service.BankNotWritable as error:
        return _name_refused(form, error)
    upload = form.file.data
    filename = Path(upload.filename or "upload").name
    data = upload.read(current_app.config["QUIZAPP_IMPORT_MAX_BYTES"] + 1)
    target = Target(name=clean(form.bank.data), bank=bank, owner=_new_bank_owner(scope))
    try:
        plan = bank_service.plan_import(bank, filename, data, limits=import_limits(), default_topic=form.topic.data)
    except BankFileError as error:
        # Questions of other types (true/false, matching...) and nothing else: the preview offers to skip them.
        only_other_types = all(is_other_type(problem) for problem in error.problems)
        plan = _plan_skipping_other_types(bank, filename, data, form.topic.data) if only_other_types else None
        if plan is None:
            advice = None if only_other_types else skip_advice(error.problems, "page")
            return _preview(filename, target, problems=error.problems, advice=advice), 422
    confirm = None
    repeats = None
    # Nothing new to add: the page says so and offers nothing to confirm (no "import 0 questions").
    if not plan.problems and plan.new:
        confirm = ConfirmImportForm(token=stage(data, UPLOAD_KIND), filename=filename, bank=form.bank.data,
                                    topic=form.topic.data or "", skip_other_types="1" if plan.skipped else "")
        repeats = check_upload(plan.new, bank.id if bank else None, scope)
    advice = skip_advice(plan.skipped, "page") if confirm else None
    return _preview(filename, target, plan=plan, problems=plan.problems, confirm=confirm, advice=advice,
                    repeats=repeats), (422 if plan.problems else 200)


@dataclass(frozen=True)
class Target:
    """The bank an upload goes to: its name as typed (cleaned), the bank when it exists (None: a new one), and
    the unit a new bank will belong to (None: a shared bank)."""

    name: str
    bank: Bank | None
    owner: str | None = None


def _new_bank_owner(scope: Scope) -> str | None:
    unit = scope_unit(scope)
    return unit.name if unit else None


def _plan_skipping_other_types(bank: Bank | None, filename: str, data: bytes,
                               topic: str | None) -> bank_service.ImportPlan | None:
    """The plan that skips the file's questions of other types; None when no multiple-choice question remains."""
    try:
        return bank_service.plan_import(bank, filename, data, limits=import_limits(), default_topic=topic,
                                        skip_other_types=True)
    except BankFileError:
        return None


def _preview(filename: str, target: Target, *, problems: list[Problem],
             plan: bank_service.ImportPlan | None = None, confirm: ConfirmImportForm | None = None,
             advice: str | None = None, repeats: UploadCheck | None = None) -> str:
    """The preview page: the file's problems (in words), which bank it goes to (new or existing), its first
    questions as read, what importing it would do, what it repeats of the other banks, the questions it skips."""
    skipped = [describe_skipped(problem) for problem in plan.skipped] if plan else []
    active = bank_service.active_count(target.bank) if target.bank else 0
    return render_template("organizer/preview.html", filename=filename, target=target, active=active, plan=plan,
                           sample=plan.questions[:PREVIEW_QUESTIONS] if plan else [], letters=LETTERS,
                           problems=[describe(problem) for problem in problems], confirm=confirm,
                           skipped=skipped, advice=advice, repeats=repeats, near_reason=near_reason)


@bp.post("/banks/confirm")
def confirm_import():
    form = ConfirmImportForm()
    data = staged(form.token.data, UPLOAD_KIND) if form.validate_on_submit() else None
    if data is None:
        flash(_("Tệp tải lên đã hết hạn hoặc không còn. Vui lòng tải lên lại."), "error")
        return redirect(url_for("organizer.banks"))
    scope = scope_of(current_user)
    try:
        result = bank_service.import_bank(bank_name=form.bank.data, filename=form.filename.data, data=data,
                                          actor=current_user, now=utcnow(), limits=import_limits(),
                                          default_topic=form.topic.data,
                                          skip_other_types=form.skip_other_types.data == "1", scope=scope)
    except bank_service.BankNotWritable as error:
        # The name was taken meanwhile by a bank this account may not change (or the form was altered); refused
        # before anything was written.
        discard(form.token.data, UPLOAD_KIND)
        return _name_refused(UploadBankForm(formdata=None, bank=form.bank.data, topic=form.topic.data), error)
    except BankFileError as error:
        db.session.rollback()
        target = Target(name=clean(form.bank.data), bank=bank_service.find_bank(form.bank.data),
                        owner=_new_bank_owner(scope))
        return _preview(form.filename.data, target, problems=error.problems), 422
    discard(form.token.data, UPLOAD_KIND)
    if result.skipped:
        flash(_("Đã nhập %(added)d câu hỏi mới vào «%(bank)s» (%(unchanged)d câu đã có từ trước); bỏ qua "
                "%(skipped)d câu hỏi dạng khác.", added=result.added, bank=result.bank.name,
                unchanged=result.unchanged, skipped=len(result.skipped)), "success")
    else:
        flash(_("Đã nhập %(added)d câu hỏi mới vào «%(bank)s» (%(unchanged)d câu đã có từ trước).",
                added=result.added, bank=result.bank.name, unchanged=result.unchanged), "success")
    return redirect(url_for("organizer.bank", bank_id=result.bank.id))


@bp.get("/banks/<int:bank_id>")
def bank(bank_id: int):
    found = _get_bank(bank_id)
    topics = bank_service.bank_topics(found)
    form = QuestionFilterForm(request.args)
    form.topic.choices = [("", _("Tất cả"))] + [(t or "", t or _("(không có chủ đề)")) for t, _n in topics]
    show_retired = request.args.get("retired") == "1"
    filters = bank_service.QuestionFilter(topic=form.topic.data or None, difficulty=form.difficulty.data or None,
                                          search=form.q.data or None, include_retired=show_retired)
    page = paginate(bank_service.bank_questions(found, filters))
    return render_template("organizer/bank.html", bank=found, topics=topics, form=form, page=page,
                           letters=LETTERS, show_retired=show_retired, owner=bank_service.bank_owner(found),
                           writable=bank_service.may_change(scope_of(current_user), found))


@bp.get("/banks/<int:bank_id>/export.xlsx")
def export_bank(bank_id: int):
    found = _get_bank(bank_id)
    data = export_bank_xlsx(found)
    safe_name = re.sub(r"[^\w\-]+", "_", found.name, flags=re.UNICODE).strip("_") or f"bank_{found.id}"
    return send_file(io.BytesIO(data), as_attachment=True, download_name=f"{safe_name}.xlsx",
                     mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")


def _question(question_id: int) -> Question:
    return db.session.get(Question, question_id) or abort(404)


@bp.route("/questions/<int:question_id>/edit", methods=["GET", "POST"])
def edit_question(question_id: int):
    question = _question(question_id)
    scope = scope_of(current_user)
    try:
        bank_service.refuse_unless_may_change(scope, question)
    except ScopeError as error:
        # A shared bank's question is shown, with why it cannot be changed, and no form; the blueprint's guard
        # refuses the POST anyway.
        if request.method == "GET" and error.code == "read_only":
            return render_template("organizer/question_edit.html", question=question, form=None, used=False,
                                   read_only=scope_error_message(error), letters=LETTERS)
        raise
    form = QuestionForm()
    if request.method == "GET":
        form.text.data = question.text
        for field, option in zip(form.option_fields(), question.options, strict=False):
            field.data = option.text
        correct = next((i for i, o in enumerate(question.options) if o.is_correct), 0)
        form.answer.data = LETTERS[correct]
        form.topic.data = question.topic or ""
        form.difficulty.data = question.difficulty or ""
        form.explanation.data = question.explanation or ""
        form.source.data = question.source or ""
    elif form.validate_on_submit():
        new_index = LETTERS.index(form.answer.data)
        current = next((i for i, o in enumerate(question.options) if o.is_correct), new_index)
        # A new key for a question that attempts used re-scores them: it goes through the regrade preview
        # (quizapp.views.judge.regrade); the other edits are saved now, with the key kept as it is.
        regrade = new_index != current and bank_service.was_used(question)
        if regrade and current >= len(form.filled_options()):
            form.answer.errors.append(_("Không thể bỏ phương án đang là đáp án đúng của câu hỏi đã được dùng."))
        else:
            edit = bank_service.QuestionEdit(
                text=form.text.data, options=form.filled_options(), correct_index=current if regrade else new_index,
                topic=form.topic.data, difficulty=form.difficulty.data or None, explanation=form.explanation.data,
                source=form.source.data)
            try:
                bank_service.edit_question(question, edit, actor=current_user, now=utcnow(), scope=scope)
            except bank_service.UsedQuestionKeepsItsOptions as refused:  # raised before anything changed
                form.option_a.errors.append(_(
                    "Câu hỏi này đã xuất hiện trong các lượt thi nên phải giữ đủ %(count)s phương án: có thể sửa "
                    "nội dung hoặc thêm phương án, không thể bớt.", count=refused.options))
                return render_template("organizer/question_edit.html", question=question, form=form,
                                       used=True), 400
            if regrade:
                flash(_("Đã lưu các thay đổi khác. Đổi đáp án sẽ chấm lại các lượt thi: hãy xem trước ảnh hưởng "
                        "rồi xác nhận."), "info")
                return redirect(url_for("judge.regrade_preview", question_id=question.id, answer=form.answer.data))
            flash(_("Đã lưu câu hỏi."), "success")
            return redirect(url_for("organizer.bank", bank_id=question.bank_id))
    used = bank_service.was_used(question)
    status = 400 if form.errors else 200
    return render_template("organizer/question_edit.html", question=question, form=form, used=used), status


@bp.post("/questions/<int:question_id>/retire", defaults={"action": "retire"}, endpoint="retire_question")
@bp.post("/questions/<int:question_id>/restore", defaults={"action": "restore"}, endpoint="restore_question")
def change_question_use(question_id: int, action: str):
    """Retire a question from future draws, or restore it; past attempts keep it either way."""
    question = _question(question_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    scope = scope_of(current_user)
    if action == "retire":
        bank_service.retire_question(question, actor=current_user, now=utcnow(), scope=scope)
        message = _("Đã ngừng dùng câu hỏi. Các lượt thi đã dùng câu này vẫn giữ nguyên.")
    else:
        bank_service.restore_question(question, actor=current_user, now=utcnow(), scope=scope)
        message = _("Đã dùng lại câu hỏi.")
    flash(message, "success")
    return redirect(safe_next(request.form.get("next"), url_for("organizer.bank", bank_id=question.bank_id)))


# The near-duplicates screen is a part of the bank screens, in its own module (this file stays short).
from quizapp.views.organizer import duplicates  # noqa: E402,F401  (registers its routes)
