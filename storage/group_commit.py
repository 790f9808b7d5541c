"""Group commit: many concurrent units of work, one transaction.

A write costs a commit (a disk flush) plus a round trip per statement. Under a burst, callers
queue their units; a writer task takes every unit waiting and runs them one after another inside
a single transaction. A failing unit must leave no trace: where savepoints are cheap (SQLite, on
its own thread) each unit has one, opened lazily on its first write; where each costs two round
trips (PostgreSQL), a unit that fails after writing has the group run again without it — rare,
as the rules raise before they write. Each caller is answered only after the COMMIT that holds
its unit.

The loop is the same for every SQL store; a :class:`GroupSession` supplies the dialect.
"""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass, field
from enum import Enum
from functools import partial
from typing import Any, Generic, Protocol, TypeVar

from bot.errors import StoreUnavailable

__all__ = ["GroupSession", "GroupWriter", "RetryGroup", "Verdict"]

_log = logging.getLogger(__name__)

TxT = TypeVar("TxT")
Unit = Callable[[Any], Awaitable[Any]]


class RetryGroup(Exception):
    """Raised by a session when the whole group should run again (a deadlock victim)."""


class Verdict(Enum):
    """What a failed unit means for the rest of its group's transaction."""

    CONTINUE = "continue"  # rolled back alone (a savepoint), or it had written nothing
    RETRY = "retry"  # the transaction is spoilt by a passing conflict: run it all again
    WITHOUT = "without"  # the transaction is spoilt by this unit: run the others again


class GroupSession(Protocol[TxT]):
    """One transaction's worth of driver operations."""

    async def begin(self) -> None: ...

    def open_unit(self) -> TxT:
        """A fresh unit-of-work handle; remembers in-memory state to restore on failure."""

    async def close_unit(self, tx: TxT, error: Exception | None) -> Verdict:
        """After a unit that raised: undo its in-memory state, and say what its failure means
        for the group (a unit that succeeds keeps its work without being closed)."""

    def raw(self) -> Any:
        """What a store-internal job receives instead of a unit handle (the connection)."""

    async def run(self, work: Callable[[], Coroutine[Any, Any, None]]) -> None:
        """Run one group's transaction: here, or somewhere cheaper (SQLite: on its thread)."""

    def is_store_error(self, exc: Exception) -> bool:
        """The database refused (locked, read-only, full, gone) rather than the unit's rules."""

    async def commit(self) -> None: ...

    async def rollback(self) -> None: ...


class _Rerun(Exception):
    def __init__(self, job: _Job, error: Exception | None) -> None:
        super().__init__("rerun the group")
        self.job = job
        self.error = error  # None: run this job again too


@dataclass(slots=True)
class _Job:
    unit: Unit
    future: asyncio.Future[Any]
    raw: bool
    outcome: tuple[Any, BaseException | None] = field(default=(None, None))
    reruns: int = 0


class GroupWriter(Generic[TxT]):
    """A queue of jobs served by one or more writer tasks, each with its own session."""

    def __init__(self, max_group: int = 512, max_group_retries: int = 5) -> None:
        # A plain deque and one wake-up future per idle writer task, not an asyncio.Queue: a
        # burst queues and takes a job per signature, and the Queue's bookkeeping on both ends
        # (unfinished-task counts, waking putters that never wait) was most of that cost.
        self._jobs: deque[_Job] = deque()
        self._idle: deque[asyncio.Future[None]] = deque()
        self._max_group = max_group
        self._max_retries = max_group_retries
        self._tasks: list[asyncio.Task[None]] = []
        self._waiting = 0  # writer tasks waiting for a job
        # The loop the writer tasks run in, kept: on Python 3.11 every get_running_loop() is a
        # getpid() system call (the running loop is checked against a fork), and a submit per
        # signature is on the hot path.
        self._loop: asyncio.AbstractEventLoop | None = None

    def start(self, sessions: list[GroupSession[TxT]]) -> None:
        self._loop = asyncio.get_running_loop()
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
        while self._jobs:
            job = self._jobs.popleft()
            if not job.future.done():
                job.future.set_exception(StoreUnavailable())

    async def submit(self, unit: Unit, *, raw: bool = False) -> Any:
        loop = self._loop
        if not self._tasks or loop is None:
            raise RuntimeError("the store is not open")
        future: asyncio.Future[Any] = loop.create_future()
        self._jobs.append(_Job(unit, future, raw))
        while self._idle:  # wake one idle writer task
            idle = self._idle.popleft()
            if not idle.done():
                idle.set_result(None)
                break
        return await future

    async def _serve(self, session: GroupSession[TxT]) -> None:
        loop = asyncio.get_running_loop()
        while True:
            while not self._jobs:
                idle = loop.create_future()
                self._idle.append(idle)
                self._waiting += 1
                try:
                    await idle  # cancelled by stop(): a done future left here is skipped
                finally:
                    self._waiting -= 1
            jobs = self._jobs
            group = [jobs.popleft() for _ in range(self._share())]
            for attempt in range(self._max_retries + 1):
                try:
                    await self._commit_group(session, group)
                    break
                except RetryGroup:
                    if attempt == self._max_retries:
                        self._fail(group, StoreUnavailable())
                    else:
                        await asyncio.sleep(0.005 * 2**attempt)

    def _share(self) -> int:
        """How many jobs a writer takes: an even share with the writers still waiting. A burst
        then runs on every connection at once, one group's round trips overlapping another's,
        not as one long group while the other connections idle (with one writer: all)."""
        writers = self._waiting + 1
        return min(self._max_group, -(-len(self._jobs) // writers))

    async def _commit_group(self, session: GroupSession[TxT], group: list[_Job]) -> None:
        while group:
            try:
                await session.run(partial(self._transact, session, group))
                break
            except _Rerun as rerun:  # the transaction was rolled back; go again
                rerun.job.reruns += 1
                if rerun.error is not None or rerun.job.reruns > self._max_retries:
                    self._settle(rerun.job, None, rerun.error or StoreUnavailable(), session)
                    # Out of the writer task's own list, not a copy: when the group is then
                    # retried as a whole (a deadlock victim), a unit already answered must not
                    # run again, and commit what its caller was told did not happen.
                    group.remove(rerun.job)
            except asyncio.CancelledError:
                self._fail(group, StoreUnavailable())
                raise
            except RetryGroup:
                raise
            except Exception as exc:
                _log.exception("group commit of %d unit(s) failed; none was written", len(group))
                unavailable = StoreUnavailable()
                unavailable.__cause__ = exc
                self._fail(group, unavailable)
                return
        for job in group:
            result, error = job.outcome
            if error is None and not job.future.done():
                job.future.set_result(result)  # the usual answer, without _settle's checks
            else:
                self._settle(job, result, error, session)

    def _settle(
        self, job: _Job, result: Any, error: BaseException | None, session: GroupSession[TxT]
    ) -> None:
        """Answer a caller. A database refusal reaches them as "try again" (and the log)."""
        if job.future.done():
            return
        if isinstance(error, Exception) and session.is_store_error(error):
            _log.warning("a unit of work failed in the database: %s", error)
            unavailable = StoreUnavailable()
            unavailable.__cause__ = error
            error = unavailable
        if error is not None:
            job.future.set_exception(error)
        else:
            job.future.set_result(result)

    async def _transact(self, session: GroupSession[TxT], group: list[_Job]) -> None:
        """BEGIN, every unit, COMMIT — or ROLLBACK of the lot. The units run in this loop, not
        in a coroutine each: a burst runs hundreds to a group."""
        try:
            await session.begin()
            for job in group:
                tx = session.open_unit()
                try:
                    job.outcome = (await job.unit(session.raw() if job.raw else tx), None)
                except RetryGroup:
                    raise
                except Exception as exc:
                    job.outcome = (None, await self._failed(session, tx, job, exc))
            await session.commit()
        except BaseException:
            await _quietly(session.rollback())
            raise

    @staticmethod
    async def _failed(session: GroupSession[TxT], tx: TxT, job: _Job, exc: Exception) -> Exception:
        """A unit raised: its error is its caller's answer if the group can go on, else the
        group runs again (:class:`_Rerun`)."""
        verdict = await session.close_unit(tx, exc)
        if verdict is Verdict.CONTINUE:
            return exc
        raise _Rerun(job, exc if verdict is Verdict.WITHOUT else None) from exc

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
