"""The sample banks in question_banks/: read by the importer's own parser, sourced, in the house style, unrepeated,
and counted as question_banks/README.md says (its "Sample banks" section is the contract these tests hold)."""

from __future__ import annotations

import csv
import io
import re
import tomllib
import unicodedata
from collections import Counter
from functools import cache
from itertools import combinations
from pathlib import Path

import pytest
from rapidfuzz import fuzz

from quizapp.domain.banks import BankFileError, ParsedQuestion, parse_bank

BANKS = Path(__file__).resolve().parent.parent / "question_banks"
README = BANKS / "README.md"
YEARS = range(2021, 2026)
MIN_YEARLY = 25
LEVELS = {"easy": "Dễ", "medium": "Trung bình", "hard": "Khó"}

DATE = r"(?:ngày \d{1,2}/\d{1,2}/\d{4}|tháng \d{1,2}/\d{4}|năm \d{4}|\d{1,2}/\d{4}–\d{1,2}/\d{4}|\d{4}–\d{4})"
SOURCES = {
    "Toàn tập": re.compile(
        r"Hồ Chí Minh: Toàn tập, t\.(?P<volume>\d{1,2}), NXB Chính trị quốc gia Sự thật, Hà Nội, 2011, "
        r"tr\.\d{1,3}(?:–\d{1,3})?"),
    "Biên niên tiểu sử": re.compile(
        r"Hồ Chí Minh – Biên niên tiểu sử, t\.(?P<volume>\d{1,2}), NXB Chính trị quốc gia Sự thật, Hà Nội, 2016"),
    "a dated text of Hồ Chí Minh": re.compile(rf"Hồ Chí Minh, “[^”]+”(?:, [^,“”]+){{0,2}}, {DATE}"),
    "a Party or State document": re.compile(
        r"(?:Chỉ thị|Kết luận|Quy định|Nghị quyết|Hướng dẫn|Thông báo|Nghị định|Quyết định|Luật)"
        r" \d+(?:-[A-ZĐa-zđ]+/TW|/\d{4}/[A-ZĐ0-9-]+)"
        r" ngày \d{1,2}/\d{1,2}/\d{4}"
        r" của (?:Bộ Chính trị|Ban Bí thư|Ban Chấp hành Trung ương Đảng|Chính phủ|Quốc hội)"),
    "a constitution": re.compile(
        r"Hiến pháp nước (?:Việt Nam Dân chủ Cộng hòa|Cộng hòa xã hội chủ nghĩa Việt Nam) ngày \d{1,2}/\d{1,2}/\d{4}, "
        r"(?:Điều \d+|Lời nói đầu)"),
    "a congress or plenum": re.compile(
        rf"(?:Văn kiện Đại hội đại biểu toàn quốc lần thứ [IVXL]+ của Đảng|Nghị quyết Hội nghị [^,]+), {DATE}"),
}
VOLUMES = {"Toàn tập": 15, "Biên niên tiểu sử": 10}
# One transliteration per foreign name (README, house style): the spellings on the left are not used.
OTHER_SPELLINGS = {"Pari": "Pa-ri", "Paris": "Pa-ri", "Mátxcơva": "Mát-xcơ-va", "Matxcơva": "Mát-xcơ-va",
                   "Moskva": "Mát-xcơ-va", "Giơnevơ": "Giơ-ne-vơ", "Vécxây": "Véc-xây", "Mácxây": "Mác-xây",
                   "Nava": "Na-va", "Lê-nin": "Lênin", "Mác-Lênin": "Mác – Lênin", "Mác - Lênin": "Mác – Lênin"}
INSTITUTIONS = ("Quân đội nhân dân", "Hội đồng nhân dân", "Ủy ban nhân dân", "Công an nhân dân",
                "Tòa án nhân dân", "Viện kiểm sát nhân dân", "Yêu sách của nhân dân An Nam", "chiến tranh nhân dân")


def manifest_files() -> list[str]:
    return [entry["file"] for entry in tomllib.loads((BANKS / "manifest.toml").read_text("utf-8"))["bank"]]


@cache
def bank(name: str) -> tuple[ParsedQuestion, ...]:
    return tuple(parse_bank(name, (BANKS / name).read_bytes()))


def every_question() -> list[tuple[str, ParsedQuestion]]:
    return [(name, question) for name in manifest_files() for question in bank(name)]


def where(name: str, question: ParsedQuestion) -> str:
    return f"{name} STT {question.number} (row {question.line})"


def normalised(text: str) -> str:
    text = unicodedata.normalize("NFC", text).casefold()
    return " ".join(re.sub(r"[^\w\s]", " ", text).split())


def outside_quotations(text: str) -> str:
    return re.sub(r"“[^”]*”", "“”", text)


def test_the_manifest_lists_every_bank_file_once():
    files = manifest_files()
    assert sorted(files) == sorted(p.name for p in BANKS.glob("*.csv"))
    assert len(set(files)) == len(files)


@pytest.mark.parametrize("name", manifest_files())
def test_each_bank_parses_without_a_problem(name):
    try:
        questions = bank(name)
    except BankFileError as error:
        pytest.fail(f"{name}: {[(p.code, p.line, p.column, dict(p.data)) for p in error.problems]}")
    assert questions
    for question in questions:
        assert question.topic and question.difficulty in LEVELS and question.source, where(name, question)


def test_no_two_questions_ask_the_same_thing():
    """The same stem, or a nearly identical one, anywhere across the files: normalised text compared with
    rapidfuzz. Stems that differ in one word and key different answers (the father / the mother) are two
    questions; a reworded stem keying the same answer is the same question asked twice."""
    seen = [(name, q, normalised(q.text), normalised(q.options[q.correct_index])) for name, q in every_question()]
    repeats = []
    for (name_a, a, stem_a, key_a), (name_b, b, stem_b, key_b) in combinations(seen, 2):
        stems = fuzz.ratio(stem_a, stem_b)
        keys = fuzz.ratio(key_a, key_b)
        if stems == 100 or (stems >= 90 and keys >= 60) or (fuzz.token_set_ratio(stem_a, stem_b) >= 80 and keys >= 90):
            repeats.append(f"{where(name_a, a)} ~ {where(name_b, b)}: {a.text!r}")
    assert not repeats, "\n".join(repeats)


def test_every_source_has_one_of_the_house_forms():
    wrong = []
    for name, question in every_question():
        kinds = [kind for kind, pattern in SOURCES.items() if pattern.fullmatch(question.source)]
        if not kinds:
            wrong.append(f"{where(name, question)}: {question.source!r}")
            continue
        match = SOURCES[kinds[0]].fullmatch(question.source)
        if kinds[0] in VOLUMES and not 1 <= int(match["volume"]) <= VOLUMES[kinds[0]]:
            wrong.append(f"{where(name, question)}: no volume {match['volume']} in {kinds[0]}")
    assert not wrong, "\n".join(wrong)


def test_the_house_style_holds():
    wrong = []
    for name, question in every_question():
        texts = [question.text, question.explanation or "", *question.options]
        for text in texts:
            if "..." in text:
                wrong.append(f"{where(name, question)}: three dots instead of …: {text!r}")
            if re.search(r"(?<![\d/])0\d/\d{1,2}/\d{4}|(?<![\d/])\d{1,2}/0\d/\d{4}", text):
                wrong.append(f"{where(name, question)}: a date with a leading zero: {text!r}")
            for other, house in OTHER_SPELLINGS.items():
                if re.search(rf"(?<![\wÀ-ỹ-]){re.escape(other)}(?![\wÀ-ỹ-])", text):
                    wrong.append(f"{where(name, question)}: {other!r} is written {house!r} here")
            own = outside_quotations(text)
            for institution in INSTITUTIONS:
                own = own.replace(institution, "")
            if re.search(r"(?<![\wÀ-ỹ])nhân dân(?![\wÀ-ỹ])", own):
                wrong.append(f"{where(name, question)}: 'nhân dân' in our own words takes a capital: {text!r}")
        for option in question.options:
            if option[:1].islower() or (option.endswith(".") and " " in option):
                wrong.append(f"{where(name, question)}: option not in sentence case: {option!r}")
    assert not wrong, "\n".join(wrong)


def readme_counts() -> dict[tuple[str, str], tuple[int, int, int, int]]:
    text = README.read_text("utf-8")
    table = text.split("<!-- counts: begin -->", 1)[1].split("<!-- counts: end -->", 1)[0]
    rows = {}
    for file, topic, easy, medium, hard, total in re.findall(
            r"^\| `([\w.]+\.csv)` \| ([^|]+?) \| (\d+) \| (\d+) \| (\d+) \| (\d+) \|$", table, re.M):
        rows[(file, topic)] = (int(easy), int(medium), int(hard), int(total))
    return rows


def test_topics_and_counts_are_as_the_readme_says():
    actual: Counter[tuple[str, str, str]] = Counter()
    for name, question in every_question():
        actual[(name, question.topic, question.difficulty)] += 1
    found = {}
    for (name, topic, level), n in actual.items():
        counts = found.setdefault((name, topic), [0, 0, 0])
        counts[list(LEVELS).index(level)] = n
    assert readme_counts() == {key: (*counts, sum(counts)) for key, counts in found.items()}
    total = re.search(r"^\| all files \| \| \| \| \| (\d+) \|$", README.read_text("utf-8"), re.M)
    assert total and int(total[1]) == sum(actual.values())


@pytest.mark.parametrize("year", YEARS)
def test_each_yearly_bank_has_its_theme_and_its_documents(year):
    name = f"chuyen_de_{year}.csv"
    title = next(csv.reader(io.StringIO((BANKS / name).read_text("utf-8-sig"))))[0]
    assert title.startswith(f"Chuyên đề năm {year}: "), "the file's first line names its theme"
    theme = title.split(": ", 1)[1]
    assert len(theme) > 20 and theme in README.read_text("utf-8"), "the README names the same theme"
    topics = Counter(question.topic for question in bank(name))
    assert set(topics) == {f"Chuyên đề năm {year}", f"Văn bản của Đảng năm {year}"}
    assert sum(topics.values()) >= MIN_YEARLY
    assert topics[f"Văn bản của Đảng năm {year}"] < topics[f"Chuyên đề năm {year}"], "the documents are a small topic"
