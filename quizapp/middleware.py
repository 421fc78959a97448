"""WSGI middleware of the app, installed by ``create_app``."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import parse_qsl, urlencode

from quizapp.services.leaderboard import cache_key, keep_page, kept_page

_PUBLIC_PATH = re.compile(r"/(?:api/v1/)?rounds/([0-9]{1,18})/(?:leaderboard|winners)")
SHARED = "quizapp.results.shared"  # the seconds a response everybody may get can be kept, set by its view


class PublicPageCache:
    """WSGI micro-cache in front of the app for the public results URLs.

    A GET without cookies and without credentials is certainly anonymous: it is answered with the status,
    headers and body that the app produced for the same path and query string within :data:`PAGE_SECONDS`.
    Only responses a view marked as shared (:func:`share_response`), with status 200 and no cookie set, are kept,
    for the seconds the view said, until the round's results change (``services.leaderboard``).
    """

    def __init__(self, wsgi_app: Any, store: Any) -> None:
        self.wsgi_app = wsgi_app
        self.store = store

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        if environ.get("REQUEST_METHOD") != "GET" or environ.get("HTTP_COOKIE") or environ.get("HTTP_AUTHORIZATION"):
            return self.wsgi_app(environ, start_response)  # (the API's writes pass here first: nothing to parse)
        path = environ.get("PATH_INFO", "")
        query = _canonical_query(environ.get("QUERY_STRING", ""))
        public = _PUBLIC_PATH.fullmatch(path)
        if query is None or public is None:
            return self.wsgi_app(environ, start_response)
        round_id, key = int(public.group(1)), cache_key("wsgi", f"{path}?{query}")
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


