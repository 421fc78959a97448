"""`quizapp results certificates ROUND_ID -o FILE.pdf [--collectives]`."""

from __future__ import annotations

from datetime import timedelta

import pypdf
import pytest

from quizapp.extensions import db
from quizapp.models import IssuedCertificate
from quizapp.models.types import utcnow
from tests.services.test_certificates import finalized, qr_texts  # noqa: F401  (the fixture)
from tests.services.test_standings import make_contest, make_units


@pytest.fixture
def cli(app):
    return app.test_cli_runner()


def test_one_page_per_prize_with_codes_that_verify_on_the_configured_site(cli, app, finalized, tmp_path):  # noqa: F811
    app.config["QUIZAPP_BASE_URL"] = "https://thi.example.vn/"
    out = tmp_path / "giay-khen.pdf"
    result = cli.invoke(args=["results", "certificates", str(finalized.id), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert result.output.strip() == (f"Đợt thi {finalized.id}: đã in 4 giấy chứng nhận (giải của đợt thi Tuần 1) "
                                     f"ra {out}.")
    reader = pypdf.PdfReader(out)
    assert len(reader.pages) == 4
    assert "Nguyễn Thị Ánh Tuyết" in reader.pages[3].extract_text()
    db.session.expire_all()
    codes = {c.code for c in db.session.query(IssuedCertificate)}
    assert {qr_texts(page)[0] for page in reader.pages} == {f"https://thi.example.vn/xac-minh/{c}" for c in codes}


def test_the_collectives_and_localhost_without_a_configured_site(cli, finalized, tmp_path):  # noqa: F811
    out = tmp_path / "tap-the.pdf"
    result = cli.invoke(args=["results", "certificates", str(finalized.id), "--collectives", "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert "đã in 1 giấy chứng nhận (giải tập thể của cuộc thi)" in result.output
    page = pypdf.PdfReader(out).pages[0]
    assert "Phường Hoàn Kiếm" in page.extract_text() and qr_texts(page)[0].startswith("http://localhost/xac-minh/")


def _refused(cli, args, out, message):
    result = cli.invoke(args=args)
    assert result.exit_code == 1, result.output
    assert message in result.output and "Traceback" not in result.output
    assert not out.exists() and not [p for p in out.parent.iterdir() if p.name.startswith(".quizapp-")]
    db.session.expire_all()
    assert db.session.query(IssuedCertificate).count() == 0


def test_a_round_not_finalized_an_unknown_round_and_a_wrong_suffix_are_refused(cli, app, tmp_path):
    make_units()
    round_ = make_contest(closes_at=utcnow() - timedelta(days=1)).rounds[0]
    out = tmp_path / "x.pdf"
    _refused(cli, ["results", "certificates", str(round_.id), "-o", str(out)], out,
             "Đợt thi Tuần 1 chưa được chốt kết quả: chỉ in giấy chứng nhận cho đợt thi đã chốt.")
    _refused(cli, ["results", "certificates", str(round_.id), "--collectives", "-o", str(out)], out,
             "Giải tập thể chỉ được in khi mọi đợt thi của cuộc thi đã chốt kết quả; chưa chốt: Tuần 1.")
    _refused(cli, ["results", "certificates", "999", "-o", str(out)], out, "không có đợt thi nào có mã '999'")
    docx = tmp_path / "x.docx"
    _refused(cli, ["results", "certificates", str(round_.id), "-o", str(docx)], docx,
             "tệp giấy chứng nhận phải có đuôi .pdf (đang là '.docx')")


def test_an_unwritable_path_is_refused_and_nothing_is_issued(cli, finalized, tmp_path):  # noqa: F811
    out = tmp_path / "khong-co-thu-muc" / "x.pdf"
    result = cli.invoke(args=["results", "certificates", str(finalized.id), "-o", str(out)])
    assert result.exit_code == 1 and f"không ghi được tệp {out}" in result.output
    assert not out.parent.exists()
    db.session.expire_all()
    assert db.session.query(IssuedCertificate).count() == 0  # the command's transaction was rolled back


def test_a_finalized_round_without_prizes_is_refused(cli, app, tmp_path):
    from quizapp.services.results import finalize_round

    make_units()
    round_ = make_contest(closes_at=utcnow() - timedelta(days=1), tiers=()).rounds[0]
    finalize_round(round_, actor=None, now=utcnow())
    db.session.commit()
    out = tmp_path / "x.pdf"
    _refused(cli, ["results", "certificates", str(round_.id), "-o", str(out)], out,
             "Không có giải nào để in giấy chứng nhận.")
