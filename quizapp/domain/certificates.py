"""Prize certificates (giấy chứng nhận, giấy khen): verification codes, the words printed on a page, the status a
verification shows, and the checks of an uploaded logo.

Pure: nothing here touches the database or the web; the pages are drawn with ReportLab in fonts whose paths
the caller gives, the QR codes made by segno.
"""

from __future__ import annotations

import io
import secrets
from dataclasses import dataclass
from datetime import date
from typing import Any

#: Crockford's base32 alphabet: digits and capitals without I, L, O and U, so that nothing read off a paper is
#: ambiguous; a typed O is read as 0, I and L as 1 (:func:`normalize_code`).
CODE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
CODE_LENGTH = 10  # 50 random bits: guessing one of even a million codes takes ~10^9 tries (the lookup is rate-limited)
_READ_AS = str.maketrans({"O": "0", "I": "1", "L": "1"})

HEADINGS = ("GIẤY CHỨNG NHẬN", "GIẤY KHEN")
LOGO_MAX_BYTES = 512 * 1024
LOGO_MAX_SIDE = 2000
LOGO_FORMATS = {"PNG": "image/png", "JPEG": "image/jpeg"}


class CertificateError(Exception):
    """A refused certificate request: ``code`` and ``data`` (the edges turn them into words).

    Codes: ``not_finalized`` (round), ``rounds_not_finalized`` (names: the rounds of the contest still open to
    change), ``no_prizes``, ``logo_too_large`` (max_bytes), ``logo_not_image``, ``logo_too_big`` (max_side).
    """

    def __init__(self, code: str, **data: Any) -> None:
        super().__init__(code, data)
        self.code = code
        self.data = data


def new_code(choose=secrets.choice) -> str:
    """A fresh random code of :data:`CODE_LENGTH` characters of :data:`CODE_ALPHABET` (``choose``: the random
    source, the system's cryptographic one unless a test passes another)."""
    return "".join(choose(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def normalize_code(text: str | None) -> str | None:
    """The stored form of a code as somebody typed or scanned it (any case, spaces and dashes, O for 0, I or L for
    1), or None when it cannot be a code."""
    cleaned = "".join(ch for ch in (text or "").upper() if ch not in " -\t").translate(_READ_AS)
    if len(cleaned) != CODE_LENGTH or any(ch not in CODE_ALPHABET for ch in cleaned):
        return None
    return cleaned


def format_code(code: str) -> str:
    """``"ABCDE23456"`` → ``"ABCDE-23456"``: two halves, easier to read out and type."""
    half = len(code) // 2
    return f"{code[:half]}-{code[half:]}"


def verification_url(base_url: str, code: str) -> str:
    """The public page that verifies ``code`` on the site at ``base_url``."""
    return f"{base_url.rstrip('/')}/xac-minh/{code}"


# --- the words on a page -----------------------------------------------------------------------------------

@dataclass(frozen=True)
class Template:
    """What the organizer set for a contest's certificates (defaults until they do)."""

    heading: str = HEADINGS[0]
    issuing_body: str = "BAN TỔ CHỨC CUỘC THI"
    decision_number: str = ""
    decision_date: date | None = None
    place: str = ""
    intro: str = "Ban Tổ chức Cuộc thi trân trọng chứng nhận"
    signer_title: str = "TRƯỞNG BAN TỔ CHỨC"
    signer_name: str = ""
    logo: bytes | None = None


@dataclass(frozen=True)
class Certificate:
    """One page: the person (or unit) and the prize it certifies, and how to verify it."""

    code: str
    recipient: str
    unit: str | None  # the person's unit; None on a collective's certificate
    prize: str
    round_name: str | None  # None for a contest's collective prize
    contest_title: str
    url: str


def date_words(place: str, day: date | None) -> str:
    """"Hà Nội, ngày 05 tháng 12 năm 2026" (days below 10 and the months 1 and 2 with a leading zero, as on
    administrative papers); "ngày … tháng … năm …" left blank to fill by hand when no date was entered."""
    if day is None:
        text = "ngày      tháng      năm        "
    else:
        month = f"{day.month:02d}" if day.month < 3 else str(day.month)
        text = f"ngày {day.day:02d} tháng {month} năm {day.year}"
    return f"{place.strip()}, {text}" if place.strip() else text[0].upper() + text[1:]


def decision_words(template: Template) -> str | None:
    """"Kèm theo Quyết định số 12/QĐ-BTC ngày 05/12/2026": the decision the prizes were given by, or None."""
    number = template.decision_number.strip()
    if not number:
        return None
    when = f" ngày {template.decision_date:%d/%m/%Y}" if template.decision_date else ""
    return f"Kèm theo Quyết định số {number}{when}"


def achievement_words(certificate: Certificate) -> list[str]:
    """The lines under the name: the prize, then the round and the contest."""
    where = f"{certificate.round_name}, " if certificate.round_name else ""
    return [f"Đã đạt {certificate.prize}", f"{where}{certificate.contest_title}"]


# --- verification ------------------------------------------------------------------------------------------

GENUINE = "genuine"
REVOKED_REOPENED = "revoked_reopened"  # the results it came from were re-opened and are not final now
REVOKED_DISQUALIFIED = "revoked_disqualified"  # the entry was disqualified after the certificate was issued
REVOKED_CHANGED = "revoked_changed"  # final again, but without this prize for this person or unit


def individual_status(*, finalized: bool, prize_now: str | None, prize: str, disqualified: bool) -> str:
    """What a verification says of an individual certificate: genuine while the round is finalized and the
    person holds that very prize in its frozen results; otherwise revoked, with the reason that applies first."""
    if disqualified:
        return REVOKED_DISQUALIFIED
    if not finalized:
        return REVOKED_REOPENED
    return GENUINE if prize_now == prize else REVOKED_CHANGED


def collective_status(*, all_final: bool, prize_now: str | None, prize: str) -> str:
    """The same for a collective certificate: every round of the contest final, and the unit still holding it."""
    if not all_final:
        return REVOKED_REOPENED
    return GENUINE if prize_now == prize else REVOKED_CHANGED


# --- the logo ----------------------------------------------------------------------------------------------

def check_logo(data: bytes, *, max_bytes: int = LOGO_MAX_BYTES, max_side: int = LOGO_MAX_SIDE) -> str:
    """The MIME type of an uploaded logo that may be printed (a PNG or JPEG image of at most ``max_bytes`` bytes
    and ``max_side`` pixels a side, whose data decode), else :class:`CertificateError`."""
    if len(data) > max_bytes:
        raise CertificateError("logo_too_large", max_bytes=max_bytes)
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(data)) as image:
            kind, size = image.format, image.size
            if kind not in LOGO_FORMATS:
                raise CertificateError("logo_not_image")
            if max(size) > max_side:
                raise CertificateError("logo_too_big", max_side=max_side)
            image.load()  # decodes every pixel: a truncated or corrupt file is refused now, not when printing
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        raise CertificateError("logo_not_image") from None
    return LOGO_FORMATS[kind]


# --- the page ----------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Fonts:
    """Paths of the TrueType fonts the pages are set in (embedded, subset, in the PDF)."""

    regular: str
    bold: str
    italic: str


_RED = (0.70, 0.07, 0.07)
_INK = (0.08, 0.08, 0.12)
_MOTTO = ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc")
QR_SCALE = 4  # pixels per module of the embedded QR image: crisp when printed 2.6 cm wide
_registered: dict[str, str] = {}


def _font(path: str) -> str:
    """The ReportLab name of the font at ``path``, registered on first use (once per process)."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    if path not in _registered:
        name = f"Certificate{len(_registered)}"
        pdfmetrics.registerFont(TTFont(name, path))
        _registered[path] = name
    return _registered[path]


def qr_png(url: str) -> bytes:
    """The QR code of ``url`` as the PNG printed on a page (error correction M, a quiet zone of 4 modules)."""
    import segno

    buffer = io.BytesIO()
    segno.make(url, error="m", micro=False).save(buffer, kind="png", scale=QR_SCALE, border=4)
    return buffer.getvalue()


def render_pdf(certificates: list[Certificate], template: Template, fonts: Fonts, stream: Any) -> None:
    """Write one A4 landscape page per certificate to ``stream`` (a binary file), in the given order."""
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.pdfgen.canvas import Canvas

    names = _Names(_font(fonts.regular), _font(fonts.bold), _font(fonts.italic))
    canvas = Canvas(stream, pagesize=landscape(A4), pageCompression=1, invariant=1, initialFontName=names.regular)
    canvas.setTitle(template.heading)
    canvas.setCreator("quizapp")
    logo = _image(template.logo) if template.logo else None
    for certificate in certificates:
        _Page(canvas, names, template).draw(certificate, logo)
        canvas.showPage()
    canvas.save()


def _image(data: bytes):
    from reportlab.lib.utils import ImageReader

    return ImageReader(io.BytesIO(data))


@dataclass(frozen=True)
class _Names:
    regular: str
    bold: str
    italic: str


class _Page:
    """Draws one certificate on the canvas's current page."""

    def __init__(self, canvas: Any, fonts: _Names, template: Template) -> None:
        self.canvas, self.fonts, self.template = canvas, fonts, template
        self.width, self.height = canvas._pagesize

    def draw(self, certificate: Certificate, logo: Any) -> None:
        self._frame()
        self._top(logo)
        self._body(certificate)
        self._signature()
        self._verification(certificate)

    def _frame(self) -> None:
        c = self.canvas
        c.setStrokeColorRGB(*_RED)
        c.setLineWidth(3)
        c.rect(20, 20, self.width - 40, self.height - 40)
        c.setLineWidth(0.8)
        c.rect(27, 27, self.width - 54, self.height - 54)

    def _top(self, logo: Any) -> None:
        c, f = self.canvas, self.fonts
        c.setFillColorRGB(*_INK)
        left, right = self.width * 0.25, self.width * 0.72
        bottom = self._lines(self.template.issuing_body.upper(), f.bold, 12, left, self.height - 62, 300, 3)
        c.setLineWidth(0.6)
        c.setStrokeColorRGB(*_INK)
        c.line(left - 40, bottom - 9, left + 40, bottom - 9)
        c.setFont(f.bold, 12)
        c.drawCentredString(right, self.height - 62, _MOTTO[0])
        c.setFont(f.bold, 12.5)
        c.drawCentredString(right, self.height - 78, _MOTTO[1])
        half = c.stringWidth(_MOTTO[1], f.bold, 12.5) / 2
        c.line(right - half, self.height - 82, right + half, self.height - 82)
        if logo is not None:
            c.drawImage(logo, self.width / 2 - 30, self.height - 152, width=60, height=60,
                        preserveAspectRatio=True, anchor="c", mask="auto")

    def _body(self, certificate: Certificate) -> None:
        c, f, middle = self.canvas, self.fonts, self.width / 2
        c.setFillColorRGB(*_RED)
        self._lines(self.template.heading.upper(), f.bold, 34, middle, self.height - 192, 700, 1, least=24)
        c.setFillColorRGB(*_INK)
        self._lines(self.template.intro, f.italic, 15, middle, self.height - 224, 680, 1, least=11)
        y = self._lines(certificate.recipient, f.bold, 25, middle, self.height - 264, 680, 1, least=16)
        if certificate.unit:
            y = self._lines(f"Đơn vị: {certificate.unit}", f.regular, 14, middle, y - 24, 680, 2, least=11)
        prize, where = achievement_words(certificate)
        c.setFillColorRGB(*_RED)
        y = self._lines(prize, f.bold, 19, middle, y - 32, 680, 1, least=13)
        c.setFillColorRGB(*_INK)
        self._lines(where, f.regular, 14, middle, y - 24, 660, 2, least=11)

    def _signature(self) -> None:
        f, right = self.fonts, self.width * 0.72
        y = self._lines(date_words(self.template.place, self.template.decision_date), f.italic, 13, right, 172,
                        320, 1, least=10)
        self._lines(self.template.signer_title.upper(), f.bold, 13, right, y - 19, 320, 2, least=10)
        if self.template.signer_name:
            self._lines(self.template.signer_name, f.bold, 14, right, 60, 320, 1, least=10)

    def _verification(self, certificate: Certificate) -> None:
        c, f = self.canvas, self.fonts
        size = 74
        c.drawImage(_image(qr_png(certificate.url)), 46, 42, width=size, height=size)
        x = 46 + size + 8
        c.setFont(f.bold, 10)
        c.drawString(x, 98, f"Mã xác minh: {format_code(certificate.code)}")
        c.setFont(f.regular, 8)
        c.drawString(x, 84, "Quét mã QR hoặc nhập mã tại:")
        c.drawString(x, 72, certificate.url)
        decision = decision_words(self.template)
        if decision:
            c.setFont(f.italic, 9)
            c.drawString(x, 52, decision)

    def _lines(self, text: str, font: str, size: float, centre: float, top: float, width: float, max_lines: int,
               *, least: float | None = None) -> float:
        """``text`` centred on ``centre`` from the baseline ``top`` down, wrapped to ``width``, the font made
        smaller (down to ``least``) until it fits in ``max_lines``; returns the last baseline."""
        from reportlab.lib.utils import simpleSplit

        least = least or size
        lines = simpleSplit(text, font, size, width)
        while len(lines) > max_lines and size > least:
            size = max(least, size - 1)
            lines = simpleSplit(text, font, size, width)
        self.canvas.setFont(font, size)
        y = top
        for index, line in enumerate(lines[:max_lines] or [""]):
            y = top - index * size * 1.25
            self.canvas.drawCentredString(centre, y, line)
        return y
