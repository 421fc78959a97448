"""The demo: sample banks, a unit tree, demo accounts, a demo contest (a finished and finalized round with
simulated entries, an open round, an upcoming one), loaded idempotently by ``quizapp demo``."""

from __future__ import annotations

import tomllib
from datetime import datetime, timedelta
from importlib import resources
from pathlib import Path

from sqlalchemy import select

from quizapp.domain.banks import ImportLimits
from quizapp.domain.contests import ContestSpec, DrawSpec, PrizeSpec, RoundSpec
from quizapp.domain.registration import check_registration
from quizapp.extensions import db
from quizapp.models import Contest, Role, User
from quizapp.services.accounts import create_scoped_staff, create_staff
from quizapp.services.banks import find_bank, import_bank
from quizapp.services.contests import VIETNAM, create_contest, question_cells
from quizapp.services.demo_results import load_demo_results
from quizapp.services.participants import register
from quizapp.services.scopes import scope_of
from quizapp.services.unit_officers import create_unit_officer
from quizapp.services.units import import_units

# Invented accounts for trying the product; never use these passwords outside a demo.
DEMO_STAFF = (
    (Role.ADMIN, "admin@demo.quizapp.vn", "Quản trị viên (demo)"),
    (Role.ORGANIZER, "bantochuc@demo.quizapp.vn", "Ban tổ chức (demo)"),
    (Role.JUDGE, "giamkhao@demo.quizapp.vn", "Ban giám khảo (demo)"),
)
DEMO_PASSWORD = "demo-2026"
#: Each role in the words of the people who hold it, and the page to open first after signing in.
ROLE_GUIDE = {
    Role.ADMIN: ("Quản trị", "/organizer/participants"),
    Role.ORGANIZER: ("Ban tổ chức", "/organizer/banks"),
    Role.JUDGE: ("Ban giám khảo", "/judge"),
    Role.UNIT_OFFICER: ("Cán bộ phụ trách đơn vị", "/officer/"),
    Role.PARTICIPANT: ("Thí sinh", "/"),
}
#: The demo's unit officer, responsible for one ward of the demo tree.
DEMO_OFFICER = ("canbo@demo.quizapp.vn", "HN-BD", "Cán bộ phụ trách Phường Ba Đình (demo)")
#: An organizer scoped to another ward, who runs that ward's own contest (and sees nothing of the others).
DEMO_WARD_ORGANIZER = ("btc.hoankiem@demo.quizapp.vn", "HN-HK", "Ban tổ chức Phường Hoàn Kiếm (demo)")
DEMO_WARD_CONTEST_TITLE = ("Tìm hiểu tư tưởng, đạo đức, phong cách Hồ Chí Minh – Phường Hoàn Kiếm "
                           "(cuộc thi mẫu cấp phường)")
DEMO_WARD_BANK = "Hồ Chí Minh – Tư tưởng, đạo đức, phong cách"
# An invented participant (phone in the 0900 0xx xxx range no operator assigns to people) to try an attempt with.
DEMO_PARTICIPANT = {"full_name": "Nguyễn Thị Thử", "phone": "0900099999", "email": "thisinh@demo.quizapp.vn",
                    "unit_code": "HN-BD-CB1", "category": "Đảng viên"}


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
        report.append(_account_line(role, email))
    report.append(_demo_officer(now=now))
    report.append(_demo_ward_organizer(now=now))
    report.append(_demo_participant(now=now))
    report.append(load_demo_contest(now=now))
    report.append(load_demo_results(DEMO_CONTEST_TITLE, now=now))
    report.append(load_demo_ward_contest(now=now))
    db.session.flush()
    return report


def _account_line(role: Role, login: str) -> str:
    """How to try one role: its name, the account, and where to go after signing in at /login."""
    name, page = ROLE_GUIDE[role]
    return f"Tài khoản {name}: đăng nhập {login} / mật khẩu {DEMO_PASSWORD}, rồi mở {page}"


def _demo_officer(*, now: datetime) -> str:
    """The unit officer of the demo (once), who reads the reports of one ward."""
    email, unit_code, name = DEMO_OFFICER
    if not db.session.scalar(select(User.id).where(User.email == email)):
        create_unit_officer(unit_code=unit_code, email=email, password=DEMO_PASSWORD, full_name=name, actor=None,
                            now=now)
    return _account_line(Role.UNIT_OFFICER, email)


def _demo_ward_organizer(*, now: datetime) -> str:
    """The ward's own organizer (once), scoped to the ward: its contests, units and people only."""
    email, unit_code, name = DEMO_WARD_ORGANIZER
    if not db.session.scalar(select(User.id).where(User.email == email)):
        create_scoped_staff(role=Role.ORGANIZER, unit_code=unit_code, email=email, password=DEMO_PASSWORD,
                            full_name=name, actor=None, now=now)
    return (f"Tài khoản Ban tổ chức cấp phường (chỉ Phường Hoàn Kiếm, mã {unit_code}): đăng nhập {email} / "
            f"mật khẩu {DEMO_PASSWORD}, rồi mở /organizer/contests")


def _demo_participant(*, now: datetime) -> str:
    """The participant account of the demo, registered the way a person registers (once)."""
    line = _account_line(Role.PARTICIPANT, DEMO_PARTICIPANT["phone"])
    if db.session.scalar(select(User.id).where(User.phone == DEMO_PARTICIPANT["phone"])):
        return line
    register(check_registration({**DEMO_PARTICIPANT, "password": DEMO_PASSWORD}, today=now.date()), now=now)
    return line


DEMO_CONTEST_TITLE = "Tìm hiểu tư tưởng, đạo đức, phong cách Hồ Chí Minh (cuộc thi mẫu)"
DEMO_OPEN_TOPICS = ("Tiểu sử Hồ Chí Minh", "Tác phẩm Hồ Chí Minh", "Tư tưởng Hồ Chí Minh",
                    "Đạo đức, phong cách Hồ Chí Minh", "Chuyên đề năm 2025")
DEMO_NEXT_TOPICS = tuple(f"Chuyên đề năm {year}" for year in range(2021, 2026))
DEMO_RULES = """I. ĐỐI TƯỢNG DỰ THI
Cán bộ, đảng viên, công chức, viên chức, người lao động, đoàn viên, hội viên và Nhân dân đang sinh sống, \
học tập, công tác trên địa bàn; trừ thành viên Ban Tổ chức, Ban Giám khảo và Tổ Thư ký.

II. HÌNH THỨC THI
Thi trắc nghiệm trực tuyến trên điện thoại hoặc máy tính. Mỗi lượt thi gồm 10 câu hỏi được rút ngẫu nhiên \
từ ngân hàng câu hỏi và 01 câu hỏi dự đoán; thời gian làm bài 10 phút.
Mỗi người được thi tối đa 03 lượt trong mỗi đợt, lấy kết quả cao nhất.

III. XẾP GIẢI
Người có nhiều câu trả lời đúng hơn xếp trên; nếu bằng nhau, xét câu trả lời dự đoán gần đúng hơn, rồi \
thời gian làm bài ngắn hơn, rồi thời điểm nộp bài sớm hơn.

IV. CƠ CẤU GIẢI THƯỞNG MỖI ĐỢT
01 giải Nhất, 02 giải Nhì, 03 giải Ba và 05 giải Khuyến khích. Giải tập thể được trao cho các đơn vị \
có tỷ lệ cán bộ, đảng viên tham gia cao nhất.

Đây là cuộc thi mẫu để dùng thử hệ thống; kết quả không có giá trị khen thưởng."""


def load_demo_contest(*, now: datetime) -> str:
    """Create the demo contest once (found by its title): a round open from a day before ``now`` for 30 days,
    then an upcoming round; 10 questions spread over the sample topics the banks really hold."""
    existing = db.session.scalar(select(Contest.id).where(Contest.title == DEMO_CONTEST_TITLE))
    if existing:
        return f"Cuộc thi mẫu (cuộc thi {existing}): đã có."
    available: dict[str, int] = {}
    for cell in question_cells()[0]:
        available[cell.topic or ""] = available.get(cell.topic or "", 0) + cell.count
    if sum(available.values()) < 10:
        return "Cuộc thi mẫu: chưa tạo vì các ngân hàng chưa có đủ 10 câu hỏi."
    start = now.astimezone(VIETNAM).replace(minute=0, second=0, microsecond=0)
    prizes = (PrizeSpec("Giải Nhất", 1), PrizeSpec("Giải Nhì", 2), PrizeSpec("Giải Ba", 3),
              PrizeSpec("Giải Khuyến khích", 5))
    common = {"question_count": 10, "time_limit_seconds": 600, "max_attempts": 3, "prizes": prizes,
              "prediction_question": "Dự đoán có bao nhiêu người trả lời đúng tất cả các câu hỏi của đợt này?"}
    rounds = (
        RoundSpec(name="Đợt 1", opens_at=start - timedelta(days=1), closes_at=start + timedelta(days=30),
                  draw=_spread(10, DEMO_OPEN_TOPICS, available), **common),
        RoundSpec(name="Đợt 2", opens_at=start + timedelta(days=30), closes_at=start + timedelta(days=37),
                  draw=_spread(10, DEMO_NEXT_TOPICS, available), **common),
    )
    spec = ContestSpec(title=DEMO_CONTEST_TITLE, rules=DEMO_RULES, rounds=rounds,
                       collective_prizes=(PrizeSpec("Giải Nhất tập thể", 1), PrizeSpec("Giải Nhì tập thể", 2),
                                          PrizeSpec("Giải Ba tập thể", 3)))
    contest = create_contest(spec, actor=None, now=now)
    return f"Cuộc thi mẫu (cuộc thi {contest.id}): đợt «Đợt 1» đang mở, đợt «Đợt 2» sắp mở."


def load_demo_ward_contest(*, now: datetime) -> str:
    """The ward's own contest (once, found by its title), created as its scoped organizer would: the audience is
    the ward, and the draw names a shared bank, which every level may draw from."""
    existing = db.session.scalar(select(Contest.id).where(Contest.title == DEMO_WARD_CONTEST_TITLE))
    if existing:
        return f"Cuộc thi mẫu cấp phường (cuộc thi {existing}): đã có."
    email, unit_code, _name = DEMO_WARD_ORGANIZER
    organizer = db.session.scalar(select(User).where(User.email == email))
    if organizer is None or find_bank(DEMO_WARD_BANK) is None:
        return "Cuộc thi mẫu cấp phường: chưa tạo vì thiếu ngân hàng câu hỏi mẫu."
    start = now.astimezone(VIETNAM).replace(minute=0, second=0, microsecond=0)
    round_ = RoundSpec(name="Đợt 1", opens_at=start - timedelta(days=1), closes_at=start + timedelta(days=14),
                       question_count=10, time_limit_seconds=600, max_attempts=2,
                       draw=(DrawSpec(count=10, bank=DEMO_WARD_BANK),),
                       prizes=(PrizeSpec("Giải Nhất", 1), PrizeSpec("Giải Nhì", 1), PrizeSpec("Giải Ba", 2)))
    spec = ContestSpec(title=DEMO_WARD_CONTEST_TITLE, rounds=(round_,), audience=(unit_code,),
                       rules="Dành cho cán bộ, đảng viên và Nhân dân trên địa bàn Phường Hoàn Kiếm.")
    contest = create_contest(spec, actor=organizer, now=now, scope=scope_of(organizer))
    return f"Cuộc thi mẫu cấp phường (cuộc thi {contest.id}): chỉ người thuộc Phường Hoàn Kiếm dự thi được."


def _spread(total: int, topics: tuple[str, ...], available: dict[str, int]) -> tuple[DrawSpec, ...]:
    """``total`` questions shared out one at a time over the topics that have questions; no draw (any active
    question) when those topics together hold too few."""
    counts = {topic: 0 for topic in topics if available.get(topic)}
    while sum(counts.values()) < total and any(counts[t] < available[t] for t in counts):
        for topic in counts:
            if counts[topic] < available[topic] and sum(counts.values()) < total:
                counts[topic] += 1
    if sum(counts.values()) < total:
        return ()
    return tuple(DrawSpec(count=count, topic=topic) for topic, count in counts.items() if count)
