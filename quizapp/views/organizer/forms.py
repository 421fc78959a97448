"""Forms of the organizer screens."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import HiddenField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import AnyOf, DataRequired, Length, NumberRange, Optional, ValidationError

from quizapp.domain.bank_export import LETTERS

DIFFICULTY_CHOICES = [("", _l("— không ghi —")), ("easy", _l("Dễ")), ("medium", _l("Trung bình")),
                      ("hard", _l("Khó"))]


class ActionForm(FlaskForm):
    """A button that changes something: only the CSRF token is checked."""


class UploadBankForm(FlaskForm):
    file = FileField(_l("Tệp câu hỏi"), validators=[FileRequired(_l("Hãy chọn một tệp."))],
                     render_kw={"accept": ".xlsx,.csv,.txt,.gift"})
    bank = StringField(_l("Ngân hàng"), validators=[DataRequired(), Length(max=200)],
                       render_kw={"list": "bank-names", "autocomplete": "off"})
    topic = StringField(_l("Chủ đề mặc định"), validators=[Optional(), Length(max=200)])


class ConfirmImportForm(FlaskForm):
    token = HiddenField(validators=[DataRequired(), Length(min=64, max=64)])
    filename = HiddenField(validators=[DataRequired(), Length(max=255)])
    bank = HiddenField(validators=[DataRequired(), Length(max=200)])
    topic = HiddenField(validators=[Optional(), Length(max=200)])
    #: "1": the organizer chose, on the preview, to import the multiple-choice questions and skip the others
    skip_other_types = HiddenField(validators=[Optional(), AnyOf(["1"])])


class QuestionFilterForm(FlaskForm):
    class Meta:
        csrf = False  # a GET search form changes nothing

    q = StringField(_l("Tìm"), validators=[Optional(), Length(max=200)], render_kw={"type": "search"})
    topic = SelectField(_l("Chủ đề"), choices=[], validate_choice=False)
    difficulty = SelectField(_l("Mức độ"), choices=[("", _l("Tất cả"))] + DIFFICULTY_CHOICES[1:],
                             validate_choice=False)


class QuestionForm(FlaskForm):
    text = TextAreaField(_l("Câu hỏi"), validators=[DataRequired(), Length(max=5000)])
    option_a = TextAreaField("A", validators=[Optional(), Length(max=2000)])
    option_b = TextAreaField("B", validators=[Optional(), Length(max=2000)])
    option_c = TextAreaField("C", validators=[Optional(), Length(max=2000)])
    option_d = TextAreaField("D", validators=[Optional(), Length(max=2000)])
    option_e = TextAreaField("E", validators=[Optional(), Length(max=2000)])
    option_f = TextAreaField("F", validators=[Optional(), Length(max=2000)])
    answer = SelectField(_l("Đáp án đúng"), choices=[(letter, letter) for letter in LETTERS])
    topic = StringField(_l("Chủ đề"), validators=[Optional(), Length(max=200)])
    difficulty = SelectField(_l("Mức độ"), choices=DIFFICULTY_CHOICES)
    explanation = TextAreaField(_l("Giải thích"), validators=[Optional(), Length(max=5000)])
    source = TextAreaField(_l("Nguồn"), validators=[Optional(), Length(max=2000)])

    def option_fields(self):
        return [self.option_a, self.option_b, self.option_c, self.option_d, self.option_e, self.option_f]

    def filled_options(self) -> list[str]:
        return [(f.data or "").strip() for f in self.option_fields() if (f.data or "").strip()]

    def validate_option_a(self, _field) -> None:
        values = [(f.data or "").strip() for f in self.option_fields()]
        while values and not values[-1]:
            values.pop()
        if len(values) < 2:
            raise ValidationError(_l("Cần ít nhất hai phương án (A và B)."))
        if "" in values:
            missing = LETTERS[values.index("")]
            raise ValidationError(_l("Phương án %(letter)s bị bỏ trống giữa các phương án khác.", letter=missing))
        if len({v.casefold() for v in values}) != len(values):
            raise ValidationError(_l("Hai phương án có nội dung trùng nhau."))

    def validate_answer(self, field) -> None:
        if field.data not in tuple(LETTERS):
            return  # not one of the letters: the SelectField has already refused it
        if LETTERS.index(field.data) >= len(self.filled_options()):
            raise ValidationError(_l("Đáp án %(letter)s không nằm trong các phương án đã nhập.", letter=field.data))


class PasswordResetForm(FlaskForm):
    password = StringField(_l("Mật khẩu mới"), validators=[DataRequired(), Length(min=8, max=200)],
                           render_kw={"autocomplete": "new-password"})


class ExtensionForm(FlaskForm):
    round_id = SelectField(_l("Đợt thi"), coerce=int, choices=[])
    minutes = IntegerField(_l("Số phút gia hạn"), validators=[DataRequired(), NumberRange(min=1, max=1440)])
    reason = TextAreaField(_l("Lý do"), validators=[DataRequired(), Length(max=1000)],
                           render_kw={"placeholder": _l("Ví dụ: thí sinh khiếm thị; sự cố mất điện tại điểm thi")})


class UploadUnitsForm(FlaskForm):
    file = FileField(_l("Tệp cây đơn vị (.xlsx hoặc .csv)"), validators=[FileRequired(_l("Hãy chọn một tệp."))],
                     render_kw={"accept": ".xlsx,.csv"})


class UnitFiguresForm(FlaskForm):
    """The contest whose participation the unit tree page shows (a GET form)."""

    class Meta:
        csrf = False  # a GET form changes nothing

    contest = SelectField(_l("Tỷ lệ tham gia của cuộc thi"), coerce=int, choices=[], validate_choice=True)
