"""Who may take part in a contest (its audience): the rule, written once.

A contest's audience is a list of units and a list of participants' categories, both optional:

- with units, a participant may take part when the unit they registered with is one of those units or lies
  below one of them (the unit tree's closure table gives every unit's ancestors, itself included); a
  participant without a unit is then outside;
- with categories, a participant may take part when their category (as registration stores it) is one of
  them; a participant without a category is then outside;
- without units, the whole tree may take part; without categories, every category (and none).

The attempt start restates this rule in SQL (``services/attempts/start.py``), as do the collective figures
(``services/collectives.py``); ``tests/test_audience_rule.py`` runs the same cases through all of them.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class AudienceUnit:
    id: int
    code: str
    name: str


@dataclass(frozen=True, slots=True)
class Audience:
    """The units (in the organizer's order) and categories that may take part; both empty: everyone."""

    units: tuple[AudienceUnit, ...] = ()
    categories: tuple[str, ...] = ()

    @property
    def limited(self) -> bool:
        return bool(self.units or self.categories)

    def admits(self, unit_ancestor_ids: Collection[int], category: str | None) -> bool:
        """Whether a participant may take part: ``unit_ancestor_ids`` are the ids of their unit and of every
        unit above it (empty without a unit), ``category`` theirs as stored."""
        if self.units and not any(unit.id in unit_ancestor_ids for unit in self.units):
            return False
        return not self.categories or category in self.categories


EVERYONE = Audience()
