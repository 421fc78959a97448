"""Problems found in uploaded files (question banks, unit trees), in words for the organizer.

The domain reports a problem as a code, a place and values; this module, at the edge, writes the sentence.
Source strings are Vietnamese (the default locale and the msgid language); other languages come from the
translation catalog. Every message is one msgid with named placeholders; ``N_`` marks them for
``pybabel extract`` (one of its default keywords) without translating at import time.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

from flask_babel import format_decimal, gettext

from quizapp.domain.banks import Problem, is_other_type
from quizapp.domain.near_duplicates import Pair as NearPair

if TYPE_CHECKING:
    from quizapp.services.near_duplicates import UploadCheck


def N_(msgid: str) -> str:
    """Mark ``msgid`` for extraction; it is translated later, when a message is written."""
    return msgid


#: code -> untranslated message (the reason; ``describe`` puts the place in front of it).
MESSAGES: dict[str, str] = {
    "file_too_large": N_(
        "tệp nặng %(size_mb)s MB, vượt quá giới hạn %(limit_mb)s MB. Hãy chia thành nhiều tệp nhỏ hơn."
    ),
    "unsupported_format": N_(
        "không nhận tệp “%(extension)s”; hãy dùng một trong các định dạng: %(supported)s."
    ),
    "legacy_xls": N_(
        "đây là tệp Excel 97–2003 (.xls), định dạng cũ không được hỗ trợ. "
        "Hãy mở tệp bằng Excel, chọn Lưu thành (Save As) → Sổ làm việc Excel (.xlsx) rồi tải lên lại."
    ),
    "encrypted_file": N_("tệp Excel được đặt mật khẩu nên không đọc được. Hãy gỡ mật khẩu rồi tải lên lại."),
    "not_a_spreadsheet": N_(
        "tệp có đuôi “%(extension)s” nhưng không phải là bảng tính Excel đọc được "
        "(tệp hỏng hoặc bị đổi đuôi)."
    ),
    "wrong_file_type": N_(
        "tệp có đuôi “%(extension)s” nhưng nội dung là %(detected)s. Hãy lưu lại đúng định dạng rồi tải lên."
    ),
    "unsafe_file": N_(
        "tệp bị từ chối vì cấu trúc bất thường, có thể gây hại "
        "(nén quá mức hoặc có khai báo XML không được phép). "
        "Hãy mở tệp bằng Excel, lưu thành tệp mới rồi tải lên lại."
    ),
    "sheet_too_large": N_(
        "trang tính “%(sheet)s” có dữ liệu trải đến ô %(cell)s, quá rộng để đọc. "
        "Hãy xoá các ô thừa nằm xa vùng dữ liệu."
    ),
    "bad_encoding": N_(
        "có ký tự không đọc được (sai bảng mã). Hãy lưu tệp với bảng mã UTF-8 (Excel: CSV UTF-8)."
    ),
    "unreadable_row": N_("không đọc được dòng này (có thể thiếu dấu ngoặc kép đóng, hoặc ô quá dài)."),
    "no_questions": N_("tệp không có câu hỏi nào."),
    "too_many_questions": N_("tệp có %(count)s câu hỏi, vượt quá giới hạn %(limit)s câu mỗi lần nhập."),
    "too_many_problems": N_("còn nhiều lỗi khác: chỉ liệt kê %(limit)s trong tổng số %(total)s lỗi."),
    "no_header": N_(
        "trang tính “%(sheet)s” có dữ liệu nhưng không có dòng tiêu đề "
        "(dòng có cột “%(anchor)s”) trong 10 dòng đầu."
    ),
    "unknown_header": N_("không nhận ra tiêu đề cột này. Hãy sửa lại cho đúng mẫu hoặc xoá cột."),
    "missing_header": N_("thiếu cột “%(field)s”."),
    "duplicate_header": N_("cột này trùng với cột “%(first_column)s”."),
    "empty_text": N_("nội dung câu hỏi để trống."),
    "too_few_options": N_("câu hỏi có %(count)s phương án; cần ít nhất 2."),
    "too_many_options": N_("câu hỏi có %(count)s phương án; nhiều nhất là %(limit)s."),
    "missing_option": N_("thiếu phương án %(letter)s trong khi đã có phương án sau nó."),
    "missing_answer": N_("chưa có đáp án đúng."),
    "answer_not_an_option": N_("đáp án “%(answer)s” không nằm trong các phương án đã cho (%(letters)s)."),
    "multiple_answers": N_("đáp án “%(answer)s” gồm nhiều phương án; mỗi câu hỏi chỉ có một đáp án đúng."),
    "duplicate_option": N_("phương án %(letter)s trùng với phương án %(first_letter)s."),
    "duplicate_question": N_("câu hỏi trùng với câu ở dòng %(first_line)s."),
    "formula_cell": N_("ô %(cell)s chứa công thức. Hãy thay bằng giá trị (Dán đặc biệt → Giá trị)."),
    "text_too_long": N_("nội dung dài %(length)s ký tự, vượt quá giới hạn %(limit)s ký tự."),
    "unknown_difficulty": N_("mức độ “%(value)s” không hợp lệ; hãy dùng Dễ, Trung bình hoặc Khó."),
    "option_out_of_sequence": N_(
        "phương án này phải là “%(expected)s” nhưng tệp ghi “%(found)s”; "
        "các phương án đi theo thứ tự A, B, C…"
    ),
    "unexpected_line": N_(
        "dòng “%(text)s” không phải phương án (A. …) cũng không phải dòng ANSWER:. "
        "Giữa hai câu hỏi cần một dòng trống."
    ),
    "unsupported_question_type": N_(
        "câu hỏi dạng %(kind)s chưa được hỗ trợ; chỉ nhận câu hỏi nhiều lựa chọn có đúng một đáp án đúng."
    ),
    "unclosed_brace": N_("thiếu dấu “}” đóng phần đáp án."),
    "unknown_text_format": N_(
        "không nhận ra định dạng câu hỏi của tệp “%(extension)s”; đã thử: %(formats)s. "
        "Aiken cần các dòng phương án A., B.… và dòng ANSWER:; GIFT cần phần đáp án {=đúng ~sai}."
    ),
    "no_multiple_choice": N_(
        "tệp không có câu hỏi nhiều lựa chọn một đáp án đúng nào; cả %(count)s câu hỏi đều thuộc dạng khác."
    ),
    "no_units": N_("tệp không có đơn vị nào."),
    "too_many_units": N_("tệp có %(count)s đơn vị, vượt quá giới hạn %(limit)s đơn vị."),
    "missing_code": N_("thiếu mã đơn vị."),
    "duplicate_code": N_("mã đơn vị “%(code)s” trùng với dòng %(first_line)s."),
    "missing_name": N_("thiếu tên đơn vị."),
    "bad_member_count": N_("số thành viên “%(value)s” không phải là số nguyên không âm."),
    "parent_cycle": N_("quan hệ cấp trên tạo thành vòng lặp: %(cycle)s."),
    "missing_bank_name": N_("chưa đặt tên ngân hàng câu hỏi."),
    "conflicts_with_bank": N_(
        "câu hỏi này đã có trong ngân hàng “%(bank)s” (mã %(question_id)s) với phương án, đáp án hoặc thông tin "
        "khác; hãy sửa câu hỏi ngay trong ngân hàng thay vì nhập lại."
    ),
    "unknown_parent": N_("mã cấp trên “%(parent_code)s” không có trong tệp và cũng chưa có trong hệ thống."),
    "invisible_character": N_(
        "tên chứa ký tự không nhìn thấy hoặc ký tự đổi chiều chữ (%(value)s); hãy xóa và gõ lại tên."
    ),
    "too_many_marks": N_(
        "tên có %(count)s dấu chồng lên một chữ (nhiều nhất %(limit)s); hãy gõ lại bằng bộ gõ tiếng Việt."
    ),
    "tree_too_deep": N_(
        "đơn vị “%(value)s” nằm ở cấp %(count)s của cây đơn vị, sâu hơn giới hạn %(limit)s cấp; "
        "hãy kiểm tra lại mã cấp trên."
    ),
}
_DUPLICATE_ON_OTHER_SHEET = N_(
    "câu hỏi trùng với câu ở dòng %(first_line)s của trang tính “%(first_sheet)s”."
)
_SKIPPED = N_("câu hỏi dạng %(kind)s.")
_UNKNOWN_CODE = N_("lỗi không xác định (%(code)s).")
_NO_EXTENSION = N_("(không có đuôi)")

#: the columns a file should have, by field name (``missing_header``, ``no_header``)
FIELD_LABELS: dict[str, str] = {
    "number": N_("STT"),
    "question": N_("Câu hỏi"),
    "answer": N_("Đáp án"),
    "topic": N_("Chủ đề"),
    "difficulty": N_("Mức độ"),
    "explanation": N_("Giải thích"),
    "source": N_("Nguồn"),
    "code": N_("Mã"),
    "name": N_("Tên đơn vị"),
    "parent_code": N_("Mã cấp trên"),
    "member_count": N_("Số thành viên"),
}
#: GIFT question types that are refused (``unsupported_question_type``)
KIND_LABELS: dict[str, str] = {
    "true_false": N_("đúng/sai"),
    "short_answer": N_("trả lời ngắn"),
    "matching": N_("ghép đôi"),
    "numerical": N_("trả lời bằng số"),
    "essay": N_("tự luận"),
    "multiple_correct": N_("nhiều đáp án đúng"),
    "weighted": N_("đáp án tính điểm theo phần trăm"),
    "cloze": N_("nhiều chỗ trống"),
    "description": N_("mô tả (không có phần đáp án {…})"),
    "unknown": N_("không xác định"),
}
#: what a refusal says about its questions of other types (``skip_advice``), by where the file was given and
#: whether other problems must be fixed first
_SKIP_ADVICE: dict[tuple[str, bool], str] = {
    ("cli", False): N_(
        "%(count)s câu hỏi không phải dạng nhiều lựa chọn một đáp án đúng. Để nhập các câu nhiều lựa chọn và bỏ "
        "qua các câu này, chạy lại lệnh với --skip-other-types."
    ),
    ("cli", True): N_(
        "%(count)s câu hỏi không phải dạng nhiều lựa chọn một đáp án đúng: có thể bỏ qua bằng "
        "--skip-other-types, nhưng các lỗi khác phải được sửa trong tệp."
    ),
    ("page", False): N_(
        "%(count)s câu hỏi không phải dạng nhiều lựa chọn một đáp án đúng. Có thể chọn nhập các câu nhiều lựa "
        "chọn và bỏ qua các câu này ở cuối trang."
    ),
    ("page", True): N_(
        "%(count)s câu hỏi không phải dạng nhiều lựa chọn một đáp án đúng: có thể bỏ qua khi nhập, nhưng các "
        "lỗi khác phải được sửa trong tệp rồi tải lên lại."
    ),
}
_COUNTS = ("count", "limit", "total", "length", "size_mb", "limit_mb")
_COLUMNLESS = frozenset({"missing_option", "duplicate_option"})  # the letter is already in the sentence


class _Values(dict[str, object]):
    """Placeholder values; a missing one shows as "?" instead of breaking the page that lists the problems."""

    def __missing__(self, key: str) -> object:
        return "?"


def describe(problem: Problem) -> str:
    """One sentence for ``problem`` in the current locale, place first:
    'Dòng 7, cột Đáp án: đáp án “E” không nằm trong các phương án đã cho (A–D).'"""
    values = _values(problem)
    if problem.code == "duplicate_question" and "first_sheet" in problem.data:
        reason = gettext(_DUPLICATE_ON_OTHER_SHEET) % values
    elif problem.code in MESSAGES:
        reason = gettext(MESSAGES[problem.code]) % values
    else:
        reason = gettext(_UNKNOWN_CODE) % values
    return _placed(problem, values, reason)


def describe_skipped(problem: Problem) -> str:
    """The line for a question of another type that an import leaves out: 'Dòng 5: câu hỏi dạng đúng/sai.'"""
    values = _values(problem)
    return _placed(problem, values, gettext(_SKIPPED) % values)


def _placed(problem: Problem, values: _Values, reason: str) -> str:
    place = _place(problem, values)
    if place is None:
        return reason[:1].upper() + reason[1:]
    return gettext("%(place)s: %(reason)s", place=place, reason=reason)


def describe_all(problems: list[Problem]) -> list[str]:
    """``describe`` for each problem, in order."""
    return [describe(problem) for problem in problems]


def skip_advice(problems: Sequence[Problem], where: str) -> str | None:
    """What a refusal says about its questions of other types (true/false, matching...), naming the choice
    that skips them: the ``--skip-other-types`` flag (``where="cli"``) or the preview's choice
    (``where="page"``); None when the file has none."""
    count = sum(1 for problem in problems if is_other_type(problem))
    if not count:
        return None
    fix_first = count < len(problems)
    return gettext(_SKIP_ADVICE[(where, fix_first)], count=format_decimal(count))


def _values(problem: Problem) -> _Values:
    values = _Values(problem.data)
    values["code"] = problem.code
    values["line"] = problem.line
    values["column"] = problem.column
    for key in _COUNTS:
        if isinstance(values.get(key), int | float):
            values[key] = format_decimal(values[key])
    for key, labels in (("field", FIELD_LABELS), ("anchor", FIELD_LABELS), ("kind", KIND_LABELS)):
        name = problem.data.get(key)
        if isinstance(name, str):
            values[key] = gettext(labels[name]) if name in labels else name
    if problem.data.get("extension") == "":
        values["extension"] = gettext(_NO_EXTENSION)
    return values


def _place(problem: Problem, values: Mapping[str, object]) -> str | None:
    """Where the problem is: sheet (not the first), line, and column or offending line; None: whole file."""
    if problem.line is None:
        return None
    sheet = problem.data.get("sheet")
    column = problem.column if problem.code not in _COLUMNLESS else None
    if "at_line" in problem.data and problem.data["at_line"] != problem.line:
        return gettext("Câu hỏi bắt đầu ở dòng %(line)s, dòng %(at_line)s", **values)
    if sheet is not None and column:
        return gettext("Trang tính “%(sheet)s”, dòng %(line)s, cột %(column)s", **values)
    if sheet is not None:
        return gettext("Trang tính “%(sheet)s”, dòng %(line)s", **values)
    if column:
        return gettext("Dòng %(line)s, cột %(column)s", **values)
    return gettext("Dòng %(line)s", **values)


#: why two questions count as near-duplicates (``quizapp.domain.near_duplicates.REASONS``)
_NEAR_REASONS: dict[str, str] = {
    "same_stem": N_("cùng một câu hỏi (có thể khác chữ hoa, dấu câu hoặc khoảng trắng)."),
    "same_fact": N_("hỏi cùng một điều với cùng đáp án."),
    "gives_away": N_("%(giver)s nêu sẵn đáp án của %(revealed)s."),
}


def near_reason(pair: NearPair, first: str, second: str) -> str:
    """Why the pair was flagged, one sentence; ``first`` and ``second`` name its questions ("câu #12", "dòng 5")
    for the sentence that says which one gives the other's answer away."""
    msgid = _NEAR_REASONS.get(pair.reason, _NEAR_REASONS["same_fact"])
    if pair.reason == "gives_away":
        giver, revealed = (second, first) if pair.revealed == "first" else (first, second)
        text = gettext(msgid, giver=giver, revealed=revealed)
    else:
        text = gettext(msgid)
    return text[:1].upper() + text[1:]


def upload_repeat_lines(check: UploadCheck) -> list[str]:
    """The warnings of ``quizapp banks import`` about what the imported questions repeat of the other banks:
    a heading, then one line per identical or near-duplicate question ([] when there is none)."""
    if not check.identical and not check.near:
        return []
    lines = [gettext("Cảnh báo: %(count)s câu hỏi vừa nhập trùng hoặc gần trùng với câu hỏi đã có (xem và xử lý ở "
                     "trang “Câu hỏi gần trùng nhau”):", count=format_decimal(len(check.identical) + len(check.near)))]
    for same in check.identical:
        lines.append("  - " + gettext("Dòng %(line)s: trùng với câu #%(id)s của ngân hàng “%(bank)s”.",
                                      line=same.question.line, id=same.existing.id, bank=same.existing.bank_name))
    for near in check.near:
        reason = near_reason(near.pair, gettext("câu ở dòng %(line)s", line=near.question.line),
                             gettext("câu #%(id)s", id=near.existing.id))
        lines.append("  - " + gettext(
            "Dòng %(line)s: gần trùng (giống %(similarity)s%%) với câu #%(id)s của ngân hàng “%(bank)s”. %(reason)s",
            line=near.question.line, similarity=near.pair.similarity, id=near.existing.id,
            bank=near.existing.bank_name, reason=reason))
    return lines
