"""Forms of the participant's pages: registration, starting an attempt and the attempt's answer sheet."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, IntegerField, PasswordField, RadioField, SelectField, StringField
from wtforms.validators import AnyOf, DataRequired, EqualTo, Length, NumberRange, Optional

from quizapp.domain.registration import CATEGORIES
from quizapp.services.attempts import MAX_PREDICTION

#: The fields a registration hands to ``domain.registration.check_registration`` (which checks them).
REGISTRATION_FIELDS = ("full_name", "phone", "password", "unit_code", "email", "birth_date", "id_number", "category")


def _at_most(characters: int) -> Length:
    return Length(max=characters, message=_l("Nội dung quá dài (tối đa %(max)d ký tự).", max=characters))


class RegisterForm(FlaskForm):
    """What a participant gives. The form only bounds sizes and checks what the domain does not see (the
    password typed twice, the consent); ``check_registration`` checks and normalises the rest."""

    full_name = StringField(_l("Họ và tên"), validators=[_at_most(200)],
                            render_kw={"autocomplete": "name", "autocapitalize": "words"})
    phone = StringField(_l("Số điện thoại di động"), validators=[_at_most(30)],
                        render_kw={"type": "tel", "autocomplete": "tel", "inputmode": "tel"})
    password = PasswordField(_l("Mật khẩu"), validators=[_at_most(200)],
                             render_kw={"autocomplete": "new-password"})
    confirm = PasswordField(_l("Nhập lại mật khẩu"), validators=[
        EqualTo("password", message=_l("Mật khẩu nhập lại không khớp."))], render_kw={"autocomplete": "new-password"})
    unit_code = StringField(_l("Mã đơn vị"), validators=[_at_most(50)],
                            render_kw={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"})
    email = StringField(_l("Email (không bắt buộc)"), validators=[_at_most(254)],
                        render_kw={"type": "email", "autocomplete": "email"})
    birth_date = StringField(_l("Ngày sinh (không bắt buộc)"), validators=[_at_most(20)],
                             render_kw={"type": "date", "autocomplete": "bday"})
    id_number = StringField(_l("Số căn cước công dân (không bắt buộc)"), validators=[_at_most(20)],
                            render_kw={"inputmode": "numeric", "autocomplete": "off"})
    category = SelectField(_l("Đối tượng (không bắt buộc)"),
                           choices=[("", _l("— Chọn —"))] + [(name, _l(name)) for name in CATEGORIES],
                           validate_choice=False,  # WTForms would say it in English
                           validators=[Optional(), AnyOf(CATEGORIES,
                                                         message=_l("Hãy chọn một đối tượng trong danh sách."))])
    consent = BooleanField(
        _l("Tôi đã đọc và đồng ý cho Ban tổ chức thu thập, xử lý dữ liệu cá nhân của tôi cho mục đích trên."),
        validators=[DataRequired(message=_l("Bạn cần đồng ý với việc xử lý dữ liệu cá nhân để đăng ký dự thi."))])

    def registration_data(self) -> dict[str, Any]:
        """The raw values for ``check_registration``."""
        return {name: self[name].data for name in REGISTRATION_FIELDS}


class UnitLookupForm(FlaskForm):
    """The unit search without JavaScript (a GET form)."""

    class Meta:
        csrf = False

    q = StringField(_l("Tên hoặc mã đơn vị"), validators=[Optional(), _at_most(100)],
                    render_kw={"type": "search", "autocomplete": "off"})


class ActionForm(FlaskForm):
    """A button that changes something (start an attempt): only the CSRF token is checked."""


class AnswerSheet(FlaskForm):
    """The attempt's form: one radio group per question (``q<question id>``, made by ``answer_sheet``) and the
    prediction. A question left unanswered is simply absent: submitting never clears a saved answer."""

    prediction = IntegerField(validators=[Optional(), NumberRange(min=0, max=MAX_PREDICTION)],
                              render_kw={"inputmode": "numeric", "min": 0, "step": 1, "autocomplete": "off"})

    def answers(self) -> dict[int, int]:
        """{question id: option id} of the questions answered in this form."""
        return {int(field.name[1:]): field.data for field in self if field.name.startswith("q")
                and isinstance(field, RadioField) and field.data is not None}


def _option_id(value: Any) -> int | None:
    """An option id from the form, or None (nothing chosen, or not a number: the service refuses unknown ids)."""
    if value is None or value == "":
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def answer_sheet(questions: Iterable[Mapping[str, Any]], saved: Mapping[str, int] | None = None,
                 **kwargs: Any) -> AnswerSheet:
    """An ``AnswerSheet`` for these questions (``attempt_payload``'s), filled from the request when it was posted,
    else from the ``saved`` answers ({"<question id>": option id})."""

    class Sheet(AnswerSheet):
        pass

    for question in questions:
        choices = [(option["id"], option["text"]) for option in question["options"]]
        # The service checks that every option belongs to its question; a WTForms choice check would only
        # answer in English.
        setattr(Sheet, f"q{question['id']}", RadioField(choices=choices, coerce=_option_id, validate_choice=False))
    data = {f"q{question_id}": option_id for question_id, option_id in (saved or {}).items()}
    return Sheet(data=data, **kwargs)
