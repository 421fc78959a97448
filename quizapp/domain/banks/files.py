"""What an uploaded file really is, and its text when it is a text file.

Organizers rename files, save old .xls workbooks, protect them with passwords and export CSV from Excel in
whatever encoding their Windows uses; each of these gets its own clear problem instead of a parser's
stack trace.
"""

from __future__ import annotations

import codecs
import io
import zipfile
from pathlib import PurePath

from quizapp.domain.banks.model import ImportLimits, Problem, Refused
from quizapp.domain.banks.package import directory_danger

_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ENCRYPTED_PACKAGE = "EncryptedPackage".encode("utf-16-le")
_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"%PDF", "PDF"),
    (b"\x89PNG", "PNG"),
    (b"\xff\xd8\xff", "JPEG"),
    (b"{\\rtf", "RTF"),
)
_ZIP_KINDS: tuple[tuple[str, str], ...] = (
    ("word/", "Word (.docx)"),
    ("ppt/", "PowerPoint (.pptx)"),
)
XLSX_LABEL = "Excel (.xlsx)"


def extension(filename: str) -> str:
    """Return the lower-case extension with its dot ('' when there is none)."""
    return PurePath(filename or "").suffix.lower()


def check_size(data: bytes, limits: ImportLimits) -> None:
    """Refuse an empty file or one over ``limits.max_bytes``."""
    if not data:
        raise Refused([Problem("no_questions")])
    if len(data) > limits.max_bytes:
        size_mb = round(len(data) / (1024 * 1024), 1)
        limit_mb = round(limits.max_bytes / (1024 * 1024), 1)
        details = {"size": len(data), "size_mb": size_mb, "limit_mb": limit_mb}
        raise Refused([Problem("file_too_large", data=details)])


def detect_binary(data: bytes) -> str | None:
    """The binary format ``data`` is in ("Excel (.xlsx)", "PDF", "Excel 97–2003 (.xls)"...); None: text."""
    if data.startswith(_OLE2):
        return "Excel 97–2003 (.xls)"
    for magic, label in _MAGIC:
        if data.startswith(magic):
            return label
    if data.startswith(b"PK\x03\x04") or data.startswith(b"PK\x05\x06"):
        return _zip_kind(data)
    return None


def _zip_kind(data: bytes) -> str:
    if directory_danger(data):
        return "ZIP"
    try:
        names = zipfile.ZipFile(io.BytesIO(data)).namelist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, NotImplementedError):
        return "ZIP"
    if any(name.startswith("xl/") for name in names):
        return XLSX_LABEL
    if "mimetype" in names and any(name == "content.xml" for name in names):
        return "OpenDocument (.ods)"
    for prefix, label in _ZIP_KINDS:
        if any(name.startswith(prefix) for name in names):
            return label
    return "ZIP"


def check_workbook(data: bytes, ext: str) -> None:
    """Refuse ``data`` uploaded as a spreadsheet (.xlsx/.xls) unless it is an .xlsx package underneath."""
    danger = directory_danger(data)
    if danger:
        raise Refused([Problem("unsafe_file", data={"reason": danger})])
    kind = detect_binary(data)
    if kind == XLSX_LABEL:
        return
    if data.startswith(_OLE2):
        code = "encrypted_file" if _ENCRYPTED_PACKAGE in data else "legacy_xls"
        raise Refused([Problem(code, data={"extension": ext} if code == "legacy_xls" else {})])
    if ext == ".xls":
        raise Refused([Problem("legacy_xls", data={"extension": ext})])
    if kind is not None:
        raise Refused([Problem("wrong_file_type", data={"extension": ext, "detected": kind})])
    raise Refused([Problem("not_a_spreadsheet", data={"extension": ext})])


def check_text_file(data: bytes, ext: str) -> None:
    """Refuse a binary file uploaded as .csv/.txt/.gift (most often an .xlsx renamed to .csv)."""
    kind = detect_binary(data)
    if kind is not None:
        raise Refused([Problem("wrong_file_type", data={"extension": ext, "detected": kind})])


def decode_text(data: bytes) -> str:
    """Decode a text upload: UTF-8 (BOM or not), UTF-16 with a BOM, else Windows-1258.

    A file that is mostly valid UTF-8 with a few broken bytes is reported line by line (``bad_encoding``)
    rather than being read as Windows-1258 mojibake.
    """
    if data.startswith(codecs.BOM_UTF8):
        return _strict(data[len(codecs.BOM_UTF8) :], "utf-8")
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return _strict(data, "utf-16")
    try:
        return _no_nul(data.decode("utf-8"))
    except UnicodeDecodeError:
        pass
    if _mostly_utf8(data):
        return _strict(data, "utf-8")
    return _strict(data, "cp1258")


def _mostly_utf8(data: bytes) -> bool:
    loose = data.decode("utf-8", errors="replace")
    broken = loose.count("\ufffd")
    valid = sum(1 for ch in loose if ch > "\x7f" and ch != "\ufffd")
    return valid >= broken


def _strict(data: bytes, encoding: str) -> str:
    try:
        return _no_nul(data.decode(encoding))
    except UnicodeDecodeError:
        pass
    loose = data.decode(encoding, errors="replace")
    lines = [number for number, line in enumerate(loose.split("\n"), start=1) if "\ufffd" in line]
    raise Refused([Problem("bad_encoding", line=number) for number in lines] or [Problem("bad_encoding")])


def _no_nul(text: str) -> str:
    # A NUL never appears in a real text file; it means a binary file or UTF-16 without a BOM.
    if "\x00" in text:
        first = text.index("\x00")
        raise Refused([Problem("bad_encoding", line=text.count("\n", 0, first) + 1)])
    return text
