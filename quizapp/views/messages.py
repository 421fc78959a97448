"""Words for the typed errors that services raise (Vietnamese msgids; English from the catalog)."""

from __future__ import annotations

from flask_babel import gettext as _

from quizapp.services.accounts import AccountError


def account_error_message(error: AccountError) -> str:
    messages = {
        "invalid_email": _("Địa chỉ email không hợp lệ."),
        "password_too_short": _("Mật khẩu phải có ít nhất 8 ký tự."),
        "email_taken": _("Email này đã được dùng cho một tài khoản khác."),
    }
    return messages.get(error.code, error.code)


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
    }
    return messages.get(code, code)


def field_label(name: str) -> str:
    labels = {
        "full_name": _("Họ và tên"), "phone": _("Số điện thoại"), "password": _("Mật khẩu"),
        "unit_code": _("Đơn vị"), "email": _("Email"), "birth_date": _("Ngày sinh"),
        "id_number": _("Số căn cước công dân"), "category": _("Đối tượng"),
    }
    return labels.get(name, name)
