"""A question bank as an .xlsx in the import layout (``domain.bank_export`` writes the rows)."""

from __future__ import annotations

import io

import xlsxwriter

from quizapp.domain.bank_export import ExportQuestion, export_header, export_rows
from quizapp.extensions import db
from quizapp.models import Bank
from quizapp.services.banks import QuestionFilter, bank_questions


def export_bank_xlsx(bank: Bank) -> bytes:
    """The bank's active questions as an .xlsx in the import layout (constant memory while writing)."""
    questions = db.session.scalars(bank_questions(bank, QuestionFilter())).all()
    width = max((len(q.options) for q in questions), default=4)
    items = (
        ExportQuestion(number=q.number, text=q.text, options=[o.text for o in q.options],
                       correct_index=next((i for i, o in enumerate(q.options) if o.is_correct), 0),
                       topic=q.topic, difficulty=q.difficulty, explanation=q.explanation, source=q.source)
        for q in questions
    )
    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_formulas": False,
                                            "strings_to_numbers": False, "strings_to_urls": False})
    sheet = workbook.add_worksheet("Câu hỏi")
    bold = workbook.add_format({"bold": True, "bg_color": "#E8EEF7", "border": 1})
    wrap = workbook.add_format({"text_wrap": True, "valign": "top"})
    header = export_header(width)
    sheet.write_row(0, 0, header, bold)
    for row_index, row in enumerate(export_rows(items, width), start=1):
        for col, value in enumerate(row):
            sheet.write_string(row_index, col, value, wrap)
    sheet.freeze_panes(1, 0)
    sheet.set_column(0, 0, 6)
    sheet.set_column(1, 1, 60)
    sheet.set_column(2, 1 + width, 28)
    sheet.set_column(2 + width, 2 + width, 8)
    sheet.set_column(3 + width, len(header) - 1, 24)
    workbook.close()
    return buffer.getvalue()
