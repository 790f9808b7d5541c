"""Group commit: many concurrent units of work, one transaction.

A write costs a commit (a disk flush) plus a round trip per statement. Under a burst, callers
queue their units; a writer task takes every unit waiting and runs them one after another inside
a single transaction, each under its own savepoint (opened lazily, on its first write) so a
failing unit rolls back alone. Each caller is answered only after the COMMIT that holds its unit.

The loop is the same for every SQL store; a :class:`GroupSession` supplies the dialect.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass, field
from typing import Any, Generic, Protocol, TypeVar

from bot.errors import StoreUnavailable

__all__ = ["GroupSession", "GroupWriter", "RetryGroup"]

_log = logging.getLogger(__name__)

TxT = TypeVar("TxT")
Unit = Callable[[Any], Awaitable[Any]]


class RetryGroup(Exception):
    """Raised by a session when the whole group should run again (a deadlock victim)."""


class GroupSession(Protocol[TxT]):
    """One transaction's worth of driver operations."""

    async def begin(self) -> None: ...

    def open_unit(self) -> TxT:
        """A fresh unit-of-work handle; remembers in-memory state to restore on failure."""

    async def close_unit(self, tx: TxT, failed: bool) -> None:
        """Release the unit's savepoint, or roll back to it and restore state if it failed."""

    def raw(self) -> Any:
        """What a store-internal job receives instead of a unit handle (the connection)."""

    async def run(self, work: Callable[[], Coroutine[Any, Any, None]]) -> None:
        """Run one group's transaction: here, or somewhere cheaper (SQLite: on its thread)."""

    def is_store_error(self, exc: Exception) -> bool:
        """The database refused (locked, read-only, full, gone) rather than the unit's rules."""

    async def retry_unit(self, exc: Exception, attempt: int) -> bool:
        """True when the unit hit a transient conflict and should run again (``attempt`` is
        how many times it has failed so far)."""

    async def commit(self) -> None: ...

    async def rollback(self) -> None: ...


@dataclass(slots=True)
class _Job:
    unit: Unit
    future: asyncio.Future[Any]
    raw: bool
    outcome: tuple[Any, BaseException | None] = field(default=(None, None))


class GroupWriter(Generic[TxT]):
    """A queue of jobs served by one or more writer tasks, each with its own session."""

    def __init__(self, max_group: int = 512, max_group_retries: int = 5) -> None:
        self._queue: asyncio.Queue[_Job] = asyncio.Queue()
        self._max_group = max_group
        self._max_retries = max_group_retries
        self._tasks: list[asyncio.Task[None]] = []

    def start(self, sessions: list[GroupSession[TxT]]) -> None:
        self._tasks = [
            asyncio.create_task(self._serve(s), name=f"store-writer-{i}")
            for i, s in enumerate(sessions)
        ]

    async def stop(self) -> None:
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            try:
                await task
            except asyncio.CancelledError:
                pass
            except Exception:
                _log.exception("store writer ended with an error")
        self._tasks = []
        while not self._queue.empty():
            job = self._queue.get_nowait()
            if not job.future.done():
                job.future.set_exception(StoreUnavailable())

    async def submit(self, unit: Unit, *, raw: bool = False) -> Any:
        if not self._tasks:
            raise RuntimeError("the store is not open")
        future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self._queue.put_nowait(_Job(unit, future, raw))
        return await future

    async def _serve(self, session: GroupSession[TxT]) -> None:
        while True:
            group = [await self._queue.get()]
            while len(group) < self._max_group and not self._queue.empty():
                group.append(self._queue.get_nowait())
            for attempt in range(self._max_retries + 1):
                try:
                    await self._commit_group(session, group)
                    break
                except RetryGroup:
                    if attempt == self._max_retries:
                        self._fail(group, StoreUnavailable())
                    else:
                        await asyncio.sleep(0.005 * 2**attempt)

    async def _commit_group(self, session: GroupSession[TxT], group: list[_Job]) -> None:
        try:
            await session.run(lambda: self._transact(session, group))
        except asyncio.CancelledError:
            self._fail(group, StoreUnavailable())
            raise
        except RetryGroup:
            raise
        except Exception as exc:
            _log.exception("group commit of %d unit(s) failed; none of it was written", len(group))
            unavailable = StoreUnavailable()
            unavailable.__cause__ = exc
            self._fail(group, unavailable)
            return
        for job in group:
            if job.future.done():
                continue
            result, error = job.outcome
            if error is not None:
                job.future.set_exception(error)
            else:
                job.future.set_result(result)

    async def _transact(self, session: GroupSession[TxT], group: list[_Job]) -> None:
        """BEGIN, every unit under its savepoint, COMMIT — or ROLLBACK of the lot."""
        try:
            await session.begin()
            for job in group:
                job.outcome = await self._run_unit(session, job)
            await session.commit()
        except BaseException:
            await _quietly(session.rollback())
            raise

    async def _run_unit(
        self, session: GroupSession[TxT], job: _Job
    ) -> tuple[Any, BaseException | None]:
        attempt = 0
        while True:
            tx = session.open_unit()
            try:
                result = await job.unit(session.raw() if job.raw else tx)
            except RetryGroup:
                raise
            except Exception as exc:
                await session.close_unit(tx, failed=True)
                attempt += 1
                if await session.retry_unit(exc, attempt):
                    continue
                if session.is_store_error(exc):
                    # The caller hears "try again"; the operator gets the reason in the log.
                    _log.warning("a unit of work failed in the database: %s", exc)
                    unavailable = StoreUnavailable()
                    unavailable.__cause__ = exc
                    return None, unavailable
                return None, exc
            await session.close_unit(tx, failed=False)
            return result, None

    @staticmethod
    def _fail(group: list[_Job], error: BaseException) -> None:
        for job in group:
            if not job.future.done():
                job.future.set_exception(error)


async def _quietly(step: Awaitable[None]) -> None:
    try:
        await step
    except Exception:
        _log.debug("rollback after a failed group also failed", exc_info=True)
