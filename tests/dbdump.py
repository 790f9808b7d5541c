"""An exact dump of an SQLite database file, to prove that something changed nothing.

Every table in the file is read (only SQLite's own ``sqlite_*`` tables are left out) through a
separate read-only connection with the stdlib ``sqlite3``, so the dump sees exactly what is
committed on disk, whatever the store under test caches. Rows are kept as SQLite returns them
(ints, floats, text, bytes, NULL) and ordered by every column, so two dumps compare equal only if
every table holds the same rows with the same values. The schema (tables, indexes, triggers) is
part of the dump too.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from storage.sqlite import sqlite_path

__all__ = ["Dump", "assert_same", "dump", "dump_url"]

Row = tuple[Any, ...]


@dataclass(frozen=True)
class Dump:
    schema: tuple[tuple[str, str, str], ...]  # (type, name, sql) of every schema object
    tables: dict[str, tuple[Row, ...]]
    columns: dict[str, tuple[str, ...]]

    def rows(self, table: str) -> tuple[Row, ...]:
        return self.tables[table]

    def records(self, table: str) -> list[dict[str, Any]]:
        """The rows of ``table`` as ``{column: value}``."""
        names = self.columns[table]
        return [dict(zip(names, row, strict=True)) for row in self.tables[table]]


def dump(path: str | Path) -> Dump:
    """Every user table of the SQLite file at ``path``, every row, every column."""
    uri = f"{Path(path).resolve().as_uri()}?mode=ro"
    conn = sqlite3.connect(uri, uri=True)
    try:
        conn.execute("BEGIN")  # one snapshot for the whole dump
        schema = tuple(
            conn.execute(
                "SELECT type, name, COALESCE(sql, '') FROM sqlite_master "
                "WHERE name NOT LIKE 'sqlite_%' ORDER BY type, name"
            )
        )
        tables: dict[str, tuple[Row, ...]] = {}
        columns: dict[str, tuple[str, ...]] = {}
        for kind, name, _ in schema:
            if kind != "table":
                continue
            quoted = '"' + name.replace('"', '""') + '"'
            names = tuple(d[0] for d in conn.execute(f"SELECT * FROM {quoted} LIMIT 0").description)
            order = ", ".join(str(n) for n in range(1, len(names) + 1))
            tables[name] = tuple(conn.execute(f"SELECT * FROM {quoted} ORDER BY {order}"))
            columns[name] = names
        conn.rollback()
    finally:
        conn.close()
    assert tables, f"no tables in {path}: is it the store's file?"
    return Dump(schema, tables, columns)


def dump_url(url: str) -> Dump:
    """The dump of an ``sqlite:///…`` database URL."""
    return dump(sqlite_path(url))


def assert_same(before: Dump, after: Dump, what: str = "") -> None:
    """The two dumps are identical; otherwise say which rows of which tables differ."""
    if before.schema == after.schema and before.tables == after.tables:
        return
    lines = [f"the database changed{': ' + what if what else ''}"]
    if before.schema != after.schema:
        lines.append(f"  schema: {before.schema} -> {after.schema}")
    for table in sorted(set(before.tables) | set(after.tables)):
        old, new = set(before.tables.get(table, ())), set(after.tables.get(table, ()))
        for row in sorted(old - new, key=repr):
            lines.append(f"  {table} - {row}")
        for row in sorted(new - old, key=repr):
            lines.append(f"  {table} + {row}")
        if old == new and before.tables.get(table) != after.tables.get(table):
            lines.append(f"  {table}: duplicate rows differ")
    raise AssertionError("\n".join(lines))
