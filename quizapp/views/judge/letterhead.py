"""The letterhead of a contest's documents (issuing body, number, motto, place and date, recipients, signer),
entered once by a judge or an organizer and printed on the results announcement."""

from __future__ import annotations

from dataclasses import asdict

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import DateField, RadioField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from quizapp.models.types import utcnow
from quizapp.services.contests import get_contest
from quizapp.services.letterheads import LetterheadValues, letterhead_values, save_letterhead
from quizapp.views.judge import bp


class LetterheadForm(FlaskForm):
    superior_body = StringField(_l("Cơ quan cấp trên (nếu có)"), validators=[Optional(), Length(max=200)])
    issuing_body = StringField(_l("Cơ quan ban hành"),
                               validators=[DataRequired(_l("Cần ghi cơ quan ban hành.")), Length(max=200)])
    motto = RadioField(_l("Góc phải phía trên"), choices=[
        ("state", _l("Quốc hiệu và tiêu ngữ (cơ quan nhà nước, đoàn thể, trường học)")),
        ("party", _l("«ĐẢNG CỘNG SẢN VIỆT NAM» (cơ quan, tổ chức của Đảng)"))], default="state")
    document_number = StringField(_l("Số, ký hiệu"), validators=[Optional(), Length(max=60)])
    place = StringField(_l("Địa danh"), validators=[Optional(), Length(max=100)])
    signed_on = DateField(_l("Ngày ban hành"), validators=[Optional()])
    opening = TextAreaField(_l("Phần mở đầu"), validators=[Optional(), Length(max=5000)], render_kw={"rows": 4})
    recipients = TextAreaField(_l("Nơi nhận (mỗi dòng một nơi)"), validators=[Optional(), Length(max=2000)],
                               render_kw={"rows": 4})
    signing_capacity = StringField(_l("Thẩm quyền ký"), validators=[Optional(), Length(max=100)])
    signer_title = StringField(_l("Chức vụ người ký"), validators=[Optional(), Length(max=100)])
    signer_name = StringField(_l("Họ và tên người ký"),
                              validators=[DataRequired(_l("Cần ghi họ và tên người ký.")), Length(max=100)])


@bp.route("/contests/<int:contest_id>/letterhead", methods=["GET", "POST"])
def letterhead(contest_id: int):
    contest = get_contest(contest_id) or abort(404)
    form = LetterheadForm(data=asdict(letterhead_values(contest.id)))
    if form.validate_on_submit():
        values = LetterheadValues(**{name: getattr(form, name).data or ("" if name != "signed_on" else None)
                                     for name in LetterheadValues.__dataclass_fields__})
        save_letterhead(contest, values, actor=current_user, now=utcnow())
        flash(_("Đã lưu thông tin văn bản của cuộc thi."), "success")
        return redirect(url_for("judge.announcement", contest_id=contest.id))
    return render_template("judge/letterhead.html", contest=contest, form=form), 422 if form.errors else 200
