"""Reading uploads safely: what a file really is, encodings, sheets, and hostile .xlsx packages."""

from __future__ import annotations

import codecs
import datetime as dt
import io
import random
import secrets
import tracemalloc
import zipfile

import pytest

from quizapp.domain.banks import BankFileError, ImportLimits, Problem, parse_bank
from quizapp.domain.banks.package import open_package, scan_sheet
from quizapp.domain.banks.sheets import cell_text
from tests.domain._files import (
    HEADER,
    codes,
    csv_bytes,
    declare_size,
    problems_of,
    question,
    rezip,
    to_cp1258,
    workbook,
    xlsx,
)

SHEET = "xl/worksheets/sheet1.xml"
MAIN = b'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'


def refused(filename: str, data: bytes, **kwargs: object) -> list[Problem]:
    return problems_of(lambda: parse_bank(filename, data, **kwargs), BankFileError)


def good_bank() -> bytes:
    return xlsx([HEADER, question(1), question(2)])


def with_sheet_xml(body: bytes, prefix: bytes = b"") -> bytes:
    """The good bank with its sheet part replaced by ``body`` (the inside of <sheetData>)."""
    p = prefix + b":" if prefix else b""
    xmlns = MAIN.replace(b"xmlns=", b"xmlns:" + prefix + b"=") if prefix else MAIN
    xml = b"<%bworksheet %b><%bsheetData>%b</%bsheetData></%bworksheet>" % (p, xmlns, p, body, p, p)
    return rezip(good_bank(), {SHEET: xml})


def inline(ref: str, text: str) -> bytes:
    return f'<c r="{ref}" t="inlineStr"><is><t>{text}</t></is></c>'.encode()


# --- cells as the organizer sees them ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (1890.0, "1890"),
        (0.5, "0.5"),
        (0.1 + 0.2, "0.3"),
        (-3.0, "-3"),
        (12, "12"),
        (dt.date(1945, 9, 2), "1945-09-02"),
        (dt.datetime(1945, 9, 2), "1945-09-02"),
        (dt.datetime(1945, 9, 2, 14, 30), "1945-09-02 14:30:00"),
        (dt.time(7, 5), "07:05:00"),
        (True, "TRUE"),
        (False, "FALSE"),
        (None, ""),
        ("  chữ  ", "  chữ  "),
    ],
)
def test_cell_text_is_what_excel_shows(value: object, text: str) -> None:
    assert cell_text(value) == text


# --- what the file really is ------------------------------------------------------------------------------------


def test_a_file_over_the_size_limit_is_refused_with_its_size() -> None:
    (problem,) = refused("bank.csv", b"x" * 1_300_000, limits=ImportLimits(max_bytes=1024 * 1024))
    assert problem == Problem("file_too_large", data={"size": 1_300_000, "size_mb": 1.2, "limit_mb": 1.0})


def test_an_empty_file_has_no_questions() -> None:
    assert codes(refused("bank.xlsx", b"")) == ["no_questions"]


@pytest.mark.parametrize(("filename", "extension"), [("bank.pdf", ".pdf"), ("bank.docx", ".docx"), ("bank", "")])
def test_unsupported_extensions_are_named(filename: str, extension: str) -> None:
    (problem,) = refused(filename, b"data")
    assert (problem.code, problem.data["extension"]) == ("unsupported_format", extension)
    assert problem.data["supported"] == ".xlsx, .csv, .txt, .gift"


OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504)


@pytest.mark.parametrize("filename", ["bank.xls", "bank.xlsx"])
def test_an_old_binary_excel_file_is_recognised_as_xls(filename: str) -> None:
    assert codes(refused(filename, OLE2 + b"Workbook")) == ["legacy_xls"]


def test_a_password_protected_workbook_is_named_as_such() -> None:
    assert codes(refused("bank.xlsx", OLE2 + "EncryptedPackage".encode("utf-16-le"))) == ["encrypted_file"]


@pytest.mark.parametrize(
    ("filename", "data", "detected"),
    [
        ("bank.xlsx", b"%PDF-1.7 ...", "PDF"),
        ("bank.csv", None, "Excel (.xlsx)"),
        ("bank.txt", b"\x89PNG\r\n\x1a\n....", "PNG"),
    ],
)
def test_a_renamed_file_is_named_by_what_it_really_is(filename: str, data: bytes | None, detected: str) -> None:
    (problem,) = refused(filename, data if data is not None else good_bank())
    assert problem.code == "wrong_file_type"
    assert problem.data == {"extension": filename[filename.rindex(".") :], "detected": detected}


def test_a_word_document_renamed_xlsx_is_named() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as package:
        package.writestr("word/document.xml", "<w:document/>")
    (problem,) = refused("bank.xlsx", buffer.getvalue())
    assert problem.data["detected"] == "Word (.docx)"


def test_garbage_named_xlsx_is_not_a_spreadsheet() -> None:
    assert codes(refused("bank.xlsx", b"just some text, not a workbook")) == ["not_a_spreadsheet"]


def test_a_package_with_a_broken_workbook_part_is_not_a_spreadsheet() -> None:
    broken = rezip(good_bank(), {"xl/workbook.xml": b"<workbook><sheets><sheet name="})
    assert codes(refused("bank.xlsx", broken)) == ["not_a_spreadsheet"]


def test_an_xlsx_saved_with_an_xls_name_is_simply_read() -> None:
    assert len(parse_bank("bank.xls", good_bank())) == 2


# --- sheets ---------------------------------------------------------------------------------------------------


def test_every_sheet_with_a_header_is_read_and_empty_or_hidden_ones_are_skipped() -> None:
    data = workbook(
        {
            "Trống": [],
            "Tuần 1": [HEADER, question(1)],
            "Danh mục": [["Dễ"], ["Trung bình"], ["Khó"]],
            "Tuần 2": [["Câu hỏi tuần 2"], HEADER, question(2)],
        },
        hidden=["Danh mục"],
    )
    assert [(q.number, q.line) for q in parse_bank("bank.xlsx", data)] == [("1", 2), ("2", 3)]


def test_a_sheet_with_data_but_no_header_is_named() -> None:
    data = workbook({"Câu hỏi": [HEADER, question(1)], "Hướng dẫn": [["Điền câu hỏi vào trang đầu"]]})
    (problem,) = refused("bank.xlsx", data)
    assert problem == Problem("no_header", data={"sheet": "Hướng dẫn", "anchor": "question"})


# --- CSV encodings and delimiters -----------------------------------------------------------------------------

PLACES = ["Quảng trường Ba Đình", "Huế", "Sài Gòn", "Pác Bó"]
ROWS = [HEADER, question(1, "Bác Hồ đọc Tuyên ngôn Độc lập ở đâu?", options=PLACES)]
EXPECTED = ("Bác Hồ đọc Tuyên ngôn Độc lập ở đâu?", "Quảng trường Ba Đình")


@pytest.mark.parametrize(
    ("encoding", "delimiter"),
    [("utf-8", ","), ("utf-8-sig", ","), ("utf-8-sig", ";"), ("utf-8", "\t"), ("cp1258", ";"), ("utf-16", "\t")],
)
def test_csv_in_the_encodings_and_delimiters_excel_saves(encoding: str, delimiter: str) -> None:
    (parsed,) = parse_bank("bank.csv", csv_bytes(ROWS, delimiter=delimiter, encoding=encoding))
    assert (parsed.text, parsed.options[0]) == EXPECTED


def test_windows_1258_with_combining_tone_marks_comes_out_composed() -> None:
    data = to_cp1258("Câu hỏi,A,B,Đáp án\nNgười viết Di chúc?,Hồ Chí Minh,Lê Duẩn,A\n")
    assert b"\xd2" in data or b"\xec" in data  # a combining tone mark byte is really there
    (parsed,) = parse_bank("bank.csv", data)
    assert (parsed.text, parsed.options) == ("Người viết Di chúc?", ("Hồ Chí Minh", "Lê Duẩn"))


def test_semicolon_is_chosen_even_when_the_texts_hold_commas() -> None:
    text = "Theo Bác, cán bộ phải có đức, có tài, đúng không?"
    rows = [HEADER, question(1, text, options=["Đúng, vì", "Sai", "c", "d"])]
    (parsed,) = parse_bank("bank.csv", csv_bytes(rows, delimiter=";"))
    assert parsed.text == text and parsed.options[0] == "Đúng, vì"


def test_a_utf8_file_with_a_broken_byte_is_reported_at_its_line_not_misread() -> None:
    data = csv_bytes([HEADER, question(1), question(2)]).replace("Phương án hai của câu 2".encode(), b"Ph\xff\xfeng")
    (problem,) = refused("bank.csv", data)
    assert (problem.code, problem.line) == ("bad_encoding", 3)


def test_bytes_that_no_supported_encoding_reads_are_bad_encoding() -> None:
    data = b"C\x81u h\x8di,A,B,\x90\xe1p \x9dn\r\nx,y,z,A\r\n"
    assert codes(refused("bank.csv", data)) == ["bad_encoding"]


def test_a_nul_byte_is_bad_encoding_at_its_line() -> None:
    (problem,) = refused("bank.csv", b"Cau hoi,A,B,Dap an\r\nx,y\x00,z,A\r\n")
    assert (problem.code, problem.line) == ("bad_encoding", 2)


def test_a_quoted_csv_cell_keeps_its_line_breaks_and_rows_count_records() -> None:
    data = 'Câu hỏi,A,B,Đáp án\n"Dòng một\nDòng hai",x,y,A\nCâu sau?,x,y,B\n'.encode()
    first, second = parse_bank("bank.csv", data)
    assert first.text == "Dòng một\nDòng hai" and (first.line, second.line) == (2, 3)


def test_a_runaway_quote_is_an_unreadable_row_not_a_crash() -> None:
    data = ("Câu hỏi,A,B,Đáp án\nCâu?,x,y,A\n" + '"' + "x" * 200_000 + "\n").encode()
    assert refused("bank.csv", data) == [Problem("unreadable_row", line=3)]


# --- hostile packages -----------------------------------------------------------------------------------------


def zip_bomb(megabytes: int) -> bytes:
    """The good bank whose sheet part inflates to ``megabytes`` MB of spaces, written as a stream."""
    source = zipfile.ZipFile(io.BytesIO(good_bank()))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as target:
        for info in source.infolist():
            if info.filename != SHEET:
                target.writestr(info.filename, source.read(info.filename))
                continue
            with target.open(SHEET, "w") as stream:
                stream.write(b"<worksheet " + MAIN + b"><sheetData>")
                block = b" " * (1 << 20)
                for _ in range(megabytes):
                    stream.write(block)
                stream.write(b"</sheetData></worksheet>")
    return buffer.getvalue()


@pytest.fixture(scope="module")
def bomb() -> bytes:
    return zip_bomb(300)


def refused_quickly(data: bytes) -> Problem:
    """The single problem ``data`` is refused with, asserting the refusal never inflated it in memory.

    (Memory, not time: the tests do not time things; a refusal that inflated the bomb would allocate hundreds of MB.)
    """
    tracemalloc.start()
    try:
        (problem,) = refused("bank.xlsx", data)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 20 * 1024 * 1024
    return problem


def test_a_zip_bomb_is_refused_quickly_without_inflating_it(bomb: bytes) -> None:
    assert len(bomb) < 1024 * 1024  # a few hundred KB that claim 300 MB
    assert refused_quickly(bomb) == Problem("unsafe_file", data={"reason": "uncompressed_size"})


def test_a_part_compressed_beyond_100_to_1_is_refused() -> None:
    assert refused_quickly(zip_bomb(20)).data == {"reason": "compression_ratio"}


def test_a_part_that_lies_about_its_size_is_caught_while_inflating() -> None:
    liar = declare_size(zip_bomb(20), SHEET, 5000)
    assert zipfile.ZipFile(io.BytesIO(liar)).getinfo(SHEET).file_size == 5000
    assert refused_quickly(liar).data == {"reason": "size_mismatch"}


def test_a_package_of_too_many_parts_is_refused() -> None:
    crowded = rezip(good_bank(), add={f"xl/media/n{i}.txt": b"" for i in range(10_001)})
    assert refused_quickly(crowded).data == {"reason": "too_many_parts"}


BILLION_LAUGHS = """<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData><row r="1">
<c r="A1" t="inlineStr"><is><t>Câu hỏi &lol9;</t></is></c></row></sheetData></worksheet>""".encode()


def test_an_xml_entity_bomb_is_refused_before_any_parser_reads_it() -> None:
    assert refused_quickly(rezip(good_bank(), {SHEET: BILLION_LAUGHS})).data == {"reason": "xml_declaration"}


@pytest.mark.parametrize(
    "part",
    [
        b'<?xml version="1.0"?>\n<!-- ' + b"x" * 200_000 + b' -->\n<!DOCTYPE x [<!ENTITY a "b">]><sst/>',
        b"<!--" + secrets.token_hex(1024 * 1024).encode() + b"-->",  # a prolog too long to be honest
        codecs.BOM_UTF16_LE + '<?xml version="1.0" encoding="UTF-16"?><!DOCTYPE x SYSTEM "file:///etc/passwd"><sst/>'.encode("utf-16-le"),
    ],
    ids=["after-a-long-comment", "endless-prolog", "utf-16"],
)
def test_a_hidden_dtd_is_found(part: bytes) -> None:
    data = rezip(good_bank(), add={"customXml/item1.xml": part})
    assert refused_quickly(data).data == {"reason": "xml_declaration"}


def test_a_plain_package_passes_the_checks_and_markup_inside_cell_text_is_only_text() -> None:
    assert SHEET in open_package(good_bank(), ImportLimits()).namelist()
    data = xlsx([HEADER, question(1, '<!DOCTYPE html> <!ENTITY x "y"> là gì?')])
    assert parse_bank("bank.xlsx", data)[0].text == '<!DOCTYPE html> <!ENTITY x "y"> là gì?'


def test_one_far_away_cell_is_refused_instead_of_allocating_the_whole_sheet() -> None:
    body = b'<row r="1">' + inline("A1", "Câu hỏi") + b'</row><row r="1048576">' + inline("XFD1048576", "x") + b"</row>"
    problem = refused_quickly(with_sheet_xml(body))
    assert problem == Problem("sheet_too_large", data={"sheet": "Câu hỏi", "cell": "XFD1048576"})


# --- the streaming scan of sheet XML --------------------------------------------------------------------------


def scan(data: bytes) -> tuple[int, int, frozenset[tuple[int, int]]]:
    result = scan_sheet(zipfile.ZipFile(io.BytesIO(data)), SHEET)
    return result.last_row, result.last_column, result.formulas


def test_the_scan_finds_plain_shared_and_array_formulas() -> None:
    body = (
        b'<row r="2"><c r="A2"><f>1+1</f><v>2</v></c><c r="B2"><f t="shared" ref="B2:B3" si="0">A2*2</f>'
        b'<v>4</v></c></row><row r="3"><c r="B3"><f t="shared" si="0"/><v>4</v></c>'
        b'<c r="C3" s="1"/><c r="AA3"><f t="array" ref="AA3">SUM(A1:A2)</f></c></row>'
    )
    assert scan(with_sheet_xml(body)) == (3, 27, frozenset({(2, 0), (2, 1), (3, 1), (3, 26)}))


def test_the_scan_reads_prefixed_xml_and_cells_without_references() -> None:
    body = b"<x:row><x:c><x:v>1</x:v></x:c><x:c><x:f>1+1</x:f><x:v>2</x:v></x:c></x:row><x:row><x:c/></x:row>"
    assert scan(with_sheet_xml(body, prefix=b"x")) == (1, 2, frozenset({(1, 1)}))


def test_a_formula_in_prefixed_xml_is_reported_like_any_other() -> None:
    cells = [("A", "Câu hỏi"), ("B", "A"), ("C", "B"), ("D", "Đáp án")]
    header = b"".join(f'<x:c r="{c}1" t="inlineStr"><x:is><x:t>{t}</x:t></x:is></x:c>'.encode() for c, t in cells)
    row = (
        '<x:c r="A2" t="inlineStr"><x:is><x:t>Câu?</x:t></x:is></x:c><x:c r="B2"><x:v>1</x:v></x:c>'
        '<x:c r="C2"><x:f>B2+1</x:f><x:v>2</x:v></x:c><x:c r="D2" t="inlineStr"><x:is><x:t>A</x:t></x:is></x:c>'
    ).encode()
    body = b'<x:row r="1">' + header + b'</x:row><x:row r="2">' + row + b"</x:row>"
    (problem,) = refused("bank.xlsx", with_sheet_xml(body, prefix=b"x"))
    assert problem == Problem("formula_cell", line=2, column="B", data={"cell": "C2"})


# --- damaged files never escape as anything but a refusal ------------------------------------------------------


def outcome(filename: str, data: bytes) -> str:
    try:
        parse_bank(filename, data)
    except BankFileError as error:
        return error.problems[0].code
    return "ok"


def test_randomly_damaged_packages_are_read_or_refused_never_crash() -> None:
    source = workbook({"Một": [HEADER, question(1), question(2, options=[1890, 0.5, "x", "y"])], "Hai": [HEADER]})
    generator = random.Random(2023)
    seen = set()
    for _ in range(300):
        data = bytearray(source)
        if generator.random() < 0.2:
            del data[generator.randrange(len(data)) :]
        for _ in range(generator.randint(1, 6)):
            data[generator.randrange(len(data))] = generator.randrange(256)
        seen.add(outcome("bank.xlsx", bytes(data)))
    assert "not_a_spreadsheet" in seen


def test_randomly_damaged_xml_parts_are_read_or_refused_never_crash() -> None:
    source = workbook({"Một": [HEADER, question(1), ["=1+1", *question(2)[1:]]]})
    parts = {name: data for name, data in _parts(source).items() if name.endswith((".xml", ".rels"))}
    generator = random.Random(1890)
    for _ in range(300):
        name = generator.choice(sorted(parts))
        data = bytearray(parts[name])
        for _ in range(generator.randint(1, 6)):
            position = generator.randrange(len(data))
            data[position : position + generator.randint(0, 3)] = bytes(generator.choices(b'<>/"=cfr09AZ &;', k=2))
        outcome("bank.xlsx", rezip(source, {name: bytes(data)}))


def _parts(data: bytes) -> dict[str, bytes]:
    package = zipfile.ZipFile(io.BytesIO(data))
    return {name: package.read(name) for name in package.namelist()}
