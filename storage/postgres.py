"""The PostgreSQL store (asyncpg), for several bot processes on one database.

Writes use the same group commit as SQLite (:mod:`storage.group_commit`), with a few writer
connections per process so groups from many processes run side by side:

- Rows a unit reads in order to change them are locked (``FOR UPDATE``), so two processes
  deciding the same signature serialise on that row and the second sees the first's decision.
- The count is not a hot row held for the whole transaction: units only record their changes,
  and the group settles them with one ``UPDATE … RETURNING`` just before COMMIT. From the value it
  returns the group knows each unit's exact count before and after, so milestones are detected
  exactly once even with many processes (see ``WriteTx.add_to_count``).
- A unit that loses a race on the one-active-signature index runs again and sees the winner; a
  group chosen as a deadlock victim runs again as a whole.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Coroutine, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any, TypeVar
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import asyncpg

from bot.domain import AuditEntry, Identity, NewSignature, OutboxMessage, Signature
from bot.ports import TABLES, CountListener, Row, WriteTx
from storage.group_commit import GroupWriter, RetryGroup, Verdict
from storage.migrations import SchemaTooNew, load
from storage.rows import LIST_POS, OUTBOX_COLUMNS, SIG_COLUMNS, outbox_message, signature

__all__ = ["PostgresStore"]


def _queue_heads(platforms_param: str) -> str:
    """The head of each destination's queue: the earliest message still owed. Only heads may be
    claimed, so messages to one channel keep their order even when an earlier one waits for a
    retry or is in flight in another process. One pass over the partial queue index (a per-row
    "is anything earlier owed?" probe cost 70 ms per claim with 5,000 messages queued)."""
    return (
        "SELECT MIN(id) FROM outbox WHERE status IN ('pending', 'sending') "
        f"AND platform = ANY({platforms_param}::text[]) GROUP BY platform, destination"
    )


_log = logging.getLogger(__name__)

T = TypeVar("T")

BUCKET = 1024
_MIGRATION_LOCK = 0x706C6467  # "pldg": one process migrates at a time


def _split_url(url: str) -> tuple[str, str | None]:
    """The DSN for asyncpg and the schema named by ``?search_path=`` (created if missing)."""
    parts = urlsplit(url.replace("postgres://", "postgresql://", 1))
    query = dict(parse_qsl(parts.query))
    schema = query.get("search_path")
    return urlunsplit(parts._replace(query=urlencode(query))), schema


@dataclass(slots=True)
class _Changes:
    """What the units of one group did to the counters, settled once before COMMIT."""

    counts: list[tuple[int, CountListener | None, _Tx]] = field(default_factory=list)
    listed: int = 0
    buckets: dict[int, int] = field(default_factory=dict)

    def copy(self) -> _Changes:
        return replace(self, counts=list(self.counts), buckets=dict(self.buckets))

    def restore(self, other: _Changes) -> None:
        self.counts, self.listed, self.buckets = other.counts, other.listed, other.buckets

    def bucket(self, pos: int, delta: int) -> None:
        self.listed += delta
        self.buckets[pos // BUCKET] = self.buckets.get(pos // BUCKET, 0) + delta


class _Tx:
    """:class:`bot.ports.WriteTx` on one writer connection, inside the group transaction."""

    def __init__(self, conn: asyncpg.Connection, changes: _Changes) -> None:
        self._conn = conn
        self.changes = changes
        self.before = changes.copy()
        self.wrote = False  # a failure after writing spoils the group's transaction
        self._positions: dict[int, int | None] = {}

    async def _begin_writing(self) -> None:
        self.wrote = True

    async def _select(self, sql: str, *args: Any) -> list[Signature]:
        found = []
        for row in await self._conn.fetch(sql, *args):
            self._positions[row[0]] = row[LIST_POS]
            found.append(signature(row))
        return found

    async def latest_signature(self, identity: Identity) -> Signature | None:
        found = await self._select(
            f"SELECT {SIG_COLUMNS} FROM signatures WHERE platform = $1 AND user_id = $2 "
            "ORDER BY id DESC LIMIT 1 FOR UPDATE",
            identity.platform,
            identity.user_id,
        )
        return found[0] if found else None

    async def get_signature(self, signature_id: int) -> Signature | None:
        found = await self._select(
            f"SELECT {SIG_COLUMNS} FROM signatures WHERE id = $1 FOR UPDATE", signature_id
        )
        return found[0] if found else None

    async def signatures_of(self, identity: Identity) -> list[Signature]:
        return await self._select(
            f"SELECT {SIG_COLUMNS} FROM signatures WHERE platform = $1 AND user_id = $2 "
            "ORDER BY id FOR UPDATE",
            identity.platform,
            identity.user_id,
        )

    async def _next_pos(self) -> int:
        pos: int = await self._conn.fetchval("SELECT nextval('list_pos_seq')")
        self.changes.bucket(pos, 1)
        return pos

    async def insert_signature(self, new: NewSignature) -> Signature:
        await self._begin_writing()
        # One round trip: the listing position comes from the sequence inside the INSERT.
        row = await self._conn.fetchrow(
            "INSERT INTO signatures (platform, user_id, name, name_key, role, location, link, "
            "anonymous, community, status, letter_version, created_at, decided_at, list_pos, "
            "look_key) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,"
            "CASE WHEN $14 THEN nextval('list_pos_seq') END, $15) RETURNING id, list_pos",
            new.identity.platform, new.identity.user_id, new.name, new.name_key, new.role,
            new.location, new.link, new.anonymous, new.community, new.status.value,
            new.letter_version, new.created_at, new.decided_at, new.listed, new.look_key,
        )  # fmt: skip
        sig_id, pos = row[0], row[1]
        if pos is not None:
            self.changes.bucket(pos, 1)
        self._positions[sig_id] = pos
        return new.stored_as(sig_id)

    async def update_signature(self, signature: Signature) -> None:
        await self._begin_writing()
        if signature.id not in self._positions:
            self._positions[signature.id] = await self._conn.fetchval(
                "SELECT list_pos FROM signatures WHERE id = $1 FOR UPDATE", signature.id
            )
        pos = self._positions[signature.id]
        if signature.listed and pos is None:
            pos = await self._next_pos()
        elif not signature.listed and pos is not None:
            self.changes.bucket(pos, -1)
            pos = None
        self._positions[signature.id] = pos
        await self._conn.execute(
            "UPDATE signatures SET name = $1, name_key = $2, role = $3, location = $4, "
            "link = $5, status = $6, decided_at = $7, decided_by = $8, reason = $9, "
            "withdrawn_at = $10, erased = $11, list_pos = $12, look_key = $13 WHERE id = $14",
            signature.name, signature.name_key, signature.role, signature.location,
            signature.link, signature.status.value, signature.decided_at, signature.decided_by,
            signature.reason, signature.withdrawn_at, signature.erased, pos, signature.look_key,
            signature.id,
        )  # fmt: skip

    async def add_to_count(self, delta: int, on_change: CountListener | None = None) -> None:
        self.changes.counts.append((delta, on_change, self))

    async def claim_milestones(self, values: Sequence[int], at: datetime) -> list[int]:
        await self._begin_writing()
        found = await self._conn.fetch(
            "INSERT INTO milestones (value, reached_at) SELECT v, $2 FROM unnest($1::bigint[]) v "
            "ORDER BY v ON CONFLICT (value) DO NOTHING RETURNING value",
            sorted(set(values)),
            at,
        )
        return sorted(r[0] for r in found)

    async def add_outbox(self, messages: Sequence[OutboxMessage], at: datetime) -> None:
        if not messages:
            return
        await self._begin_writing()
        await self._conn.executemany(
            "INSERT INTO outbox (kind, platform, destination, text, signature_id, milestone, "
            "created_at, next_attempt_at) VALUES ($1,$2,$3,$4,$5,$6,$7,$7)",
            [
                (m.kind.value, m.platform, m.destination, m.text, m.signature_id, m.milestone, at)
                for m in messages
            ],
        )

    async def redact_outbox(self, signature_ids: Sequence[int]) -> None:
        if not signature_ids:
            return
        await self._begin_writing()
        await self._conn.execute(
            "UPDATE outbox SET text = '(erased)', "
            "last_error = CASE WHEN status = 'delivered' THEN last_error "
            "ELSE 'erased by the signer' END, "
            "status = CASE WHEN status = 'delivered' THEN status ELSE 'failed' END "
            "WHERE signature_id = ANY($1::bigint[])",
            list(signature_ids),
        )

    async def add_audit(
        self,
        at: datetime,
        actor: str,
        action: str,
        signature_id: int | None,
        reason: str | None = None,
    ) -> None:
        await self._begin_writing()
        await self._conn.execute(
            "INSERT INTO audit_log (at, actor, action, signature_id, reason) "
            "VALUES ($1,$2,$3,$4,$5)",
            at, actor, action, signature_id, reason,
        )  # fmt: skip

    async def record_letter_version(self, version: str, text: str, at: datetime) -> bool:
        await self._begin_writing()
        inserted = await self._conn.fetchval(
            "INSERT INTO letter_versions (version, text, first_seen) VALUES ($1,$2,$3) "
            "ON CONFLICT (version) DO NOTHING RETURNING version",
            version, text, at,
        )  # fmt: skip
        return inserted is not None


class _Session:
    """One group transaction on a writer connection (see :mod:`storage.group_commit`)."""

    def __init__(self, conn: asyncpg.Connection) -> None:
        self.conn = conn
        self.changes = _Changes()
        self._transaction: Any = None

    async def begin(self) -> None:
        self.changes = _Changes()
        self._transaction = self.conn.transaction()
        await self._transaction.start()

    def open_unit(self) -> _Tx:
        return _Tx(self.conn, self.changes)

    async def close_unit(self, tx: _Tx, error: Exception | None) -> Verdict:
        if error is None:
            return Verdict.CONTINUE
        self.changes.restore(tx.before)
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
        return isinstance(exc, asyncpg.PostgresError | asyncpg.InterfaceError | OSError)

    async def commit(self) -> None:
        try:
            await self._settle()
            await self._transaction.commit()
        except asyncpg.DeadlockDetectedError as exc:
            raise RetryGroup() from exc

    async def rollback(self) -> None:
        if self._transaction is not None:
            await self._transaction.rollback()

    async def _settle(self) -> None:
        """Apply the group's count changes in one statement each, in a fixed order (so two
        groups never deadlock here), and tell each unit its exact before/after count."""
        changes = self.changes
        total = sum(delta for delta, _, _ in changes.counts)
        if changes.counts:
            new: int = await self.conn.fetchval(
                "UPDATE counters SET value = value + $1 WHERE name = 'approved' RETURNING value",
                total,
            )
            running = new - total
            for delta, listener, tx in changes.counts:
                old, running = running, running + delta
                if listener is not None:
                    await listener(tx, old, running)
        if changes.listed:
            await self.conn.execute(
                "UPDATE counters SET value = value + $1 WHERE name = 'listed'", changes.listed
            )
        moved = sorted((b, d) for b, d in changes.buckets.items() if d)
        if moved:
            await self.conn.executemany(
                "INSERT INTO listing_buckets (bucket, n) VALUES ($1, $2) "
                "ON CONFLICT (bucket) DO UPDATE SET n = listing_buckets.n + EXCLUDED.n",
                moved,
            )


class PostgresStore:
    """:class:`bot.ports.Store` on a PostgreSQL database shared by any number of processes."""

    def __init__(
        self, url: str, *, writers: int = 4, readers: int = 8, max_group: int = 256
    ) -> None:
        self.url = url
        self._dsn, self._schema = _split_url(url)
        self._writers = writers
        self._readers = readers
        self._pool: asyncpg.Pool | None = None
        self._writer_conns: list[asyncpg.Connection] = []
        self._group: GroupWriter[_Tx] = GroupWriter(max_group)

    # -- lifecycle ---------------------------------------------------------------------------
    async def open(self) -> None:
        if self._schema:
            await self._create_schema(self._schema)
        self._pool = await asyncpg.create_pool(
            self._dsn,
            min_size=self._writers + 1,
            max_size=self._writers + self._readers,
            # A server-side limit: a client-side one would arm a timer for every statement.
            server_settings={"statement_timeout": "60000"},
        )
        try:
            async with self._pool.acquire() as conn:
                await self._migrate(conn)
            for _ in range(self._writers):
                self._writer_conns.append(await self._pool.acquire())
        except BaseException:
            await self.close()
            raise
        self._group.start([_Session(c) for c in self._writer_conns])

    async def _create_schema(self, schema: str) -> None:
        dsn = urlunsplit(urlsplit(self._dsn)._replace(query=""))
        conn = await asyncpg.connect(dsn)
        try:
            quoted = '"' + schema.replace('"', '""') + '"'
            await conn.execute(f"CREATE SCHEMA IF NOT EXISTS {quoted}")
        finally:
            await conn.close()

    async def _migrate(self, conn: asyncpg.Connection) -> None:
        migrations = load("postgres")
        async with conn.transaction():
            await conn.execute("SELECT pg_advisory_xact_lock($1)", _MIGRATION_LOCK)
            await conn.execute(
                "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)"
            )
            current = await conn.fetchval("SELECT COALESCE(MAX(version), 0) FROM schema_version")
            if current > len(migrations):
                raise SchemaTooNew(current, len(migrations))
            for migration in migrations[current:]:
                _log.info("applying migration %s", migration.name)
                await conn.execute(migration.sql)
                await conn.execute(
                    "INSERT INTO schema_version (version) VALUES ($1)", migration.version
                )

    async def close(self) -> None:
        await self._group.stop()
        if self._pool is not None:
            for conn in self._writer_conns:
                await self._pool.release(conn)
            self._writer_conns = []
            await self._pool.close()
            self._pool = None

    async def __aenter__(self) -> PostgresStore:
        await self.open()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    # -- writing -----------------------------------------------------------------------------
    async def write(self, unit: Callable[[WriteTx], Awaitable[T]]) -> T:
        result: T = await self._group.submit(unit)
        return result

    # -- reading -----------------------------------------------------------------------------
    @property
    def pool(self) -> asyncpg.Pool:
        if self._pool is None:
            raise RuntimeError("the store is not open")
        return self._pool

    async def _signatures(self, sql: str, *args: Any) -> list[Signature]:
        return [signature(r) for r in await self.pool.fetch(sql, *args)]

    async def count(self) -> int:
        value: int = await self.pool.fetchval("SELECT value FROM counters WHERE name = 'approved'")
        return value

    async def listed_count(self) -> int:
        value: int = await self.pool.fetchval("SELECT value FROM counters WHERE name = 'listed'")
        return value

    async def get_signature(self, signature_id: int) -> Signature | None:
        found = await self._signatures(
            f"SELECT {SIG_COLUMNS} FROM signatures WHERE id = $1", signature_id
        )
        return found[0] if found else None

    async def latest_signature(self, identity: Identity) -> Signature | None:
        found = await self._signatures(
            f"SELECT {SIG_COLUMNS} FROM signatures WHERE platform = $1 AND user_id = $2 "
            "ORDER BY id DESC LIMIT 1",
            identity.platform,
            identity.user_id,
        )
        return found[0] if found else None

    async def listed_page(self, start: int, limit: int) -> list[Signature]:
        buckets = await self.pool.fetch(
            "SELECT bucket, n FROM listing_buckets WHERE n > 0 ORDER BY bucket"
        )
        seen = 0
        for bucket, n in buckets:
            if seen + n > start:
                return await self._signatures(
                    f"SELECT {SIG_COLUMNS} FROM signatures WHERE list_pos >= $1 "
                    "ORDER BY list_pos LIMIT $2 OFFSET $3",
                    bucket * BUCKET,
                    limit,
                    start - seen,
                )
            seen += n
        return []

    async def pending(self, limit: int) -> list[Signature]:
        return await self._signatures(
            f"SELECT {SIG_COLUMNS} FROM signatures WHERE status = 'pending' ORDER BY id LIMIT $1",
            limit,
        )

    async def histories(self, identities: Sequence[Identity]) -> list[Signature]:
        if not identities:
            return []
        return await self._signatures(
            f"SELECT {SIG_COLUMNS} FROM signatures WHERE (platform, user_id) IN "
            "(SELECT * FROM unnest($1::text[], $2::text[])) ORDER BY id",
            [i.platform for i in identities],
            [i.user_id for i in identities],
        )

    async def approved_with_keys(self, keys: Sequence[str]) -> list[Signature]:
        return await self._signatures(
            # A UNION of two index searches, as on SQLite, rather than leaving an OR to the
            # planner.
            f"SELECT {SIG_COLUMNS} FROM signatures WHERE status = 'approved' "
            "AND name_key = ANY($1::text[]) UNION "
            f"SELECT {SIG_COLUMNS} FROM signatures WHERE status = 'approved' "
            "AND look_key = ANY($1::text[]) ORDER BY id",
            list(keys),
        )

    async def reached_milestones(self) -> list[int]:
        return [r[0] for r in await self.pool.fetch("SELECT value FROM milestones ORDER BY value")]

    async def audit_log(self, limit: int) -> list[AuditEntry]:
        found = await self.pool.fetch(
            "SELECT id, at, actor, action, signature_id, reason FROM audit_log "
            "ORDER BY id DESC LIMIT $1",
            limit,
        )
        return [AuditEntry(*r) for r in found]

    async def listed_signatures(self, batch: int = 1000) -> AsyncIterator[Signature]:
        after = 0
        while True:
            found = await self.pool.fetch(
                f"SELECT {SIG_COLUMNS} FROM signatures WHERE list_pos > $1 "
                "ORDER BY list_pos LIMIT $2",
                after,
                batch,
            )
            for row in found:
                yield signature(row)
            if len(found) < batch:
                return
            after = found[-1][LIST_POS]

    # -- outbox ------------------------------------------------------------------------------
    async def claim_outbox(
        self, platforms: Sequence[str], now: datetime, lease_until: datetime, limit: int
    ) -> list[OutboxMessage]:
        """``SKIP LOCKED``: processes sharing a platform split the due rows between them. Only
        the head of each destination's queue is claimable, so a channel's messages keep their
        order across retries and processes."""
        found = await self.pool.fetch(
            "UPDATE outbox SET status = 'sending', lease_until = $1 WHERE id IN ("
            f"SELECT id FROM outbox WHERE id IN ({_queue_heads('$2')}) AND ("
            "(status = 'pending' AND next_attempt_at <= $3) OR "
            "(status = 'sending' AND lease_until <= $3)) "
            "ORDER BY id LIMIT $4 FOR UPDATE SKIP LOCKED) "
            f"RETURNING {OUTBOX_COLUMNS}",
            lease_until,
            list(platforms),
            now,
            limit,
        )
        return sorted((outbox_message(r) for r in found), key=lambda m: m.id)

    async def claim_next_in_queue(
        self, platform: str, destination: str, now: datetime, lease_until: datetime
    ) -> OutboxMessage | None:
        """Two processes may both find the same head; the second's update waits for the
        first's row lock, re-checks the row (now in flight) and claims nothing."""
        found = await self.pool.fetchrow(
            "UPDATE outbox SET status = 'sending', lease_until = $1 WHERE id = ("
            "SELECT id FROM outbox WHERE platform = $2 AND destination = $3 "
            "AND status IN ('pending', 'sending') ORDER BY id LIMIT 1) AND ("
            "(status = 'pending' AND next_attempt_at <= $4) OR "
            "(status = 'sending' AND lease_until <= $4)) "
            f"RETURNING {OUTBOX_COLUMNS}",
            lease_until,
            platform,
            destination,
            now,
        )
        return outbox_message(found) if found is not None else None

    async def outbox_delivered(self, message_id: int, at: datetime, ref: str | None) -> None:
        await self.pool.execute(
            "UPDATE outbox SET status = 'delivered', delivered_at = $1, ref = $2, "
            "lease_until = NULL, attempts = attempts + 1 WHERE id = $3",
            at,
            ref,
            message_id,
        )

    async def outbox_retry(self, message_id: int, next_at: datetime, error: str) -> None:
        await self.pool.execute(
            "UPDATE outbox SET status = 'pending', next_attempt_at = $1, last_error = $2, "
            "lease_until = NULL, attempts = attempts + 1 WHERE id = $3",
            next_at,
            error[:500],
            message_id,
        )

    async def outbox_failed(self, message_id: int, at: datetime, error: str) -> None:
        await self.pool.execute(
            "UPDATE outbox SET status = 'failed', delivered_at = $1, last_error = $2, "
            "lease_until = NULL, attempts = attempts + 1 WHERE id = $3",
            at,
            error[:500],
            message_id,
        )

    async def outbox_release_claims(self, platforms: Sequence[str]) -> int:
        """Other live processes may hold claims: a dead one's come back when its lease ends."""
        return 0

    async def next_outbox_due(self, platforms: Sequence[str]) -> datetime | None:
        due: datetime | None = await self.pool.fetchval(
            "SELECT MIN(CASE status WHEN 'pending' THEN next_attempt_at ELSE lease_until END) "
            f"FROM outbox WHERE id IN ({_queue_heads('$1')})",
            list(platforms),
        )
        return due

    async def outbox_messages(self) -> list[OutboxMessage]:
        found = await self.pool.fetch(f"SELECT {OUTBOX_COLUMNS} FROM outbox ORDER BY id")
        return [outbox_message(r) for r in found]

    async def outbox_refs(self, signature_id: int, kind: str) -> list[tuple[str, str, str]]:
        found = await self.pool.fetch(
            "SELECT platform, destination, ref FROM outbox WHERE signature_id = $1 "
            "AND kind = $2 AND status = 'delivered' AND ref IS NOT NULL ORDER BY id",
            signature_id,
            kind,
        )
        return [(r[0], r[1], r[2]) for r in found]

    # -- transfer (pledgebot copy-store) -----------------------------------------------------
    async def is_empty(self) -> bool:
        total: int = await self.pool.fetchval(
            "SELECT (SELECT COUNT(*) FROM signatures) + (SELECT COUNT(*) FROM outbox) "
            "+ (SELECT COUNT(*) FROM audit_log) + (SELECT COUNT(*) FROM milestones) "
            "+ (SELECT COUNT(*) FROM letter_versions)"
        )
        return total == 0

    async def clear(self) -> None:
        # TRUNCATE does not fire the audit log's row triggers (which refuse DELETE).
        await self.pool.execute(
            "TRUNCATE signatures, listing_buckets, milestones, outbox, audit_log, "
            "letter_versions RESTART IDENTITY; UPDATE counters SET value = 0; "
            "ALTER SEQUENCE list_pos_seq RESTART"
        )

    async def dump(self, table: str, batch: int = 5000) -> AsyncIterator[list[Row]]:
        columns = TABLES[table]
        key = columns[0]
        where = "name IN ('approved', 'listed')" if table == "counters" else "TRUE"
        after: Any = None
        while True:
            keyset = f" AND {key} > $1" if after is not None else ""
            found = await self.pool.fetch(
                f"SELECT {', '.join(columns)} FROM {table} WHERE {where}{keyset} "
                f"ORDER BY {key} LIMIT {int(batch)}",
                *(() if after is None else (after,)),
            )
            if found:
                yield [tuple(r) for r in found]
            if len(found) < batch:
                return
            after = found[-1][0]

    async def load(self, table: str, rows: Sequence[Row]) -> None:
        if table == "counters":
            await self.pool.executemany(
                "UPDATE counters SET value = $1 WHERE name = $2",
                [(value, name) for name, value in rows],
            )
            return
        async with self.pool.acquire() as conn:
            await conn.copy_records_to_table(table, records=rows, columns=list(TABLES[table]))

    async def finish_load(self) -> None:
        async with self.pool.acquire() as conn, conn.transaction():
            for table in ("signatures", "outbox", "audit_log"):
                await conn.execute(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                    f"(SELECT COALESCE(MAX(id), 0) + 1 FROM {table}), false)"
                )
            await conn.execute(
                "SELECT setval('list_pos_seq', "
                "(SELECT COALESCE(MAX(list_pos), 0) + 1 FROM signatures), false)"
            )
