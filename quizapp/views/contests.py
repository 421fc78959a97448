"""Public contest pages (no sign-in needed): the list of contests and one contest with its rounds, plus the
words for the problems of a contest description (shared with the ``quizapp contests`` command)."""

from __future__ import annotations

from datetime import datetime

from flask import Blueprint, abort, render_template
from flask.sansio.blueprints import BlueprintSetupState
from flask_babel import format_datetime
from flask_babel import gettext as _
from flask_login import current_user

from quizapp.domain.timing import closed_by_round_close
from quizapp.messages.contests import audience_line
from quizapp.models import Attempt, Role, Round
from quizapp.models.types import utcnow
from quizapp.services.contests import ContestOverview, attempts_by_round, get_contest, overview, public_contests, viewer
from quizapp.services.disclosure import round_disclosure
from quizapp.services.my_results import Placing, final_placings

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
    """A measured duration as people see it everywhere: minutes:seconds ("5:54"), hours:minutes:seconds from an
    hour on ("1:02:03"), to the nearest second (no tenths: the .xlsx exports show the same, ``exports.py``'s
    duration format; machines read ``duration_ms``). Empty for None."""
    if milliseconds is None:
        return ""
    hours, rest = divmod((max(0, milliseconds) + 500) // 1000, 3600)
    minutes, seconds = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{seconds:02d}" if hours else f"{minutes}:{seconds:02d}"


def status_label(status: str) -> str:
    return {"upcoming": _("Sắp mở"), "open": _("Đang mở"), "closed": _("Đã đóng"),
            "finalized": _("Đã có kết quả")}.get(status, status)


def attempt_status_label(status: str) -> str:
    """A finished attempt's status in words; ``round_closed`` is an ``expired`` attempt that the organizer's
    closing of the round ended (:func:`attempt_ending`)."""
    return {"in_progress": _("Đang làm bài"), "submitted": _("Đã nộp bài"),
            "expired": _("Hết giờ (đã lưu bài)"),
            "round_closed": _("Đợt thi kết thúc sớm (đã lưu bài)")}.get(status, status)


def attempt_ending(attempt: Attempt, round_: Round) -> str:
    """How an attempt stands or ended: its status, or ``round_closed`` when the organizer's closing of the
    round ended it before its time (``quizapp.domain.timing.closed_by_round_close``)."""
    status = attempt.status.value
    if closed_by_round_close(status=status, submitted_at=attempt.submitted_at, deadline=attempt.deadline_at,
                             round_closed_at=round_.closed_at):
        return "round_closed"
    return status


def published_results(round_: Round, now: datetime | None = None) -> str | None:
    """Which public results of a round anyone can open at ``now`` (rule 12): ``winners`` once it is finalized
    (its full ranking too), ``ranking`` once the ranking is public (no entry can arrive any more), else None."""
    if round_.finalized_at is not None:
        return "winners"
    if round_disclosure(round_, now or utcnow()).level == "public":
        return "ranking"
    return None


@bp.record_once
def _template_helpers(state: BlueprintSetupState) -> None:
    """Globals (not context variables) so that imported macros see them too."""
    state.app.jinja_env.globals.update(
        status_label=status_label, remaining_text=remaining_text,
        seconds_text=seconds_text, duration_text=duration_text, attempt_status_label=attempt_status_label,
        attempt_ending=attempt_ending, published_results=published_results, audience_line=audience_line)


def _participant_id() -> int | None:
    """The signed-in participant's id (they see the contests open to them), None for visitors and staff."""
    if current_user.is_authenticated and current_user.role == Role.PARTICIPANT:
        return current_user.id
    return None


def open_to_viewer(item: ContestOverview) -> bool:
    """Whether the signed-in participant may take part (everyone else: True, the start tells them)."""
    participant = _participant_id()
    if participant is None or not item.audience.limited:
        return True
    person = viewer(participant)
    return item.audience.admits(person.unit_ancestor_ids, person.category)


@bp.get("/contests")
def index():
    now = utcnow()
    return render_template("contests/index.html", listing=public_contests(now, _participant_id()), now=now)


@bp.get("/contests/<int:contest_id>")
def show(contest_id: int):
    now = utcnow()
    contest = get_contest(contest_id)
    if contest is None or not contest.published:
        abort(404)
    item = overview(contest, now)
    attempts: dict[int, list[Attempt]] = {}
    placings: dict[int, Placing] = {}
    if current_user.is_authenticated:
        attempts = attempts_by_round(current_user.id, [r.id for r in contest.rounds])
        placings = final_placings(current_user.id, [r.id for r in contest.rounds if r.finalized_at is not None])
    return render_template("contests/show.html", item=item, contest=contest, attempts=attempts, placings=placings,
                           now=now, open_to_you=open_to_viewer(item))
