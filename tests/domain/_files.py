"""Upload files built in memory for the import tests: workbooks, CSV in several encodings, tampered packages."""

from __future__ import annotations

import csv
import io
import struct
import unicodedata
import zipfile
from collections.abc import Callable, Iterable, Mapping, Sequence

import openpyxl
import pytest

from quizapp.domain.banks import ImportFileError, Problem

HEADER = ["STT", "Câu hỏi", "A", "B", "C", "D", "Đáp án", "Chủ đề", "Mức độ", "Giải thích", "Nguồn"]
Cell = object


def question(
    number: int,
    text: Cell = None,
    answer: Cell = "B",
    *,
    options: Sequence[Cell] | None = None,
    topic: Cell = "Tư tưởng Hồ Chí Minh",
    level: Cell = "Dễ",
    explanation: Cell = None,
    source: Cell = None,
) -> list[Cell]:
    """A row under ``HEADER``: valid unless told otherwise, its text unique by ``number``."""
    text = f"Câu hỏi số {number} về tư tưởng Hồ Chí Minh?" if text is None else text
    if options is None:
        options = [f"Phương án {ordinal} của câu {number}" for ordinal in ("một", "hai", "ba", "bốn")]
    return [number, text, *options, answer, topic, level, explanation, source]


def workbook(sheets: Mapping[str, Sequence[Sequence[Cell]]], hidden: Iterable[str] = ()) -> bytes:
    """An .xlsx with one sheet per entry; strings starting with "=" are written as formulas (no cached value)."""
    book = openpyxl.Workbook()
    book.remove(book.active)
    for name, rows in sheets.items():
        sheet = book.create_sheet(name)
        for row in rows:
            sheet.append(list(row))
        if name in hidden:
            sheet.sheet_state = "hidden"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def xlsx(rows: Sequence[Sequence[Cell]], sheet: str = "Câu hỏi") -> bytes:
    return workbook({sheet: rows})


def csv_bytes(rows: Sequence[Sequence[Cell]], *, delimiter: str = ",", encoding: str = "utf-8") -> bytes:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n")
    writer.writerows([["" if cell is None else str(cell) for cell in row] for row in rows])
    text = buffer.getvalue()
    return to_cp1258(text) if encoding == "cp1258" else text.encode(encoding)


_TONE_MARKS = {"\u0300", "\u0301", "\u0303", "\u0309", "\u0323"}


def to_cp1258(text: str) -> bytes:
    """Encode as Windows-1258 does: letters it lacks are written base letter + combining tone mark."""
    out = bytearray()
    for char in unicodedata.normalize("NFC", text):
        try:
            out += char.encode("cp1258")
        except UnicodeEncodeError:
            parts = unicodedata.normalize("NFD", char)
            tones = "".join(ch for ch in parts if ch in _TONE_MARKS)
            base = unicodedata.normalize("NFC", "".join(ch for ch in parts if ch not in _TONE_MARKS))
            out += (base + tones).encode("cp1258")
    return bytes(out)


def problems_of(parse: Callable[[], object], error: type[ImportFileError] = ImportFileError) -> list[Problem]:
    """The problems ``parse()`` refuses the file with (the test fails if it does not refuse it)."""
    with pytest.raises(error) as raised:
        parse()
    assert raised.value.problems, "a refusal lists at least one problem"
    return raised.value.problems


def codes(problems: Iterable[Problem]) -> list[str]:
    return [problem.code for problem in problems]


def rezip(data: bytes, replace: Mapping[str, bytes] | None = None, add: Mapping[str, bytes] | None = None) -> bytes:
    """The package ``data`` with some parts replaced or added."""
    replace, add = replace or {}, add or {}
    source = zipfile.ZipFile(io.BytesIO(data))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            target.writestr(info.filename, replace.get(info.filename, source.read(info.filename)))
        for name, content in add.items():
            target.writestr(name, content)
    return buffer.getvalue()


def sheet_xml(data: bytes, part: str = "xl/worksheets/sheet1.xml") -> bytes:
    return zipfile.ZipFile(io.BytesIO(data)).read(part)


def declare_size(data: bytes, member: str, size: int) -> bytes:
    """``data`` with the uncompressed size of ``member`` rewritten in its local and central headers (a liar)."""
    patched = bytearray(data)
    name = member.encode()
    for signature, size_offset, name_offset in ((b"PK\x03\x04", 22, 30), (b"PK\x01\x02", 24, 46)):
        start = 0
        while (start := patched.find(signature, start)) >= 0:
            if patched[start + name_offset : start + name_offset + len(name)] == name:
                struct.pack_into("<I", patched, start + size_offset, size)
            start += 4
    return bytes(patched)
