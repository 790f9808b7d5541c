"""Opening connections to an SQLite file, and bringing its schema up to date."""

from __future__ import annotations

import logging
import os
import sqlite3
from collections.abc import Iterable
from typing import Any

import aiosqlite

from bot.errors import StoreRefused
from bot.ports import OpenMode
from storage.migrations import SchemaTooNew, load
from storage.sql import queries as q
from storage.sql.translate import to_sqlite
from storage.sqlite.options import SQLiteOptions
from storage.sqlite.thread import writer_connection

__all__ = ["connect", "migrate", "refusal"]

_log = logging.getLogger(__name__)


async def connect(options: SQLiteOptions, *, writer: bool = False) -> aiosqlite.Connection:
    """A connection with the store's pragmas: autocommit (the store says ``BEGIN`` itself), a
    lock wait of the URL's timeout, foreign keys, and WAL with ``synchronous=FULL`` so that a
    committed unit is on disk and readers run beside the writer."""
    target, uri = options.uri()
    kwargs: dict[str, Any] = {"isolation_level": None, "uri": uri, "timeout": options.timeout}
    conn = await (
        writer_connection(target, **kwargs) if writer else aiosqlite.connect(target, **kwargs)
    )
    try:
        await conn.execute_fetchall(f"PRAGMA busy_timeout = {int(options.timeout * 1000)}")
        await conn.execute_fetchall("PRAGMA foreign_keys = ON")
        if not options.memory and not options.read_only:
            await conn.execute_fetchall("PRAGMA journal_mode = WAL")
            await conn.execute_fetchall("PRAGMA synchronous = FULL")
    except BaseException:
        # Its thread is not a daemon: a connection left open would keep the process alive.
        await conn.close()
        raise
    return conn


async def migrate(conn: aiosqlite.Connection, options: SQLiteOptions) -> None:
    """Apply the migrations the file lacks, in one ``BEGIN IMMEDIATE`` transaction, after making
    sure it is a pledgebot database (or, opened to ``CREATE``, a new empty one). A read-only
    store only checks that the file is at the version this pledgebot knows."""
    migrations = load("sqlite")
    if options.read_only:
        current = await _schema_version(conn, options)
        if current != len(migrations):
            if current > len(migrations):
                raise SchemaTooNew(current, len(migrations))
            raise StoreRefused.outdated(options.path, current, len(migrations))
        return
    await conn.execute("BEGIN IMMEDIATE")
    try:
        if options.mode is OpenMode.EXISTING or await _tables(conn):
            current = await _schema_version(conn, options)
        else:
            await conn.execute(q.CREATE_SCHEMA_VERSION)
            current = 0
        if current > len(migrations):
            raise SchemaTooNew(current, len(migrations))
        for migration in migrations[current:]:
            _log.info("applying migration %s", migration.name)
            for statement in _statements(migration.sql):
                await conn.execute(statement)
            await conn.execute(to_sqlite(q.RECORD_SCHEMA_VERSION), (migration.version,))
        await conn.execute("COMMIT")
    except BaseException:
        if conn.in_transaction:
            await conn.execute("ROLLBACK")
        raise


async def _tables(conn: aiosqlite.Connection) -> list[str]:
    rows = await conn.execute_fetchall(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
        "ORDER BY name"
    )
    return [r[0] for r in rows]


async def _schema_version(conn: aiosqlite.Connection, options: SQLiteOptions) -> int:
    """The file's schema version; a file without pledgebot's version table is refused."""
    tables = await _tables(conn)
    if "schema_version" not in tables:
        why = f"it holds other tables: {', '.join(tables[:5])}" if tables else "it is empty"
        raise StoreRefused.not_pledgebot(options.path, why)
    found = list(await conn.execute_fetchall(q.SCHEMA_VERSION))
    return int(found[0][0])


def refusal(exc: BaseException, options: SQLiteOptions) -> StoreRefused | None:
    """What an error while opening the file means to the operator, when it means one of the
    things :class:`StoreRefused` explains (the rest, like a lock wait running out, pass on)."""
    if not isinstance(exc, sqlite3.Error):
        return None
    name = getattr(exc, "sqlite_errorname", "")
    if name == "SQLITE_NOTADB":
        return StoreRefused.not_pledgebot(options.path, "it is not an SQLite database")
    if name.startswith("SQLITE_CORRUPT"):
        return StoreRefused.unreadable(options.path, "the file is damaged: restore a backup")
    if name.startswith("SQLITE_READONLY"):
        return StoreRefused.not_writable(options.path, "the file or its folder is read-only")
    if name.startswith(("SQLITE_CANTOPEN", "SQLITE_PERM", "SQLITE_AUTH")):
        folder = os.path.dirname(os.path.abspath(options.path))
        if options.read_only and not os.access(folder, os.W_OK):
            return StoreRefused.unreadable(
                options.path,
                f"{exc}: reading a database in WAL mode needs its -shm file, which cannot be "
                "created in a read-only folder while the bot that writes it is stopped",
            )
        return StoreRefused.unreadable(options.path, str(exc))
    return None


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
