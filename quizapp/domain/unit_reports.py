"""Pure rules of a unit's report (``services.unit_reports``): the prize tally of its summary sentence and which
silent units it lists."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass


def short_prize_name(name: str) -> str:
    """"Giải Nhì" -> "Nhì": the tier's name as the summary sentence lists it ("2 Nhì, 4 Ba")."""
    stripped = name.strip()
    if stripped.lower().startswith("giải "):
        rest = stripped[5:].strip()
        return rest[:1].upper() + rest[1:] if rest else stripped
    return stripped


@dataclass(frozen=True, slots=True)
class PrizeCount:
    name: str
    count: int


def prize_tally(prizes: Iterable[tuple[int, str]]) -> list[PrizeCount]:
    """Prizes won, as ``(tier position, tier name)`` pairs, counted by short name in tier order (the best tier
    first; a name seen at several positions takes its best one)."""
    counts: Counter[str] = Counter()
    best: dict[str, int] = {}
    for position, name in prizes:
        short = short_prize_name(name)
        counts[short] += 1
        best[short] = min(position, best.get(short, position))
    return [PrizeCount(name, counts[name]) for name in sorted(counts, key=lambda n: (best[n], n))]


def highest_silent(units: Sequence[tuple[int, int | None]], participants: dict[int, int], top: int) -> list[int]:
    """Units ``(id, parent id)`` under ``top`` (excluded) where nobody took part, each listed once: a silent unit
    whose parent is silent too is already covered by it. ``units`` come parents first."""
    silent: set[int] = set()
    listed: list[int] = []
    for unit_id, parent_id in units:
        if unit_id == top or participants.get(unit_id, 0):
            continue
        silent.add(unit_id)
        if parent_id not in silent:
            listed.append(unit_id)
    return listed
