"""Public reads: contests with their rounds, and the unit search used by registration."""

from __future__ import annotations

from flask import jsonify, request

from quizapp.auth import check_claim, read_token
from quizapp.extensions import cache
from quizapp.models import Role
from quizapp.models.types import utcnow
from quizapp.services.units import search_units, unit_paths
from quizapp.views import schemas
from quizapp.views.api import bp
from quizapp.views.api.common import operation


@bp.get("/contests")
@operation("Open, upcoming and past contests with their rounds (with a participant's bearer token: the contests "
           "open to them)", tags=("contests",), responses={200: schemas.ContestList})
def contests():
    from quizapp.services.contests import contests_payload

    return jsonify({"contests": contests_payload(utcnow(), _participant())})


def _participant() -> int | None:
    """The participant whose bearer token came with the request, if any; the listing is public, so a missing or
    stale token gives the public listing rather than a refusal."""
    scheme, _sep, token = request.headers.get("Authorization", "").partition(" ")
    claim = read_token(token.strip()) if scheme.lower() == "bearer" and token.strip() else None
    caller = check_claim(claim) if claim is not None else None
    return caller.id if caller is not None and caller.role == Role.PARTICIPANT else None


@bp.get("/units")
@cache.cached(timeout=60, query_string=True)
@operation("Search units by name or code, accent-insensitive", tags=("units",), query=schemas.UnitQuery,
           responses={200: schemas.UnitList})
def units(query: schemas.UnitQuery):
    found = search_units(query.q, limit=query.limit)
    paths = unit_paths([unit.id for unit in found])
    return jsonify({"units": [
        {"id": unit.id, "code": unit.code, "name": unit.name, "path": paths.get(unit.id, unit.name),
         "depth": unit.depth, "member_count": unit.member_count}
        for unit in found
    ]})
