"""The PostgreSQL store (asyncpg): :class:`bot.ports.Store` for several bot processes on one
database.

Writes use the same group commit as SQLite (:mod:`storage.group_commit`), with a few writer
connections per process so groups from many processes run side by side
(:mod:`storage.postgres.writer`). The reads and the outbox are the shared SQL code
(:mod:`storage.sql`), run on a pool; outbox claims skip rows another process has locked.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime
from functools import partial
from typing import Any, TypeVar

import asyncpg

from bot.errors import StoreUnavailable
from bot.ports import TABLES, OpenMode, Row, Unreachable, WriteTx
from storage.group_commit import GroupWriter
from storage.postgres import transfer
from storage.postgres.connection import (
    connect,
    create_pool,
    create_schema,
    describe,
    migrate,
    split_url,
)
from storage.postgres.writer import Session, Tx
from storage.sql import queries as q
from storage.sql.outbox import SqlOutbox
from storage.sql.reads import SqlReads

__all__ = ["PostgresStore"]

T = TypeVar("T")


#: Failures to connect that another try may not have: refused or unresolvable (the server or its
#: host not up yet), "the database system is starting up", a connection dropped or timed out.
_NOT_YET = (
    OSError,
    TimeoutError,
    asyncpg.CannotConnectNowError,
    asyncpg.PostgresConnectionError,
    asyncpg.TooManyConnectionsError,
)

#: A connection lost under a statement (the server restarted, or an operator ended the
#: backend), or none to be had now.
_LOST = (*_NOT_YET, asyncpg.AdminShutdownError, asyncpg.CrashShutdownError)

#: A writer connecting again mid-service: its group's callers wait for it, unlike at start-up.
_RECONNECT_TIMEOUT = 10.0


class PostgresStore(SqlReads, SqlOutbox):
    """:class:`bot.ports.Store` on a PostgreSQL database shared by any number of processes."""

    # Processes sharing a platform split the due rows between them.
    _CLAIM_OUTBOX = q.claim_outbox(lock=" FOR UPDATE SKIP LOCKED")

    def __init__(
        self,
        url: str,
        *,
        mode: OpenMode = OpenMode.CREATE,
        writers: int = 4,
        readers: int = 8,
        max_group: int = 256,
    ) -> None:
        self.url = url
        self._mode = mode
        self._dsn, self._schema = split_url(url)
        if mode is OpenMode.READ_ONLY:
            writers = 0
        self._writers = writers
        self._readers = readers
        self._pool: asyncpg.Pool | None = None
        self._sessions: list[Session] = []
        self._group: GroupWriter[Tx] = GroupWriter(max_group)

    # -- lifecycle -------------------------------------------------------------------------------
    async def open(self) -> None:
        """Open as the mode says; ``EXISTING`` and ``READ_ONLY`` create no schema and raise
        :class:`StoreRefused` where no pledgebot tables are found."""
        try:
            if self._schema and self._mode is OpenMode.CREATE:
                await create_schema(self._dsn, self._schema)
            self._pool = await create_pool(
                self._dsn,
                min_size=1,
                max_size=max(1, self._readers),
                read_only=self._mode is OpenMode.READ_ONLY,
            )
        except _NOT_YET as exc:  # start-up may try again: the server may still be booting
            raise Unreachable(f"PostgreSQL: {exc}") from exc
        try:
            async with self._pool.acquire() as conn:
                await migrate(conn, self._mode, where=describe(self._dsn, self._schema))
            # Each writer has its own connection, outside the pool, and replaces it when lost.
            reconnect = partial(connect, self._dsn, give_up_after=_RECONNECT_TIMEOUT)
            for _ in range(self._writers):
                self._sessions.append(Session(reconnect))
                await self._sessions[-1].open()
        except _NOT_YET as exc:
            await self.close()
            raise Unreachable(f"PostgreSQL: {exc}") from exc
        except BaseException:
            await self.close()
            raise
        self._group.start(list(self._sessions))

    async def close(self) -> None:
        await self._group.stop()
        for session in self._sessions:
            await session.close()
        self._sessions = []
        if self._pool is not None:
            await self._pool.close()
            self._pool = None

    async def __aenter__(self) -> PostgresStore:
        await self.open()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    # -- how a statement reaches the database ----------------------------------------------------
    @property
    def pool(self) -> asyncpg.Pool:
        if self._pool is None:
            raise RuntimeError("the store is not open")
        return self._pool

    async def write(self, unit: Callable[[WriteTx], Awaitable[T]]) -> T:
        self._refuse_if_read_only()
        result: T = await self._group.submit(unit)
        return result

    def _refuse_if_read_only(self) -> None:
        if self._mode is OpenMode.READ_ONLY:
            raise StoreUnavailable()

    async def _fetch(self, sql: str, *args: Any) -> Sequence[Sequence[Any]]:
        """A read whose connection is lost under it runs once more, on a connection the pool
        opens anew (a read changes nothing); lost again, the reader is told to try again."""
        try:
            rows: list[asyncpg.Record] = await self.pool.fetch(sql, *args)
        except _LOST:
            try:
                rows = await self.pool.fetch(sql, *args)
            except _LOST as exc:
                raise StoreUnavailable() from exc
        return rows

    async def _change(self, sql: str, *args: Any) -> Sequence[Sequence[Any]]:
        """Its own short transaction on the pool: several processes may write at once. Not run
        again when its connection is lost: it may have been committed."""
        self._refuse_if_read_only()
        try:
            rows: list[asyncpg.Record] = await self.pool.fetch(sql, *args)
        except _LOST as exc:
            raise StoreUnavailable() from exc
        return rows

    @staticmethod
    def _timestamp(value: Any) -> datetime | None:
        when: datetime | None = value
        return when

    # -- what only PostgreSQL does its own way ---------------------------------------------------
    async def outbox_release_claims(self, platforms: Sequence[str]) -> int:
        """Other live processes may hold claims: a dead one's come back when its lease ends."""
        return 0

    # -- transfer (pledgebot copy-store) ---------------------------------------------------------
    async def clear(self) -> None:
        await self.pool.execute(transfer.CLEAR)

    async def load(self, table: str, rows: Sequence[Row]) -> None:
        if table == "counters":
            await self.pool.executemany(q.SET_COUNTER, [(value, name) for name, value in rows])
            return
        async with self.pool.acquire() as conn:
            await conn.copy_records_to_table(table, records=rows, columns=list(TABLES[table]))

    async def finish_load(self) -> None:
        async with self.pool.acquire() as conn, conn.transaction():
            for statement in transfer.FINISH_LOAD:
                await conn.execute(statement)
