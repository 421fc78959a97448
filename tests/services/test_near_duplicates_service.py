"""services.near_duplicates: what it loads (active questions only, a fixed number of queries) and what an upload's
check reports (identical texts in other banks only, near-duplicates in any bank)."""

from contextlib import contextmanager

from sqlalchemy import event, select

from quizapp.domain.banks import ImportLimits, parse_bank
from quizapp.extensions import db
from quizapp.models import Question
from quizapp.models.types import utcnow
from quizapp.services.banks import import_bank, retire_question
from quizapp.services.near_duplicates import check_upload, mark_not_duplicate, near_duplicates

HEADER = "Câu hỏi,A,B,C,D,Đáp án,Chủ đề\n"


def rows(pairs: int, start: int = 0) -> tuple[str, str]:
    """Two bank files: ``pairs`` questions, and the same questions reworded with the same answers."""
    first = second = HEADER
    for n in range(start, start + pairs):
        year = 1900 + n
        first += f"Sự kiện lịch sử số {n} của cách mạng Việt Nam diễn ra năm nào?,{year},1800,1700,1600,A,Lịch sử\n"
        second += f"Sự kiện lịch sử số {n} của cách mạng Việt Nam xảy ra vào năm nào?,Năm {year},Năm 1800,Năm 1700," \
                  f"Năm 1600,A,Lịch sử\n"
    return first, second


def load(name: str, content: str) -> None:
    import_bank(bank_name=name, filename=f"{name}.csv", data=content.encode(), actor=None, now=utcnow(),
                limits=ImportLimits())
    db.session.commit()


@contextmanager
def counted():
    statements: list[str] = []

    def record(_conn, _cursor, statement, *_args):
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(db.engine, "before_cursor_execute", record)


def queries_for(pairs: int, start: int) -> tuple[int, int]:
    first, second = rows(pairs, start)
    load(f"A{pairs}", first)
    load(f"B{pairs}", second)
    db.session.expunge_all()
    with counted() as statements:
        found = near_duplicates()
    return len(found), len(statements)


def test_the_same_number_of_queries_for_2_or_20_pairs(app):
    few, few_queries = queries_for(2, start=0)
    assert few == 2
    many, many_queries = queries_for(20, start=100)
    assert many == 22 and many_queries == few_queries <= 4


def test_retired_and_dismissed_pairs_are_not_listed(app):
    first, second = rows(3)
    load("A", first)
    load("B", second)
    questions = db.session.scalars(select(Question).order_by(Question.id)).all()
    retire_question(questions[0], actor=None, now=utcnow())
    mark_not_duplicate(questions[4], questions[1], actor=None, now=utcnow())
    db.session.commit()
    listed = [(item.first.id, item.second.id) for item in near_duplicates()]
    assert listed == [(questions[2].id, questions[5].id)]


def test_an_uploads_check_names_identical_texts_of_other_banks_only(app):
    first, second = rows(2)
    load("A", first)
    load("B", second)
    upload = parse_bank("c.csv", (HEADER + first.split("\n", 1)[1]).encode())
    bank_a = db.session.scalar(select(Question.bank_id).order_by(Question.id))
    into_a = check_upload(upload, bank_a)
    assert into_a.identical == []  # in the same bank they are the import's "already there"
    assert {(n.question.line, n.existing.bank_name) for n in into_a.near} == {(2, "B"), (3, "B")}
    elsewhere = check_upload(upload, None)
    assert {(i.question.line, i.existing.bank_name) for i in elsewhere.identical} == {(2, "A"), (3, "A")}
    assert {(n.question.line, n.existing.bank_name) for n in elsewhere.near} == {(2, "B"), (3, "B")}
    assert check_upload([], None).identical == []
