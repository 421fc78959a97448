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


def fold(value: str | None) -> str:
    """Return a search key: lower case, without Vietnamese diacritics, single-spaced.

    ``fold("Hà Nội") == fold("ha  noi") == "ha noi"``; đ/Đ become d, which plain NFD decomposition does not do.
    """
    if not value:
        return ""
    decomposed = unicodedata.normalize("NFD", str(value).replace("đ", "d").replace("Đ", "D"))
    stripped = "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn")
    return _SPACES.sub(" ", stripped.casefold()).strip()


def question_key(text: str) -> str:
    """Key under which two question texts count as the same question (case, accents kept; spacing ignored)."""
    return _SPACES.sub(" ", unicodedata.normalize("NFC", text).casefold()).strip()


def escape_like(value: str) -> str:
    """Escape SQL LIKE wildcards with a backslash, so user input matches literally (use ``escape='\\\\'``)."""
    return value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
