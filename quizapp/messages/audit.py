"""The audit log in sentences: what each entry's details mean, in the reader's language.

An entry's ``details`` are stored as data (keys and values chosen by the service that acted); a page shows them
as lines such as "Đáp án đổi từ B sang C" or "10 lượt thi được thêm điểm". A key this module does not know is
shown under a neutral label with its value, never as the key itself.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

from flask_babel import format_datetime
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from quizapp.messages.accounts import ROLE_LABELS
from quizapp.messages.participants import difficulty_label
from quizapp.messages.units import unit_create_lines, unit_edit_lines, unit_merge_lines, unit_move_lines

#: Names the page knows for the ids found in details: ``people`` (user id -> full name), ``rounds`` (round id ->
#: round name).
Names = Mapping[str, Mapping[int, str]]


FIELD_LABELS = {
    "text": _l("Nội dung câu hỏi"), "options": _l("Các phương án"), "correct": _l("Đáp án đúng"),
    "topic": _l("Chủ đề"), "difficulty": _l("Mức độ"), "explanation": _l("Giải thích"), "source": _l("Nguồn"),
}

DOCUMENT_FIELD_LABELS = {
    "superior_body": _l("cơ quan cấp trên"), "issuing_body": _l("cơ quan ban hành"), "motto": _l("quốc hiệu"),
    "document_number": _l("số, ký hiệu"), "place": _l("địa danh"), "signed_on": _l("ngày ban hành"),
    "opening": _l("phần mở đầu"), "recipients": _l("nơi nhận"), "signing_capacity": _l("thẩm quyền ký"),
    "signer_title": _l("chức vụ người ký"), "signer_name": _l("người ký"), "heading": _l("tên giấy"),
    "decision_number": _l("số quyết định"), "decision_date": _l("ngày quyết định"), "intro": _l("lời chứng nhận"),
    "logo": _l("biểu trưng"),
}


def _time(value: object) -> str:
    try:
        return format_datetime(datetime.fromisoformat(str(value)), "HH:mm dd/MM/yyyy")
    except ValueError:
        return str(value)


def _person(user_id: object, names: Names) -> str:
    if isinstance(user_id, int) and user_id in names.get("people", {}):
        return f"{names['people'][user_id]} (#{user_id})"
    return _("tài khoản #%(id)s", id=user_id)


def _rounds(round_ids: object, names: Names) -> str:
    known = names.get("rounds", {})
    ids = round_ids if isinstance(round_ids, list) else []
    return ", ".join(known.get(i, f"#{i}") for i in ids) or _("không có")


def _count(value: object) -> int:
    return value if isinstance(value, int) else 0


def _regrade(d: Mapping[str, Any], names: Names) -> list[str]:
    lines = [_("Câu hỏi #%(id)s: đáp án đổi từ %(old)s sang %(new)s.", id=d.get("question_id"),
               old=d.get("old_answer"), new=d.get("new_answer")),
             _("%(gaining)d lượt thi được thêm điểm, %(losing)d lượt thi bị trừ điểm.",
               gaining=_count(d.get("attempts_gaining")), losing=_count(d.get("attempts_losing")))]
    if "round_ids" in d:
        lines.append(_("Các đợt thi bị ảnh hưởng: %(rounds)s.", rounds=_rounds(d.get("round_ids"), names)))
    return lines


def _finalize(d: Mapping[str, Any], names: Names) -> list[str]:
    lines = [_("%(ranked)d người được xếp hạng, %(excluded)d người không được xếp hạng (bị loại hoặc ẩn).",
               ranked=_count(d.get("ranked")), excluded=_count(d.get("excluded")))]
    if d.get("prediction_actual") is not None:
        lines.append(_("Đáp án câu hỏi dự đoán: %(value)s.", value=d["prediction_actual"]))
    prizes = d.get("prizes")
    if isinstance(prizes, Mapping) and prizes:
        given = "; ".join(_("%(tier)s: %(count)s", tier=tier, count=count) for tier, count in prizes.items())
        lines.append(_("Giải đã trao: %(prizes)s.", prizes=given))
    return lines


def _reopen(d: Mapping[str, Any], names: Names) -> list[str]:
    lines = [_("Kết quả đã được chốt lúc %(time)s bởi %(who)s.", time=_time(d.get("finalized_at")),
               who=_person(d.get("finalized_by_id"), names) if d.get("finalized_by_id") else _("hệ thống"))]
    if isinstance(d.get("prizes"), int):
        lines.append(_("Số giải bị hủy cùng kết quả đã chốt: %(count)d.", count=d["prizes"]))
    return lines


def _close(d: Mapping[str, Any], names: Names) -> list[str]:
    if d.get("already_closed"):
        return [_("Đợt thi đã đóng từ trước, lúc %(time)s.", time=_time(d.get("closed_at")))]
    return [_("Đóng lúc %(time)s; %(count)d lượt thi đang làm được đóng và chấm với các câu trả lời đã lưu.",
              time=_time(d.get("closed_at")), count=_count(d.get("closed_attempts")))]


def _extension(d: Mapping[str, Any], names: Names) -> list[str]:
    lines = [_("Thí sinh: %(person)s.", person=_person(d.get("user_id"), names)),
             _("Thời gian cộng thêm: %(seconds)s giây (trước đó: %(previous)s giây).", seconds=d.get("seconds"),
               previous=d.get("previous_seconds") or 0)]
    if d.get("deadline"):
        lines.append(_("Lượt thi đang làm được gia hạn đến %(time)s.", time=_time(d["deadline"])))
    return lines


def _prediction(d: Mapping[str, Any], names: Names) -> list[str]:
    previous = d.get("previous")
    return [_("Đáp án: %(value)s (trước đó: %(previous)s).", value=d.get("value"),
              previous=_("chưa có") if previous is None else previous)]


def _person_line(d: Mapping[str, Any], names: Names) -> list[str]:
    return [_("Thí sinh: %(person)s.", person=_person(d.get("user_id"), names))]


def _bank_import(d: Mapping[str, Any], names: Names) -> list[str]:
    lines = [_("Tệp %(file)s: %(added)d câu hỏi mới, %(unchanged)d câu đã có.", file=d.get("filename"),
               added=_count(d.get("added")), unchanged=_count(d.get("unchanged")))]
    if d.get("skipped"):
        lines.append(_("Bỏ qua %(count)d câu hỏi dạng khác.", count=_count(d["skipped"])))
    return lines


def _units_import(d: Mapping[str, Any], names: Names) -> list[str]:
    return [_("Tệp %(file)s: %(added)d đơn vị mới, %(updated)d đơn vị cập nhật.", file=d.get("filename"),
              added=_count(d.get("added")), updated=_count(d.get("updated")))]


def _contest(d: Mapping[str, Any], names: Names) -> list[str]:
    rounds = d.get("rounds")
    return [_("Tên: %(title)s; %(count)d đợt thi.", title=d.get("title"),
              count=len(rounds) if isinstance(rounds, list) else 0)]


def _user(d: Mapping[str, Any], names: Names) -> list[str]:
    lines = [_("Vai trò: %(role)s.", role=ROLE_LABELS.get(str(d.get("role")), _("không rõ")))]
    if d.get("unit"):  # a scoped staff account (services.scopes)
        lines.append(_("Phạm vi: đơn vị %(unit)s và các đơn vị trực thuộc.", unit=d["unit"]))
    return lines


def _not_duplicate(d: Mapping[str, Any], names: Names) -> list[str]:
    return [_("Câu hỏi này và câu hỏi #%(other)s được xác nhận là hai câu khác nhau.",
              other=d.get("other_question_id"))]


def _question_edit(d: Mapping[str, Any], names: Names) -> list[str]:
    changes = d.get("changes")
    if not isinstance(changes, list) or not changes:
        return [_("Không ghi lại chi tiết thay đổi (thao tác trước khi có tính năng này).")]
    lines = []
    for change in changes:
        if not isinstance(change, Mapping):
            continue
        field = str(change.get("field"))
        label = FIELD_LABELS.get(field, _l("Trường khác"))
        old, new = change.get("old") or "", change.get("new") or ""
        if field == "difficulty":  # stored as a code (easy, medium, hard): shown in words
            old, new = difficulty_label(str(old)) if old else "", difficulty_label(str(new)) if new else ""
        lines.append(_("%(field)s: «%(old)s» → «%(new)s»", field=label, old=old, new=new))
    return lines


def _document_fields(d: Mapping[str, Any], names: Names) -> list[str]:
    """The fields of a contest's letterhead or certificate template that an edit changed."""
    fields = [str(DOCUMENT_FIELD_LABELS[f]) for f in d.get("fields") or [] if f in DOCUMENT_FIELD_LABELS]
    return [_("Các mục đã sửa: %(fields)s.", fields=", ".join(fields))] if fields else [_("Không có mục nào thay đổi.")]


PROFILE_LABELS = {
    "full_name": _l("Họ và tên"), "phone": _l("Số điện thoại"), "email": _l("Email"), "unit_code": _l("Mã đơn vị"),
    "category": _l("Đối tượng"), "birth_date": _l("Ngày sinh"), "id_number": _l("Số căn cước công dân"),
}


def _profile_edit(d: Mapping[str, Any], names: Names) -> list[str]:
    """Personal data (phone, email, birth date, citizen ID) is recorded as changed, without its values."""
    lines = [_("Thí sinh: %(person)s.", person=_person(d.get("user_id"), names))]
    for change in d.get("changes") or []:
        label = PROFILE_LABELS.get(str(change.get("field")), _l("Trường khác"))
        if "old" in change:
            lines.append(_("%(field)s: «%(old)s» → «%(new)s»", field=label, old=change.get("old") or "",
                           new=change.get("new") or ""))
        else:
            lines.append(_("%(field)s: đã sửa (dữ liệu cá nhân, không ghi giá trị).", field=label))
    return lines


def _people_import(d: Mapping[str, Any], names: Names) -> list[str]:
    return [_("Tệp %(file)s: %(added)d thí sinh mới (mật khẩu lần đầu do hệ thống tạo).", file=d.get("filename"),
              added=_count(d.get("added")))]


def _merge(d: Mapping[str, Any], names: Names) -> list[str]:
    lines = [_("Tài khoản %(merged)s được gộp vào %(kept)s và bị khóa.", merged=_person(d.get("merged_id"), names),
               kept=_person(d.get("user_id"), names)),
             _("Chuyển sang: %(attempts)d lượt thi, %(results)d kết quả đã chốt, %(extensions)d gia hạn, "
               "%(requests)d yêu cầu xóa dữ liệu.", attempts=_count(d.get("attempts")),
               results=_count(d.get("results")), extensions=_count(d.get("extensions")),
               requests=_count(d.get("erasure_requests")))]
    if d.get("renumbered"):
        lines.append(_("Lượt thi được đánh số tiếp sau trong: %(rounds)s.", rounds=", ".join(d["renumbered"])))
    return lines


SETTING_LABELS = {
    "title": _l("Tên cuộc thi"), "rules": _l("Thể lệ"),
    "one_prize_per_contest": _l("Mỗi người một giải cả cuộc thi"),
    "collective_level": _l("Cấp xếp hạng tập thể"), "collective_metric": _l("Tiêu chí xếp hạng tập thể"),
    "collective_prizes": _l("Giải tập thể"), "audience": _l("Đơn vị được dự thi"),
    "audience_categories": _l("Đối tượng được dự thi"), "name": _l("Tên đợt"), "opens_at": _l("Mở lúc"),
    "closes_at": _l("Đóng lúc"), "question_count": _l("Số câu hỏi"),
    "time_limit_seconds": _l("Thời gian làm bài (giây)"), "grace_seconds": _l("Thời gian chờ mạng (giây)"),
    "max_attempts": _l("Số lượt tối đa"), "draw": _l("Cách rút câu hỏi"),
    "prediction_question": _l("Câu hỏi dự đoán"), "prediction_answer": _l("Đáp án câu dự đoán"),
    "min_correct_for_prize": _l("Số câu đúng tối thiểu để đạt giải"), "review": _l("Xem lại bài"),
    "prizes": _l("Cơ cấu giải"),
}
SETTING_VALUES = {
    "participants": _l("số người dự thi"), "attempts": _l("số lượt thi"), "participation_rate": _l("tỷ lệ tham gia"),
    "average_score": _l("điểm trung bình"), "perfect_scores": _l("số người đúng tất cả"), "manual": _l("nhập tay"),
    "never": _l("không cho xem"), "after_submit": _l("sau khi nộp"), "after_close": _l("sau khi đợt thi kết thúc"),
}
TEXT_SHOWN = 80


def _setting_value(value: object) -> str:
    """A contest or round setting as words: a time in Vietnam time, a list of prize tiers or draw rules, yes/no."""
    if isinstance(value, bool):
        return _("có") if value else _("không")
    if isinstance(value, list):
        return "; ".join(_setting_value(item) for item in value) or _("không có")
    if isinstance(value, Mapping):
        what = value.get("name") or value.get("topic") or value.get("bank") or value.get("difficulty") or ""
        return f"{what}: {value.get('count')}" if "count" in value else str(what)
    text = str(value if value is not None else "")
    if text in SETTING_VALUES:
        return str(SETTING_VALUES[text])
    if len(text) >= 19 and text[4:5] == "-" and text[10:11] == "T":
        return _time(text)
    return text if len(text) <= TEXT_SHOWN else text[:TEXT_SHOWN] + "…"


def _settings_changes(d: Mapping[str, Any], names: Names) -> list[str]:
    lines = []
    for change in d.get("changes") or []:
        if isinstance(change, Mapping):
            label = SETTING_LABELS.get(str(change.get("field")), _l("Trường khác"))
            lines.append(_("%(field)s: «%(old)s» → «%(new)s»", field=label, old=_setting_value(change.get("old")),
                           new=_setting_value(change.get("new"))))
    return lines


def _round_created(d: Mapping[str, Any], names: Names) -> list[str]:
    return [_("Đợt «%(name)s», từ %(opens)s đến %(closes)s.", name=d.get("name"), opens=_time(d.get("opens_at")),
              closes=_time(d.get("closes_at")))]


def _named(d: Mapping[str, Any], names: Names) -> list[str]:
    return [f"«{d.get('name') or d.get('title') or ''}»"]


def _notice(d: Mapping[str, Any], names: Names) -> list[str]:
    return [_("Thông báo: «%(text)s»", text=_setting_value(d.get("text")))]


DESCRIBERS: dict[str, Callable[[Mapping[str, Any], Names], list[str]]] = {
    "question.regrade": _regrade, "round.regrade": _regrade, "round.finalize": _finalize, "round.reopen": _reopen,
    "round.close": _close, "round.extension": _extension, "round.prediction_actual": _prediction,
    "round.disqualify": _person_line, "round.reinstate": _person_line, "bank.import": _bank_import,
    "units.import": _units_import, "contest.create": _contest, "user.create": _user,
    "question.edit": _question_edit, "user.deactivate": _user, "user.reactivate": _user,
    "contest.letterhead": _document_fields,
    "contest.certificate_template": _document_fields, "contest.edit": _settings_changes,
    "round.edit": _settings_changes, "round.create": _round_created, "round.delete": _named,
    "contest.publish": _named, "contest.unpublish": _named, "contest.notice_post": _notice,
    "contest.notice_remove": _notice, "question.not_duplicate": _not_duplicate,
    "user.edit": _profile_edit, "user.hide": _person_line, "user.unhide": _person_line, "user.merge": _merge,
    "users.import": _people_import,
    "unit.create": unit_create_lines, "unit.edit": unit_edit_lines, "unit.move": unit_move_lines,
    "unit.merge": unit_merge_lines,
}


def _generic(details: Mapping[str, Any], names: Names) -> list[str]:
    """Details of an action this module has no sentence for: each value under a neutral label."""
    lines = []
    for key, value in sorted(details.items()):
        if key == "user_id":
            lines.append(_("Thí sinh: %(person)s.", person=_person(value, names)))
        elif isinstance(value, (str, int, float)) and not isinstance(value, bool):
            label = FIELD_LABELS.get(key)
            lines.append(f"{label}: {value}" if label else _("Chi tiết: %(value)s", value=value))
    return lines


def describe_details(action: str, details: Mapping[str, Any] | None, names: Names) -> list[str]:
    """The entry's details as sentences for the audit page (empty when it has none)."""
    if not details:
        return []
    describer = DESCRIBERS.get(action, _generic)
    try:
        return describer(details, names)
    except (TypeError, ValueError):  # an older entry of another shape: still readable, never a 500
        return _generic(details, names)


def people_named(details_list: list[Mapping[str, Any] | None]) -> set[int]:
    """The user ids mentioned in details (participants, the judge who had finalized), to look up in one query."""
    ids: set[int] = set()
    for details in details_list:
        for key in ("user_id", "finalized_by_id", "merged_id"):
            value = (details or {}).get(key)
            if isinstance(value, int):
                ids.add(value)
    return ids
