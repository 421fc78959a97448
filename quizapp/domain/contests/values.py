"""Reading single values of the contest TOML (text, integers, choices, date-times, tables), each problem
named by its TOML path; ``quizapp.domain.contests.parse`` reads the document's structure with them."""

from __future__ import annotations

import difflib
from collections.abc import Callable, Iterable, Mapping
from datetime import date, datetime, time
from typing import Any

from quizapp.domain.contests.spec import SpecProblem
from quizapp.domain.text import clean, fold

#: Python type of a parsed TOML value → its kind as named in problems, the first match winning: bool comes before
#: int and datetime before date because a bool is an int and a datetime a date.
_KINDS: tuple[tuple[type, str], ...] = (
    (bool, "boolean"), (int, "integer"), (float, "float"), (str, "text"), (datetime, "datetime"), (date, "date"),
    (time, "time"), (list, "list"),
)


def kind_of(value: object) -> str:
    """The TOML kind of a parsed value, as named in problems."""
    return next((kind for python_type, kind in _KINDS if isinstance(value, python_type)), "table")


def join_key(prefix: str, name: str) -> str:
    """``contest`` + ``title`` → ``contest.title``; the top level has no prefix."""
    return f"{prefix}.{name}" if prefix else name


class ValueReader:
    """Collects problems; a reading method returns None for a bad value (and records why)."""

    def __init__(self) -> None:
        self.problems: list[SpecProblem] = []
        self.round_name: str | None = None

    def add(self, code: str, key: str, **data: object) -> None:
        """Record a problem; one inside a round carries the round's name (``round_name``, while it is read)."""
        if self.round_name is not None and key.startswith("rounds["):
            data.setdefault("round", self.round_name)
        self.problems.append(SpecProblem(code, key, data))

    def known_keys(self, table: Mapping[str, Any], prefix: str, allowed: Iterable[str],
                   elsewhere: Mapping[str, Iterable[str]]) -> None:
        allowed = tuple(allowed)
        for name in table:
            if name in allowed:
                continue
            belongs_to = next((place for place, names in elsewhere.items() if name in names), None)
            close = difflib.get_close_matches(name, allowed, n=1, cutoff=0.6)
            self.add("unknown_key", join_key(prefix, name), name=name, suggestion=close[0] if close else None,
                     belongs_to=belongs_to)

    def table(self, parent: Mapping[str, Any], name: str, prefix: str,
              required: bool = False) -> Mapping[str, Any] | None:
        if name not in parent:
            if required:
                self.add("missing_key", join_key(prefix, name))
            return None
        value = parent[name]
        if not isinstance(value, dict):
            self.add("wrong_type", join_key(prefix, name), expected="table", found=kind_of(value))
            return None
        return value

    def tables(self, parent: Mapping[str, Any], name: str, prefix: str,
               required: bool = False) -> list[Mapping[str, Any]] | None:
        """A list of tables (``[[rounds]]``, ``draw = [{...}]``); absent and optional gives an empty list."""
        key = join_key(prefix, name)
        if name not in parent:
            if required:
                self.add("missing_key", key)
                return None
            return []
        value = parent[name]
        if not isinstance(value, list):
            self.add("wrong_type", key, expected="list_of_tables", found=kind_of(value))
            return None
        wrong = [i for i, item in enumerate(value) if not isinstance(item, dict)]
        for i in wrong:
            self.add("wrong_type", f"{key}[{i}]", expected="table", found=kind_of(value[i]))
        return None if wrong else value

    def text(self, table: Mapping[str, Any], name: str, prefix: str, *, required: bool = False, limit: int,
             allow_empty: bool = True) -> str | None:
        """Cleaned text (NFC, trimmed). Missing optional text gives ''; empty required text is a problem."""
        key = join_key(prefix, name)
        if name not in table:
            if required:
                self.add("missing_key", key)
                return None
            return ""
        value = table[name]
        if not isinstance(value, str):
            self.add("wrong_type", key, expected="text", found=kind_of(value))
            return None
        text = clean(value)
        if not text and (required or not allow_empty):
            self.add("empty_text", key)
            return None
        if len(text) > limit:
            self.add("text_too_long", key, length=len(text), limit=limit)
            return None
        return text

    def integer(self, table: Mapping[str, Any], name: str, prefix: str, *, required: bool = False,
                default: int | None = None, minimum: int, maximum: int) -> int | None:
        key = join_key(prefix, name)
        if name not in table:
            if required:
                self.add("missing_key", key)
            return default
        value = table[name]
        if isinstance(value, bool) or not isinstance(value, int):
            self.add("wrong_type", key, expected="integer", found=kind_of(value))
            return None
        if not minimum <= value <= maximum:
            self.add("out_of_range", key, value=value, minimum=minimum, maximum=maximum)
            return None
        return value

    def boolean(self, table: Mapping[str, Any], name: str, prefix: str, *, default: bool) -> bool | None:
        if name not in table:
            return default
        value = table[name]
        if not isinstance(value, bool):
            self.add("wrong_type", join_key(prefix, name), expected="boolean", found=kind_of(value))
            return None
        return value

    def choice(self, table: Mapping[str, Any], name: str, prefix: str, allowed: tuple[str, ...], *,
               default: str) -> str | None:
        key = join_key(prefix, name)
        if name not in table:
            return default
        value = table[name]
        if not isinstance(value, str):
            self.add("wrong_type", key, expected="text", found=kind_of(value))
            return None
        normalized = value.strip().lower()
        if normalized not in allowed:
            self.add("not_allowed", key, value=value, allowed=allowed)
            return None
        return normalized

    def moment(self, table: Mapping[str, Any], name: str, prefix: str) -> datetime | None:
        """A required date-time with an offset: a TOML date-time, or ISO 8601 text in quotes."""
        key = join_key(prefix, name)
        if name not in table:
            self.add("missing_key", key)
            return None
        value = table[name]
        if isinstance(value, str):
            try:
                value = datetime.fromisoformat(value.strip())
            except ValueError:
                self.add("not_a_datetime", key, value=table[name])
                return None
        if not isinstance(value, datetime):
            if isinstance(value, date | time):
                self.add("not_a_datetime", key, value=value.isoformat())
            else:
                self.add("wrong_type", key, expected="datetime", found=kind_of(value))
            return None
        if value.tzinfo is None or value.utcoffset() is None:
            self.add("naive_time", key, value=value.isoformat())
            return None
        return value

    def text_list(self, table: Mapping[str, Any], name: str, prefix: str, *, limit: int,
                  same: Callable[[str], str] = fold,
                  canonical: Mapping[str, str] | None = None) -> tuple[str, ...] | None:
        """An optional list of non-empty texts (absent: empty), each cleaned, none repeated (two texts are the
        same when ``same`` gives them one key: by default ignoring case and accents); ``canonical`` maps a
        text's key to its one spelling (``đảng viên`` → ``Đảng viên``)."""
        key = join_key(prefix, name)
        if name not in table:
            return ()
        value = table[name]
        if not isinstance(value, list):
            self.add("wrong_type", key, expected="list_of_texts", found=kind_of(value))
            return None
        problems_before = len(self.problems)
        found: list[str] = []
        first_seen: dict[str, str] = {}
        for index, item in enumerate(value):
            item_key = f"{key}[{index}]"
            text = self.list_item(item, item_key, limit)
            if text is None:
                continue
            same_key = same(text)
            text = (canonical or {}).get(same_key, text)
            if same_key in first_seen:
                self.add("duplicate_value", item_key, value=text, first=first_seen[same_key])
                continue
            first_seen[same_key] = item_key
            found.append(text)
        return None if len(self.problems) > problems_before else tuple(found)

    def list_item(self, item: object, key: str, limit: int) -> str | None:
        if not isinstance(item, str):
            self.add("wrong_type", key, expected="text", found=kind_of(item))
            return None
        text = clean(item)
        if not text:
            self.add("empty_text", key)
            return None
        if len(text) > limit:
            self.add("text_too_long", key, length=len(text), limit=limit)
            return None
        return text
