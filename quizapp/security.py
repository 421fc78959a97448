"""What every response says to the browser about how it may be used, and where the client's address comes from.

Installed by ``create_app``: :func:`init_app` puts the trusted-proxy fix around the WSGI app and a header hook
on every response (pages, the API, errors, static files, the cached public pages).
"""

from __future__ import annotations

from flask import Flask, Response, request
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
    """Trust ``QUIZAPP_PROXY_HOPS`` proxies' X-Forwarded-For/-Proto/-Host/-Port (none by default, so a client
    cannot choose its own address), and set the security headers on every response."""
    hops = int(app.config.get("QUIZAPP_PROXY_HOPS") or 0)
    if hops > 0:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops,  # type: ignore[method-assign]
                                x_port=hops)
    app.after_request(security_headers)


def security_headers(response: Response) -> Response:
    """The headers of :data:`HEADERS` (a view may have set its own, stricter Referrer-Policy: kept), and HSTS
    when the request came over HTTPS (as the proxy said, when it is trusted)."""
    for name, value in HEADERS.items():
        response.headers.setdefault(name, value)
    if request.is_secure:
        response.headers.setdefault("Strict-Transport-Security", STRICT_TRANSPORT_SECURITY)
    return response


def client_address() -> str:
    """The client's address, the one value behind the rate limits, the attempts' stored address and the judges'
    "bursts from one address": ``request.remote_addr`` after the trusted-proxy fix."""
    return request.remote_addr or "127.0.0.1"
