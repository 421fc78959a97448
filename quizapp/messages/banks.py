"""Words for what a scoped organizer may not do with a question bank (``services.banks``)."""

from __future__ import annotations

from flask_babel import gettext as _

from quizapp.services.banks import BankNotWritable


def bank_not_writable_message(error: BankNotWritable) -> str:
    """Why an import cannot go to the bank it names, and what to do: choose another name (names are unique
    across every unit, and whose private bank holds the name is not said)."""
    if error.shared:
        return _("Tên “%(name)s” là của một ngân hàng dùng chung, chỉ Ban Tổ chức cấp trên mới thêm câu hỏi vào "
                 "được. Tên ngân hàng không được trùng nhau giữa các đơn vị: hãy đặt một tên khác.", name=error.name)
    return _("Tên “%(name)s” đã được một đơn vị khác dùng cho ngân hàng câu hỏi của họ. Tên ngân hàng không được "
             "trùng nhau giữa các đơn vị: hãy đặt một tên khác.", name=error.name)
