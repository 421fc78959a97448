"""Prize certificates: the PDF's words and QR code, codes issued once, the verification statuses."""

from __future__ import annotations

import io
from datetime import date, timedelta

import pypdf
import pytest
import zxingcpp
from PIL import Image

from quizapp.domain import certificates as paper
from quizapp.domain.certificates import CertificateError, Template
from quizapp.extensions import db
from quizapp.models import IssuedCertificate, User
from quizapp.models.types import utcnow
from quizapp.services import certificates as service
from quizapp.services.results import disqualify, finalize_round, reopen_round
from tests.services.test_standings import entry, make_contest, make_units, person

BASE = "https://thi.example.vn"


@pytest.fixture
def finalized(app):
    """A round closed yesterday and finalized: Nhất 1, Nhì 2 and a "Giải Khuyến khích" for the fourth."""
    units = make_units()
    contest = make_contest(closes_at=utcnow() - timedelta(days=1), collective_tiers=(("Giải tập thể", 1),),
                           tiers=(("Giải Nhất", 1), ("Giải Nhì", 2), ("Giải Khuyến khích", 1)))
    round_ = contest.rounds[0]
    for name, correct, unit in (("Nguyễn Văn An", 10, "HN-BD"), ("Trần Thị Bình", 9, "HN-HK"),
                                ("Lê Văn Chi", 8, "HN-BD-CB1"), ("Nguyễn Thị Ánh Tuyết", 7, "HN-BD-CB1"),
                                ("Phạm Thu Dung", 3, "HN-HK")):
        entry(round_, person(name, units[unit]), correct, prediction=1)
    finalize_round(round_, actor=None, now=utcnow())
    db.session.commit()
    return round_


def pdf_of(pages, template: Template | None = None) -> pypdf.PdfReader:
    buffer = io.BytesIO()
    service.render(pages, template or Template(), buffer)
    return pypdf.PdfReader(io.BytesIO(buffer.getvalue()))


def qr_texts(page: pypdf.PageObject) -> list[str]:
    """The texts of the QR codes in the images embedded in a PDF page (decoded by zxing-cpp)."""
    return [code.text for image in page.images for code in zxingcpp.read_barcodes(image.image)]


def test_a_certificate_prints_the_name_with_its_diacritics_and_a_qr_code_of_its_verification_address(finalized):
    template = Template(decision_number="12/QĐ-BTC", decision_date=date(2026, 12, 5), place="Hà Nội",
                        signer_title="Trưởng ban tổ chức", signer_name="Trần Quốc Việt")
    pages = service.round_certificates(finalized, base_url=BASE, now=utcnow())
    assert [p.prize for p in pages] == ["Giải Nhất", "Giải Nhì", "Giải Nhì", "Giải Khuyến khích"]
    tuyet = pages[-1]
    assert tuyet.recipient == "Nguyễn Thị Ánh Tuyết"
    assert tuyet.unit == "Chi bộ Khu dân cư số 1, Phường Ba Đình, Thành phố Hà Nội"
    reader = pdf_of([tuyet], template)
    assert len(reader.pages) == 1
    page = reader.pages[0]
    assert page.mediabox.width > page.mediabox.height  # landscape A4
    text = page.extract_text()
    for words in ("Nguyễn Thị Ánh Tuyết", "Đã đạt Giải Khuyến khích", "GIẤY CHỨNG NHẬN", "TRƯỞNG BAN TỔ CHỨC",
                  "Trần Quốc Việt", "Hà Nội, ngày 05 tháng 12 năm 2026", "Quyết định số 12/QĐ-BTC ngày 05/12/2026",
                  "Tuần 1, Tìm hiểu tư tưởng Hồ Chí Minh", paper.format_code(tuyet.code)):
        assert words in text, words
    assert qr_texts(page) == [f"{BASE}/xac-minh/{tuyet.code}"]
    fonts = [page["/Resources"]["/Font"][name].get_object() for name in page["/Resources"]["/Font"]]
    assert fonts and all(_embedded(font) for font in fonts)  # every font travels with the file


def _embedded(font) -> bool:
    """Whether a PDF font dictionary carries its font program (a FontFile2 stream, subset)."""
    descriptor = font.get("/FontDescriptor")
    if descriptor is None and "/DescendantFonts" in font:
        descriptor = font["/DescendantFonts"][0].get_object()["/FontDescriptor"]
    return descriptor is not None and "/FontFile2" in descriptor.get_object()


def test_the_pdf_embeds_exactly_the_qr_image_segno_makes_for_the_address(finalized):
    page = service.round_certificates(finalized, base_url=BASE, now=utcnow())[0]
    embedded = pdf_of([page]).pages[0].images[0].image.convert("L")
    expected = Image.open(io.BytesIO(paper.qr_png(page.url))).convert("L")
    assert embedded.size == expected.size and embedded.tobytes() == expected.tobytes()


def test_codes_are_issued_once_per_prize_and_are_short_and_unambiguous(finalized):
    first = service.round_certificates(finalized, base_url=BASE, now=utcnow())
    again = service.round_certificates(finalized, base_url=BASE, now=utcnow())
    assert [p.code for p in first] == [p.code for p in again]
    assert len({p.code for p in first}) == 4 and db.session.query(IssuedCertificate).count() == 4
    assert all(len(p.code) == 10 and set(p.code) <= set(paper.CODE_ALPHABET) for p in first)
    assert not set("ILOU") & set(paper.CODE_ALPHABET)


@pytest.mark.parametrize(("typed", "stored"), [("abcde-12345", "ABCDE12345"), (" ABCDE 12345 ", "ABCDE12345"),
                                              ("OIL0123456", "0110123456"), ("ABCDE1234", None),
                                              ("ABCDE-1234U", None), ("", None), (None, None)])
def test_a_typed_code_is_read_as_printed(typed, stored):
    assert paper.normalize_code(typed) == stored


def test_one_winners_certificate_only(finalized):
    tuyet = db.session.query(User).filter_by(full_name="Nguyễn Thị Ánh Tuyết").one()
    pages = service.round_certificates(finalized, base_url=BASE, now=utcnow(), user_id=tuyet.id)
    assert [p.recipient for p in pages] == ["Nguyễn Thị Ánh Tuyết"]


def test_a_round_not_finalized_gives_no_certificates(app):
    make_units()
    round_ = make_contest(closes_at=utcnow() - timedelta(days=1)).rounds[0]
    with pytest.raises(CertificateError) as refused:
        service.round_certificates(round_, base_url=BASE, now=utcnow())
    assert refused.value.code == "not_finalized"
    assert db.session.query(IssuedCertificate).count() == 0


def test_verification_genuine_then_revoked_when_reopened_and_when_disqualified(finalized):
    pages = service.round_certificates(finalized, base_url=BASE, now=utcnow())
    first, tuyet = pages[0], pages[-1]
    genuine = service.verify(tuyet.code.lower(), now=utcnow())
    assert genuine.status == paper.GENUINE
    assert (genuine.holder, genuine.unit, genuine.prize, genuine.round_name) == (
        "Nguyễn T. Á. T.", "Chi bộ Khu dân cư số 1", "Giải Khuyến khích", "Tuần 1")
    reopen_round(finalized, actor=None, now=utcnow(), reason="Xem lại bài của thí sinh")
    assert service.verify(tuyet.code, now=utcnow()).status == paper.REVOKED_REOPENED
    winner = db.session.query(User).filter_by(full_name="Nguyễn Văn An").one()
    disqualify(finalized, winner, actor=None, now=utcnow(), reason="Thi hộ")
    finalize_round(finalized, actor=None, now=utcnow())
    assert service.verify(first.code, now=utcnow()).status == paper.REVOKED_DISQUALIFIED
    # the others moved up a place: Tuyết's consolation prize went to someone else
    assert service.verify(tuyet.code, now=utcnow()).status == paper.REVOKED_CHANGED
    assert service.verify("ZZZZZ-ZZZZZ", now=utcnow()) is None and service.verify("nonsense", now=utcnow()) is None


def test_collective_certificates_need_every_round_final_and_are_revoked_by_a_reopening(finalized):
    pages = service.collective_certificates(finalized.contest, base_url=BASE, now=utcnow())
    assert [(p.recipient, p.prize, p.unit, p.round_name) for p in pages] == [
        ("Phường Hoàn Kiếm", "Giải tập thể", None, None)]  # 2 of 50 members took part
    assert "Phường Hoàn Kiếm" in pdf_of(pages).pages[0].extract_text()
    assert service.verify(pages[0].code, now=utcnow()).status == paper.GENUINE
    reopen_round(finalized, actor=None, now=utcnow(), reason="Kiểm tra lại")
    assert service.verify(pages[0].code, now=utcnow()).status == paper.REVOKED_REOPENED
    with pytest.raises(CertificateError) as refused:
        service.collective_certificates(finalized.contest, base_url=BASE, now=utcnow())
    assert refused.value.code == "rounds_not_finalized" and refused.value.data["names"] == ["Tuần 1"]
    finalize_round(finalized, actor=None, now=utcnow())
    assert service.verify(pages[0].code, now=utcnow()).status == paper.GENUINE  # same prize, counted again


def _png(size=(40, 20), kind="PNG") -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 20, 20)).save(buffer, kind)
    return buffer.getvalue()


def test_a_logo_must_be_a_small_png_or_jpeg(app):
    assert paper.check_logo(_png()) == "image/png"
    assert paper.check_logo(_png(kind="JPEG")) == "image/jpeg"
    for data, code in ((_png(kind="GIF"), "logo_not_image"), (b"not an image", "logo_not_image"),
                       (_png()[:60], "logo_not_image"), (_png((2400, 10)), "logo_too_big"),
                       (b"\x89PNG" + bytes(600 * 1024), "logo_too_large")):
        with pytest.raises(CertificateError) as refused:
            paper.check_logo(data)
        assert refused.value.code == code


def test_the_logo_is_printed(finalized):
    page = service.round_certificates(finalized, base_url=BASE, now=utcnow())[0]
    images = pdf_of([page], Template(logo=_png())).pages[0].images
    assert len(images) == 2 and {image.image.size for image in images} >= {(40, 20)}


def test_a_new_template_takes_the_issuing_body_place_and_signer_from_the_letterhead(app):
    from quizapp.extensions import db
    from quizapp.models import Contest
    from quizapp.models.types import utcnow
    from quizapp.services.certificates import template_for
    from quizapp.services.letterheads import LetterheadValues, save_letterhead

    contest = Contest(title="Cuộc thi có văn bản")
    db.session.add(contest)
    db.session.flush()
    assert template_for(contest.id).signer_name == ""
    save_letterhead(contest, LetterheadValues(issuing_body="Ban Tuyên giáo", place="Thử", signer_title="Trưởng ban",
                                              signer_name="Nguyễn Thị Mẫu"), actor=None, now=utcnow())
    template = template_for(contest.id)
    assert (template.issuing_body, template.place, template.signer_title, template.signer_name) == (
        "BAN TUYÊN GIÁO", "Thử", "TRƯỞNG BAN", "Nguyễn Thị Mẫu")
