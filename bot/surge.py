"""Noticing when one server or group suddenly produces an unusual share of the signatures.

A brigade — a raid from one Discord server, a forwarded message in one Telegram group — shows as
one community's share of recent signatures jumping far above its usual share. The monitor keeps
per-minute counts (memory stays bounded however many people sign) and raises an alarm for a
community when, within the short window, it made at least ``minimum`` signatures, at least
``share`` of all of them, and at least twice its share over the rest of the last day. A campaign
that lives in one server never alarms (that server's usual share is already everything), and
nor does a campaign without a day's history yet: there is no "usual" to compare with.
"""

from __future__ import annotations

from collections import Counter, deque
from dataclasses import dataclass
from datetime import datetime, timedelta

__all__ = ["Surge", "SurgeMonitor"]

_BASELINE = timedelta(hours=24)


@dataclass(frozen=True, slots=True)
class Surge:
    community: str
    count: int
    total: int
    usual_share: float
    window: timedelta

    @property
    def share(self) -> float:
        return self.count / self.total


class SurgeMonitor:
    def __init__(self, window: timedelta, share: float, minimum: int) -> None:
        self.window = window
        self.share = share
        self.minimum = minimum
        self._minutes: deque[tuple[datetime, Counter[str]]] = deque()
        self._day: Counter[str] = Counter()
        self._alarmed: dict[str, datetime] = {}

    @property
    def enabled(self) -> bool:
        return self.minimum > 0 and self.window > timedelta(0)

    def record(self, community: str, at: datetime) -> Surge | None:
        """Count one signature; return a surge the first time one is seen in a window."""
        if not self.enabled:
            return None
        minute = at.replace(second=0, microsecond=0)
        if not self._minutes or self._minutes[-1][0] != minute:
            self._minutes.append((minute, Counter()))
        self._minutes[-1][1][community] += 1
        self._day[community] += 1
        while self._minutes and self._minutes[0][0] <= minute - _BASELINE:
            self._day.subtract(self._minutes.popleft()[1])
        return self._check(community, at)

    def _check(self, community: str, at: datetime) -> Surge | None:
        start = (at - self.window).replace(second=0, microsecond=0)
        recent = Counter[str]()
        for minute, counts in reversed(self._minutes):  # only the window's few minutes
            if minute < start:
                break
            recent.update(counts)
        count, total = recent[community], recent.total()
        if count < self.minimum or count < self.share * total:
            return None
        before = self._day.total() - total
        if before < self.minimum:
            return None  # no history yet to tell what is usual
        usual = (self._day[community] - count) / before
        if count / total < 2 * usual:
            return None
        last = self._alarmed.get(community)
        if last is not None and at - last < self.window:
            return None
        self._alarmed[community] = at
        return Surge(community, count, total, usual, self.window)
