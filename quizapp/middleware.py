"""WSGI middleware of the app, installed by ``create_app``."""

from __future__ import annotations

import re
import time
from typing import Any
from urllib.parse import parse_qsl, urlencode

from itsdangerous import BadSignature
from werkzeug.http import parse_cookie

from quizapp.i18n import LANG_COOKIE
from quizapp.services.leaderboard import cache_key, keep_page, kept_page

_PUBLIC_PATH = re.compile(r"/(?:api/v1/)?rounds/([0-9]{1,18})/(?:leaderboard|winners)")
SHARED = "quizapp.results.shared"  # the seconds a response everybody may get can be kept, set by its view
#: Which shared page the page cache asked the view for: "guest" (the page of a visitor not signed in) or "member"
#: (the same page for anybody signed in, with empty places that the visitor's browser fills from a private answer).
VARIANT = "quizapp.results.variant"
_SEEN = 10_000  # session cookies whose verdict a page cache remembers (then it forgets them all and starts again)


class PublicPageCache:
    """WSGI micro-cache in front of the app for the public results URLs.

    A GET of one of them is answered with the status, headers and body that the app produced for the same path,
    query string, language and kind of visitor within :data:`PAGE_SECONDS`, without running Flask, when the
    request says enough to choose among pages that are the same for everybody:

    - without cookies or credentials: the page of a visitor who is not signed in ("guest");
    - the pages (not the API) with cookies: the language cookie is read, and the session cookie, when its signature
      holds, chooses "member" if it names an account (the page with the personal places empty, filled by the
      visitor's browser from a private answer) and "guest" if not. A session with something to do on this request
      (messages waiting, a remember-me cookie to set or clear) or a remember-me cookie without a session account
      goes to Flask as it is.

    Only responses a view marked as shared (:func:`share_response`), with status 200 and no cookie set, are kept,
    for the seconds the view said, until the round's results change (``services.leaderboard``). A view renders
    the kind of page asked for in ``environ[VARIANT]`` and never reads the account for it, so that what is kept
    holds nothing of one person.
    """

    def __init__(self, wsgi_app: Any, store: Any) -> None:
        self.wsgi_app = wsgi_app
        self.store = store
        # the Flask app whose wsgi_app this wraps: its session cookie's name and signature (none: cookies go to it)
        self.app = getattr(wsgi_app, "__self__", None)
        self._serializer: Any = None
        self._seen: dict[str, tuple[str | None, float]] = {}

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        if environ.get("REQUEST_METHOD") != "GET" or environ.get("HTTP_AUTHORIZATION"):
            return self.wsgi_app(environ, start_response)  # (the API's writes pass here first: nothing to parse)
        path = environ.get("PATH_INFO", "")
        public = _PUBLIC_PATH.fullmatch(path)
        query = _canonical_query(environ.get("QUERY_STRING", "")) if public is not None else None
        if query is None:
            return self.wsgi_app(environ, start_response)
        cookies = environ.get("HTTP_COOKIE")
        if not cookies:
            visitor: tuple[str, str] | None = ("guest", "")
        elif path.startswith("/api/"):
            visitor = None
        else:
            visitor = self._visitor(cookies)
        if visitor is None:
            return self.wsgi_app(environ, start_response)
        variant, lang = visitor
        environ[VARIANT] = variant
        round_id = int(public.group(1))  # type: ignore[union-attr]
        key = cache_key("wsgi", f"{path}?{query}") if not cookies else \
            cache_key("wsgi", variant, lang, f"{path}?{query}")
        hit, generation = kept_page(self.store, round_id, key)
        if hit is not None:
            status, headers, body = hit
            start_response(status, list(headers))
            return [body]
        captured: list[Any] = []

        def capture(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            captured[:] = [status, headers]
            return start_response(status, headers, exc_info)

        chunks = self.wsgi_app(environ, capture)
        try:
            body = b"".join(chunks)
        finally:
            if hasattr(chunks, "close"):
                chunks.close()
        status, headers = captured
        if environ.get(SHARED) and status.startswith("200 ") \
                and not any(name.lower() == "set-cookie" for name, _value in headers):
            keep_page(self.store, key, generation, (status, list(headers), body), environ[SHARED])
        return [body]

    def _visitor(self, header: str) -> tuple[str, str] | None:
        """("guest" or "member", the language cookie's value) for a request with cookies, or None when only
        Flask can answer it (see the class)."""
        app = self.app
        if app is None or not app.secret_key:
            return None
        cookies = parse_cookie(header, cls=dict)
        lang = cookies.get(LANG_COOKIE, "")
        lang = lang if lang in ("vi", "en") else ""  # what quizapp.i18n does with any other value
        remembered = app.config.get("REMEMBER_COOKIE_NAME", "remember_token") in cookies
        value = cookies.get(app.config["SESSION_COOKIE_NAME"])
        if not value:
            return None if remembered else ("guest", lang)
        session = self._session_kind(value)
        if session == "member":
            return "member", lang
        return None if session is None or remembered else ("guest", lang)

    def _session_kind(self, value: str) -> str | None:
        """What a session cookie says for the page cache: "member" (it names an account), "guest" (it does not),
        None (a bad signature, too old, or something for Flask to do on this request). A signed-in browser sends
        the same cookie again and again: the verdicts of the last :data:`_SEEN` cookies are remembered, with
        the time the cookie expires (checking the signature is most of the cost of answering from the cache)."""
        seen = self._seen.get(value)
        if seen is not None and seen[1] > time.time():
            return seen[0]
        app = self.app
        if self._serializer is None:
            self._serializer = app.session_interface.get_signing_serializer(app)
        max_age = int(app.permanent_session_lifetime.total_seconds())
        try:
            data, signed_at = self._serializer.loads(value, max_age=max_age, return_timestamp=True)
        except (BadSignature, ValueError, TypeError):
            return None  # Flask starts a new session for it
        if not isinstance(data, dict) or "_flashes" in data or "_remember" in data:
            kind = None
        else:
            kind = "member" if data.get("_user_id") else "guest"
        if len(self._seen) >= _SEEN:
            self._seen.clear()
        self._seen[value] = (kind, signed_at.timestamp() + max_age)
        return kind


def _canonical_query(query: str) -> str | None:
    """The query string in one spelling when it holds only what the pages read (``limit``, ``lang``), else None:
    the cache keys stay few however many different query strings visitors send."""
    try:
        pairs = sorted(parse_qsl(query, strict_parsing=bool(query)))
    except ValueError:
        return None
    allowed = all((name == "limit" and value.isascii() and value.isdigit() and len(value) <= 3)
                  or (name == "lang" and value in ("vi", "en")) for name, value in pairs)
    return urlencode(pairs) if allowed and len(pairs) == len(dict(pairs)) else None


