"""A winner downloads their certificate on a phone from "Kết quả của tôi"; the QR code printed on it leads to the
public page that verifies it, and a code typed by hand does too; the organizer's template page. Real Chromium,
screenshots checked with axe-core."""

from __future__ import annotations

import io
from datetime import timedelta

import pypdf
import pytest
from playwright.sync_api import expect

from quizapp.extensions import db
from quizapp.models import Role
from quizapp.models.types import utcnow
from quizapp.services.results import finalize_round
from tests.browser.conftest import screenshot
from tests.browser.test_bank_upload import sign_in
from tests.services.test_certificates import qr_texts
from tests.services.test_standings import entry, make_contest, make_units, person

pytestmark = pytest.mark.browser


def test_a_winner_downloads_their_certificate_and_its_qr_code_verifies_it(phone_page, make_user):
    units = make_units()
    contest = make_contest(closes_at=utcnow() - timedelta(days=1),
                           title="Tìm hiểu tư tưởng, đạo đức, phong cách Hồ Chí Minh năm 2026",
                           tiers=(("Giải Nhất", 1), ("Giải Khuyến khích", 1)))
    round_ = contest.rounds[0]
    me = make_user(Role.PARTICIPANT, email="tuyet@example.test", full_name="Nguyễn Thị Ánh Tuyết",
                   unit_id=units["HN-BD-CB1"].id)
    entry(round_, person("Trần Văn Bình", units["HN-HK"]), 10, prediction=1)
    entry(round_, me, 9, prediction=1)
    entry(round_, person("Lê Văn Chi", units["HN-HK"]), 5, prediction=1)
    finalize_round(round_, actor=None, now=utcnow())
    db.session.commit()
    page = phone_page
    sign_in(page, "tuyet@example.test")
    page.goto("/my-results")
    link = page.get_by_role("link", name="Tải giấy chứng nhận")
    expect(link).to_have_count(1)
    screenshot(page, "certificates-1-my-results-phone")
    with page.expect_download() as download:
        link.click()
    pdf = pypdf.PdfReader(io.BytesIO(download.value.path().read_bytes()))
    assert len(pdf.pages) == 1
    text = pdf.pages[0].extract_text()
    assert "Nguyễn Thị Ánh Tuyết" in text and "Đã đạt Giải Khuyến khích" in text
    [address] = qr_texts(pdf.pages[0])
    base = page.url.split("/my-results")[0]
    assert address.startswith(f"{base}/xac-minh/")
    page.goto(address)
    expect(page.get_by_role("heading", level=1)).to_contain_text("Giấy chứng nhận hợp lệ")
    expect(page.locator(".certificate-facts")).to_contain_text("Nguyễn T. Á. T.")
    expect(page.locator(".certificate-facts")).to_contain_text("Giải Khuyến khích")
    assert "Ánh Tuyết" not in page.locator(".certificate-verdict").inner_text()  # the header names the signed-in user
    screenshot(page, "certificates-2-verified-phone")
    code = address.rsplit("/", 1)[1]
    page.get_by_label("Mã xác minh").fill(f"{code[:5].lower()} - {code[5:].lower()}")
    page.get_by_role("button", name="Xác minh").click()
    expect(page).to_have_url(address)
    page.get_by_label("Mã xác minh").fill("ABCDE-12345")
    page.get_by_role("button", name="Xác minh").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Không tìm thấy giấy chứng nhận")
    screenshot(page, "certificates-3-unknown-code-phone")


def test_the_organizer_sets_the_template(desktop_page, make_user):
    make_units()
    contest = make_contest(closes_at=utcnow() - timedelta(days=1))
    make_user(Role.ORGANIZER, email="btc@example.test")
    page = desktop_page
    sign_in(page, "btc@example.test")
    page.goto(f"/organizer/contests/{contest.id}/certificates")
    page.get_by_label("Cơ quan cấp", exact=True).fill("")
    page.get_by_label("Số quyết định khen thưởng").fill("12/QĐ-BTC")
    page.get_by_role("button", name="Lưu").click()
    expect(page.locator("#issuing_body-errors")).to_have_text("Cần ghi cơ quan cấp giấy chứng nhận.")
    screenshot(page, "certificates-4-template-error")
    page.get_by_label("Cơ quan cấp", exact=True).fill("Ban Tuyên giáo Tỉnh ủy")
    page.get_by_label("Họ và tên người ký").fill("Trần Quốc Việt")
    page.get_by_role("button", name="Lưu").click()
    expect(page.locator(".flash-success")).to_contain_text("Đã lưu mẫu giấy chứng nhận")
    expect(page.get_by_role("link", name="Xem trước (PDF)")).to_be_visible()
