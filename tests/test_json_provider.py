"""JSON answers: orjson writes what Flask's own provider wrote (values, order), as UTF-8 text."""

import json
import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from flask import jsonify, render_template_string
from flask.json.provider import DefaultJSONProvider

from quizapp.models import AttemptStatus


@dataclass
class Score:
    correct: int
    seconds: float


SAMPLE = {
    "text": "Chủ tịch Hồ Chí Minh đọc Tuyên ngôn Độc lập tại Quảng trường Ba Đình",
    "z_first": 1, "a_second": [1, 2.5, None, True],
    "when": datetime(2026, 9, 2, 7, 30, tzinfo=UTC), "day": date(2026, 9, 2),
    "amount": Decimal("12.50"), "id": uuid.UUID("12345678-1234-5678-1234-567812345678"),
    "status": AttemptStatus.SUBMITTED, "score": Score(18, 95.5),
    "answers": {101: 7, 102: None},
}


def test_the_answer_means_what_flasks_own_provider_wrote(app):
    flasks = DefaultJSONProvider(app)
    flasks.sort_keys = False
    with app.test_request_context():
        ours = jsonify(SAMPLE)
    assert ours.mimetype == "application/json" and ours.data.endswith(b"\n")
    assert json.loads(ours.data) == json.loads(flasks.dumps(SAMPLE))
    decoded = json.loads(ours.data)
    assert list(decoded) == list(SAMPLE)  # keys in the order written
    assert decoded["when"] == "Wed, 02 Sep 2026 07:30:00 GMT" and decoded["amount"] == "12.50"
    assert decoded["answers"] == {"101": 7, "102": None} and decoded["score"] == {"correct": 18, "seconds": 95.5}


def test_vietnamese_is_written_as_utf8_text_not_escapes(app):
    with app.test_request_context():
        body = jsonify({"text": SAMPLE["text"]}).data
    assert "Quảng trường Ba Đình".encode() in body and b"\\u" not in body


def test_a_value_json_cannot_write_is_refused_as_flask_refuses_it(app):
    with app.test_request_context(), pytest.raises(TypeError):
        jsonify({"bad": object()})


def test_an_integer_beyond_64_bits_is_still_written(app):
    huge = 10**30  # orjson cannot write it; an error answer may echo such a number from the request
    with app.test_request_context():
        assert json.loads(jsonify({"value": huge, "text": "Hà Nội"}).data) == {"value": huge, "text": "Hà Nội"}
    assert json.loads(app.json.dumps([huge])) == [huge]


def test_debug_answers_are_indented_and_dumps_keeps_the_standard_options(app):
    app.debug = True
    with app.test_request_context():
        assert b'\n  "a": 1' in jsonify({"a": 1}).data
    assert app.json.dumps({"b": 1, "a": 2}, sort_keys=True) == '{"a": 2, "b": 1}'


def test_templates_tojson_still_escapes_html(app):
    with app.test_request_context():
        rendered = render_template_string("{{ value|tojson }}", value={"x": "</script><b>"})
    assert "</script>" not in rendered and json.loads(rendered) == {"x": "</script><b>"}
