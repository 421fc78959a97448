"""Paginating list screens."""

from __future__ import annotations

from flask import current_app, request
from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import Select

from quizapp.extensions import db

# A page number past this is not a real request (and its OFFSET would overflow the database's integer).
MAX_PAGE = 100_000


def paginate(query: Select) -> Pagination:
    """One page of ``query`` for a list screen: ``?page=`` (1 when missing or not a number), QUIZAPP_PAGE_SIZE."""
    page = min(max(request.args.get("page", 1, type=int) or 1, 1), MAX_PAGE)
    return db.paginate(query, page=page, per_page=current_app.config["QUIZAPP_PAGE_SIZE"], error_out=False)
