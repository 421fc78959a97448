"""The demo: sample banks, a unit tree and demo accounts, loaded idempotently by ``quizapp demo``."""

from __future__ import annotations

import tomllib
from datetime import datetime
from importlib import resources
from pathlib import Path

from sqlalchemy import select

from quizapp.domain.banks import ImportLimits
from quizapp.extensions import db
from quizapp.models import Role, User
from quizapp.services.accounts import create_staff
from quizapp.services.banks import import_bank
from quizapp.services.units import import_units

# Invented accounts for trying the product; never use these passwords outside a demo.
DEMO_STAFF = (
    (Role.ADMIN, "admin@demo.quizapp.vn", "Quản trị viên (demo)"),
    (Role.ORGANIZER, "bantochuc@demo.quizapp.vn", "Ban tổ chức (demo)"),
    (Role.JUDGE, "giamkhao@demo.quizapp.vn", "Ban giám khảo (demo)"),
)
DEMO_PASSWORD = "demo-2026"


def load_demo(banks_dir: Path, *, now: datetime, limits: ImportLimits) -> list[str]:
    """Load everything the demo needs and return lines describing what is there. Safe to run again."""
    report: list[str] = []
    units_file = resources.files("quizapp.demo").joinpath("units.csv")
    units = import_units(filename="units.csv", data=units_file.read_bytes(), actor=None, now=now, limits=limits)
    report.append(f"Đơn vị: {units.total} ({units.added} mới).")
    manifest = tomllib.loads((banks_dir / "manifest.toml").read_text(encoding="utf-8"))
    for entry in manifest["bank"]:
        path = banks_dir / entry["file"]
        result = import_bank(bank_name=entry["name"], filename=path.name, data=path.read_bytes(), actor=None,
                             now=now, limits=limits)
        report.append(f"Ngân hàng «{result.bank.name}»: {result.added} câu mới, {result.unchanged} câu đã có.")
    for role, email, name in DEMO_STAFF:
        exists = db.session.scalar(select(User.id).where(User.email == email))
        if not exists:
            create_staff(role=role, email=email, password=DEMO_PASSWORD, full_name=name, actor=None, now=now)
        report.append(f"Tài khoản {role.value}: {email} / {DEMO_PASSWORD}")
    db.session.flush()
    return report
