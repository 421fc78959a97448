"""Words for the judges' screens and commands: refused results decisions, regrading, ranking reasons, audit
actions."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask_babel import format_datetime, ngettext
from flask_babel import gettext as _

from quizapp.domain.bank_export import LETTERS
from quizapp.services.results import ResultsError


def regrade_error_message(code: str, data: dict[str, Any]) -> str:
    """The sentence for a RegradeError code."""
    if code == "finalized_rounds":
        names = "; ".join(f"{r['contest']} – {r['name']}" for r in data.get("rounds", []))
        return _("Không thể chấm lại: các đợt thi sau đã chốt kết quả, cần giám khảo mở lại trước: %(names)s.",
                 names=names)
    if code == "option_out_of_range":
        return _("Câu hỏi chỉ có %(n)s phương án.", n=data.get("options", ""))
    if code == "answer_unchanged":
        index = data.get("index", 0)
        letter = LETTERS[index] if 0 <= index < len(LETTERS) else "?"
        return _("Phương án %(letter)s đã là đáp án đúng; không có gì để chấm lại.", letter=letter)
    if code == "reason_required":
        return _("Cần ghi lý do chấm lại.")
    if code == "rounds_outside_scope":
        return ngettext(
            "Không thể chấm lại: câu hỏi này đã được dùng trong %(num)d đợt thi ngoài phạm vi đơn vị bạn phụ trách; "
            "chấm lại sẽ làm thay đổi kết quả của đơn vị khác. Hãy đề nghị Ban Giám khảo cấp trên chấm lại.",
            "Không thể chấm lại: câu hỏi này đã được dùng trong %(num)d đợt thi ngoài phạm vi đơn vị bạn phụ trách; "
            "chấm lại sẽ làm thay đổi kết quả của đơn vị khác. Hãy đề nghị Ban Giám khảo cấp trên chấm lại.",
            data.get("rounds", 0))
    return _("Không thực hiện được (%(code)s).", code=code)


def ranking_reason(code: str | None) -> str:
    """Why an entry stands below the one ranked just above it (``quizapp.domain.ranking.CRITERIA``)."""
    if code is None:
        return _("Đứng đầu")
    labels = {
        "correct": _("Ít câu đúng hơn"),
        "gap": _("Dự đoán lệch nhiều hơn"),
        "duration": _("Thời gian làm bài dài hơn"),
        "submitted": _("Nộp bài muộn hơn"),
        "attempt_id": _("Mã lượt thi lớn hơn"),
    }
    return labels.get(code, code)


def exclusion_label(code: str) -> str:
    return {"disqualified": _("Bị loại"), "hidden": _("Tài khoản ẩn (thử nghiệm, nội bộ)")}.get(code, code)


def audit_action_label(action: str) -> str:
    labels = {
        "round.finalize": _("Chốt kết quả"),
        "round.reopen": _("Mở lại kết quả"),
        "round.disqualify": _("Loại thí sinh"),
        "round.reinstate": _("Khôi phục thí sinh"),
        "round.prediction_actual": _("Nhập đáp án câu dự đoán"),
        "round.regrade": _("Chấm lại do sửa đáp án"),
        "round.close": _("Kết thúc đợt thi"),
        "round.extension": _("Gia hạn thời gian"),
        "question.regrade": _("Sửa đáp án và chấm lại"),
        "question.edit": _("Sửa câu hỏi"),
        "question.retire": _("Ngừng dùng câu hỏi"),
        "question.restore": _("Dùng lại câu hỏi"),
        "contest.create": _("Tạo cuộc thi"),
        "contest.edit": _("Sửa cuộc thi"),
        "contest.publish": _("Công bố cuộc thi"),
        "contest.unpublish": _("Thôi công bố cuộc thi"),
        "contest.notice_post": _("Đăng thông báo của cuộc thi"),
        "contest.notice_remove": _("Gỡ thông báo của cuộc thi"),
        "round.create": _("Thêm đợt thi"),
        "round.edit": _("Sửa đợt thi"),
        "round.delete": _("Xóa đợt thi"),
        "contest.letterhead": _("Sửa thông tin văn bản của cuộc thi"),
        "contest.certificate_template": _("Sửa mẫu giấy chứng nhận"),
        "question.not_duplicate": _("Xác nhận hai câu hỏi không trùng nhau"),
        "bank.import": _("Nhập ngân hàng câu hỏi"),
        "units.import": _("Nhập danh sách đơn vị"),
        "unit.create": _("Thêm đơn vị"),
        "unit.edit": _("Sửa đơn vị"),
        "unit.move": _("Chuyển đơn vị"),
        "unit.merge": _("Gộp đơn vị"),
        "user.create": _("Tạo tài khoản"),
        "user.reset_password": _("Đặt lại mật khẩu"),
        "user.deactivate": _("Khóa tài khoản cán bộ"),
        "user.reactivate": _("Mở lại tài khoản cán bộ"),
        "user.edit": _("Sửa thông tin thí sinh"),
        "user.hide": _("Ẩn thí sinh khỏi bảng xếp hạng"),
        "user.unhide": _("Xếp hạng trở lại thí sinh"),
        "user.merge": _("Gộp tài khoản trùng"),
        "users.import": _("Nhập danh sách thí sinh"),
        "person.export": _("Xuất dữ liệu cá nhân"),
        "person.erasure_request": _("Yêu cầu xóa dữ liệu cá nhân"),
        "person.erasure_refuse": _("Từ chối yêu cầu xóa dữ liệu cá nhân"),
        "person.erase": _("Xóa dữ liệu cá nhân"),
    }
    return labels.get(action) or _("Thao tác khác")


def audit_object_label(object_type: str) -> str:
    return {"round": _("Đợt thi"), "contest": _("Cuộc thi"), "question": _("Câu hỏi"), "bank": _("Ngân hàng"),
            "unit": _("Đơn vị"), "user": _("Tài khoản")}.get(object_type) or _("Đối tượng khác")


def _when(iso: object) -> str:
    try:
        return format_datetime(datetime.fromisoformat(str(iso)), "HH:mm dd/MM/yyyy")
    except ValueError:
        return str(iso)


def results_error_message(error: ResultsError) -> str:
    """The sentence for a refused results decision (finalize, re-open, disqualify, prediction answer)."""
    d = error.data
    messages = {
        "round_not_over": lambda: _("Đợt thi chưa kết thúc: vẫn có thể nhận bài đến %(time)s (giờ Việt Nam).",
                                    time=_when(d.get("accepts_until"))),
        "already_finalized": lambda: _("Đợt thi đã được chốt kết quả lúc %(time)s.", time=_when(d.get("finalized_at"))),
        "not_finalized": lambda: _("Đợt thi chưa được chốt kết quả."),
        "round_finalized": lambda: _("Đợt thi đã được chốt kết quả; hãy mở lại đợt thi (có ghi lý do) trước khi "
                                     "thay đổi."),
        "prediction_actual_missing": lambda: _("Chưa nhập đáp án câu hỏi dự đoán; đợt thi này do Ban Tổ chức "
                                               "nhập đáp án."),
        "no_prediction_question": lambda: _("Đợt thi này không có câu hỏi dự đoán."),
        "prediction_not_manual": lambda: _("Đáp án câu hỏi dự đoán của đợt thi này được tính tự động."),
        "invalid_prediction_actual": lambda: _("Đáp án câu hỏi dự đoán phải là số nguyên từ 0 đến %(max)s.",
                                               max=d.get("max")),
        "reason_required": lambda: _("Cần ghi lý do."),
        "already_disqualified": lambda: _("Người dự thi này đã bị loại khỏi đợt thi."),
        "not_disqualified": lambda: _("Người dự thi này không bị loại khỏi đợt thi."),
        "not_a_participant": lambda: _("Người này không có lượt thi nào trong đợt thi."),
        "invalid_level": lambda: _("Cấp đơn vị phải là số nguyên từ 1 trở lên."),
        "round_not_in_contest": lambda: _("Đợt thi %(round)s không thuộc cuộc thi %(contest)s.",
                                          round=d.get("round_id"), contest=d.get("contest_id")),
    }
    message = messages.get(error.code)
    return message() if message else _("Không thể xử lý kết quả (%(code)s).", code=error.code)


def question_flag_text(code: str, *, letter: str | None = None, key_letter: str | None = None,
                       top_percent: int = 27) -> str:
    """The sentence for a question quality flag (``quizapp.domain.item_analysis.FlagCode``)."""
    if code == "distractor_beats_key":
        return _("Nhóm làm bài tốt nhất (%(percent)s%% lượt thi điểm cao nhất) chọn phương án %(letter)s nhiều hơn "
                 "đáp án %(key)s: đáp án có thể bị nhầm hoặc câu hỏi chưa rõ.", percent=top_percent,
                 letter=letter or "?", key=key_letter or "?")
    if code == "negative_discrimination":
        return _("Độ phân biệt âm: người làm tốt các câu khác lại hay sai câu này.")
    if code == "nobody_right":
        return _("Không ai trả lời đúng: hãy kiểm tra đáp án.")
    if code == "everybody_right":
        return _("Ai cũng trả lời đúng: câu hỏi không phân biệt được người dự thi.")
    return _("Cần xem xét.")
