"""The contest form: its fields, the mapping it builds in the shape of the contest TOML (read by
``quizapp.domain.contests.read_contest``, the one validation), the form's data from a ContestSpec, and each
problem's TOML path (``rounds[1].draw[0].count``) turned back into the form field it is about."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, FieldList, Form, FormField, HiddenField, SelectField, StringField, TextAreaField
from wtforms.fields.core import Field

from quizapp.domain.contests import ContestSpec
from quizapp.models.types import parse_id
from quizapp.services.contests import VIETNAM

DATETIME_INPUT = "%Y-%m-%dT%H:%M"
NUMBER = {"inputmode": "numeric", "type": "number"}
METRIC_CHOICES = [("participation_rate", _l("Tỷ lệ tham gia")), ("participants", _l("Số người dự thi")),
                  ("attempts", _l("Số lượt thi")), ("average_score", _l("Điểm trung bình"))]
PREDICTION_CHOICES = [("perfect_scores", _l("Số người trả lời đúng tất cả (tính tự động)")),
                      ("participants", _l("Số người dự thi (tính tự động)")),
                      ("attempts", _l("Số lượt thi (tính tự động)")), ("manual", _l("Ban tổ chức nhập"))]
REVIEW_CHOICES = [("after_close", _l("Sau khi đợt thi đóng")), ("after_submit", _l("Sau lượt thi cuối của mình")),
                  ("never", _l("Không bao giờ"))]
DIFFICULTY_CHOICES = [("", _l("— mọi mức độ —")), ("easy", _l("Dễ")), ("medium", _l("Trung bình")),
                      ("hard", _l("Khó"))]
#: Empty rows offered beyond those filled, so that the form works without JavaScript.
SPARE_DRAWS, SPARE_PRIZES = 2, 2


class PrizeRowForm(Form):
    WATCHED = ("name", "count")
    name = StringField(_l("Tên giải"))
    count = StringField(_l("Số giải"), render_kw=NUMBER)


class DrawRowForm(Form):
    WATCHED = ("topic", "bank", "difficulty", "count")
    topic = StringField(_l("Chủ đề"), render_kw={"list": "draw-topics", "autocomplete": "off"})
    bank = StringField(_l("Ngân hàng"), render_kw={"list": "draw-banks", "autocomplete": "off"})
    difficulty = SelectField(_l("Mức độ"), choices=DIFFICULTY_CHOICES, validate_choice=False)
    count = StringField(_l("Số câu"), render_kw=NUMBER)


class RoundForm(Form):
    WATCHED = ("id", "name", "opens_at", "closes_at", "question_count", "time_limit_seconds", "prediction_question")
    id = HiddenField()
    name = StringField(_l("Tên đợt"))
    opens_at = StringField(_l("Mở lúc (giờ Việt Nam)"), render_kw={"type": "datetime-local", "step": "1"})
    closes_at = StringField(_l("Đóng lúc (giờ Việt Nam)"), render_kw={"type": "datetime-local", "step": "1"})
    question_count = StringField(_l("Số câu hỏi"), render_kw=NUMBER)
    time_limit_seconds = StringField(_l("Thời gian làm bài (giây)"), render_kw=NUMBER)
    grace_seconds = StringField(_l("Thời gian chờ mạng sau hạn nộp (giây)"), default="10", render_kw=NUMBER)
    max_attempts = StringField(_l("Số lượt thi tối đa mỗi người"), default="1", render_kw=NUMBER)
    draw = FieldList(FormField(DrawRowForm), label=_l("Cách rút câu hỏi"))
    prediction_question = TextAreaField(_l("Câu hỏi dự đoán"))
    prediction_answer = SelectField(_l("Đáp án câu dự đoán"), choices=PREDICTION_CHOICES, validate_choice=False)
    min_correct_for_prize = StringField(_l("Số câu đúng tối thiểu để xét giải"), default="0", render_kw=NUMBER)
    review = SelectField(_l("Thí sinh xem đáp án"), choices=REVIEW_CHOICES, validate_choice=False)
    prizes = FieldList(FormField(PrizeRowForm), label=_l("Giải thưởng của đợt"))


class ContestForm(FlaskForm):
    title = StringField(_l("Tên cuộc thi"))
    rules = TextAreaField(_l("Thể lệ"), render_kw={"rows": 10})
    one_prize_per_contest = BooleanField(_l("Mỗi người chỉ nhận tối đa một giải trong cả cuộc thi"))
    collective_level = StringField(_l("Cấp xếp hạng tập thể (gốc của cây là cấp 1)"), default="2",
                                   render_kw=NUMBER)
    collective_metric = SelectField(_l("Tiêu chí xếp hạng tập thể"), choices=METRIC_CHOICES, validate_choice=False)
    collective_prizes = FieldList(FormField(PrizeRowForm), label=_l("Giải tập thể"))
    audience = StringField(_l("Dành cho các đơn vị (mã đơn vị, cách nhau bởi dấu phẩy; để trống: mọi đơn vị)"),
                           render_kw={"autocomplete": "off"})
    audience_categories = StringField(_l("Dành cho các đối tượng (cách nhau bởi dấu phẩy; để trống: mọi đối tượng)"))
    rounds = FieldList(FormField(RoundForm))
    #: the name of the list an "add a row" button asks to grow (the page without JavaScript)
    add_row = HiddenField()


class NoticeForm(FlaskForm):
    text = TextAreaField(_l("Nội dung thông báo"), render_kw={"rows": 2, "maxlength": 500})


# -- the form's data from a contest, and spare rows


def _moment(value: datetime) -> str:
    """A datetime-local value in Vietnam time, with its seconds when it has any (23:59:59 is a common close):
    dropping them would move the round's window on every save."""
    local = value.astimezone(VIETNAM)
    return local.strftime(DATETIME_INPUT + (":%S" if local.second else ""))


def form_data(spec: ContestSpec, round_ids: list[int | None]) -> dict[str, Any]:
    """The form's data for a contest as its spec describes it."""
    prizes = [{"name": p.name, "count": str(p.count)} for p in spec.collective_prizes]
    return {
        "title": spec.title, "rules": spec.rules, "one_prize_per_contest": spec.one_prize_per_contest,
        "collective_level": str(spec.collective_level), "collective_metric": spec.collective_metric,
        "collective_prizes": prizes, "audience": ", ".join(spec.audience),
        "audience_categories": ", ".join(spec.audience_categories),
        "rounds": [{
            "id": str(rid) if rid else "", "name": r.name, "opens_at": _moment(r.opens_at),
            "closes_at": _moment(r.closes_at), "question_count": str(r.question_count),
            "time_limit_seconds": str(r.time_limit_seconds), "grace_seconds": str(r.grace_seconds),
            "max_attempts": str(r.max_attempts), "prediction_question": r.prediction_question or "",
            "prediction_answer": r.prediction_answer, "min_correct_for_prize": str(r.min_correct_for_prize),
            "review": r.review,
            "draw": [{"topic": d.topic or "", "bank": d.bank or "", "difficulty": d.difficulty or "",
                      "count": str(d.count)} for d in r.draw],
            "prizes": [{"name": p.name, "count": str(p.count)} for p in r.prizes],
        } for rid, r in zip(round_ids, spec.rounds, strict=True)],
    }


def add_spare_rows(form: ContestForm) -> None:
    """At least one round, and empty draw and prize rows to fill, as the page without JavaScript needs."""
    if not form.rounds.entries:
        form.rounds.append_entry()
    _pad(form.collective_prizes, SPARE_PRIZES)
    for round_form in form.rounds:
        _pad(round_form.draw, SPARE_DRAWS)
        _pad(round_form.prizes, SPARE_PRIZES)


def _pad(rows: FieldList, spare: int) -> None:
    empty = sum(1 for row in rows if _blank(row.form))
    for _ in range(max(0, spare - empty)):
        rows.append_entry()


def grow(form: ContestForm, which: str) -> bool:
    """One more row in the list named by an "add a row" button (``rounds``, ``collective_prizes``,
    ``rounds-0-draw``, ``rounds-0-prizes``); False for a name that is none of them."""
    lists = {"rounds": form.rounds, "collective_prizes": form.collective_prizes}
    for round_form in form.rounds:
        lists[round_form.draw.name] = round_form.draw
        lists[round_form.prizes.name] = round_form.prizes
    if which not in lists:
        return False
    lists[which].append_entry()
    return True


# -- the mapping read by read_contest


@dataclass
class Built:
    """The contest mapping and, for each TOML path, the form field it came from; ``round_ids`` the id of the
    existing round each mapping round edits (None: new)."""

    mapping: dict[str, Any]
    fields: dict[str, Field] = field(default_factory=dict)
    round_ids: list[int | None] = field(default_factory=list)


def _text(value: Any) -> str:
    return (value or "").strip() if isinstance(value, str) else ""


def _blank(subform: Form) -> bool:
    """A row the organizer left empty (its fields with defaults are not counted): it is left out."""
    return all(not _text(subform[name].data) for name in subform.WATCHED)


def _number(value: str) -> int | str:
    """An integer when the text is one; otherwise the text, which read_contest names as the wrong type."""
    return int(value) if re.fullmatch(r"[+-]?\d{1,9}", value) else value


def _when(value: str) -> datetime | str:
    """A datetime-local input ("2026-11-23T00:00") is Vietnam time; any other text goes as written."""
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return value
    return moment if moment.tzinfo else moment.replace(tzinfo=VIETNAM)


def _put(built: Built, table: dict[str, Any], key: str, path: str, form_field: Field, value: Any) -> None:
    table[key] = value
    built.fields[f"{path}.{key}"] = form_field


def _integer(built: Built, table: dict[str, Any], key: str, path: str, form_field: Field) -> None:
    text = _text(form_field.data)
    built.fields[f"{path}.{key}"] = form_field
    if text:
        table[key] = _number(text)


def _prizes(built: Built, rows: FieldList, path: str) -> list[dict[str, Any]]:
    built.fields[path] = rows
    result: list[dict[str, Any]] = []
    for row in rows:
        if _blank(row.form):
            continue
        key = f"{path}[{len(result)}]"
        entry: dict[str, Any] = {}
        built.fields[key] = row
        _put(built, entry, "name", key, row.form.name, _text(row.form.name.data))
        _integer(built, entry, "count", key, row.form.count)
        result.append(entry)
    return result


def _draws(built: Built, rows: FieldList, path: str) -> list[dict[str, Any]]:
    built.fields[path] = rows
    result: list[dict[str, Any]] = []
    for row in rows:
        if _blank(row.form):
            continue
        key = f"{path}[{len(result)}]"
        entry: dict[str, Any] = {}
        built.fields[key] = row
        for name in ("topic", "bank", "difficulty"):
            built.fields[f"{key}.{name}"] = row.form[name]
            if _text(row.form[name].data):
                entry[name] = _text(row.form[name].data)
        _integer(built, entry, "count", key, row.form.count)
        result.append(entry)
    return result


def _round(built: Built, form: RoundForm, path: str) -> dict[str, Any]:
    table: dict[str, Any] = {}
    built.fields[path] = form
    _put(built, table, "name", path, form.name, _text(form.name.data))
    for key in ("opens_at", "closes_at"):
        built.fields[f"{path}.{key}"] = form[key]
        if _text(form[key].data):
            table[key] = _when(_text(form[key].data))
    for key in ("question_count", "time_limit_seconds", "grace_seconds", "max_attempts", "min_correct_for_prize"):
        _integer(built, table, key, path, form[key])
    built.fields[f"{path}.prediction_question"] = form.prediction_question
    if _text(form.prediction_question.data):
        table["prediction_question"] = _text(form.prediction_question.data)
    for key in ("prediction_answer", "review"):
        _put(built, table, key, path, form[key], _text(form[key].data))
    draws = _draws(built, form.draw, f"{path}.draw")
    if draws:
        table["draw"] = draws
    table["prizes"] = _prizes(built, form.prizes, f"{path}.prizes")
    return table


def _codes(value: Any) -> list[str]:
    return [part.strip() for part in re.split(r"[,;\n]", _text(value)) if part.strip()]


def build_mapping(form: ContestForm) -> Built:
    """The contest as the TOML parser reads it, from what the form holds (blank rows left out)."""
    built = Built({"contest": {}, "rounds": []})
    contest = built.mapping["contest"]
    _put(built, contest, "title", "contest", form.title, _text(form.title.data))
    if _text(form.rules.data):
        _put(built, contest, "rules", "contest", form.rules, form.rules.data.replace("\r\n", "\n").strip())
    built.fields["contest.rules"] = form.rules
    _put(built, contest, "one_prize_per_contest", "contest", form.one_prize_per_contest,
         bool(form.one_prize_per_contest.data))
    _integer(built, contest, "collective_level", "contest", form.collective_level)
    _put(built, contest, "collective_metric", "contest", form.collective_metric, _text(form.collective_metric.data))
    contest["collective_prizes"] = _prizes(built, form.collective_prizes, "contest.collective_prizes")
    for key in ("audience", "audience_categories"):
        _put(built, contest, key, "contest", form[key], _codes(form[key].data))
    built.fields["rounds"] = form.rounds
    for round_form in form.rounds:
        if _blank(round_form.form) and not any(not _blank(r.form) for r in (*round_form.draw, *round_form.prizes)):
            continue
        path = f"rounds[{len(built.mapping['rounds'])}]"
        built.mapping["rounds"].append(_round(built, round_form.form, path))
        built.round_ids.append(parse_id(_text(round_form.form.id.data)))
    return built


def field_for(built: Built, key: str) -> Field | None:
    """The form field a problem's TOML path is about: the path itself, else the nearest enclosing one
    (``rounds[1].draw[0].count`` → that row's count; ``contest.audience[2]`` → the audience field)."""
    while key:
        if key in built.fields:
            return built.fields[key]
        key = re.sub(r"(\.[A-Za-z_]+|\[\d+\])$", "", key) if re.search(r"(\.[A-Za-z_]+|\[\d+\])$", key) else ""
    return None
