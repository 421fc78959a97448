"""Error pages and JSON errors: clear words, the right status, never a traceback."""

from __future__ import annotations

import logging
import math
import re
import time
from typing import Any

from flask import Flask, jsonify, make_response, render_template, request
from flask_babel import gettext as _
from flask_limiter.errors import RateLimitExceeded
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import OperationalError
from werkzeug.exceptions import HTTPException

from quizapp.auth import API_PREFIX
from quizapp.services.scopes import ScopeError
from quizapp.views.validation import RequestRefused

log = logging.getLogger(__name__)


def _messages() -> dict[int, str]:
    return {
        400: _("Yêu cầu không hợp lệ."),
        401: _("Bạn cần đăng nhập."),
        403: _("Bạn không có quyền truy cập trang này."),
        404: _("Không tìm thấy trang hoặc dữ liệu bạn yêu cầu."),
        405: _("Phương thức không được hỗ trợ."),
        409: _("Yêu cầu xung đột với trạng thái hiện tại."),
        413: _("Tệp hoặc dữ liệu gửi lên quá lớn."),
        429: _("Bạn thao tác quá nhanh. Vui lòng thử lại sau ít phút."),
        500: _("Hệ thống gặp lỗi. Vui lòng thử lại sau."),
        503: _("Hệ thống đang bận hoặc vừa kết nối lại cơ sở dữ liệu. Vui lòng thử lại sau giây lát."),
    }


def wants_json() -> bool:
    return request.path.startswith(API_PREFIX)


def error_response(status: int, code: str, message: str, /, **details: Any):
    """``{"error": {"code", "message", **details}}`` under the API and for a JSON request, else the error page."""
    if wants_json() or request.is_json:
        return jsonify({"error": {"code": code, "message": message, **details}}), status
    return render_template("errors/error.html", status=status, message=message), status


def refuse_nul_characters():
    """No typed text legitimately holds a NUL character, and PostgreSQL refuses one in a text column: a request
    carrying one in its query string, form fields or JSON is answered 400 at the door, for every route (uploaded
    files are not looked at: a spreadsheet is binary). JSON can hold a NUL only escaped (``\\u0000``): the body
    is searched as bytes, not parsed here (the views parse it once, as their declared shape)."""
    req = request._get_current_object()  # type: ignore[attr-defined]  (read once: this runs on every request)
    query = req.environ.get("QUERY_STRING", "")
    # a NUL reaches a decoded value only as %00 (or raw): the query string is parsed only then
    values: list[str] = list(req.args.values()) if "%00" in query or "\x00" in query else []
    if req.mimetype in ("application/x-www-form-urlencoded", "multipart/form-data"):
        values.extend(req.form.values())
    body = req.get_data(cache=True) if req.is_json else b""
    in_json = b"\\u0000" in body and _JSON_NUL.search(body)  # the regex only when the plain search finds one
    if in_json or any("\x00" in value for value in values):
        return error_response(400, "nul_character",
                              _("Dữ liệu gửi lên chứa ký tự không hợp lệ (ký tự NUL). Vui lòng nhập lại."))
    return None


# An escaped NUL: ``\u0000`` whose backslash is not itself escaped (``\\u0000`` is the text "\u0000").
_JSON_NUL = re.compile(rb"(?:^|[^\\])(?:\\\\)*\\u0000")


def _rate_limited(error: RateLimitExceeded):
    """A per-address limit reached: the page's own answer when it has one (its form again with what was typed and
    the wait, ``on_breach``), else the 429 error; ``Retry-After`` says the seconds until the limit lets one more
    request through."""
    from quizapp.extensions import limiter

    limit = limiter.current_limit
    seconds = max(1, math.ceil(limit.reset_at - time.time())) if limit is not None else 60
    response = error.response if error.response is not None else make_response(
        *error_response(429, "too_many_requests", _messages()[429], retry_after=seconds))
    response.headers.setdefault("Retry-After", str(seconds))
    return response


def init_app(app: Flask) -> None:
    app.before_request(refuse_nul_characters)

    @app.errorhandler(RequestRefused)
    def _refused(error: RequestRefused):
        response = make_response(*error_response(error.status, error.code, error.message, **error.details))
        if "retry_after" in error.details:  # a refusal for now (429): when to try again, for programs too
            response.headers["Retry-After"] = str(error.details["retry_after"])
        return response

    @app.errorhandler(ScopeError)
    def _outside_scope(error: ScopeError):
        # a staff account asked for, or named in a form, something outside its subtree (``services.scopes``):
        # nothing of the request is kept
        from quizapp.extensions import db
        from quizapp.messages.scopes import scope_error_message

        db.session.rollback()
        return error_response(403, error.code, scope_error_message(error))

    @app.errorhandler(CSRFError)
    def _csrf(error: CSRFError):
        return error_response(400, "csrf", _("Phiên làm việc đã hết hạn hoặc biểu mẫu không hợp lệ. "
                                             "Vui lòng tải lại trang và thử lại."))

    @app.errorhandler(HTTPException)
    def _http(error: HTTPException):
        if isinstance(error, RateLimitExceeded):
            return _rate_limited(error)
        status = error.code or 500
        message = _messages().get(status) or error.description or ""
        code = (error.name or "error").lower().replace(" ", "_")
        return error_response(status, code, message)

    @app.errorhandler(OperationalError)
    def _database_unavailable(error: OperationalError):
        # The database went away (restart, network) or is overloaded: nothing was saved by this request, and the
        # next one gets a fresh connection (SQLAlchemy drops the dead ones). The attempt page retries by itself.
        log.error("database unavailable on %s %s", request.method, request.path, exc_info=error)
        from quizapp.extensions import db

        db.session.rollback()
        response = make_response(*error_response(503, "database_unavailable", _messages()[503]))
        response.headers["Retry-After"] = "1"
        return response

    @app.errorhandler(Exception)
    def _unexpected(error: Exception):
        log.exception("unhandled error on %s %s", request.method, request.path)
        from quizapp.extensions import db

        db.session.rollback()
        return error_response(500, "internal_error", _messages()[500])
