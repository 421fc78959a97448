"""Question quality of a round ("Chất lượng câu hỏi"), for judges and organizers before prizes are announced:
every question drawn with its figures and flags (``quizapp.services.statistics``); from a flag, the question's
edit page (organizers) and the regrade preview with the option to consider as the key."""

from __future__ import annotations

from flask import render_template, request
from flask_babel import format_decimal, format_percent
from flask_login import current_user

from quizapp.domain.bank_export import LETTERS
from quizapp.domain.item_analysis import MIN_DRAWN_TO_FLAG, TOP_GROUP_PERCENT, FlagCode
from quizapp.messages.judging import question_flag_text
from quizapp.models import Role
from quizapp.models.types import utcnow
from quizapp.services.statistics import QuestionFigures, round_statistics
from quizapp.views.judge import bp
from quizapp.views.judge.rounds import get_round

#: ?sort= → the order of the rows (each column's most telling end first); anything else: flagged first.
ORDERS = {
    "question": lambda q: q.question_id,
    "drawn": lambda q: (-q.drawn, q.question_id),
    "facility": lambda q: (q.facility if q.facility is not None else 2, q.question_id),
    "discrimination": lambda q: (q.discrimination if q.discrimination is not None else 2, q.question_id),
}


def regrade_letter(question: QuestionFigures) -> str | None:
    """The option worth previewing as the key: the distractor the strongest chose, else, when nobody was right,
    the option chosen most; None otherwise."""
    for flag in question.flags:
        if flag.code is FlagCode.DISTRACTOR_BEATS_KEY:
            option = question.option(flag.option_id)
            return LETTERS[option.letter_index] if option else None
    if any(flag.code is FlagCode.NOBODY_RIGHT for flag in question.flags):
        chosen = max((o for o in question.options if o.chosen), key=lambda o: o.chosen, default=None)
        return LETTERS[chosen.letter_index] if chosen else None
    return None


def flag_sentences(question: QuestionFigures) -> list[str]:
    key = next((o for o in question.options if o.is_key), None)
    sentences = []
    for flag in question.flags:
        option = question.option(flag.option_id)
        sentences.append(question_flag_text(
            flag.code.value, letter=LETTERS[option.letter_index] if option else None,
            key_letter=LETTERS[key.letter_index] if key else None, top_percent=TOP_GROUP_PERCENT))
    return sentences


@bp.get("/rounds/<int:round_id>/questions")
def question_quality(round_id: int):
    round_ = get_round(round_id)
    figures = round_statistics(round_, now=utcnow())
    sort = request.args.get("sort", "")
    questions = sorted(figures.questions, key=ORDERS[sort]) if sort in ORDERS else figures.flagged_first
    return render_template(
        "judge/statistics.html", round=round_, contest=round_.contest, figures=figures, questions=questions,
        sort=sort if sort in ORDERS else "flags", letters=LETTERS, flag_sentences=flag_sentences,
        regrade_letter=regrade_letter, is_judge=current_user.has_role(Role.JUDGE),
        can_edit=current_user.has_role(Role.ORGANIZER), min_drawn=MIN_DRAWN_TO_FLAG,
        top_percent=TOP_GROUP_PERCENT, number=format_decimal, percent=format_percent)
