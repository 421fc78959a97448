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


def data_label(key: str) -> str:
    """The heading of a field or section of a participant's exported data (the .xlsx and the account page)."""
    labels = {
        "account": _("Tài khoản"), "attempts": _("Lượt thi"), "answers": _("Câu trả lời"), "results": _("Kết quả"),
        "disqualifications": _("Bị loại"), "time_extensions": _("Gia hạn"),
        "erasure_requests": _("Yêu cầu xóa dữ liệu"), "audit": _("Nhật ký"),
        "id": _("Mã"), "full_name": _("Họ và tên"), "phone": _("Số điện thoại"), "email": _("Email"),
        "birth_date": _("Ngày sinh"), "id_number": _("Số CCCD"), "category": _("Đối tượng"),
        "registered_at": _("Đăng ký lúc"), "last_login_at": _("Đăng nhập lần cuối"), "active": _("Đang hoạt động"),
        "erased_at": _("Xóa dữ liệu lúc"), "code": _("Mã đơn vị"), "name": _("Tên đơn vị"), "path": _("Đơn vị"),
        "given_at": _("Đồng ý xử lý dữ liệu lúc"), "round_id": _("Mã đợt thi"), "round": _("Đợt thi"),
        "contest_id": _("Mã cuộc thi"), "contest": _("Cuộc thi"), "number": _("Lượt"), "status": _("Trạng thái"),
        "started_at": _("Bắt đầu"), "deadline_at": _("Hạn nộp"), "submitted_at": _("Nộp lúc"),
        "duration_ms": _("Thời gian (ms)"), "correct_count": _("Số câu đúng"), "question_count": _("Số câu"),
        "prediction": _("Dự đoán"), "prediction_gap": _("Chênh lệch dự đoán"), "client_ip": _("Địa chỉ IP"),
        "client_agent": _("Trình duyệt"), "device_id": _("Mã thiết bị"), "attempt_id": _("Mã lượt thi"),
        "position": _("Câu số"), "question": _("Câu hỏi"), "chosen_option": _("Phương án đã chọn"),
        "answered_at": _("Trả lời lúc"), "rank": _("Hạng"), "prize": _("Giải"), "reason": _("Lý do"),
        "decided_at": _("Quyết định lúc"), "lifted_at": _("Khôi phục lúc"), "lift_reason": _("Lý do khôi phục"),
        "seconds": _("Số giây"), "granted_at": _("Gia hạn lúc"), "requested_at": _("Yêu cầu lúc"),
        "handled_at": _("Xử lý lúc"), "answer": _("Trả lời của Ban Tổ chức"), "at": _("Thời điểm"),
        "action": _("Việc"), "object_type": _("Đối tượng ghi nhật ký"), "object_id": _("Mã đối tượng"),
        "by_self": _("Do chính bạn"), "details": _("Chi tiết"),
    }
    return labels.get(key, key)
