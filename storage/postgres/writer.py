"""The PostgreSQL writer: units of work in group transactions on a few writer connections.

- Rows a unit reads in order to change them are locked (``FOR UPDATE``), so two processes
  deciding the same signature serialise on that row and the second sees the first's decision.
- The count is not a hot row held for the whole transaction: units only record their changes,
  and the group settles them with one ``UPDATE … RETURNING`` just before COMMIT. From the value it
  returns the group knows each unit's exact count before and after, so milestones are detected
  exactly once even with many processes (see ``WriteTx.add_to_count``).
- A unit that loses a race on the one-active-signature index runs again and sees the winner; a
  group chosen as a deadlock victim runs again as a whole.
- Every statement is a round trip, and under a burst round trips are the cost (each is a send and
  a server wake-up, slow on a busy machine). So the live posts owed an edit are read once per
  group: every count change in it asks, and after the first the answer is known (see
  :class:`LiveOwed`); and claiming an account also reads its person's latest signature, which
  a signature's unit asks for next. That read shares the claim's snapshot, so after waiting on
  another transaction's claim of the same account it misses what that one committed: the unit
  then loses on the one-active index and runs again, as in any race.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Coroutine, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

import asyncpg

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
from bot.ports import CountListener, LiveEditOwed
from storage.group_commit import RetryGroup, Verdict
from storage.sql import queries as q
from storage.sql.live_owed import LiveOwed
from storage.sql.rows import LIST_POS, SIG_COLUMNS, live_post, signature, snapshot_info

__all__ = ["ConnectionLost", "Session", "Tx"]

_log = logging.getLogger(__name__)

# Rows a unit reads in order to change them are locked until COMMIT.
_LATEST_SIGNATURE = q.LATEST_SIGNATURE + q.LOCK_ROWS
_SIGNATURE_BY_ID = q.SIGNATURE_BY_ID + q.LOCK_ROWS
_SIGNATURES_OF = q.SIGNATURES_OF + q.LOCK_ROWS
_LIST_POS_OF = q.LIST_POS_OF + q.LOCK_ROWS
_DETACH_SIGNATURES = q.detach_signatures(q.LOCK_ROWS)
# One round trip: the listing position comes from the sequence inside the INSERT.
_INSERT_SIGNATURE = q.insert_signature(list_pos="CASE WHEN $14 THEN nextval('list_pos_seq') END")
_NEXT_LIST_POS = "SELECT nextval('list_pos_seq')"
# An account claimed and its person's latest signature (locked) read in the same round trip: a
# signature's unit asks for both, one after the other. The person comes last, after the columns
# of the signature (all NULL where there is none).
_CLAIM_AND_LATEST = (
    f"WITH claimed AS ({q.CLAIM_ACCOUNT}) SELECT latest.*, claimed.person FROM claimed "
    f"LEFT JOIN LATERAL ({q.latest_of('claimed.person')}{q.LOCK_ROWS}) latest ON TRUE"
)
_CLAIMED_PERSON = len(SIG_COLUMNS.split(","))
# Upserts over an array: which milestones this unit reached first, in one statement.
_CLAIM_MILESTONES = (
    "INSERT INTO milestones (value, reached_at) SELECT v, $2 FROM unnest($1::bigint[]) v "
    "ORDER BY v ON CONFLICT (value) DO NOTHING RETURNING value"
)
_ADD_TO_APPROVED = "UPDATE counters SET value = value + $1 WHERE name = 'approved' RETURNING value"
_ADD_TO_LISTED = "UPDATE counters SET value = value + $1 WHERE name = 'listed'"
# A waiting edit is locked until COMMIT: a dispatcher's claim waits for it (or skips it), so it
# goes out only once this unit's count is committed.
_WAITING_LIVE_EDITS = q.WAITING_LIVE_EDITS + q.LOCK_ROWS


@dataclass(slots=True)
class Changes:
    """What the units of one group did to the counters, settled once before COMMIT."""

    counts: list[tuple[int, CountListener | None, Tx]] = field(default_factory=list)
    listed: int = 0
    buckets: dict[int, int] = field(default_factory=dict)

    def copy(self) -> Changes:
        return replace(self, counts=list(self.counts), buckets=dict(self.buckets))

    def restore(self, other: Changes) -> None:
        self.counts, self.listed, self.buckets = other.counts, other.listed, other.buckets

    def bucket(self, pos: int, delta: int) -> None:
        self.listed += delta
        self.buckets[pos // q.BUCKET] = self.buckets.get(pos // q.BUCKET, 0) + delta


class Tx:
    """:class:`bot.ports.WriteTx` on one writer connection, inside the group transaction."""

    def __init__(self, conn: asyncpg.Connection, changes: Changes, live: LiveOwed) -> None:
        self._conn = conn
        self.changes = changes
        self._live = live
        self.before = changes.copy()
        self.wrote = False  # a failure after writing spoils the group's transaction
        self._positions: dict[int, int | None] = {}
        # Latest signatures read with their account's claim, until this unit writes again.
        self._latest: dict[str, Signature | None] = {}
        self._claimed: set[str] = set()  # accounts whose row this unit holds

    def _writing(self) -> None:
        self.wrote = True
        self._latest.clear()

    async def _select(self, sql: str, *args: Any) -> list[Signature]:
        found = []
        for row in await self._conn.fetch(sql, *args):
            self._positions[row[0]] = row[LIST_POS]
            found.append(signature(row))
        return found

    async def latest_signature(self, identity: Identity) -> Signature | None:
        account = str(identity)
        if account in self._latest:
            return self._latest[account]
        found = await self._select(_LATEST_SIGNATURE, account)
        return found[0] if found else None

    async def get_signature(self, signature_id: int) -> Signature | None:
        found = await self._select(_SIGNATURE_BY_ID, signature_id)
        return found[0] if found else None

    async def signatures_of(self, identity: Identity) -> list[Signature]:
        return await self._select(_SIGNATURES_OF, str(identity))

    async def _next_pos(self) -> int:
        pos: int = await self._conn.fetchval(_NEXT_LIST_POS)
        self.changes.bucket(pos, 1)
        return pos

    async def insert_signature(self, new: NewSignature) -> Signature:
        self._writing()
        account = str(new.identity)
        if account not in self._claimed:  # every signer has a row (schema 12), as on SQLite
            await self._conn.execute(q.CLAIM_ACCOUNT, account)
            self._claimed.add(account)
        row = await self._conn.fetchrow(
            _INSERT_SIGNATURE,
            new.identity.platform, new.identity.user_id, new.name, new.name_key, new.role,
            new.location, new.link, new.anonymous, new.community, new.status.value,
            new.letter_version, new.created_at, new.decided_at, new.listed, new.look_key,
            account, new.language,
        )  # fmt: skip
        sig_id, pos = row[0], row[1]
        if pos is not None:
            self.changes.bucket(pos, 1)
        self._positions[sig_id] = pos
        return new.stored_as(sig_id, row[2])

    async def update_signature(self, signature: Signature) -> None:
        self._writing()
        if signature.id not in self._positions:
            self._positions[signature.id] = await self._conn.fetchval(_LIST_POS_OF, signature.id)
        pos = self._positions[signature.id]
        if signature.listed and pos is None:
            pos = await self._next_pos()
        elif not signature.listed and pos is not None:
            self.changes.bucket(pos, -1)
            pos = None
        self._positions[signature.id] = pos
        await self._conn.execute(
            q.UPDATE_SIGNATURE,
            signature.name, signature.name_key, signature.role, signature.location,
            signature.link, signature.status.value, signature.decided_at, signature.decided_by,
            signature.reason, signature.withdrawn_at, signature.erased, pos, signature.look_key,
            signature.id, signature.lapsed,
        )  # fmt: skip

    async def add_to_count(self, delta: int, on_change: CountListener | None = None) -> None:
        self.changes.counts.append((delta, on_change, self))

    async def claim_milestones(self, values: Sequence[int], at: datetime) -> list[int]:
        self._writing()
        found = await self._conn.fetch(_CLAIM_MILESTONES, sorted(set(values)), at)
        return sorted(r[0] for r in found)

    async def add_outbox(self, messages: Sequence[OutboxMessage], at: datetime) -> None:
        if not messages:
            return
        self._writing()
        await self._conn.executemany(
            q.ADD_OUTBOX,
            [
                (m.kind.value, m.platform, m.destination, m.text, m.signature_id, m.milestone, at)
                for m in messages
            ],
        )

    async def redact_outbox(self, signature_ids: Sequence[int]) -> None:
        if not signature_ids:
            return
        self._writing()
        await self._conn.execute(q.REDACT_OUTBOX, list(signature_ids))

    async def add_audit(
        self,
        at: datetime,
        actor: str,
        action: str,
        signature_id: int | None,
        reason: str | None = None,
    ) -> None:
        self._writing()
        await self._conn.execute(q.ADD_AUDIT, at, actor, action, signature_id, reason)

    async def record_letter_version(self, version: str, text: str, at: datetime) -> bool:
        self._writing()
        inserted = await self._conn.fetchval(q.RECORD_LETTER_VERSION, version, text, at)
        return inserted is not None

    async def reaffirm(self, signature: Signature, version: str, at: datetime) -> Signature:
        self._writing()
        await self._conn.execute(q.REAFFIRM_SIGNATURE, signature.id, version)
        await self._conn.execute(
            q.ADD_SIGNATURE_VERSION, signature.id, version, signature.letter_version, at
        )
        return signature.evolve(letter_version=version)

    async def mark_told(self, version: str, signature_ids: Sequence[int]) -> list[int]:
        if not signature_ids:
            return []
        self._writing()
        return [r[0] for r in await self._conn.fetch(q.MARK_TOLD, version, list(signature_ids))]

    async def claim_account(self, identity: Identity) -> str:
        """Also reads the person's latest signature, for the ``latest_signature`` that follows
        in a signature's unit. One snapshot serves both: where the claim waited for another
        transaction on the same account, a signature it committed meanwhile is not seen, and
        an insert then loses on the one-active index and runs again (see the module).

        Not a write that spoils the group when the unit then refuses (already signed, cooling
        down): the row it leaves is the account's own claim, the same as its next claim would
        make (a new account its own person; a known one unchanged), so the group goes on
        without a re-run, as on SQLite."""
        account = str(identity)
        row = await self._conn.fetchrow(_CLAIM_AND_LATEST, account)
        self._claimed.add(account)
        if row[0] is None:
            self._latest[account] = None
        else:
            self._positions[row[0]] = row[LIST_POS]
            self._latest[account] = signature(row)
        person: str = row[_CLAIMED_PERSON]
        return person

    async def accounts_of(self, persons: Sequence[str]) -> list[tuple[str, Identity]]:
        found = await self._conn.fetch(q.ACCOUNTS_OF_PERSONS, list(persons))
        return [(r[0], Identity.parse(r[1])) for r in found]

    async def move_people(self, persons: Sequence[str], to: str, at: datetime) -> None:
        self._writing()
        await self._conn.execute(q.MOVE_ACCOUNTS, to, at, list(persons))
        await self._conn.execute(q.MOVE_SIGNATURES, to, list(persons))

    async def detach_account(self, identity: Identity) -> None:
        self._writing()
        await self._conn.execute(
            _DETACH_SIGNATURES, str(identity), identity.platform, identity.user_id
        )
        await self._conn.execute(q.DETACH_ACCOUNT, str(identity))

    async def add_link_code(
        self, code_hash: str, identity: Identity, at: datetime, expires_at: datetime
    ) -> None:
        self._writing()
        await self._conn.execute(q.DROP_LINK_CODES, str(identity), at)
        await self._conn.execute(q.ADD_LINK_CODE, code_hash, str(identity), at, expires_at)

    async def take_link_code(self, code_hash: str, at: datetime) -> Identity | None:
        self._writing()
        account = await self._conn.fetchval(q.TAKE_LINK_CODE, code_hash, at)
        return Identity.parse(account) if account is not None else None

    async def latest_snapshot(self) -> SnapshotInfo | None:
        found = await self._conn.fetch(q.LATEST_SNAPSHOT)
        return snapshot_info(found[0]) if found else None

    async def record_snapshot(self, snapshot: SnapshotInfo) -> None:
        s = snapshot
        self._writing()
        await self._conn.execute(
            q.RECORD_SNAPSHOT, s.sha256, s.generated_at, s.approved, s.listed, s.previous
        )

    async def name_community(self, community: str, name: str, at: datetime) -> None:
        self._writing()
        await self._conn.execute(q.NAME_COMMUNITY, community, name, at)

    async def add_live_post(self, post: NewLivePost) -> LivePost:
        self._writing()
        self._live.forget()
        p = post
        row = await self._conn.fetchrow(
            q.ADD_LIVE_POST,
            p.platform, p.chat, p.message, p.community, p.language, p.posted_by, p.posted_at,
        )  # fmt: skip
        return live_post(row)

    async def end_live_post(
        self, post_id: int, status: LivePostStatus, at: datetime, reason: str
    ) -> LivePost | None:
        self._writing()
        self._live.forget()
        row = await self._conn.fetchrow(q.END_LIVE_POST, post_id, status.value, at, reason)
        return live_post(row) if row is not None else None

    async def end_live_posts_in(
        self, platform: str, chat: str, at: datetime, reason: str
    ) -> list[LivePost]:
        self._writing()
        self._live.forget()
        rows = await self._conn.fetch(q.END_LIVE_POSTS_IN, platform, chat, at, reason)
        return [live_post(r) for r in rows]

    async def live_edits_owed(self) -> list[LiveEditOwed]:
        if self._live.posts is None:
            self._live.posts = await self._read_live_edits_owed()
        return list(self._live.posts)

    async def _read_live_edits_owed(self) -> list[LiveEditOwed]:
        posts = await self._conn.fetch(q.LIVE_EDIT_DUE)
        waiting: set[tuple[str, str]] = set()
        for platform in sorted({p[1] for p in posts}):
            queues = [f"live:{p[0]}" for p in posts if p[1] == platform]
            found = await self._conn.fetch(_WAITING_LIVE_EDITS, platform, queues)
            waiting |= {(platform, row[0]) for row in found}
        return [
            (post_id, platform, due)
            for post_id, platform, due in posts
            if (platform, f"live:{post_id}") not in waiting
        ]

    async def schedule_live_edits(self, edits: Sequence[LiveEditOwed], at: datetime) -> None:
        if not edits:
            return
        self._writing()
        await self._conn.executemany(
            q.ADD_LIVE_EDIT, [(platform, f"live:{i}", at, due) for i, platform, due in edits]
        )
        await self._conn.executemany(q.SET_NEXT_EDIT, [(due, i) for i, _, due in edits])
        self._live.scheduled(edits)


class ConnectionLost(Exception):
    """A writer's connection was lost in the middle of a group: its transaction died with it,
    so every unit of the group is answered "try again" (never with the driver's error)."""


#: How long a writer waits before connecting again after a failed try: doubled at each failure
#: up to the ceiling, so a server that is down is not hammered, and one back up is found soon.
_FIRST_BACKOFF = 0.05
_MAX_BACKOFF = 2.0


class Session:
    """Group transactions on one writer connection (see :mod:`storage.group_commit`), replaced
    when it is lost.

    BEGIN, COMMIT and ROLLBACK are plain statements, not asyncpg's ``Transaction``: asyncpg
    keeps a ``Transaction`` whose BEGIN failed as the connection's current one, and every later
    ``transaction()`` on that connection then opens a SAVEPOINT — its "commit" a RELEASE inside
    a transaction that never ends, each caller told their change was saved. Here a connection
    whose BEGIN or ROLLBACK failed, or that the server reports still inside a transaction
    before a BEGIN, is dropped for a new one; and a COMMIT that the server reports as anything
    but a commit (an aborted transaction's COMMIT answers ROLLBACK) is a failure."""

    def __init__(self, connect: Callable[[], Awaitable[asyncpg.Connection]]) -> None:
        self._connect = connect
        self._conn: asyncpg.Connection | None = None
        self.changes = Changes()
        self.live = LiveOwed()
        self._backoff = 0.0
        self._next_try = 0.0  # loop time before which no new connection is tried

    @property
    def conn(self) -> asyncpg.Connection:
        if self._conn is None:
            raise ConnectionLost("the writer has no connection")
        return self._conn

    async def open(self) -> None:
        self._conn = await self._connect()

    async def close(self) -> None:
        conn, self._conn = self._conn, None
        if conn is not None and not conn.is_closed():
            try:
                await conn.close(timeout=5)
            except Exception:
                conn.terminate()

    def _drop(self) -> None:
        """Forget the connection; the next group connects again."""
        conn, self._conn = self._conn, None
        if conn is not None and not conn.is_closed():
            conn.terminate()

    async def _usable(self) -> asyncpg.Connection:
        """The connection, or a new one if it is lost or in a state this session did not leave
        it in (a transaction still open)."""
        conn = self._conn
        if conn is not None and not conn.is_closed() and not conn.is_in_transaction():
            return conn
        if conn is not None:
            _log.warning("a writer's connection to PostgreSQL was lost; connecting again")
            self._drop()
        loop = asyncio.get_running_loop()
        wait = self._next_try - loop.time()
        if wait > 0:
            await asyncio.sleep(wait)
        try:
            self._conn = await self._connect()
        except BaseException:
            self._backoff = min(_MAX_BACKOFF, max(_FIRST_BACKOFF, self._backoff * 2))
            self._next_try = loop.time() + self._backoff
            raise
        self._backoff = 0.0
        return self._conn

    async def begin(self) -> None:
        self.changes = Changes()
        self.live = LiveOwed()
        conn = await self._usable()
        try:
            await conn.execute("BEGIN")
        except Exception:
            # Nothing is written yet: on a new connection, once more (a connection lost while
            # idle is often noticed only here).
            self._drop()
            conn = await self._usable()
            try:
                await conn.execute("BEGIN")
            except BaseException:
                self._drop()
                raise
        except BaseException:  # cancelled: the server may be inside the BEGIN's transaction
            self._drop()
            raise

    def open_unit(self) -> Tx:
        return Tx(self.conn, self.changes, self.live)

    async def close_unit(self, tx: Tx, error: Exception | None) -> Verdict:
        if error is None:
            return Verdict.CONTINUE
        self.changes.restore(tx.before)
        if self._conn is None or self._conn.is_closed():
            raise ConnectionLost("the writer's connection was lost mid-group") from error
        if isinstance(error, asyncpg.DeadlockDetectedError):
            raise RetryGroup() from error  # our earlier units hold locks the winner waits for
        if isinstance(error, asyncpg.UniqueViolationError | asyncpg.SerializationError):
            return Verdict.RETRY  # lost a race: run again, and the unit sees the winner
        if isinstance(error, asyncpg.PostgresError | asyncpg.InterfaceError | OSError):
            return Verdict.WITHOUT  # the server refused: the transaction cannot go on
        return Verdict.WITHOUT if tx.wrote else Verdict.CONTINUE

    def raw(self) -> asyncpg.Connection:
        return self.conn

    async def run(self, work: Callable[[], Coroutine[Any, Any, None]]) -> None:
        await work()

    def is_store_error(self, exc: Exception) -> bool:
        return isinstance(
            exc, asyncpg.PostgresError | asyncpg.InterfaceError | OSError | ConnectionLost
        )

    async def commit(self) -> None:
        try:
            await self._settle()
        except asyncpg.DeadlockDetectedError as exc:
            raise RetryGroup() from exc
        try:
            status = await self.conn.execute("COMMIT")
        except asyncpg.DeadlockDetectedError as exc:
            raise RetryGroup() from exc
        except BaseException:
            if self._conn is None or self._conn.is_closed():
                # Its callers are told to try again; the server may have committed first.
                _log.warning("a writer's connection was lost during COMMIT: it may have landed")
            raise
        if status != "COMMIT":  # "ROLLBACK": the transaction had failed, nothing was written
            raise asyncpg.InterfaceError(f"COMMIT answered {status!r}: nothing was committed")

    async def rollback(self) -> None:
        conn = self._conn
        if conn is None or conn.is_closed() or not conn.is_in_transaction():
            return  # lost (the server rolled back), or COMMIT already ended the transaction
        try:
            await conn.execute("ROLLBACK")
        except BaseException:
            self._drop()  # in a transaction we cannot end: the next group starts afresh
            raise

    async def _settle(self) -> None:
        """Apply the group's count changes in one statement each, in a fixed order (so two
        groups never deadlock here), and tell each unit its exact before/after count."""
        changes = self.changes
        total = sum(delta for delta, _, _ in changes.counts)
        if changes.counts:
            new: int = await self.conn.fetchval(_ADD_TO_APPROVED, total)
            running = new - total
            for delta, listener, tx in changes.counts:
                old, running = running, running + delta
                if listener is not None:
                    await listener(tx, old, running)
        if changes.listed:
            await self.conn.execute(_ADD_TO_LISTED, changes.listed)
        moved = sorted((b, d) for b, d in changes.buckets.items() if d)
        if moved:
            await self.conn.executemany(q.ADD_TO_BUCKET, moved)
