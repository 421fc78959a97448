"""Public pages and the language switch."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, make_response, redirect, request, url_for
from flask_babel import get_locale

from quizapp.i18n import LANG_COOKIE
from quizapp.messages.participants import category_label, difficulty_label
from quizapp.models import Role

bp = Blueprint("main", __name__)


@bp.app_context_processor
def _globals() -> dict[str, object]:
    return {"Role": Role, "current_locale": lambda: str(get_locale() or "vi"), "difficulty_label": difficulty_label,
            "category_label": category_label}


@bp.get("/")
def index():
    """The home page is the list of contests."""
    from quizapp.views.contests import index as contest_list

    return contest_list()


def safe_next(target: str | None, default: str) -> str:
    """Only same-site relative paths are followed after a redirect. Browsers read a backslash as a slash and drop
    tabs and line breaks, so ``/\\evil.example`` or ``/<tab>/evil.example`` would leave the site: refused too."""
    if not target:
        return default
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//") or "\\" in target \
            or any(ord(character) < 32 or ord(character) == 127 for character in target):
        return default
    return target


@bp.get("/lang/<code>")
def set_language(code: str):
    response = make_response(redirect(safe_next(request.args.get("next"), url_for("main.index"))))
    if code in ("vi", "en"):
        response.set_cookie(LANG_COOKIE, code, max_age=365 * 24 * 3600, samesite="Lax", httponly=True)
    return response

