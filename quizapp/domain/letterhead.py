"""The fixed parts of a Vietnamese administrative document (the form of Nghị định 30/2020/NĐ-CP and of the
party's Hướng dẫn 36-HD/VPTW), built from what the organizer entered once per contest.

Pure: the words of the motto and the date line are the form's own (always Vietnamese, as on the paper).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

STATE_MOTTO = ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc")
PARTY_MOTTO = ("ĐẢNG CỘNG SẢN VIỆT NAM",)


def motto_lines(motto: str) -> tuple[str, ...]:
    """The top-right block: the national motto for a state body, the party's name for a party body."""
    return PARTY_MOTTO if motto == "party" else STATE_MOTTO


def date_line(place: str, day: date) -> str:
    """"Hà Nội, ngày 05 tháng 02 năm 2026": a day below 10 and the months 1 and 2 are written with a leading 0,
    as the form requires; the place is left out when none was entered."""
    month = f"{day.month:02d}" if day.month < 3 else str(day.month)
    text = f"ngày {day.day:02d} tháng {month} năm {day.year}"
    return f"{place.strip()}, {text}" if place.strip() else text.capitalize()


def number_line(document_number: str) -> str:
    """"Số: 05-TB/BTC", or "Số:      /TB-BTC"-style blank left for the office to fill when none was entered."""
    return f"Số: {document_number.strip()}" if document_number.strip() else "Số:        "


def text_lines(text: str) -> list[str]:
    """The non-empty lines of a multi-line field (recipients, the opening paragraphs), trimmed."""
    return [line.strip() for line in text.splitlines() if line.strip()]


@dataclass(frozen=True)
class Letterhead:
    """What the announcement prints around its body; ``complete`` once the issuing body and the signer are known."""

    superior_body: str
    issuing_body: str
    motto: tuple[str, ...]
    number: str
    date: str
    opening: list[str]
    recipients: list[str]
    signing_capacity: str
    signer_title: str
    signer_name: str

    @property
    def complete(self) -> bool:
        return bool(self.issuing_body and self.signer_name)
