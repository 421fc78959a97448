"""schemathesis over the generated OpenAPI document: requests made from the document's own shapes (valid and
invalid) never get a 500, never a status the document does not list, and every answer has its declared shape.

Bounded: a few dozen cases per operation (``MAX_EXAMPLES``), so that the run stays a few seconds of the suite.
The bearer token is a real participant's; path ids are often those of a real open round and its attempt, so that
the attempt operations are exercised past their 404.
"""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_schema_conformance,
    status_code_conformance,
)

from quizapp.extensions import db
from tests.api.test_attempts_api import token_for, world  # noqa: F401  (world: the fixture)

MAX_EXAMPLES = 25
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance,
          negative_data_rejection]


@pytest.fixture
def api(app, client, world):  # noqa: F811
    """The schema as the app serves it, a participant's token, and ids that exist."""
    auth = token_for(client)
    round_ = world["open"]
    round_.max_attempts = 1000
    db.session.commit()
    attempt = client.post(f"/api/v1/rounds/{round_.id}/attempts", headers=auth).get_json()
    return {"auth": auth, "round_id": round_.id, "attempt_id": attempt["attempt_id"]}


@pytest.fixture
def api_schema(app):
    return schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)


schema = schemathesis.pytest.from_fixture("api_schema")


@schema.parametrize()
@settings(max_examples=MAX_EXAMPLES, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                 HealthCheck.filter_too_much])
def test_the_api_keeps_to_its_document(case, api):
    if _positive(case, "path"):  # an id of the document's range: often one that exists
        for name in ("round_id", "attempt_id"):
            generated = (case.path_parameters or {}).get(name)
            if isinstance(generated, int) and generated % 2 == 0:
                case.path_parameters[name] = api[name]
    headers = api["auth"] if _positive(case, "header") else None  # a negative case may go without the token
    case.call_and_validate(headers=headers, checks=CHECKS)


def _positive(case, location: str) -> bool:
    """Whether the case's ``location`` (path, header...) is of the document's shape (not made to violate it)."""
    component = case.meta.components.get(location) if case.meta is not None else None
    return component is None or component.mode == schemathesis.GenerationMode.POSITIVE
