"""GIFT files: one-correct-answer multiple choice is imported, every other question type is refused by name."""

from __future__ import annotations

import contextlib
import random

import pytest

from quizapp.domain.banks import BankFileError, ParsedQuestion, Problem, parse_bank
from tests.domain._files import codes, problems_of

MOODLE_EXPORT = """\
// question: 101  name: Năm sinh
$CATEGORY: $course$/top/Tư tưởng Hồ Chí Minh/Chuyên đề năm 2023

::Năm sinh::[html]<p>Chủ tịch Hồ Chí Minh sinh năm nào?</p>{
\t=<p>1890</p>#Ngày 19/5/1890
\t~<p>1891</p>
\t~<p>1911</p>
\t####<p>Người sinh tại làng Kim Liên, Nam Đàn, Nghệ An &amp; lớn lên ở Huế.</p>
}

// question: 102
::Q2:: Tác phẩm nào được viết năm 1927? {~Nhật ký trong tù =Đường Kách mệnh#Xuất bản tại Quảng Châu. ~Di chúc}
"""


def gift(text: str, filename: str = "bank.gift", **kwargs: object) -> list[ParsedQuestion]:
    return parse_bank(filename, text.encode(), **kwargs)


def refused(text: str) -> list[Problem]:
    return problems_of(lambda: gift(text), BankFileError)


def test_a_moodle_export_with_category_title_html_and_feedback() -> None:
    first, second = gift(MOODLE_EXPORT)
    assert first == ParsedQuestion(
        line=4,
        text="Chủ tịch Hồ Chí Minh sinh năm nào?",
        options=("1890", "1891", "1911"),
        correct_index=0,
        topic="Chuyên đề năm 2023",
        difficulty=None,
        explanation="Người sinh tại làng Kim Liên, Nam Đàn, Nghệ An & lớn lên ở Huế.",
        source=None,
        number=None,
    )
    assert (second.line, second.correct_index) == (12, 1)
    assert second.options == ("Nhật ký trong tù", "Đường Kách mệnh", "Di chúc")
    assert second.explanation == "Xuất bản tại Quảng Châu."  # the correct answer's feedback, lacking ####
    assert second.topic == "Chuyên đề năm 2023"


def test_a_txt_file_that_opens_like_gift_is_read_as_gift() -> None:
    assert len(gift(MOODLE_EXPORT, "ngan-hang.txt")) == 2


def test_escaped_special_characters_are_literal() -> None:
    (parsed,) = gift(r"Trong biểu thức a \= b \{c\}, dấu \~ và \# là gì\: ? {=Ký hiệu\: \= ~Chữ \~}")
    assert parsed.text == "Trong biểu thức a = b {c}, dấu ~ và # là gì: ?"
    assert parsed.options == ("Ký hiệu: =", "Chữ ~")


def test_format_markers_are_removed_and_markdown_is_left_as_text() -> None:
    (parsed,) = gift("[markdown]Câu **hỏi**? {=[plain]Đúng ~[moodle]Sai}")
    assert (parsed.text, parsed.options) == ("Câu **hỏi**?", ("Đúng", "Sai"))


def test_default_topic_applies_without_category_and_top_level_categories_are_no_topic() -> None:
    text = "Câu một? {=a ~b}\n\n$CATEGORY: $course$/top\n\nCâu hai? {=a ~b}\n\n"
    text += "$CATEGORY: Lịch sử//Địa lý\n\nCâu ba? {=a ~b}"
    questions = gift(text, default_topic="Chung")
    assert [q.topic for q in questions] == ["Chung", "Chung", "Lịch sử/Địa lý"]


def test_punctuation_after_the_answers_is_kept_with_the_question() -> None:
    (parsed,) = gift("Ai là tác giả của “Nhật ký trong tù” {=Hồ Chí Minh ~Tố Hữu}?")
    assert parsed.text == "Ai là tác giả của “Nhật ký trong tù”?"


@pytest.mark.parametrize(
    ("block", "kind"),
    [
        ("Hà Nội là thủ đô {T}", "true_false"),
        ("Hà Nội là thủ đô {FALSE#Sai rồi}", "true_false"),
        ("Thủ đô nước ta? {=Hà Nội =Ha Noi}", "short_answer"),
        ("Ghép đôi {=Hà Nội -> thủ đô =Huế -> cố đô}", "matching"),
        ("Bác sinh năm? {#1890:0}", "numerical"),
        ("Viết cảm nghĩ về Bác {}", "essay"),
        ("Hai đáp án? {=a =b ~c}", "multiple_correct"),
        ("Trọng số? {~%50%a ~%50%b ~c}", "weighted"),
        ("Bác sinh năm {=1890 ~1891} tại Nghệ An.", "missing_word"),
        ("Điền {=a ~b} và {=c ~d}", "cloze"),
        ("Đây chỉ là một đoạn mô tả.", "description"),
    ],
)
def test_other_question_types_are_refused_by_name(block: str, kind: str) -> None:
    assert refused(block) == [Problem("unsupported_question_type", line=1, data={"kind": kind})]


def test_an_unclosed_brace_is_reported_where_the_question_starts() -> None:
    problems = refused("Câu một? {=a ~b}\n\n// ghi chú\nCâu hai? {=a\n~b\n")
    assert problems == [Problem("unclosed_brace", line=4)]


def test_shared_rules_apply_no_correct_answer_empty_option_duplicates() -> None:
    text = "Câu một? {~a ~b}\n\nCâu hai? {=a ~ ~c}\n\nCâu ba? {=a ~A}\n\ncâu MỘT? {=x ~y}"
    problems = refused(text)
    assert [(p.code, p.line) for p in problems] == [
        ("missing_answer", 1),
        ("missing_option", 3),
        ("duplicate_option", 5),
        ("duplicate_question", 7),
    ]
    assert problems[1].data == {"letter": "B"}


def test_every_question_with_a_problem_is_listed_and_nothing_is_returned() -> None:
    text = MOODLE_EXPORT + "\nĐúng hay sai {T}\n\nCâu cuối? {=x ~y}\n"
    assert codes(refused(text)) == ["unsupported_question_type"]


def test_random_gift_like_text_is_parsed_or_refused_never_crashes() -> None:
    pieces = ["{", "}", "=", "~", "#", "####", "\\", "::", "[html]", "<p>", "->", "%50%", "\n", "\n\n", "//", "x", " "]
    pieces += ["$CATEGORY: a/b", "câu hỏi", "Đáp án"]
    generator = random.Random(1930)
    for _ in range(500):
        text = "".join(generator.choice(pieces) for _ in range(generator.randint(0, 40)))
        for filename in ("bank.gift", "bank.txt"):
            with contextlib.suppress(BankFileError):
                parse_bank(filename, text.encode())
