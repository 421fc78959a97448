"""A round's cached public results are dropped by one mechanism: a change recorded in a transaction (every audited
action on a round) drops them when that transaction commits, not before, and not at all when it rolls back."""

from __future__ import annotations

import pytest

from quizapp.extensions import cache, db
from quizapp.models.types import utcnow
from quizapp.services import audit
from quizapp.services.changes import round_changed
from quizapp.services.leaderboard import cache_key


@pytest.fixture
def settings(settings):
    return {**settings, "CACHE_TYPE": "SimpleCache"}


def kept(round_id: int) -> bool:
    return cache.get(cache_key("board", round_id)) is not None


def test_a_recorded_change_drops_the_round_when_it_commits_only(app):
    for round_id in (7, 8):
        cache.set(cache_key("board", round_id), "a board")
    round_changed(7)
    assert kept(7)  # not before the commit: a request in between would cache the old results again
    db.session.rollback()
    assert kept(7)
    db.session.commit()  # the rollback forgot the change: nothing to drop
    assert kept(7)
    round_changed(7)
    db.session.commit()
    assert not kept(7) and kept(8)


def test_an_audited_action_on_a_round_is_such_a_change(app):
    cache.set(cache_key("board", 9), "a board")
    audit.record(actor=None, action="round.reopen", object_type="round", object_id=9, now=utcnow(), reason="x")
    db.session.commit()
    assert not kept(9)
