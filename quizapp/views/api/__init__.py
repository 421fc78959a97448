"""The JSON API under /api/v1 (bearer tokens; described by /api/v1/openapi.json).

Every error is ``{"error": {"code": "...", "message": "..."}}`` with a fitting status, never an HTML page.
"""

from __future__ import annotations

from flask import Blueprint

from quizapp.extensions import csrf

bp = Blueprint("api", __name__, url_prefix="/api/v1")
csrf.exempt(bp)  # no cookies are read here: a bearer token cannot be sent by another site's form

from quizapp.views.api import (  # noqa: E402,F401  (registers the routes)
    attempts,
    auth,
    common,
    contests,
    leaderboard,
    openapi,
    statistics,
)
