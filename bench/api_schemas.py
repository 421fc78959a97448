"""What a schema library adds to the API's hottest requests: the save and the submit of an attempt.

Each candidate serves the same two routes in a Flask app of its own, with the service replaced by a constant, so
that only what differs is measured: reading and validating the body, writing the answer.

- ``PUT /attempts/<id>/answers`` with one answer (what the attempt page sends at each choice) and with 20;
- ``POST /attempts/<id>/submit`` with 20 answers and a prediction.

``baseline`` is the hand-written parsing that quizapp had before (``request.get_json`` and type checks). Requests go
through Flask's test client, in-process; the candidates are measured in alternation, ``--rounds`` times, and the
median of each is printed with what it adds to the baseline, in microseconds per request. Then the validation alone
(no Flask) of the 20-answer submit body.

The candidates are not quizapp's dependencies; measure them in a throwaway virtualenv::

    python3 -m venv /tmp/cand && /tmp/cand/bin/pip install Flask==3.1.3 pydantic apiflask flask-smorest \\
        spectree flask-openapi3
    /tmp/cand/bin/python bench/api_schemas.py            # about a minute
"""

from __future__ import annotations

import argparse
import gc
import json
import statistics
import time
from collections.abc import Callable
from typing import Any

from flask import Flask, jsonify, request

ONE = {"answers": {"20417": 815311}}
TWENTY = {"answers": {str(20400 + n): 815300 + 4 * n for n in range(20)}}
SUBMIT = {**TWENTY, "prediction": 1234}
SAVED = {"saved": 1}
RESULT = {"correct_count": 17, "question_count": 20, "duration_ms": 612_345}
ID_KEY = r"^[0-9]{1,10}$"


def _result_for(answers: dict[str, Any] | None, prediction: int | None) -> dict[str, int]:
    return RESULT


# --- the candidates: each returns a Flask app serving the two routes ------------------------------------------

def baseline() -> Flask:
    app = Flask("baseline")

    def body() -> dict[str, Any]:
        data = request.get_json(silent=True)
        if not isinstance(data, dict):
            return {"error": "invalid_json"}
        answers = data.get("answers")
        if answers is not None and not isinstance(answers, dict):
            return {"error": "invalid_answers"}
        prediction = data.get("prediction")
        if prediction is not None and (isinstance(prediction, bool) or not isinstance(prediction, int)):
            return {"error": "invalid_field"}
        return data

    @app.put("/attempts/<int:attempt_id>/answers")
    def save(attempt_id: int):
        data = body()
        return jsonify({"saved": len(data.get("answers") or {})})

    @app.post("/attempts/<int:attempt_id>/submit")
    def submit(attempt_id: int):
        data = body()
        return jsonify(_result_for(data.get("answers"), data.get("prediction")))

    return app


def _pydantic_models() -> tuple[type, type, type, type]:
    from typing import Annotated

    from pydantic import BaseModel, ConfigDict, Field, StrictInt

    question_id = Annotated[str, Field(pattern=ID_KEY)]
    option_id = Annotated[StrictInt, Field(ge=1, le=2**31 - 1)] | None

    class SaveAnswers(BaseModel):
        model_config = ConfigDict(extra="ignore")
        answers: dict[question_id, option_id] | None = None
        prediction: Annotated[StrictInt, Field(ge=0, le=2**31 - 1)] | None = None

    class Submit(SaveAnswers):
        pass

    class Saved(BaseModel):
        saved: int

    class Result(BaseModel):
        correct_count: int
        question_count: int
        duration_ms: int

    return SaveAnswers, Submit, Saved, Result


def pydantic_adapter() -> Flask:
    """pydantic v2 with a thin adapter: the body validated from its bytes in one call (pydantic's own parser)."""
    save_model, submit_model, saved_model, result_model = _pydantic_models()
    app = Flask("pydantic")

    @app.put("/attempts/<int:attempt_id>/answers")
    def save(attempt_id: int):
        body = save_model.model_validate_json(request.get_data())
        out = saved_model(saved=len(body.answers or {}))
        return app.response_class(out.model_dump_json(), mimetype="application/json")

    @app.post("/attempts/<int:attempt_id>/submit")
    def submit(attempt_id: int):
        body = submit_model.model_validate_json(request.get_data())
        out = result_model.model_validate(_result_for(body.answers, body.prediction))
        return app.response_class(out.model_dump_json(), mimetype="application/json")

    return app


def pydantic_from_dict() -> Flask:
    """The same models validating what ``request.get_json()`` parsed (Flask's parser), answers by ``jsonify``."""
    save_model, submit_model, _saved, _result = _pydantic_models()
    app = Flask("pydantic-dict")

    @app.put("/attempts/<int:attempt_id>/answers")
    def save(attempt_id: int):
        body = save_model.model_validate(request.get_json(silent=True))
        return jsonify({"saved": len(body.answers or {})})

    @app.post("/attempts/<int:attempt_id>/submit")
    def submit(attempt_id: int):
        body = submit_model.model_validate(request.get_json(silent=True))
        return jsonify(_result_for(body.answers, body.prediction))

    return app


def _marshmallow_schemas() -> tuple[type, type, type, type]:
    from marshmallow import Schema, fields, validate

    class SaveAnswers(Schema):
        answers = fields.Dict(keys=fields.String(validate=validate.Regexp(ID_KEY)),
                              values=fields.Integer(strict=True, allow_none=True,
                                                    validate=validate.Range(min=1, max=2**31 - 1)))
        prediction = fields.Integer(strict=True, allow_none=True, validate=validate.Range(min=0, max=2**31 - 1))

    class Submit(SaveAnswers):
        pass

    class Saved(Schema):
        saved = fields.Integer()

    class Result(Schema):
        correct_count = fields.Integer()
        question_count = fields.Integer()
        duration_ms = fields.Integer()

    return SaveAnswers, Submit, Saved, Result


def apiflask_app() -> Flask:
    from apiflask import APIFlask

    save_schema, submit_schema, saved_schema, result_schema = _marshmallow_schemas()
    app = APIFlask("apiflask")

    @app.put("/attempts/<int:attempt_id>/answers")
    @app.input(save_schema, arg_name="body")
    @app.output(saved_schema)
    def save(attempt_id: int, body: dict[str, Any]):
        return {"saved": len(body.get("answers") or {})}

    @app.post("/attempts/<int:attempt_id>/submit")
    @app.input(submit_schema, arg_name="body")
    @app.output(result_schema)
    def submit(attempt_id: int, body: dict[str, Any]):
        return _result_for(body.get("answers"), body.get("prediction"))

    return app


def smorest_app() -> Flask:
    from flask_smorest import Api, Blueprint

    save_schema, submit_schema, saved_schema, result_schema = _marshmallow_schemas()
    app = Flask("smorest")
    app.config.update(API_TITLE="bench", API_VERSION="1", OPENAPI_VERSION="3.1.0")
    api = Api(app)
    blp = Blueprint("attempts", __name__)

    @blp.route("/attempts/<int:attempt_id>/answers", methods=["PUT"])
    @blp.arguments(save_schema)
    @blp.response(200, saved_schema)
    def save(body: dict[str, Any], attempt_id: int):
        return {"saved": len(body.get("answers") or {})}

    @blp.route("/attempts/<int:attempt_id>/submit", methods=["POST"])
    @blp.arguments(submit_schema)
    @blp.response(200, result_schema)
    def submit(body: dict[str, Any], attempt_id: int):
        return _result_for(body.get("answers"), body.get("prediction"))

    api.register_blueprint(blp)
    return app


def spectree_app() -> Flask:
    from spectree import Response, SpecTree

    save_model, submit_model, saved_model, result_model = _pydantic_models()
    app = Flask("spectree")
    spec = SpecTree("flask", app=app)

    @app.put("/attempts/<int:attempt_id>/answers")
    @spec.validate(json=save_model, resp=Response(HTTP_200=saved_model))
    def save(attempt_id: int):
        return saved_model(saved=len(request.context.json.answers or {}))

    @app.post("/attempts/<int:attempt_id>/submit")
    @spec.validate(json=submit_model, resp=Response(HTTP_200=result_model))
    def submit(attempt_id: int):
        body = request.context.json
        return result_model.model_validate(_result_for(body.answers, body.prediction))

    return app


def openapi3_app() -> Flask:
    from flask_openapi3 import OpenAPI
    from pydantic import BaseModel

    save_model, submit_model, saved_model, result_model = _pydantic_models()
    app = OpenAPI("openapi3", validation_error_status=422)

    class Path(BaseModel):
        attempt_id: int

    def save(path: Any, body: Any):
        return saved_model(saved=len(body.answers or {})).model_dump()

    def submit(path: Any, body: Any):
        return result_model.model_validate(_result_for(body.answers, body.prediction)).model_dump()

    # flask-openapi3 reads the view's annotations: real classes here (this module's are strings)
    save.__annotations__ = {"path": Path, "body": save_model}
    submit.__annotations__ = {"path": Path, "body": submit_model}
    app.put("/attempts/<int:attempt_id>/answers", responses={200: saved_model})(save)
    app.post("/attempts/<int:attempt_id>/submit", responses={200: result_model})(submit)
    return app


CANDIDATES: dict[str, Callable[[], Flask]] = {
    "baseline": baseline, "pydantic": pydantic_adapter, "pydantic-dict": pydantic_from_dict,
    "apiflask": apiflask_app, "flask-smorest": smorest_app, "spectree": spectree_app,
    "flask-openapi3": openapi3_app,
}
REQUESTS = (("save 1", "put", "/attempts/7/answers", ONE), ("save 20", "put", "/attempts/7/answers", TWENTY),
            ("submit 20", "post", "/attempts/7/submit", SUBMIT))


def _clients(names: list[str]) -> dict[str, Any]:
    clients = {}
    for name in names:
        try:
            app = CANDIDATES[name]()
        except ImportError as missing:
            print(f"{name}: not installed ({missing.name})")
            continue
        client = app.test_client()
        for label, method, path, body in REQUESTS:  # each answers as expected before it is timed
            answer = getattr(client, method)(path, json=body)
            assert answer.status_code == 200, (name, label, answer.status_code, answer.get_data(as_text=True))
            assert answer.get_json() == (SAVED if label == "save 1" else {"saved": 20} if label == "save 20"
                                         else RESULT), (name, label, answer.get_json())
        clients[name] = client
    return clients


def _time_requests(client: Any, method: str, path: str, body: dict[str, Any], count: int) -> float:
    data = json.dumps(body)
    send = getattr(client, method)
    started = time.perf_counter()
    for _ in range(count):
        send(path, data=data, content_type="application/json")
    return (time.perf_counter() - started) / count * 1e6


def measure(names: list[str], *, rounds: int, count: int) -> dict[tuple[str, str], list[float]]:
    """Microseconds per request of each candidate and request, ``rounds`` times, the candidates in alternation
    (their order reversed every other round, so that none always runs first)."""
    clients = _clients(names)
    figures: dict[tuple[str, str], list[float]] = {}
    for round_number in range(rounds):
        order = list(clients) if round_number % 2 == 0 else list(reversed(clients))
        for name in order:
            for label, method, path, body in REQUESTS:
                gc.collect()
                figures.setdefault((name, label), []).append(
                    _time_requests(clients[name], method, path, body, count))
    return figures


def validation_only(count: int) -> dict[str, float]:
    """Microseconds to read and validate the 20-answer submit body and write the result, without Flask."""
    raw = json.dumps(SUBMIT).encode()
    out: dict[str, float] = {}

    def timed(label: str, step: Callable[[], Any]) -> None:
        step()
        started = time.perf_counter()
        for _ in range(count):
            step()
        out[label] = (time.perf_counter() - started) / count * 1e6

    timed("json.loads + type checks (baseline)", lambda: isinstance(json.loads(raw).get("answers"), dict))
    try:
        _save, submit_model, _saved, result_model = _pydantic_models()
        timed("pydantic model_validate_json + model_dump_json",
              lambda: (submit_model.model_validate_json(raw), result_model(**RESULT).model_dump_json()))
        timed("json.loads + pydantic model_validate + json.dumps",
              lambda: (submit_model.model_validate(json.loads(raw)), json.dumps(RESULT)))
    except ImportError:
        pass
    try:
        _save, submit_schema, _saved, result_schema = _marshmallow_schemas()
        loader, dumper = submit_schema(), result_schema()
        timed("json.loads + marshmallow load + dump + json.dumps",
              lambda: (loader.load(json.loads(raw)), json.dumps(dumper.dump(RESULT))))
    except ImportError:
        pass
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--requests", type=int, default=2000, help="requests per candidate, request and round")
    parser.add_argument("--only", nargs="*", default=list(CANDIDATES), choices=list(CANDIDATES))
    options = parser.parse_args()
    names = ["baseline", *[name for name in options.only if name != "baseline"]]
    figures = measure(names, rounds=options.rounds, count=options.requests)
    labels = [label for label, *_rest in REQUESTS]
    print(f"\nmicroseconds per request, median of {options.rounds} alternating rounds of {options.requests} "
          "(in parentheses: added to the baseline)")
    print(f"{'candidate':<16}" + "".join(f"{label:>22}" for label in labels))
    base = {label: statistics.median(figures[("baseline", label)]) for label in labels}
    for name in dict.fromkeys(name for name, _label in figures):
        cells = []
        for label in labels:
            median = statistics.median(figures[(name, label)])
            cells.append(f"{median:8.1f} ({median - base[label]:+7.1f})")
        print(f"{name:<16}" + "".join(f"{cell:>22}" for cell in cells))
    print("\nvalidation alone, the 20-answer submit body (microseconds):")
    for label, micros in validation_only(options.requests * 5).items():
        print(f"  {micros:7.2f}  {label}")


if __name__ == "__main__":
    main()
