"""Group commit shares a burst between its writers: each connection takes an even share of the
waiting units, so their transactions run side by side instead of one after another."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine
from typing import Any

from storage.group_commit import GroupWriter, Verdict


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
