"""The store port's reads (:class:`bot.ports.Store`), the same on every SQL store."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Sequence
from datetime import datetime
from typing import Any

from bot.domain import (
    AuditEntry,
    CommunityCount,
    Identity,
    LivePost,
    Reaffirmation,
    Signature,
    SnapshotInfo,
)
from bot.ports import TABLES, Row
from storage.sql import queries as q
from storage.sql.access import SqlAccess
from storage.sql.rows import LIST_POS, live_post, signature, snapshot_info

__all__ = ["SqlReads"]


class SqlReads(SqlAccess):
    """Reads over :meth:`SqlAccess._fetch`."""

    async def _signatures(self, sql: str, *args: Any) -> list[Signature]:
        ts = self._timestamp
        return [signature(r, ts) for r in await self._fetch(sql, *args)]

    async def _counter(self, name: str) -> int:
        rows = await self._fetch(q.COUNTER, name)
        return int(rows[0][0])

    async def count(self) -> int:
        return await self._counter("approved")

    async def listed_count(self) -> int:
        return await self._counter("listed")

    async def get_signature(self, signature_id: int) -> Signature | None:
        found = await self._signatures(q.SIGNATURE_BY_ID, signature_id)
        return found[0] if found else None

    async def latest_signature(self, identity: Identity) -> Signature | None:
        found = await self._signatures(q.LATEST_SIGNATURE, str(identity))
        return found[0] if found else None

    async def histories(self, identities: Sequence[Identity]) -> list[Signature]:
        if not identities:
            return []
        return await self._signatures(q.ACCOUNT_HISTORIES, [str(i) for i in identities])

    async def histories_of(self, persons: Sequence[str]) -> list[Signature]:
        if not persons:
            return []
        return await self._signatures(q.HISTORIES, list(persons))

    async def accounts_of(self, persons: Sequence[str]) -> list[tuple[str, Identity]]:
        if not persons:
            return []
        rows = await self._fetch(q.ACCOUNTS_OF_PERSONS, list(persons))
        return [(r[0], Identity.parse(r[1])) for r in rows]

    async def person_of(self, identity: Identity) -> str:
        rows = await self._fetch(q.PERSON_OF, str(identity))
        person: str = rows[0][0]
        return person

    async def listed_page(self, start: int, limit: int) -> list[Signature]:
        """Sum the buckets' counts to find the bucket holding the ``start``-th listed
        signature, then one keyset read from that bucket's first position."""
        seen = 0
        for bucket, n in await self._fetch(q.BUCKETS):
            if seen + n > start:
                return await self._signatures(q.LISTED_FROM, bucket * q.BUCKET, limit, start - seen)
            seen += n
        return []

    async def pending(self, limit: int) -> list[Signature]:
        return await self._signatures(q.PENDING, limit)

    async def look_alikes(self, keys: Sequence[str], limit: int) -> list[Signature]:
        if not keys:
            return []
        return await self._signatures(q.LOOK_ALIKES, list(keys), limit)

    async def reached_milestones(self) -> list[int]:
        return [r[0] for r in await self._fetch(q.REACHED_MILESTONES)]

    async def stale_signers(self, version: str, after: int, limit: int) -> list[Signature]:
        return await self._signatures(q.STALE_SIGNERS, version, after, limit)

    async def lapse_candidates(self, version: str, after: int, limit: int) -> list[Signature]:
        return await self._signatures(q.LAPSE_CANDIDATES, version, after, limit)

    async def lapsed_signatures(self, after: int, limit: int) -> list[Signature]:
        return await self._signatures(q.LAPSED_SIGNATURES, after, limit)

    async def approved_by_version(self) -> list[tuple[str, int]]:
        return [(r[0], int(r[1])) for r in await self._fetch(q.APPROVED_BY_VERSION)]

    async def letter_versions(self) -> list[tuple[str, datetime]]:
        ts = self._timestamp
        return [(r[0], ts(r[1])) for r in await self._fetch(q.LETTER_VERSIONS)]  # type: ignore[misc]

    async def reaffirmations(self, signature_id: int) -> list[Reaffirmation]:
        ts = self._timestamp
        return [
            Reaffirmation(r[0], r[1], r[2], ts(r[3]))  # type: ignore[arg-type]
            for r in await self._fetch(q.SIGNATURE_VERSIONS, signature_id)
        ]

    async def audit_log(self, limit: int) -> list[AuditEntry]:
        ts = self._timestamp
        return [
            AuditEntry(r[0], ts(r[1]), r[2], r[3], r[4], r[5])  # type: ignore[arg-type]
            for r in await self._fetch(q.AUDIT_LOG, limit)
        ]

    async def community_counts(self, since: datetime, limit: int) -> list[CommunityCount]:
        rows = await self._fetch(q.COMMUNITY_COUNTS, since, limit)
        return [CommunityCount(r[0], r[1], int(r[2]), int(r[3]), int(r[4])) for r in rows]

    async def latest_snapshot(self) -> SnapshotInfo | None:
        found = await self._fetch(q.LATEST_SNAPSHOT)
        return snapshot_info(found[0], self._timestamp) if found else None

    async def listed_signatures(self, batch: int = 1000) -> AsyncIterator[Signature]:
        after = 0
        ts = self._timestamp
        while True:
            found = await self._fetch(q.LISTED_AFTER, after, batch)
            for row in found:
                yield signature(row, ts)
            if len(found) < batch:
                return
            after = found[-1][LIST_POS]

    async def live_posts(self) -> list[LivePost]:
        ts = self._timestamp
        return [live_post(r, ts) for r in await self._fetch(q.LIVE_POSTS)]

    async def live_post(self, post_id: int) -> LivePost | None:
        found = await self._fetch(q.LIVE_POST, post_id)
        return live_post(found[0], self._timestamp) if found else None

    # -- transfer: the reading side of pledgebot copy-store --------------------------------------
    async def is_empty(self) -> bool:
        found = await self._fetch(q.DATA_ROWS)
        return not found[0][0]

    async def holds_campaign(self) -> bool:
        found = await self._fetch(q.CAMPAIGN_ROWS)
        return bool(found[0][0])

    async def dump(self, table: str, batch: int = 5000) -> AsyncIterator[list[Row]]:
        convert = self._neutral_rows(TABLES[table])
        after: Any = None
        while True:
            if after is None:
                found = await self._fetch(q.dump_table(table, batch, after=False))
            else:
                found = await self._fetch(q.dump_table(table, batch, after=True), after)
            if found:
                yield [convert(r) for r in found]
            if len(found) < batch:
                return
            after = found[-1][0]

    def _neutral_rows(self, columns: Sequence[str]) -> Callable[[Sequence[Any]], Row]:
        """Rows as :data:`bot.ports.TABLES` describes them (aware datetimes, bools); a store
        whose driver returns other types converts here."""
        return tuple
