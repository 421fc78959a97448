"""What the public may see of a person (SPEC rule 11): names, emails and phones masked.

Organizers and judges see the full data; leaderboards, announcements and every public page show only these.
"""

from __future__ import annotations

import unicodedata

from quizapp.domain.personal_data import ANONYMOUS_NAME, is_anonymous_label
from quizapp.domain.phones import mask_phone

__all__ = ["mask_email", "mask_name", "mask_phone"]


def mask_name(full_name: str | None) -> str:
    """``"Nguyễn Văn An"`` → ``"Nguyễn V. A."``: the family name (first word) kept as written, every
    other word reduced to its capital initial and a full stop; a one-word name becomes its initial
    (``"An"`` → ``"A."``).

    The name is read in Unicode NFC with runs of white space folded, so a decomposed "Đỗ" or doubled spaces
    give the same result; an initial keeps its diacritics (``"Ánh"`` → ``"Á."``). Empty input gives ``""``.
    An erased participant's label shows as the bare label, without its account number.
    """
    if is_anonymous_label(full_name):
        return ANONYMOUS_NAME
    words = unicodedata.normalize("NFC", full_name or "").split()
    if not words:
        return ""
    if len(words) == 1:
        return _initial(words[0])
    return " ".join([words[0], *(_initial(word) for word in words[1:])])


def mask_email(email: str | None) -> str:
    """``"an.nguyen@gmail.com"`` → ``"a***@gmail.com"``: the first character of the mailbox, then the domain.

    Anything that is not ``mailbox@domain`` shows as its first character and ``***``; empty input as ``""``.
    """
    address = unicodedata.normalize("NFC", email or "").strip()
    if not address:
        return ""
    mailbox, at, domain = address.rpartition("@")
    if not at or not mailbox or not domain:
        return f"{address[0]}***"
    return f"{mailbox[0]}***@{domain}"


def _initial(word: str) -> str:
    """The word's first letter (with any combining mark NFC could not compose onto it), capitalised, "."."""
    end = 1
    while end < len(word) and unicodedata.combining(word[end]):
        end += 1
    return word[:end].upper() + "."
