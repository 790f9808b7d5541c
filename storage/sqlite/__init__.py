"""The embedded SQLite store (aiosqlite), the default: one bot process per file.

``options`` (the URL), ``connection`` (opening, pragmas, migrations), ``thread`` (the one use
of aiosqlite's private API), ``writer`` (group commits), ``binding`` (how ``None`` and ``bool``
parameters bind), ``store`` (the store itself, whose reads and outbox are the shared
:mod:`storage.sql` code) and ``transfer`` (copy-store, backup).
"""

from __future__ import annotations

from storage.sqlite.options import sqlite_path
from storage.sqlite.store import SQLiteStore

__all__ = ["SQLiteStore", "sqlite_path"]
