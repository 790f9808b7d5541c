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
from datetime import datetime, timedelta

from bot.values import frozen_value

__all__ = ["Surge", "SurgeMonitor"]

_BASELINE = timedelta(hours=24)
_MINUTE = timedelta(minutes=1)


@frozen_value
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
        #: Whether anything is watched; worked out once, as record() runs for every signature.
        self.enabled = minimum > 0 and window > timedelta(0)
        self._minutes: deque[tuple[datetime, Counter[str]]] = deque()
        self._day: Counter[str] = Counter()
        self._day_total = 0
        self._alarmed: dict[str, datetime] = {}
        # The window's counts, summed once and then kept up to date signature by signature
        # while the newest minute and the window's first minute stay the same, from
        # _same_from to _same_until (a burst signs thousands of times a minute: summing the
        # window's minutes for each signature cost more than the rest of the check).
        self._recent: Counter[str] = Counter()
        self._recent_total = 0
        self._same_from: datetime | None = None
        self._same_until = datetime.max

    def record(self, community: str, at: datetime) -> Surge | None:
        """Count one signature; return a surge the first time one is seen in a window."""
        if not self.enabled:
            return None
        if self._same_from is not None and self._same_from <= at < self._same_until:
            # The newest minute and the window's first minute are those of the last call.
            self._minutes[-1][1][community] += 1
            self._day[community] += 1
            self._day_total += 1
            self._recent[community] += 1
            self._recent_total += 1
            return self._check(community, at)
        minute = at.replace(second=0, microsecond=0)
        if not self._minutes or self._minutes[-1][0] != minute:
            self._minutes.append((minute, Counter()))
        self._minutes[-1][1][community] += 1
        self._day[community] += 1
        self._day_total += 1
        while self._minutes and self._minutes[0][0] <= minute - _BASELINE:
            gone = self._minutes.popleft()[1]
            self._day.subtract(gone)
            self._day_total -= gone.total()
        start = (at - self.window).replace(second=0, microsecond=0)
        self._recent = Counter()
        for when, counts in reversed(self._minutes):  # only the window's few minutes
            if when < start:
                break
            self._recent.update(counts)
        self._recent_total = self._recent.total()
        # Until the minute or the window's first minute turns, the next signatures only add
        # to these counts.
        self._same_from = max(minute, start + self.window)
        self._same_until = min(minute + _MINUTE, start + _MINUTE + self.window)
        return self._check(community, at)

    def _check(self, community: str, at: datetime) -> Surge | None:
        count, total = self._recent[community], self._recent_total
        if count < self.minimum or count < self.share * total:
            return None
        before = self._day_total - total
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
