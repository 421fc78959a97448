"""Near-duplicate questions across the banks: review the pairs, retire one of a pair, or mark it "not a duplicate"."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import HiddenField
from wtforms.validators import DataRequired, Regexp

from quizapp.extensions import db
from quizapp.messages.files import near_reason
from quizapp.models import Question
from quizapp.models.types import utcnow
from quizapp.services import near_duplicates as service
from quizapp.services.scopes import scope_of
from quizapp.views.organizer import bp

#: pairs shown at most on one page (the most alike first); the rest come up as these are handled
MAX_PAIRS_SHOWN = 100


class PairForm(FlaskForm):
    """A pair marked "not a duplicate": the two question ids (and the CSRF token)."""

    first = HiddenField(validators=[DataRequired(), Regexp(r"^\d{1,12}$")])
    second = HiddenField(validators=[DataRequired(), Regexp(r"^\d{1,12}$")])


@bp.get("/near-duplicates")
def near_duplicates():
    scope = scope_of(current_user)
    pairs = service.near_duplicates(scope)
    return render_template("organizer/near_duplicates.html", pairs=pairs[:MAX_PAIRS_SHOWN], total=len(pairs),
                           near_reason=near_reason, form=PairForm(), scoped=not scope.everything)


@bp.post("/near-duplicates/dismiss")
def dismiss_near_duplicate():
    """Mark a pair "not a duplicate": it leaves the list; the decision is audited."""
    form = PairForm()
    if not form.validate_on_submit():
        abort(400)
    first = db.session.get(Question, int(form.first.data)) or abort(404)
    second = db.session.get(Question, int(form.second.data)) or abort(404)
    try:
        service.mark_not_duplicate(first, second, actor=current_user, now=utcnow(), scope=scope_of(current_user))
    except service.NotAPair:
        abort(400)
    flash(_("Đã đánh dấu câu #%(first)d và câu #%(second)d là hai câu hỏi khác nhau; cặp này không còn trong danh "
            "sách.", first=first.id, second=second.id), "success")
    return redirect(url_for("organizer.near_duplicates"))
