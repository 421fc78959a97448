"""One JSON line per request, for the people who run the site: when, what, the answer's status, how long it took,
who asked (the client's address as the trusted proxies gave it, the account when there is one) and the request's
id (nginx's ``X-Request-ID`` when it sends one, else a new one; echoed in the answer's ``X-Request-ID``).

Installed by ``create_app`` as the outermost WSGI layer, so that it also sees the public pages answered from the
micro-cache and the time spent in every other layer; off with ``QUIZAPP_REQUEST_LOG=0``. The lines go to the
``quizapp.requests`` logger, which writes them to stderr as they are (gunicorn: its error log, or journald).
"""

from __future__ import annotations

import logging
import os
import re
import sys
import time
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from typing import Any

import orjson
from flask import Flask, request

log = logging.getLogger("quizapp.requests")

#: The request's id as nginx sends it ($request_id: 32 hex digits); anything else is replaced by a new id.
_REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")
REQUEST_ID_KEY = "quizapp.request_id"
USER_ID_KEY = "quizapp.user_id"


def init_app(app: Flask) -> None:
    """Log every request of ``app`` as one JSON line, unless ``QUIZAPP_REQUEST_LOG`` is off."""
    if not app.config.get("QUIZAPP_REQUEST_LOG", True):
        return
    if not log.handlers:  # one handler, however many apps a process builds (tests build many)
        log.addHandler(_Stderr())
        log.setLevel(logging.INFO)
        log.propagate = False
    app.wsgi_app = RequestLog(app.wsgi_app)  # type: ignore[method-assign]


class _Stderr(logging.StreamHandler):
    """Writes each line as it is to whatever ``sys.stderr`` is when it is written (a test runner swaps it), like
    logging's own last-resort handler, and flushes it: one write, no formatting of a line that is already made."""

    @property  # type: ignore[override]
    def stream(self):
        return sys.stderr

    @stream.setter
    def stream(self, _value) -> None:
        pass

    def emit(self, record: logging.LogRecord) -> None:
        try:
            stream = sys.stderr
            stream.write(f"{record.getMessage()}\n")
            stream.flush()
        except Exception:  # as logging's handlers do: a line that cannot be written never fails the request
            self.handleError(record)


def note_user(user_id: int) -> None:
    """Name the account that made the current request in its line: called where a caller is identified (a
    bearer token's claim, a signed-in browser's account; ``quizapp.auth``), so nothing is loaded for the log and
    no hook runs for it."""
    request.environ[USER_ID_KEY] = user_id


class RequestLog:
    """WSGI middleware: times the request until its body is sent (or the connection dropped) and logs it."""

    def __init__(self, wsgi_app: Any) -> None:
        self.wsgi_app = wsgi_app

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        started = time.perf_counter()
        given = environ.get("HTTP_X_REQUEST_ID", "")
        request_id = given if given and _REQUEST_ID.fullmatch(given) else os.urandom(16).hex()
        environ[REQUEST_ID_KEY] = request_id
        status: list[str] = ["500"]

        def start(status_line: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            status[0] = status_line.split(" ", 1)[0]
            headers = [*headers, ("X-Request-ID", request_id)]
            return start_response(status_line, headers, exc_info)

        try:
            body = self.wsgi_app(environ, start)
        except BaseException:
            _write(environ, "500", started)
            raise
        return _Logged(body, environ, status, started)


class _Logged:
    """The body, passed through; the line is written when the server closes it (every byte sent, or given up)."""

    def __init__(self, body: Iterable[bytes], environ: dict[str, Any], status: list[str], started: float) -> None:
        self.body, self.environ, self.status, self.started = body, environ, status, started

    def __iter__(self) -> Iterator[bytes]:
        return iter(self.body)

    def close(self) -> None:
        try:
            if hasattr(self.body, "close"):
                self.body.close()
        finally:
            _write(self.environ, self.status[0], self.started)


def _write(environ: dict[str, Any], status: str, started: float) -> None:
    """The request's line, as a record of the ``quizapp.requests`` logger (its level, handlers and filters apply).
    The record is made directly, without the logger's search of the stack for the calling line (every line comes
    from here), and the line is encoded by orjson like the API's answers."""
    if not log.isEnabledFor(logging.INFO):
        return
    query = environ.get("QUERY_STRING")
    line = {
        "time": datetime.now(UTC).isoformat(timespec="milliseconds"),
        "method": environ.get("REQUEST_METHOD"),
        "path": environ.get("PATH_INFO", "") + (f"?{query}" if query else ""),
        "status": int(status) if status.isdigit() else status,
        "duration_ms": round((time.perf_counter() - started) * 1000, 1),
        "client": environ.get("REMOTE_ADDR"),
        "user_id": environ.get(USER_ID_KEY),
        "request_id": environ.get(REQUEST_ID_KEY),
    }
    log.handle(log.makeRecord(log.name, logging.INFO, __file__, 0, orjson.dumps(line).decode(), None, None))
