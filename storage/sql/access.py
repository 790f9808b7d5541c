"""The two ways a store runs a shared statement, which the shared reads and outbox code need."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

__all__ = ["SqlAccess"]


class SqlAccess:
    """Implemented by each store: how a statement of :mod:`storage.sql.queries` reaches its
    database, and how a timestamp comes back from it."""

    async def _fetch(self, sql: str, *args: Any) -> Sequence[Sequence[Any]]:
        """Run a read on a reading connection (never inside a group transaction)."""
        raise NotImplementedError

    async def _change(self, sql: str, *args: Any) -> Sequence[Sequence[Any]]:
        """Run a store-internal write (the outbox's bookkeeping) and commit it; returns the rows
        of its ``RETURNING`` clause, if any."""
        raise NotImplementedError

    @staticmethod
    def _timestamp(value: Any) -> datetime | None:
        """A timestamp column's value as the driver returns it, as an aware datetime."""
        raise NotImplementedError
