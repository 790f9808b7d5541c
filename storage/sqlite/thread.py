"""Running a whole function on an aiosqlite connection's thread: the store's one use of
aiosqlite's private API.

aiosqlite hops to its connection's thread and back once per statement; a group commit of
hundreds of statements pays that hop once instead, by running the whole group there as plain
sqlite3 calls (:meth:`WriterConnection.run_sync`). aiosqlite offers no public way to do that, so
this uses ``Connection._execute`` (queue a function for the connection's thread) and
``Connection._conn`` (the sqlite3 connection). Both exist with these meanings in aiosqlite 0.20,
0.21 and 0.22, which is why pyproject.toml pins ``aiosqlite>=0.20,<0.23``: check this module
before widening the pin.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from typing import Any, TypeVar

import aiosqlite

__all__ = ["WriterConnection", "writer_connection"]

T = TypeVar("T")


class WriterConnection(aiosqlite.Connection):
    """An aiosqlite connection that can also run a whole function on its own thread."""

    @property
    def sqlite(self) -> sqlite3.Connection:
        """The sqlite3 connection, for code that runs on this connection's thread."""
        return self._conn

    async def run_sync(self, fn: Callable[[sqlite3.Connection], T]) -> T:
        result: T = await self._execute(fn, self._conn)
        return result


def writer_connection(path: str, **kwargs: Any) -> WriterConnection:
    """Like :func:`aiosqlite.connect`, for a :class:`WriterConnection`. Its sqlite3 connection is
    opened with ``check_same_thread=False``, as whole groups run on the connection's thread."""

    def connector() -> sqlite3.Connection:
        return sqlite3.connect(path, check_same_thread=False, **kwargs)

    return WriterConnection(connector, 64)
