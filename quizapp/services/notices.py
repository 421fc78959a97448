"""Notices on a public contest page ("Đợt 2 lùi lịch"): posted and removed by organizers, audited, newest first."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from quizapp.domain.text import clean
from quizapp.extensions import db
from quizapp.models import Contest, User
from quizapp.models.notices import NOTICE_MAX_LENGTH, ContestNotice
from quizapp.services import audit


class NoticeError(ValueError):
    """``empty`` or ``too_long`` (``limit``): nothing was posted."""

    def __init__(self, code: str, **data: int) -> None:
        self.code, self.data = code, data
        super().__init__(code)


def contest_notices(contest_id: int) -> list[ContestNotice]:
    """The contest's notices, newest first (one query)."""
    return list(db.session.scalars(select(ContestNotice).where(ContestNotice.contest_id == contest_id)
                                   .order_by(ContestNotice.posted_at.desc(), ContestNotice.id.desc())))


def post_notice(contest: Contest, text: str, *, actor: User | None, now: datetime) -> ContestNotice:
    """Post a notice (its text cleaned: one paragraph, spaces collapsed); raises NoticeError for an empty or too
    long text."""
    value = clean(text or "")
    if not value:
        raise NoticeError("empty")
    if len(value) > NOTICE_MAX_LENGTH:
        raise NoticeError("too_long", limit=NOTICE_MAX_LENGTH)
    notice = ContestNotice(contest_id=contest.id, text=value, posted_at=now,
                           posted_by_id=actor.id if actor else None)
    db.session.add(notice)
    db.session.flush()
    audit.record(actor=actor, action="contest.notice_post", object_type="contest", object_id=contest.id, now=now,
                 details={"text": value})
    return notice


def remove_notice(contest: Contest, notice_id: int, *, actor: User | None, now: datetime) -> bool:
    """Remove one of the contest's notices; False when it has no notice of that id."""
    notice = db.session.get(ContestNotice, notice_id)
    if notice is None or notice.contest_id != contest.id:
        return False
    audit.record(actor=actor, action="contest.notice_remove", object_type="contest", object_id=contest.id, now=now,
                 details={"text": notice.text})
    db.session.delete(notice)
    db.session.flush()
    return True
