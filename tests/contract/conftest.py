"""One fixture, every store: the contract tests never branch on the implementation."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.ports import Store
from storage.sqlite import SQLiteStore

STORES = ["sqlite"]


@pytest.fixture(params=STORES)
async def any_store(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Store]:
    store: Store
    if request.param == "sqlite":
        store = SQLiteStore(f"sqlite:///{tmp_path / 'contract.db'}")
    else:  # pragma: no cover - every parameter has a branch above
        raise AssertionError(request.param)
    await store.open()
    try:
        yield store
    finally:
        await store.close()
