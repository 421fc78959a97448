"""The per-process draw pool: kept while the banks are unchanged, read again after any change to them."""

from __future__ import annotations

import random
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from quizapp.domain.attempts import AttemptError
from quizapp.domain.banks import ImportLimits
from quizapp.extensions import db
from quizapp.models import Bank, Question, Role
from quizapp.services import draw_pool
from quizapp.services.attempts import start_or_resume
from quizapp.services.banks import QuestionEdit, edit_question, import_bank, restore_question, retire_question
from tests.services.test_attempts import NOW, make_bank, make_round, statements

TOPIC = "Tư tưởng Hồ Chí Minh"


@pytest.fixture
def people(make_user):
    return [make_user(Role.PARTICIPANT) for _ in range(4)]


def start(round_, person, seed=1):
    started = start_or_resume(round_.id, person.id, now=NOW, rng=random.Random(seed))
    db.session.commit()
    return started


def revision() -> int:
    return db.session.scalar(select(func.sum(Bank.revision)))


def test_a_second_start_reads_no_pool_and_draws_from_the_same_material(app, people):
    make_bank()
    round_ = make_round()
    first = start(round_, people[0])
    round_id, person_id = round_.id, people[1].id
    with statements() as seen:
        second = start_or_resume(round_id, person_id, now=NOW, rng=random.Random(2))
    assert not any("FROM questions" in s or "FROM draw_rules" in s for s in seen), seen
    work = [s for s in seen if not s.startswith("UPDATE rounds")]  # SQLite's write lock (see _TAKE_WRITE_LOCK)
    # the facts, then the attempt with its questions: one statement on PostgreSQL, two on SQLite
    assert len(work) == (2 if db.engine.dialect.name == "postgresql" else 3), work
    assert first.payload["questions"] and second.payload["questions"]
    texts = {q["id"]: q["text"] for q in first.payload["questions"] + second.payload["questions"]}
    stored = dict(db.session.execute(select(Question.id, Question.text).where(Question.id.in_(texts))).tuples().all())
    assert texts == stored


def test_an_edited_question_is_shown_with_its_new_text_at_the_next_start(app, people):
    bank = make_bank({TOPIC: 3})
    round_ = make_round(draw=[(TOPIC, 3)])
    before = revision()
    start(round_, people[0])
    question = db.session.scalar(select(Question).where(Question.bank_id == bank.id).order_by(Question.id))
    edit_question(question, QuestionEdit(text="Câu hỏi đã sửa: Bác Hồ sinh năm nào?",
                                         options=["1890", "1891", "1892", "1893"], correct_index=0, topic=TOPIC,
                                         difficulty=None, explanation=None, source=None), actor=None, now=NOW)
    db.session.commit()
    assert revision() == before + 1
    shown = start(round_, people[1]).payload["questions"]
    edited = next(q for q in shown if q["id"] == question.id)
    assert edited["text"] == "Câu hỏi đã sửa: Bác Hồ sinh năm nào?"
    assert sorted(o["text"] for o in edited["options"]) == ["1890", "1891", "1892", "1893"]


def test_retired_questions_leave_the_pool_and_restored_ones_return(app, people):
    bank = make_bank({TOPIC: 4})
    round_ = make_round(draw=[(TOPIC, 3)])
    start(round_, people[0])
    questions = db.session.scalars(select(Question).where(Question.bank_id == bank.id).order_by(Question.id)).all()
    retire_question(questions[0], actor=None, now=NOW)
    db.session.commit()
    for seed, person in enumerate(people[1:3]):
        drawn = {q["id"] for q in start(round_, person, seed=seed).payload["questions"]}
        assert questions[0].id not in drawn
    retire_question(questions[1], actor=None, now=NOW)
    db.session.commit()
    with pytest.raises(AttemptError) as refused:
        start_or_resume(round_.id, people[3].id, now=NOW, rng=random.Random(0))
    assert refused.value.code == "pool_too_small" and refused.value.data["available"] == 2
    db.session.rollback()
    restore_question(questions[1], actor=None, now=NOW)
    db.session.commit()
    assert len(start(round_, people[3]).payload["questions"]) == 3


def test_an_import_into_the_bank_is_drawn_from_at_once(app, people):
    import_bank(bank_name="Ngân hàng mới", filename="a.csv", now=NOW, actor=None, limits=ImportLimits(),
                data="Câu hỏi,A,B,C,D,Đáp án,Chủ đề\nCâu cũ một?,1,2,3,4,A,T\n".encode())
    db.session.commit()
    round_ = make_round(draw=[("T", 1)])
    assert start(round_, people[0]).payload["questions"][0]["text"] == "Câu cũ một?"
    before = revision()
    import_bank(bank_name="Ngân hàng mới", filename="b.csv", now=NOW, actor=None, limits=ImportLimits(),
                data="Câu hỏi,A,B,C,D,Đáp án,Chủ đề\nCâu mới hai?,1,2,3,4,B,T\n".encode())
    db.session.commit()
    assert revision() == before + 1
    start(round_, people[1])  # the next start reads the pool again, now with both questions
    pool = draw_pool.pool_for(round_.id, 1, revision())
    assert set(pool.question_texts.values()) == {"Câu cũ một?", "Câu mới hai?"}
    assert [len(quota.candidates) for quota in pool.quotas] == [2]


def test_a_resumed_attempt_shows_a_question_retired_since_it_was_drawn(app, people):
    bank = make_bank({TOPIC: 3})
    round_ = make_round(draw=[(TOPIC, 3)], time_limit=900)
    first = start(round_, people[0])
    for question in db.session.scalars(select(Question).where(Question.bank_id == bank.id)):
        retire_question(question, actor=None, now=NOW)
    db.session.commit()
    again = start_or_resume(round_.id, people[0].id, now=NOW + timedelta(minutes=1), rng=random.Random(5))
    assert not again.created and again.payload["questions"] == first.payload["questions"]


def test_pools_are_kept_for_a_bounded_number_of_rounds(app, people):
    make_bank()
    rounds = [make_round(name=f"Tuần {n}") for n in range(draw_pool.MAX_ROUNDS + 2)]
    for round_ in rounds:
        draw_pool.pool_for(round_.id, round_.question_count, revision())
    kept = app.extensions["quizapp.draw_pools"]
    assert len(kept) == draw_pool.MAX_ROUNDS and rounds[0].id not in kept and rounds[-1].id in kept
