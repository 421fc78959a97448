"""What every response says to the browser about how it may be used, and where the client's address comes from.

Installed by ``create_app``: :func:`init_app` puts the security headers and, outside them, the trusted-proxy fix
around the WSGI app, so that every response carries the headers (pages, the API, errors, static files, the
cached public pages).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from flask import Flask, request
from werkzeug.middleware.proxy_fix import ProxyFix

#: Scripts, styles, images and fonts from this site only: no inline script or style (templates keep theirs in
#: static/), no plugin, no framing by another site, forms posted to this site only.
CONTENT_SECURITY_POLICY = "; ".join((
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
))
HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "strict-origin-when-cross-origin",
}
#: Sent over HTTPS only (a browser ignores it over plain HTTP, and a site reached by address on a closed network
#: must not be told to refuse HTTP). A year, as the HSTS preload list asks for.
STRICT_TRANSPORT_SECURITY = "max-age=31536000; includeSubDomains"


def init_app(app: Flask) -> None:
    """Set the security headers on every response, and trust ``QUIZAPP_PROXY_HOPS`` proxies'
    X-Forwarded-For/-Proto/-Host/-Port (none by default, so a client cannot choose its own address)."""
    app.wsgi_app = SecurityHeaders(app.wsgi_app)  # type: ignore[method-assign]
    hops = int(app.config.get("QUIZAPP_PROXY_HOPS") or 0)
    if hops > 0:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops,  # type: ignore[method-assign]
                                x_port=hops)


class SecurityHeaders:
    """WSGI middleware: adds :data:`HEADERS` to every response (a header the app set itself, such as a stricter
    Referrer-Policy, is kept), and HSTS when the request came over HTTPS (as the trusted proxy said).

    A WSGI layer rather than an ``after_request`` hook: the values are checked once, here, and added to the
    answer's list of headers as they are, instead of through Werkzeug's ``Headers`` one by one for every
    response (bench/README.md, the attempt flow)."""

    _plain = tuple(HEADERS.items())
    _secure = (*_plain, ("Strict-Transport-Security", STRICT_TRANSPORT_SECURITY))
    _names = frozenset(name.lower() for name, _value in _secure)

    def __init__(self, wsgi_app: Any) -> None:
        self.wsgi_app = wsgi_app

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        added = self._secure if environ.get("wsgi.url_scheme") == "https" else self._plain

        def start(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            present = self._names.intersection([name.lower() for name, _value in headers])
            if present:
                return start_response(status, [*headers, *(header for header in added
                                                           if header[0].lower() not in present)], exc_info)
            return start_response(status, [*headers, *added], exc_info)

        return self.wsgi_app(environ, start)


def client_address() -> str:
    """The client's address, the one value behind the rate limits, the attempts' stored address and the judges'
    "bursts from one address": ``request.remote_addr`` after the trusted-proxy fix."""
    return request.remote_addr or "127.0.0.1"
