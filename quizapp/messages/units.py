"""The unit tree's changes in words: why an addition, edit, move or merge was refused, and the audit log's lines.

A refusal comes from ``domain.units.TreeProblem`` (a code, the field it is about, values); the sentence is written
here, in Vietnamese (the source language), with the rules an imported file shares taken from ``messages.files``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask_babel import format_decimal, gettext

from quizapp.domain.units import TreeProblem
from quizapp.messages.files import MESSAGES as FILE_MESSAGES
from quizapp.messages.files import N_

TREE_MESSAGES: dict[str, str] = {
    "code_taken": N_("mã “%(code)s” đã được dùng cho một đơn vị khác."),
    "unknown_parent": N_("không có đơn vị nào mã “%(parent_code)s”."),
    "formula_text": N_("“%(value)s” trông như công thức Excel; hãy viết khác đi (không bắt đầu bằng “=”)."),
    "move_under_itself": N_("không thể chuyển đơn vị “%(code)s” vào dưới chính nó."),
    "move_under_descendant": N_(
        "không thể chuyển đơn vị “%(code)s” vào dưới “%(parent_code)s”, vì “%(parent_code)s” là đơn vị cấp dưới "
        "của nó."
    ),
    "missing_target": N_("hãy nhập mã đơn vị sẽ nhận."),
    "unit_gone": N_("đơn vị này vừa được người khác gộp vào đơn vị khác nên không còn nữa; hãy tải lại cây đơn vị."),
    "merge_into_itself": N_("không thể gộp đơn vị “%(code)s” vào chính nó."),
    "merge_into_descendant": N_(
        "không thể gộp đơn vị “%(code)s” vào “%(target)s”, vì “%(target)s” là đơn vị cấp dưới của nó."
    ),
    "merge_in_results": N_(
        "đơn vị “%(code)s” có trong kết quả xếp hạng tập thể đã chốt của: %(contests)s. Kết quả đã chốt phải giữ "
        "nguyên nên không gộp được đơn vị này."
    ),
    "merge_in_certificates": N_(
        "đơn vị “%(code)s” đã được cấp giấy chứng nhận trong: %(contests)s, nên không gộp được đơn vị này."
    ),
    "merge_in_audience": N_(
        "đơn vị “%(code)s” đang nằm trong đối tượng dự thi của: %(contests)s. Hãy sửa đối tượng dự thi của "
        "cuộc thi trước, rồi gộp."
    ),
    "merge_has_officers": N_(
        "đơn vị “%(code)s” đang có cán bộ phụ trách (%(officers)s). Hãy chuyển họ sang đơn vị khác trước, rồi gộp."
    ),
    "scope_top_unit": N_(
        "đơn vị “%(code)s” là đơn vị cao nhất trong phạm vi bạn phụ trách: sửa, chuyển hay gộp nó là việc của Ban "
        "Tổ chức cấp trên."
    ),
    "outside_scope_unit": N_("đơn vị “%(code)s” nằm ngoài phạm vi bạn phụ trách (“%(top)s” và các đơn vị trực thuộc)."),
    "scope_root": N_(
        "bạn chỉ thêm hoặc chuyển được đơn vị vào dưới “%(top)s” hoặc một đơn vị trực thuộc; hãy nhập mã đơn vị cấp "
        "trên."
    ),
    "outside_scope_parent": N_(
        "đơn vị “%(parent_code)s” nằm ngoài phạm vi bạn phụ trách; hãy chọn “%(top)s” hoặc một đơn vị trực thuộc."
    ),
    "outside_scope_target": N_(
        "đơn vị “%(target)s” nằm ngoài phạm vi bạn phụ trách; chỉ gộp được vào một đơn vị trực thuộc “%(top)s”."
    ),
    "merge_into_scope_top": N_(
        "không gộp được vào “%(target)s”: đó là đơn vị cao nhất trong phạm vi bạn phụ trách, số thành viên của nó do "
        "cấp trên quản lý. Hãy gộp vào một đơn vị trực thuộc."
    ),
}
_UNKNOWN = N_("lỗi không xác định (%(code)s).")

#: why a row of a scoped organizer's import is refused (``services.units.ScopeRow``)
SCOPE_ROW_MESSAGES: dict[str, str] = {
    "outside_unit": N_("Dòng %(line)s: đơn vị “%(code)s” nằm ngoài phạm vi bạn phụ trách."),
    "outside_parent": N_("Dòng %(line)s: đơn vị cấp trên “%(parent_code)s” của “%(code)s” nằm ngoài phạm vi bạn "
                         "phụ trách."),
    "root": N_("Dòng %(line)s: đơn vị “%(code)s” không có mã cấp trên; bạn chỉ thêm được đơn vị dưới “%(top)s” hoặc "
               "các đơn vị trực thuộc."),
    "top_unit": N_("Dòng %(line)s: tệp thay đổi đơn vị “%(code)s”, đơn vị cao nhất trong phạm vi bạn phụ trách; "
                   "việc này thuộc về Ban Tổ chức cấp trên (để nguyên dòng này như khi tải về, hoặc bỏ nó đi)."),
}


def describe_tree_problem(problem: TreeProblem) -> str:
    """One sentence, capitalised, for a refused change to the tree."""
    values = {key: format_decimal(value) if isinstance(value, int) else value
              for key, value in (problem.data or {}).items()}
    template = TREE_MESSAGES.get(problem.code) or FILE_MESSAGES.get(problem.code)
    text = gettext(template) % values if template else gettext(_UNKNOWN) % {"code": problem.code}
    return text[:1].upper() + text[1:]


def describe_scope_rows(error: Any) -> list[str]:
    """One sentence per row of an import refused for landing outside the importer's subtree
    (``services.units.ImportOutsideScope``), row number first."""
    return [gettext(SCOPE_ROW_MESSAGES[row.reason]) % {"line": row.line, "code": row.code,
                                                       "parent_code": row.parent_code or "", "top": error.top}
            for row in error.rows]


def unit_create_lines(d: Mapping[str, Any], _names: object = None) -> list[str]:
    if d.get("parent_code"):
        return [gettext("Đơn vị %(code)s — %(name)s, thuộc %(parent)s, %(count)s thành viên.", code=d.get("code"),
                        name=d.get("name"), parent=d.get("parent_code"), count=d.get("member_count"))]
    return [gettext("Đơn vị %(code)s — %(name)s, cấp cao nhất, %(count)s thành viên.", code=d.get("code"),
                    name=d.get("name"), count=d.get("member_count"))]


def unit_edit_lines(d: Mapping[str, Any], _names: object = None) -> list[str]:
    labels = {"name": gettext("Tên đơn vị"), "member_count": gettext("Số thành viên")}
    lines = [gettext("Đơn vị %(code)s.", code=d.get("code"))]
    for change in d.get("changes") or []:
        if isinstance(change, Mapping):
            lines.append(gettext("%(field)s: «%(old)s» → «%(new)s»", field=labels.get(str(change.get("field")),
                                                                                      gettext("Trường khác")),
                                 old=change.get("old"), new=change.get("new")))
    return lines


def unit_move_lines(d: Mapping[str, Any], _names: object = None) -> list[str]:
    top = gettext("cấp cao nhất")
    return [gettext("Đơn vị %(code)s chuyển từ %(old)s sang %(new)s (%(count)s đơn vị cùng chuyển, kể cả nó).",
                    code=d.get("code"), old=d.get("from") or top, new=d.get("to") or top, count=d.get("units"))]


def unit_merge_lines(d: Mapping[str, Any], _names: object = None) -> list[str]:
    return [gettext("Đơn vị %(code)s — %(name)s được gộp vào %(target)s: %(children)s đơn vị cấp dưới, "
                    "%(people)s tài khoản và %(count)s thành viên chuyển sang; đơn vị %(code)s bị xóa.",
                    code=d.get("code"), name=d.get("name"), target=d.get("target"), children=d.get("children"),
                    people=d.get("people"), count=d.get("member_count"))]
