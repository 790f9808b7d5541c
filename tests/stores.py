"""Opening each kind of store for a test: the contract and core suites run on every one."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

from bot.ports import Store
from storage.sqlite import SQLiteStore
from tests.postgres import fresh_schema

STORES = [pytest.param("sqlite"), pytest.param("postgres", marks=pytest.mark.postgres)]


@asynccontextmanager
async def open_test_store(kind: str, tmp_path: Path) -> AsyncIterator[Store]:
    if kind == "sqlite":
        async with SQLiteStore(f"sqlite:///{tmp_path / 'pledge.db'}") as store:
            yield store
        return
    from storage.postgres import PostgresStore

    async with fresh_schema() as url, PostgresStore(url) as pg:
        yield pg


@dataclass(frozen=True)
class Place:
    """Where a store of one kind would live, before anything is there: its URL, and a way to
    ask whether a database has been created at it."""

    url: str
    exists: Callable[[], Awaitable[bool]]


@asynccontextmanager
async def empty_place(kind: str, tmp_path: Path) -> AsyncIterator[Place]:
    if kind == "sqlite":
        path = tmp_path / "pledge.db"

        async def file_exists() -> bool:
            return path.exists()

        yield Place(f"sqlite:///{path}", file_exists)
        return
    import asyncpg

    async with fresh_schema() as url:
        schema = url.rsplit("search_path=", 1)[1]

        async def schema_exists() -> bool:
            conn = await asyncpg.connect(url.split("?", 1)[0])
            try:
                found = await conn.fetchval(
                    "SELECT 1 FROM information_schema.schemata WHERE schema_name = $1", schema
                )
            finally:
                await conn.close()
            return found is not None

        yield Place(url, schema_exists)
