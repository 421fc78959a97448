"""Words for the judges' screens: typed errors of the results services, ranking reasons, audit actions."""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _

from quizapp.domain.bank_export import LETTERS


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
        "bank.import": _("Nhập ngân hàng câu hỏi"),
        "units.import": _("Nhập danh sách đơn vị"),
        "user.create": _("Tạo tài khoản"),
        "user.reset_password": _("Đặt lại mật khẩu"),
    }
    return labels.get(action, action)


def audit_object_label(object_type: str) -> str:
    return {"round": _("Đợt thi"), "contest": _("Cuộc thi"), "question": _("Câu hỏi"), "bank": _("Ngân hàng"),
            "unit": _("Đơn vị"), "user": _("Tài khoản")}.get(object_type, object_type)
