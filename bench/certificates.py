"""The PDF of a round's 60 prizes through ``quizapp results certificates`` (target: under 10 s).

A throwaway SQLite database (or ``--database URL``) gets a unit tree, a round closed yesterday with 200 entries
and tiers giving 60 prizes (1 + 2 + 3 + 54), a template with a logo, and is finalized; then the whole command runs
in-process (Flask's CLI runner) ``--runs`` times: the first run issues the 60 codes, the later ones reuse them.
Also the drawing alone (``render_pdf``, no database). Prints seconds per run, pages and the file's size.

    .venv/bin/python -m bench.certificates [--runs 3] [--prizes 60]
"""

from __future__ import annotations

import argparse
import io
import statistics
import tempfile
import time
from datetime import timedelta
from pathlib import Path

from PIL import Image


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", default=None, help="SQLAlchemy URL (default: a temporary SQLite file)")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--prizes", type=int, default=60)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        url = args.database or f"sqlite:///{folder}/bench.sqlite3"
        app = _app(url, folder)
        with app.app_context():
            from flask_migrate import upgrade

            upgrade()
            round_id = _round_with_prizes(args.prizes)
            runner = app.test_cli_runner()
            times, out = [], Path(folder) / "giay-chung-nhan.pdf"
            for _ in range(args.runs):
                started = time.perf_counter()
                result = runner.invoke(args=["results", "certificates", str(round_id), "-o", str(out)])
                times.append(time.perf_counter() - started)
                if result.exit_code != 0:
                    raise SystemExit(result.output)
            drawing = _drawing_alone(args.prizes)
            import pypdf

            pages = len(pypdf.PdfReader(out).pages)
        print(f"certificates: {pages} pages, {out.stat().st_size / 1024:.0f} KiB")
        print(f"  whole command, first run (issues the codes): {times[0]:.2f} s")
        if len(times) > 1:
            print(f"  whole command, later runs (median of {len(times) - 1}): {statistics.median(times[1:]):.2f} s")
        print(f"  drawing alone (render_pdf, {args.prizes} pages): {drawing:.2f} s")
        print(f"  target: under 10 s -> {'met' if max(times) < 10 else 'NOT met'}")


def _app(url: str, folder: str):
    import os

    os.environ.setdefault("QUIZAPP_INSTANCE_PATH", str(Path(folder) / "instance"))
    from quizapp import create_app

    return create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench", "RATELIMIT_ENABLED": False,
                       "QUIZAPP_BASE_URL": "https://thi.example.vn"})


def _logo() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (300, 300), (200, 16, 46)).save(buffer, "PNG")
    return buffer.getvalue()


def _round_with_prizes(prizes: int) -> int:
    """A finalized round whose tiers give ``prizes`` prizes to the best of 200 entries; its id."""
    from quizapp.domain.certificates import Template
    from quizapp.domain.text import fold
    from quizapp.extensions import db
    from quizapp.models import Attempt, AttemptStatus, Contest, PrizeKind, PrizeTier, Role, Round, Unit, User
    from quizapp.models.types import utcnow
    from quizapp.services.certificates import save_template
    from quizapp.services.results import finalize_round
    from quizapp.services.units import rebuild_tree
    from quizapp.transactions import end_transaction

    province = Unit(code="T", name="Tỉnh Thử", name_key=fold("Tỉnh Thử"), member_count=5000)
    db.session.add(province)
    db.session.flush()
    units = [Unit(code=f"T{n:02d}", name=f"Đảng bộ xã Thử {n}", name_key=fold(f"Đảng bộ xã Thử {n}"),
                  member_count=200, parent_id=province.id) for n in range(1, 21)]
    db.session.add_all(units)
    db.session.flush()
    rebuild_tree()
    closes = utcnow() - timedelta(days=1)
    contest = Contest(title="Cuộc thi trực tuyến tìm hiểu tư tưởng, đạo đức, phong cách Hồ Chí Minh năm 2026")
    round_ = Round(position=1, name="Tuần 1", opens_at=closes - timedelta(days=7), closes_at=closes,
                   question_count=20, time_limit_seconds=900, grace_seconds=10, max_attempts=3)
    contest.rounds.append(round_)
    db.session.add(contest)
    db.session.flush()
    tiers = [("Giải Nhất", 1), ("Giải Nhì", 2), ("Giải Ba", 3), ("Giải Khuyến khích", prizes - 6)]
    for position, (name, count) in enumerate(tiers, start=1):
        db.session.add(PrizeTier(contest_id=contest.id, round_id=round_.id, kind=PrizeKind.INDIVIDUAL,
                                 position=position, name=name, count=count))
    names = ("Nguyễn Thị Ánh Tuyết", "Trần Văn Đức", "Lê Hoàng Yến", "Phạm Quốc Việt", "Đỗ Thị Hương")
    for n in range(200):
        name = f"{names[n % len(names)]} {n}"
        user = User(role=Role.PARTICIPANT, full_name=name, name_key=fold(name), phone=f"0912{n:06d}",
                    password_hash="-", unit_id=units[n % len(units)].id, created_at=utcnow())
        db.session.add(user)
        db.session.flush()
        submitted = round_.opens_at + timedelta(hours=1, minutes=n)
        db.session.add(Attempt(round_id=round_.id, user_id=user.id, number=1, status=AttemptStatus.SUBMITTED,
                               started_at=submitted - timedelta(minutes=10), deadline_at=submitted,
                               submitted_at=submitted, duration_ms=600_000 - n, question_count=20,
                               correct_count=20 - n % 15))
    save_template(contest, Template(decision_number="125/QĐ-BTC", place="Hà Nội", signer_name="Trần Quốc Việt"),
                  logo=_logo(), remove_logo=False, actor=None, now=utcnow())
    finalize_round(round_, actor=None, now=utcnow())
    end_transaction(succeeded=True)
    return round_.id


def _drawing_alone(prizes: int) -> float:
    from quizapp.domain.certificates import Certificate, Template, render_pdf, verification_url
    from quizapp.services.certificates import FONTS

    pages = [Certificate(code=f"ABCDE{n:05d}", recipient="Nguyễn Thị Ánh Tuyết", unit="Đảng bộ xã Thử 1, Tỉnh Thử",
                         prize="Giải Khuyến khích", round_name="Tuần 1", contest_title="Cuộc thi tìm hiểu",
                         url=verification_url("https://thi.example.vn", f"ABCDE{n:05d}")) for n in range(prizes)]
    started = time.perf_counter()
    render_pdf(pages, Template(logo=_logo()), FONTS, io.BytesIO())
    return time.perf_counter() - started


if __name__ == "__main__":
    main()
