"""Words for certificates: refused requests (the organizer's page, the judges' download, the command line) and
what the public verification page says of a code."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from quizapp.domain import certificates as paper
from quizapp.domain.certificates import CertificateError

#: The verdict of the verification page, by status.
STATUS_TITLES = {
    paper.GENUINE: _l("Giấy chứng nhận hợp lệ"),
    paper.REVOKED_REOPENED: _l("Giấy chứng nhận đã bị thu hồi"),
    paper.REVOKED_DISQUALIFIED: _l("Giấy chứng nhận đã bị thu hồi"),
    paper.REVOKED_CHANGED: _l("Giấy chứng nhận đã bị thu hồi"),
}
STATUS_REASONS = {
    paper.GENUINE: _l("Mã này do hệ thống cấp và giải thưởng dưới đây đúng với kết quả chính thức hiện tại."),
    paper.REVOKED_REOPENED: _l("Kết quả mà giấy này dựa vào đã được Ban Giám khảo mở lại và hiện chưa chốt: "
                               "giấy không còn giá trị."),
    paper.REVOKED_DISQUALIFIED: _l("Bài dự thi của người được chứng nhận đã bị Ban Giám khảo loại: giấy không "
                                   "còn giá trị."),
    paper.REVOKED_CHANGED: _l("Theo kết quả chính thức hiện tại, giải thưởng này không còn thuộc về người (đơn vị) "
                              "được chứng nhận: giấy không còn giá trị."),
}


def certificate_error_message(error: CertificateError) -> str:
    """The sentence for a refused certificate request."""
    d = error.data
    if error.code == "not_finalized":
        return _("Đợt thi %(round)s chưa được chốt kết quả: chỉ in giấy chứng nhận cho đợt thi đã chốt.",
                 round=d.get("round", ""))
    if error.code == "rounds_not_finalized":
        return _("Giải tập thể chỉ được in khi mọi đợt thi của cuộc thi đã chốt kết quả; chưa chốt: %(names)s.",
                 names=", ".join(d.get("names", [])) or "—")
    if error.code == "no_prizes":
        return _("Không có giải nào để in giấy chứng nhận.")
    if error.code == "logo_too_large":
        return _("Tệp biểu trưng quá lớn: tối đa %(kb)d KB.", kb=d.get("max_bytes", 0) // 1024)
    if error.code == "logo_too_big":
        return _("Ảnh biểu trưng quá lớn: mỗi chiều tối đa %(px)d điểm ảnh.", px=d.get("max_side", 0))
    if error.code == "logo_not_image":
        return _("Biểu trưng phải là ảnh PNG hoặc JPEG đọc được.")
    return _("Không thực hiện được (%(code)s).", code=error.code)
