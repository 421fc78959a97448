"""Words for the problems of a contest description (the contest TOML, and the organizer's forms that share its
rules): each problem named by its key and said plainly (Vietnamese msgids; English from the catalog)."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from flask_babel import gettext as _

from quizapp.domain.contests import Audience, SpecProblem
from quizapp.messages.participants import category_label, difficulty_label


def _kinds() -> dict[str, str]:
    return {
        "text": _("chuỗi văn bản trong dấu ngoặc kép"), "integer": _("số nguyên"), "float": _("số thập phân"),
        "boolean": _("true hoặc false"),
        "datetime": _("thời điểm có múi giờ (ví dụ 2026-11-23T00:00:00+07:00)"),
        "date": _("ngày (không có giờ)"), "time": _("giờ (không có ngày)"), "list": _("danh sách"),
        "list_of_tables": _("danh sách các bảng (ví dụ [[rounds]] hoặc [{ ... }, { ... }])"), "table": _("bảng"),
        "list_of_texts": _("danh sách các chuỗi văn bản (ví dụ [\"T01\", \"T02\"])"),
    }


def audience_text(unit_names: Sequence[str], categories: Sequence[str]) -> str:
    """A contest's audience in a line: "Đảng bộ Khối A, Đảng bộ Khối B; đối tượng: Đảng viên" (the whole tree
    or every category when its list is empty)."""
    labels = ", ".join(category_label(category) for category in categories)
    if unit_names and categories:
        return _("%(units)s; đối tượng: %(categories)s", units=", ".join(unit_names), categories=labels)
    if unit_names:
        return ", ".join(unit_names)
    if categories:
        return _("đối tượng %(categories)s", categories=labels)
    return _("mọi người")


def audience_line(audience: Audience) -> str:
    """"Dành cho: ..." for a contest with an audience; '' for one open to everyone."""
    if not audience.limited:
        return ""
    return _("Dành cho: %(audience)s", audience=audience_text([unit.name for unit in audience.units],
                                                               audience.categories))


def _toml_detail(detail: str) -> str:
    """tomllib's English message, in the reader's words when it is a common one."""
    known = {
        "Invalid value": _("giá trị không hợp lệ (văn bản phải đặt trong dấu ngoặc kép)"),
        "Expected '=' after a key in a key/value pair": _("thiếu dấu '=' sau tên khóa"),
        "Cannot overwrite a value": _("khóa này đã được khai báo trước đó"),
        "Unclosed array": _("danh sách chưa được đóng bằng dấu ']'"),
        "Unclosed inline table": _("bảng chưa được đóng bằng dấu '}'"),
        "Unterminated string": _("chuỗi văn bản chưa được đóng bằng dấu ngoặc kép"),
        "Invalid statement": _("dòng không hợp lệ"),
    }
    return known.get(detail, detail)


def _context(problem: SpecProblem) -> str:
    """What the problem is about, for the reader: the round's name and a draw entry's criteria."""
    data = problem.data
    parts = []
    if data.get("round"):
        parts.append(_("đợt «%(name)s»", name=data["round"]))
    if problem.code == "draw_shortfall":
        if data.get("topic"):
            parts.append(_("chủ đề «%(topic)s»", topic=data["topic"]))
        if data.get("bank"):
            parts.append(_("ngân hàng «%(bank)s»", bank=data["bank"]))
        if data.get("difficulty"):
            parts.append(_("mức độ %(level)s", level=difficulty_label(str(data["difficulty"]))))
    return f" ({', '.join(parts)})" if parts else ""


def describe_spec_problem(problem: SpecProblem) -> str:
    """One sentence for a problem: its TOML key, what it is about, and what is wrong (in the reader's locale)."""
    reason = _reason(problem)
    if not problem.key:
        return reason
    return f"{problem.key}{_context(problem)}: {reason}"


def _reason(problem: SpecProblem) -> str:
    """The problems whose words depend on optional data; the rest are in ``_simple_reason``."""
    d = dict(problem.data)
    code = problem.code
    if code == "toml_syntax":
        detail = _toml_detail(str(d.get("detail") or ""))
        if d.get("line"):
            return _("Lỗi cú pháp TOML ở dòng %(line)d, cột %(column)d: %(detail)s.", line=d["line"],
                     column=d["column"], detail=detail)
        return _("Lỗi cú pháp TOML: %(detail)s.", detail=detail)
    if code == "unknown_key":
        text = _("khóa «%(name)s» không được hỗ trợ", name=d["name"])
        if d.get("belongs_to"):
            table = "[[rounds]]" if d["belongs_to"] == "rounds" else "[contest]"
            text += _("; khóa này thuộc bảng %(table)s", table=table)
        elif d.get("suggestion"):
            text += _("; có phải bạn muốn viết «%(suggestion)s»?", suggestion=d["suggestion"])
        return text + ("" if text.endswith("?") else ".")
    if code == "wrong_type":
        kinds = _kinds()
        return _("phải là %(expected)s, nhưng đang là %(found)s.", expected=kinds.get(str(d["expected"])),
                 found=kinds.get(str(d["found"]), d["found"]))
    if code == "out_of_range":
        return _("phải là số nguyên từ %(minimum)d đến %(maximum)d (đang là %(value)d).", **d)
    if code == "not_allowed":
        return _("giá trị «%(value)s» không hợp lệ; chỉ nhận một trong các giá trị: %(allowed)s.",
                 value=d["value"], allowed=", ".join(map(str, d["allowed"])))
    if code == "naive_time":
        return _("thời điểm %(value)s thiếu múi giờ; hãy thêm +07:00 (giờ Việt Nam), ví dụ %(example)s.",
                 value=d["value"], example=f"{d['value']}+07:00")
    if code == "unknown_bank":
        text = _("không có ngân hàng câu hỏi nào tên «%(bank)s»", bank=d["bank"])
        if d.get("suggestion"):
            return text + _("; có phải «%(suggestion)s»?", suggestion=d["suggestion"])
        return text + "."
    if code == "draw_shortfall":
        text = _("cần %(needed)d câu, ngân hàng chỉ có %(available)d câu", needed=d["needed"],
                 available=d["available"])
        if d.get("suggestion"):
            return text + _("; không có câu nào thuộc chủ đề này, có phải «%(suggestion)s»?",
                            suggestion=d["suggestion"])
        return text + "."
    if code in ("unknown_unit", "unknown_category"):
        return _audience_reason(code, d)
    return _simple_reason(code, d)


def _audience_reason(code: str, d: dict[str, object]) -> str:
    if code == "unknown_unit":
        text = _("không có đơn vị nào mã «%(code)s» trong cây đơn vị", code=d["code"])
    else:
        text = _("đối tượng «%(value)s» không có trong danh sách đối tượng dự thi và chưa thí sinh nào đăng ký "
                 "đối tượng này", value=d["value"])
    if d.get("suggestion"):
        return text + _("; có phải «%(suggestion)s»?", suggestion=d["suggestion"])
    return text + "."


def _simple_reason(code: str, d: dict[str, object]) -> str:
    """Problems with one fixed sentence each (built only for the code asked, so missing data cannot break it)."""
    messages: dict[str, Callable[[], str]] = {
        "bad_encoding": lambda: _("Tệp không phải văn bản UTF-8; hãy lưu lại tệp với mã hóa UTF-8."),
        "missing_key": lambda: _("bắt buộc phải có nhưng chưa được khai báo."),
        "empty_text": lambda: _("không được để trống."),
        "text_too_long": lambda: _("dài %(length)s ký tự, tối đa %(limit)s ký tự.", **d),
        "no_rounds": lambda: _("chưa có đợt thi nào; hãy thêm ít nhất một bảng [[rounds]]."),
        "not_a_datetime": lambda: _(
            "«%(value)s» không phải một thời điểm đầy đủ ngày, giờ và múi giờ (ví dụ 2026-11-23T00:00:00+07:00).",
            **d),
        "window_reversed": lambda: _(
            "thời điểm đóng (%(closes_at)s) phải sau thời điểm mở (%(opens_at)s).", **d),
        "round_out_of_order": lambda: _(
            "các đợt thi phải xếp theo thứ tự thời gian, nhưng đợt này mở trước đợt «%(previous)s» "
            "(mở lúc %(previous_opens_at)s).", **d),
        "round_overlaps": lambda: _(
            "đợt này mở trước khi đợt «%(previous)s» đóng (%(previous_closes_at)s); các đợt thi không được "
            "chồng lên nhau.", **d),
        "duplicate_round_name": lambda: _(
            "tên đợt «%(name)s» trùng với %(first)s; mỗi đợt cần một tên riêng.", **d),
        "min_correct_above_question_count": lambda: _(
            "số câu đúng tối thiểu để xét giải (%(value)s) lớn hơn số câu hỏi của đợt (%(question_count)s).", **d),
        "draw_without_selector": lambda: _(
            "mục rút câu hỏi cần ít nhất một điều kiện: topic (chủ đề), bank (ngân hàng) hoặc difficulty (mức độ)."),
        "draw_count_mismatch": lambda: _(
            "tổng số câu của các mục rút (%(total)s) phải bằng question_count (%(question_count)s).", **d),
        "duplicate_prize_name": lambda: _("tên giải «%(name)s» trùng với %(first)s.", **d),
        "duplicate_value": lambda: _("«%(value)s» đã có ở %(first)s; mỗi giá trị chỉ ghi một lần.", **d),
        "draw_pools_overlap": lambda: _(
            "cùng với %(others)s chọn từ những câu hỏi chung (%(shared)s câu thuộc nhiều mục); gộp lại chỉ có "
            "%(union)s câu khác nhau, cần %(needed)s câu. Hãy bớt số câu hoặc thêm điều kiện để tách các mục.",
            shared=d["shared"], union=d["union"], needed=d["needed"],
            others=", ".join(str(key) for key in d["others"])),  # type: ignore[attr-defined]
        "not_enough_questions": lambda: _(
            "cần %(needed)s câu nhưng các ngân hàng chỉ có %(available)s câu đang dùng.", **d),
    }
    message = messages.get(code)
    return message() if message else code


# -- the organizer's contest form (helper "console")

def field_problem_text(problem: SpecProblem) -> str:
    """A problem shown beside the form field it is about: the reason alone, since the field's place already says
    which key, round and draw entry it is."""
    reason = _reason(problem)
    return reason[:1].upper() + reason[1:]


def locked_reason(attempts: int) -> str:
    """Why a field of a round with attempts cannot change (shown beside it)."""
    return _("Đã có %(num)d lượt thi: thay đổi trường này sẽ làm thay đổi kết quả.", num=attempts)


def edit_refusal_text(code: str, data: dict[str, object]) -> str:
    """A change the contest's attempts or the account's scope forbid (``services.contest_editing.EditRefusal``)."""
    if code in _SCOPE_REFUSALS:
        return _SCOPE_REFUSALS[code](data)
    attempts = int(data.get("attempts") or 0)  # type: ignore[call-overload]
    if code == "locked":
        return locked_reason(attempts)
    if code == "closes_earlier":
        return _("Đã có %(num)d lượt thi: chỉ có thể lùi thời điểm đóng muộn hơn.", num=attempts)
    if code == "round_removed":
        return _("Không thể bỏ đợt «%(round)s»: đã có %(num)d lượt thi.", round=data.get("round"), num=attempts)
    return _("Đợt thi này không thuộc cuộc thi đang sửa.")


_SCOPE_REFUSALS: dict[str, Callable[[dict[str, object]], str]] = {
    "audience_required": lambda d: _(
        "Hãy ghi mã đơn vị dự thi: «%(unit)s» hoặc các đơn vị trực thuộc. Cuộc thi dành cho mọi đơn vị do Ban Tổ "
        "chức cấp trên tạo.", unit=d.get("unit", "")),
    "audience_outside_scope": lambda d: _(
        "Đơn vị «%(code)s» không thuộc «%(unit)s»: bạn chỉ tạo được cuộc thi cho đơn vị mình phụ trách hoặc các "
        "đơn vị trực thuộc.", code=d.get("code", ""), unit=d.get("unit", "")),
    "draw_required": lambda d: _(
        "Hãy thêm ít nhất một dòng rút câu hỏi có chọn ngân hàng câu hỏi: để trống sẽ rút từ mọi ngân hàng, kể cả "
        "ngân hàng riêng của đơn vị khác."),
    "draw_bank_required": lambda d: _(
        "Chọn ngân hàng câu hỏi cho dòng này: ngân hàng của đơn vị bạn hoặc ngân hàng dùng chung. Để trống sẽ rút "
        "từ mọi ngân hàng, kể cả ngân hàng riêng của đơn vị khác."),
}


def scope_help(unit_name: str, unit_code: str) -> str:
    """The console's note for an organizer scoped to a unit, beside the audience field."""
    return _("Bạn phụ trách «%(name)s» (mã %(code)s): cuộc thi chỉ dành được cho đơn vị này hoặc các đơn vị trực "
             "thuộc, ghi bằng mã đơn vị.", name=unit_name, code=unit_code)


def notice_problem(code: str, data: dict[str, int]) -> str:
    if code == "too_long":
        return _("Thông báo dài tối đa %(limit)d ký tự.", limit=data["limit"])
    return _("Hãy nhập nội dung thông báo.")
