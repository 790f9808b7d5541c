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

from collections.abc import Awaitable, Callable, Coroutine, Sequence
from datetime import datetime
from typing import Any, TypeVar

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

__all__ = ["CountChange", "UnitRunner", "WatchedTx"]


T = TypeVar("T")
#: Applies a change to the approved count inside a unit, so milestones and live posts follow
#: in the same transaction (the service's, handed to the use cases that change the count).
CountChange = Callable[[WriteTx, int, datetime], Awaitable[None]]
#: What a :class:`~bot.ports.WriteTx` method returns: the coroutine the unit awaits.
Step = Coroutine[Any, Any, T]


class _Watch:
    __slots__ = ("wrote_outbox",)

    def __init__(self) -> None:
        self.wrote_outbox = False


class WatchedTx:
    """A :class:`~bot.ports.WriteTx` that notes whether outbox rows were added through it.

    Every other method hands back the store's own coroutine rather than awaiting it in one of
    its own: a signature awaits half a dozen of them, and a coroutine layer each was a
    measurable share of the core's CPU per signature."""

    __slots__ = ("_tx", "_watch")

    def __init__(self, tx: WriteTx, watch: _Watch) -> None:
        self._tx = tx
        self._watch = watch

    async def add_outbox(self, messages: Sequence[OutboxMessage], at: datetime) -> None:
        await self._tx.add_outbox(messages, at)
        if messages:
            self._watch.wrote_outbox = True

    def schedule_live_edits(self, edits: Sequence[LiveEditOwed], at: datetime) -> Step[None]:
        if not edits:  # every count change asks; most find no live post owed an edit
            return self._tx.schedule_live_edits(edits, at)
        return self._schedule_live_edits(edits, at)

    async def _schedule_live_edits(self, edits: Sequence[LiveEditOwed], at: datetime) -> None:
        await self._tx.schedule_live_edits(edits, at)
        self._watch.wrote_outbox = True

    def add_to_count(self, delta: int, on_change: CountListener | None = None) -> Step[None]:
        if on_change is None:
            return self._tx.add_to_count(delta)
        listener = on_change

        def watched(tx: WriteTx, old: int, new: int) -> Awaitable[None]:
            # The store calls back with the unit's own transaction, which this one watches.
            return listener(self if tx is self._tx else WatchedTx(tx, self._watch), old, new)

        return self._tx.add_to_count(delta, watched)

    # -- the rest, as they are ---------------------------------------------------------------
    def latest_signature(self, identity: Identity) -> Step[Signature | None]:
        return self._tx.latest_signature(identity)

    def get_signature(self, signature_id: int) -> Step[Signature | None]:
        return self._tx.get_signature(signature_id)

    def signatures_of(self, identity: Identity) -> Step[list[Signature]]:
        return self._tx.signatures_of(identity)

    def insert_signature(self, new: NewSignature) -> Step[Signature]:
        return self._tx.insert_signature(new)

    def update_signature(self, signature: Signature) -> Step[None]:
        return self._tx.update_signature(signature)

    def claim_milestones(self, values: Sequence[int], at: datetime) -> Step[list[int]]:
        return self._tx.claim_milestones(values, at)

    def redact_outbox(self, signature_ids: Sequence[int]) -> Step[None]:
        return self._tx.redact_outbox(signature_ids)

    def add_audit(
        self,
        at: datetime,
        actor: str,
        action: str,
        signature_id: int | None,
        reason: str | None = None,
    ) -> Step[None]:
        return self._tx.add_audit(at, actor, action, signature_id, reason)

    def record_letter_version(self, version: str, text: str, at: datetime) -> Step[bool]:
        return self._tx.record_letter_version(version, text, at)

    def reaffirm(self, signature: Signature, version: str, at: datetime) -> Step[Signature]:
        return self._tx.reaffirm(signature, version, at)

    def mark_told(self, version: str, signature_ids: Sequence[int]) -> Step[list[int]]:
        return self._tx.mark_told(version, signature_ids)

    def claim_account(self, identity: Identity) -> Step[str]:
        return self._tx.claim_account(identity)

    def accounts_of(self, persons: Sequence[str]) -> Step[list[tuple[str, Identity]]]:
        return self._tx.accounts_of(persons)

    def move_people(self, persons: Sequence[str], to: str, at: datetime) -> Step[None]:
        return self._tx.move_people(persons, to, at)

    def detach_account(self, identity: Identity) -> Step[None]:
        return self._tx.detach_account(identity)

    def add_link_code(
        self, code_hash: str, identity: Identity, at: datetime, expires_at: datetime
    ) -> Step[None]:
        return self._tx.add_link_code(code_hash, identity, at, expires_at)

    def take_link_code(self, code_hash: str, at: datetime) -> Step[Identity | None]:
        return self._tx.take_link_code(code_hash, at)

    def latest_snapshot(self) -> Step[SnapshotInfo | None]:
        return self._tx.latest_snapshot()

    def record_snapshot(self, snapshot: SnapshotInfo) -> Step[None]:
        return self._tx.record_snapshot(snapshot)

    def name_community(self, community: str, name: str, at: datetime) -> Step[None]:
        return self._tx.name_community(community, name, at)

    def add_live_post(self, post: NewLivePost) -> Step[LivePost]:
        return self._tx.add_live_post(post)

    def end_live_post(
        self, post_id: int, status: LivePostStatus, at: datetime, reason: str
    ) -> Step[LivePost | None]:
        return self._tx.end_live_post(post_id, status, at, reason)

    def end_live_posts_in(
        self, platform: str, chat: str, at: datetime, reason: str
    ) -> Step[list[LivePost]]:
        return self._tx.end_live_posts_in(platform, chat, at, reason)

    def live_edits_owed(self) -> Step[list[LiveEditOwed]]:
        return self._tx.live_edits_owed()


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

        def watched(tx: WriteTx) -> Awaitable[T]:
            watch.wrote_outbox = False  # a unit a store runs again starts from nothing
            return unit(WatchedTx(tx, watch))

        result = await self._store.write(watched)
        if watch.wrote_outbox:
            for listener in self._listeners:
                listener()
        return result
