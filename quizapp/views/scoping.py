"""The staff blueprints' check that a URL names nothing outside the account's scope (``services.scopes``)."""

from __future__ import annotations

from flask import request
from flask_login import current_user

from quizapp.errors import error_response
from quizapp.messages.scopes import scope_error_message
from quizapp.services.scopes import ScopeError, refuse_outside, scope_of

_READING = frozenset({"GET", "HEAD", "OPTIONS"})


def guard_scope():
    """Run after a blueprint's role guard: a scoped account asking for a contest, round, bank, question, unit,
    participant or erasure request outside its subtree gets a 403 naming what is out of reach."""
    if not current_user.is_authenticated:
        return None
    try:
        refuse_outside(scope_of(current_user), request.view_args, writing=request.method not in _READING)
    except ScopeError as error:
        return error_response(403, error.code, scope_error_message(error))
    return None
