"""Reaching a PostgreSQL database: the URL, its schema, the pool, and migrations."""

from __future__ import annotations

import logging
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import asyncpg

from bot.errors import StoreRefused
from bot.ports import OpenMode
from storage.migrations import SchemaTooNew, load
from storage.sql import queries as q

__all__ = ["connect", "create_pool", "create_schema", "describe", "migrate", "split_url"]

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


def describe(dsn: str, schema: str | None) -> str:
    """Where the store is, for a message: host, database and schema, never the password."""
    parts = urlsplit(dsn)
    where = f"PostgreSQL {parts.hostname or 'localhost'}{parts.path or '/'}"
    return f"{where} (schema {schema})" if schema else where


def _server_settings(read_only: bool) -> dict[str, str]:
    # A server-side limit: a client-side one would arm a timer for every statement.
    settings = {"statement_timeout": "60000"}
    if read_only:
        settings["default_transaction_read_only"] = "on"
    return settings


async def create_pool(
    dsn: str, *, min_size: int, max_size: int, read_only: bool = False
) -> asyncpg.Pool:
    pool: asyncpg.Pool = await asyncpg.create_pool(
        dsn, min_size=min_size, max_size=max_size, server_settings=_server_settings(read_only)
    )
    return pool


async def connect(dsn: str, *, give_up_after: float = 60) -> asyncpg.Connection:
    """A writer's own connection, with the pool's settings. Not one taken from the pool: a
    pooled connection that is lost is handed back to the pool behind its holder's back, and
    the proxy the writer holds then answers every call with an error, for good."""
    conn: asyncpg.Connection = await asyncpg.connect(
        dsn, timeout=give_up_after, server_settings=_server_settings(read_only=False)
    )
    return conn


async def migrate(conn: asyncpg.Connection, mode: OpenMode, *, where: str) -> None:
    """Apply the migrations the database lacks, in one transaction, one process at a time. Only
    ``CREATE`` starts a schema where there is none; ``READ_ONLY`` only checks the version."""
    migrations = load("postgres")
    async with conn.transaction():
        if mode is not OpenMode.READ_ONLY:
            await conn.execute("SELECT pg_advisory_xact_lock($1)", _MIGRATION_LOCK)
        if await conn.fetchval("SELECT to_regclass('schema_version')") is None:
            if mode is not OpenMode.CREATE:
                raise StoreRefused.missing(where)
            await conn.execute(q.CREATE_SCHEMA_VERSION)
        current = await conn.fetchval(q.SCHEMA_VERSION)
        if current > len(migrations):
            raise SchemaTooNew(current, len(migrations))
        if mode is OpenMode.READ_ONLY:
            if current < len(migrations):
                raise StoreRefused.outdated(where, current, len(migrations))
            return
        for migration in migrations[current:]:
            _log.info("applying migration %s", migration.name)
            await conn.execute(migration.sql)
            await conn.execute(q.RECORD_SCHEMA_VERSION, migration.version)
