"""Words for data rights (SPEC rule 11): the refusals of an export, an erasure or an erasure request, and the
states of a request (Vietnamese msgids; English from the catalog)."""

from __future__ import annotations

from flask_babel import gettext as _

from quizapp.domain.personal_data import ErasureError


def erasure_error_message(error: ErasureError) -> str:
    """The sentence for a refused erasure step; ``results_not_final`` names each contest and round not final."""
    if error.code == "results_not_final":
        rounds = "; ".join(_("«%(contest)s» – %(round)s", contest=contest, round=round_name)
                           for contest, round_name in error.data.get("rounds", []))
        return _("Chưa thể xóa dữ liệu: kết quả của các đợt thi sau chưa được chốt (hoặc đợt thi chưa kết thúc): "
                 "%(rounds)s.", rounds=rounds)
    messages = {
        "reason_required": _("Cần ghi lý do."),
        "already_erased": _("Dữ liệu cá nhân của người này đã được xóa trước đó."),
        "not_a_participant": _("Tài khoản này không phải tài khoản người dự thi."),
        "request_pending": _("Bạn đã có một yêu cầu xóa dữ liệu đang chờ Ban Tổ chức xử lý."),
        "request_closed": _("Yêu cầu này đã được xử lý."),
    }
    return messages.get(error.code, _("Không thể xử lý yêu cầu (%(code)s).", code=error.code))


def unknown_login_message(login: str) -> str:
    return _("Không có người dự thi nào có số điện thoại hoặc email %(login)s.", login=login)


def erasure_status_label(status: str) -> str:
    return {"pending": _("Đang chờ xử lý"), "done": _("Đã xóa dữ liệu"), "refused": _("Đã từ chối")}.get(status, status)
