"""Words for a staff account's scope: what is refused outside the subtree it works in."""

from __future__ import annotations

from flask_babel import gettext as _

from quizapp.services.scopes import ScopeError


def scope_error_message(error: ScopeError) -> str:
    if error.code == "read_only":
        return _("Ngân hàng câu hỏi này dùng chung cho mọi cấp: bạn được xem và rút câu hỏi từ đó, nhưng chỉ cấp "
                 "trên mới sửa câu hỏi hay đáp án của nó (kể cả chấm lại), vì thay đổi đó tác động đến cuộc thi của "
                 "mọi đơn vị.")
    things = {
        "contest": _("Cuộc thi này"), "round": _("Đợt thi này"), "bank": _("Ngân hàng câu hỏi này"),
        "question": _("Câu hỏi này"), "unit": _("Đơn vị này"), "participant": _("Thí sinh này"),
        "user": _("Thí sinh này"), "request": _("Yêu cầu này"),
    }
    thing = things.get(error.kind, _("Nội dung này"))
    return _("%(thing)s nằm ngoài phạm vi đơn vị bạn phụ trách.", thing=thing)
