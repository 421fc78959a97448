"""Entries worth a look in a round (``quizapp.services.flags``), each with a way to disqualify."""

from __future__ import annotations

from flask import current_app, render_template, url_for
from flask_babel import format_decimal

from quizapp.services.flags import ID_PREFIX_DIGITS, ID_SUFFIX_DIGITS, FlagSettings, round_flags
from quizapp.views.judge import bp
from quizapp.views.judge.forms import EntryDecisionForm
from quizapp.views.judge.rounds import get_round


@bp.get("/rounds/<int:round_id>/flags")
def round_flags_page(round_id: int):
    round_ = get_round(round_id)
    flags = round_flags(round_, FlagSettings.from_config(current_app.config))
    here = url_for("judge.round_flags_page", round_id=round_.id)
    return render_template("judge/flags.html", round=round_, contest=round_.contest, flags=flags,
                           decision_form=EntryDecisionForm(formdata=None), here=here,
                           id_prefix_digits=ID_PREFIX_DIGITS, id_suffix_digits=ID_SUFFIX_DIGITS,
                           number=format_decimal)
