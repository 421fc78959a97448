"""Public reads: contests with their rounds, and the unit search used by registration."""

from __future__ import annotations

from flask import jsonify, request
from flask_babel import gettext as _

from quizapp.extensions import cache
from quizapp.models.types import utcnow
from quizapp.services.units import search_units, unit_paths
from quizapp.views.api import bp
from quizapp.views.api.common import APIError


@bp.get("/contests")
def contests():
    from quizapp.services.contests import contests_payload

    return jsonify({"contests": contests_payload(utcnow())})


@bp.get("/units")
@cache.cached(timeout=60, query_string=True)
def units():
    query = request.args.get("q", "")
    if len(query) > 100:
        raise APIError(422, "query_too_long", _("Chuỗi tìm kiếm quá dài (tối đa 100 ký tự)."))
    try:
        limit = min(max(int(request.args.get("limit", 20)), 1), 100)
    except ValueError:
        raise APIError(422, "invalid_limit", _("Tham số limit phải là số nguyên.")) from None
    found = search_units(query, limit=limit)
    paths = unit_paths([unit.id for unit in found])
    return jsonify({"units": [
        {"id": unit.id, "code": unit.code, "name": unit.name, "path": paths.get(unit.id, unit.name),
         "depth": unit.depth, "member_count": unit.member_count}
        for unit in found
    ]})
