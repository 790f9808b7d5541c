"""One fixture, every store: the contract tests never branch on the implementation."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.ports import Store
from tests.stores import STORES, open_test_store


@pytest.fixture(params=STORES)
async def any_store(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Store]:
    async with open_test_store(request.param, tmp_path) as store:
        yield store
