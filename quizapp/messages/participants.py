"""Words for participants and accounts: registration and sign-in problems, the refusals of an attempt, fields
of a request, categories and difficulty levels (Vietnamese msgids; English from the catalog)."""

from __future__ import annotations

from flask_babel import gettext as _

from quizapp.services.accounts import AccountError


def account_error_message(error: AccountError) -> str:
    """A staff-account refusal: its codes (invalid_email, password_too_short, email_taken) are registration's."""
    return registration_message(error.code)


def registration_message(code: str) -> str:
    """The sentence for one field's registration problem code."""
    messages = {
        "required": _("Thông tin này là bắt buộc."),
        "too_long": _("Nội dung quá dài."),
        "invalid_phone": _("Số điện thoại di động không hợp lệ (ví dụ đúng: 0912 345 678)."),
        "phone_taken": _("Số điện thoại này đã được đăng ký."),
        "password_too_short": _("Mật khẩu phải có ít nhất 8 ký tự."),
        "unknown_unit": _("Không tìm thấy đơn vị này. Hãy chọn đơn vị trong danh sách."),
        "invalid_email": _("Địa chỉ email không hợp lệ."),
        "email_taken": _("Email này đã được dùng cho một tài khoản khác."),
        "invalid_id_number": _("Số căn cước công dân phải gồm đúng 12 chữ số."),
        "id_number_taken": _("Số căn cước công dân này đã được đăng ký."),
        "invalid_birth_date": _("Ngày sinh không hợp lệ (định dạng NNNN-TT-NN)."),
        "implausible_birth_date": _("Ngày sinh không hợp lý."),
        "invisible_character": _("Có ký tự không nhìn thấy hoặc ký tự đổi chiều chữ (thường do sao chép từ nơi "
                                 "khác). Hãy xóa và gõ lại bằng bàn phím."),
        "too_many_marks": _("Có quá nhiều dấu chồng lên một chữ. Hãy gõ lại bằng bộ gõ tiếng Việt."),
    }
    return messages.get(code, code)


def field_label(name: str) -> str:
    labels = {
        "full_name": _("Họ và tên"), "phone": _("Số điện thoại"), "password": _("Mật khẩu"),
        "unit_code": _("Đơn vị"), "email": _("Email"), "birth_date": _("Ngày sinh"),
        "id_number": _("Số căn cước công dân"), "category": _("Đối tượng"),
    }
    return labels.get(name, name)


def attempt_error_message(code: str, data: dict) -> str:
    """The sentence for an AttemptError code (start, save, submit, extension)."""
    if code == "outside_audience":
        return outside_audience_message(data)
    messages = {
        "round_not_found": _("Không có đợt thi %(id)d.", id=data.get("round_id", 0)),
        "round_not_open": _("Đợt thi chưa mở."),
        "round_closed": _("Đợt thi đã kết thúc."),
        "attempt_cap_reached": _("Bạn đã dùng hết %(n)s lượt thi của đợt này.", n=data.get("max_attempts", "")),
        "pool_too_small": _("Ngân hàng không còn đủ câu hỏi cho đợt thi này. Vui lòng báo ban tổ chức."),
        "attempt_conflict": _("Hệ thống đang bận. Vui lòng thử lại."),
        "not_your_attempt": _("Lượt thi này không phải của bạn."),
        "attempt_closed": _("Lượt thi đã kết thúc; các câu trả lời đã lưu trước đó vẫn được giữ."),
        "unknown_question": _("Câu hỏi %(id)s không thuộc lượt thi này.", id=data.get("question_id", "")),
        "unknown_option": _("Phương án %(id)s không thuộc câu hỏi %(q)s.", id=data.get("option_id", ""),
                            q=data.get("question_id", "")),
        "invalid_prediction": _("Số dự đoán phải là số nguyên không âm."),
        "invalid_extension": _("Số giây gia hạn không hợp lệ (tối đa %(n)s giây).", n=data.get("max_seconds", "")),
        "reason_required": _("Cần ghi lý do."),
    }
    return messages.get(code, code)


def outside_audience_message(data: dict) -> str:
    """The refusal of a participant outside a contest's audience, naming the audience."""
    from quizapp.messages.contests import audience_text

    return _("Cuộc thi này chỉ dành cho: %(audience)s. Đơn vị hoặc đối tượng bạn đã đăng ký không thuộc phạm vi "
             "dự thi nên bạn không thể vào thi. Nếu thông tin đăng ký của bạn chưa đúng, hãy liên hệ ban tổ chức.",
             audience=audience_text(data.get("audience_units", ()), data.get("audience_categories", ())))


def request_message(code: str, *, field: str = "", kind: str = "", limits: dict | None = None) -> str:
    """The sentence for a request that does not have its declared shape (``quizapp.views.validation``): by the
    code a model gives the field, else by the kind of problem pydantic found (``missing``, ``int_type``...)."""
    limits = limits or {}
    if code == "invalid_json":
        return _("Nội dung yêu cầu phải là JSON hợp lệ.")
    if code == "invalid_body":
        return _("Nội dung yêu cầu phải là một đối tượng JSON.")
    if code == "invalid_answers":
        return _("Trường answers phải là đối tượng {\"id câu hỏi\": id phương án}.")
    if code == "invalid_prediction":
        return attempt_error_message(code, {})
    if code == "invalid_limit":
        if "le" in limits:
            return _("Tham số limit phải là số nguyên từ 1 đến %(max)d.", max=limits["le"])
        return _("Tham số limit phải là số nguyên.")
    if code == "query_too_long":
        return _("Chuỗi tìm kiếm quá dài (tối đa 100 ký tự).")
    if code == "missing_credentials":
        return _("Cần gửi login (số điện thoại hoặc email) và password.")
    if kind == "missing":
        return _("Thiếu trường %(field)s.", field=field)
    if kind == "string_type":
        return _("Trường %(field)s phải là chuỗi ký tự.", field=field)
    if kind.startswith("int_"):
        return _("Trường %(field)s phải là số nguyên.", field=field)
    return _("Yêu cầu không hợp lệ.")


def N_(message: str) -> str:
    """Mark a msgid for extraction without translating it now (the stored value stays Vietnamese)."""
    return message


# The categories of domain.registration.CATEGORIES, as stored; shown translated by category_label.
CATEGORY_MSGIDS = (N_("Đảng viên"), N_("Đoàn viên"), N_("Hội viên"), N_("Công chức, viên chức"),
                   N_("Người lao động"), N_("Học sinh"), N_("Sinh viên"), N_("Quần chúng"))


def category_label(value: str | None) -> str:
    """A participant's category in the reader's language (a free-text category is shown as typed)."""
    if not value:
        return ""
    return _(value) if value in CATEGORY_MSGIDS else value


def difficulty_label(level: str | None) -> str:
    labels = {"easy": _("Dễ"), "medium": _("Trung bình"), "hard": _("Khó")}
    return labels.get(level or "", _("(không ghi)"))


def profile_problem_message(code: str) -> str:
    """The sentence for a problem of a profile edited in the organizer's console: registration's, and a unit
    outside the scoped organizer's subtree."""
    if code == "unit_outside_scope":
        return _("Đơn vị này nằm ngoài phạm vi bạn phụ trách. Hãy chọn đơn vị bạn phụ trách hoặc một đơn vị trực "
                 "thuộc.")
    return registration_message(code)
