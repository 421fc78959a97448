"""Every route under /organizer refuses whoever is not an organizer or an admin: visitors are sent to sign in
(or refused), participants, judges and unit officers get 403. The route table is walked, so a route added later
is covered too. Judges may look at the dashboard (``views/organizer/dashboard.py``) and the certificates' preview
only."""

from __future__ import annotations

import re

import pytest
from werkzeug.routing import Rule

from quizapp.models import Role
from tests.services.test_standings import make_units

#: where judges may look: the dashboard, and the certificate preview they check before printing
JUDGES_MAY_LOOK = ("dashboard.", "certificates.preview")


def _organizer_routes(app) -> list[tuple[str, str, str]]:
    found = []
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/organizer"):
            continue
        url = _url(rule)
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            found.append((method, url, rule.endpoint))
    return found


def _url(rule: Rule) -> str:
    """The rule with 1 for each number and "xlsx" for each text."""
    return re.sub(r"<[^>]+>", "xlsx", re.sub(r"<int:[^>]+>", "1", rule.rule))


@pytest.fixture
def routes(app):
    app.config["WTF_CSRF_ENABLED"] = False  # the guard must refuse, not the missing CSRF token
    found = _organizer_routes(app)
    assert len(found) > 20 and any(endpoint == "organizer.save_contest" for _m, _u, endpoint in found)
    return found


def test_visitors_are_sent_to_sign_in_or_refused(client, routes):
    for method, url, _endpoint in routes:
        response = client.open(url, method=method)
        refused = response.status_code in (401, 403) or (
            response.status_code == 302 and "/login" in response.headers["Location"])
        assert refused, (method, url, response.status_code)


@pytest.mark.parametrize("role", [Role.PARTICIPANT, Role.JUDGE, Role.UNIT_OFFICER])
def test_participants_judges_and_unit_officers_get_403(client, routes, make_user, login, role):
    scope = {"scope_unit_id": make_units()["HN"].id} if role == Role.UNIT_OFFICER else {}
    login(make_user(role, **scope))
    for method, url, endpoint in routes:
        if role == Role.JUDGE and endpoint.startswith(JUDGES_MAY_LOOK):
            continue
        response = client.open(url, method=method)
        assert response.status_code == 403, (method, url, response.status_code)


def test_judges_may_look_at_the_dashboard(client, routes, make_user, login):
    login(make_user(Role.JUDGE))
    looked = [url for method, url, endpoint in routes if endpoint.startswith(JUDGES_MAY_LOOK) and method == "GET"]
    assert looked and client.get("/organizer/dashboard/").status_code == 200
