"""Pure rules of the contest domain.

Nothing in this package imports Flask, SQLAlchemy or the rest of quizapp; it takes plain values (times included)
and returns plain values or raises typed errors. ``tests/domain/test_purity.py`` holds it to that.
"""
