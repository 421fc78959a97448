"""Question banks as tables (.xlsx, .csv): headings, row rules, and every problem reported at its row."""

from __future__ import annotations

import datetime as dt
import random
import unicodedata

import pytest

from quizapp.domain.banks import (
    MAX_PROBLEMS,
    BankFileError,
    ImportLimits,
    ParsedQuestion,
    Problem,
    duplicate_key,
    fingerprint,
    parse_bank,
)
from quizapp.domain.banks.headers import tidy
from quizapp.domain.text import clean
from tests.domain._files import HEADER, codes, csv_bytes, problems_of, question, workbook, xlsx


def bank(*rows: list[object], header: list[str] = HEADER) -> bytes:
    return xlsx([header, *rows])


def refused(data: bytes, filename: str = "bank.xlsx", **kwargs: object) -> list[Problem]:
    return problems_of(lambda: parse_bank(filename, data, **kwargs), BankFileError)


# --- a valid bank -------------------------------------------------------------------------------------------


def test_a_valid_bank_gives_every_question_with_its_excel_row() -> None:
    questions = parse_bank(
        "bank.xlsx",
        bank(
            question(
                1,
                "Chủ tịch Hồ Chí Minh ra đi tìm đường cứu nước năm nào?",
                "b",
                options=["1890", "1911", "1930", "1945"],
                explanation="Ngày 5/6/1911, tại bến cảng Nhà Rồng.",
                source="Hồ Chí Minh toàn tập",
            ),
            question(2, answer="D", level="Khó"),
        ),
    )
    assert questions[0] == ParsedQuestion(
        line=2,
        text="Chủ tịch Hồ Chí Minh ra đi tìm đường cứu nước năm nào?",
        options=("1890", "1911", "1930", "1945"),
        correct_index=1,
        topic="Tư tưởng Hồ Chí Minh",
        difficulty="easy",
        explanation="Ngày 5/6/1911, tại bến cảng Nhà Rồng.",
        source="Hồ Chí Minh toàn tập",
        number="1",
    )
    assert (questions[1].line, questions[1].correct_index, questions[1].difficulty) == (3, 3, "hard")
    assert questions[1].explanation is None and questions[1].source is None


def test_headings_in_english_any_order_case_and_accents_are_recognised() -> None:
    header = ["  answer ", "OPTION B", "Phuong an A", "QUESTION", "difficulty", "No", "topic", "Explanation", "Source"]
    row = ["A", "Sai", "Đúng", "Câu hỏi tiếng Anh?", "medium", 7, "Lịch sử", "Vì vậy.", "Sách"]
    (parsed,) = parse_bank("bank.xlsx", xlsx([header, row]))
    assert parsed.options == ("Đúng", "Sai")
    assert (parsed.text, parsed.correct_index, parsed.number) == ("Câu hỏi tiếng Anh?", 0, "7")
    assert parsed.difficulty == "medium"
    assert (parsed.topic, parsed.explanation, parsed.source) == ("Lịch sử", "Vì vậy.", "Sách")


@pytest.mark.parametrize(
    "header",
    [
        ["Nội dung câu hỏi", "Đáp án A", "Đáp án B", "Đáp án C", "Đáp án đúng"],
        ["CÂU HỎI (*)", "Phương án A", "Phương án B", "Phương án C", "ĐÁP ÁN:"],
        ["cau hoi", "a", "b", "c", "dap an"],
        ["Question", "Option A", "Option B", "Option C", "Correct answer"],
    ],
)
def test_common_vietnamese_and_english_heading_variants(header: list[str]) -> None:
    (parsed,) = parse_bank("bank.xlsx", xlsx([header, ["Câu hỏi?", "Một", "Hai", "Ba", "C"]]))
    assert parsed.options == ("Một", "Hai", "Ba") and parsed.correct_index == 2


def test_title_rows_above_the_header_are_skipped_and_rows_keep_their_excel_numbers() -> None:
    rows = [["NGÂN HÀNG CÂU HỎI CUỘC THI TÌM HIỂU"], ["Chuyên đề năm 2023"], [], HEADER, question(1), question(2)]
    questions = parse_bank("bank.xlsx", xlsx(rows))
    assert [q.line for q in questions] == [5, 6]


def test_a_header_below_the_first_ten_rows_is_not_looked_for() -> None:
    rows = [[f"Ghi chú {n}"] for n in range(10)] + [HEADER, question(1)]
    (problem,) = refused(xlsx(rows))
    assert problem.code == "no_header" and problem.data == {"sheet": "Câu hỏi", "anchor": "question"}


@pytest.mark.parametrize(
    ("cell", "letter"),
    [("B", 1), (" b ", 1), ("Đáp án B", 1), ("B.", 1), ("(c)", 2), ("đáp án: d", 3), ("Phương án A", 0), ("A)", 0)],
)
def test_answer_letters_in_the_forms_organizers_type(cell: str, letter: int) -> None:
    (parsed,) = parse_bank("bank.xlsx", bank(question(1, answer=cell)))
    assert parsed.correct_index == letter


@pytest.mark.parametrize(
    ("cell", "difficulty"),
    [
        ("Dễ", "easy"),
        ("de", "easy"),
        ("DỄ", "easy"),
        ("Trung bình", "medium"),
        ("trung binh", "medium"),
        ("Khó", "hard"),
        ("kho", "hard"),
        ("easy", "easy"),
        ("Medium", "medium"),
        ("HARD", "hard"),
        (1, "easy"),
        (2, "medium"),
        ("3", "hard"),
        ("Nhận biết", "easy"),
        ("Thông hiểu", "medium"),
        ("Vận dụng", "hard"),
        ("vận dụng cao", "hard"),
        (None, None),
    ],
)
def test_difficulty_spellings(cell: object, difficulty: str | None) -> None:
    (parsed,) = parse_bank("bank.xlsx", bank(question(1, level=cell)))
    assert parsed.difficulty == difficulty


def test_numbers_and_dates_typed_as_such_read_as_written() -> None:
    options = [1890, 0.5, dt.date(1945, 9, 2), True]
    (parsed,) = parse_bank("bank.xlsx", bank(question(1, options=options, answer="A")))
    assert parsed.options == ("1890", "0.5", "1945-09-02", "TRUE")


def test_text_is_nfc_trimmed_and_single_spaced_with_line_breaks_and_quotes_kept() -> None:
    decomposed = unicodedata.normalize("NFD", "Tư tưởng Hồ Chí Minh")
    text = f'  {decomposed}   là gì?\nTheo "Di chúc"  '
    (parsed,) = parse_bank("bank.xlsx", bank(question(1, text)))
    assert parsed.text == 'Tư tưởng Hồ Chí Minh là gì?\nTheo "Di chúc"'
    assert unicodedata.is_normalized("NFC", parsed.text)


def test_default_topic_applies_only_where_the_topic_cell_is_empty() -> None:
    rows = bank(question(1, topic=None), question(2, topic="Chuyên đề 2023"))
    questions = parse_bank("bank.xlsx", rows, default_topic="  Lịch sử Đảng ")
    assert [q.topic for q in questions] == ["Lịch sử Đảng", "Chuyên đề 2023"]


def test_two_to_six_options_are_accepted() -> None:
    header = ["Câu hỏi", "A", "B", "C", "D", "E", "F", "Đáp án"]
    rows = [["Hai phương án?", "Đúng", "Sai", None, None, None, None, "A"]]
    rows.append(["Sáu phương án?", "1", "2", "3", "4", "5", "6", "F"])
    two, six = parse_bank("bank.xlsx", xlsx([header, *rows]))
    assert len(two.options) == 2 and six.options == ("1", "2", "3", "4", "5", "6") and six.correct_index == 5


def test_empty_rows_anywhere_and_pre_numbered_template_rows_are_skipped() -> None:
    rows = [HEADER, [], question(1), [None] * 11, [" ", "", None], question(2), [3], [4], [5], []]
    assert [q.line for q in parse_bank("bank.xlsx", xlsx(rows))] == [3, 6]


# --- headings that are wrong ----------------------------------------------------------------------------------


def test_an_unknown_heading_over_data_is_a_problem_at_row_one() -> None:
    (problem,) = refused(xlsx([[*HEADER, "Ghi chú"], [*question(1), "xem lại"]]))
    assert problem == Problem("unknown_header", line=1, column="Ghi chú")


def test_an_unknown_heading_over_an_empty_column_is_ignored() -> None:
    assert len(parse_bank("bank.xlsx", xlsx([[*HEADER, "Ghi chú"], [*question(1), None]]))) == 1


def test_missing_required_headings_are_each_reported() -> None:
    problems = refused(xlsx([["Câu hỏi", "A", "Chủ đề"], ["Câu?", "x", "y"]]))
    assert [(p.code, p.data["field"]) for p in problems] == [("missing_header", "B"), ("missing_header", "answer")]


def test_a_gap_in_the_option_headings_is_a_missing_heading() -> None:
    (problem,) = refused(xlsx([["Câu hỏi", "A", "B", "D", "Đáp án"], ["Câu?", "x", "y", "z", "A"]]))
    assert (problem.code, problem.data["field"]) == ("missing_header", "C")


def test_a_duplicated_heading_is_a_problem() -> None:
    (problem,) = refused(xlsx([["Câu hỏi", "A", "B", "Đáp án", "Answer"], ["Câu?", "x", "y", "A", "B"]]))
    assert problem == Problem("duplicate_header", line=1, column="Answer", data={"first_column": "Đáp án"})


# --- rows that are wrong --------------------------------------------------------------------------------------


def test_every_row_problem_is_reported_with_row_and_column_and_nothing_is_returned() -> None:
    rows = bank(
        question(1),
        question(2, text=" "),
        question(3, options=["Một", None, None, None], answer="A"),
        question(4, options=["Một", "Hai", None, "Bốn"]),
        question(5, answer=None),
        question(6, answer="E"),
        question(7, options=["Một", "Hai", "một ", "Bốn"]),
        question(8, "Câu hỏi số 1 về tư tưởng Hồ Chí Minh?"),
        question(9, level="rất khó"),
        question(10, answer="A, C"),
    )
    problems = refused(rows)
    assert [(p.code, p.line, p.column) for p in problems] == [
        ("empty_text", 3, "Câu hỏi"),
        ("too_few_options", 4, None),
        ("missing_option", 5, "C"),
        ("missing_answer", 6, "Đáp án"),
        ("answer_not_an_option", 7, "Đáp án"),
        ("duplicate_option", 8, "C"),
        ("duplicate_question", 9, "Câu hỏi"),
        ("unknown_difficulty", 10, "Mức độ"),
        ("multiple_answers", 11, "Đáp án"),
    ]
    assert problems[1].data == {"count": 1}
    assert problems[2].data == {"letter": "C"}
    assert problems[4].data == {"answer": "E", "letters": "A–D"}
    assert problems[5].data == {"letter": "C", "first_letter": "A"}
    assert problems[6].data == {"first_line": 2}
    assert problems[7].data == {"value": "rất khó"}


def test_an_answer_pointing_at_an_empty_option_names_the_options_given() -> None:
    problems = refused(bank(question(1, answer="C", options=["Một", "Hai", None, "Bốn"])))
    assert codes(problems) == ["missing_option", "answer_not_an_option"]
    assert problems[1].data["letters"] == "A, B, D"


def test_a_duplicate_question_ignores_case_and_spacing() -> None:
    rows = bank(question(1, "Di chúc được viết năm nào?"), question(2, "  DI CHÚC được  viết năm nào?"))
    (problem,) = refused(rows)
    assert (problem.code, problem.line, problem.data) == ("duplicate_question", 3, {"first_line": 2})


def test_overlong_texts_are_reported_with_their_length() -> None:
    rows = bank(question(1, "x" * 5001), question(2, options=["y" * 6000, "b", "c", "d"]), question(3, topic="t" * 300))
    problems = refused(rows)
    assert [(p.code, p.line, p.column, p.data["length"]) for p in problems] == [
        ("text_too_long", 2, "Câu hỏi", 5001),
        ("text_too_long", 3, "A", 6000),
        ("text_too_long", 4, "Chủ đề", 300),
    ]


def test_formula_cells_in_xlsx_are_reported_with_their_cell_and_heading() -> None:
    rows = bank(question(1), question(2, options=["=1+1", "3", "4", "5"]), question(3, answer='=IF(1,"A","B")'))
    problems = refused(rows)
    formulas = [p for p in problems if p.code == "formula_cell"]
    assert [(p.line, p.column, p.data["cell"]) for p in formulas] == [(3, "A", "C3"), (4, "Đáp án", "G4")]


def test_a_numbering_formula_in_the_stt_column_is_harmless() -> None:
    rows = [HEADER, question(1), ["=ROW()-1", *question(2)[1:]], ["=ROW()-1"], ["=ROW()-1"]]
    assert [q.line for q in parse_bank("bank.xlsx", xlsx(rows))] == [2, 3]


def test_csv_cells_that_look_like_formulas_are_reported_but_equals_signs_in_text_are_not() -> None:
    rows = [HEADER, question(1, "=SUM(A1:A3)"), question(2, options=["= 5 người", "=A2*3", "x", "y"])]
    problems = refused(csv_bytes(rows), "bank.csv")
    assert [(p.code, p.line, p.column, p.data.get("cell")) for p in problems] == [
        ("formula_cell", 2, "Câu hỏi", "B2"),
        ("formula_cell", 3, "B", "D3"),
    ]


def test_problems_on_a_second_sheet_name_it() -> None:
    data = workbook({"Tuần 1": [HEADER, question(1)], "Tuần 2": [HEADER, question(2, answer="Z")]})
    (problem,) = refused(data)
    assert (problem.code, problem.line, problem.data["sheet"]) == ("answer_not_an_option", 2, "Tuần 2")


def test_a_duplicate_on_another_sheet_names_the_first_sheet() -> None:
    data = workbook({"Tuần 1": [HEADER, question(1)], "Tuần 2": [HEADER, question(1)]})
    (problem,) = refused(data)
    assert problem.data == {"first_line": 2, "sheet": "Tuần 2", "first_sheet": "Tuần 1"}


# --- the file as a whole ----------------------------------------------------------------------------------------


def test_a_header_without_questions_has_no_questions() -> None:
    assert codes(refused(xlsx([HEADER, [], []]))) == ["no_questions"]


def test_more_questions_than_the_limit_is_one_problem() -> None:
    rows = bank(*(question(n) for n in range(1, 6)))
    (problem,) = refused(rows, limits=ImportLimits(max_questions=4))
    assert problem == Problem("too_many_questions", data={"count": 5, "limit": 4})


def test_problems_are_capped_with_a_count_of_the_rest() -> None:
    rows = bank(*(question(n, answer="Z") for n in range(1, 1102)))
    problems = refused(rows)
    assert len(problems) == MAX_PROBLEMS + 1
    assert problems[-1] == Problem("too_many_problems", data={"limit": MAX_PROBLEMS, "total": 1101})


# --- keys for the service ---------------------------------------------------------------------------------------


def test_duplicate_key_and_fingerprint() -> None:
    first, same_text, same_question, other_answer = parse_bank(
        "bank.csv",
        csv_bytes([HEADER, question(1), question(2), question(3), question(4)]),
    )
    same_text = ParsedQuestion(**{**_fields(same_text), "text": " câu HỎI số 1 về tư tưởng Hồ Chí Minh? "})
    same_question = ParsedQuestion(**{**_fields(first), "line": 99, "number": "77"})
    other_answer = ParsedQuestion(**{**_fields(first), "correct_index": 3})
    assert duplicate_key(same_text) == duplicate_key(first)
    assert fingerprint(same_question) == fingerprint(first)
    assert fingerprint(other_answer) != fingerprint(first)
    assert duplicate_key(other_answer) == duplicate_key(first)


def _fields(question: ParsedQuestion) -> dict[str, object]:
    return {name: getattr(question, name) for name in ParsedQuestion.__slots__}


def test_the_fast_cell_cleaner_agrees_with_text_clean() -> None:
    alphabet = "aAđ ế\t\n\r\u00a0\u2003\u0301\u0323\u000b.\"'"
    generator = random.Random(1945)
    for _ in range(20_000):
        value = "".join(generator.choice(alphabet) for _ in range(generator.randint(0, 8)))
        assert tidy(value) == clean(value), repr(value)
