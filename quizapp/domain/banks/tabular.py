"""Question banks laid out as a table (.xlsx, .csv): one question per row under a header row."""

from __future__ import annotations

from quizapp.domain.banks.draft import Draft, DraftOption, Spot
from quizapp.domain.banks.headers import (
    Columns,
    HeaderSpec,
    build_aliases,
    find_header_row,
    formula_problems,
    map_columns,
)
from quizapp.domain.banks.model import OPTION_LETTERS, Problem, on_sheet
from quizapp.domain.banks.sheets import Sheet


def _option_headings(letter: str) -> tuple[str, ...]:
    lower = letter.lower()
    return (
        lower,
        f"phương án {lower}",
        f"đáp án {lower}",
        f"lựa chọn {lower}",
        f"pa {lower}",
        f"option {lower}",
        f"choice {lower}",
        f"answer {lower}",
    )


BANK_HEADERS = HeaderSpec(
    aliases=build_aliases(
        {
            "number": ("STT", "No", "Số thứ tự", "TT", "#", "Number"),
            "question": ("Câu hỏi", "Nội dung câu hỏi", "Nội dung", "Question", "Question text"),
            **{letter: _option_headings(letter) for letter in OPTION_LETTERS},
            "answer": ("Đáp án", "Đáp án đúng", "Đáp án chính xác", "Answer", "Correct answer", "Correct"),
            "topic": ("Chủ đề", "Chuyên đề", "Topic", "Category"),
            "difficulty": ("Mức độ", "Độ khó", "Mức độ nhận thức", "Difficulty", "Level"),
            "explanation": ("Giải thích", "Lời giải", "Hướng dẫn giải", "Explanation"),
            "source": ("Nguồn", "Nguồn tham khảo", "Tài liệu tham khảo", "Trích dẫn", "Source"),
        }
    ),
    anchor="question",
    required=("question", "A", "B", "answer"),
)
_PLAIN_FIELDS = ("topic", "difficulty", "explanation", "source", "number")


def sheet_items(sheet: Sheet) -> list[Problem | Draft]:
    """The sheet's questions as drafts, interleaved in row order with the problems only a table can have."""
    header_index = find_header_row(sheet, BANK_HEADERS)
    if header_index is None:
        if sheet.is_empty():
            return []
        return [Problem("no_header", data={"sheet": sheet.name, "anchor": "question"})]
    columns, problems = map_columns(sheet, header_index, BANK_HEADERS)
    items: list[Problem | Draft] = [*problems, *_option_header_gaps(sheet, columns)]
    items += formula_problems(sheet, columns, header_index + 1, skip_number=False)
    if any(isinstance(item, Problem) and item.code == "missing_header" for item in items):
        return items  # without its key columns no row can be read
    for index in range(header_index + 1, len(sheet.rows)):
        items += _row_items(sheet, columns, index)
    return items


def _option_header_gaps(sheet: Sheet, columns: Columns) -> list[Problem]:
    present = [letter for letter in OPTION_LETTERS if letter in columns.fields]
    last = OPTION_LETTERS.index(present[-1]) if present else -1
    line = columns.header_index + 1
    return [
        Problem("missing_header", line=line, data=on_sheet(sheet.label, field=letter))
        for letter in OPTION_LETTERS[2 : last + 1]
        if letter not in columns.fields
    ]


def _row_items(sheet: Sheet, columns: Columns, index: int) -> list[Problem | Draft]:
    row, line = sheet.rows[index], index + 1
    values = columns.values(row)
    is_empty = not any(value for name, value in values.items() if name != "number")
    formulas = formula_problems(sheet, columns, line, skip_number=True)
    if is_empty:
        return [*formulas]  # template rows numbered in advance, trailing blank rows
    spot = Spot(line, sheet.label, sheet.name)
    draft = Draft(
        spot=spot,
        text=values.get("question", ""),
        options=_options(values, columns),
        answer=values.get("answer", ""),
        columns=columns.field_headings,
        **{name: values.get(name, "") for name in _PLAIN_FIELDS},
    )
    draft.problems += formulas
    draft.problems += _gaps(spot, values)
    return [draft]


def _options(values: dict[str, str], columns: Columns) -> list[DraftOption]:
    return [
        DraftOption(letter, values[letter], columns.field_headings.get(letter))
        for letter in OPTION_LETTERS
        if values.get(letter)
    ]


def _gaps(spot: Spot, values: dict[str, str]) -> list[Problem]:
    """Empty options followed by a filled one (A, B, D filled, C empty): C is missing."""
    filled = [letter for letter in OPTION_LETTERS if values.get(letter)]
    if not filled:
        return []
    last = OPTION_LETTERS.index(filled[-1])
    return [
        spot.problem("missing_option", letter, letter=letter)
        for letter in OPTION_LETTERS[:last]
        if not values.get(letter)
    ]
