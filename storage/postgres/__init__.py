"""The PostgreSQL store (asyncpg), for several bot processes on one database.

``connection`` (the URL, schema, pool and migrations), ``writer`` (group commits with row
locks and counters settled at COMMIT), ``store`` (the store itself, whose reads and outbox are
the shared :mod:`storage.sql` code) and ``transfer`` (what copy-store needs on this side).
"""

from __future__ import annotations

from storage.postgres.store import PostgresStore

__all__ = ["PostgresStore"]
