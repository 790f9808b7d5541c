"""The group transaction on the SQLite writer connection: BEGIN IMMEDIATE, the counters loaded
once and written once before COMMIT, and every unit of the group run on the connection's own
thread (:func:`drive`). The units' own writes are :class:`storage.sqlite.writer.Tx`.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Coroutine
from typing import Any, TypeVar

from storage.group_commit import Verdict
from storage.sql import queries as q
from storage.sql.live_owed import LiveOwed
from storage.sql.translate import to_sqlite
from storage.sqlite.binding import bind_plainly
from storage.sqlite.thread import WriterConnection
from storage.sqlite.writer import Counters, Tx

__all__ = ["Session", "drive"]

T = TypeVar("T")

_LOAD_COUNTERS = "SELECT name, value FROM counters"
_SET_COUNTER = to_sqlite(q.SET_COUNTER)
_ADD_TO_BUCKET = to_sqlite(q.ADD_TO_BUCKET)


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


class Session:
    """One group transaction on the writer connection (see :mod:`storage.group_commit`)."""

    def __init__(self, conn: WriterConnection) -> None:
        bind_plainly()  # the units' None and bool parameters skip sqlite3's adapter search
        self.writer = conn
        self.conn: sqlite3.Connection = conn.sqlite
        self.cursor = self.conn.cursor()
        self.counters = Counters()
        self._start = Counters()
        self.live = LiveOwed()
        self._unit = Tx(self.cursor, self.counters, self.live)

    async def begin(self) -> None:
        self.cursor.execute("BEGIN IMMEDIATE")
        found = dict(self.cursor.execute(_LOAD_COUNTERS).fetchall())
        self.counters = Counters(found["approved"], found["listed"], found["next_list_pos"])
        self._start = self.counters.copy()
        self.live = LiveOwed()

    def open_unit(self) -> Tx:
        self._unit = Tx(self.cursor, self.counters, self.live)
        return self._unit

    async def close_unit(self, tx: Tx, error: Exception | None) -> Verdict:
        """A failed unit that wrote spoils the transaction for the others: they run again
        without it."""
        if error is None or not tx.wrote:
            return Verdict.CONTINUE
        return Verdict.WITHOUT

    def raw(self) -> sqlite3.Connection:
        # A store-internal job writes through the connection itself: count it as written, so
        # that its failure (an executemany stopped half-way) leaves nothing behind either.
        self._unit.wrote = True
        self.live.forget()  # it may have sent or released a live edit
        return self.conn

    async def run(self, work: Callable[[], Coroutine[Any, Any, T]]) -> T:
        """The whole group on the connection's own thread: one hop, not one per statement."""
        return await self.writer.run_sync(lambda _: drive(work()))

    def is_store_error(self, exc: Exception) -> bool:
        return isinstance(exc, sqlite3.Error)

    async def commit(self) -> None:
        end = self.counters
        if end != self._start:
            self.cursor.executemany(
                _SET_COUNTER,
                [
                    (end.approved, "approved"),
                    (end.listed, "listed"),
                    (end.next_list_pos, "next_list_pos"),
                ],
            )
            changed = [(b, d) for b, d in end.bucket_deltas.items() if d]
            if changed:
                self.cursor.executemany(_ADD_TO_BUCKET, changed)
        self.cursor.execute("COMMIT")

    async def rollback(self) -> None:
        self.conn.execute("ROLLBACK")
