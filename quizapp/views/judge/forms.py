"""Forms of the judges' screens. Every form that changes results carries the CSRF token."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from quizapp.domain.bank_export import LETTERS
from quizapp.models.types import parse_id
from quizapp.services.results import MAX_PREDICTION_ACTUAL

REASON_MAX = 1000


def record_id(text: str) -> int:
    """A record id sent as text (query string, hidden field), as :func:`quizapp.models.types.parse_id` reads it;
    else ValueError, which ``request.args.get(name, type=record_id)`` reads as absent."""
    value = parse_id(text)
    if value is None:
        raise ValueError(text)
    return value


def _reason(label, placeholder):
    return TextAreaField(label, validators=[DataRequired(_l("Cần ghi lý do.")), Length(max=REASON_MAX)],
                         render_kw={"placeholder": placeholder, "rows": 2})


class RankingFilterForm(FlaskForm):
    class Meta:
        csrf = False  # a GET filter changes nothing

    unit = StringField(_l("Đơn vị (tên hoặc mã, mọi cấp)"), validators=[Optional(), Length(max=200)],
                       render_kw={"autocomplete": "off"})
    category = SelectField(_l("Đối tượng"), choices=[], validate_choice=False)
    q = StringField(_l("Tên hoặc số điện thoại"), validators=[Optional(), Length(max=200)],
                    render_kw={"type": "search"})


class EntryDecisionForm(FlaskForm):
    """Disqualify or reinstate one participant of the round, with a reason."""

    user_id = HiddenField(validators=[DataRequired()])
    reason = _reason(_l("Lý do"), _l("Ví dụ: dùng nhiều tài khoản trên một thiết bị"))
    next = HiddenField()


class PredictionActualForm(FlaskForm):
    value = IntegerField(_l("Đáp án đúng của câu dự đoán"),
                         validators=[InputRequired(_l("Hãy nhập một số nguyên.")),
                                     NumberRange(min=0, max=MAX_PREDICTION_ACTUAL,
                                                 message=_l("Số phải từ 0 trở lên."))])
    reason = TextAreaField(_l("Ghi chú"), validators=[Optional(), Length(max=REASON_MAX)],
                           render_kw={"rows": 2})


class FinalizeForm(FlaskForm):
    confirm = BooleanField(_l("Tôi xác nhận chốt kết quả: bảng xếp hạng và giải thưởng sẽ được cố định."),
                           validators=[DataRequired(_l("Hãy đánh dấu ô xác nhận để chốt kết quả."))])


class ReopenForm(FlaskForm):
    reason = _reason(_l("Lý do mở lại"), _l("Ví dụ: phát hiện sai đáp án câu 12, cần chấm lại"))


class RegradeForm(FlaskForm):
    answer = SelectField(_l("Đáp án đúng mới"), choices=[(letter, letter) for letter in LETTERS])
    reason = _reason(_l("Lý do chấm lại"), _l("Ví dụ: đáp án gốc nhầm, theo văn bản nguồn là phương án B"))
