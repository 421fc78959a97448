"""Contest integrity: the option ids a participant receives say nothing about which option is correct.

Banks are often written with the key first (GIFT's ``=`` answer, as in the README's example) or last, and the bank
gives its options ids in file order. A participant who chooses by id order (the smallest, or the largest, in each
question) must score what blind guessing scores, through the real API, over many attempts.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from quizapp.domain.banks import ImportLimits
from quizapp.extensions import db
from quizapp.models import Contest, DrawRule, Option, Round, Unit
from quizapp.models.types import utcnow
from quizapp.services.banks import import_bank
from quizapp.services.units import rebuild_tree
from tests.api.test_attempts_api import token_for

QUESTIONS = 10
ATTEMPTS = 40
OPTIONS = 4


def gift_key_first() -> bytes:
    """Ten GIFT questions, the correct answer typed first, as the README's GIFT example writes it."""
    return "\n\n".join(
        f"::Câu {n}:: Câu hỏi thử số {n}? {{=Đúng {n} ~Sai {n}a ~Sai {n}b ~Sai {n}c}}" for n in range(1, QUESTIONS + 1)
    ).encode()


def csv_key_last() -> bytes:
    """Ten spreadsheet questions whose key is always the last option (D)."""
    rows = ["Câu hỏi,A,B,C,D,Đáp án"]
    rows += [f"Câu hỏi cuối số {n}?,Sai {n}a,Sai {n}b,Sai {n}c,Đúng {n},D" for n in range(1, QUESTIONS + 1)]
    return "\n".join(rows).encode()


@pytest.fixture(params=[("key_first", "gift.gift", gift_key_first, min),
                        ("key_last", "bank.csv", csv_key_last, max)], ids=lambda p: p[0])
def written(request, app):
    """(the round, the id-order choice that would pick the key from the bank's ids) for a bank written so."""
    name, filename, make, pick = request.param
    import_bank(bank_name=name, filename=filename, data=make(), actor=None, now=utcnow(), limits=ImportLimits(),
                default_topic="T")
    keys = db.session.scalars(select(Option.id).where(Option.is_correct)).all()
    everything = db.session.execute(select(Option.question_id, Option.id)).all()
    by_question: dict[int, list[int]] = {}
    for question_id, option_id in everything:
        by_question.setdefault(question_id, []).append(option_id)
    assert sorted(pick(ids) for ids in by_question.values()) == sorted(keys)  # the bank itself would leak
    db.session.add(Unit(code="U1", name="Đơn vị Một", name_key="don vi mot", member_count=10))
    now = utcnow()
    round_ = Round(position=1, name="Tuần 1", opens_at=now - timedelta(hours=1), closes_at=now + timedelta(hours=1),
                   question_count=QUESTIONS, time_limit_seconds=600, max_attempts=ATTEMPTS)
    round_.draw_rules = [DrawRule(position=1, topic="T", count=QUESTIONS)]
    db.session.add(Contest(title="Cuộc thi thử", rules="", published=True, rounds=[round_]))
    db.session.flush()
    rebuild_tree()
    db.session.commit()
    return round_, pick


def test_choosing_by_option_id_order_scores_what_guessing_scores(client, written):
    """ATTEMPTS attempts of QUESTIONS questions, each answered with the id-order choice that picks the key from the
    bank's ids. Guessing scores 1/4 on average: 100 of 400 answers, standard deviation 8.7. Any leak of the bank's
    order scores far more (400 of 400 before the fix); the bound of 160 is seven deviations above chance, which
    blind luck reaches with a probability below 1e-11."""
    round_, pick = written
    auth = token_for(client)
    correct = 0
    seen: dict[int, list[frozenset[int]]] = {}
    for _ in range(ATTEMPTS):
        started = client.post(f"/api/v1/rounds/{round_.id}/attempts", headers=auth)
        assert started.status_code == 201
        payload = started.get_json()
        answers = {}
        for question in payload["questions"]:
            ids = [option["id"] for option in question["options"]]
            assert len(ids) == OPTIONS
            answers[str(question["id"])] = pick(ids)
            seen.setdefault(question["id"], []).append(frozenset(ids))
        result = client.post(f"/api/v1/attempts/{payload['attempt_id']}/submit", headers=auth,
                             json={"answers": answers, "prediction": 1})
        assert result.status_code == 200 and result.get_json()["question_count"] == QUESTIONS
        correct += result.get_json()["correct_count"]
    assert correct < 160, f"{correct} of {ATTEMPTS * QUESTIONS} right by id order"
    # Nothing carries from one attempt to the next: the same question comes with other ids every time (random
    # 31-bit ids: two equal ones among these few hundred are a one-in-ten-thousand chance, so one is allowed).
    for id_sets in seen.values():
        assert len(set().union(*id_sets)) >= OPTIONS * len(id_sets) - 1


def test_the_page_shows_the_same_attempt_ids_as_the_api(client, written):
    """The attempt page's radio values are the attempt's ids too, never the bank's."""
    round_, _ = written
    auth = token_for(client)
    payload = client.post(f"/api/v1/rounds/{round_.id}/attempts", headers=auth).get_json()
    bank_ids = set(db.session.scalars(select(Option.id)).all())
    shown = {option["id"] for question in payload["questions"] for option in question["options"]}
    assert len(shown) == QUESTIONS * OPTIONS and not shown & bank_ids
    client.post("/login", data={"login": "0912345678", "password": "mat-khau-1"})
    html = client.get(f"/attempts/{payload['attempt_id']}").get_data(as_text=True)
    for option_id in shown:
        assert f'value="{option_id}"' in html
