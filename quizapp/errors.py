"""Error pages and JSON errors: clear words, the right status, never a traceback."""

from __future__ import annotations

import logging

from flask import Flask, jsonify, render_template, request
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

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
    }


def wants_json() -> bool:
    return request.path.startswith("/api/")


def error_response(status: int, code: str, message: str):
    if wants_json():
        return jsonify({"error": {"code": code, "message": message}}), status
    return render_template("errors/error.html", status=status, message=message), status


def init_app(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def _csrf(error: CSRFError):
        return error_response(400, "csrf", _("Phiên làm việc đã hết hạn hoặc biểu mẫu không hợp lệ. "
                                             "Vui lòng tải lại trang và thử lại."))

    @app.errorhandler(HTTPException)
    def _http(error: HTTPException):
        status = error.code or 500
        message = _messages().get(status) or error.description or ""
        code = (error.name or "error").lower().replace(" ", "_")
        return error_response(status, code, message)

    @app.errorhandler(Exception)
    def _unexpected(error: Exception):
        log.exception("unhandled error on %s %s", request.method, request.path)
        from quizapp.extensions import db

        db.session.rollback()
        return error_response(500, "internal_error", _messages()[500])
