"""The one clock behind every interaction's response budget: only work still running when its
budget ends is deferred, however many watches share the clock and in whatever order they end.
(The end-to-end deferral, as Discord sees it, is in test_signing.py.)"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

from adapters.discord.deferrals import Deferrals


def recorder(deferred: list[str]) -> Callable[[str], Callable[[], Awaitable[None]]]:
    def defer(name: str) -> Callable[[], Awaitable[None]]:
        async def acknowledge() -> None:
            deferred.append(name)

        return acknowledge

    return defer


async def clock_struck() -> None:
    """Past the budget-0 clock's turn: a timer due later than it runs after it."""
    await asyncio.sleep(0.001)


async def test_only_work_outlasting_its_budget_is_deferred() -> None:
    deferred: list[str] = []
    defer = recorder(deferred)
    deferrals = Deferrals(0.0)  # due at the loop's next turn
    quick = deferrals.watch(defer("quick"))
    slow = deferrals.watch(defer("slow"))
    assert quick.done() is None  # over before the clock struck
    await clock_struck()
    deferral = slow.done()
    assert deferral is not None
    await deferral
    assert deferred == ["slow"]


async def test_the_clock_goes_on_for_work_that_starts_later() -> None:
    deferred: list[str] = []
    defer = recorder(deferred)
    deferrals = Deferrals(0.0)
    first = deferrals.watch(defer("first"))
    await clock_struck()
    later = deferrals.watch(defer("later"))
    early_end = deferrals.watch(defer("early end"))
    early_end.done()
    await clock_struck()
    for watch in (first, later):
        deferral = watch.done()
        assert deferral is not None
        await deferral
    assert deferred == ["first", "later"]


async def test_work_that_ends_out_of_order_is_still_deferred_in_time() -> None:
    """A finished watch behind a running one waits in the queue; the running one is still
    deferred, and the finished one never is."""
    deferred: list[str] = []
    defer = recorder(deferred)
    deferrals = Deferrals(0.0)
    running = deferrals.watch(defer("running"))
    finished = deferrals.watch(defer("finished"))
    finished.done()
    deferrals.watch(defer("third")).done()
    await clock_struck()
    deferral = running.done()
    assert deferral is not None
    await deferral
    assert deferred == ["running"]
