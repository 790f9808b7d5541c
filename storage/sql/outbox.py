"""The store port's outbox operations (:class:`bot.ports.Store`), the same on every SQL store."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from bot.domain import OutboxMessage
from storage.sql import queries as q
from storage.sql.access import SqlAccess
from storage.sql.rows import outbox_message

__all__ = ["SqlOutbox"]

_ERROR_LENGTH = 500


class SqlOutbox(SqlAccess):
    """Claims and bookkeeping over :meth:`SqlAccess._change`, reads over ``_fetch``.
    ``outbox_release_claims`` is left to each store: whether a claim found at start-up can be
    a live process's depends on how many processes share the database."""

    _CLAIM_OUTBOX = q.claim_outbox()

    def _messages(self, rows: Sequence[Sequence[object]]) -> list[OutboxMessage]:
        ts = self._timestamp
        return sorted((outbox_message(r, ts) for r in rows), key=lambda m: m.id)

    async def claim_outbox(
        self, platforms: Sequence[str], now: datetime, lease_until: datetime, limit: int
    ) -> list[OutboxMessage]:
        if not platforms:
            return []
        rows = await self._change(self._CLAIM_OUTBOX, lease_until, list(platforms), now, limit)
        return self._messages(rows)

    async def claim_next_in_queue(
        self, platform: str, destination: str, now: datetime, lease_until: datetime
    ) -> OutboxMessage | None:
        rows = await self._change(q.CLAIM_NEXT_IN_QUEUE, lease_until, platform, destination, now)
        return outbox_message(rows[0], self._timestamp) if rows else None

    async def outbox_delivered(self, message_id: int, at: datetime, ref: str | None) -> None:
        await self._change(q.OUTBOX_DELIVERED, at, ref, message_id)

    async def outbox_retry(self, message_id: int, next_at: datetime, error: str) -> None:
        await self._change(q.OUTBOX_RETRY, next_at, error[:_ERROR_LENGTH], message_id)

    async def outbox_failed(self, message_id: int, at: datetime, error: str) -> None:
        await self._change(q.OUTBOX_FAILED, at, error[:_ERROR_LENGTH], message_id)

    async def next_outbox_due(self, platforms: Sequence[str]) -> datetime | None:
        if not platforms:
            return None
        rows = await self._fetch(q.NEXT_OUTBOX_DUE, list(platforms))
        return self._timestamp(rows[0][0])

    async def outbox_refs(self, signature_id: int, kind: str) -> list[tuple[str, str, str]]:
        rows = await self._fetch(q.OUTBOX_REFS, signature_id, kind)
        return [(r[0], r[1], r[2]) for r in rows]

    async def outbox_messages(self) -> list[OutboxMessage]:
        return self._messages(await self._fetch(q.OUTBOX_MESSAGES))
