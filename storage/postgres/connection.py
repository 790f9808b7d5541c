"""Reaching a PostgreSQL database: the URL, its schema, the pool, and migrations."""

from __future__ import annotations

import logging
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import asyncpg

from storage.migrations import SchemaTooNew, load
from storage.sql import queries as q

__all__ = ["create_pool", "create_schema", "migrate", "split_url"]

_log = logging.getLogger(__name__)

_MIGRATION_LOCK = 0x706C6467  # "pldg": one process migrates at a time


def split_url(url: str) -> tuple[str, str | None]:
    """The DSN for asyncpg and the schema named by ``?search_path=`` (created if missing)."""
    parts = urlsplit(url.replace("postgres://", "postgresql://", 1))
    query = dict(parse_qsl(parts.query))
    schema = query.get("search_path")
    return urlunsplit(parts._replace(query=urlencode(query))), schema


async def create_schema(dsn: str, schema: str) -> None:
    conn = await asyncpg.connect(urlunsplit(urlsplit(dsn)._replace(query="")))
    try:
        quoted = '"' + schema.replace('"', '""') + '"'
        await conn.execute(f"CREATE SCHEMA IF NOT EXISTS {quoted}")
    finally:
        await conn.close()


async def create_pool(dsn: str, *, min_size: int, max_size: int) -> asyncpg.Pool:
    pool: asyncpg.Pool = await asyncpg.create_pool(
        dsn,
        min_size=min_size,
        max_size=max_size,
        # A server-side limit: a client-side one would arm a timer for every statement.
        server_settings={"statement_timeout": "60000"},
    )
    return pool


async def migrate(conn: asyncpg.Connection) -> None:
    """Apply the migrations the database lacks, in one transaction, one process at a time."""
    migrations = load("postgres")
    async with conn.transaction():
        await conn.execute("SELECT pg_advisory_xact_lock($1)", _MIGRATION_LOCK)
        await conn.execute(q.CREATE_SCHEMA_VERSION)
        current = await conn.fetchval(q.SCHEMA_VERSION)
        if current > len(migrations):
            raise SchemaTooNew(current, len(migrations))
        for migration in migrations[current:]:
            _log.info("applying migration %s", migration.name)
            await conn.execute(migration.sql)
            await conn.execute(q.RECORD_SCHEMA_VERSION, migration.version)
