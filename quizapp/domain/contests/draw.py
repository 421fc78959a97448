"""Whether each round's draw can be satisfied by the question banks, checked before a contest is created.

The banks are summarised as cells: how many active (not retired) questions share one (bank, topic,
difficulty). A draw entry's pool is every cell matching all the criteria it gives. The rules:

- a bank named in a draw must exist;
- each entry's pool holds at least ``count`` questions (the shortfall is named: needed, available);
- pools may overlap (topic A hard ×3 and topic A ×5), but an attempt never holds a question twice, so the
  entries must be satisfiable together: every group of entries needs at least as many distinct questions in
  the union of its pools as the sum of its counts. A group that is short is named, with the questions its
  pools share, the size of their union and the number needed (found exactly, as a maximum flow from the
  entries to the cells, and its minimum cut);
- a round without a draw needs at least ``question_count`` active questions in all.
"""

from __future__ import annotations

import difflib
from collections import deque
from collections.abc import Collection, Sequence
from dataclasses import dataclass

from quizapp.domain.contests.spec import ContestSpec, DrawSpec, RoundSpec, SpecProblem, draw_key, round_key
from quizapp.domain.text import fold


@dataclass(frozen=True, slots=True)
class QuestionCell:
    """The number of active questions with one (bank, topic, difficulty)."""

    bank: str
    topic: str | None
    difficulty: str | None
    count: int


def matches(entry: DrawSpec, cell: QuestionCell) -> bool:
    """True when the questions of ``cell`` meet every criterion the draw entry gives."""
    return ((entry.topic is None or cell.topic == entry.topic)
            and (entry.bank is None or cell.bank == entry.bank)
            and (entry.difficulty is None or cell.difficulty == entry.difficulty))


def draw_problems(spec: ContestSpec, cells: Sequence[QuestionCell],
                  bank_names: Collection[str]) -> list[SpecProblem]:
    """Every reason the rounds of ``spec`` cannot draw their questions from ``cells`` (empty when all can)."""
    problems: list[SpecProblem] = []
    for index, round_spec in enumerate(spec.rounds):
        if round_spec.draw:
            problems.extend(_round_draw_problems(index, round_spec, cells, bank_names))
        else:
            available = sum(cell.count for cell in cells)
            if available < round_spec.question_count:
                problems.append(SpecProblem("not_enough_questions", f"{round_key(index)}.question_count",
                                            {"needed": round_spec.question_count, "available": available,
                                             "round": round_spec.name}))
    return problems


def _round_draw_problems(index: int, round_spec: RoundSpec, cells: Sequence[QuestionCell],
                         bank_names: Collection[str]) -> list[SpecProblem]:
    problems: list[SpecProblem] = []
    pools: list[frozenset[int]] = []
    for position, entry in enumerate(round_spec.draw):
        key = draw_key(index, position)
        if entry.bank is not None and entry.bank not in bank_names:
            problems.append(SpecProblem("unknown_bank", f"{key}.bank", {
                "bank": entry.bank, "suggestion": closest(entry.bank, bank_names), "round": round_spec.name}))
            continue
        pool = frozenset(i for i, cell in enumerate(cells) if matches(entry, cell))
        available = _size(pool, cells)
        if available < entry.count:
            problems.append(SpecProblem("draw_shortfall", key, {
                "topic": entry.topic, "bank": entry.bank, "difficulty": entry.difficulty,
                "needed": entry.count, "available": available,
                "suggestion": _topic_suggestion(entry, cells, available), "round": round_spec.name}))
        pools.append(pool)
    if not problems:
        problems.extend(_overlap_problems(index, round_spec, pools, cells))
    return problems


def _size(pool: frozenset[int], cells: Sequence[QuestionCell]) -> int:
    return sum(cells[i].count for i in pool)


def _topic_suggestion(entry: DrawSpec, cells: Sequence[QuestionCell], available: int) -> str | None:
    """The nearest existing topic when the entry's topic matches no question at all (a likely misspelling)."""
    if available or entry.topic is None:
        return None
    topics = {cell.topic for cell in cells if cell.topic}
    return None if entry.topic in topics else closest(entry.topic, topics)


def closest(value: str, names: Collection[str]) -> str | None:
    """The name ``value`` was most likely meant to be: equal but for accents, case or a small slip."""
    by_key = {fold(name): name for name in sorted(names)}
    close = difflib.get_close_matches(fold(value), list(by_key), n=1, cutoff=0.85)
    return by_key[close[0]] if close else None


def _overlap_problems(index: int, round_spec: RoundSpec, pools: Sequence[frozenset[int]],
                      cells: Sequence[QuestionCell]) -> list[SpecProblem]:
    """The group of entries whose overlapping pools cannot give each entry its own questions, if any."""
    short = _short_group([entry.count for entry in round_spec.draw], pools, cells)
    if not short:
        return []
    union = frozenset().union(*(pools[i] for i in short))
    shared = frozenset(c for c in union if sum(c in pools[i] for i in short) > 1)
    first, *others = short
    return [SpecProblem("draw_pools_overlap", draw_key(index, first), {
        "others": [draw_key(index, i) for i in others], "shared": _size(shared, cells),
        "union": _size(union, cells), "needed": sum(round_spec.draw[i].count for i in short),
        "round": round_spec.name})]


def _short_group(counts: Sequence[int], pools: Sequence[frozenset[int]],
                 cells: Sequence[QuestionCell]) -> list[int]:
    """Entries (indexes) that together need more questions than their pools hold; [] when all can be served.

    Maximum flow source → entry (its count) → matching cell → sink (the cell's questions), by shortest
    augmenting paths; when the flow falls short, the entries still reachable from the source in the residual
    graph are a group whose union is too small (the minimum cut).
    """
    entries = len(counts)
    sink = entries + len(cells)
    capacity: dict[tuple[int, int], int] = {}
    for i, pool in enumerate(pools):
        capacity[(-1, i)] = counts[i]
        for cell in pool:
            capacity[(i, entries + cell)] = sum(counts)
            capacity[(entries + cell, sink)] = cells[cell].count
    edges: dict[int, set[int]] = {}
    for a, b in list(capacity):
        edges.setdefault(a, set()).add(b)
        edges.setdefault(b, set()).add(a)
        capacity.setdefault((b, a), 0)
    while (path := _augmenting_path(edges, capacity, sink)) is not None:
        pushed = min(capacity[edge] for edge in path)
        for a, b in path:
            capacity[(a, b)] -= pushed
            capacity[(b, a)] += pushed
    reachable = _reachable(edges, capacity)
    if not any(capacity[(-1, i)] for i in range(entries)):
        return []
    return sorted(i for i in range(entries) if i in reachable)


def _augmenting_path(edges: dict[int, set[int]], capacity: dict[tuple[int, int], int],
                     sink: int) -> list[tuple[int, int]] | None:
    parent = {-1: -1}
    queue = deque([-1])
    while queue:
        node = queue.popleft()
        for following in edges.get(node, ()):
            if following not in parent and capacity[(node, following)] > 0:
                parent[following] = node
                if following == sink:
                    path = []
                    while following != -1:
                        path.append((parent[following], following))
                        following = parent[following]
                    return path
                queue.append(following)
    return None


def _reachable(edges: dict[int, set[int]], capacity: dict[tuple[int, int], int]) -> set[int]:
    seen, queue = {-1}, deque([-1])
    while queue:
        node = queue.popleft()
        for following in edges.get(node, ()):
            if following not in seen and capacity[(node, following)] > 0:
                seen.add(following)
                queue.append(following)
    return seen
