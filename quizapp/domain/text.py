"""Text normalisation shared by imports, search and duplicate detection."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

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


#: Characters that print nothing or turn the text around, though their Unicode category is a letter or a symbol
#: (Hangul fillers, the Braille blank, the Mongolian vowel separator): used to make a "blank" name.
_INVISIBLE_LETTERS = frozenset("\u115f\u1160\u3164\uffa0\u2800\u180e")
#: Combining marks that may follow one another on one letter. Vietnamese in NFC needs none (every letter with
#: its tone is precomposed); typed in NFD or with a legacy input method, at most two (a vowel mark and a tone).
MAX_COMBINING_MARKS = 2


@dataclass(frozen=True, slots=True)
class NameProblem:
    """What makes a typed name unusable: ``code`` ``invisible_character`` (``character`` as U+XXXX) or
    ``too_many_marks`` (``count`` marks in a row on one letter)."""

    code: str
    character: str = ""
    count: int = 0


def name_problem(value: str) -> NameProblem | None:
    """Why ``value`` (a person's or a unit's name, already ``clean``ed) cannot be a name, or None.

    Refused: characters that show nothing or change the writing direction (zero-width spaces and joiners, bidi
    embeddings, overrides and isolates, the soft hyphen, the BOM: Unicode's "format" characters), control
    characters (a line break too: a name is one line), private-use, unassigned and surrogate code points, line
    and paragraph separators, the invisible letters above; and runs of more than ``MAX_COMBINING_MARKS``
    combining marks on one letter ("Zalgo" text that overflows the lines above and below it).
    """
    run = 0
    for char in unicodedata.normalize("NFC", value):
        category = unicodedata.category(char)
        if category in ("Mn", "Me"):
            run += 1
            if run > MAX_COMBINING_MARKS:
                return NameProblem("too_many_marks", count=_marks_from(value))
            continue
        run = 0
        if category in ("Cf", "Cc", "Co", "Cs", "Cn", "Zl", "Zp") or char in _INVISIBLE_LETTERS:
            return NameProblem("invisible_character", character=f"U+{ord(char):04X}")
    return None


def _marks_from(value: str) -> int:
    """The length of the longest run of combining marks in ``value`` (for the message)."""
    longest = run = 0
    for char in unicodedata.normalize("NFC", value):
        run = run + 1 if unicodedata.category(char) in ("Mn", "Me") else 0
        longest = max(longest, run)
    return longest
