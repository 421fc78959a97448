"""Words about signing in and recovering an account: the refusals of a password reset link, and the mail that
carries the link (Vietnamese msgids; English from the catalog)."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from quizapp.services.accounts import AccountError
from quizapp.services.mail import Mail
from quizapp.services.password_reset import ResetError, ResetLink

#: Each role in the words of the people who hold it.
ROLE_LABELS = {"admin": _l("Quản trị"), "organizer": _l("Ban Tổ chức"), "judge": _l("Ban Giám khảo"),
               "participant": _l("Người dự thi"), "unit_officer": _l("Cán bộ phụ trách đơn vị")}


def role_label(role: str) -> str:
    return str(ROLE_LABELS.get(role, _("không rõ")))


def staff_error_message(error: AccountError) -> str:
    """A refused change to a staff account; the checks shared with registration keep registration's words."""
    from quizapp.messages.participants import account_error_message

    messages = {
        "own_account": _("Không thể tự khóa tài khoản của chính mình."),
        "not_staff": _("Đây là tài khoản thí sinh: hãy quản lý ở trang Thí sinh."),
        "unit_not_for_role": _("Tài khoản quản trị không gắn với đơn vị nào (quản trị viên quản lý mọi đơn vị): "
                               "hãy để trống ô này."),
        "unit_required": _("Cán bộ phụ trách đơn vị cần mã đơn vị mà mình phụ trách."),
    }
    return str(messages[error.code]) if error.code in messages else account_error_message(error)


def reset_error_message(error: ResetError) -> str:
    messages = {
        "invalid": _("Đường dẫn đặt lại mật khẩu không hợp lệ. Hãy kiểm tra lại đường dẫn trong email, hoặc yêu "
                     "cầu một đường dẫn mới."),
        "expired": _("Đường dẫn đặt lại mật khẩu đã hết hạn. Hãy yêu cầu một đường dẫn mới."),
        "used": _("Đường dẫn này đã được dùng, hoặc mật khẩu đã được đổi sau khi gửi đường dẫn. Nếu cần, hãy yêu "
                  "cầu một đường dẫn mới."),
        "password_too_short": _("Mật khẩu phải có ít nhất 8 ký tự."),
    }
    return messages.get(error.code, error.code)


def reset_mail(link: ResetLink, url: str, *, valid_minutes: int) -> Mail:
    """The mail that carries a reset link: who asked is not known, so it says what to do if it was not you."""
    body = _(
        "Xin chào %(name)s,\n\n"
        "Có người (có thể là bạn) vừa yêu cầu đặt lại mật khẩu cho tài khoản thi trắc nghiệm của bạn.\n"
        "Để đặt mật khẩu mới, hãy mở đường dẫn sau trong %(minutes)d phút:\n\n"
        "%(url)s\n\n"
        "Đường dẫn chỉ dùng được một lần. Nếu bạn không yêu cầu, hãy bỏ qua email này: mật khẩu của bạn không "
        "thay đổi.\n",
        name=link.full_name, minutes=valid_minutes, url=url)
    return Mail(to=link.email, subject=_("Đặt lại mật khẩu tài khoản thi trắc nghiệm"), body=body)
