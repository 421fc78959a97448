"""Checks on an .xlsx package (a zip of XML parts) made before any XML parser reads it.

An upload is hostile until proven otherwise: zip bombs (declared or lying sizes), XML entity bombs,
packages of a million parts, sheets whose one far-away cell makes the reader allocate the whole
rectangle. Everything here streams with bounded buffers; nothing is inflated into memory whole.
"""

from __future__ import annotations

import io
import posixpath
import re
import struct
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from typing import IO

from defusedxml import ElementTree as SafeTree

from quizapp.domain.banks.model import ImportLimits, Problem, Refused

MAX_MEMBERS = 10_000
MAX_DIRECTORY_BYTES = MAX_MEMBERS * 512  # far above any real workbook's central directory
MAX_RATIO = 100
RATIO_FLOOR = 1024 * 1024
PROLOG_LIMIT = 1024 * 1024
CHUNK = 64 * 1024
_LOCAL_HEADER_SIGNATURE = b"PK\x03\x04"
_END_OF_DIRECTORY = b"PK\x05\x06"
_ZIP64_LOCATOR = b"PK\x06\x07"
_ZIP64_END_OF_DIRECTORY = b"PK\x06\x06"
_OFFICE_DOCUMENT = "/officeDocument"


def open_package(data: bytes, limits: ImportLimits) -> zipfile.ZipFile:
    """Open ``data`` as a zip, refusing it (``unsafe_file``) when reading it could exhaust memory or time."""
    reason = directory_danger(data)
    if reason:
        raise Refused([Problem("unsafe_file", data={"reason": reason})])
    try:
        package = zipfile.ZipFile(io.BytesIO(data))
        infos = package.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError, NotImplementedError):
        raise Refused([Problem("not_a_spreadsheet", data={"extension": ".xlsx"})]) from None
    reason = _declared_danger(infos, limits) or _inflated_danger(data, infos)
    if reason == "corrupt_part":  # damaged, not hostile
        raise Refused([Problem("not_a_spreadsheet", data={"extension": ".xlsx"})])
    if reason:
        raise Refused([Problem("unsafe_file", data={"reason": reason})])
    return package


def directory_danger(data: bytes) -> str | None:
    """Why the zip's central directory is too big to even list ("too_many_parts"), judged from its end record.

    ``zipfile`` reads the whole directory into objects when it opens a file; 10 MB can hold 130,000 entries.
    """
    end = data.rfind(_END_OF_DIRECTORY, max(0, len(data) - 65_557))
    if end < 0 or end + 22 > len(data):
        return None  # not a zip: opening it will say so
    entries, directory_size = struct.unpack_from("<HI", data, end + 10)
    locator = end - 20
    if locator >= 0 and data[locator : locator + 4] == _ZIP64_LOCATOR:
        (zip64_end,) = struct.unpack_from("<Q", data, locator + 8)
        if data[zip64_end : zip64_end + 4] == _ZIP64_END_OF_DIRECTORY:
            entries, directory_size = struct.unpack_from("<QQ", data, zip64_end + 32)
    if entries > MAX_MEMBERS or directory_size > MAX_DIRECTORY_BYTES:
        return "too_many_parts"
    return None


def _declared_danger(infos: list[zipfile.ZipInfo], limits: ImportLimits) -> str | None:
    if len(infos) > MAX_MEMBERS:
        return "too_many_parts"
    if sum(info.file_size for info in infos) > limits.max_uncompressed_bytes:
        return "uncompressed_size"
    for info in infos:
        if info.file_size > RATIO_FLOOR and info.file_size > MAX_RATIO * max(info.compress_size, 1):
            return "compression_ratio"
    return None


def _inflated_danger(data: bytes, infos: list[zipfile.ZipInfo]) -> str | None:
    """Inflate every part as a stream; check what the headers claimed (sizes may lie) and the XML prologs."""
    for info in infos:
        if info.flag_bits & 0x1:
            return "encrypted_part"
        if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            return "compression_method"
        prolog = _PrologCheck()
        inflated = 0
        try:
            for piece in _inflate(data, info):
                inflated += len(piece)
                if inflated > info.file_size:
                    return "size_mismatch"
                prolog.feed(piece)
        except (zlib.error, struct.error, ValueError):
            return "corrupt_part"
        if prolog.finish():
            return "xml_declaration"
    return None


def _inflate(data: bytes, info: zipfile.ZipInfo) -> Iterator[bytes]:
    """Yield the uncompressed bytes of ``info`` in chunks of at most ``CHUNK`` bytes, from the raw stream."""
    offset = info.header_offset
    if data[offset : offset + 4] != _LOCAL_HEADER_SIGNATURE:
        raise ValueError("bad local header")
    name_length, extra_length = struct.unpack_from("<HH", data, offset + 26)
    start = offset + 30 + name_length + extra_length
    raw = memoryview(data)[start : start + info.compress_size]
    if info.compress_type == zipfile.ZIP_STORED:
        for position in range(0, len(raw), CHUNK):
            yield bytes(raw[position : position + CHUNK])
        return
    inflater = zlib.decompressobj(-zlib.MAX_WBITS)
    for position in range(0, len(raw), CHUNK):
        pending: bytes | memoryview = raw[position : position + CHUNK]
        while pending and not inflater.eof:
            yield inflater.decompress(pending, CHUNK)
            pending = inflater.unconsumed_tail
    while not inflater.eof:  # output held back by the CHUNK bound
        piece = inflater.decompress(b"", CHUNK)
        if not piece:
            return
        yield piece


class _PrologCheck:
    """Watches the start of a part: True from ``finish()`` when the XML prolog declares a DTD (``<!DOCTYPE``,
    ``<!ENTITY``...), or when the prolog runs past ``PROLOG_LIMIT`` bytes (padding hiding one).

    The prolog is everything before the root element; a DTD cannot legally appear anywhere else.
    """

    def __init__(self) -> None:
        self._head = b""
        self._verdict: bool | None = None

    def feed(self, piece: bytes) -> None:
        if self._verdict is not None:
            return
        self._head += piece
        self._verdict = _prolog_verdict(self._head, complete=False)
        if self._verdict is None and len(self._head) > PROLOG_LIMIT:
            self._verdict = True

    def finish(self) -> bool:
        if self._verdict is None:
            self._verdict = bool(_prolog_verdict(self._head, complete=True))
        return self._verdict


def _prolog_verdict(head: bytes, *, complete: bool) -> bool | None:
    """True: a DTD/declaration; False: the root element (or non-XML) comes first; None: need more bytes."""
    text = _ascii_view(head)
    position = 0
    while True:
        while position < len(text) and text[position] in " \t\r\n\ufeff":
            position += 1
        if position >= len(text):
            return None if not complete else False
        if text.startswith("<?", position) or text.startswith("<!--", position):
            closing = "?>" if text[position + 1] == "?" else "-->"
            end = text.find(closing, position + 2)
            if end < 0:
                return None if not complete else False
            position = end + len(closing)
        else:
            return text.startswith("<!", position)


def _ascii_view(head: bytes) -> str:
    # Markup is ASCII; only the byte width matters. UTF-16 parts would hide "<!DOCTYPE" between NUL bytes.
    if head.startswith((b"\xff\xfe", b"<\x00")):
        return head.decode("utf-16-le", errors="ignore")
    if head.startswith((b"\xfe\xff", b"\x00<")):
        return head.decode("utf-16-be", errors="ignore")
    return head.decode("latin-1")


def sheet_parts(package: zipfile.ZipFile) -> dict[str, str]:
    """Map each sheet name to the path of its XML part in the package (a missing name: unknown layout)."""
    workbook = _office_document(package)
    if workbook is None or workbook not in package.NameToInfo:
        return {}
    targets = _relationship_targets(package, workbook)
    parts: dict[str, str] = {}
    for element in SafeTree.fromstring(package.read(workbook)).iter():
        if _local(element.tag) == "sheet":
            relation = next((v for k, v in element.attrib.items() if _local(k) == "id"), None)
            name = element.get("name")
            if name is not None and targets.get(relation) in package.NameToInfo:
                parts[name] = targets[relation]
    return parts


def _office_document(package: zipfile.ZipFile) -> str | None:
    if "_rels/.rels" not in package.NameToInfo:
        return "xl/workbook.xml"
    for element in SafeTree.fromstring(package.read("_rels/.rels")).iter():
        if _local(element.tag) == "Relationship" and element.get("Type", "").endswith(_OFFICE_DOCUMENT):
            return _resolve("", element.get("Target", ""))
    return "xl/workbook.xml"


def _relationship_targets(package: zipfile.ZipFile, part: str) -> dict[str, str]:
    folder, name = posixpath.split(part)
    rels = posixpath.join(folder, "_rels", name + ".rels")
    if rels not in package.NameToInfo:
        return {}
    return {
        element.get("Id", ""): _resolve(folder, element.get("Target", ""))
        for element in SafeTree.fromstring(package.read(rels)).iter()
        if _local(element.tag) == "Relationship"
    }


def _resolve(folder: str, target: str) -> str:
    if target.startswith("/"):
        return target.lstrip("/")
    return posixpath.normpath(posixpath.join(folder, target))


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


@dataclass(frozen=True, slots=True)
class SheetScan:
    """What a streaming pass over a sheet's XML found: its extent and the cells holding a formula."""

    last_row: int
    last_column: int
    formulas: frozenset[tuple[int, int]]

    @property
    def area(self) -> int:
        return self.last_row * self.last_column

    @property
    def far_cell(self) -> str:
        return f"{column_letter(self.last_column - 1)}{self.last_row}"


# An opening <row>, <c> or <f> tag (any namespace prefix), its r="B7" reference if any, and a "/" when it is
# self-closing. XML text never holds a raw "<", so this cannot match inside cell text.
_TAG = re.compile(
    rb"<(?:[A-Za-z_][\w.\-]*:)?(row|c|f)(?=[\s/>])[^>]*?"
    rb"""(?:\sr\s*=\s*["']([A-Za-z]*)(\d*)["'][^>]*?)?(/?)>"""
)


def scan_sheet(package: zipfile.ZipFile, part: str) -> SheetScan:
    """Stream a sheet part once: the last row and column holding a value, the (row, column) of each formula.

    Rows are numbered as Excel shows them (1-based), columns from 0 (A). Cells without a reference follow the
    previous one, as readers place them.
    """
    with package.open(part) as stream:
        return _SheetScanner().run(stream)


class _SheetScanner:
    def __init__(self) -> None:
        self.row = 0
        self.column = -1
        self.cell: tuple[int, int] | None = None
        self.last_row = 0
        self.last_column = 0
        self.formulas: set[tuple[int, int]] = set()

    def run(self, stream: IO[bytes]) -> SheetScan:
        pending = b""
        for chunk in iter(lambda: stream.read(CHUNK), b""):
            pending += chunk
            cut = pending.rfind(b"<")
            if cut < 0 or pending.find(b">", cut) >= 0:
                cut = len(pending)
            self._tokens(pending[:cut])
            pending = pending[cut:]
        self._tokens(pending)
        return SheetScan(self.last_row, self.last_column, frozenset(self.formulas))

    def _tokens(self, text: bytes) -> None:
        # One pass over maybe a hundred thousand cells: kept flat on purpose.
        for name, letters, digits, self_closing in _TAG.findall(text):
            if name == b"c":
                self.column = _column_index(letters) if letters else self.column + 1
                if digits:
                    self.row = int(digits)
                if self_closing:
                    self.cell = None  # an empty, styled cell: readers skip it
                    continue
                self.cell = (self.row, self.column)
                self.last_row = max(self.last_row, self.row)
                self.last_column = max(self.last_column, self.column + 1)
            elif name == b"row":
                self.row = int(digits) if digits else self.row + 1
                self.column = -1
                self.cell = None
            elif self.cell is not None:
                self.formulas.add(self.cell)


@lru_cache(maxsize=1024)
def _column_index(letters: bytes) -> int:
    return column_index(letters.decode("ascii"))


def column_index(letters: str) -> int:
    """0-based index of an Excel column name: "A" -> 0, "AA" -> 26."""
    index = 0
    for letter in letters.upper():
        index = index * 26 + ord(letter) - 64
    return index - 1


def column_letter(index: int) -> str:
    """Excel column name of a 0-based index: 0 -> "A", 26 -> "AA"."""
    letters = ""
    index += 1
    while index > 0:
        index, remainder = divmod(index - 1, 26)
        letters = chr(65 + remainder) + letters
    return letters
