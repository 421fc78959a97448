"""Vietnamese mobile numbers."""

from __future__ import annotations

import re

# Mobile prefixes in use since the 2018 renumbering: 03x, 05x, 07x, 08x, 09x, then 8 more digits.
_MOBILE = re.compile(r"0[35789]\d{8}")


def normalise_phone(raw: str | None) -> str | None:
    """Return the national form ``0912345678`` of a Vietnamese mobile number, or None when it is not one.

    ``0912 345 678``, ``0912.345.678``, ``+84 912 345 678`` and ``84912345678`` are the same number.
    """
    if not raw:
        return None
    digits = re.sub(r"[\s.\-()]", "", raw)
    if digits.startswith("+84"):
        digits = "0" + digits[3:]
    elif digits.startswith("84") and len(digits) == 11:
        digits = "0" + digits[2:]
    return digits if _MOBILE.fullmatch(digits) else None


def mask_phone(phone: str | None) -> str:
    """``0912345678`` → ``09xx xxx 678``: what the public may see."""
    if not phone or len(phone) < 6:
        return ""
    return f"{phone[:2]}xx xxx {phone[-3:]}"
