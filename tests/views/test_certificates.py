"""Certificate pages: the public verification, the downloads and who may have them, the organizer's template."""

from __future__ import annotations

import io

import pypdf
import pytest
from PIL import Image

from quizapp.extensions import db
from quizapp.models import AuditEntry, CertificateTemplate, IssuedCertificate, Role, User
from quizapp.models.types import utcnow
from quizapp.services import certificates as service
from quizapp.services.results import disqualify, finalize_round, reopen_round
from tests.conftest import TEST_PASSWORD
from tests.services.test_certificates import finalized, qr_texts  # noqa: F401  (the fixture)


def _code_of(full_name: str) -> str:
    user = db.session.query(User).filter_by(full_name=full_name).one()
    return db.session.query(IssuedCertificate).filter_by(user_id=user.id).one().code


def _sign_in_as_participant(client, full_name: str) -> User:
    from quizapp.auth import hash_password

    user = db.session.query(User).filter_by(full_name=full_name).one()
    user.password_hash = hash_password(TEST_PASSWORD)
    db.session.commit()
    response = client.post("/login", data={"login": user.phone, "password": TEST_PASSWORD})
    assert response.status_code == 302
    return user


def test_the_public_page_confirms_a_genuine_certificate_with_the_name_masked(client, finalized):  # noqa: F811
    service.round_certificates(finalized, base_url="http://localhost", now=utcnow())
    db.session.commit()
    code = _code_of("Nguyễn Thị Ánh Tuyết")
    page = client.get(f"/xac-minh/{code}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Giấy chứng nhận hợp lệ" in html and "Nguyễn T. Á. T." in html and "Ánh Tuyết" not in html
    assert "Giải Khuyến khích" in html and "Tuần 1" in html and "Tìm hiểu tư tưởng Hồ Chí Minh" in html
    assert f"{code[:5]}-{code[5:]}" in html
    typed = client.post("/xac-minh", data={"code": f" {code[:5].lower()}-{code[5:]} "})
    assert typed.status_code == 302 and typed.headers["Location"].endswith(f"/xac-minh/{code}")


def test_a_revoked_certificate_says_so_and_is_not_a_404(client, finalized):  # noqa: F811
    service.round_certificates(finalized, base_url="http://localhost", now=utcnow())
    reopen_round(finalized, actor=None, now=utcnow(), reason="Khiếu nại")
    db.session.commit()
    page = client.get(f"/xac-minh/{_code_of('Nguyễn Thị Ánh Tuyết')}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Giấy chứng nhận đã bị thu hồi" in html and "đã được Ban Giám khảo mở lại" in html
    assert "hợp lệ" not in html
    winner = db.session.query(User).filter_by(full_name="Nguyễn Văn An").one()
    disqualify(finalized, winner, actor=None, now=utcnow(), reason="Thi hộ")
    finalize_round(finalized, actor=None, now=utcnow())
    db.session.commit()
    html = client.get(f"/xac-minh/{_code_of('Nguyễn Văn An')}").get_data(as_text=True)
    assert "Giấy chứng nhận đã bị thu hồi" in html and "đã bị Ban Giám khảo loại" in html


def test_an_unknown_code_is_a_clear_404_and_a_malformed_one_is_named(client, app):
    page = client.get("/xac-minh/ABCDE12345")
    assert page.status_code == 404 and "Không có giấy chứng nhận nào mang mã ABCDE12345" in page.get_data(as_text=True)
    typed = client.post("/xac-minh", data={"code": "12345"})
    assert typed.status_code == 422
    assert "Mã xác minh gồm 10 chữ và số (ví dụ ABCDE-12345); hãy kiểm tra lại." in typed.get_data(as_text=True)
    empty = client.post("/xac-minh", data={"code": ""})
    assert empty.status_code == 422 and "Cần nhập mã xác minh in trên giấy." in empty.get_data(as_text=True)


class TestRateLimit:
    @pytest.fixture
    def settings(self, settings):
        return {**settings, "RATELIMIT_ENABLED": True, "QUIZAPP_CERTIFICATE_LOOKUP_LIMIT": "3 per minute"}

    def test_the_lookup_is_rate_limited(self, client):
        statuses = [client.get(f"/xac-minh/ABCDE1234{n}").status_code for n in range(5)]
        assert statuses[:3] == [404, 404, 404] and statuses[3:] == [429, 429]


def test_a_winner_downloads_only_their_own_certificate(client, finalized):  # noqa: F811
    _sign_in_as_participant(client, "Nguyễn Thị Ánh Tuyết")
    response = client.get(f"/rounds/{finalized.id}/my-certificate.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    reader = pypdf.PdfReader(io.BytesIO(response.data))
    assert len(reader.pages) == 1 and "Nguyễn Thị Ánh Tuyết" in reader.pages[0].extract_text()
    assert qr_texts(reader.pages[0]) == [f"http://localhost/xac-minh/{_code_of('Nguyễn Thị Ánh Tuyết')}"]
    assert client.get(f"/rounds/{finalized.id}/certificates.pdf").status_code == 403  # not the whole round


def test_someone_without_a_prize_gets_nothing(client, finalized):  # noqa: F811
    _sign_in_as_participant(client, "Phạm Thu Dung")
    assert client.get(f"/rounds/{finalized.id}/my-certificate.pdf").status_code == 404
    assert db.session.query(IssuedCertificate).count() == 0


def test_anonymous_visitors_are_sent_to_sign_in(client, finalized):  # noqa: F811
    for path in (f"/rounds/{finalized.id}/my-certificate.pdf", f"/rounds/{finalized.id}/certificates.pdf"):
        response = client.get(path)
        assert response.status_code == 302 and "/login" in response.headers["Location"]


@pytest.mark.parametrize("role", [Role.JUDGE, Role.ORGANIZER])
def test_judges_and_organizers_download_the_whole_round(client, make_user, login, finalized, role):  # noqa: F811
    login(make_user(role))
    response = client.get(f"/rounds/{finalized.id}/certificates.pdf")
    assert response.status_code == 200
    assert len(pypdf.PdfReader(io.BytesIO(response.data)).pages) == 4
    collectives = client.get(f"/rounds/{finalized.id}/certificates.pdf?collectives=1")
    assert len(pypdf.PdfReader(io.BytesIO(collectives.data)).pages) == 1


def test_a_round_not_finalized_is_refused_with_a_message(client, make_user, login, finalized):  # noqa: F811
    reopen_round(finalized, actor=None, now=utcnow(), reason="Khiếu nại")
    db.session.commit()
    login(make_user(Role.JUDGE))
    response = client.get(f"/rounds/{finalized.id}/certificates.pdf", follow_redirects=True)
    assert "Đợt thi Tuần 1 chưa được chốt kết quả" in response.get_data(as_text=True)
    assert db.session.query(IssuedCertificate).count() == 0


def _png(size=(60, 30)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (180, 0, 0)).save(buffer, "PNG")
    return buffer.getvalue()


FORM = {"heading": "GIẤY KHEN", "issuing_body": "Ban Tuyên giáo Tỉnh ủy", "decision_number": "12/QĐ-BTC",
        "decision_date": "2026-12-05", "place": "Hà Nội", "intro": "Trưởng Ban Tổ chức tặng",
        "signer_title": "Trưởng ban", "signer_name": "Trần Quốc Việt"}


def test_the_organizer_sets_the_template_and_previews_it(client, make_user, login, finalized):  # noqa: F811
    login(make_user(Role.ORGANIZER))
    contest_id = finalized.contest_id
    page = client.get(f"/organizer/contests/{contest_id}/certificates")
    assert page.status_code == 200 and "GIẤY CHỨNG NHẬN" in page.get_data(as_text=True)
    saved = client.post(f"/organizer/contests/{contest_id}/certificates",
                        data={**FORM, "logo": (io.BytesIO(_png()), "logo.png")}, content_type="multipart/form-data")
    assert saved.status_code == 302
    preview = client.get(f"/organizer/contests/{contest_id}/certificates/preview.pdf")
    page = pypdf.PdfReader(io.BytesIO(preview.data)).pages[0]
    text = page.extract_text()
    for words in ("GIẤY KHEN", "BAN TUYÊN GIÁO TỈNH ỦY", "Trưởng Ban Tổ chức tặng", "Hà Nội, ngày 05 tháng 12 năm 2026",
                  "TRƯỞNG BAN", "Trần Quốc Việt", "Nguyễn Thị Ánh Tuyết", "Kèm theo Quyết định số 12/QĐ-BTC"):
        assert words in text, words
    assert len(page.images) == 2  # the logo and the QR code
    assert db.session.query(IssuedCertificate).count() == 0  # a preview issues no code
    assert db.session.query(AuditEntry).filter_by(action="contest.certificate_template").count() == 1


def test_every_problem_of_the_template_is_shown_beside_its_field_and_nothing_is_saved(client, make_user, login,
                                                                                       finalized):  # noqa: F811
    login(make_user(Role.ORGANIZER))
    contest_id = finalized.contest_id
    response = client.post(f"/organizer/contests/{contest_id}/certificates",
                           data={**FORM, "issuing_body": "", "signer_title": "", "decision_date": "05/13/2026",
                                 "logo": (io.BytesIO(b"GIF89a not a logo"), "logo.gif")},
                           content_type="multipart/form-data")
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    for message in ("Cần ghi cơ quan cấp giấy chứng nhận.", "Cần ghi chức vụ người ký."):
        assert message in html
    assert 'id="decision_date-errors"' in html
    assert db.session.query(CertificateTemplate).count() == 0
    bad_logo = client.post(f"/organizer/contests/{contest_id}/certificates",
                           data={**FORM, "logo": (io.BytesIO(b"GIF89a not a logo"), "logo.gif")},
                           content_type="multipart/form-data")
    assert bad_logo.status_code == 422
    assert "Biểu trưng phải là ảnh PNG hoặc JPEG đọc được." in bad_logo.get_data(as_text=True)
    assert 'id="logo-errors"' in bad_logo.get_data(as_text=True)
    assert db.session.query(CertificateTemplate).count() == 0


@pytest.mark.parametrize("role", [Role.PARTICIPANT, Role.JUDGE])
def test_only_organizers_set_the_template(client, make_user, login, finalized, role):  # noqa: F811
    login(make_user(role))
    assert client.get(f"/organizer/contests/{finalized.contest_id}/certificates").status_code == 403


def test_the_links_to_the_certificates(client, make_user, login, finalized):  # noqa: F811
    from quizapp.models import Attempt

    winner = _sign_in_as_participant(client, "Nguyễn Thị Ánh Tuyết")
    link = f'href="/rounds/{finalized.id}/my-certificate.pdf"'
    attempt = db.session.query(Attempt).filter_by(user_id=winner.id).one()
    assert link in client.get(f"/attempts/{attempt.id}/result").get_data(as_text=True)
    assert link in client.get("/my-results").get_data(as_text=True)
    client.post("/logout")
    _sign_in_as_participant(client, "Phạm Thu Dung")
    assert "my-certificate.pdf" not in client.get("/my-results").get_data(as_text=True)
    client.post("/logout")
    login(make_user(Role.JUDGE))
    ranking = client.get(f"/judge/rounds/{finalized.id}").get_data(as_text=True)
    assert f'href="/rounds/{finalized.id}/certificates.pdf"' in ranking


def test_after_a_reopening_the_winner_can_no_longer_download_it(client, finalized):  # noqa: F811
    _sign_in_as_participant(client, "Nguyễn Thị Ánh Tuyết")
    assert client.get(f"/rounds/{finalized.id}/my-certificate.pdf").status_code == 200
    reopen_round(finalized, actor=None, now=utcnow(), reason="Khiếu nại")
    db.session.commit()
    assert client.get(f"/rounds/{finalized.id}/my-certificate.pdf").status_code == 404
    assert client.get("/rounds/999/my-certificate.pdf").status_code == 404
