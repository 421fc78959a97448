"""Public contest pages (no sign-in needed): the list of contests and one contest with its rounds, plus the
words for the problems of a contest description (shared with the ``quizapp contests`` command)."""

from __future__ import annotations

from datetime import datetime

from flask import Blueprint, abort, render_template
from flask.sansio.blueprints import BlueprintSetupState
from flask_babel import format_datetime, format_decimal
from flask_babel import gettext as _
from flask_login import current_user

from quizapp.models import Attempt
from quizapp.models.types import utcnow
from quizapp.services.contests import attempts_by_round, get_contest, overview, public_contests

bp = Blueprint("contests", __name__)


@bp.app_template_filter("vietnam_time")
def vietnam_time(moment: datetime | None) -> str:
    """A moment as people in Vietnam read it: "00:00 23/11/2026" (the app's time zone, Asia/Ho_Chi_Minh)."""
    return format_datetime(moment, "HH:mm dd/MM/yyyy") if moment else ""


def remaining_text(seconds: int) -> str:
    """"2 ngày 03:04:05" or "03:04:05"; static/countdown.js writes the same shape as it ticks."""
    seconds = max(0, seconds)
    days, rest = divmod(seconds, 86400)
    clock = f"{rest // 3600:02d}:{rest % 3600 // 60:02d}:{rest % 60:02d}"
    return _("%(days)s ngày %(clock)s", days=days, clock=clock) if days else clock


def seconds_text(seconds: int) -> str:
    """A time limit in words: "15 phút", "1 phút 30 giây", "45 giây"."""
    minutes, rest = divmod(seconds, 60)
    if minutes and rest:
        return _("%(minutes)d phút %(seconds)d giây", minutes=minutes, seconds=rest)
    if minutes:
        return _("%(minutes)d phút", minutes=minutes)
    return _("%(seconds)d giây", seconds=rest)


def duration_text(milliseconds: int | None) -> str:
    """A measured duration: "5 phút 12,3 giây" (to the tenth of a second, in the reader's locale)."""
    if milliseconds is None:
        return ""
    minutes, rest_ms = divmod(milliseconds, 60_000)
    seconds = format_decimal(rest_ms / 1000, format="0.0")
    if minutes:
        return _("%(minutes)d phút %(seconds)s giây", minutes=minutes, seconds=seconds)
    return _("%(seconds)s giây", seconds=seconds)


def status_label(status: str) -> str:
    return {"upcoming": _("Sắp mở"), "open": _("Đang mở"), "closed": _("Đã đóng"),
            "finalized": _("Đã có kết quả")}.get(status, status)


def attempt_status_label(status: str) -> str:
    return {"in_progress": _("Đang làm bài"), "submitted": _("Đã nộp bài"),
            "expired": _("Hết giờ (đã lưu bài)")}.get(status, status)


@bp.record_once
def _template_helpers(state: BlueprintSetupState) -> None:
    """Globals (not context variables) so that imported macros see them too."""
    state.app.jinja_env.globals.update(
        status_label=status_label, remaining_text=remaining_text,
        seconds_text=seconds_text, duration_text=duration_text, attempt_status_label=attempt_status_label)


@bp.get("/contests")
def index():
    now = utcnow()
    return render_template("contests/index.html", listing=public_contests(now), now=now)


@bp.get("/contests/<int:contest_id>")
def show(contest_id: int):
    now = utcnow()
    contest = get_contest(contest_id)
    if contest is None or not contest.published:
        abort(404)
    item = overview(contest, now)
    attempts: dict[int, list[Attempt]] = {}
    if current_user.is_authenticated:
        attempts = attempts_by_round(current_user.id, [r.id for r in contest.rounds])
    return render_template("contests/show.html", item=item, contest=contest, attempts=attempts, now=now)
