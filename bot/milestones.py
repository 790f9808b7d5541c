"""Which milestones a change in the approved count crosses.

Pure arithmetic, so the rule can be tested exhaustively and every store applies it the same way.
Whether a crossed milestone was *already reached* (count dropped, then rose again) is the store's
memory; :meth:`bot.service.PledgeService` combines the two inside one transaction.
"""

from __future__ import annotations

from collections.abc import Iterable

from bot.values import frozen_value

__all__ = ["MilestonePolicy"]


@frozen_value
class MilestonePolicy:
    thresholds: tuple[int, ...]
    every: int = 0

    @classmethod
    def of(cls, thresholds: Iterable[int], every: int = 0) -> MilestonePolicy:
        return cls(tuple(sorted({t for t in thresholds if t > 0})), max(every, 0))

    @property
    def _base(self) -> int:
        return self.thresholds[-1] if self.thresholds else 0

    def crossed(self, old: int, new: int) -> list[int]:
        """Milestones m with ``old < m <= new``, ascending. Empty when the count did not rise.

        Runs on every change of the count: the usual one (a signature, no milestone) is
        answered with a comparison or two."""
        if new <= old:
            return []
        base = self._base
        found = [t for t in self.thresholds if old < t <= new] if old < base else []
        if self.every:
            m = base + ((max(old, base) - base) // self.every + 1) * self.every
            while m <= new:
                found.append(m)
                m += self.every
        return found

    def next_after(self, count: int) -> int | None:
        """The first milestone above ``count``: what ``/letter`` shows as the next goal."""
        for t in self.thresholds:
            if t > count:
                return t
        if not self.every:
            return None
        base = self._base
        return base + ((max(count, base) - base) // self.every + 1) * self.every
