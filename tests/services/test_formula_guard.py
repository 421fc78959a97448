"""CSV injection: a text cell never opens as a formula, in a spreadsheet that splits on commas or on semicolons
(Excel set up for Vietnamese). One table of cases for the Python rule (domain.export_rows) and, on PostgreSQL,
its SQL copy (the finalized round's fast export path in services/exports.py)."""

from __future__ import annotations

import csv
import io

import pandas as pd
import pytest
from sqlalchemy import text

from quizapp.domain.export_rows import neutralise, neutralise_text
from quizapp.extensions import db
from quizapp.services.exports import _PG_FORMULA_SAFE

CASES = [
    ("Nguyễn Văn An", "Nguyễn Văn An"),
    ("=1+1", "'=1+1"),
    ("+84 912 345 678", "'+84 912 345 678"),
    ("-5 điểm", "'-5 điểm"),
    ("@SUM(A1)", "'@SUM(A1)"),
    ("\t=1", "'\t=1"),
    ("\r=1", "'\r=1"),
    ('=HYPERLINK("http://x";"Bấm vào")', '\'=HYPERLINK("http://x";"Bấm vào")'),
    ('Nguyễn Văn A;=HYPERLINK("http://x";"y")', 'Nguyễn Văn A;\'=HYPERLINK("http://x";"y")'),
    ("Trần B;+1;-2;@C", "Trần B;'+1;'-2;'@C"),
    ('Lê C;"=1+1"', 'Lê C;\'"=1+1"'),
    (";=1", ";'=1"),
    ("Chi bộ 1; Phường Ba Đình", "Chi bộ 1; Phường Ba Đình"),  # a semicolon in a name stays as it is
    ("A;B", "A;B"),
    ("", ""),
]


@pytest.mark.parametrize(("value", "expected"), CASES)
def test_the_python_rule(value, expected):
    assert neutralise_text(value) == expected


def test_no_cell_opens_as_a_formula_when_a_spreadsheet_splits_the_line_on_semicolons():
    cells = neutralise(pd.Series([value for value, _ in CASES] + [None], dtype=object)).tolist()
    assert cells[-1] is None
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerow(["1", *cells[:-1]])
    for line in out.getvalue().split("\n"):
        for field in line.split(";"):  # what Excel with ';' as its list separator makes of the line
            assert field.lstrip('"')[:1] not in ("=", "+", "-", "@", "\t", "\r"), field


def test_postgresql_writes_the_same_cells(app):
    if db.session.connection().dialect.name != "postgresql":
        pytest.skip("the SQL copy of the rule runs on PostgreSQL only")
    expression = text("SELECT " + _PG_FORMULA_SAFE.format("CAST(:v AS text)"))
    for value, expected in CASES + [(None, None)]:
        assert db.session.execute(expression, {"v": value}).scalar() == expected, value
