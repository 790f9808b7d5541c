"""Which communities bring the signatures: their names, and the figures of ``/communities``.

Every signature records its community (``discord:<server id>``, ``telegram:<chat id>``,
``console``). Adapters report the name a platform shows for one whenever they meet it (a
server's name on an interaction or at start-up, a group's title on a message or a rename): the
name is made inert here, once, and stored only when it differs from the one this process last
stored, so seeing a server a thousand times costs one write. The table is read from the store
each time (index searches), so its figures are the store's own.
"""

from __future__ import annotations

import logging
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any

from bot.domain import CommunityCount
from bot.hygiene import inert
from bot.limits import COMMUNITIES_SHOWN
from bot.ports import Clock, Store, WriteTx
from bot.values import frozen_value

__all__ = ["RECENT", "Communities", "CommunityRow", "CommunityTable", "clean_community_name"]

_log = logging.getLogger(__name__)

#: "Signatures in the last 24 hours".
RECENT = timedelta(hours=24)
#: The longest community name kept (servers allow 100 characters, Telegram titles 128).
NAME_LIMIT = 100
#: Names remembered per process, to skip writing one that has not changed.
_REMEMBERED = 10_000

Write = Callable[[Callable[[WriteTx], Awaitable[Any]]], Awaitable[Any]]


def clean_community_name(raw: str) -> str:
    """A platform's name for a community, made inert: normalised, no invisible or direction
    characters, mentions broken, at most :data:`NAME_LIMIT` characters. Platform escaping is
    still each adapter's at rendering."""
    return inert(raw, NAME_LIMIT)


@frozen_value
class CommunityRow:
    community: str
    name: str | None  # as the platform last showed it (inert); None until seen
    approved: int
    pending: int
    recent: int  # signatures made in the last :data:`RECENT`, whatever became of them
    share: float  # of every approved signature, 0..1

    @classmethod
    def of(cls, counts: CommunityCount, total: int) -> CommunityRow:
        share = min(counts.approved / total, 1.0) if total > 0 else 0.0
        return cls(
            counts.community, counts.name, counts.approved, counts.pending, counts.recent, share
        )


@frozen_value
class CommunityTable:
    """The top communities, most approved signatures first, and the letter's approved total."""

    rows: tuple[CommunityRow, ...]
    total: int


class Communities:
    def __init__(self, store: Store, write: Write, clock: Clock) -> None:
        self._store = store
        self._write = write
        self._clock = clock
        self._stored: OrderedDict[str, str] = OrderedDict()

    async def seen(self, community: str, raw_name: str | None) -> None:
        """A platform showed this name for a community: keep it if it is new or changed.
        Never raises: a name that cannot be stored now is stored the next time it is seen."""
        if not raw_name:
            return
        name = clean_community_name(raw_name)
        if not name or self._stored.get(community) == name:
            return
        at = self._clock.now()

        async def unit(tx: WriteTx) -> None:
            await tx.name_community(community, name, at)

        try:
            await self._write(unit)
        except Exception as exc:
            _log.warning("communities: cannot record the name of %s now: %s", community, exc)
            return
        self._stored[community] = name
        self._stored.move_to_end(community)
        while len(self._stored) > _REMEMBERED:
            self._stored.popitem(last=False)

    async def table(self, limit: int = COMMUNITIES_SHOWN) -> CommunityTable:
        """The ``limit`` communities with the most approved signatures."""
        since = self._clock.now() - RECENT
        counts = await self._store.community_counts(since, limit)
        total = await self._store.count()
        return CommunityTable(tuple(CommunityRow.of(c, total) for c in counts), total)
