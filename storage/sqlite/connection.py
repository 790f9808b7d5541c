"""Opening connections to an SQLite file, and bringing its schema up to date."""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Iterable
from typing import Any
from urllib.parse import quote

import aiosqlite

from bot.ports import StoreRefused
from storage.migrations import SchemaTooNew, load
from storage.sql import queries as q
from storage.sql.translate import to_sqlite
from storage.sqlite.options import SQLiteOptions
from storage.sqlite.thread import writer_connection

__all__ = ["connect", "migrate"]

_log = logging.getLogger(__name__)


async def connect(options: SQLiteOptions, *, writer: bool = False) -> aiosqlite.Connection:
    """A connection with the store's pragmas: autocommit (the store says ``BEGIN`` itself), a
    lock wait of the URL's timeout, foreign keys, and WAL with ``synchronous=FULL`` so that a
    committed unit is on disk and readers run beside the writer."""
    read_only = options.read_only
    target = f"file:{quote(options.path)}?mode=ro" if read_only else options.path
    kwargs: dict[str, Any] = {
        "isolation_level": None,
        "uri": options.memory or read_only,
        "timeout": options.timeout,
    }
    conn = await (
        writer_connection(target, **kwargs) if writer else aiosqlite.connect(target, **kwargs)
    )
    await conn.execute_fetchall(f"PRAGMA busy_timeout = {int(options.timeout * 1000)}")
    await conn.execute_fetchall("PRAGMA foreign_keys = ON")
    if not options.memory and not read_only:
        await conn.execute_fetchall("PRAGMA journal_mode = WAL")
        await conn.execute_fetchall("PRAGMA synchronous = FULL")
    return conn


async def migrate(conn: aiosqlite.Connection, options: SQLiteOptions) -> None:
    """Apply the migrations the file lacks, in one ``BEGIN IMMEDIATE`` transaction; a read-only
    store only checks that the file is at the version this pledgebot knows."""
    migrations = load("sqlite")
    if options.read_only:
        found = list(await conn.execute_fetchall(q.SCHEMA_VERSION))
        if found[0][0] != len(migrations):
            raise StoreRefused(
                f"{options.path} is at schema version {found[0][0]}, this pledgebot needs "
                f"{len(migrations)}: open it once read-write to upgrade it"
            )
        return
    await conn.execute("BEGIN IMMEDIATE")
    try:
        await conn.execute(q.CREATE_SCHEMA_VERSION)
        found = list(await conn.execute_fetchall(q.SCHEMA_VERSION))
        current = found[0][0]
        if current > len(migrations):
            raise SchemaTooNew(current, len(migrations))
        for migration in migrations[current:]:
            _log.info("applying migration %s", migration.name)
            for statement in _statements(migration.sql):
                await conn.execute(statement)
            await conn.execute(to_sqlite(q.RECORD_SCHEMA_VERSION), (migration.version,))
        await conn.execute("COMMIT")
    except BaseException:
        await conn.execute("ROLLBACK")
        raise


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
