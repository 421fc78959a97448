"""JSON answers written by orjson, with the output of Flask's own provider.

Why: an attempt's questions, sent at every start (tens of thousands when a round opens), are the API's largest
answer; Flask's provider (the standard library's encoder) took 0.11 ms to write one of 11 KB, orjson 0.01 ms
(measured on the benchmark machine). Reading request bodies stays with Flask.
"""

from __future__ import annotations

from typing import Any

import orjson
from flask import Response
from flask.json.provider import DefaultJSONProvider

# Dates and dataclasses go through Flask's ``default`` (dates as HTTP dates, as Flask writes them); keys that are
# not strings are written as strings, as the standard library does.
_OPTIONS = orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_PASSTHROUGH_DATACLASS | orjson.OPT_NON_STR_KEYS


class OrjsonProvider(DefaultJSONProvider):
    """Flask's ``DefaultJSONProvider`` with orjson doing the writing: UTF-8 text (never ``\\uXXXX``), keys in the
    order written unless ``sort_keys``, compact unless ``compact`` is False or the app is in debug mode. A call
    with the standard library's own options (``indent=``, ``cls=``...), and a value orjson cannot write, are
    passed to Flask's provider (which raises ``TypeError`` for what JSON cannot hold)."""

    ensure_ascii = False
    sort_keys = False

    def _written(self, obj: Any, *, pretty: bool = False) -> bytes | None:
        """``obj`` written by orjson; None for what it cannot write (an integer beyond 64 bits, echoed from a
        request), which Flask's provider then writes."""
        option = _OPTIONS | (orjson.OPT_SORT_KEYS if self.sort_keys else 0) | (orjson.OPT_INDENT_2 if pretty else 0)
        try:
            return orjson.dumps(obj, default=self.default, option=option)
        except TypeError:
            return None

    def loads(self, s: str | bytes, **kwargs: Any) -> Any:
        """Flask's reading, with a document nested too deeply to read (the standard library recurses) refused as
        invalid JSON (a 400, not a 500). The API reads its bodies with pydantic (``quizapp.views.validation``)."""
        try:
            return super().loads(s, **kwargs)
        except RecursionError:
            raise ValueError("JSON nested too deeply") from None

    def dumps(self, obj: Any, **kwargs: Any) -> str:
        written = None if kwargs else self._written(obj)
        return written.decode() if written is not None else super().dumps(obj, **kwargs)

    def response(self, *args: Any, **kwargs: Any) -> Response:
        obj = self._prepare_response_obj(args, kwargs)
        written = self._written(obj, pretty=(self.compact is None and self._app.debug) or self.compact is False)
        if written is None:
            return super().response(obj)
        return self._app.response_class(written + b"\n", mimetype=self.mimetype)
