"""Access to the PostgreSQL server the tests use: 127.0.0.1:5432, user postgres, database test.

Each test gets a fresh schema (dropped afterwards). When no server answers, PostgreSQL tests skip
with instructions — except in CI (``CI`` is set), where they fail: CI must test both stores.
"""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import pytest

PG_DSN = os.environ.get("PLEDGEBOT_TEST_PG", "postgresql://postgres@127.0.0.1:5432/test")
START_HINT = (
    "PostgreSQL is not reachable at 127.0.0.1:5432 (user postgres, database test). Start it with "
    "`pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start` or set "
    "PLEDGEBOT_TEST_PG to another server."
)
_available: bool | None = None


async def _probe() -> bool:
    import asyncpg

    try:
        conn = await asyncio.wait_for(asyncpg.connect(PG_DSN), 5)
    except (OSError, TimeoutError, asyncpg.PostgresError):
        return False
    await conn.close()
    return True


async def require_postgres() -> None:
    global _available
    if _available is None:
        _available = await _probe()
    if not _available:
        if os.environ.get("CI"):
            pytest.fail(START_HINT)
        pytest.skip(START_HINT)


@asynccontextmanager
async def fresh_schema() -> AsyncIterator[str]:
    """A store URL for a new, empty schema, dropped when the block ends."""
    import asyncpg

    await require_postgres()
    schema = f"pledge_test_{uuid.uuid4().hex[:12]}"
    try:
        yield f"{PG_DSN}?search_path={schema}"
    finally:
        conn = await asyncpg.connect(PG_DSN)
        try:
            await conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
        finally:
            await conn.close()


async def older_schema(url: str, version: int | None = None) -> int:
    """A PostgreSQL schema one migration behind this pledgebot (or at ``version``), as an older
    release left it."""
    import asyncpg

    from storage.migrations import load
    from storage.postgres.connection import create_schema, split_url
    from storage.sql import queries as q

    dsn, schema = split_url(url)
    assert schema is not None
    await create_schema(dsn, schema)
    migrations = load("postgres")[:-1] if version is None else load("postgres")[:version]
    conn = await asyncpg.connect(dsn, server_settings={"search_path": schema})
    try:
        await conn.execute(q.CREATE_SCHEMA_VERSION)
        for migration in migrations:
            await conn.execute(migration.sql)
            await conn.execute(q.RECORD_SCHEMA_VERSION, migration.version)
    finally:
        await conn.close()
    return migrations[-1].version


async def schema_version(url: str) -> int:
    import asyncpg

    from storage.postgres.connection import split_url

    dsn, schema = split_url(url)
    conn = await asyncpg.connect(dsn, server_settings={"search_path": schema or "public"})
    try:
        version: int = await conn.fetchval("SELECT MAX(version) FROM schema_version")
    finally:
        await conn.close()
    return version
