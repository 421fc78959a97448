"""The demo: sample banks, a unit tree, demo accounts, a demo contest (a finished and finalized round with
simulated entries, an open round, an upcoming one), loaded idempotently by ``quizapp demo``."""

from __future__ import annotations

import random
import tomllib
from datetime import datetime, timedelta
from importlib import resources
from pathlib import Path

from sqlalchemy import insert, select

from quizapp.domain.banks import ImportLimits
from quizapp.domain.contests import ContestSpec, DrawSpec, PrizeSpec, RoundSpec
from quizapp.domain.registration import check_registration
from quizapp.domain.text import fold
from quizapp.extensions import db
from quizapp.models import Attempt, AttemptStatus, Contest, DrawRule, PrizeKind, PrizeTier, Role, Round, Unit, User
from quizapp.services.accounts import create_staff
from quizapp.services.banks import import_bank
from quizapp.services.contests import VIETNAM, create_contest, question_cells
from quizapp.services.participants import register
from quizapp.services.results import finalize_round
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
    Role.PARTICIPANT: ("Thí sinh", "/"),
}
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
    report.append(_demo_participant(now=now))
    report.append(load_demo_contest(now=now))
    report.append(load_demo_results(now=now))
    db.session.flush()
    return report


def _account_line(role: Role, login: str) -> str:
    """How to try one role: its name, the account, and where to go after signing in at /login."""
    name, page = ROLE_GUIDE[role]
    return f"Tài khoản {name}: đăng nhập {login} / mật khẩu {DEMO_PASSWORD}, rồi mở {page}"


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


# --- a finished, finalized round with simulated entries -----------------------------------------------------

DEMO_PAST_ROUND = "Đợt thi thử (đã kết thúc)"
DEMO_SIMULATED = 300
#: Simulated participants' phones: 0900000001, 0900000002, …: clearly not real subscribers' numbers.
DEMO_PHONE_PREFIX = "09000"
_FAMILY = ("Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Đặng", "Bùi", "Đỗ", "Hồ", "Ngô", "Dương")
_MIDDLE = ("Văn", "Thị", "Minh", "Ngọc", "Thanh", "Đức", "Thu", "Quốc", "Hồng", "Xuân")
_GIVEN = ("An", "Bình", "Chi", "Dũng", "Giang", "Hà", "Hải", "Hùng", "Lan", "Linh", "Mai", "Nam", "Phương",
          "Quân", "Sơn", "Tâm", "Thảo", "Trang", "Tuấn", "Yến")
_CATEGORIES = ("Đảng viên", "Đoàn viên", "Hội viên", "Cán bộ, công chức", "Học sinh")


def load_demo_results(*, now: datetime, seed: int = 2026) -> str:
    """Once: a round of the demo contest that closed a week before ``now``, with :data:`DEMO_SIMULATED` invented
    participants (registered under the demo units, phones ``09000xxxxx``, no usable password) and their 1–3
    attempts each, inserted in bulk and then finalized through ``quizapp.services.results.finalize_round``, so
    that the leaderboard, the winners page, the judges' screens and the exports have something to show."""
    contest = db.session.scalar(select(Contest).where(Contest.title == DEMO_CONTEST_TITLE))
    if contest is None or not contest.rounds:
        return "Đợt thi thử: chưa tạo vì chưa có cuộc thi mẫu."
    existing = next((r for r in contest.rounds if r.name == DEMO_PAST_ROUND), None)
    if existing is not None:
        return f"Đợt thi thử (đợt {existing.id}): đã có."
    unit_ids = list(db.session.scalars(select(Unit.id).where(Unit.depth >= 2).order_by(Unit.id)))
    if not unit_ids:
        return "Đợt thi thử: chưa tạo vì chưa có cây đơn vị."
    rng = random.Random(seed)
    round_ = _past_round(contest, now)
    user_ids = _simulated_people(rng, unit_ids, round_.opens_at)
    entries = _simulated_attempts(rng, round_, user_ids)
    standings = finalize_round(round_, actor=None, now=now)
    prizes = ", ".join(f"{name} {count}" for name, count in standings.prize_counts())
    return (f"Đợt thi thử «{round_.name}» (đợt {round_.id}): {len(user_ids)} người dự thi (mô phỏng), {entries} "
            f"lượt thi, đã chốt kết quả; đáp án dự đoán {standings.prediction_actual}; giải: {prizes}.")


def _past_round(contest: Contest, now: datetime) -> Round:
    """The demo's past round, before every other round (position below theirs), with the demo's prize tiers."""
    first = contest.rounds[0]
    closes = now.astimezone(VIETNAM).replace(minute=0, second=0, microsecond=0) - timedelta(days=8)
    round_ = Round(contest_id=contest.id, position=min(r.position for r in contest.rounds) - 1,
                   name=DEMO_PAST_ROUND, opens_at=closes - timedelta(days=7), closes_at=closes,
                   question_count=first.question_count, time_limit_seconds=first.time_limit_seconds,
                   grace_seconds=first.grace_seconds, max_attempts=3, prediction_question=first.prediction_question,
                   prediction_answer=first.prediction_answer, review=first.review,
                   draw_rules=[DrawRule(position=r.position, topic=r.topic, bank_id=r.bank_id,
                                        difficulty=r.difficulty, count=r.count) for r in first.draw_rules])
    db.session.add(round_)
    db.session.flush()
    db.session.add_all([PrizeTier(contest_id=contest.id, round_id=round_.id, kind=PrizeKind.INDIVIDUAL,
                                  position=tier.position, name=tier.name, count=tier.count)
                        for tier in first.prize_tiers])
    db.session.flush()
    db.session.refresh(round_)
    return round_


def _simulated_people(rng: random.Random, unit_ids: list[int], registered_at: datetime) -> list[int]:
    """The simulated participants (made once, reused if their phones are already there): ids."""
    phones = [f"{DEMO_PHONE_PREFIX}{n:05d}" for n in range(1, DEMO_SIMULATED + 1)]
    known = dict(db.session.execute(select(User.phone, User.id).where(User.phone.in_(phones))).tuples().all())
    names = [f"{rng.choice(_FAMILY)} {rng.choice(_MIDDLE)} {rng.choice(_GIVEN)}" for _ in phones]
    new = [{"role": Role.PARTICIPANT, "full_name": name, "name_key": fold(name), "phone": phone,
            "password_hash": "!", "unit_id": rng.choice(unit_ids), "category": rng.choice(_CATEGORIES),
            "consent_at": registered_at, "created_at": registered_at, "active": True, "hidden": False,
            "token_version": 0}
           for name, phone in zip(names, phones, strict=True) if phone not in known]
    if new:
        ids = db.session.scalars(insert(User).returning(User.id, sort_by_parameter_order=True), new).all()
        known.update(zip((row["phone"] for row in new), ids, strict=True))
    return [known[phone] for phone in phones]



def _simulated_attempts(rng: random.Random, round_: Round, user_ids: list[int]) -> int:
    """1–3 finished attempts per simulated participant, in one bulk insert; returns how many."""
    window_ms = int((round_.closes_at - round_.opens_at).total_seconds() * 1000) - 3_600_000
    limit_ms = round_.time_limit_seconds * 1000
    rows = []
    for user_id in user_ids:
        for number in range(1, rng.choice((1, 1, 2, 3)) + 1):
            duration = rng.randint(45_000, limit_ms)
            started = round_.opens_at + timedelta(milliseconds=rng.randint(0, window_ms))
            correct = min(round_.question_count, max(0, round(rng.gauss(0.7, 0.2) * round_.question_count)))
            rows.append({"round_id": round_.id, "user_id": user_id, "number": number,
                         "status": AttemptStatus.SUBMITTED, "started_at": started,
                         "deadline_at": started + timedelta(milliseconds=limit_ms),
                         "submitted_at": started + timedelta(milliseconds=duration), "duration_ms": duration,
                         "question_count": round_.question_count, "correct_count": correct,
                         "prediction": rng.randint(20, 100) if rng.random() < 0.9 else None})
    db.session.execute(insert(Attempt), rows)
    return len(rows)
