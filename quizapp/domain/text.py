"""Text normalisation shared by imports, search and duplicate detection."""

from __future__ import annotations

import re
import unicodedata

_SPACES = re.compile(r"\s+")


def clean(value: str | None) -> str:
    """Return ``value`` in Unicode NFC with surrounding white space removed ('' for None).

    Inner line breaks are kept (a question may span lines); runs of spaces and tabs on one line are folded to one.
    """
    if value is None:
        return ""
    text = unicodedata.normalize("NFC", str(value)).replace("\r\n", "\n").replace("\r", "\n")
    lines = [re.sub(r"[ \t\u00a0]+", " ", line).strip() for line in text.split("\n")]
    return "\n".join(lines).strip()


def _fold_table() -> dict[int, str | None]:
    """Every precomposed Latin letter mapped to its base letter, and combining marks dropped (one str.translate)."""
    table: dict[int, str | None] = {ord("đ"): "d", ord("Đ"): "D"}
    for code in range(0x00C0, 0x2000):
        char = chr(code)
        base = "".join(c for c in unicodedata.normalize("NFD", char) if unicodedata.category(c) != "Mn")
        if unicodedata.category(char) == "Mn":
            table[code] = None
        elif base != char and base.isascii():
            table[code] = base
    return table


_FOLD = _fold_table()


def fold(value: str | None) -> str:
    """Return a search key: lower case, without Vietnamese diacritics, single-spaced.

    ``fold("Hà Nội") == fold("ha  noi") == "ha noi"``; đ/Đ become d, which plain NFD decomposition does not do.
    """
    if not value:
        return ""
    composed = unicodedata.normalize("NFC", str(value))
    return _SPACES.sub(" ", composed.translate(_FOLD).casefold()).strip()


def question_key(text: str) -> str:
    """Key under which two question texts count as the same question (case, accents kept; spacing ignored)."""
    return _SPACES.sub(" ", unicodedata.normalize("NFC", text).casefold()).strip()


def escape_like(value: str) -> str:
    """Escape SQL LIKE wildcards with a backslash, so user input matches literally (use ``escape='\\\\'``)."""
    return value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
