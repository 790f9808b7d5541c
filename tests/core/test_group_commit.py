"""Group commit shares a burst between its writers: each connection takes an even share of the
waiting units, so their transactions run side by side instead of one after another. And a unit
whose caller has been answered never runs again, whatever its group does next."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine
from datetime import UTC, datetime
from typing import Any

import pytest

from bot.ports import WriteTx
from storage.group_commit import GroupWriter, RetryGroup, Verdict
from tests.postgres import fresh_schema


class RecordingSession:
    """A :class:`storage.group_commit.GroupSession` that records each committed group's size;
    its transaction takes a moment (``await``), as a database's does."""

    def __init__(self) -> None:
        self.groups: list[int] = []
        self._units = 0

    async def begin(self) -> None:
        self._units = 0

    def open_unit(self) -> RecordingSession:
        self._units += 1
        return self

    async def close_unit(self, tx: object, error: Exception | None) -> Verdict:
        return Verdict.CONTINUE

    def raw(self) -> RecordingSession:
        return self

    async def run(self, work: Callable[[], Coroutine[Any, Any, None]]) -> None:
        await work()

    def is_store_error(self, exc: Exception) -> bool:
        return False

    async def commit(self) -> None:
        await asyncio.sleep(0)
        self.groups.append(self._units)

    async def rollback(self) -> None:
        pass


async def _burst(writers: int, units: int) -> list[RecordingSession]:
    sessions = [RecordingSession() for _ in range(writers)]
    group: GroupWriter[RecordingSession] = GroupWriter(max_group=256)
    group.start(list(sessions))

    async def unit(tx: object) -> str:
        return "done"

    try:
        results = await asyncio.gather(*(group.submit(unit) for _ in range(units)))
    finally:
        await group.stop()
    assert results == ["done"] * units
    return sessions


async def test_a_burst_is_shared_evenly_between_the_writers() -> None:
    sessions = await _burst(writers=4, units=200)
    assert [s.groups for s in sessions] == [[50], [50], [50], [50]]


async def test_one_writer_takes_the_whole_burst_up_to_the_group_limit() -> None:
    [session] = await _burst(writers=1, units=300)
    assert session.groups == [256, 44]


class Deadlocked(Exception):
    """What a unit raises here to play the database choosing its transaction as a deadlock
    victim (PostgreSQL's session turns that into :class:`RetryGroup`)."""


class RowsSession(RecordingSession):
    """A session whose units write rows (``tx.write``) that only a COMMIT keeps. A unit's failure
    spoils the transaction (``WITHOUT``: run again without it), except a deadlock, which has the
    whole group run again — as PostgreSQL's session says."""

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[str] = []
        self._written: list[str] = []

    async def begin(self) -> None:
        self._written = []

    def write(self, row: str) -> None:
        self._written.append(row)

    async def close_unit(self, tx: object, error: Exception | None) -> Verdict:
        if isinstance(error, Deadlocked):
            raise RetryGroup() from error
        return Verdict.WITHOUT

    async def commit(self) -> None:
        await asyncio.sleep(0)
        self.rows += self._written


async def test_a_unit_answered_with_its_error_stays_out_when_its_group_runs_again() -> None:
    """A unit that spoils its group is answered with its error, and the group runs again
    without it; if that run is then a deadlock victim and the group runs again as a whole, the
    answered unit stays out. Were it run again, it could now succeed and commit: a signer told
    "you have already signed" (the signature they saw was an earlier unit's, rolled back) would
    then have a signature stored, one nobody was told about."""
    session = RowsSession()
    writer: GroupWriter[RowsSession] = GroupWriter(max_group=8)
    writer.start([session])
    refusals, deadlocks = ["already signed"], [Deadlocked()]

    async def refused_once(tx: RowsSession) -> str:
        tx.write("refused signer's signature")
        if refusals:
            raise ValueError(refusals.pop())
        return "signed"

    async def victim_once(tx: RowsSession) -> str:
        tx.write("other signature")
        if deadlocks:
            raise deadlocks.pop()
        return "signed"

    try:
        results = await asyncio.gather(
            writer.submit(refused_once), writer.submit(victim_once), return_exceptions=True
        )
    finally:
        await writer.stop()
    assert [str(r) for r in results] == ["already signed", "signed"]
    assert session.rows == ["other signature"]


@pytest.mark.postgres
async def test_on_postgresql_a_deadlock_victims_group_runs_again_without_an_answered_unit() -> None:
    """The same, through the PostgreSQL store: one writer, so both units share a transaction;
    the second is chosen as a deadlock victim once (the server's error, raised by the unit)."""
    import asyncpg

    from storage.postgres import PostgresStore

    at = datetime(2026, 12, 7, tzinfo=UTC)
    refusals, deadlocks = ["already signed"], [asyncpg.DeadlockDetectedError("deadlock")]

    async def refused_once(tx: WriteTx) -> str:
        await tx.add_audit(at, "refused", "sign", None)
        if refusals:
            raise ValueError(refusals.pop())
        return "signed"

    async def victim_once(tx: WriteTx) -> str:
        await tx.add_audit(at, "victim", "sign", None)
        if deadlocks:
            raise deadlocks.pop()
        return "signed"

    async with fresh_schema() as url, PostgresStore(url, writers=1) as store:
        results = await asyncio.gather(
            store.write(refused_once), store.write(victim_once), return_exceptions=True
        )
        assert [str(r) for r in results] == ["already signed", "signed"]
        assert [entry.actor for entry in await store.audit_log(10)] == ["victim"]
