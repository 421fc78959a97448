"""Problems in words: every code has a Vietnamese message, placed at its row and column, translatable whole."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_file
from babel.messages.mofile import write_mo
from flask import Flask
from flask_babel import Babel

import quizapp.messages.files as problem_messages
from quizapp.domain.banks import PROBLEM_CODES, Problem
from quizapp.messages.files import FIELD_LABELS, KIND_LABELS, MESSAGES, describe

PLACEHOLDER = re.compile(r"%\((\w+)\)s")
SAMPLE_DATA: dict[str, object] = {
    "size": 12_900_000,
    "size_mb": 12.3,
    "limit_mb": 10,
    "extension": ".pdf",
    "supported": ".xlsx, .csv",
    "detected": "PDF",
    "reason": "compression_ratio",
    "sheet": "Tuần 2",
    "cell": "C7",
    "count": 20_001,
    "limit": 20_000,
    "total": 1_500,
    "anchor": "question",
    "field": "answer",
    "first_column": "Đáp án",
    "letter": "C",
    "first_letter": "A",
    "answer": "E",
    "letters": "A–D",
    "first_line": 3,
    "length": 5_001,
    "value": "rất khó",
    "expected": "B",
    "found": "C",
    "at_line": 9,
    "text": "Ghi chú",
    "kind": "true_false",
    "code": "HN01",
    "cycle": "A → B → A",
    "parent_code": "X",
    "question_id": 42,
    "bank": "Hồ Chí Minh",
    "formats": "Aiken, GIFT",
}


@pytest.fixture
def app() -> Flask:
    app = Flask(__name__)
    app.config["BABEL_DEFAULT_LOCALE"] = "vi"
    Babel(app)
    return app


@pytest.fixture
def request_context(app: Flask) -> Iterator[None]:
    with app.test_request_context():
        yield


def sample(code: str, line: int | None = 7, column: str | None = None) -> Problem:
    return Problem(code, line=line, column=column, data={key: SAMPLE_DATA[key] for key in PROBLEM_CODES[code]})


def test_every_code_has_a_message_and_no_message_lacks_a_code() -> None:
    assert set(MESSAGES) == set(PROBLEM_CODES)


@pytest.mark.parametrize("code", sorted(PROBLEM_CODES))
def test_a_message_only_uses_values_its_problem_always_carries(code: str) -> None:
    assert set(PLACEHOLDER.findall(MESSAGES[code])) <= set(PROBLEM_CODES[code])


def test_every_message_is_found_by_pybabel_extract() -> None:
    extracted = {message for _, message, _, _ in extract_from_file("python", problem_messages.__file__)}
    wanted = {*MESSAGES.values(), *FIELD_LABELS.values(), *KIND_LABELS.values()}
    assert wanted - extracted == set()


@pytest.mark.usefixtures("request_context")
def test_the_answer_example_reads_as_organizers_expect() -> None:
    problem = Problem("answer_not_an_option", line=7, column="Đáp án", data={"answer": "E", "letters": "A–D"})
    assert describe(problem) == "Dòng 7, cột Đáp án: đáp án “E” không nằm trong các phương án đã cho (A–D)."


@pytest.mark.usefixtures("request_context")
@pytest.mark.parametrize("code", sorted(PROBLEM_CODES))
def test_every_code_gives_a_complete_sentence(code: str) -> None:
    for line, column in ((7, "Câu hỏi"), (None, None)):
        sentence = describe(sample(code, line, column))
        assert "%(" not in sentence and "None" not in sentence, sentence
        assert sentence[0].isupper() and sentence.endswith((".", "…")), sentence


@pytest.mark.usefixtures("request_context")
def test_places_sheets_and_offending_lines() -> None:
    on_sheet = Problem("missing_option", line=4, column="C", data={"letter": "C", "sheet": "Tuần 2"})
    assert describe(on_sheet) == "Trang tính “Tuần 2”, dòng 4: thiếu phương án C trong khi đã có phương án sau nó."
    aiken = Problem("option_out_of_sequence", line=12, data={"expected": "C", "found": "D", "at_line": 15})
    assert describe(aiken).startswith("Câu hỏi bắt đầu ở dòng 12, dòng 15: phương án này phải là “C”")
    formula = Problem("formula_cell", line=3, column="A", data={"cell": "C3", "sheet": "Tuần 2"})
    assert describe(formula).startswith("Trang tính “Tuần 2”, dòng 3, cột A: ô C3 chứa công thức.")


@pytest.mark.usefixtures("request_context")
def test_whole_file_problems_start_with_a_capital_and_numbers_follow_the_locale() -> None:
    large = Problem("file_too_large", data={"size": 12_900_000, "size_mb": 12.3, "limit_mb": 10})
    assert describe(large) == "Tệp nặng 12,3 MB, vượt quá giới hạn 10 MB. Hãy chia thành nhiều tệp nhỏ hơn."
    many = Problem("too_many_questions", data={"count": 20_001, "limit": 20_000})
    assert describe(many) == "Tệp có 20.001 câu hỏi, vượt quá giới hạn 20.000 câu mỗi lần nhập."
    assert describe(Problem("no_questions")) == "Tệp không có câu hỏi nào."


@pytest.mark.usefixtures("request_context")
def test_field_and_kind_names_are_words_not_codes() -> None:
    assert describe(Problem("missing_header", line=1, data={"field": "answer"})) == "Dòng 1: thiếu cột “Đáp án”."
    assert describe(Problem("missing_header", line=1, data={"field": "C"})) == "Dòng 1: thiếu cột “C”."
    gift = Problem("unsupported_question_type", line=5, data={"kind": "true_false"})
    assert "dạng đúng/sai chưa được hỗ trợ" in describe(gift)
    data = {"first_line": 3, "first_sheet": "Tuần 1", "sheet": "Tuần 2"}
    duplicate = Problem("duplicate_question", line=9, data=data)
    assert describe(duplicate).endswith("trùng với câu ở dòng 3 của trang tính “Tuần 1”.")


def test_describe_works_in_a_cli_app_context_without_a_request(app: Flask) -> None:
    with app.app_context():
        problem = Problem("missing_answer", line=2, column="Đáp án")
        assert describe(problem) == "Dòng 2, cột Đáp án: chưa có đáp án đúng."


def test_a_translation_catalog_translates_each_message_whole(app: Flask, tmp_path: Path) -> None:
    catalog = Catalog(locale="en")
    catalog.add("Dòng %(line)s, cột %(column)s", "Row %(line)s, column %(column)s")
    catalog.add("%(place)s: %(reason)s", "%(place)s: %(reason)s")
    catalog.add(MESSAGES["answer_not_an_option"], "answer “%(answer)s” is not one of the options given (%(letters)s).")
    folder = tmp_path / "en" / "LC_MESSAGES"
    folder.mkdir(parents=True)
    with (folder / "messages.mo").open("wb") as mo_file:
        write_mo(mo_file, catalog)
    english = Flask(__name__)
    english.config["BABEL_TRANSLATION_DIRECTORIES"] = str(tmp_path)
    Babel(english, locale_selector=lambda: "en")
    problem = Problem("answer_not_an_option", line=7, column="Đáp án", data={"answer": "E", "letters": "A–D"})
    with english.test_request_context():
        assert describe(problem) == "Row 7, column Đáp án: answer “E” is not one of the options given (A–D)."
