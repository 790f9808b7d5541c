"""The embedded SQLite store (aiosqlite): :class:`bot.ports.Store` on one file.

One writer connection owned by one task applies units of work in *group commits*
(:mod:`storage.sqlite.writer`); a caller is answered only after the commit that holds its unit,
so an acknowledged signature is on disk (``synchronous=FULL`` in WAL mode). Reads use separate
connections, which WAL lets run beside the writer without "database is locked". The reads and
the outbox are the shared SQL code (:mod:`storage.sql`); this module says how a statement
reaches the file.
"""

from __future__ import annotations

import itertools
import os
import sqlite3
from collections.abc import Awaitable, Callable, Iterable, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any, TypeVar

import aiosqlite

from bot.errors import StoreRefused, StoreUnavailable
from bot.ports import OpenMode, Row, WriteTx
from storage.group_commit import GroupWriter
from storage.sql import queries as q
from storage.sql.outbox import SqlOutbox
from storage.sql.reads import SqlReads
from storage.sql.translate import sqlite_params, to_sqlite
from storage.sqlite import transfer
from storage.sqlite.connection import connect, migrate, refusal
from storage.sqlite.lock import WriterLock
from storage.sqlite.options import SQLiteOptions
from storage.sqlite.session import Session
from storage.sqlite.thread import WriterConnection
from storage.sqlite.writer import Tx, from_iso

__all__ = ["MAX_GROUP", "SQLiteStore"]

T = TypeVar("T")

MAX_GROUP = 512


class SQLiteStore(SqlReads, SqlOutbox):
    """:class:`bot.ports.Store` on one SQLite file."""

    def __init__(
        self,
        url: str,
        *,
        mode: OpenMode = OpenMode.CREATE,
        readers: int = 2,
        max_group: int = MAX_GROUP,
    ) -> None:
        self.url = url
        self._options = SQLiteOptions.from_url(url, mode)
        self.path = self._options.path
        self._reader_count = readers
        self._writer: WriterConnection | None = None
        self._readers: list[aiosqlite.Connection] = []
        self._next_reader = itertools.cycle(range(readers))
        self._group: GroupWriter[Tx] = GroupWriter(max_group)
        self._lock = WriterLock(self.path)

    # -- lifecycle -------------------------------------------------------------------------------
    async def open(self) -> None:
        """Open as the mode says, or raise :class:`StoreRefused` having created nothing. Any
        failure closes what was opened: a connection's thread left running would keep the
        process from exiting."""
        options = self._options
        if options.memory:
            if options.mode is not OpenMode.CREATE:
                raise StoreRefused.missing("an in-memory database")
        else:
            _check_place(options)
            if not options.read_only:
                self._lock.acquire()
        try:
            await self._connect()
        except BaseException as exc:
            await self._disconnect()
            self._lock.release()
            refused = refusal(exc, options)
            if refused is not None:
                raise refused from exc
            raise

    async def _connect(self) -> None:
        if not self._options.read_only:
            writer = await connect(self._options, writer=True)
            assert isinstance(writer, WriterConnection)
            self._writer = writer
            await writer.execute_fetchall("PRAGMA secure_delete = ON")
            await migrate(writer, self._options)
        for _ in range(self._reader_count):
            reader = await connect(self._options)
            self._readers.append(reader)
            await reader.execute_fetchall("PRAGMA query_only = ON")
        if self._writer is None:
            await migrate(self._readers[0], self._options)  # read-only: checks the version
        else:
            self._group.start([Session(self._writer)])

    async def _disconnect(self) -> None:
        await self._group.stop()
        for conn in [*self._readers, self._writer]:
            if conn is not None:
                await conn.close()
        self._readers, self._writer = [], None

    async def close(self) -> None:
        await self._disconnect()
        self._lock.release()

    async def __aenter__(self) -> SQLiteStore:
        await self.open()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    # -- how a statement reaches the file --------------------------------------------------------
    async def write(self, unit: Callable[[WriteTx], Awaitable[T]]) -> T:
        self._refuse_if_read_only()
        result: T = await self._group.submit(unit)
        return result

    def _refuse_if_read_only(self) -> None:
        if self._options.read_only:
            raise StoreUnavailable()

    async def _fetch(self, sql: str, *args: Any) -> Sequence[Sequence[Any]]:
        return await self._read(to_sqlite(sql), sqlite_params(args))

    async def _read(self, sql: str, params: Sequence[Any]) -> list[Any]:
        """SQLite text, on the next reading connection."""
        if not self._readers:
            raise RuntimeError("the store is not open")
        reader = self._readers[next(self._next_reader)]
        return list(await reader.execute_fetchall(sql, params))

    async def _change(self, sql: str, *args: Any) -> Sequence[Sequence[Any]]:
        """In the group transaction, on the writer's thread: SQLite has one writer."""
        return await self._raw(_fetchall, to_sqlite(sql), sqlite_params(args))

    async def _raw(self, fn: Callable[..., T], *args: Any) -> T:
        """Run ``fn(sqlite3_connection, *args)`` as a store-internal job of the group writer."""
        self._refuse_if_read_only()

        async def job(conn: sqlite3.Connection) -> T:
            return fn(conn, *args)

        result: T = await self._group.submit(job, raw=True)
        return result

    @staticmethod
    def _timestamp(value: Any) -> datetime | None:
        return from_iso(value)

    # -- what only SQLite does its own way -------------------------------------------------------
    async def outbox_release_claims(self, platforms: Sequence[str]) -> int:
        """SQLite serves one bot process, so at start-up every claim is an earlier run's."""
        if not platforms:
            return 0
        return len(await self._change(q.RELEASE_CLAIMS, list(platforms)))

    # -- transfer (pledgebot copy-store) and backup ----------------------------------------------
    def _neutral_rows(self, columns: Sequence[str]) -> Callable[[Sequence[Any]], Row]:
        return transfer.from_sqlite(columns)

    async def clear(self) -> None:
        """Start from an empty file: the audit log refuses deletes, so remove the file (keeping
        the writer lock meanwhile)."""
        await self._disconnect()
        if not self._options.memory:
            transfer.remove_database_files(self.path)
        await self._connect()

    async def load(self, table: str, rows: Sequence[Row]) -> None:
        sql, params = transfer.load_statement(table, rows)
        await self._raw(_executemany, sql, params)

    async def finish_load(self) -> None:
        await self._raw(_fetchall, transfer.FINISH_LOAD, ())

    async def backup(self, target: Path) -> None:
        """A consistent copy of the open database in a new file (see :func:`transfer.backup`)."""
        await transfer.backup(self._options, target)


def _fetchall(conn: sqlite3.Connection, sql: str, params: Sequence[Any]) -> list[Any]:
    return conn.execute(sql, params).fetchall()


def _executemany(conn: sqlite3.Connection, sql: str, params: Iterable[Sequence[Any]]) -> None:
    conn.executemany(sql, params)


def _check_place(options: SQLiteOptions) -> None:
    """Before anything is created: a database to open must exist, and a new one needs its folder
    (a folder is never created: a mistyped path must not start an empty campaign)."""
    path = Path(options.path)
    if path.is_file():
        with path.open("rb") as file:
            header = file.read(len(_SQLITE_HEADER))
        if header and header != _SQLITE_HEADER:
            raise StoreRefused.not_pledgebot(options.path, "it is not an SQLite database")
    elif options.mode is not OpenMode.CREATE:
        raise StoreRefused.missing(options.path)
    elif not path.parent.is_dir():
        raise StoreRefused.no_folder(options.path, str(path.parent))
    if not options.read_only:
        # Checked here, not left to SQLite: it would open a read-only file for reading and fail
        # only at the first write, as if the database were busy.
        if not os.access(path.parent, os.W_OK):
            raise StoreRefused.not_writable(options.path, "its folder is read-only")
        if path.is_file() and not os.access(path, os.W_OK):
            raise StoreRefused.not_writable(options.path, "its file is read-only")


_SQLITE_HEADER = b"SQLite format 3\x00"
