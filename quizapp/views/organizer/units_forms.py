"""Forms of the unit tree pages: confirm an import, search, add, edit, move, merge."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, IntegerField, StringField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from quizapp.domain.units import MAX_CODE_LENGTH, MAX_NAME_LENGTH, TreeProblem

_COUNT_LIMIT = 10_000_000
_COUNT_ERRORS = {"message": _l("Số thành viên phải là số nguyên từ 0 đến %(max)s.", max="10.000.000")}


def _member_count(label=None):
    return IntegerField(label or _l("Số thành viên"), default=0,
                        validators=[InputRequired(_l("Hãy nhập số thành viên (0 nếu chưa rõ).")),
                                    NumberRange(min=0, max=_COUNT_LIMIT, **_COUNT_ERRORS)],
                        render_kw={"inputmode": "numeric", "min": 0})


class ConfirmUnitsForm(FlaskForm):
    token = HiddenField(validators=[DataRequired(), Length(min=64, max=64)])
    filename = HiddenField(validators=[DataRequired(), Length(max=255)])


class UnitSearchForm(FlaskForm):
    class Meta:
        csrf = False  # a GET search changes nothing

    q = StringField(_l("Tìm theo tên hoặc mã"), validators=[Optional(), Length(max=200)],
                    render_kw={"type": "search", "autocomplete": "off"})


class AddUnitForm(FlaskForm):
    code = StringField(_l("Mã đơn vị"), validators=[DataRequired(_l("Hãy nhập mã đơn vị.")),
                                                    Length(max=MAX_CODE_LENGTH)], render_kw={"autocomplete": "off"})
    name = StringField(_l("Tên đơn vị"), validators=[DataRequired(_l("Hãy nhập tên đơn vị.")),
                                                     Length(max=MAX_NAME_LENGTH)])
    parent_code = StringField(_l("Mã đơn vị cấp trên"), validators=[Optional(), Length(max=MAX_CODE_LENGTH)],
                              render_kw={"autocomplete": "off"})
    member_count = _member_count()


class EditUnitForm(FlaskForm):
    name = StringField(_l("Tên đơn vị"), validators=[DataRequired(_l("Hãy nhập tên đơn vị.")),
                                                     Length(max=MAX_NAME_LENGTH)])
    member_count = _member_count()


class MoveUnitForm(FlaskForm):
    parent_code = StringField(_l("Mã đơn vị cấp trên mới"), validators=[Optional(), Length(max=MAX_CODE_LENGTH)],
                              render_kw={"autocomplete": "off"})


class MergeUnitForm(FlaskForm):
    target_code = StringField(_l("Mã đơn vị nhận"), validators=[DataRequired(_l("Hãy nhập mã đơn vị sẽ nhận.")),
                                                                Length(max=MAX_CODE_LENGTH)],
                              render_kw={"autocomplete": "off"})


def attach(form: FlaskForm, problems: list[TreeProblem], describe) -> list[str]:
    """Put each problem's sentence beside its field; the sentences of problems about no field are returned."""
    general = []
    for problem in problems:
        field = getattr(form, problem.field, None) if problem.field else None
        if field is None:
            general.append(describe(problem))
        else:
            field.errors = [*field.errors, describe(problem)]
    return general
