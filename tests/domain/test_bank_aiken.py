"""Aiken text files (.txt): question lines, option lines A., B., ..., an ANSWER line; blank lines between."""

from __future__ import annotations

import pytest

from quizapp.domain.banks import BankFileError, ParsedQuestion, Problem, parse_bank
from tests.domain._files import codes, problems_of, to_cp1258

TWO_QUESTIONS = """\
Chủ tịch Hồ Chí Minh đọc Tuyên ngôn Độc lập vào ngày nào?
A. 19/8/1945
B. 2/9/1945
C. 6/1/1946
D. 3/2/1930
ANSWER: B

Tác phẩm "Đường Kách mệnh" được xuất bản năm nào?
A) 1925
B) 1927
ANSWER: B
"""


def aiken(text: str, **kwargs: object) -> list[ParsedQuestion]:
    return parse_bank("bank.txt", text.encode(), **kwargs)


def refused(text: str) -> list[Problem]:
    return problems_of(lambda: aiken(text), BankFileError)


def test_questions_with_both_option_styles_and_their_starting_lines() -> None:
    first, second = aiken(TWO_QUESTIONS, default_topic="Tiểu sử")
    assert first == ParsedQuestion(
        line=1,
        text="Chủ tịch Hồ Chí Minh đọc Tuyên ngôn Độc lập vào ngày nào?",
        options=("19/8/1945", "2/9/1945", "6/1/1946", "3/2/1930"),
        correct_index=1,
        topic="Tiểu sử",
        difficulty=None,
        explanation=None,
        source=None,
        number=None,
    )
    assert (second.line, second.options) == (8, ("1925", "1927"))
    assert second.text == 'Tác phẩm "Đường Kách mệnh" được xuất bản năm nào?'


def test_a_first_line_that_starts_like_an_option_is_question_text() -> None:
    text = "C. Mác và Ph. Ăngghen đã viết tác phẩm nào năm 1848?\nA. Tuyên ngôn của Đảng Cộng sản\nB. Tư bản\nANSWER: A"
    (parsed,) = aiken(text)
    assert parsed.text == "C. Mác và Ph. Ăngghen đã viết tác phẩm nào năm 1848?"
    assert parsed.options == ("Tuyên ngôn của Đảng Cộng sản", "Tư bản")


def test_question_text_may_span_lines_before_the_options() -> None:
    text = "Đọc đoạn trích sau:\n“Không có gì quý hơn độc lập, tự do.”\nCâu trên của ai?\nA. Hồ Chí Minh\nB. Lê Duẩn\n"
    text += "ANSWER: A"
    (parsed,) = aiken(text)
    assert parsed.text == "Đọc đoạn trích sau:\n“Không có gì quý hơn độc lập, tự do.”\nCâu trên của ai?"


def test_crlf_leading_blank_lines_lower_case_answer_and_no_blank_line_after_answer() -> None:
    text = "\r\n\r\nCâu một?\r\nA. x\r\nB. y\r\nanswer:  b \r\nCâu hai?\r\nA. x\r\nB. y\r\nANSWER: A\r\n"
    first, second = aiken(text)
    assert (first.line, first.correct_index, second.line, second.correct_index) == (3, 1, 7, 0)


def test_a_windows_1258_file_is_read_and_composed() -> None:
    (parsed,) = parse_bank("bank.txt", to_cp1258("Người sáng lập Đảng?\nA. Hồ Chí Minh\nB. Trần Phú\nANSWER: A\n"))
    assert (parsed.text, parsed.options[0]) == ("Người sáng lập Đảng?", "Hồ Chí Minh")


def test_options_out_of_order_are_reported_at_their_line() -> None:
    (problem, *_) = refused("Câu hỏi?\nA. x\nC. y\nANSWER: A\n")
    assert problem == Problem("option_out_of_sequence", line=1, data={"expected": "B", "found": "C", "at_line": 3})


def test_a_question_without_answer_line_is_reported_where_it_starts() -> None:
    problems = refused(TWO_QUESTIONS + "\n\nCâu thứ ba?\nA. x\nB. y\n")
    assert problems == [Problem("missing_answer", line=14)]


def test_an_answer_outside_the_options_names_its_line() -> None:
    (problem,) = refused("Câu hỏi?\nA. x\nB. y\nANSWER: D\n")
    assert problem == Problem("answer_not_an_option", line=1, data={"answer": "D", "letters": "A–B", "at_line": 4})


def test_a_stray_line_among_the_options_is_reported() -> None:
    (problem,) = refused("Câu hỏi?\nA. x\nGhi chú thêm\nB. y\nANSWER: A\n")
    assert problem == Problem("unexpected_line", line=1, data={"at_line": 3, "text": "Ghi chú thêm"})


def test_an_empty_option_is_missing() -> None:
    (problem,) = refused("Câu hỏi?\nA. x\nB.\nC. z\nANSWER: A\n")
    assert problem == Problem("missing_option", line=1, column="B", data={"letter": "B", "at_line": 3})


@pytest.mark.parametrize(
    ("options", "code"),
    [("A. chỉ một\n", "too_few_options"), ("".join(f"{c}. {c.lower()}\n" for c in "ABCDEFG"), "too_many_options")],
)
def test_option_counts_outside_two_to_six(options: str, code: str) -> None:
    assert codes(refused(f"Câu hỏi?\n{options}ANSWER: A\n")) == [code]


def test_every_problem_of_the_file_is_listed_in_order_and_nothing_is_returned() -> None:
    again = "Chủ tịch Hồ Chí Minh đọc Tuyên ngôn Độc lập vào ngày nào?\nA. a\nB. b\nANSWER: B\n"
    text = TWO_QUESTIONS + "\nCâu ba?\nA. x\nB. x\nANSWER: A\n\n" + again
    problems = refused(text)
    assert [(p.code, p.line) for p in problems] == [("duplicate_option", 13), ("duplicate_question", 18)]
    assert problems[0].data == {"letter": "B", "first_letter": "A", "at_line": 15}
    assert problems[1].data == {"first_line": 1}


def test_an_empty_text_file_has_no_questions() -> None:
    assert codes(refused("\n\n  \n")) == ["no_questions"]


def test_options_typed_without_a_space_after_the_letter() -> None:
    text = "Thủ đô của Việt Nam là thành phố nào?\nA.Hà Nội\nB)Huế\nC. Đà Nẵng\nD)Correct\nANSWER: A\n"
    (parsed,) = aiken(text)
    assert parsed.options == ("Hà Nội", "Huế", "Đà Nẵng", "Correct")


def test_the_c_mac_trap_holds_without_spaces_in_question_and_option_texts() -> None:
    text = (
        "C.Mác và Ph.Ăngghen đã viết tác phẩm nào năm 1848?\nA.Tuyên ngôn của Đảng Cộng sản\nB.Tư bản\nANSWER: A\n\n"
        "Đọc đoạn trích sau:\nC.Mác viết về lao động.\nTác giả đoạn trích là ai?\nA.C. Mác\nB.V.I. Lênin\nANSWER: A\n"
    )
    first, second = aiken(text)
    assert (first.text, first.options) == (
        "C.Mác và Ph.Ăngghen đã viết tác phẩm nào năm 1848?", ("Tuyên ngôn của Đảng Cộng sản", "Tư bản")
    )
    assert second.text == "Đọc đoạn trích sau:\nC.Mác viết về lao động.\nTác giả đoạn trích là ai?"
    assert second.options == ("C. Mác", "V.I. Lênin")


def test_an_unspaced_option_out_of_order_is_reported_at_its_line() -> None:
    problems = refused("Câu hỏi?\nA.x\nC.y\nANSWER: A\n")
    assert problems == [
        Problem("option_out_of_sequence", line=1, data={"expected": "B", "found": "C", "at_line": 3})
    ]
