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
