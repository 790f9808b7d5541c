"""Opening each kind of store for a test: the contract and core suites run on every one."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
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
