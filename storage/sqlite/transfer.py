"""Moving a whole campaign in and out of an SQLite file (``copy-store``), and online backup."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import aiosqlite

from bot.ports import TABLES, Row
from storage.sql import queries as q
from storage.sql.rows import BOOLEAN_COLUMNS, TIMESTAMP_COLUMNS
from storage.sql.translate import iso, to_sqlite
from storage.sqlite.options import SQLiteOptions
from storage.sqlite.writer import from_iso

__all__ = ["backup", "from_sqlite", "load_statement", "remove_database_files"]

FINISH_LOAD = (
    "UPDATE counters SET value = (SELECT COALESCE(MAX(list_pos), 0) + 1 FROM signatures) "
    "WHERE name = 'next_list_pos'"
)


def from_sqlite(columns: Sequence[str]) -> Callable[[Sequence[Any]], Row]:
    """Rows of these columns as :data:`bot.ports.TABLES` describes them: SQLite keeps
    timestamps as text and booleans as 0/1."""
    kinds = [
        from_iso if c in TIMESTAMP_COLUMNS else bool if c in BOOLEAN_COLUMNS else None
        for c in columns
    ]

    def convert(row: Sequence[Any]) -> Row:
        return tuple(v if k is None or v is None else k(v) for k, v in zip(kinds, row, strict=True))

    return convert


def load_statement(table: str, rows: Sequence[Row]) -> tuple[str, list[Row]]:
    """The statement and parameters that insert dumped rows (counters: set their values)."""
    if table == "counters":
        return to_sqlite(q.SET_COUNTER), [(value, name) for name, value in rows]
    kinds = [iso if c in TIMESTAMP_COLUMNS else None for c in TABLES[table]]
    params = [
        tuple(v if k is None or v is None else k(v) for k, v in zip(kinds, row, strict=True))
        for row in rows
    ]
    return to_sqlite(q.insert_rows(table)), params


def remove_database_files(path: str) -> None:
    """Start from an empty file: the audit log refuses deletes, so the files go."""
    for suffix in ("", "-wal", "-shm"):
        Path(path + suffix).unlink(missing_ok=True)


async def backup(options: SQLiteOptions, target: Path) -> None:
    """A consistent copy of a live database without disturbing the bot that owns it:
    ``VACUUM INTO`` reads one WAL snapshot, so the bot keeps writing meanwhile."""
    _refuse_existing(target)
    where, uri = options.uri()
    conn = await aiosqlite.connect(where, uri=uri, isolation_level=None, timeout=30.0)
    try:
        await conn.execute_fetchall("VACUUM INTO ?", (str(target),))
    finally:
        await conn.close()


def _refuse_existing(target: Path) -> None:
    if target.exists():
        raise FileExistsError(f"{target} already exists: choose a new file name")
