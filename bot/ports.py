"""What the core needs from the outside world, as narrow Protocols.

The store is split in two: reads, which any connection may serve, and :class:`WriteTx`, the
operations of one atomic unit of work. :meth:`Store.write` runs a unit (an ``async`` function of a
``WriteTx``) and returns its result only after it is durably committed; a store may commit many
concurrent units in one transaction (group commit) as long as each unit stays all-or-nothing.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from datetime import datetime
from enum import StrEnum
from typing import Any, Protocol, TypeVar

from bot.domain import (
    AuditEntry,
    CommunityCount,
    Identity,
    LivePost,
    LivePostStatus,
    NewLivePost,
    NewSignature,
    OutboxKind,
    OutboxMessage,
    Reaffirmation,
    Signature,
    SnapshotInfo,
)
from bot.errors import StoreRefused  # raised by Store.open; re-exported for the stores

__all__ = [
    "TABLES",
    "Clock",
    "CountListener",
    "DeliveryError",
    "LiveEditOwed",
    "OpenMode",
    "Row",
    "Sender",
    "Store",
    "StoreRefused",
    "Transfer",
    "Unreachable",
    "WriteTx",
]

T = TypeVar("T")
CountListener = Callable[["WriteTx", int, int], Awaitable[None]]
#: A live post owed an edit: its id, platform, and when its latest edit was due.
LiveEditOwed = tuple[int, str, datetime]


class Clock(Protocol):
    def now(self) -> datetime: ...


class WriteTx(Protocol):
    """Operations inside one unit of work. Everything a unit does commits together or not at all."""

    async def latest_signature(self, identity: Identity) -> Signature | None:
        """The active signature of the person this account belongs to (itself, or every
        account linked with it), whichever account made it; else their latest."""

    async def get_signature(self, signature_id: int) -> Signature | None: ...

    async def signatures_of(self, identity: Identity) -> list[Signature]:
        """Every signature of the person this account belongs to, oldest first."""

    async def claim_account(self, identity: Identity) -> str:
        """The person this account belongs to; the account's row is made if missing and held
        until the unit commits, so a signature and a link of one account never pass each
        other (two units of one person that sign at once: the store's one-active-signature-per
        -person rule refuses the second, which runs again and sees the first)."""

    async def accounts_of(self, persons: Sequence[str]) -> list[tuple[str, Identity]]:
        """``(person, account)`` of every account linked into these persons."""

    async def move_people(self, persons: Sequence[str], to: str, at: datetime) -> None:
        """Every account and signature of ``persons`` now belongs to person ``to`` (a link)."""

    async def detach_account(self, identity: Identity) -> None:
        """The account is a person of its own again, with the signatures it made (an unlink)."""

    async def add_link_code(
        self, code_hash: str, identity: Identity, at: datetime, expires_at: datetime
    ) -> None:
        """Record a linking code (its hash) for this account, replacing its earlier ones;
        expired codes of every account are dropped at the same time."""

    async def take_link_code(self, code_hash: str, at: datetime) -> Identity | None:
        """Redeem a code: the account that made it, if it exists and has not expired; it is
        gone afterwards (single use)."""

    async def insert_signature(self, new: NewSignature) -> Signature:
        """Store a new signature of its account's person. The account's row is made if missing,
        as :meth:`claim_account` makes it: every account that has signed has one."""

    async def update_signature(self, signature: Signature) -> None:
        """Persist status, decision, withdrawal and erasure fields. Keeps the public listing
        (``Signature.listed``) in step, so pages never need a scan."""

    async def add_to_count(self, delta: int, on_change: CountListener | None = None) -> None:
        """Change the approved count. ``on_change(tx, old, new)`` is called, inside the same
        transaction, once the store knows the exact count before and after this change: at
        once for a single-writer store, just before COMMIT for one that counts concurrently."""

    async def claim_milestones(self, values: Sequence[int], at: datetime) -> list[int]:
        """Mark milestones reached; returns those that were not reached before (ascending)."""

    async def add_outbox(self, messages: Sequence[OutboxMessage], at: datetime) -> None: ...

    async def redact_outbox(self, signature_ids: Sequence[int]) -> None:
        """Erase the text of messages about these signatures and cancel any not yet sent:
        a mod-queue post carries the signer's details, which an erase must not leave behind."""

    async def add_audit(
        self,
        at: datetime,
        actor: str,
        action: str,
        signature_id: int | None,
        reason: str | None = None,
    ) -> None: ...

    async def record_letter_version(self, version: str, text: str, at: datetime) -> bool:
        """Remember a letter text; True when this version is new."""

    async def reaffirm(self, signature: Signature, version: str, at: datetime) -> Signature:
        """Move a signature onto letter ``version``, keeping the one it stood on in its
        version history (:meth:`Store.reaffirmations`)."""

    async def mark_told(self, version: str, signature_ids: Sequence[int]) -> list[int]:
        """Mark these signatures' signers told of ``version``; the ids of those this unit
        marked: still active, not on ``version``, and not told of it before (by another
        unit, or another process), so each signer is told once."""

    async def latest_snapshot(self) -> SnapshotInfo | None:
        """The snapshot recorded last (the chain's end), seen from inside this unit."""

    async def name_community(self, community: str, name: str, at: datetime) -> None:
        """Keep the name a platform shows for a community (a server's name, a group's title);
        a later name replaces it."""

    async def record_snapshot(self, snapshot: SnapshotInfo) -> None:
        """Record a written snapshot's hash, time, counts and previous hash."""

    # -- live letter posts (bot.liveposts) ---------------------------------------------------
    async def add_live_post(self, post: NewLivePost) -> LivePost:
        """Record a posted letter as live; its latest edit counts as due at ``posted_at``."""

    async def end_live_post(
        self, post_id: int, status: LivePostStatus, at: datetime, reason: str
    ) -> LivePost | None:
        """Stop keeping a post current; the post, if it was live until now (else None: it had
        already ended, and whoever ended it first has said so)."""

    async def end_live_posts_in(
        self, platform: str, chat: str, at: datetime, reason: str
    ) -> list[LivePost]:
        """Stop the live posts of one chat (a newer post there replaces them)."""

    async def live_edits_owed(self) -> list[LiveEditOwed]:
        """The live posts with no edit waiting to go out, oldest first. Edits already waiting
        are held until COMMIT (a row lock where several processes claim), so a dispatcher
        cannot take one between this look and this unit's count: it goes out after the count
        is committed, or it was already on its way and a new edit is owed here."""

    async def schedule_live_edits(self, edits: Sequence[LiveEditOwed], at: datetime) -> None:
        """Owe each post one edit (``live_edit`` outbox rows to ``live:<id>``) not before the
        given time, which becomes the post's latest due time."""


class OpenMode(StrEnum):
    """How a command opens its store. Any mode that finds no usable database raises
    :class:`bot.errors.StoreRefused` having created and changed nothing."""

    CREATE = "create"
    """The bot (``run``, ``console``): create the database and its schema if missing, bring an
    older schema up to date, and write. One such process per SQLite file."""
    EXISTING = "existing"
    """A command that needs a campaign that already exists and may write to it (copy-store's
    source): like ``CREATE``, but a missing database is an error, never a new empty one."""
    READ_ONLY = "read_only"
    """Reading only (``export``, ``backup``, ``publish``, ``run --only web``): the database must
    exist at this pledgebot's schema version; nothing is ever written, so it runs beside the
    bot that owns the database, even on one SQLite file. Writes raise ``StoreUnavailable``."""


class Store(Protocol):
    """The storage port. Implemented by :mod:`storage.sqlite` and :mod:`storage.postgres`, each
    constructed with a URL and an :class:`OpenMode`."""

    async def open(self) -> None: ...

    async def close(self) -> None: ...

    async def write(self, unit: Callable[[WriteTx], Awaitable[T]]) -> T: ...

    # -- reads -----------------------------------------------------------------------------
    async def count(self) -> int:
        """Approved signatures; O(1), maintained by ``add_to_count``."""

    async def listed_count(self) -> int: ...

    async def get_signature(self, signature_id: int) -> Signature | None: ...

    async def latest_signature(self, identity: Identity) -> Signature | None:
        """As :meth:`WriteTx.latest_signature`: the person's active signature, else latest."""

    async def listed_page(self, start: int, limit: int) -> list[Signature]:
        """Listed signatures in approval order, from the ``start``-th (0-based)."""

    async def pending(self, limit: int) -> list[Signature]:
        """Oldest first."""

    async def histories(self, identities: Sequence[Identity]) -> list[Signature]:
        """Every signature these accounts made, oldest first."""

    async def histories_of(self, persons: Sequence[str]) -> list[Signature]:
        """Every signature of these persons (``Signature.person``), from any of their linked
        accounts, oldest first."""

    async def accounts_of(self, persons: Sequence[str]) -> list[tuple[str, Identity]]:
        """``(person, account)`` of every account linked into these persons (a person no
        account was ever linked to has none)."""

    async def person_of(self, identity: Identity) -> str:
        """The person an account belongs to (its own ``str(identity)`` until it is linked)."""

    async def look_alikes(self, keys: Sequence[str], limit: int) -> list[Signature]:
        """Active signatures (pending or approved) whose name key or look-alike key is one of
        ``keys``, oldest first, at most ``limit`` (index searches: fast at a million rows)."""

    async def reached_milestones(self) -> list[int]: ...

    async def stale_signers(self, version: str, after: int, limit: int) -> list[Signature]:
        """Active signatures not on ``version`` whose signers were not yet told of it, with ids
        above ``after``, oldest first, at most ``limit`` (a walk along the ids, read without
        holding up writers: :meth:`WriteTx.mark_told` settles who is told)."""

    async def lapse_candidates(self, version: str, after: int, limit: int) -> list[Signature]:
        """Approved signatures not on ``version`` and not lapsed, ids above ``after``, oldest
        first, at most ``limit`` (``require_reaffirm`` turned on, or a new text)."""

    async def lapsed_signatures(self, after: int, limit: int) -> list[Signature]:
        """Lapsed signatures, ids above ``after``, oldest first, at most ``limit`` (an index
        search: ``require_reaffirm`` turned off)."""

    async def approved_by_version(self) -> list[tuple[str, int]]:
        """``(letter version, approved signatures on it)``, for every version that has some
        (an index scan, grouped)."""

    async def letter_versions(self) -> list[tuple[str, datetime]]:
        """Every letter version recorded, with when it was first seen, oldest first."""

    async def reaffirmations(self, signature_id: int) -> list[Reaffirmation]:
        """A signature's version history: each reaffirmation, oldest first."""

    async def latest_snapshot(self) -> SnapshotInfo | None:
        """The snapshot recorded last, or None before the first."""

    async def audit_log(self, limit: int) -> list[AuditEntry]:
        """Newest first."""

    async def community_counts(self, since: datetime, limit: int) -> list[CommunityCount]:
        """Approved and pending signatures per community, and those made since ``since``;
        the ``limit`` communities with the most approved (then pending, then recent) first.
        Index searches, with a name where one was recorded."""

    def listed_signatures(self, batch: int = 1000) -> AsyncIterator[Signature]:
        """Every listed signature in approval order, fetched in batches (for export)."""

    async def live_posts(self) -> list[LivePost]:
        """The live letter posts, oldest first, with their community's name where known."""

    async def live_post(self, post_id: int) -> LivePost | None:
        """One live letter post, live or ended."""

    # -- outbox ----------------------------------------------------------------------------
    async def claim_outbox(
        self, platforms: Sequence[str], now: datetime, lease_until: datetime, limit: int
    ) -> list[OutboxMessage]:
        """Take due messages for these platforms; a claimed message is invisible to other
        claimers until delivered, rescheduled, or its lease runs out (its claimer died).

        Messages to one destination go out in order: only a destination's oldest owed message
        can be claimed, so a message waiting for a retry, or in flight, holds back the ones
        after it (and a destination with nothing owed before does not wait for anything)."""

    async def claim_next_in_queue(
        self, platform: str, destination: str, now: datetime, lease_until: datetime
    ) -> OutboxMessage | None:
        """Claim one destination's head if it is due: a dispatcher that has just finished a
        message goes on with the next one to the same place with one index search, instead of
        a claim over every queue."""

    async def outbox_delivered(self, message_id: int, at: datetime, ref: str | None) -> None: ...

    async def outbox_retry(self, message_id: int, next_at: datetime, error: str) -> None: ...

    async def outbox_failed(self, message_id: int, at: datetime, error: str) -> None:
        """Give up on a message (a closed DM, a deleted channel): logged, never retried."""

    async def outbox_release_claims(self, platforms: Sequence[str]) -> int:
        """Make messages claimed by a process that is gone deliverable again, at start-up.
        Stores shared by several processes leave this to lease expiry and return 0."""

    async def next_outbox_due(self, platforms: Sequence[str]) -> datetime | None:
        """When a message can next be claimed: the earliest due time (or lease end) among the
        queue heads. A message queued behind one in flight is not due, so the dispatcher sleeps
        instead of polling in a loop while a destination is busy."""

    async def outbox_messages(self) -> list[OutboxMessage]:
        """Every outbox row with its delivery status, oldest first (operators and tests)."""

    async def outbox_refs(self, signature_id: int, kind: OutboxKind) -> list[tuple[str, str, str]]:
        """``(platform, destination, ref)`` of delivered messages about a signature (e.g. the
        mod-queue posts an adapter edits once the signature is decided)."""


TABLES: dict[str, tuple[str, ...]] = {
    "signatures": (
        "id", "platform", "user_id", "name", "name_key", "role", "location", "link", "anonymous",
        "community", "status", "letter_version", "created_at", "decided_at", "decided_by",
        "reason", "withdrawn_at", "erased", "list_pos", "look_key", "person", "notified_version",
        "lapsed", "language",
    ),
    "counters": ("name", "value"),
    "listing_buckets": ("bucket", "n"),
    "milestones": ("value", "reached_at"),
    "outbox": (
        "id", "kind", "platform", "destination", "text", "signature_id", "milestone",
        "created_at", "status", "attempts", "next_attempt_at", "lease_until", "delivered_at",
        "ref", "last_error",
    ),
    "audit_log": ("id", "at", "actor", "action", "signature_id", "reason"),
    "letter_versions": ("version", "text", "first_seen"),
    "snapshots": ("id", "sha256", "previous", "generated_at", "approved", "listed"),
    "accounts": ("account", "person", "linked_at"),
    "communities": ("community", "name", "updated_at"),
    "live_posts": (
        "id", "platform", "chat", "message", "community", "language", "posted_by", "posted_at",
        "status", "next_edit_at", "ended_at", "end_reason",
    ),
    "signature_versions": ("id", "signature_id", "version", "previous", "at"),
}  # fmt: skip
"""The logical schema every store keeps, as moved by :class:`Transfer`. Values are neutral:
``datetime`` (UTC), ``bool``, ``int``, ``str`` or ``None``; counters are ``approved`` and
``listed`` only (how a store hands out the next listing position is its own business)."""

Row = tuple[Any, ...]


class Transfer(Protocol):
    """Moving a whole campaign between stores (``pledgebot copy-store``)."""

    async def is_empty(self) -> bool: ...

    async def holds_campaign(self) -> bool:
        """Whether anyone ever signed here (or anything was audited or sent): a copy's source
        must. A letter version alone does not count, as every start of the bot records one."""

    async def clear(self) -> None:
        """Delete everything (used only with ``--force``)."""

    def dump(self, table: str, batch: int = 5000) -> AsyncIterator[list[Row]]:
        """The rows of one table of :data:`TABLES`, in its key order, in batches."""

    async def load(self, table: str, rows: Sequence[Row]) -> None:
        """Insert rows as dumped, keeping their ids."""

    async def finish_load(self) -> None:
        """After loading: continue ids and listing positions after the copied ones."""


class Unreachable(Exception):
    """A database or a platform cannot be reached now (connection refused, a server still
    starting, the network down): trying again later may work, so start-up does, for a while."""


class DeliveryError(Exception):
    """Raised by a :class:`Sender`. ``permanent`` means retrying cannot help (a closed DM)."""

    def __init__(self, message: str, *, permanent: bool = False, retry_after: float | None = None):
        super().__init__(message)
        self.permanent = permanent
        self.retry_after = retry_after


class Sender(Protocol):
    """An adapter's outbound side: posts one outbox message to its platform.

    Returns a platform reference to the posted message (a message id) when it has one. The
    outbox id is a stable idempotency key (Discord's ``nonce``) for retried sends.
    """

    platform: str

    async def deliver(self, message: OutboxMessage) -> str | None: ...
