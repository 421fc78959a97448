"""One transaction per request or command, ended in one place.

A request (``create_app`` registers ``end_request``) or a ``quizapp`` command (``cli.in_transaction``) runs in
one database transaction, which ``end_transaction`` commits when it succeeded and rolls back when it failed.
Views, commands and services never commit. A request succeeds when it answers with a status below 400; a refusal
that must keep what it did (an attempt closed because it was past its time) says so with ``keep_changes``, set by
the code that turns the refusal into an answer.
"""

from __future__ import annotations

from flask import Response, g

from quizapp.extensions import db


def end_transaction(*, succeeded: bool) -> None:
    """Commit the session's transaction if ``succeeded``, else roll it back: the only commit in quizapp."""
    if succeeded:
        db.session.commit()
    else:
        db.session.rollback()


def keep_changes() -> None:
    """Commit this request's changes although it answers with an error status (a refusal with an effect)."""
    g.keep_changes = True


def end_request(response: Response) -> Response:
    """``after_request``: commit when the answer is a success (status < 400) or the changes are to be kept, roll
    back otherwise. An exception that reaches no handler never gets here: the session is then rolled back when it
    is removed at the end of the request."""
    end_transaction(succeeded=response.status_code < 400 or g.pop("keep_changes", False))
    return response
