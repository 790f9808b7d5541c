"""The embedded SQLite store (aiosqlite).

One writer connection owned by one task applies units of work in *group commits*: every unit that
queued while the previous transaction was committing runs inside the next ``BEGIN IMMEDIATE`` …
``COMMIT``, each under its own savepoint so a failing unit rolls back alone. A caller is answered
only after the commit that holds its unit, so an acknowledged signature is on disk
(``synchronous=FULL`` in WAL mode). Reads use separate connections, which WAL lets run beside the
writer without "database is locked".
"""

from __future__ import annotations

import itertools
import logging
import sqlite3
from collections.abc import AsyncIterator, Awaitable, Callable, Coroutine, Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import parse_qsl, quote, urlsplit

import aiosqlite

from bot.domain import AuditEntry, Identity, NewSignature, OutboxMessage, Signature
from bot.ports import TABLES, CountListener, Row, WriteTx
from storage.group_commit import GroupWriter, Verdict
from storage.migrations import SchemaTooNew, load
from storage.rows import (
    BOOLEAN_COLUMNS,
    LIST_POS,
    OUTBOX_COLUMNS,
    SIG_COLUMNS,
    TIMESTAMP_COLUMNS,
    outbox_message,
    signature,
)

__all__ = ["SQLiteStore", "sqlite_path"]

_log = logging.getLogger(__name__)

T = TypeVar("T")

BUCKET = 1024
MAX_GROUP = 512
_memory_ids = itertools.count(1)


@dataclass(frozen=True, slots=True)
class _Options:
    """What an SQLite URL may say besides the file: ``?timeout=SECONDS`` (how long to wait
    for another process's lock before "temporarily unavailable") and ``?mode=ro`` (read-only:
    browse or export a database without any chance of changing it)."""

    timeout: float = 10.0
    read_only: bool = False


def _options(url: str) -> _Options:
    query = dict(parse_qsl(urlsplit(url).query))
    unknown = set(query) - {"timeout", "mode"}
    if unknown:
        raise ValueError(f"unknown option {sorted(unknown)[0]!r} in the SQLite URL {url!r}")
    mode = query.get("mode", "rw")
    if mode not in ("rw", "ro"):
        raise ValueError(f"mode must be ro or rw in the SQLite URL {url!r}")
    try:
        timeout = float(query.get("timeout", "10"))
    except ValueError:
        raise ValueError(f"timeout must be a number of seconds in {url!r}") from None
    return _Options(timeout=max(timeout, 0.0), read_only=mode == "ro")


def sqlite_path(url: str) -> str:
    """``sqlite:///relative.db``, ``sqlite:////absolute.db`` or ``sqlite:///:memory:``."""
    parts = urlsplit(url)
    if parts.scheme != "sqlite" or parts.netloc or not parts.path.startswith("/"):
        raise ValueError(
            f"not an SQLite URL: {url!r} (expected sqlite:///file.db or sqlite:////abs/file.db)"
        )
    path = parts.path[1:]
    if not path:
        raise ValueError(f"the SQLite URL {url!r} names no file")
    return path


def _ts(dt: datetime) -> str:
    if dt.tzinfo is not UTC:
        dt = dt.astimezone(UTC)
    return dt.isoformat(timespec="microseconds")


def _dt(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text) if text else None


def _signature(row: Sequence[Any]) -> Signature:
    return signature(row, _dt)


def _outbox(row: Sequence[Any]) -> OutboxMessage:
    return outbox_message(row, _dt)


def _placeholders(n: int) -> str:
    return ",".join("?" * n)


def _fetchall(conn: sqlite3.Connection, sql: str, params: Sequence[Any] = ()) -> list[Any]:
    return conn.execute(sql, params).fetchall()


def drive(work: Coroutine[Any, Any, T]) -> T:
    """Run a coroutine that never suspends to its end, on the current thread.

    Units of work await only the ``WriteTx`` methods, which here do plain sqlite3 calls and
    return at once, so a whole group can run on the connection's thread without an event loop.
    """
    try:
        work.send(None)
    except StopIteration as done:
        return done.value
    work.close()
    raise RuntimeError("a unit of work waited on something other than the store")


class _WriterConnection(aiosqlite.Connection):
    """An aiosqlite connection that can also run a whole function on its own thread.

    aiosqlite hops between threads once per statement; a group commit of hundreds of statements
    pays that hop once instead. (Uses aiosqlite's ``_execute``, pinned in pyproject.toml.)
    """

    @property
    def sqlite(self) -> sqlite3.Connection:
        return self._conn

    async def run_sync(self, fn: Callable[[sqlite3.Connection], T]) -> T:
        result: T = await self._execute(fn, self._conn)
        return result


def _writer_connection(path: str, **kwargs: Any) -> _WriterConnection:
    def connector() -> sqlite3.Connection:
        return sqlite3.connect(path, **kwargs)

    return _WriterConnection(connector, 64)


@dataclass(slots=True)
class _Counters:
    """Counter rows of the current transaction, kept in memory and written once before COMMIT."""

    approved: int = 0
    listed: int = 0
    next_list_pos: int = 1
    bucket_deltas: dict[int, int] = field(default_factory=dict)

    def copy(self) -> _Counters:
        return replace(self, bucket_deltas=dict(self.bucket_deltas))

    def list_one(self) -> int:
        pos = self.next_list_pos
        self.next_list_pos += 1
        self.listed += 1
        self.bucket_deltas[pos // BUCKET] = self.bucket_deltas.get(pos // BUCKET, 0) + 1
        return pos

    def unlist(self, pos: int) -> None:
        self.listed -= 1
        self.bucket_deltas[pos // BUCKET] = self.bucket_deltas.get(pos // BUCKET, 0) - 1


class _Tx:
    """:class:`bot.ports.WriteTx` over the writer connection, inside the group transaction."""

    def __init__(self, conn: sqlite3.Connection, counters: _Counters) -> None:
        self._conn = conn
        self.counters = counters
        self.before = counters.copy()
        self.savepoint = False
        self._positions: dict[int, int | None] = {}

    async def _write(self, sql: str, params: Sequence[Any] = ()) -> Iterable[sqlite3.Row]:
        if not self.savepoint:
            self._conn.execute("SAVEPOINT unit")
            self.savepoint = True
        return _fetchall(self._conn, sql, params)

    async def _select(self, sql: str, params: Sequence[Any] = ()) -> list[Signature]:
        rows = _fetchall(self._conn, sql, params)
        out = []
        for row in rows:
            self._positions[row[0]] = row[LIST_POS]
            out.append(_signature(row))
        return out

    async def latest_signature(self, identity: Identity) -> Signature | None:
        rows = await self._select(
            f"SELECT {SIG_COLUMNS} FROM signatures WHERE platform = ? AND user_id = ? "
            "ORDER BY id DESC LIMIT 1",
            (identity.platform, identity.user_id),
        )
        return rows[0] if rows else None

    async def get_signature(self, signature_id: int) -> Signature | None:
        rows = await self._select(
            f"SELECT {SIG_COLUMNS} FROM signatures WHERE id = ?", (signature_id,)
        )
        return rows[0] if rows else None

    async def signatures_of(self, identity: Identity) -> list[Signature]:
        return await self._select(
            f"SELECT {SIG_COLUMNS} FROM signatures WHERE platform = ? AND user_id = ? ORDER BY id",
            (identity.platform, identity.user_id),
        )

    async def insert_signature(self, new: NewSignature) -> Signature:
        pos = self.counters.list_one() if new.listed else None
        rows = await self._write(
            "INSERT INTO signatures (platform, user_id, name, name_key, role, location, link, "
            "anonymous, community, status, letter_version, created_at, decided_at, list_pos, "
            "look_key) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?) RETURNING id",
            (
                new.identity.platform,
                new.identity.user_id,
                new.name,
                new.name_key,
                new.role,
                new.location,
                new.link,
                int(new.anonymous),
                new.community,
                new.status.value,
                new.letter_version,
                _ts(new.created_at),
                _ts(new.decided_at) if new.decided_at else None,
                pos,
                new.look_key,
            ),
        )
        sig_id = next(iter(rows))[0]
        self._positions[sig_id] = pos
        return new.stored_as(sig_id)

    async def update_signature(self, signature: Signature) -> None:
        if signature.id not in self._positions:
            rows = _fetchall(
                self._conn, "SELECT list_pos FROM signatures WHERE id = ?", (signature.id,)
            )
            self._positions[signature.id] = next(iter(rows))[0] if rows else None
        pos = self._positions[signature.id]
        if signature.listed and pos is None:
            pos = self.counters.list_one()
        elif not signature.listed and pos is not None:
            self.counters.unlist(pos)
            pos = None
        self._positions[signature.id] = pos
        await self._write(
            "UPDATE signatures SET name = ?, name_key = ?, role = ?, location = ?, link = ?, "
            "status = ?, decided_at = ?, decided_by = ?, reason = ?, withdrawn_at = ?, "
            "erased = ?, list_pos = ?, look_key = ? WHERE id = ?",
            (
                signature.name,
                signature.name_key,
                signature.role,
                signature.location,
                signature.link,
                signature.status.value,
                _ts(signature.decided_at) if signature.decided_at else None,
                signature.decided_by,
                signature.reason,
                _ts(signature.withdrawn_at) if signature.withdrawn_at else None,
                int(signature.erased),
                pos,
                signature.look_key,
                signature.id,
            ),
        )

    async def add_to_count(self, delta: int, on_change: CountListener | None = None) -> None:
        # The writer holds the database's write lock, so the count it loaded is exact.
        old = self.counters.approved
        self.counters.approved = old + delta
        if on_change is not None:
            await on_change(self, old, old + delta)

    async def claim_milestones(self, values: Sequence[int], at: datetime) -> list[int]:
        wanted = sorted(set(values))
        rows = _fetchall(
            self._conn,
            f"SELECT value FROM milestones WHERE value IN ({_placeholders(len(wanted))})",
            wanted,
        )
        reached = {row[0] for row in rows}
        fresh = [v for v in wanted if v not in reached]
        for value in fresh:
            await self._write(
                "INSERT INTO milestones (value, reached_at) VALUES (?, ?)", (value, _ts(at))
            )
        return fresh

    async def add_outbox(self, messages: Sequence[OutboxMessage], at: datetime) -> None:
        if not messages:
            return
        if not self.savepoint:
            self._conn.execute("SAVEPOINT unit")
            self.savepoint = True
        when = _ts(at)
        self._conn.executemany(
            "INSERT INTO outbox (kind, platform, destination, text, signature_id, milestone, "
            "created_at, next_attempt_at) VALUES (?,?,?,?,?,?,?,?)",
            [
                (
                    m.kind.value,
                    m.platform,
                    m.destination,
                    m.text,
                    m.signature_id,
                    m.milestone,
                    when,
                    when,
                )
                for m in messages
            ],
        )

    async def redact_outbox(self, signature_ids: Sequence[int]) -> None:
        if not signature_ids:
            return
        await self._write(
            "UPDATE outbox SET text = '(erased)', status = CASE WHEN status = 'delivered' "
            "THEN status ELSE 'failed' END, last_error = CASE WHEN status = 'delivered' "
            "THEN last_error ELSE 'erased by the signer' END "
            f"WHERE signature_id IN ({_placeholders(len(signature_ids))})",
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
        await self._write(
            "INSERT INTO audit_log (at, actor, action, signature_id, reason) VALUES (?,?,?,?,?)",
            (_ts(at), actor, action, signature_id, reason),
        )

    async def record_letter_version(self, version: str, text: str, at: datetime) -> bool:
        rows = await self._write(
            "INSERT INTO letter_versions (version, text, first_seen) VALUES (?,?,?) "
            "ON CONFLICT (version) DO NOTHING RETURNING version",
            (version, text, _ts(at)),
        )
        return bool(list(rows))


class _Session:
    """One group transaction on the writer connection (see :mod:`storage.group_commit`).

    ``BEGIN IMMEDIATE`` takes SQLite's write lock, so the counters loaded at the start are exact
    for the whole group; they are kept in memory and written once before COMMIT.
    """

    def __init__(self, conn: _WriterConnection) -> None:
        self.writer = conn
        self.conn: sqlite3.Connection = conn.sqlite
        self.counters = _Counters()
        self._start = _Counters()

    async def begin(self) -> None:
        self.conn.execute("BEGIN IMMEDIATE")
        found = {r[0]: r[1] for r in _fetchall(self.conn, _LOAD_COUNTERS)}
        self.counters = _Counters(found["approved"], found["listed"], found["next_list_pos"])
        self._start = self.counters.copy()

    def open_unit(self) -> _Tx:
        return _Tx(self.conn, self.counters)

    async def close_unit(self, tx: _Tx, error: Exception | None) -> Verdict:
        if error is not None:
            if tx.savepoint:
                self.conn.execute("ROLLBACK TO unit")
                self.conn.execute("RELEASE unit")
            self.counters = tx.before
        elif tx.savepoint:
            self.conn.execute("RELEASE unit")
        return Verdict.CONTINUE

    def raw(self) -> sqlite3.Connection:
        return self.conn

    async def run(self, work: Callable[[], Coroutine[Any, Any, T]]) -> T:
        """The whole group on the connection's own thread: one hop, not one per statement."""
        return await self.writer.run_sync(lambda _: drive(work()))

    def is_store_error(self, exc: Exception) -> bool:
        return isinstance(exc, sqlite3.Error)

    async def commit(self) -> None:
        end = self.counters
        if end != self._start:
            self.conn.executemany(
                "UPDATE counters SET value = ? WHERE name = ?",
                [
                    (end.approved, "approved"),
                    (end.listed, "listed"),
                    (end.next_list_pos, "next_list_pos"),
                ],
            )
            changed = [(b, d) for b, d in end.bucket_deltas.items() if d]
            if changed:
                self.conn.executemany(
                    "INSERT INTO listing_buckets (bucket, n) VALUES (?, ?) "
                    "ON CONFLICT (bucket) DO UPDATE SET n = n + excluded.n",
                    changed,
                )
        self.conn.execute("COMMIT")

    async def rollback(self) -> None:
        self.conn.execute("ROLLBACK")


_LOAD_COUNTERS = "SELECT name, value FROM counters"


class SQLiteStore:
    """:class:`bot.ports.Store` on one SQLite file."""

    def __init__(self, url: str, *, readers: int = 2, max_group: int = MAX_GROUP) -> None:
        self.url = url
        path = sqlite_path(url)
        self._options = _options(url)
        self._memory = path == ":memory:"
        self.path = (
            f"file:pledgebot-mem-{next(_memory_ids)}?mode=memory&cache=shared"
            if self._memory
            else path
        )
        self._reader_count = readers
        self._writer: aiosqlite.Connection | None = None
        self._readers: list[aiosqlite.Connection] = []
        self._next_reader = itertools.cycle(range(readers))
        self._group: GroupWriter[_Tx] = GroupWriter(max_group)

    # -- lifecycle ---------------------------------------------------------------------------
    async def _connect(self, writer: bool = False) -> aiosqlite.Connection:
        read_only = self._options.read_only
        target = f"file:{quote(self.path)}?mode=ro" if read_only else self.path
        timeout = self._options.timeout
        options: dict[str, Any] = {
            "isolation_level": None,
            "uri": self._memory or read_only,
            "timeout": timeout,
        }
        if writer:
            # The writer's thread runs whole groups; sqlite3 must allow that thread to use it.
            conn: aiosqlite.Connection = await _writer_connection(
                target, check_same_thread=False, **options
            )
        else:
            conn = await aiosqlite.connect(target, **options)
        await conn.execute_fetchall(f"PRAGMA busy_timeout = {int(timeout * 1000)}")
        await conn.execute_fetchall("PRAGMA foreign_keys = ON")
        if not self._memory and not read_only:
            await conn.execute_fetchall("PRAGMA journal_mode = WAL")
            await conn.execute_fetchall("PRAGMA synchronous = FULL")
        return conn

    async def open(self) -> None:
        if not self._memory:
            Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        try:
            self._writer = await self._connect(writer=True)
            await self._writer.execute_fetchall("PRAGMA secure_delete = ON")
            await self._migrate(self._writer)
            for _ in range(self._reader_count):
                reader = await self._connect()
                await reader.execute_fetchall("PRAGMA query_only = ON")
                self._readers.append(reader)
        except BaseException:
            await self.close()
            raise
        assert isinstance(self._writer, _WriterConnection)
        self._group.start([_Session(self._writer)])

    async def close(self) -> None:
        await self._group.stop()
        for conn in [*self._readers, self._writer]:
            if conn is not None:
                await conn.close()
        self._readers, self._writer = [], None

    async def __aenter__(self) -> SQLiteStore:
        await self.open()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    async def _migrate(self, conn: aiosqlite.Connection) -> None:
        migrations = load("sqlite")
        if self._options.read_only:
            found = list(await conn.execute_fetchall("SELECT MAX(version) FROM schema_version"))
            if (found[0][0] or 0) != len(migrations):
                raise RuntimeError(
                    f"{self.path} is at schema version {found[0][0]}, this pledgebot needs "
                    f"{len(migrations)}: open it once read-write to upgrade it"
                )
            return
        await conn.execute("BEGIN IMMEDIATE")
        try:
            await conn.execute(
                "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)"
            )
            found = list(await conn.execute_fetchall("SELECT MAX(version) FROM schema_version"))
            current = found[0][0] or 0
            if current > len(migrations):
                raise SchemaTooNew(current, len(migrations))
            for migration in migrations[current:]:
                _log.info("applying migration %s", migration.name)
                for statement in _statements(migration.sql):
                    await conn.execute(statement)
                await conn.execute(
                    "INSERT INTO schema_version (version) VALUES (?)", (migration.version,)
                )
            await conn.execute("COMMIT")
        except BaseException:
            await conn.execute("ROLLBACK")
            raise

    # -- writing -----------------------------------------------------------------------------
    async def write(self, unit: Callable[[WriteTx], Awaitable[T]]) -> T:
        result: T = await self._group.submit(unit)
        return result

    # -- reading -----------------------------------------------------------------------------
    def _reader(self) -> aiosqlite.Connection:
        if not self._readers:
            raise RuntimeError("the store is not open")
        return self._readers[next(self._next_reader)]

    async def _rows(self, sql: str, params: Sequence[Any] = ()) -> list[Any]:
        return list(await self._reader().execute_fetchall(sql, params))

    async def _signatures(self, sql: str, params: Sequence[Any] = ()) -> list[Signature]:
        return [_signature(r) for r in await self._rows(sql, params)]

    async def _counter(self, name: str) -> int:
        rows = await self._rows("SELECT value FROM counters WHERE name = ?", (name,))
        return int(rows[0][0])

    async def count(self) -> int:
        return await self._counter("approved")

    async def listed_count(self) -> int:
        return await self._counter("listed")

    async def get_signature(self, signature_id: int) -> Signature | None:
        rows = await self._signatures(
            f"SELECT {SIG_COLUMNS} FROM signatures WHERE id = ?", (signature_id,)
        )
        return rows[0] if rows else None

    async def latest_signature(self, identity: Identity) -> Signature | None:
        rows = await self._signatures(
            f"SELECT {SIG_COLUMNS} FROM signatures WHERE platform = ? AND user_id = ? "
            "ORDER BY id DESC LIMIT 1",
            (identity.platform, identity.user_id),
        )
        return rows[0] if rows else None

    async def listed_page(self, start: int, limit: int) -> list[Signature]:
        buckets = await self._rows(
            "SELECT bucket, n FROM listing_buckets WHERE n > 0 ORDER BY bucket"
        )
        seen = 0
        for bucket, n in buckets:
            if seen + n > start:
                return await self._signatures(
                    f"SELECT {SIG_COLUMNS} FROM signatures WHERE list_pos >= ? "
                    "ORDER BY list_pos LIMIT ? OFFSET ?",
                    (bucket * BUCKET, limit, start - seen),
                )
            seen += n
        return []

    async def pending(self, limit: int) -> list[Signature]:
        return await self._signatures(
            f"SELECT {SIG_COLUMNS} FROM signatures WHERE status = 'pending' ORDER BY id LIMIT ?",
            (limit,),
        )

    async def histories(self, identities: Sequence[Identity]) -> list[Signature]:
        found: list[Signature] = []
        for chunk in _chunks(list(identities), 200):
            where = " OR ".join(["(platform = ? AND user_id = ?)"] * len(chunk))
            params = [v for i in chunk for v in (i.platform, i.user_id)]
            found += await self._signatures(
                f"SELECT {SIG_COLUMNS} FROM signatures WHERE {where}", params
            )
        return sorted(found, key=lambda s: s.id)

    async def approved_with_keys(self, keys: Sequence[str]) -> list[Signature]:
        found: dict[int, Signature] = {}
        for chunk in _chunks(list(keys), 400):
            marks = _placeholders(len(chunk))
            for sig in await self._signatures(
                # A UNION, not "name_key IN … OR look_key IN …": SQLite scans the whole table
                # for that OR (418 ms at a million rows) instead of searching both indexes.
                f"SELECT {SIG_COLUMNS} FROM signatures WHERE status = 'approved' "
                f"AND name_key IN ({marks}) UNION "
                f"SELECT {SIG_COLUMNS} FROM signatures WHERE status = 'approved' "
                f"AND look_key IN ({marks})",
                [*chunk, *chunk],
            ):
                found[sig.id] = sig
        return sorted(found.values(), key=lambda s: s.id)

    async def reached_milestones(self) -> list[int]:
        return [r[0] for r in await self._rows("SELECT value FROM milestones ORDER BY value")]

    async def audit_log(self, limit: int) -> list[AuditEntry]:
        rows = await self._rows(
            "SELECT id, at, actor, action, signature_id, reason FROM audit_log "
            "ORDER BY id DESC LIMIT ?",
            (limit,),
        )
        return [
            AuditEntry(r[0], datetime.fromisoformat(r[1]), r[2], r[3], r[4], r[5]) for r in rows
        ]

    async def listed_signatures(self, batch: int = 1000) -> AsyncIterator[Signature]:
        after = 0
        while True:
            found = await self._rows(
                f"SELECT {SIG_COLUMNS} FROM signatures WHERE list_pos > ? "
                "ORDER BY list_pos LIMIT ?",
                (after, batch),
            )
            for row in found:
                yield _signature(row)
            if len(found) < batch:
                return
            after = found[-1][LIST_POS]

    # -- outbox ------------------------------------------------------------------------------
    async def _raw(self, fn: Callable[[sqlite3.Connection], Awaitable[T]]) -> T:
        """Run a store-internal write in the group transaction (no counters involved)."""
        result: T = await self._group.submit(fn, raw=True)
        return result

    async def claim_outbox(
        self, platforms: Sequence[str], now: datetime, lease_until: datetime, limit: int
    ) -> list[OutboxMessage]:
        if not platforms:
            return []
        marks = _placeholders(len(platforms))

        async def unit(conn: sqlite3.Connection) -> list[OutboxMessage]:
            rows = _fetchall(
                conn,
                f"UPDATE outbox SET status = 'sending', lease_until = ? WHERE id IN ("
                f"SELECT id FROM outbox WHERE id IN ({_heads(marks)}) AND ("
                "(status = 'pending' AND next_attempt_at <= ?) OR "
                "(status = 'sending' AND lease_until <= ?)) ORDER BY id LIMIT ?) "
                f"RETURNING {OUTBOX_COLUMNS}",
                (_ts(lease_until), *platforms, _ts(now), _ts(now), limit),
            )
            return sorted((_outbox(r) for r in rows), key=lambda m: m.id)

        return await self._raw(unit)

    async def claim_next_in_queue(
        self, platform: str, destination: str, now: datetime, lease_until: datetime
    ) -> OutboxMessage | None:
        async def unit(conn: sqlite3.Connection) -> OutboxMessage | None:
            rows = _fetchall(
                conn,
                "UPDATE outbox SET status = 'sending', lease_until = ? WHERE id = ("
                "SELECT id FROM outbox WHERE platform = ? AND destination = ? "
                "AND status IN ('pending', 'sending') ORDER BY id LIMIT 1) AND ("
                "(status = 'pending' AND next_attempt_at <= ?) OR "
                "(status = 'sending' AND lease_until <= ?)) "
                f"RETURNING {OUTBOX_COLUMNS}",
                (_ts(lease_until), platform, destination, _ts(now), _ts(now)),
            )
            return _outbox(rows[0]) if rows else None

        return await self._raw(unit)

    async def outbox_delivered(self, message_id: int, at: datetime, ref: str | None) -> None:
        async def unit(conn: sqlite3.Connection) -> None:
            conn.execute(
                "UPDATE outbox SET status = 'delivered', delivered_at = ?, ref = ?, "
                "lease_until = NULL, attempts = attempts + 1 WHERE id = ?",
                (_ts(at), ref, message_id),
            )

        await self._raw(unit)

    async def outbox_retry(self, message_id: int, next_at: datetime, error: str) -> None:
        async def unit(conn: sqlite3.Connection) -> None:
            conn.execute(
                "UPDATE outbox SET status = 'pending', next_attempt_at = ?, last_error = ?, "
                "lease_until = NULL, attempts = attempts + 1 WHERE id = ?",
                (_ts(next_at), error[:500], message_id),
            )

        await self._raw(unit)

    async def outbox_failed(self, message_id: int, at: datetime, error: str) -> None:
        async def unit(conn: sqlite3.Connection) -> None:
            conn.execute(
                "UPDATE outbox SET status = 'failed', delivered_at = ?, last_error = ?, "
                "lease_until = NULL, attempts = attempts + 1 WHERE id = ?",
                (_ts(at), error[:500], message_id),
            )

        await self._raw(unit)

    async def outbox_release_claims(self, platforms: Sequence[str]) -> int:
        """SQLite serves one bot process, so at start-up every claim is an earlier run's."""
        if not platforms:
            return 0
        marks = _placeholders(len(platforms))

        async def unit(conn: sqlite3.Connection) -> int:
            cursor = conn.execute(
                "UPDATE outbox SET status = 'pending', lease_until = NULL "
                f"WHERE status = 'sending' AND platform IN ({marks})",
                tuple(platforms),
            )
            return cursor.rowcount

        return await self._raw(unit)

    async def next_outbox_due(self, platforms: Sequence[str]) -> datetime | None:
        if not platforms:
            return None
        rows = await self._rows(
            "SELECT MIN(CASE status WHEN 'pending' THEN next_attempt_at ELSE lease_until END) "
            f"FROM outbox WHERE id IN ({_heads(_placeholders(len(platforms)))})",
            tuple(platforms),
        )
        return _dt(rows[0][0])

    async def outbox_refs(self, signature_id: int, kind: str) -> list[tuple[str, str, str]]:
        rows = await self._rows(
            "SELECT platform, destination, ref FROM outbox WHERE signature_id = ? AND kind = ? "
            "AND status = 'delivered' AND ref IS NOT NULL ORDER BY id",
            (signature_id, kind),
        )
        return [(r[0], r[1], r[2]) for r in rows]

    async def outbox_messages(self) -> list[OutboxMessage]:
        found = await self._rows(f"SELECT {OUTBOX_COLUMNS} FROM outbox ORDER BY id")
        return [_outbox(r) for r in found]

    # -- transfer (pledgebot copy-store) and backup -------------------------------------------
    async def is_empty(self) -> bool:
        found = await self._rows(_DATA_ROWS)
        return not found[0][0]

    async def clear(self) -> None:
        """Start from an empty file: the audit log refuses deletes, so remove the file."""
        await self.close()
        if not self._memory:
            _remove_database_files(self.path)
        await self.open()

    async def dump(self, table: str, batch: int = 5000) -> AsyncIterator[list[Row]]:
        columns = TABLES[table]
        key = columns[0]
        where = "name IN ('approved', 'listed')" if table == "counters" else "1"
        convert = _from_sqlite(columns)
        after: Any = None
        while True:
            keyset = f" AND {key} > ?" if after is not None else ""
            found = await self._rows(
                f"SELECT {', '.join(columns)} FROM {table} WHERE {where}{keyset} "
                f"ORDER BY {key} LIMIT {int(batch)}",
                () if after is None else (after,),
            )
            if found:
                yield [convert(r) for r in found]
            if len(found) < batch:
                return
            after = found[-1][0]

    async def load(self, table: str, rows: Sequence[Row]) -> None:
        columns = TABLES[table]
        convert = _to_sqlite(columns)
        if table == "counters":
            sql = "UPDATE counters SET value = ? WHERE name = ?"
            params = [(value, name) for name, value in rows]
        else:
            marks = _placeholders(len(columns))
            sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})"
            params = [convert(r) for r in rows]

        async def unit(conn: sqlite3.Connection) -> None:
            conn.executemany(sql, params)

        await self._raw(unit)

    async def finish_load(self) -> None:
        async def unit(conn: sqlite3.Connection) -> None:
            conn.execute(
                "UPDATE counters SET value = (SELECT COALESCE(MAX(list_pos), 0) + 1 "
                "FROM signatures) WHERE name = 'next_list_pos'"
            )

        await self._raw(unit)

    @staticmethod
    async def backup(url: str, target: Path) -> None:
        """A consistent copy of a live database without disturbing the bot that owns it:
        ``VACUUM INTO`` reads one WAL snapshot, so the bot keeps writing meanwhile."""
        _refuse_existing(target)
        conn = await aiosqlite.connect(sqlite_path(url), isolation_level=None, timeout=30.0)
        try:
            await conn.execute_fetchall("VACUUM INTO ?", (str(target),))
        finally:
            await conn.close()


def _heads(platform_marks: str) -> str:
    """The head of each destination's queue: the earliest message still owed. Only heads may be
    claimed, so messages to one channel keep their order even when an earlier one waits for a
    retry or is in flight in another process. One pass over the partial queue index."""
    return (
        f"SELECT MIN(id) FROM outbox WHERE status IN ('pending', 'sending') "
        f"AND platform IN ({platform_marks}) GROUP BY platform, destination"
    )


_DATA_ROWS = (
    "SELECT (SELECT COUNT(*) FROM signatures) + (SELECT COUNT(*) FROM outbox) "
    "+ (SELECT COUNT(*) FROM audit_log) + (SELECT COUNT(*) FROM milestones) "
    "+ (SELECT COUNT(*) FROM letter_versions)"
)


def _remove_database_files(path: str) -> None:
    for suffix in ("", "-wal", "-shm"):
        Path(path + suffix).unlink(missing_ok=True)


def _refuse_existing(target: Path) -> None:
    if target.exists():
        raise FileExistsError(f"{target} already exists: choose a new file name")


def _from_sqlite(columns: Sequence[str]) -> Callable[[Sequence[Any]], Row]:
    kinds = [
        _dt if c in TIMESTAMP_COLUMNS else bool if c in BOOLEAN_COLUMNS else None for c in columns
    ]

    def convert(row: Sequence[Any]) -> Row:
        return tuple(v if k is None or v is None else k(v) for k, v in zip(kinds, row, strict=True))

    return convert


def _to_sqlite(columns: Sequence[str]) -> Callable[[Sequence[Any]], Row]:
    kinds = [
        _ts if c in TIMESTAMP_COLUMNS else int if c in BOOLEAN_COLUMNS else None for c in columns
    ]

    def convert(row: Sequence[Any]) -> Row:
        return tuple(v if k is None or v is None else k(v) for k, v in zip(kinds, row, strict=True))

    return convert


def _chunks(items: list[T], size: int) -> Iterable[list[T]]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


def _statements(script: str) -> Iterable[str]:
    """Split a migration into statements (``sqlite3.complete_statement`` knows about triggers)."""
    buffer = ""
    for line in script.splitlines(keepends=True):
        if not buffer and line.lstrip().startswith("--"):
            continue
        buffer += line
        if sqlite3.complete_statement(buffer):
            if buffer.strip():
                yield buffer.strip()
            buffer = ""
    if buffer.strip():
        yield buffer.strip()
