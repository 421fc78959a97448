"""GIFT files: one-correct-answer multiple choice is imported, every other question type is refused by name."""

from __future__ import annotations

import contextlib
import random

import pytest

from quizapp.domain.banks import BankFileError, ParsedQuestion, Problem, parse_bank, read_bank
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
        ("Điền {=a ~b} và {=c ~d}", "cloze"),
        ("Đây chỉ là một đoạn mô tả.", "description"),
    ],
)
def test_other_question_types_are_refused_by_name(block: str, kind: str) -> None:
    assert refused("Câu trắc nghiệm? {=a ~b}\n\n" + block) == [
        Problem("unsupported_question_type", line=3, data={"kind": kind})
    ]


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


# The question types of the examples Moodle ships with its GIFT importer, written anew, saved as .txt with a
# question on the first line: multiple choice, missing word (on one line and across lines), true/false, short
# answer, numerical, matching, essay.
MIXED_EXPORT = """\
Ai là tác giả của tập thơ “Nhật ký trong tù”?{~Tố Hữu ~Xuân Diệu =Hồ Chí Minh}

Bác đọc Tuyên ngôn Độc lập tại Quảng trường {~Hoàn Kiếm =Ba Đình ~Lam Sơn}, Hà Nội.

Hà Nội là thủ đô của nước Cộng hoà xã hội chủ nghĩa Việt Nam.{TRUE}

// Trả lời ngắn
Nguyễn Ái Quốc là một tên gọi của ai?{=Hồ Chí Minh =Bác Hồ}

Chủ tịch Hồ Chí Minh sinh năm nào?{#1890}

Ghép tác phẩm với năm ra đời.{
    =Đường Kách mệnh -> 1927
    =Nhật ký trong tù -> 1943
}

Ngày Quốc khánh nước ta là ngày {
    ~19 tháng 8
    =2 tháng 9
    ~30 tháng 4
} hằng năm.

Viết cảm nghĩ của em về Bác.{}
"""
OTHER_TYPES_IN_MIXED_EXPORT = [
    (5, "true_false"), (8, "short_answer"), (10, "numerical"), (12, "matching"), (23, "essay")
]


def kinds(problems: list[Problem]) -> list[tuple[int | None, object]]:
    return [(p.line, p.data.get("kind")) for p in problems]


def test_a_txt_export_opening_with_a_question_is_read_as_gift_and_refused_whole_for_its_other_types() -> None:
    problems = problems_of(lambda: gift(MIXED_EXPORT, "cau-hoi.txt"), BankFileError)
    assert codes(problems) == ["unsupported_question_type"] * 5  # not Aiken's "0 options" for every question
    assert kinds(problems) == OTHER_TYPES_IN_MIXED_EXPORT


def test_skipping_other_types_keeps_the_multiple_choice_and_lists_each_skipped_question_with_its_line() -> None:
    reading = read_bank("cau-hoi.txt", MIXED_EXPORT.encode(), skip_other_types=True)
    assert [(q.line, q.text) for q in reading.questions] == [
        (1, "Ai là tác giả của tập thơ “Nhật ký trong tù”?"),
        (3, "Bác đọc Tuyên ngôn Độc lập tại Quảng trường ……, Hà Nội."),
        (17, "Ngày Quốc khánh nước ta là ngày …… hằng năm."),
    ]
    assert [q.options[q.correct_index] for q in reading.questions] == ["Hồ Chí Minh", "Ba Đình", "2 tháng 9"]
    assert kinds(reading.skipped) == OTHER_TYPES_IN_MIXED_EXPORT
    assert read_bank("cau-hoi.txt", MIXED_EXPORT.splitlines()[0].encode()).skipped == []


@pytest.mark.parametrize(
    ("text", "stem"),
    [
        ("Grant is {~buried =entombed ~living} in Grant's tomb.", "Grant is …… in Grant's tomb."),
        ("{=Hà Nội ~Huế} là thủ đô của Việt Nam.", "…… là thủ đô của Việt Nam."),
        ("Thủ đô của Việt Nam là {=Hà Nội ~Huế}.", "Thủ đô của Việt Nam là ……."),
        (
            "[html]<p>Tác phẩm <b>Đường Kách mệnh</b> xuất bản năm {=1927 ~1930} tại Quảng Châu.</p>",
            "Tác phẩm Đường Kách mệnh xuất bản năm …… tại Quảng Châu.",
        ),
        ("Ai đọc Tuyên ngôn Độc lập {=Hồ Chí Minh ~Võ Nguyên Giáp}?", "Ai đọc Tuyên ngôn Độc lập?"),
        ("[html]<p>Ai đọc Tuyên ngôn Độc lập? {=Hồ Chí Minh ~Võ Nguyên Giáp}</p>", "Ai đọc Tuyên ngôn Độc lập?"),
    ],
)
def test_an_answer_block_in_mid_sentence_is_a_blank_in_the_question(text: str, stem: str) -> None:
    (parsed,) = gift(text)
    assert parsed.text == stem


def test_a_missing_word_question_keeps_its_title_feedback_and_options() -> None:
    text = "::Quốc khánh::Ngày Quốc khánh là ngày {\n~19/8#Ngày Tổng khởi nghĩa\n=2/9#Năm 1945\n~30/4\n} hằng năm."
    (parsed,) = gift(text, "quoc-khanh.txt")
    assert (parsed.text, parsed.options, parsed.correct_index) == (
        "Ngày Quốc khánh là ngày …… hằng năm.", ("19/8", "2/9", "30/4"), 1
    )
    assert parsed.explanation == "Năm 1945"


def test_real_errors_refuse_the_whole_file_even_when_other_types_are_skipped() -> None:
    broken = MIXED_EXPORT + "\nCâu không có đáp án đúng? {~a ~b}\n\nCâu lạ? {chỉ là chữ}\n\nCâu chưa đóng? {=a ~b\n"
    with pytest.raises(BankFileError) as raised:
        read_bank("cau-hoi.txt", broken.encode(), skip_other_types=True)
    assert [(p.code, p.line) for p in raised.value.problems] == [
        ("missing_answer", 25),
        ("unsupported_question_type", 27),
        ("unclosed_brace", 29),
    ]
    assert raised.value.problems[1].data == {"kind": "unknown"}  # no known shape: an error, never skipped


def test_skipping_every_question_leaves_a_file_with_nothing_to_import() -> None:
    with pytest.raises(BankFileError) as raised:
        read_bank("bank.gift", "Đúng hay sai {T}\n\nBác sinh năm? {#1890}\n".encode(), skip_other_types=True)
    assert raised.value.problems == [Problem("no_multiple_choice", data={"count": 2})]


@pytest.mark.parametrize("filename", ["ghi-chu.txt", "ghi-chu.gift"])
def test_a_text_file_that_fits_no_format_says_which_formats_were_tried(filename: str) -> None:
    text = "Biên bản họp chi bộ.\nNội dung: triển khai cuộc thi.\n\nNgười ghi: Nguyễn Văn A."
    problems = problems_of(lambda: gift(text, filename), BankFileError)
    extension = filename[filename.rindex(".") :]
    assert problems == [Problem("unknown_text_format", data={"extension": extension, "formats": "Aiken, GIFT"})]


def test_a_gift_file_written_in_aiken_is_read_as_aiken() -> None:
    (parsed,) = gift("Thủ đô của Việt Nam?\nA. Hà Nội\nB. Huế\nANSWER: A\n", "bank.gift")
    assert (parsed.text, parsed.options, parsed.correct_index) == ("Thủ đô của Việt Nam?", ("Hà Nội", "Huế"), 0)
