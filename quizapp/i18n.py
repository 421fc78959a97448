"""Locale and time zone selection. Vietnamese unless the visitor chose English (cookie ``lang``)."""

from __future__ import annotations

from flask import Flask, current_app, has_request_context, request

from quizapp.extensions import babel

LANG_COOKIE = "lang"


def select_locale() -> str:
    """The request's chosen language; outside a request (CLI), the app's QUIZAPP_CLI_LOCALE."""
    if not has_request_context():
        return current_app.config.get("QUIZAPP_CLI_LOCALE", "vi")
    choice = request.args.get("lang") or request.cookies.get(LANG_COOKIE)
    if choice in ("vi", "en"):
        return choice
    return "vi"


def init_app(app: Flask) -> None:
    babel.init_app(app, locale_selector=select_locale,
                   default_translation_directories="translations")
    app.jinja_env.add_extension("jinja2.ext.do")
