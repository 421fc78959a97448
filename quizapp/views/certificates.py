"""Prize certificates: the public verification of a code (/xac-minh), the organizer's template with its preview,
the round's PDF for judges and organizers, and a winner's own certificate.

A participant can only ever download their own certificate: the address names the round, never a person. A scoped
organizer or judge (``services.scopes``) reaches the staff routes of contests and rounds in their scope only.
"""

from __future__ import annotations

import io

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import BooleanField, DateField, SelectField, StringField
from wtforms.validators import DataRequired, Length, Optional

from quizapp.auth import roles_required
from quizapp.domain import certificates as paper
from quizapp.domain.certificates import Certificate, CertificateError, Template
from quizapp.extensions import db, limiter
from quizapp.messages.certificates import STATUS_REASONS, STATUS_TITLES, certificate_error_message
from quizapp.models import Contest, Role, Round
from quizapp.models.types import utcnow
from quizapp.services import certificates as service
from quizapp.views.scoping import guard_scope

bp = Blueprint("certificates", __name__)

SAMPLE_CODE = "0000000000"

#: The routes for judges and organizers: the ones :func:`_guard_staff_scope` checks. The public verification and a
#: winner's own certificate are not among them (a participant has no scope anyway).
STAFF_ENDPOINTS = frozenset({"certificates.round_pdf", "certificates.template", "certificates.preview"})


@bp.before_request
def _guard_staff_scope():
    """A staff route naming a contest or round outside a scoped account's subtree is a 403 (before the view's role
    guard: an unscoped or unknown account passes here and meets it)."""
    if request.endpoint in STAFF_ENDPOINTS:
        return guard_scope()
    return None


def _lookup_limit() -> str:
    return current_app.config.get("QUIZAPP_CERTIFICATE_LOOKUP_LIMIT", "30 per minute")


def _base_url() -> str:
    return current_app.config.get("QUIZAPP_BASE_URL") or request.host_url


# --- public verification -----------------------------------------------------------------------------------

class CodeForm(FlaskForm):
    code = StringField(_l("Mã xác minh"), validators=[DataRequired(_l("Cần nhập mã xác minh in trên giấy."))],
                       render_kw={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"})


@bp.route("/xac-minh", methods=["GET", "POST"])
@limiter.limit(_lookup_limit, methods=["POST"])
def lookup():
    """A form to type the code printed on a certificate."""
    form = CodeForm()
    if form.validate_on_submit():
        code = paper.normalize_code(form.code.data)
        if code is not None:
            return redirect(url_for("certificates.verify", code=code))
        form.code.errors.append(_("Mã xác minh gồm %(n)d chữ và số (ví dụ ABCDE-12345); hãy kiểm tra lại.",
                                  n=paper.CODE_LENGTH))
    return render_template("certificates/lookup.html", form=form), 422 if form.errors else 200


@bp.get("/xac-minh/<code>")
@limiter.limit(_lookup_limit)
def verify(code: str):
    """Whether the certificate with ``code`` is genuine, revoked, or unknown (404)."""
    found = service.verify(code, now=utcnow())
    if found is None:
        return render_template("certificates/not_found.html", form=CodeForm(formdata=None), code=code), 404
    return render_template("certificates/verify.html", found=found, code=paper.format_code(found.code),
                           form=CodeForm(formdata=None),
                           title=STATUS_TITLES[found.status], reason=STATUS_REASONS[found.status])


# --- downloads ---------------------------------------------------------------------------------------------

def _pdf(pages: list[Certificate], contest_id: int, name: str):
    buffer = io.BytesIO()
    service.render(pages, service.template_for(contest_id), buffer)
    buffer.seek(0)
    return send_file(buffer, mimetype="application/pdf", as_attachment=True, download_name=name)


def _round(round_id: int) -> Round:
    return db.session.get(Round, round_id) or abort(404)


@bp.get("/rounds/<int:round_id>/certificates.pdf")
@roles_required(Role.JUDGE, Role.ORGANIZER)
def round_pdf(round_id: int):
    """Every individual prize of the round (``?collectives=1``: the contest's collective prizes), one page each."""
    round_ = _round(round_id)
    try:
        if request.args.get("collectives"):
            pages = service.collective_certificates(round_.contest, base_url=_base_url(), now=utcnow())
        else:
            pages = service.round_certificates(round_, base_url=_base_url(), now=utcnow())
        if not pages:
            raise CertificateError("no_prizes")
    except CertificateError as error:
        flash(certificate_error_message(error), "error")
        if current_user.has_role(Role.JUDGE):
            return redirect(url_for("judge.round_ranking", round_id=round_.id))
        return redirect(url_for("certificates.template", contest_id=round_.contest_id))
    kind = "tap-the" if request.args.get("collectives") else f"dot-{round_.id}"
    return _pdf(pages, round_.contest_id, f"giay-chung-nhan-{kind}.pdf")


@bp.get("/rounds/<int:round_id>/my-certificate.pdf")
@login_required
def my_certificate(round_id: int):
    """The signed-in participant's own certificate of the round; 404 when they hold no prize in its final results."""
    round_ = _round(round_id)
    if not service.holds_prize(round_, current_user.id):
        abort(404)
    pages = service.round_certificates(round_, base_url=_base_url(), now=utcnow(), user_id=current_user.id)
    return _pdf(pages, round_.contest_id, f"giay-chung-nhan-dot-{round_.id}.pdf")


# --- the organizer's template ------------------------------------------------------------------------------

class TemplateForm(FlaskForm):
    heading = SelectField(_l("Tiêu đề"), choices=[(h, h) for h in paper.HEADINGS])
    issuing_body = StringField(_l("Cơ quan cấp"), validators=[
        DataRequired(_l("Cần ghi cơ quan cấp giấy chứng nhận.")), Length(max=200)])
    decision_number = StringField(_l("Số quyết định khen thưởng"), validators=[Optional(), Length(max=60)])
    decision_date = DateField(_l("Ngày quyết định"), validators=[Optional()])
    place = StringField(_l("Địa danh"), validators=[Optional(), Length(max=100)])
    intro = StringField(_l("Dòng chữ trước tên người nhận"), validators=[Optional(), Length(max=300)])
    signer_title = StringField(_l("Chức vụ người ký"), validators=[
        DataRequired(_l("Cần ghi chức vụ người ký.")), Length(max=100)])
    signer_name = StringField(_l("Họ và tên người ký"), validators=[Optional(), Length(max=100)])
    logo = FileField(_l("Biểu trưng (PNG hoặc JPEG, tối đa 512 KB)"))
    remove_logo = BooleanField(_l("Bỏ biểu trưng đang dùng"))


@bp.route("/organizer/contests/<int:contest_id>/certificates", methods=["GET", "POST"])
@roles_required(Role.ORGANIZER)
def template(contest_id: int):
    contest = db.session.get(Contest, contest_id) or abort(404)
    form = TemplateForm(data=service.template_form_data(contest.id))
    if form.validate_on_submit():
        upload = form.logo.data
        logo = upload.read() if upload and getattr(upload, "filename", "") else None
        values = Template(**{name: (getattr(form, name).data or "") for name in service.TEXT_FIELDS},
                          decision_date=form.decision_date.data)
        try:
            service.save_template(contest, values, logo=logo, remove_logo=form.remove_logo.data, actor=current_user,
                                  now=utcnow())
        except CertificateError as error:
            form.logo.errors = [*form.logo.errors, certificate_error_message(error)]
        else:
            flash(_("Đã lưu mẫu giấy chứng nhận của cuộc thi."), "success")
            return redirect(url_for("certificates.template", contest_id=contest.id))
    return render_template("certificates/template.html", contest=contest, form=form,
                           has_logo=service.has_logo(contest.id),
                           rounds=contest.rounds), 422 if form.errors else 200


@bp.get("/organizer/contests/<int:contest_id>/certificates/preview.pdf")
@roles_required(Role.ORGANIZER, Role.JUDGE)
def preview(contest_id: int):
    """One sample page with the saved template (no code is issued: the sample's code verifies nothing)."""
    contest = db.session.get(Contest, contest_id) or abort(404)
    round_name = contest.rounds[0].name if contest.rounds else None
    sample = Certificate(code=SAMPLE_CODE, recipient="Nguyễn Thị Ánh Tuyết",
                         unit="Chi bộ Khu dân cư số 1, Phường Ba Đình, Thành phố Hà Nội", prize="Giải Khuyến khích",
                         round_name=round_name, contest_title=contest.title,
                         url=paper.verification_url(_base_url(), SAMPLE_CODE))
    buffer = io.BytesIO()
    service.render([sample], service.template_for(contest.id), buffer)
    buffer.seek(0)
    return send_file(buffer, mimetype="application/pdf",
                     download_name=f"mau-giay-chung-nhan-{contest.id}.pdf")
