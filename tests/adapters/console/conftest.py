"""The console adapter's tests run on SQLite: they dump the database file to compare it. The CLI
tests' fixtures are reused to run the real ``pledgebot console``."""

from __future__ import annotations

import pytest

from storage.sqlite import SQLiteStore
from tests.cli.conftest import config, pledgebot

__all__ = ["config", "pledgebot", "store"]


@pytest.fixture
async def store(sqlite_store: SQLiteStore) -> SQLiteStore:
    """SQLite only: the store contract is tested elsewhere, and these tests read the file."""
    return sqlite_store
