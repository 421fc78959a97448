"""Forms of the organizer's participant screens: search, edit, hide, merge, import."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import HiddenField, SelectField, StringField, TextAreaField
from wtforms.validators import AnyOf, DataRequired, Length, Optional

from quizapp.domain.registration import CATEGORIES
from quizapp.services.participants import PROFILE_FIELDS


def _at_most(characters: int) -> Length:
    return Length(max=characters, message=_l("Nội dung quá dài (tối đa %(max)d ký tự).", max=characters))


def _categories(first: str) -> list[tuple[str, Any]]:
    return [("", first)] + [(name, _l(name)) for name in CATEGORIES]


class ParticipantSearchForm(FlaskForm):
    class Meta:
        csrf = False  # a GET search changes nothing

    q = StringField(_l("Họ tên, số điện thoại, email, số CCCD hoặc đơn vị"), validators=[Optional(), _at_most(200)],
                    render_kw={"type": "search"})
    unit = StringField(_l("Thuộc đơn vị (mã đơn vị, gồm cả các đơn vị cấp dưới)"),
                       validators=[Optional(), _at_most(50)], render_kw={"autocomplete": "off", "spellcheck": "false"})
    category = SelectField(_l("Đối tượng"), choices=_categories(_l("Tất cả")), validate_choice=False)


class ProfileForm(FlaskForm):
    """The fields of a registration an organizer may correct; ``check_registration`` checks them."""

    full_name = StringField(_l("Họ và tên"), validators=[_at_most(200)])
    phone = StringField(_l("Số điện thoại di động"), validators=[_at_most(30)], render_kw={"type": "tel"})
    email = StringField(_l("Email (không bắt buộc)"), validators=[_at_most(254)], render_kw={"type": "email"})
    unit_code = StringField(_l("Mã đơn vị"), validators=[_at_most(50)],
                            render_kw={"autocomplete": "off", "spellcheck": "false"})
    category = SelectField(_l("Đối tượng (không bắt buộc)"), choices=_categories(_l("— Chọn —")),
                           validate_choice=False,
                           validators=[Optional(), AnyOf(CATEGORIES, message=_l("Hãy chọn một đối tượng trong "
                                                                                 "danh sách."))])
    birth_date = StringField(_l("Ngày sinh (không bắt buộc)"), validators=[_at_most(20)], render_kw={"type": "date"})
    id_number = StringField(_l("Số căn cước công dân (không bắt buộc)"), validators=[_at_most(20)],
                            render_kw={"inputmode": "numeric"})

    def profile_data(self) -> dict[str, Any]:
        return {name: self[name].data for name in PROFILE_FIELDS}


class HideForm(FlaskForm):
    reason = TextAreaField(_l("Lý do ẩn khỏi bảng xếp hạng"), validators=[DataRequired(), _at_most(1000)],
                           render_kw={"placeholder": _l("Ví dụ: tài khoản thử của ban tổ chức")})


class MergeForm(FlaskForm):
    """The other account, by its number (shown on its page) or its phone number."""

    other = StringField(_l("Tài khoản trùng (số tài khoản # hoặc số điện thoại)"),
                        validators=[DataRequired(), _at_most(30)], render_kw={"autocomplete": "off"})


class ConfirmMergeForm(FlaskForm):
    keep_id = HiddenField(validators=[DataRequired()])
    merge_id = HiddenField(validators=[DataRequired()])


class ImportParticipantsForm(FlaskForm):
    file = FileField(_l("Tệp danh sách thí sinh (.xlsx hoặc .csv)"),
                     validators=[FileRequired(_l("Hãy chọn một tệp."))], render_kw={"accept": ".xlsx,.csv"})


class ConfirmParticipantsImportForm(FlaskForm):
    token = HiddenField(validators=[DataRequired(), Length(min=64, max=64)])
    filename = HiddenField(validators=[DataRequired(), Length(max=255)])
