"""Running the core's units of work, and waking the outbox when one owes messages.

A unit (an ``async`` function of a :class:`~bot.ports.WriteTx`) writes its outbox rows in the
same transaction as their cause, and only the transaction knows whether it did: a milestone's
announcement, for one, is written by the count listener a store may call just before COMMIT.
So :class:`UnitRunner` hands each unit a :class:`WatchedTx`, which notes every ``add_outbox``
that adds rows (count listeners get the same watch), and once the store has committed it tells
its listeners — the outbox dispatcher's ``notify`` — if, and only if, rows were written. The
service's use cases then say nothing about the outbox at all.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime
from typing import TypeVar

from bot.domain import (
    Identity,
    LivePost,
    LivePostStatus,
    NewLivePost,
    NewSignature,
    OutboxMessage,
    Signature,
    SnapshotInfo,
)
from bot.ports import CountListener, LiveEditOwed, Store, WriteTx

__all__ = ["UnitRunner", "WatchedTx"]


T = TypeVar("T")


class _Watch:
    __slots__ = ("wrote_outbox",)

    def __init__(self) -> None:
        self.wrote_outbox = False


class WatchedTx:
    """A :class:`~bot.ports.WriteTx` that notes whether outbox rows were added through it."""

    __slots__ = ("_tx", "_watch")

    def __init__(self, tx: WriteTx, watch: _Watch) -> None:
        self._tx = tx
        self._watch = watch

    async def add_outbox(self, messages: Sequence[OutboxMessage], at: datetime) -> None:
        await self._tx.add_outbox(messages, at)
        if messages:
            self._watch.wrote_outbox = True

    async def schedule_live_edits(self, edits: Sequence[LiveEditOwed], at: datetime) -> None:
        await self._tx.schedule_live_edits(edits, at)
        if edits:
            self._watch.wrote_outbox = True

    async def add_to_count(self, delta: int, on_change: CountListener | None = None) -> None:
        if on_change is None:
            await self._tx.add_to_count(delta)
            return
        listener = on_change

        async def watched(tx: WriteTx, old: int, new: int) -> None:
            await listener(WatchedTx(tx, self._watch), old, new)

        await self._tx.add_to_count(delta, watched)

    # -- the rest, as they are ---------------------------------------------------------------
    async def latest_signature(self, identity: Identity) -> Signature | None:
        return await self._tx.latest_signature(identity)

    async def get_signature(self, signature_id: int) -> Signature | None:
        return await self._tx.get_signature(signature_id)

    async def signatures_of(self, identity: Identity) -> list[Signature]:
        return await self._tx.signatures_of(identity)

    async def insert_signature(self, new: NewSignature) -> Signature:
        return await self._tx.insert_signature(new)

    async def update_signature(self, signature: Signature) -> None:
        await self._tx.update_signature(signature)

    async def claim_milestones(self, values: Sequence[int], at: datetime) -> list[int]:
        return await self._tx.claim_milestones(values, at)

    async def redact_outbox(self, signature_ids: Sequence[int]) -> None:
        await self._tx.redact_outbox(signature_ids)

    async def add_audit(
        self,
        at: datetime,
        actor: str,
        action: str,
        signature_id: int | None,
        reason: str | None = None,
    ) -> None:
        await self._tx.add_audit(at, actor, action, signature_id, reason)

    async def record_letter_version(self, version: str, text: str, at: datetime) -> bool:
        return await self._tx.record_letter_version(version, text, at)

    async def reaffirm(self, signature: Signature, version: str, at: datetime) -> Signature:
        return await self._tx.reaffirm(signature, version, at)

    async def mark_told(self, version: str, signature_ids: Sequence[int]) -> list[int]:
        return await self._tx.mark_told(version, signature_ids)

    async def claim_account(self, identity: Identity) -> str:
        return await self._tx.claim_account(identity)

    async def accounts_of(self, persons: Sequence[str]) -> list[tuple[str, Identity]]:
        return await self._tx.accounts_of(persons)

    async def move_people(self, persons: Sequence[str], to: str, at: datetime) -> None:
        await self._tx.move_people(persons, to, at)

    async def detach_account(self, identity: Identity) -> None:
        await self._tx.detach_account(identity)

    async def add_link_code(
        self, code_hash: str, identity: Identity, at: datetime, expires_at: datetime
    ) -> None:
        await self._tx.add_link_code(code_hash, identity, at, expires_at)

    async def take_link_code(self, code_hash: str, at: datetime) -> Identity | None:
        return await self._tx.take_link_code(code_hash, at)

    async def latest_snapshot(self) -> SnapshotInfo | None:
        return await self._tx.latest_snapshot()

    async def record_snapshot(self, snapshot: SnapshotInfo) -> None:
        await self._tx.record_snapshot(snapshot)

    async def name_community(self, community: str, name: str, at: datetime) -> None:
        await self._tx.name_community(community, name, at)

    async def add_live_post(self, post: NewLivePost) -> LivePost:
        return await self._tx.add_live_post(post)

    async def end_live_post(
        self, post_id: int, status: LivePostStatus, at: datetime, reason: str
    ) -> LivePost | None:
        return await self._tx.end_live_post(post_id, status, at, reason)

    async def end_live_posts_in(
        self, platform: str, chat: str, at: datetime, reason: str
    ) -> list[LivePost]:
        return await self._tx.end_live_posts_in(platform, chat, at, reason)

    async def live_edits_owed(self) -> list[LiveEditOwed]:
        return await self._tx.live_edits_owed()


class UnitRunner:
    """Runs units through :meth:`Store.write <bot.ports.Store.write>` and tells
    :meth:`on_outbox` listeners when a committed unit wrote outbox rows."""

    def __init__(self, store: Store) -> None:
        self._store = store
        self._listeners: list[Callable[[], None]] = []

    def on_outbox(self, listener: Callable[[], None]) -> None:
        self._listeners.append(listener)

    async def __call__(self, unit: Callable[[WriteTx], Awaitable[T]]) -> T:
        watch = _Watch()

        async def watched(tx: WriteTx) -> T:
            watch.wrote_outbox = False  # a unit a store runs again starts from nothing
            return await unit(WatchedTx(tx, watch))

        result = await self._store.write(watched)
        if watch.wrote_outbox:
            for listener in self._listeners:
                listener()
        return result
