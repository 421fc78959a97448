"""Words of the unit officers' area: their account's refusals, the report's refusals, its summary sentence and the
headings of its spreadsheet."""

from __future__ import annotations

from datetime import datetime

from flask_babel import format_decimal
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from quizapp.services.contests import VIETNAM
from quizapp.services.unit_reports import UnitReport
from quizapp.services.unit_reports_xlsx import ReportWords


def officer_account_message(code: str) -> str:
    """A refusal of ``quizapp users create --unit`` (the other codes are
    ``messages.participants.account_error_message``'s)."""
    messages = {
        "unit_required": _("Vai trò unit_officer cần --unit MÃ_ĐƠN_VỊ (đơn vị mà cán bộ phụ trách)."),
        "unit_not_for_role": _("Tài khoản quản trị không gắn với đơn vị nào: --unit chỉ dùng cho organizer, judge "
                               "(tùy chọn) và unit_officer (bắt buộc)."),
        "unknown_unit": _("Không có đơn vị nào mang mã này. Hãy dùng mã đơn vị như trong danh sách đơn vị."),
    }
    return messages.get(code, code)


def report_error_message(code: str) -> str:
    messages = {
        "outside_scope": _("Không tìm thấy đơn vị này trong các đơn vị bạn phụ trách."),
        "round_not_in_contest": _("Đợt thi này không thuộc cuộc thi đang xem."),
        "unknown_contest": _("Không tìm thấy cuộc thi này."),
    }
    return messages.get(code, code)


def summary_sentence(report: UnitReport) -> str:
    """The sentence a unit pastes into its report upward: "20.843 lượt dự thi của 1.204 người thuộc Huyện A,
    11 giải (2 Nhì, 4 Ba, 5 Khuyến khích), 1 tập thể được khen"."""
    prizes = sum(item.count for item in report.tally)
    detail = ", ".join(f"{format_decimal(item.count)} {item.name}" for item in report.tally)
    parts = [_("%(entries)s lượt dự thi của %(participants)s người thuộc %(unit)s",
               entries=format_decimal(report.total.entries), participants=format_decimal(report.total.participants),
               unit=report.unit.name)]
    if prizes:
        parts.append(_("%(count)s giải (%(detail)s)", count=format_decimal(prizes), detail=detail))
    else:
        parts.append(_("chưa có giải cá nhân"))
    parts.append(_("%(count)s tập thể được khen", count=format_decimal(len(report.collectives))))
    return ", ".join(parts) + "."


REPORT_TITLE = _l("BÁO CÁO KẾT QUẢ THAM GIA CUỘC THI")
UNIT_HEADINGS = (_l("Mã đơn vị"), _l("Tên đơn vị"), _l("Số thành viên"), _l("Người dự thi"), _l("Lượt dự thi"),
                 _l("Tỷ lệ tham gia"))
PEOPLE_HEADINGS = (_l("STT"), _l("Họ và tên"), _l("Số điện thoại"), _l("Mã đơn vị"), _l("Đơn vị"),
                   _l("Lượt dự thi"), _l("Số câu đúng cao nhất"))
PRIZE_HEADINGS = (_l("Đợt thi"), _l("Hạng"), _l("Họ và tên"), _l("Đơn vị"), _l("Giải"), _l("Số câu đúng"))
COLLECTIVE_HEADINGS = (_l("Đợt thi"), _l("Hạng"), _l("Mã đơn vị"), _l("Tên đơn vị"), _l("Giải"))


def withheld_note(report: UnitReport) -> str:
    """Why some rounds are not counted yet (rule 12), naming them; "" when every round is counted."""
    if not report.withheld_rounds:
        return ""
    return _("Chưa tính số liệu của %(rounds)s: đợt thi chưa kết thúc, và số người dự thi không được công bố "
             "trước khi đợt thi đóng vì liên quan đến câu hỏi dự đoán.",
             rounds=", ".join(r.name for r in report.withheld_rounds))


def report_words(report: UnitReport, now: datetime) -> ReportWords:
    """The words of the report's .xlsx: its title block (contest, unit, round, time, the summary sentence)."""
    lines = [_("Cuộc thi: %(title)s", title=report.contest.title),
             _("Đơn vị: %(code)s · %(name)s", code=report.unit.code, name=report.unit.name),
             _("Đợt thi: %(round)s", round=report.round.name if report.round else _("cả cuộc thi")),
             _("Số liệu lúc %(time)s", time=now.astimezone(VIETNAM).strftime("%H:%M %d/%m/%Y")),
             summary_sentence(report)]
    if report.withheld_rounds:
        lines.append(withheld_note(report))
    return ReportWords(
        title=str(REPORT_TITLE), lines=lines,
        sheets=[_("Đơn vị"), _("Đã dự thi"), _("Chưa dự thi"), _("Giải thưởng")],
        unit_headings=[str(h) for h in UNIT_HEADINGS], people_headings=[str(h) for h in PEOPLE_HEADINGS],
        prize_headings=[str(h) for h in PRIZE_HEADINGS],
        collective_headings=[str(h) for h in COLLECTIVE_HEADINGS], collective_title=_("Giải tập thể"))
