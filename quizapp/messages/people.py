"""Words of the organizer's participant console: taken contact details, merge refusals, import problems."""

from __future__ import annotations

from flask_babel import gettext as _

from quizapp.domain.registration import CATEGORIES
from quizapp.messages.files import describe
from quizapp.services.account_merge import MergeError
from quizapp.services.participant_import import RowProblem


def taken_message(field: str, name: str) -> str:
    """A phone, email or citizen ID that already belongs to another account, naming its holder."""
    messages = {
        "phone": _("Số điện thoại này đã thuộc về %(name)s.", name=name),
        "email": _("Email này đã thuộc về %(name)s.", name=name),
        "id_number": _("Số căn cước công dân này đã thuộc về %(name)s.", name=name),
    }
    return messages.get(field, name)


def merge_refusal(code: str, rounds: list[str]) -> str:
    names = ", ".join(f"«{name}»" for name in rounds)
    messages = {
        "both_in_results": _("Cả hai tài khoản đều có trong kết quả đã chốt của %(rounds)s: gộp lại thì bảng xếp "
                             "hạng đã công bố có một người hai lần. Hãy mở lại kết quả đợt thi đó trước.",
                             rounds=names),
        "both_in_progress": _("Cả hai tài khoản đang làm bài trong %(rounds)s. Hãy chờ các lượt thi này kết thúc.",
                              rounds=names),
        "both_erasure_pending": _("Cả hai tài khoản đều có yêu cầu xóa dữ liệu đang chờ. Hãy xử lý một yêu cầu "
                                  "trước."),
    }
    return messages.get(code, code)


def merge_error_message(error: MergeError) -> list[str]:
    """The sentences of a refused merge, one per conflict."""
    if error.code == "conflicts":
        return [merge_refusal(code, rounds) for code, rounds in error.data.get("refusals", [])]
    if error.code == "outside_scope":
        if error.data.get("which") == "keep":
            return [_("Tài khoản giữ lại (#%(id)s) thuộc đơn vị ngoài phạm vi bạn phụ trách; không gộp được.",
                      id=error.data.get("user_id"))]
        return [_("Tài khoản cần gộp (#%(id)s) thuộc đơn vị ngoài phạm vi bạn phụ trách (hoặc không thuộc đơn vị "
                  "nào); không gộp được.", id=error.data.get("user_id"))]
    messages = {
        "same_account": _("Hãy chọn một tài khoản khác với tài khoản này."),
        "not_participant": _("Chỉ gộp được tài khoản thí sinh."),
        "already_merged": _("Một trong hai tài khoản đã được gộp trước đó."),
        "not_found": _("Không tìm thấy tài khoản này."),
        "erased": _("Dữ liệu cá nhân của một trong hai tài khoản đã bị xóa theo yêu cầu; không gộp được."),
    }
    return [messages.get(error.code, error.code)]


def import_problem_message(problem: RowProblem) -> str:
    """One sentence for a refused import's problem, its row and column first."""
    if problem.code == "file" and problem.problem is not None:
        return describe(problem.problem)
    from quizapp.messages.participants import field_label, registration_message

    label = field_label(problem.field) if problem.field else ""
    whole = {
        "no_header": _("Không tìm thấy dòng tiêu đề: cần có cột «Họ và tên» trong mười dòng đầu."),
        "missing_header": _("Dòng %(line)s: thiếu cột «%(label)s».", line=problem.line, label=label),
        "no_rows": _("Tệp không có thí sinh nào."),
        "too_many_rows": _("Tệp có %(count)s thí sinh, nhiều hơn mức %(limit)s của một lần nhập. Hãy chia tệp "
                           "theo đơn vị.", count=problem.data.get("count"), limit=problem.data.get("limit")),
    }
    if problem.code in whole:
        return whole[problem.code]
    reasons = {
        "unknown_category": _("đối tượng không có trong danh sách (%(names)s).",
                              names=", ".join(_(name) for name in CATEGORIES)),
        "unknown_unit": _("không có đơn vị mã «%(code)s» trong cây đơn vị.", code=problem.data.get("code")),
        "duplicate_in_file": _("trùng với dòng %(first)s của tệp.", first=problem.data.get("first_line")),
        "taken": _("đã thuộc về tài khoản %(name)s (#%(id)s).", name=problem.data.get("name"),
                   id=problem.data.get("user_id")) if problem.data.get("user_id") else
        _("đã được dùng cho một tài khoản khác, thuộc đơn vị ngoài phạm vi bạn phụ trách."),
        "unit_outside_scope": _("đơn vị mã «%(code)s» nằm ngoài phạm vi bạn phụ trách.",
                                code=problem.data.get("code")),
    }
    reason = reasons.get(problem.code) or registration_message(problem.code)
    return _("Dòng %(line)s, cột «%(column)s»: %(reason)s", line=problem.line, column=problem.column or label,
             reason=reason[:1].lower() + reason[1:] if problem.code not in reasons else reason)
