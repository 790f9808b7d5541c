"""One fixture, every store: the contract tests never branch on the implementation."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.ports import Store
from tests.stores import STORES, Place, empty_place, open_test_store


@pytest.fixture(params=STORES)
async def any_store(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Store]:
    async with open_test_store(request.param, tmp_path) as store:
        yield store


@pytest.fixture(params=STORES)
async def place(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Place]:
    """Where a store would be, with nothing there yet (for the open modes)."""
    async with empty_place(request.param, tmp_path) as where:
        yield where
