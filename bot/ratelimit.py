"""Per-account rate limits: a token bucket per account and kind of command, kept in memory.

One account may send commands only so fast, whatever the platform: the service asks
:meth:`RateLimiter.take` at the top of every use case that acts for someone, before any store
work, so a flooding account costs a dictionary lookup and never a query. Each kind of command
(:class:`Family`) has its own bucket: reading the letter quickly does not use up signing, and a
moderator deciding a queue is not slowed by having read it.

Each bucket is kept as one number, the generic cell rate algorithm's "theoretical arrival time"
(the moment its bucket would be full again), which is exactly a token bucket of ``burst`` tokens
refilled at ``per_minute``: an account may send ``burst`` commands at once, then one every
``60 / per_minute`` seconds. A full bucket holds no information, so an account unseen for a while
costs nothing, and at most ``tracked_accounts`` buckets are kept: beyond that the least recently
used is forgotten (usually full by then; if not, that account starts afresh, the price of memory
that stays bounded under a flood of accounts made for the purpose). The counters live in each
process: several processes on one database each apply the limits to what they serve.
"""

from __future__ import annotations

import logging
import math
import time
from collections import OrderedDict
from collections.abc import Callable
from enum import StrEnum

from bot.domain import Identity
from bot.errors import SlowDown
from bot.values import frozen_value

__all__ = ["Family", "Limit", "RateLimiter", "RateLimits"]

_log = logging.getLogger(__name__)


class Family(StrEnum):
    """Kinds of command, each with its own bucket per account."""

    READING = "reading"  # the letter, the count, the list, one's own status
    SIGNING = "signing"  # signing, withdrawing, reaffirming, linking accounts
    MODERATING = "moderating"  # the queue, decisions, exports, the audit log


@frozen_value
class Limit:
    """``burst`` commands at once, then ``per_minute`` more a minute; ``per_minute == 0``
    means no limit for this kind."""

    burst: int
    per_minute: float

    @property
    def unlimited(self) -> bool:
        return self.per_minute <= 0

    @property
    def interval(self) -> float:
        """Seconds between two commands once the burst is spent."""
        return 60.0 / self.per_minute


@frozen_value
class RateLimits:
    """What the configuration (``[rate_limits]``) says; it holds the only defaults."""

    reading: Limit
    signing: Limit
    moderating: Limit
    tracked_accounts: int

    def of(self, family: Family) -> Limit:
        match family:
            case Family.READING:
                return self.reading
            case Family.SIGNING:
                return self.signing
            case Family.MODERATING:
                return self.moderating


class RateLimiter:
    """The buckets of every account seen lately, for every :class:`Family`."""

    def __init__(
        self, limits: RateLimits | None, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.limits = limits
        self._clock = clock
        #: Per family: (seconds one command costs, seconds the whole burst holds); none for a
        #: family without a limit. Worked out once: take() runs for every command.
        self._costs: dict[Family, tuple[float, float]] = {}
        if limits is not None:
            for family in Family:
                limit = limits.of(family)
                if not limit.unlimited:
                    self._costs[family] = (limit.interval, limit.burst * limit.interval)
        self._cap = limits.tracked_accounts if limits is not None else 0
        #: (family, platform, user id) -> when that bucket is full again (monotonic seconds).
        self._full_at: OrderedDict[tuple[Family, str, str], float] = OrderedDict()
        self._warned = False

    def __len__(self) -> int:
        """How many buckets are kept (at most ``tracked_accounts``)."""
        return len(self._full_at)

    def take(self, identity: Identity, family: Family) -> None:
        """Spend one command of ``family`` for ``identity``, or raise :class:`SlowDown` saying
        how many seconds until the next one is allowed (nothing is spent then)."""
        cost = self._costs.get(family)
        if cost is None:
            return
        interval, holds = cost
        now = self._clock()
        # The member itself, not its ``.value``: a StrEnum hashes as its string, while
        # ``.value`` is a Python-level property (0.7 us, a third of this method).
        key = (family, identity.platform, identity.user_id)
        buckets = self._full_at
        full_at = buckets.get(key, now)
        if full_at < now:
            full_at = now
        # The bucket holds ``holds`` seconds of commands; a command costs one interval.
        early = full_at + interval - now - holds
        if early > 1e-9:
            raise SlowDown(max(1, math.ceil(early)))
        buckets[key] = full_at + interval
        buckets.move_to_end(key)
        if len(buckets) > self._cap:
            buckets.popitem(last=False)
            if not self._warned:
                self._warned = True
                _log.warning(
                    "rate limits: more than %d accounts active at once; forgetting the least "
                    "recently seen (rate_limits.tracked_accounts)",
                    self._cap,
                )
