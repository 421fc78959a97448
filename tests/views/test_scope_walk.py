"""Scopes, proved by walking the route table (issue 15, "Proof"): every route of the staff areas (organizer with its
dashboard, judge, officer, the certificates' staff routes, admin, and the API endpoints for staff) × every role
(admin, organizer and judge unscoped, organizer and judge scoped to a district, unit officer, participant) × a
target inside the district, outside it (the neighbouring district) and above it (the whole province: its contest,
its shared bank, the province itself).

- Refusals: a scoped account asking for something outside gets 403 (or 404); inside it is not refused; admins and
  unscoped staff get the same answer for every target. Whether the role may use a route at all is asked first,
  with ids that exist nowhere (the role guard answers 403 before anything is looked up).
  What lies outside is stored the same after a scoped account's walk, its writes included.
- Leaks: every page, export (.csv, .xlsx unzipped, .pdf as text, .toml) and JSON answer a scoped account can GET
  with inside arguments or none, with searches and filters typed in, is searched for the markers that everything
  outside carries (``scope_fixtures``). A positive control shows the same markers do reach unscoped staff.

A route naming an argument the walk does not know fails the walk: a new route cannot slip past it.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass

import pytest
from werkzeug.routing import AnyConverter, Rule

from quizapp.models import Attempt, Role
from tests.conftest import TEST_PASSWORD
from tests.views.scope_fixtures import (
    OUTSIDE_MARKERS,
    WHOLE_TREE_MARKERS,
    World,
    build_world,
    markers_in,
    outside_rows,
    readable_text,
)

STAFF_BLUEPRINTS = ("organizer", "dashboard", "judge", "officer", "admin")
STAFF_PREFIXES = ("/organizer", "/judge", "/officer", "/admin")
PUBLIC_CERTIFICATES = frozenset({"certificates.lookup", "certificates.verify", "certificates.my_certificate"})
STAFF_ROLES = frozenset({Role.ADMIN, Role.ORGANIZER, Role.JUDGE, Role.UNIT_OFFICER})
#: the URL arguments the walk can fill; a route with any other fails test_the_walk_knows_every_argument
ID_ARGS = frozenset({"contest_id", "round_id", "notice_id", "bank_id", "question_id", "unit_id", "user_id",
                     "request_id", "attempt_id"})
TEXT_ARGS = frozenset({"code", "fmt", "kind"})
#: what a URL argument names, for the targets' expectations
CONTEST_ARGS = frozenset({"contest_id", "round_id", "notice_id"})
BANK_ARGS = frozenset({"bank_id", "question_id"})
UNIT_ARGS = frozenset({"unit_id", "code"})
PEOPLE_ARGS = frozenset({"user_id", "request_id", "attempt_id"})
MISSING_ID = 987_654
FORMATS = ("csv", "xlsx")
ROLES = ("admin", "organizer", "organizer_a", "judge", "judge_a", "officer_a", "participant")
SCOPED = ("organizer_a", "judge_a", "officer_a")


@dataclass(frozen=True)
class Route:
    endpoint: str
    method: str
    rule: Rule

    @property
    def args(self) -> frozenset[str]:
        """The arguments the URL carries (not those a rule fixes with ``defaults``)."""
        return frozenset(self.rule.arguments) - frozenset(self.rule.defaults or ())

    @property
    def api(self) -> bool:
        return self.rule.rule.startswith("/api/")

    def __str__(self) -> str:
        return f"{self.method} {self.rule.rule} ({self.endpoint})"


def _is_staff_api(app, endpoint: str) -> bool:
    declared = getattr(app.view_functions[endpoint], "api_operation", None)
    roles = set(getattr(declared, "roles", ()) or ())
    return bool(roles & STAFF_ROLES)


def walked_routes(app) -> list[Route]:
    found = []
    for rule in app.url_map.iter_rules():
        blueprint = rule.endpoint.partition(".")[0]
        staff = (blueprint in STAFF_BLUEPRINTS or rule.rule.startswith(STAFF_PREFIXES)
                 or (blueprint == "certificates" and rule.endpoint not in PUBLIC_CERTIFICATES)
                 or (blueprint == "api" and _is_staff_api(app, rule.endpoint)))
        if staff:
            found.extend(Route(rule.endpoint, method, rule)
                         for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}))
    return sorted(found, key=lambda r: (r.rule.rule, r.method))


# --- arguments by name -------------------------------------------------------------------------------------------

TARGET_KEYS = {"inside": "inside", "outside": "outside", "above": "whole"}


def _format_values(route: Route, name: str) -> tuple[str, ...]:
    converter = route.rule._converters.get(name)
    if isinstance(converter, AnyConverter):
        return tuple(sorted(converter.items))
    return FORMATS


def _value(world: World, route: Route, name: str, target: str):
    key = TARGET_KEYS[target]
    people_key = "outside" if target == "outside" else "inside"
    if name in ("contest_id",):
        return world.contests[key].id
    if name == "round_id":
        return world.contests[key].rounds[0].id
    if name == "notice_id":
        return world.notices[key].id
    if name == "bank_id":
        return world.banks["shared" if target == "above" else key].id
    if name == "question_id":
        return world.questions["shared" if target == "above" else key].id
    if name in ("unit_id", "code"):
        unit = world.units[{"inside": "A1", "outside": "OUT-B1", "above": "TT"}[target]]
        return unit.id if name == "unit_id" else unit.code
    if name == "user_id":
        if route.endpoint.startswith("admin."):  # the admins' page is about staff accounts
            return world.staff["judge_b" if target == "outside" else "judge_a"].id
        return world.people[people_key].id
    if name == "request_id":
        return world.requests[people_key].id
    if name == "attempt_id":
        from quizapp.extensions import db

        return db.session.scalar(db.select(Attempt.id).where(Attempt.user_id == world.people[people_key].id)
                                 .order_by(Attempt.id))
    raise KeyError(name)


def _query(route: Route, target: str) -> str:
    """The officer's report names its unit in the query string (``?unit=CODE``)."""
    if route.endpoint.startswith("officer.") and route.args:
        return "?unit=" + {"inside": "A1", "outside": "OUT-B", "above": "A"}[target]
    return ""


def _fill(rule: Rule, values: dict[str, object]) -> str:
    return re.sub(r"<(?:[^>]*:)?(\w+)>", lambda m: str(values[m.group(1)]), rule.rule)


def urls(world: World | None, route: Route, target: str | None) -> list[str]:
    """The route's URLs for ``target`` (one per format for ``fmt``/``kind``); ``target`` None: ids found nowhere."""
    fixed = {name: (str(MISSING_ID) if target is None else _value(world, route, name, target))
             for name in route.args if name in ID_ARGS or name == "code"}
    if target is None and "code" in route.args:
        fixed["code"] = "KHONG-CO"
    formats = [name for name in route.args if name in ("fmt", "kind")]
    variants = [fixed]
    for name in formats:
        variants = [{**v, name: value} for v in variants for value in _format_values(route, name)]
    query = "" if target is None else _query(route, target)
    return [_fill(route.rule, values) + query for values in variants]


# --- signing in, asking ------------------------------------------------------------------------------------------

class Asker:
    """One role's session (and bearer token for the API)."""

    def __init__(self, client, world: World, role: str) -> None:
        client = client.application.test_client()  # a session of its own
        self.client, self.world, self.role = client, world, role
        self.account = world.staff[role]
        response = client.post("/login", data={"login": self.account.email, "password": TEST_PASSWORD})
        assert response.status_code == 302, (role, response.status_code)
        answer = client.post("/api/v1/auth/token", json={"login": self.account.email, "password": TEST_PASSWORD})
        self.token = answer.get_json()["token"]

    def ask(self, route: Route, url: str):
        headers = {"Authorization": f"Bearer {self.token}"} if route.api else {}
        extra = {"json": {}} if route.api and route.method != "GET" else {}
        return self.client.open(url, method=route.method, headers=headers, **extra)


def _role_allows(asker: Asker, route: Route) -> bool:
    """Asked with ids found nowhere: the role guard answers first (403), or the view finds nothing."""
    statuses = {asker.ask(route, url).status_code for url in urls(None, route, None)}
    return 403 not in statuses and 401 not in statuses


@pytest.fixture
def world(app, make_user) -> World:
    app.config["WTF_CSRF_ENABLED"] = False  # refused by the scope, not by a missing token
    return build_world(make_user)


def test_the_walk_knows_every_argument(app):
    routes = walked_routes(app)
    assert len(routes) > 60 and {r.endpoint for r in routes} >= {
        "organizer.unit_page", "judge.round_ranking", "officer.report", "certificates.round_pdf",
        "certificates.template", "admin.deactivate", "api.round_statistics_api", "dashboard.round_data"}
    unknown = sorted(f"{route}: {sorted(route.args - ID_ARGS - TEXT_ARGS)}" for route in routes
                     if route.args - ID_ARGS - TEXT_ARGS)
    assert not unknown, "routes naming arguments the scope walk does not fill:\n" + "\n".join(unknown)


# --- refusals ----------------------------------------------------------------------------------------------------

def _refused(status: int) -> bool:
    return status in (403, 404)


def _expect_refused(role: str, route: Route, target: str) -> bool | None:
    """True: must be refused; False: must not; None: no rule says (the walk does not assert)."""
    if role not in SCOPED or target == "inside":
        return False
    if target == "outside":
        return True
    # above: the province's contest, shared bank, the province itself
    if role == "officer_a" and route.endpoint.startswith("officer."):
        return False  # an officer reports on their people in the province's contests
    if route.endpoint.startswith("officer."):
        return None
    if route.args & (CONTEST_ARGS | UNIT_ARGS):
        return True
    if route.args & BANK_ARGS:
        if route.rule.rule.endswith("/edit"):
            return None  # the form that changes a shared question: shown read-only or refused, either is right
        return route.method != "GET"  # shared banks: read and drawn from by all, changed by unscoped staff only
    return None


def _walk(client, world: World, role: str) -> list[str]:
    asker = Asker(client, world, role)
    routes = [r for r in walked_routes(client.application) if r.args & (ID_ARGS | {"code"})]
    allowed = [r for r in routes if _role_allows(asker, r)]
    if role == "admin":  # admins pass every guard: a route the probe calls refused would be walked by nobody
        assert allowed == routes, [str(r) for r in routes if r not in allowed]
    # reading first; then writes outside and above, which must change nothing; writes inside last
    order = [(r, t) for r in allowed if r.method == "GET" for t in ("inside", "outside", "above")]
    order += [(r, t) for t in ("outside", "above", "inside") for r in allowed if r.method != "GET"]
    problems = []
    before = outside_rows(world) if role in SCOPED else None
    for route, target in order:
        if target == "above" and not route.args & (CONTEST_ARGS | BANK_ARGS | UNIT_ARGS):
            continue
        expected = _expect_refused(role, route, target)
        for url in urls(world, route, target):
            status = asker.ask(route, url).status_code
            if status >= 500:
                problems.append(f"{role} {route.method} {url} [{target}]: {status}")
            elif expected is True and not _refused(status):
                problems.append(f"{role} {route.method} {url} [{target}]: {status}, not refused")
            elif expected is False and (status == 403 or (route.method == "GET" and status == 404)):
                problems.append(f"{role} {route.method} {url} [{target}]: {status}, refused")
    if before is not None:
        after = outside_rows(world)
        problems += [f"{role}: rows of {name} outside the scope changed by the walk" for name in before
                     if before[name] != after[name]]
    return problems


@pytest.mark.parametrize("role", ROLES)
def test_each_role_is_refused_exactly_outside_its_scope(client, world, role):
    problems = _walk(client, world, role)
    assert not problems, f"{len(problems)} answers break the scope rules:\n" + "\n".join(problems)


# --- leaks ------------------------------------------------------------------------------------------------------

def _queries(world: World, *, file: bool = False) -> list[dict[str, str]]:
    """Searches and filters a curious account may type: words of the outside, its codes and ids (a file: its
    filters only, no search box)."""
    outside = world.contests["outside"]
    ids = {"contest": str(outside.id), "round": str(outside.rounds[0].id), "user": str(world.people["outside"].id),
           "open": str(world.units["OUT-B"].id)}
    options = {"retired": "1", "collectives": "1", "scope": "winners"}
    if file:
        return [{}, ids, options]
    return [{}, {"q": "ngoài"}, {"q": "0999"}, {"unit": "OUT-B"}, ids, options]


def _pages(client, world: World, role: str):
    """(url, query, response) of every GET the role may ask with inside arguments or none, with each search."""
    asker = Asker(client, world, role)
    targets = ("inside", "above")  # above: the officers' report of the province's contest for the district
    for route in walked_routes(client.application):
        if route.method != "GET" or not _role_allows(asker, route):
            continue
        for target in targets:
            if target == "above" and not route.endpoint.startswith("officer."):
                continue
            for url in urls(world, route, target):
                for query in _queries(world, file="." in route.rule.rule.rsplit("/", 1)[-1]):
                    joined = "&".join(f"{k}={v}" for k, v in query.items())
                    full = url + (("&" if "?" in url else "?") + joined if joined else "")
                    yield url, joined, asker.ask(route, full), list(query.values())


#: pages about the district's own people and units: their part in the province's contest is theirs to see (the
#: issue: a unit reports on its people's results in every contest, also those organised above it)
PEOPLE_PAGES = ("/officer", "/organizer/participants", "/organizer/erasure-requests", "/organizer/units")


def _markers_for(role: str, url: str) -> tuple[str, ...]:
    """What must not reach ``role`` on ``url``: the other district's everything; the province's contest too, but
    where a unit reports on its people's part in it (the officers' workspace, people and units pages)."""
    if role == "officer_a" or url.startswith(PEOPLE_PAGES):
        return OUTSIDE_MARKERS
    return OUTSIDE_MARKERS + WHOLE_TREE_MARKERS


def _label(marker: str) -> str:
    return f"{marker} [tỉnh]" if marker in WHOLE_TREE_MARKERS else marker


@pytest.mark.parametrize("role", SCOPED)
def test_nothing_outside_reaches_a_scoped_account(client, world, role):
    leaks: dict[str, set[str]] = defaultdict(set)
    searches: dict[str, list[str]] = defaultdict(list)
    for url, query, response, typed in _pages(client, world, role):
        if response.status_code >= 500:
            leaks[url].add(f"status {response.status_code}")
            searches[url].append(query or "-")
            continue
        found = markers_in(readable_text(response), _markers_for(role, url), typed,
                           folded=response.get_data().startswith(b"%PDF"))
        if found:
            leaks[url].update(_label(m) for m in found)
            searches[url].append(query or "-")
    report = [f"{url}: {sorted(found)} (searches: {', '.join(searches[url])})" for url, found in sorted(leaks.items())]
    assert not report, f"{role}: {len(report)} pages show what is outside the scope ([tỉnh]: the province's " \
                       f"contest, the level above):\n" + "\n".join(report)


def test_the_markers_do_reach_unscoped_staff(client, world):
    """The control: the same walk, unscoped and with outside arguments too, finds every marker somewhere; a leak
    test whose markers could never show would prove nothing."""
    seen: set[str] = set()
    for role in ("organizer", "judge"):
        asker = Asker(client, world, role)
        for route in walked_routes(client.application):
            if route.method != "GET" or not _role_allows(asker, route):
                continue
            for target in ("inside", "outside", "above"):
                for url in urls(world, route, target):
                    response = asker.ask(route, url)
                    text = readable_text(response)
                    seen.update(markers_in(text, OUTSIDE_MARKERS + WHOLE_TREE_MARKERS, [],
                                           folded=response.get_data().startswith(b"%PDF")))
    assert set(OUTSIDE_MARKERS + WHOLE_TREE_MARKERS) - seen == set()


def test_forms_naming_someone_outside_show_nothing_of_them(client, world):
    """What a scoped organizer may type to fish for people outside: a merge with their phone or account number, a
    profile given their phone or their unit's code. Refused, and nothing of them shown."""
    asker = Asker(client, world, "organizer_a")
    inside, outside = world.people["inside"], world.people["outside"]
    before = outside_rows(world)
    tries = [(f"/organizer/participants/{inside.id}/merge", {"other": outside.phone}),
             (f"/organizer/participants/{inside.id}/merge", {"other": str(outside.id)}),
             ("/organizer/participants/merge", {"keep_id": str(inside.id), "merge_id": str(outside.id)}),
             (f"/organizer/participants/{inside.id}/profile",
              {"full_name": inside.full_name, "phone": outside.phone, "email": "", "unit_code": "A1"}),
             (f"/organizer/participants/{inside.id}/profile",
              {"full_name": inside.full_name, "phone": "", "email": outside.email, "unit_code": "A1"}),
             (f"/organizer/participants/{inside.id}/profile",
              {"full_name": inside.full_name, "phone": "", "email": "", "unit_code": "OUT-B1"}),
             (f"/organizer/participants/{inside.id}/extension",
              {"round_id": str(world.contests["outside"].rounds[1].id), "minutes": "10", "reason": "Mất điện"})]
    leaks = []
    for url, form in tries:
        response = asker.client.post(url, data=form)
        found = markers_in(readable_text(response), OUTSIDE_MARKERS, list(form.values()))
        if found or response.status_code >= 500 or response.status_code == 302:
            leaks.append(f"POST {url} {form}: {response.status_code} {found}")
    assert not leaks, "\n".join(leaks)
    assert outside_rows(world) == before
    unscoped = Asker(client, world, "organizer")  # the control: unscoped, the same merge shows the other account
    shown = unscoped.client.post(tries[0][0], data=tries[0][1])
    assert "Người Ngoài Một" in readable_text(shown)


def test_a_scoped_judge_cannot_decide_about_someone_outside_in_a_round_inside(client, world):
    judge = Asker(client, world, "judge_a")
    outside = world.people["outside"]
    round_ = world.contests["inside"].rounds[1]
    for action in ("disqualify", "reinstate"):
        response = judge.client.post(f"/judge/rounds/{round_.id}/{action}",
                                     data={"user_id": str(outside.id), "reason": "Thi hộ"}, follow_redirects=True)
        assert response.status_code < 500 and "flash-error" in response.get_data(as_text=True), action
        assert not markers_in(readable_text(response), OUTSIDE_MARKERS, [])
    from quizapp.extensions import db
    from quizapp.models import Disqualification

    assert db.session.scalar(db.select(db.func.count()).select_from(Disqualification)
                             .where(Disqualification.user_id == outside.id)) == 0
