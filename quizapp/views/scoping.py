"""The staff blueprints' check that a URL names nothing outside the account's scope (``services.scopes``)."""

from __future__ import annotations

from flask import request
from flask_login import current_user

from quizapp.services.scopes import refuse_outside, scope_of

_READING = frozenset({"GET", "HEAD", "OPTIONS"})


def guard_scope() -> None:
    """Run after a blueprint's role guard: a scoped account asking for a contest, round, bank, question, unit,
    participant or erasure request outside its subtree gets a 403 naming what is out of reach (the ScopeError
    handler of ``quizapp.errors``, which also answers the refusals services raise for what a form names)."""
    if current_user.is_authenticated:
        refuse_outside(scope_of(current_user), request.view_args, writing=request.method not in _READING)
