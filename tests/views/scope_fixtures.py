"""A world of two districts for the scope tests: Tỉnh Thử › Huyện Trong (A) › two communes, and Tỉnh Thử ›
Huyện Ngoài Phạm Vi (B) › two communes; staff scoped to A, and every thing of B carrying a marker in its text
(:data:`OUTSIDE_MARKERS`) that must never reach a page, an export or a JSON answer given to someone scoped to A.

Built through the services where they exist (banks imported, contests created from their TOML with their
audience, rounds finalized, notices posted, erasure requested), so the audit log holds what it would hold.
"""

from __future__ import annotations

import io
import json
import zipfile
from dataclasses import dataclass, field
from datetime import timedelta

import pypdf
import tomli_w

from quizapp.domain.banks import ImportLimits
from quizapp.domain.contests import parse_contest
from quizapp.domain.text import fold
from quizapp.extensions import db
from quizapp.models import Bank, Contest, Question, Role, Round, Unit, User
from quizapp.models.notices import ContestNotice
from quizapp.models.personal_data import ErasureRequest
from quizapp.models.types import utcnow
from quizapp.services.banks import import_bank
from quizapp.services.contests import create_contest
from quizapp.services.notices import post_notice
from quizapp.services.personal_data import request_erasure
from quizapp.services.results import finalize_round
from tests.services.test_standings import add_units, entry, person

#: code, name, parent, members: B's names and codes are markers
LAYOUT = (("TT", "Tỉnh Thử", None, 5000),
          ("A", "Huyện Trong", "TT", 300), ("A1", "Xã Trong Một", "A", 120), ("A2", "Xã Trong Hai", "A", 80),
          ("OUT-B", "Huyện Ngoài Phạm Vi", "TT", 400), ("OUT-B1", "Xã Ngoài Một", "OUT-B", 150),
          ("OUT-B2", "Xã Ngoài Hai", "OUT-B", 90))

#: what of B (and of the level above A, for organizers and judges) must not reach A's staff
OUTSIDE_UNIT_MARKERS = ("Huyện Ngoài Phạm Vi", "Xã Ngoài Một", "Xã Ngoài Hai", "OUT-B")
OUTSIDE_PEOPLE_MARKERS = ("Người Ngoài", "0999000", "@ngoai.test", "Lý do xóa ngoài phạm vi")
OUTSIDE_CONTEST_MARKERS = ("Cuộc thi ngoài phạm vi", "Đợt ngoài", "Thông báo ngoài phạm vi", "Ban Tổ Chức Ngoài",
                           "Giám Khảo Ngoài", "Giải Ngoài")
OUTSIDE_BANK_MARKERS = ("Ngân hàng ngoài", "Câu hỏi ngoài", "Chủ đề ngoài")
#: the contest for the whole province belongs to the level above a district's organizers and judges
#: (services/scopes.py); a unit officer reports on it
WHOLE_TREE_MARKERS = ("Cuộc thi toàn tỉnh", "Đợt toàn tỉnh")
OUTSIDE_MARKERS = (OUTSIDE_UNIT_MARKERS + OUTSIDE_PEOPLE_MARKERS + OUTSIDE_CONTEST_MARKERS
                   + OUTSIDE_BANK_MARKERS)

CSV_HEAD = "Câu hỏi,A,B,C,D,Đáp án,Chủ đề\n"
#: the same fact asked in A's bank and in B's: a near-duplicate pair across the scope's edge
SHARED_FACT = "Năm nào Chủ tịch Hồ Chí Minh đọc bản Tuyên ngôn Độc lập tại Quảng trường Ba Đình"


@dataclass
class World:
    units: dict[str, Unit]
    contests: dict[str, Contest]        # "inside" (audience A), "outside" (audience B), "whole" (no audience)
    banks: dict[str, Bank]              # "inside" (owned by A), "outside" (owned by B), "shared"
    questions: dict[str, Question]      # one per bank, by the same keys
    people: dict[str, User]             # participants: "inside", "inside2", "outside", "outside2"
    staff: dict[str, User]              # "admin", "organizer", "organizer_a", "judge", "judge_a", "officer_a", ...
    requests: dict[str, ErasureRequest]  # "inside", "outside"
    notices: dict[str, ContestNotice] = field(default_factory=dict)

    def rounds(self, key: str) -> list[Round]:
        return self.contests[key].rounds

    def finalized(self, key: str) -> Round:
        return self.contests[key].rounds[0]


def owned_bank(name: str, owner: Unit | None, stems: list[str], topic: str) -> Bank:
    """A bank of ``stems`` (answer B: 1945), owned by ``owner`` (None: shared by every level)."""
    rows = "".join(f"{stem}?,1930,1945,1954,1975,B,{topic}\n" for stem in stems)
    import_bank(bank_name=name, filename="b.csv", data=(CSV_HEAD + rows).encode(), actor=None, now=utcnow(),
                limits=ImportLimits())
    bank = db.session.scalar(db.select(Bank).where(Bank.name == name))
    bank.scope_unit_id = owner.id if owner else None
    db.session.commit()
    return bank


def _contest(title: str, round_name: str, audience: list[str], bank: str, actor: User | None,
             prize: str = "Giải Nhất") -> Contest:
    now = utcnow()
    document: dict = {"contest": {"title": title, "collective_prizes": [{"name": "Giải tập thể", "count": 1}]},
                      "rounds": [
        {"name": f"{round_name} 1", "opens_at": (now - timedelta(days=10)).isoformat(),
         "closes_at": (now - timedelta(days=3)).isoformat(), "question_count": 2, "time_limit_seconds": 600,
         "max_attempts": 2, "draw": [{"bank": bank, "count": 2}],
         "prizes": [{"name": prize, "count": 1}, {"name": "Giải Khuyến khích", "count": 1}]},
        {"name": f"{round_name} 2", "opens_at": (now - timedelta(hours=1)).isoformat(),
         "closes_at": (now + timedelta(days=7)).isoformat(), "question_count": 2, "time_limit_seconds": 600,
         "max_attempts": 2, "draw": [{"bank": bank, "count": 2}], "prizes": [{"name": prize, "count": 1}]}]}
    if audience:
        document["contest"]["audience"] = audience
    contest = create_contest(parse_contest(tomli_w.dumps(document)), actor=actor, now=now)
    db.session.commit()
    return contest


def build_world(make_user) -> World:
    units = add_units(LAYOUT)
    staff = {
        "admin": make_user(Role.ADMIN, email="admin@scope.test", full_name="Quản Trị Viên"),
        "organizer": make_user(Role.ORGANIZER, email="btc@scope.test", full_name="Ban Tổ Chức Tỉnh"),
        "organizer_a": make_user(Role.ORGANIZER, email="btc-a@scope.test", full_name="Ban Tổ Chức Huyện Trong",
                                 scope_unit_id=units["A"].id),
        "judge": make_user(Role.JUDGE, email="gk@scope.test", full_name="Giám Khảo Tỉnh"),
        "judge_a": make_user(Role.JUDGE, email="gk-a@scope.test", full_name="Giám Khảo Huyện Trong",
                             scope_unit_id=units["A"].id),
        "officer_a": make_user(Role.UNIT_OFFICER, email="cb-a@scope.test", full_name="Cán Bộ Huyện Trong",
                               scope_unit_id=units["A"].id),
        "organizer_b": make_user(Role.ORGANIZER, email="btc@ngoai.test", full_name="Ban Tổ Chức Ngoài",
                                 scope_unit_id=units["OUT-B"].id),
        "judge_b": make_user(Role.JUDGE, email="gk@ngoai.test", full_name="Giám Khảo Ngoài",
                             scope_unit_id=units["OUT-B"].id),
        "participant": make_user(Role.PARTICIPANT, email="ts-a@scope.test", full_name="Thí Sinh Đăng Nhập",
                                 unit_id=units["A1"].id),
    }
    banks = {
        "inside": owned_bank("Ngân hàng trong", units["A"],
                        [SHARED_FACT, "Câu hỏi trong số 2: năm nào thành lập Đảng", "Câu hỏi trong số 3"],
                        "Chủ đề trong"),
        "outside": owned_bank("Ngân hàng ngoài", units["OUT-B"],
                         [f"Câu hỏi ngoài số 1 {SHARED_FACT}", "Câu hỏi ngoài số 2 về sông Ngoài",
                          "Câu hỏi ngoài số 3 về núi Ngoài"], "Chủ đề ngoài"),
        "shared": owned_bank("Ngân hàng chung", None, ["Câu hỏi chung số 1", "Câu hỏi chung số 2"], "Chủ đề chung"),
    }
    questions = {key: db.session.scalars(db.select(Question).where(Question.bank_id == bank.id)
                                         .order_by(Question.id)).first() for key, bank in banks.items()}
    contests = {
        "inside": _contest("Cuộc thi của Huyện Trong", "Đợt trong", ["A"], "Ngân hàng trong", staff["organizer_a"]),
        "outside": _contest("Cuộc thi ngoài phạm vi", "Đợt ngoài", ["OUT-B"], "Ngân hàng ngoài",
                            staff["organizer_b"], prize="Giải Ngoài"),
        "whole": _contest("Cuộc thi toàn tỉnh", "Đợt toàn tỉnh", [], "Ngân hàng chung", staff["organizer"]),
    }
    people = {
        "inside": person("Lê Văn Trong", units["A1"], email="trong1@scope.test"),
        "inside2": person("Trần Thị Trong Hai", units["A2"], email="trong2@scope.test"),
        "outside": person("Người Ngoài Một", units["OUT-B1"], phone="0999000001", email="mot@ngoai.test"),
        "outside2": person("Người Ngoài Hai", units["OUT-B2"], phone="0999000002", email="hai@ngoai.test"),
    }
    takers = {"inside": ("inside", "inside2"), "outside": ("outside", "outside2"),
              "whole": ("inside", "outside", "inside2", "outside2")}
    for key, who in takers.items():
        first, second = contests[key].rounds
        for position, name in enumerate(who):
            entry(first, people[name], 2 - position % 2, seconds=100 + position, prediction=1)
            entry(second, people[name], 1, seconds=50 + position)
    now = utcnow()
    finalize_round(contests["inside"].rounds[0], actor=staff["judge_a"], now=now)
    finalize_round(contests["outside"].rounds[0], actor=staff["judge_b"], now=now)
    finalize_round(contests["whole"].rounds[0], actor=staff["judge"], now=now)
    notices = {"inside": post_notice(contests["inside"], "Thông báo trong: đợt 2 đã mở.", actor=staff["organizer_a"],
                                     now=now),
               "outside": post_notice(contests["outside"], "Thông báo ngoài phạm vi: đợt 2 đã mở.",
                                      actor=staff["organizer_b"], now=now),
               "whole": post_notice(contests["whole"], "Thông báo toàn tỉnh: đợt 2 đã mở.", actor=staff["organizer"],
                                    now=now)}
    requests = {"inside": request_erasure(people["inside2"], reason="Lý do xóa trong phạm vi", now=now),
                "outside": request_erasure(people["outside"], reason="Lý do xóa ngoài phạm vi", now=now)}
    db.session.commit()
    return World(units=units, contests=contests, banks=banks, questions=questions, people=people, staff=staff,
                 requests=requests, notices=notices)


def outside_rows(world: World) -> dict[str, list[tuple]]:
    """Every stored row about what lies outside district A (B's and the province's contests with everything of
    theirs, B's and the shared banks, B's units and the province, B's people and staff): what a scoped account
    of A must not be able to change."""
    from sqlalchemy import or_, select

    contests = [world.contests["outside"].id, world.contests["whole"].id]
    rounds = [r.id for key in ("outside", "whole") for r in world.contests[key].rounds]
    banks = [world.banks["outside"].id, world.banks["shared"].id]
    units = [world.units[code].id for code in ("TT", "OUT-B", "OUT-B1", "OUT-B2")]
    users = list(db.session.scalars(select(User.id).where(or_(User.unit_id.in_(units),
                                                               User.scope_unit_id.in_(units)))))
    questions = list(db.session.scalars(select(Question.id).where(Question.bank_id.in_(banks))))
    by = {"contests": ("id", contests), "rounds": ("contest_id", contests), "prize_tiers": ("contest_id", contests),
          "contest_audience_units": ("contest_id", contests), "contest_notices": ("contest_id", contests),
          "contest_letterheads": ("contest_id", contests), "certificate_templates": ("contest_id", contests),
          "issued_certificates": ("contest_id", contests), "collective_results": ("contest_id", contests),
          "draw_rules": ("round_id", rounds), "time_extensions": ("round_id", rounds),
          "disqualifications": ("round_id", rounds), "round_results": ("round_id", rounds),
          "banks": ("id", banks), "questions": ("bank_id", banks), "options": ("question_id", questions),
          "units": ("id", units), "users": ("id", users), "erasure_requests": ("user_id", users),
          "attempts": ("user_id", users)}
    rows = {}
    for name, (column, ids) in by.items():
        table = db.metadata.tables[name]
        rows[name] = sorted(map(tuple, db.session.execute(select(table).where(table.c[column].in_(ids)))), key=repr)
    db.session.rollback()
    return rows


def readable_text(response) -> str:
    """What a person could read in the answer: HTML, JSON decoded, CSV, every XML part of an .xlsx, a PDF's text
    (folded: a PDF's extracted text may split a letter from its diacritics)."""
    data = response.get_data()
    if data.startswith(b"PK"):
        with zipfile.ZipFile(io.BytesIO(data)) as book:
            return "\n".join(book.read(name).decode("utf-8", "replace") for name in book.namelist()
                             if name.endswith((".xml", ".rels")))
    if data.startswith(b"%PDF"):
        reader = pypdf.PdfReader(io.BytesIO(data))
        return fold(" ".join(page.extract_text() or "" for page in reader.pages))
    if response.is_json:
        return json.dumps(response.get_json(), ensure_ascii=False)
    return data.decode("utf-8-sig", "replace")


def markers_in(text: str, markers: tuple[str, ...], typed: list[str], *, folded: bool = False) -> list[str]:
    """The markers in ``text``, but for those the account typed itself (a page saying "no unit OUT-B" leaks
    nothing)."""
    return [m for m in markers if (fold(m) if folded else m) in text and not any(m in value for value in typed)]
